// /api/tokens: enrolment tokens for the console. A new token is shown once, with the exact command
// that enrols an endpoint; afterwards only its id, label and use counts are listed.
import type { FastifyInstance, FastifyRequest } from 'fastify';
import { TokenCreateBody, TokenParams } from '../../shared/http-schemas.js';
import type { Store } from '../store/store.js';
import { enrolmentTokenJson, issueEnrolmentTokenRecord, TOKEN_LIST_LIMIT } from '../store/tokens.js';
import { enrolmentFiles } from '../enrolment/files.js';
import { sendError } from './errors.js';
import { route } from './route.js';

export interface TokenRoutesContext {
  store: Store;
  now(): number;
}

const HOUR_MS = 3_600_000;
/** Host names, IPv4 and bracketed IPv6, with an optional port: nothing a shell would read differently. */
const SAFE_HOST = /^(?:[A-Za-z0-9.-]+|\[[0-9A-Fa-f:.]+\])(?::\d{1,5})?$/;

/** The URL this request reached the server under (protocol and Host header); a placeholder for a host that is not one. */
function requestServerUrl(req: FastifyRequest): string {
  const host = req.host;
  return SAFE_HOST.test(host) ? `${req.protocol}://${host}` : `${req.protocol}://SERVER-ADDRESS`;
}

/**
 * The README's agent command line. The token goes into a root-only file through printf, a shell
 * builtin, so it never appears in the process list; the agent reads it with --token-file.
 */
export function installCommand(serverUrl: string, token: string): string {
  const file = '/etc/outpost/enrol-token';
  return `sudo sh -c "install -d -m 0700 /etc/outpost && umask 077 && printf '%s\\n' '${token}' > ${file}" && sudo outpost agent --server ${serverUrl} --token-file ${file}`;
}

export function tokenRoutes(app: FastifyInstance, ctx: TokenRoutesContext): void {
  route(app, 'GET /api/tokens', { summary: 'Enrolment tokens, newest first' }, async () => {
    const now = ctx.now();
    return { items: (await ctx.store.listEnrolmentTokens(TOKEN_LIST_LIMIT)).map((t) => enrolmentTokenJson(t, now)) };
  });

  const create = {
    body: TokenCreateBody,
    optionalBody: true,
    summary: 'Create an enrolment token (shown once) with its install command and files; the body may be left out',
  };
  route(app, 'POST /api/tokens', create, async ({ body, req, reply, send }) => {
    const now = ctx.now();
    const { token, record } = await issueEnrolmentTokenRecord(
      ctx.store,
      {
        expiresInMs: body.expiresInHours * HOUR_MS,
        ...(body.uses ? { uses: body.uses } : {}),
        ...(body.label ? { label: body.label } : {}),
      },
      now,
    );
    const listed = enrolmentTokenJson(record, now);
    const serverUrl = requestServerUrl(req);
    reply.header('cache-control', 'no-store');
    return send(201, {
      ...listed,
      token,
      installCommand: installCommand(serverUrl, token),
      enrolmentFiles: enrolmentFiles({
        serverUrl,
        token,
        tokenId: listed.id,
        expiresAt: listed.expiresAt,
        ...(listed.label ? { label: listed.label } : {}),
        ...(body.caPem ? { caPem: `${body.caPem.trim()}\n` } : {}),
      }),
    });
  });

  route(app, 'DELETE /api/tokens/:id', { params: TokenParams, summary: 'Revoke an enrolment token' }, async ({ params, reply }) => {
    const revoked = await ctx.store.revokeEnrolmentToken(params.id);
    if (!revoked) return sendError(reply, 404, 'E_NOT_FOUND', 'No enrolment token with this id.');
    return enrolmentTokenJson(revoked, ctx.now());
  });
}

// /api/tokens: enrolment tokens for the console. A new token is shown once, with the exact command
// that enrols an endpoint; afterwards only its id, label and use counts are listed.
import type { FastifyInstance, FastifyRequest } from 'fastify';
import { z } from 'zod';
import type { CreatedTokenJson } from '../../shared/http-api.js';
import type { Store } from '../store/store.js';
import { enrolmentTokenJson, issueEnrolmentTokenRecord, LABEL_CONTROL_CHARS, MAX_TOKEN_LABEL, TOKEN_LIST_LIMIT } from '../store/tokens.js';
import { enrolmentFiles } from '../enrolment/files.js';
import { sendError } from './errors.js';
import { parse } from './parse.js';

export interface TokenRoutesContext {
  store: Store;
  now(): number;
}

const HOUR_MS = 3_600_000;
/** A CA certificate is 1-3 KB of PEM; 16 KB leaves room for a long chain's root. */
const MAX_CA_PEM = 16 * 1024;
const Params = z.object({ id: z.string().min(1).max(64) });
const CreateBody = z
  .object({
    label: z
      .string()
      .trim()
      .max(MAX_TOKEN_LABEL)
      .refine((l) => !LABEL_CONTROL_CHARS.test(l), 'cannot hold control characters')
      .optional(),
    expiresInHours: z.number().int().min(1).max(87_600).default(168),
    uses: z.number().int().min(1).max(1_000_000).optional(),
    caPem: z
      .string()
      .max(MAX_CA_PEM)
      .regex(/^\s*-----BEGIN CERTIFICATE-----[A-Za-z0-9+/=\s]+-----END CERTIFICATE-----\s*$/, 'must be one PEM certificate')
      .optional(),
  })
  .strict();

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
  app.get('/api/tokens', async () => {
    const now = ctx.now();
    return { items: (await ctx.store.listEnrolmentTokens(TOKEN_LIST_LIMIT)).map((t) => enrolmentTokenJson(t, now)) };
  });

  app.post('/api/tokens', async (req, reply) => {
    const body = parse(CreateBody, req.body ?? {}, reply, 'body field');
    if (!body) return reply;
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
    const created: CreatedTokenJson = {
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
    };
    return reply.code(201).header('cache-control', 'no-store').send(created);
  });

  app.delete('/api/tokens/:id', async (req, reply) => {
    const params = parse(Params, req.params, reply, 'path parameter');
    if (!params) return reply;
    const revoked = await ctx.store.revokeEnrolmentToken(params.id);
    if (!revoked) return sendError(reply, 404, 'E_NOT_FOUND', 'No enrolment token with this id.');
    return enrolmentTokenJson(revoked, ctx.now());
  });
}

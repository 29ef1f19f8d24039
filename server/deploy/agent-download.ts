// GET /agent/packages/:sha256: an agent fetches an installer over its own authenticated channel. It
// proves who it is with its device credential (x-outpost-device + Bearer secret, as in its hello)
// and gets the file only while one of its own deployments, not finished, names that file: a device
// never reaches a file it was not sent, and a stranger learns nothing (one 401 for every failure).
// Outside /api: the console's auth does not apply and the route is not part of its map.
import type { FastifyInstance, FastifyReply } from 'fastify';
import { Sha256Schema } from '../../shared/deploy.js';
import { ERROR_CODES } from '../../shared/errors.js';
import { hashSecret, sameHash } from '../store/secrets.js';
import type { Store } from '../store/store.js';
import type { PackageFiles } from './package-files.js';

export const AGENT_DOWNLOAD_PATH = '/agent/packages';

export interface AgentDownloadContext {
  store: Store;
  files: PackageFiles;
}

const refuse = (reply: FastifyReply, status: number, code: 'E_AUTH' | 'E_NOT_FOUND', message: string = ERROR_CODES[code]) =>
  reply.code(status).type('application/json; charset=utf-8').send({ error: { code, message } });

export function agentDownloadRoute(app: FastifyInstance, ctx: AgentDownloadContext): void {
  // Hidden from /api/openapi.json: the reference documents the console's API, not the agents'.
  app.get<{ Params: { sha256: string } }>(`${AGENT_DOWNLOAD_PATH}/:sha256`, { schema: { hide: true } }, async (req, reply) => {
    const deviceHeader = req.headers['x-outpost-device'];
    const auth = req.headers.authorization ?? '';
    const secret = auth.startsWith('Bearer ') ? auth.slice(7) : '';
    if (typeof deviceHeader !== 'string' || deviceHeader.length === 0 || deviceHeader.length > 64 || secret.length > 256) {
      return refuse(reply, 401, 'E_AUTH');
    }
    const stored = await ctx.store.deviceCredential(deviceHeader);
    if (!stored || !sameHash(stored.secretHash, hashSecret(secret))) return refuse(reply, 401, 'E_AUTH');
    const sha256 = req.params.sha256;
    if (!Sha256Schema.safeParse(sha256).success || !(await ctx.store.deploy.deviceMayDownload(stored.deviceId, sha256))) {
      return refuse(reply, 404, 'E_NOT_FOUND', 'No deployment of this device names this file.');
    }
    const file = await ctx.files.open(sha256);
    if (!file) return refuse(reply, 404, 'E_NOT_FOUND', 'The file is no longer in the package store.');
    return reply
      .header('content-type', 'application/octet-stream')
      .header('content-length', String(file.size))
      .header('cache-control', 'no-store')
      .send(file.stream);
  });
}

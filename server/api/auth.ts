// Bearer admin token on every API route but health. Only the token's sha256 is kept.
import type { FastifyReply, FastifyRequest } from 'fastify';
import { hashSecret, sameHash } from '../store/secrets.js';
import { sendError } from './errors.js';

const PUBLIC_ROUTES = new Set(['/api/health']);
const MAX_TOKEN_LENGTH = 512;

export function bearerToken(header: string | undefined): string | null {
  if (!header || header.length > MAX_TOKEN_LENGTH + 16) return null;
  const match = /^Bearer\s+(\S+)\s*$/i.exec(header);
  return match ? match[1]! : null;
}

export function adminAuth(adminTokenHash: () => Buffer | null) {
  return async (req: FastifyRequest, reply: FastifyReply): Promise<FastifyReply | undefined> => {
    if (req.routeOptions.url !== undefined && PUBLIC_ROUTES.has(req.routeOptions.url)) return undefined;
    const token = bearerToken(req.headers.authorization);
    if (token !== null && sameHash(adminTokenHash(), hashSecret(token))) return undefined;
    reply.header('www-authenticate', 'Bearer realm="outpost"');
    // Returning the reply tells fastify the request is answered and no handler runs.
    return sendError(reply, 401, 'E_UNAUTHORIZED');
  };
}

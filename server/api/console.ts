// Serves the web console (console/, built into dist/console/) at /. Paths the console routes itself
// (/devices/…, /tickets/12) get index.html; /api and /agent stay the API's. Every answer carries a
// strict CSP: the bundle has no inline script or style, so nothing inline ever runs.
import fastifyStatic from '@fastify/static';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { existsSync, statSync } from 'node:fs';
import { dirname, join, resolve, sep } from 'node:path';
import { fileURLToPath } from 'node:url';

export const CONSOLE_CSP = [
  "default-src 'self'",
  "script-src 'self'",
  "style-src 'self'",
  "img-src 'self'",
  "font-src 'self'",
  "connect-src 'self'",
  "object-src 'none'",
  "base-uri 'none'",
  "form-action 'self'",
  "frame-ancestors 'none'",
].join('; ');

const SECURITY_HEADERS: Record<string, string> = {
  'content-security-policy': CONSOLE_CSP,
  'x-content-type-options': 'nosniff',
  'referrer-policy': 'no-referrer',
  'x-frame-options': 'DENY',
};

/** Vite names files under assets/ by content hash: they never change, so browsers keep them. */
const ASSET_CACHE = 'public, max-age=31536000, immutable';
const OTHER_CACHE = 'public, max-age=3600';
const NOT_BUILT = 'The Outpost web console is not built. Run `npm run build` (or `npm run build:console`) and reload.\n';

/** Paths that are never the console's, even when nothing there matches. */
function isServerPath(path: string): boolean {
  return path === '/api' || path.startsWith('/api/') || path === '/agent' || path.startsWith('/agent/');
}

function wantsHtml(req: FastifyRequest): boolean {
  const accept = req.headers.accept ?? '';
  return accept.includes('text/html');
}

/** dist/console under the package root, found from this file wherever it runs (tsx or compiled). */
export function defaultConsoleDir(): string {
  let dir = dirname(fileURLToPath(import.meta.url));
  for (;;) {
    if (existsSync(join(dir, 'package.json'))) return join(dir, 'dist', 'console');
    const parent = dirname(dir);
    if (parent === dir) throw new Error('defaultConsoleDir: no package.json above ' + fileURLToPath(import.meta.url));
    dir = parent;
  }
}

export async function consoleRoutes(app: FastifyInstance, opts: { dir: string }): Promise<void> {
  const root = resolve(opts.dir);
  // Encapsulated: the sendFile decorator and the header hook stay with these routes.
  await app.register(async (scope) => {
    await scope.register(fastifyStatic, { root, serve: false, decorateReply: true });

    scope.addHook('onSend', async (_req, reply, payload) => {
      for (const [name, value] of Object.entries(SECURITY_HEADERS)) reply.header(name, value);
      return payload;
    });

    const sendIndex = (reply: FastifyReply) => {
      if (!isFile(join(root, 'index.html')))
        return reply.code(503).type('text/plain; charset=utf-8').header('cache-control', 'no-store').send(NOT_BUILT);
      return reply.header('cache-control', 'no-cache').sendFile('index.html', root, { cacheControl: false });
    };

    // The console's pages and files are not part of the API reference (/api/openapi.json).
    const notApi = { schema: { hide: true } };
    scope.get('/', notApi, async (_req, reply) => sendIndex(reply));

    scope.get('/*', notApi, async (req, reply) => {
      const path = req.url.split('?')[0] ?? '/';
      if (isServerPath(path)) return reply.callNotFound();
      const file = fileIn(root, (req.params as { '*': string })['*']);
      if (file) {
        const cache = file.startsWith('assets/') ? ASSET_CACHE : file === 'index.html' ? 'no-cache' : OTHER_CACHE;
        return reply.header('cache-control', cache).sendFile(file, root, { cacheControl: false, dotfiles: 'deny' });
      }
      if (file === null && wantsHtml(req) && !path.startsWith('/assets/')) return sendIndex(reply);
      return reply.callNotFound();
    });
  });
}

/** The file's path relative to root if the request names an existing file inside it; null otherwise. */
function fileIn(root: string, wildcard: string): string | null {
  let relative: string;
  try {
    relative = decodeURIComponent(wildcard);
  } catch {
    return null;
  }
  if (relative.includes('\0')) return null;
  const full = resolve(root, relative);
  if (!full.startsWith(root + sep)) return null;
  if (
    full
      .slice(root.length + 1)
      .split(sep)
      .some((part) => part.startsWith('.'))
  )
    return null;
  return isFile(full)
    ? full
        .slice(root.length + 1)
        .split(sep)
        .join('/')
    : null;
}

function isFile(path: string): boolean {
  try {
    return statSync(path).isFile();
  } catch {
    return false;
  }
}

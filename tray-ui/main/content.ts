// Where the windows' pages come from: the tray's own privileged scheme, outpost://tray/, served
// from the built renderer folder with a strict Content-Security-Policy header (the pages carry the
// same policy in a <meta>). The windows' session refuses every other request and every permission.
import { readFile } from 'node:fs/promises';
import { extname, join, normalize, sep } from 'node:path';
import type { ElectronPorts, SessionPort } from './electron-ports.js';

export const TRAY_SCHEME = 'outpost';
export const TRAY_ORIGIN = `${TRAY_SCHEME}://tray`;
/** In memory only: the windows keep no cookies, cache or storage between runs. */
export const TRAY_PARTITION = 'outpost-tray';

const CSP_DIRECTIVES = [
  "default-src 'none'",
  "script-src 'self'",
  "style-src 'self'",
  "img-src 'self' data:",
  "font-src 'self'",
  "connect-src 'none'",
  "object-src 'none'",
  "base-uri 'none'",
  "form-action 'none'",
];
/** In the pages' <meta>: frame-ancestors only works as a header. */
export const RENDERER_CSP_META = CSP_DIRECTIVES.join('; ');
export const RENDERER_CSP = [...CSP_DIRECTIVES, "frame-ancestors 'none'"].join('; ');

const TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.png': 'image/png',
  '.svg': 'image/svg+xml',
};

const SECURITY_HEADERS = {
  'content-security-policy': RENDERER_CSP,
  'x-content-type-options': 'nosniff',
  'cross-origin-opener-policy': 'same-origin',
  'referrer-policy': 'no-referrer',
};

/** Before the app is ready: makes outpost:// a secure, standard scheme (so 'self' and CSP work). */
export function registerTrayScheme(protocol: ElectronPorts['protocol']): void {
  protocol.registerSchemesAsPrivileged([{ scheme: TRAY_SCHEME, privileges: { standard: true, secure: true, supportFetchAPI: false } }]);
}

/** Answers outpost://tray/<file> from `rendererDir`; anything outside it, or unknown, is a 404. */
export async function serveRendererFile(rendererDir: string, url: string): Promise<Response> {
  const notFound = () => new Response('Not found', { status: 404, headers: { 'content-type': 'text/plain', ...SECURITY_HEADERS } });
  let u: URL;
  try {
    u = new URL(url);
  } catch {
    return notFound();
  }
  if (`${u.protocol}//${u.host}` !== TRAY_ORIGIN) return notFound();
  const name = decodeURIComponent(u.pathname).replace(/^\/+/, '') || 'status.html';
  const type = TYPES[extname(name)];
  const root = normalize(rendererDir + sep);
  const file = normalize(join(root, name));
  if (!type || !file.startsWith(root)) return notFound();
  try {
    const body = await readFile(file);
    return new Response(new Uint8Array(body), { status: 200, headers: { 'content-type': type, ...SECURITY_HEADERS } });
  } catch {
    return notFound();
  }
}

/** Locks the windows' session down: our scheme only, CSP on every response, no permissions. */
export function setupContent(session: SessionPort, rendererDir: string): void {
  session.protocol.handle(TRAY_SCHEME, (request) => serveRendererFile(rendererDir, request.url));
  session.webRequest.onBeforeRequest((details, callback) => callback({ cancel: !isAllowedRequest(details.url) }));
  session.webRequest.onHeadersReceived((details, callback) =>
    callback({ responseHeaders: { ...details.responseHeaders, 'Content-Security-Policy': [RENDERER_CSP] } }),
  );
  session.setPermissionRequestHandler((_wc, _permission, callback) => callback(false));
  session.setPermissionCheckHandler(() => false);
}

/** No remote content: the pages load only from outpost://tray/ (and data: images for previews). */
export function isAllowedRequest(url: string): boolean {
  return url.startsWith(`${TRAY_ORIGIN}/`) || url.startsWith('data:');
}

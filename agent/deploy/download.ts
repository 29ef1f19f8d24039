// Fetches an installer from the server the agent is enrolled with, over its own authenticated
// channel: GET <server>/agent/packages/<sha256> with its device credential. Never from any other
// URL. The bytes are counted (no more than the command's size is read) and hashed as they arrive;
// the file is kept only when its sha256 is the one the signed command names.
import { createHash } from 'node:crypto';
import { createWriteStream } from 'node:fs';
import { mkdir, rename, rm } from 'node:fs/promises';
import { request as httpRequest, type IncomingMessage } from 'node:http';
import { request as httpsRequest } from 'node:https';
import { dirname } from 'node:path';
import { Transform } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { OutpostError } from '../../shared/errors.js';
import { agentUrl } from '../link/url.js';

export interface DownloadOptions {
  serverUrl: string;
  /** PEM CA pinned for https (as for the link). */
  ca?: string;
  credentials(): { deviceId: string; secret: string } | undefined;
  /** Gives up on a silent server after this long. Default 60 s. */
  idleTimeoutMs?: number;
}

/** The download URL of a file: the agent endpoint's path, over http(s). */
export function packageUrl(serverUrl: string, sha256: string): URL {
  const url = new URL(agentUrl(serverUrl));
  url.protocol = url.protocol === 'wss:' ? 'https:' : 'http:';
  url.pathname = `${url.pathname}/packages/${sha256}`;
  return url;
}

/**
 * Downloads the file with this hash and size to `dest`. Throws OutpostError: E_PACKAGE_HASH_MISMATCH
 * (the bytes are not the ones signed for; nothing is kept), E_DEPLOY_DOWNLOAD with `transient` in
 * its details for a network failure worth retrying.
 */
export async function downloadPackage(opts: DownloadOptions, file: { sha256: string; size: number }, dest: string): Promise<void> {
  const creds = opts.credentials();
  if (!creds) throw new OutpostError('E_DEPLOY_DOWNLOAD', 'The agent has no device credential yet.', { transient: true });
  const res = await get(opts, packageUrl(opts.serverUrl, file.sha256), creds);
  if (res.statusCode !== 200) {
    res.resume();
    const transient = (res.statusCode ?? 0) >= 500;
    throw new OutpostError('E_DEPLOY_DOWNLOAD', `The server answered ${res.statusCode} for the installer.`, { transient });
  }
  await mkdir(dirname(dest), { recursive: true, mode: 0o700 });
  const part = `${dest}.part`;
  const hash = createHash('sha256');
  let size = 0;
  const counter = new Transform({
    transform(chunk: Buffer, _enc, done) {
      size += chunk.length;
      if (size > file.size) return done(mismatch(`more than the ${file.size} bytes signed for`));
      hash.update(chunk);
      done(null, chunk);
    },
  });
  try {
    await pipeline(res, counter, createWriteStream(part, { mode: 0o600 }));
    const sha256 = hash.digest('hex');
    if (size !== file.size || sha256 !== file.sha256) throw mismatch(`${size} bytes with sha256 ${sha256}`);
    await rename(part, dest);
  } catch (err) {
    await rm(part, { force: true });
    if (err instanceof OutpostError) throw err;
    throw new OutpostError('E_DEPLOY_DOWNLOAD', `The download broke off: ${(err as Error).message}`, { transient: true });
  }
}

function mismatch(what: string): OutpostError {
  return new OutpostError(
    'E_PACKAGE_HASH_MISMATCH',
    `The downloaded installer is not the one signed for (${what}); it was deleted, not installed.`,
  );
}

function get(opts: DownloadOptions, url: URL, creds: { deviceId: string; secret: string }): Promise<IncomingMessage> {
  const request = url.protocol === 'https:' ? httpsRequest : httpRequest;
  return new Promise((resolve, reject) => {
    const req = request(url, {
      method: 'GET',
      headers: { 'x-outpost-device': creds.deviceId, authorization: `Bearer ${creds.secret}` },
      timeout: opts.idleTimeoutMs ?? 60_000,
      ...(opts.ca ? { ca: opts.ca } : {}),
    });
    req.on('response', resolve);
    req.on('timeout', () => req.destroy(new Error('the server went silent')));
    req.on('error', (err) => reject(new OutpostError('E_DEPLOY_DOWNLOAD', `Cannot reach the server: ${err.message}`, { transient: true })));
    req.end();
  });
}

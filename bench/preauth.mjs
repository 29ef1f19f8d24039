#!/usr/bin/env node
// What one unauthenticated connection attempt costs the server in CPU, measured on a real server
// process on loopback: the server's CPU time (/proc) over N attempts of each kind, divided by N.
// Kinds: upgrade and leave; a hello with a wrong secret; a compressed bomb (8 MiB of spaces deflated
// to ~8 KB, sent before hello); and the per-address cap's refusal (429 before the handshake).
// Run after `npm run build`: node bench/preauth.mjs [attempts=300]
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { connect } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { constants, deflateRawSync } from 'node:zlib';
import { procStat, start, waitFor } from './lib/proc.mjs';

const { PROTOCOL_VERSION } = await import(new URL('../dist/shared/protocol.js', import.meta.url).href);

const attempts = Number(process.argv[2] ?? 300);
const CONCURRENCY = 8;
const dir = mkdtempSync(join(tmpdir(), 'outpost-bench-'));
const server = start(['server', '--port', '0', '--data', join(dir, 'server')], { OUTPOST_PREAUTH_PER_ADDRESS: '16' });
process.on('exit', () => {
  server.proc.kill('SIGKILL');
  rmSync(dir, { recursive: true, force: true });
});
const url = new URL((await waitFor(() => server.output().match(/listening on (http:\/\/\S+)/), 10_000, 'server'))[1]);

/** A masked client frame; `compressed` sets RSV1 (permessage-deflate). */
function frame(payload, compressed = false) {
  const mask = randomBytes(4);
  const len = payload.length;
  const head = len < 126 ? Buffer.from([0, len]) : Buffer.from([0, 126, len >> 8, len & 0xff]);
  head[0] = 0x81 | (compressed ? 0x40 : 0);
  head[1] |= 0x80;
  const body = Buffer.from(payload);
  for (let i = 0; i < body.length; i++) body[i] ^= mask[i % 4];
  return Buffer.concat([head, mask, body]);
}

const hello = frame(
  Buffer.from(
    JSON.stringify({
      type: 'hello',
      protocol: PROTOCOL_VERSION,
      agentVersion: 'bench',
      deviceId: 'no-such-device',
      secret: 'x'.repeat(43),
      hints: { installId: 'bench-install-01', hostname: 'bench', macs: [] },
    }),
  ),
);
// As ws itself sends it: a sync-flushed raw deflate stream without its 4-byte tail.
const bombPayload = deflateRawSync(Buffer.alloc(8 * 1024 * 1024, 0x20), { finishFlush: constants.Z_SYNC_FLUSH }).subarray(0, -4);
const bomb = frame(bombPayload, true);

/** One attempt: upgrade (with deflate offered), then `send`; resolves when the server closed it or answered. */
function attempt(send, localAddress = '127.0.0.1') {
  return new Promise((resolve) => {
    const socket = connect({ host: url.hostname, port: Number(url.port), localAddress });
    let upgraded = false;
    socket.on('error', () => resolve());
    socket.on('close', () => resolve());
    socket.once('connect', () =>
      socket.write(
        `GET /agent HTTP/1.1\r\nHost: ${url.host}\r\nUpgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Version: 13\r\n` +
          `Sec-WebSocket-Key: ${randomBytes(16).toString('base64')}\r\nSec-WebSocket-Extensions: permessage-deflate\r\n\r\n`,
      ),
    );
    socket.on('data', (chunk) => {
      if (upgraded) return;
      upgraded = true;
      if (!chunk.toString('latin1').startsWith('HTTP/1.1 101') || !send) return socket.destroy();
      socket.write(send);
      // The server answers with a close frame; the client is a stranger and does not answer it.
      socket.once('data', () => socket.destroy());
    });
  });
}

async function measure(label, run) {
  const before = procStat(server.proc.pid).cpuSeconds;
  const started = Date.now();
  let next = 0;
  await Promise.all(
    Array.from({ length: CONCURRENCY }, async () => {
      while (next++ < attempts) await run();
    }),
  );
  const cpu = procStat(server.proc.pid).cpuSeconds - before;
  console.log(
    `${label}: ${((cpu / attempts) * 1e6).toFixed(0)} µs server CPU per attempt (${attempts} attempts, ${CONCURRENCY} at a time, ${Date.now() - started} ms wall)`,
  );
  return cpu / attempts;
}

await measure('warm-up', () => attempt(hello));
await measure('upgrade, then close', () => attempt(null));
await measure('hello with a wrong secret (E_AUTH, 4001)', () => attempt(hello));
await measure('compressed bomb before hello (8 MiB inflated, 1009)', () => attempt(bomb));
// Past the cap: hold 16 idle upgrades from one address, then count the refused attempts' cost.
const holders = Array.from({ length: 16 }, () => connect({ host: url.hostname, port: Number(url.port), localAddress: '127.0.3.1' }));
for (const h of holders) {
  h.on('error', () => undefined);
  h.once('connect', () =>
    h.write(
      `GET /agent HTTP/1.1\r\nHost: ${url.host}\r\nUpgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Version: 13\r\nSec-WebSocket-Key: ${randomBytes(16).toString('base64')}\r\n\r\n`,
    ),
  );
}
await new Promise((r) => setTimeout(r, 300));
await measure('refused at the per-address cap (429)', () => attempt(hello, '127.0.3.1'));
for (const h of holders) h.destroy();
process.exit(0);

// A WebSocket client at the byte level, for playing a hostile peer: it upgrades and then writes
// frames (or parts of frames) exactly as the test says, from a chosen loopback source address.
import { randomBytes } from 'node:crypto';
import { connect, type Socket } from 'node:net';

export interface RawPeer {
  socket: Socket;
  /** The upgrade answer's status: 101 when admitted. */
  status: number;
  /** The server's close code, or null when it cut the TCP connection without one. */
  closed: Promise<{ code: number | null; afterMs: number }>;
  /** Writes raw bytes. */
  write(bytes: Buffer): void;
}

/** One masked client frame (text by default). */
export function frame(payload: Buffer | string, opcode = 0x1): Buffer {
  const data = typeof payload === 'string' ? Buffer.from(payload) : payload;
  const mask = randomBytes(4);
  const len = data.length;
  const head = len < 126 ? Buffer.from([0x80 | opcode, 0x80 | len]) : len < 65536 ? Buffer.alloc(4) : Buffer.alloc(10);
  if (len >= 126 && len < 65536) {
    head[0] = 0x80 | opcode;
    head[1] = 0x80 | 126;
    head.writeUInt16BE(len, 2);
  } else if (len >= 65536) {
    head[0] = 0x80 | opcode;
    head[1] = 0x80 | 127;
    head.writeBigUInt64BE(BigInt(len), 2);
  }
  const masked = Buffer.from(data);
  for (let i = 0; i < masked.length; i++) masked[i] = masked[i]! ^ mask[i % 4]!;
  return Buffer.concat([head, mask, masked]);
}

/** Upgrades to /agent from `localAddress`; resolves once the server has answered the upgrade. */
export async function rawPeer(url: string, localAddress = '127.0.0.1'): Promise<RawPeer> {
  const { hostname, port } = new URL(url);
  const socket = connect({ host: hostname, port: Number(port), localAddress });
  socket.on('error', () => undefined);
  const started = Date.now();
  let buffered = Buffer.alloc(0);
  let closeCode: number | null = null;
  const status = await new Promise<number>((resolve, reject) => {
    socket.once('connect', () =>
      socket.write(
        `GET /agent HTTP/1.1\r\nHost: ${hostname}:${port}\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n` +
          `Sec-WebSocket-Key: ${randomBytes(16).toString('base64')}\r\nSec-WebSocket-Version: 13\r\n\r\n`,
      ),
    );
    socket.on('data', (chunk: Buffer) => {
      buffered = Buffer.concat([buffered, chunk]);
      const end = buffered.indexOf('\r\n\r\n');
      if (end < 0) return;
      socket.removeAllListeners('data');
      const match = /^HTTP\/1\.1 (\d{3})/.exec(buffered.subarray(0, end).toString());
      buffered = buffered.subarray(end + 4);
      socket.on('data', (more: Buffer) => (buffered = Buffer.concat([buffered, more])));
      resolve(match ? Number(match[1]) : 0);
    });
    socket.once('close', () => reject(new Error('closed before the upgrade was answered')));
  });
  const closed = new Promise<{ code: number | null; afterMs: number }>((resolve) => {
    socket.once('close', () => {
      closeCode = closeCodeIn(buffered);
      resolve({ code: closeCode, afterMs: Date.now() - started });
    });
  });
  return { socket, status, closed, write: (bytes) => socket.write(bytes) };
}

/** The code of the first close frame the server sent (server frames are unmasked). */
function closeCodeIn(bytes: Buffer): number | null {
  let at = 0;
  while (at + 2 <= bytes.length) {
    const opcode = bytes[at]! & 0x0f;
    let len = bytes[at + 1]! & 0x7f;
    let start = at + 2;
    if (len === 126) {
      len = bytes.readUInt16BE(at + 2);
      start = at + 4;
    } else if (len === 127) {
      len = Number(bytes.readBigUInt64BE(at + 2));
      start = at + 10;
    }
    if (opcode === 0x8) return len >= 2 ? bytes.readUInt16BE(start) : null;
    at = start + len;
  }
  return null;
}

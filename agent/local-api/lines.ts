// Newline-delimited JSON framing for the local API, with a hard cap on line length so a client
// that never sends a newline cannot make the other side buffer without limit.
import type { Socket } from 'node:net';

export function onLines(
  socket: Socket,
  maxBytes: number,
  onLine: (line: string) => void,
  onOverflow: () => void,
): void {
  let buffered = '';
  socket.setEncoding('utf8');
  socket.on('data', (chunk: string) => {
    buffered += chunk;
    let nl: number;
    while ((nl = buffered.indexOf('\n')) >= 0) {
      const line = buffered.slice(0, nl);
      buffered = buffered.slice(nl + 1);
      if (line.trim()) onLine(line);
    }
    if (Buffer.byteLength(buffered) > maxBytes) {
      buffered = '';
      onOverflow();
    }
  });
}

export function writeLine(socket: Socket, value: unknown): void {
  if (!socket.destroyed) socket.write(`${JSON.stringify(value)}\n`);
}

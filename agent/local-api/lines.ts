// Newline-delimited JSON framing for the local API, with a hard cap on line length so a client
// that never sends a newline cannot make the other side buffer without limit.
//
// Memory: a request line may be 48 MB (a ticket with all its files). Each chunk is decoded once and
// kept in a list; the line is joined once when its newline arrives. A line costs its decoded parts
// plus the joined string (about 2x its size) for an instant, then the parts are dropped. Appending
// to one growing string and searching it after every chunk would copy it over and over instead.
import type { Socket } from 'node:net';
import { StringDecoder } from 'node:string_decoder';

const NEWLINE = 0x0a;

export interface LineReader {
  /** Feeds raw bytes; calls onLine for each complete line. */
  push(chunk: Buffer): void;
}

/**
 * Splits a byte stream into UTF-8 lines. A 0x0a byte never occurs inside a multi-byte UTF-8
 * sequence, so splitting the bytes at it is safe; the decoder carries a character split across chunks.
 * After an overflow the reader discards everything: the caller ends the connection.
 */
export function lineReader(
  maxBytes: number | (() => number),
  onLine: (line: string) => void,
  onOverflow: (limit: number) => void,
): LineReader {
  // A function: the limit may grow once a line has been read (the local API's, after a valid token).
  const limit = typeof maxBytes === 'number' ? () => maxBytes : maxBytes;
  const decoder = new StringDecoder('utf8');
  let parts: string[] = [];
  let bytes = 0;
  let overflowed = false;
  return {
    push(chunk) {
      let start = 0;
      while (!overflowed && start < chunk.length) {
        const nl = chunk.indexOf(NEWLINE, start);
        const end = nl < 0 ? chunk.length : nl;
        bytes += end - start;
        const max = limit();
        if (bytes > max) {
          overflowed = true;
          parts = [];
          onOverflow(max);
          return;
        }
        if (end > start) parts.push(decoder.write(chunk.subarray(start, end)));
        if (nl < 0) return;
        parts.push(decoder.end());
        const line = parts.length === 1 ? parts[0]! : parts.join('');
        parts = [];
        bytes = 0;
        start = nl + 1;
        if (line.trim()) onLine(line);
      }
    },
  };
}

export function onLines(
  socket: Socket,
  maxBytes: number | (() => number),
  onLine: (line: string) => void,
  onOverflow: (limit: number) => void,
): void {
  const reader = lineReader(maxBytes, onLine, onOverflow);
  socket.on('data', (chunk: Buffer) => reader.push(chunk));
}

export function writeLine(socket: Socket, value: unknown): void {
  if (!socket.destroyed && socket.writable) socket.write(`${JSON.stringify(value)}\n`);
}

// pino on stderr, so stdout stays for what a person or a script asked for. Secret-bearing fields
// are redacted wherever they appear, as a second line of defence behind "never log secrets".
import pino from 'pino';
import type { Logger } from './log.js';

const LEVELS = ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'] as const;

export function createLogger(level = process.env.OUTPOST_LOG_LEVEL ?? 'info'): Logger {
  return pino(
    {
      level: (LEVELS as readonly string[]).includes(level) ? level : 'info',
      base: undefined,
      redact: {
        paths: ['secret', 'token', 'adminToken', 'password', 'authorization', '*.secret', '*.token', '*.authorization'],
        censor: '[redacted]',
      },
    },
    pino.destination({ fd: 2, sync: false }),
  );
}

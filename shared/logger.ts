// pino on stderr, so stdout stays for what a person or a script asked for. Secret-bearing fields
// are redacted wherever they appear, as a second line of defence behind "never log secrets".
import pino from 'pino';
import { REDACTED_PATHS, REDACTION_CENSOR, type Logger } from './log.js';

const LEVELS = ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'] as const;

/** `destination` is for tests, which read the lines; the CLI's parts write to stderr. */
export function createLogger(level = process.env.OUTPOST_LOG_LEVEL ?? 'info', destination?: pino.DestinationStream): Logger {
  return pino(
    {
      level: (LEVELS as readonly string[]).includes(level) ? level : 'info',
      base: undefined,
      redact: { paths: [...REDACTED_PATHS], censor: REDACTION_CENSOR },
    },
    destination ?? pino.destination({ fd: 2, sync: false }),
  );
}

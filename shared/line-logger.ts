// A JSON-lines logger on stderr for the agent process, which idles on endpoints and logs a few lines
// an hour: the same line shape as pino (level number, time, bindings, fields, msg) and the same
// redaction (REDACTED_PATHS, which shared/logger.ts gives pino), without pino's modules in memory
// (README, Numbers: agent idle RSS). Log readers of the agent's lines see no difference.
import { REDACTED_PATHS, REDACTION_CENSOR, type Logger } from './log.js';

const LEVEL_NUMBERS = { trace: 10, debug: 20, info: 30, warn: 40, error: 50, fatal: 60, silent: Infinity } as const;
type LevelName = keyof typeof LEVEL_NUMBERS;

const TOP_LEVEL = new Set<string>(REDACTED_PATHS.filter((p) => !p.startsWith('*.')));
const ONE_DOWN = new Set<string>(REDACTED_PATHS.filter((p) => p.startsWith('*.')).map((p) => p.slice(2)));

export type LineSink = (line: string) => void;

const stderrSink: LineSink = (line) => void process.stderr.write(line);

export function createLineLogger(level = process.env.OUTPOST_LOG_LEVEL ?? 'info', sink: LineSink = stderrSink): Logger {
  const min = level in LEVEL_NUMBERS ? LEVEL_NUMBERS[level as LevelName] : LEVEL_NUMBERS.info;
  return lineLogger(min, {}, sink);
}

function lineLogger(min: number, bindings: Record<string, unknown>, sink: LineSink): Logger {
  const at = (n: number) => (obj: object, msg?: string) => {
    if (n < min) return;
    sink(`${line({ level: n, time: Date.now(), ...bindings, ...redacted(obj), ...(msg === undefined ? {} : { msg }) })}\n`);
  };
  return {
    debug: at(LEVEL_NUMBERS.debug),
    info: at(LEVEL_NUMBERS.info),
    warn: at(LEVEL_NUMBERS.warn),
    error: at(LEVEL_NUMBERS.error),
    child: (more) => lineLogger(min, { ...bindings, ...redacted(more) }, sink),
  };
}

function redacted(fields: object): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(fields)) {
    if (TOP_LEVEL.has(key)) out[key] = REDACTION_CENSOR;
    else if (value instanceof Error) out[key] = serialisedError(value);
    else if (value !== null && typeof value === 'object' && !Array.isArray(value))
      out[key] = censoredOneDown(value as Record<string, unknown>);
    else out[key] = value;
  }
  return out;
}

function censoredOneDown(value: Record<string, unknown>): Record<string, unknown> {
  if (!Object.keys(value).some((k) => ONE_DOWN.has(k))) return value;
  return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, ONE_DOWN.has(k) ? REDACTION_CENSOR : v]));
}

/** As pino's `err` serializer: type, message and stack, each with its causes, and the error's own fields (a code). */
function serialisedError(err: Error): Record<string, unknown> {
  const own = redacted(Object.fromEntries(Object.entries(err).filter(([k]) => k !== 'cause')));
  return {
    type: err.constructor.name,
    message: withCauses(err, (e) => e.message, ': '),
    stack: withCauses(err, (e) => e.stack, '\ncaused by: '),
    ...own,
  };
}

function withCauses(err: Error, part: (e: Error) => string | undefined, joiner: string): string | undefined {
  const cause = err.cause instanceof Error ? withCauses(err.cause, part, joiner) : undefined;
  return cause === undefined ? part(err) : `${part(err)}${joiner}${cause}`;
}

/** A log line never throws: a field that cannot be serialised (a cycle) is named instead. */
function line(record: Record<string, unknown>): string {
  try {
    return JSON.stringify(record, (_key, v: unknown) => (typeof v === 'bigint' ? v.toString() : v));
  } catch (err) {
    return JSON.stringify({ level: record.level, time: record.time, msg: record.msg, logError: (err as Error).message });
  }
}

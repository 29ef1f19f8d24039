// The logger shape every long-lived part takes. The CLI gives them pino (the agent a lighter
// JSON-lines logger of the same shape, shared/line-logger.ts); tests give them a recording fake.
// Secrets never go into log fields: pass ids, never tokens.
export interface Logger {
  debug(obj: object, msg?: string): void;
  info(obj: object, msg?: string): void;
  warn(obj: object, msg?: string): void;
  error(obj: object, msg?: string): void;
  child(bindings: Record<string, unknown>): Logger;
}

export const silentLogger: Logger = {
  debug: () => undefined,
  info: () => undefined,
  warn: () => undefined,
  error: () => undefined,
  child: () => silentLogger,
};

/**
 * The fields both loggers censor, as a second line of defence: a name alone is a top-level field
 * (or a child binding), `*.name` that field inside any top-level object (pino's redact paths).
 */
export const REDACTED_PATHS = [
  'secret',
  'token',
  'adminToken',
  'password',
  'authorization',
  '*.secret',
  '*.token',
  '*.authorization',
] as const;
export const REDACTION_CENSOR = '[redacted]';

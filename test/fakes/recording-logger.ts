// A Logger that keeps every entry, so tests can assert what was logged and what never was (secrets).
import type { Logger } from '../../shared/log.js';

export interface LogEntry {
  level: 'debug' | 'info' | 'warn' | 'error';
  msg: string | undefined;
  fields: Record<string, unknown>;
}

export class RecordingLogger implements Logger {
  constructor(
    readonly entries: LogEntry[] = [],
    private readonly bindings: Record<string, unknown> = {},
  ) {}

  debug(obj: object, msg?: string): void {
    this.push('debug', obj, msg);
  }
  info(obj: object, msg?: string): void {
    this.push('info', obj, msg);
  }
  warn(obj: object, msg?: string): void {
    this.push('warn', obj, msg);
  }
  error(obj: object, msg?: string): void {
    this.push('error', obj, msg);
  }
  child(bindings: Record<string, unknown>): Logger {
    return new RecordingLogger(this.entries, { ...this.bindings, ...bindings });
  }

  /** Entries whose fields include `code`. */
  withCode(code: string): LogEntry[] {
    return this.entries.filter((e) => e.fields.code === code);
  }

  /** Everything logged, as one string: for "the secret never appears" checks. */
  text(): string {
    return this.entries.map((e) => JSON.stringify(e)).join('\n');
  }

  private push(level: LogEntry['level'], obj: object, msg?: string): void {
    this.entries.push({ level, msg, fields: { ...this.bindings, ...(obj as Record<string, unknown>) } });
  }
}

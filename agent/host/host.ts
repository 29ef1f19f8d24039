// Everything the agent's collectors and triggers touch on the OS goes through Host, so the logic
// runs under plain Node in tests with the shared fake (test/fakes/host.ts).

export interface ExecOptions {
  /** Killed after this long; the promise rejects with code 'ETIMEDOUT'. Default 30 s. */
  timeoutMs?: number;
  /** Output larger than this rejects with code 'EMAXBUFFER'. Default 64 MiB. */
  maxBytes?: number;
  /** Windows tools such as reg.exe and PowerShell may print UTF-16LE. Default utf8. */
  encoding?: 'utf8' | 'utf16le';
  env?: Record<string, string>;
}

export interface ExecResult {
  stdout: string;
  stderr: string;
  /** Exit code; tools such as `reg query` exit non-zero for a missing key, which is data, not failure. */
  code: number;
}

export interface Host {
  readonly platform: NodeJS.Platform;
  /** Runs a program without a shell. Rejects with code 'ENOENT' when the program is not installed. */
  exec(file: string, args: readonly string[], options?: ExecOptions): Promise<ExecResult>;
  /** Reads a file; rejects with code 'ENOENT' when it is missing. */
  readFile(path: string, encoding?: 'utf8' | 'latin1'): Promise<string>;
  readdir(path: string): Promise<string[]>;
  /** Modification time in ms, or undefined when the path does not exist. */
  mtimeMs(path: string): Promise<number | undefined>;
  hostname(): string;
  env(name: string): string | undefined;
}

/** True when an error means "this tool or file is not on this machine". */
export function isMissing(err: unknown): boolean {
  const code = (err as { code?: unknown } | null)?.code;
  return code === 'ENOENT' || code === 'ENOTDIR';
}

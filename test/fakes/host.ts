// The one fake of agent/host/host.ts used by every test: commands and files are declared up front;
// anything not declared behaves as missing from the machine (ENOENT).
import type { ExecOptions, ExecResult, Host } from '../../agent/host/host.js';

type CommandOutcome = ExecResult | { error: 'ENOENT' | 'ETIMEDOUT' } | ((args: readonly string[]) => ExecResult);

export class FakeHost implements Host {
  readonly calls: { file: string; args: readonly string[]; options?: ExecOptions }[] = [];
  private readonly commands = new Map<string, CommandOutcome>();
  private readonly files = new Map<string, string>();
  private readonly mtimes = new Map<string, number>();
  private readonly envs = new Map<string, string>();

  constructor(
    readonly platform: NodeJS.Platform = 'linux',
    private name = 'fake-host',
  ) {}

  /** Declares a command's output. The key is the program, or "program arg1 arg2" for one exact call. */
  command(key: string, outcome: CommandOutcome | string): this {
    this.commands.set(key, typeof outcome === 'string' ? { stdout: outcome, stderr: '', code: 0 } : outcome);
    return this;
  }

  file(path: string, content: string, mtimeMs = 1): this {
    this.files.set(path, content);
    this.mtimes.set(path, mtimeMs);
    return this;
  }

  dir(path: string, mtimeMs = 1): this {
    this.mtimes.set(path, mtimeMs);
    return this;
  }

  setEnv(name: string, value: string): this {
    this.envs.set(name, value);
    return this;
  }

  rename(hostname: string): void {
    this.name = hostname;
  }

  async exec(file: string, args: readonly string[], options?: ExecOptions): Promise<ExecResult> {
    this.calls.push({ file, args, ...(options ? { options } : {}) });
    const outcome = this.commands.get([file, ...args].join(' ')) ?? this.commands.get(file);
    if (outcome === undefined) throw Object.assign(new Error(`spawn ${file} ENOENT`), { code: 'ENOENT' });
    if (typeof outcome === 'function') return outcome(args);
    if ('error' in outcome) throw Object.assign(new Error(`${file}: ${outcome.error}`), { code: outcome.error });
    return outcome;
  }

  async readFile(path: string): Promise<string> {
    const content = this.files.get(path);
    if (content === undefined) throw Object.assign(new Error(`ENOENT: ${path}`), { code: 'ENOENT' });
    return content;
  }

  async readdir(path: string): Promise<string[]> {
    const prefix = path.endsWith('/') ? path : `${path}/`;
    const names = new Set<string>();
    for (const p of [...this.files.keys(), ...this.mtimes.keys()]) {
      if (p.startsWith(prefix)) names.add(p.slice(prefix.length).split('/')[0]!);
    }
    if (names.size === 0) throw Object.assign(new Error(`ENOENT: ${path}`), { code: 'ENOENT' });
    return [...names].sort();
  }

  async mtimeMs(path: string): Promise<number | undefined> {
    return this.mtimes.get(path);
  }

  hostname(): string {
    return this.name;
  }

  env(name: string): string | undefined {
    return this.envs.get(name);
  }
}

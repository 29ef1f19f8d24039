// Runs a systemd service's ExecStart the way systemd would on this machine, which has no running
// systemd: its Environment= lines over a minimal environment, its StateDirectory= created first.
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdirSync, readFileSync } from 'node:fs';
import { after } from 'node:test';

export interface UnitService {
  execStart: string[];
  env: Record<string, string>;
  stateDirectory?: string;
  stateDirectoryMode?: number;
}

/** The [Service] keys this test needs, from a unit file without quoting or line continuations. */
export function readUnitService(path: string): UnitService {
  const lines = readFileSync(path, 'utf8').split('\n');
  const start = lines.indexOf('[Service]');
  const section = lines.slice(
    start + 1,
    lines.findIndex((l, i) => i > start && l.startsWith('[')),
  );
  const values = (key: string) => section.filter((l) => l.startsWith(`${key}=`)).map((l) => l.slice(key.length + 1).trim());
  const [execStart] = values('ExecStart');
  if (!execStart) throw new Error(`${path} has no ExecStart`);
  const env = Object.fromEntries(values('Environment').map((e) => [e.slice(0, e.indexOf('=')), e.slice(e.indexOf('=') + 1)]));
  const [stateDirectory] = values('StateDirectory');
  const [mode] = values('StateDirectoryMode');
  return {
    execStart: execStart.split(/\s+/),
    env,
    ...(stateDirectory ? { stateDirectory } : {}),
    ...(mode ? { stateDirectoryMode: parseInt(mode, 8) } : {}),
  };
}

const live = new Set<ChildProcess>();
after(() => {
  for (const p of live) p.kill('SIGKILL');
});

export interface ServiceProc {
  proc: ChildProcess;
  output(): string;
  /** SIGTERM and wait, as `systemctl stop` does. */
  stop(): Promise<void>;
}

export function startAsUnit(unit: UnitService): ServiceProc {
  const env: Record<string, string> = {
    PATH: '/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin',
    LANG: 'C.UTF-8',
    ...unit.env,
  };
  if (unit.stateDirectory) {
    const dir = `/var/lib/${unit.stateDirectory}`;
    mkdirSync(dir, { recursive: true, mode: unit.stateDirectoryMode ?? 0o755 });
    env.STATE_DIRECTORY = dir;
  }
  const [cmd, ...args] = unit.execStart;
  const proc = spawn(cmd!, args, { env, stdio: ['ignore', 'pipe', 'pipe'], cwd: '/' });
  live.add(proc);
  let out = '';
  proc.stdout.on('data', (d: Buffer) => (out += d.toString()));
  proc.stderr.on('data', (d: Buffer) => (out += d.toString()));
  const exited = new Promise<void>((resolve) =>
    proc.once('exit', () => {
      live.delete(proc);
      resolve();
    }),
  );
  return {
    proc,
    output: () => out,
    stop: async () => {
      proc.kill('SIGTERM');
      await exited;
    },
  };
}

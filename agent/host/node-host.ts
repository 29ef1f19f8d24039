// The real Host over node:child_process and node:fs.
import { execFile } from 'node:child_process';
import { readFile, readdir, stat } from 'node:fs/promises';
import { hostname } from 'node:os';
import type { ExecOptions, ExecResult, Host } from './host.js';

const DEFAULT_TIMEOUT_MS = 30_000;
const DEFAULT_MAX_BYTES = 64 * 1024 * 1024;

export function createNodeHost(): Host {
  return {
    platform: process.platform,
    exec: run,
    readFile: (path, encoding = 'utf8') => readFile(path, encoding),
    readdir: (path) => readdir(path),
    mtimeMs: async (path) => {
      try {
        return (await stat(path)).mtimeMs;
      } catch {
        return undefined;
      }
    },
    hostname: () => hostname(),
    env: (name) => process.env[name],
  };
}

function run(file: string, args: readonly string[], options: ExecOptions = {}): Promise<ExecResult> {
  const timeout = options.timeoutMs ?? DEFAULT_TIMEOUT_MS;
  return new Promise((resolve, reject) => {
    const child = execFile(
      file,
      args,
      {
        encoding: 'buffer',
        timeout,
        killSignal: 'SIGKILL',
        maxBuffer: options.maxBytes ?? DEFAULT_MAX_BYTES,
        windowsHide: true,
        env: { ...process.env, LC_ALL: 'C.UTF-8', LANG: 'C.UTF-8', ...options.env },
      },
      (error, stdout, stderr) => {
        const decode = (b: Buffer) => b.toString(options.encoding ?? 'utf8');
        if (error) {
          const e = error as NodeJS.ErrnoException & { killed?: boolean; code?: unknown };
          if (e.code === 'ENOENT') return reject(e);
          if (e.killed) return reject(Object.assign(new Error(`${file} timed out after ${timeout} ms`), { code: 'ETIMEDOUT' }));
          if (e.code === 'ERR_CHILD_PROCESS_STDIO_MAXBUFFER')
            return reject(Object.assign(new Error(`${file} printed too much`), { code: 'EMAXBUFFER' }));
          if (typeof e.code === 'number') return resolve({ stdout: decode(stdout), stderr: decode(stderr), code: e.code });
          return reject(e);
        }
        resolve({ stdout: decode(stdout), stderr: decode(stderr), code: 0 });
      },
    );
    // Tools such as wmic wait on stdin until they time out unless it is closed.
    child.stdin?.end();
  });
}

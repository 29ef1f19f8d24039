// The real SpawnWatch: node:child_process at below-normal priority, stdout read line by line.
import { spawn } from 'node:child_process';
import { constants, setPriority } from 'node:os';
import { createInterface } from 'node:readline';
import type { SpawnWatch, WatchChild } from './child-watcher.js';

export const spawnWatch: SpawnWatch = (cmd) => {
  const child = spawn(cmd.file, [...cmd.args], { stdio: ['pipe', 'pipe', 'pipe'], windowsHide: true });
  let exitFn: (reason: string) => void = () => undefined;
  let exited = false;
  const exit = (reason: string) => {
    if (exited) return;
    exited = true;
    exitFn(reason);
  };
  child.on('error', (err: NodeJS.ErrnoException) => exit(`${err.code ?? 'error'}: ${err.message}`));
  child.on('exit', (code, signal) => exit(signal ? `signal ${signal}` : `exit code ${code}`));
  // A write to a child that died early must not become an uncaught 'error'.
  child.stdin.on('error', () => undefined);
  if (cmd.stdin !== undefined) child.stdin.write(cmd.stdin);
  if (child.pid !== undefined) {
    try {
      // Windows: BELOW_NORMAL_PRIORITY_CLASS; Unix: nice 10. The watcher must never compete with the user.
      setPriority(child.pid, constants.priority.PRIORITY_BELOW_NORMAL);
    } catch {
      // Not fatal: the child only sleeps on OS notifications anyway.
    }
  }
  const lines = createInterface({ input: child.stdout, crlfDelay: Infinity });
  const errLines = createInterface({ input: child.stderr, crlfDelay: Infinity });
  const handle: WatchChild = {
    onLine: (fn) => void lines.on('line', fn),
    onStderr: (fn) => void errLines.on('line', fn),
    onExit: (fn) => {
      exitFn = fn;
    },
    kill: () => {
      if (!exited && child.exitCode === null) child.kill();
    },
  };
  return handle;
};

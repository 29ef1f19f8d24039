// The real `outpost` CLI in a child process (TypeScript through tsx), for the command tests.
import { spawn } from 'node:child_process';

/** cli/main.ts: the CLI's entry, run through tsx. */
export const CLI_ENTRY = new URL('../../cli/main.ts', import.meta.url).pathname;

export interface CliRun {
  code: number | null;
  stdout: string;
  stderr: string;
}

/** Runs `outpost ...args` with `stdin` written to it (then closed); OUTPOST_DATA_DIR cleared so flags decide. */
export function runCli(args: string[], stdin = ''): Promise<CliRun> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['--import', 'tsx', CLI_ENTRY, ...args], { env: { ...process.env, OUTPOST_DATA_DIR: '' } });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    child.on('error', reject);
    child.on('close', (code) => resolve({ code, stdout, stderr }));
    child.stdin.end(stdin);
  });
}

// Runs a package's installer through the Host with a time limit and keeps the end of its output.
import type { CommandPackage } from '../../shared/deploy.js';
import { DEPLOY_LIMITS } from '../../shared/deploy.js';
import type { ErrorCode } from '../../shared/errors.js';
import { isMissing, type Host } from '../host/host.js';
import { exitMeaning, installCommand, type LinuxTools } from './installers.js';

export type InstallResult =
  | { ok: true; rebootRequired: boolean; exitCode: number; outputTail: string; note?: string }
  | { ok: false; transient: boolean; code: ErrorCode; message: string; exitCode?: number; outputTail?: string };

/** Installer output read at most (the tail is what is kept). */
const MAX_OUTPUT_BYTES = 16 * 1024 * 1024;

export function tail(text: string, chars: number = DEPLOY_LIMITS.outputTailChars): string {
  return text.length <= chars ? text : text.slice(text.length - chars);
}

/** Which of the Linux package tools this machine has (apt-get resolves a .deb's dependencies). */
export async function linuxTools(host: Host): Promise<LinuxTools> {
  const has = async (file: string) =>
    host.exec(file, ['--version'], { timeoutMs: 10_000 }).then(
      () => true,
      () => false,
    );
  return host.platform === 'linux' ? { aptGet: await has('apt-get'), dnf: await has('dnf') } : { aptGet: false, dnf: false };
}

export async function runInstaller(host: Host, pkg: CommandPackage, file: string | null, tools: LinuxTools): Promise<InstallResult> {
  const cmd = installCommand(pkg, file, tools);
  let result;
  try {
    result = await host.exec(cmd.file, cmd.args, {
      timeoutMs: pkg.timeoutSeconds * 1000,
      maxBytes: MAX_OUTPUT_BYTES,
      ...(cmd.env ? { env: cmd.env } : {}),
    });
  } catch (err) {
    const code = (err as { code?: unknown }).code;
    if (isMissing(err))
      return { ok: false, transient: false, code: 'E_DEPLOY_NO_INSTALLER', message: `${cmd.file} is not on this machine.` };
    if (code === 'ETIMEDOUT') {
      return {
        ok: false,
        transient: false,
        code: 'E_DEPLOY_TIMEOUT',
        message: `${cmd.file} ran past ${pkg.timeoutSeconds} s and was stopped.`,
      };
    }
    return {
      ok: false,
      transient: false,
      code: 'E_DEPLOY_INSTALL',
      message: `${cmd.file} failed: ${(err as Error).message}`.slice(0, 500),
    };
  }
  const outputTail = tail(`${result.stdout}${result.stderr ? `\n${result.stderr}` : ''}`.trim());
  const meaning = exitMeaning(pkg.installer, result.code, outputTail);
  if (meaning.outcome === 'succeeded') {
    return {
      ok: true,
      rebootRequired: meaning.rebootRequired,
      exitCode: result.code,
      outputTail,
      ...(meaning.note ? { note: meaning.note } : {}),
    };
  }
  return { ok: false, transient: meaning.transient, code: 'E_DEPLOY_INSTALL', message: meaning.reason, exitCode: result.code, outputTail };
}

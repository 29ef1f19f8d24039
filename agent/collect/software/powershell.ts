// Windows tools the software collectors run, by absolute path (a service must not depend on PATH),
// and the one way they run Windows PowerShell: UTF-8 output whatever the console code page.
import type { ExecOptions, ExecResult, Host } from '../../host/host.js';

/** `%SystemRoot%\System32\<relative>`; C:\Windows when the variable is not set. */
export function system32(host: Host, relative: string): string {
  const root = host.env('SystemRoot') ?? host.env('SYSTEMROOT') ?? 'C:\\Windows';
  return `${root.replace(/\\+$/, '')}\\System32\\${relative}`;
}

export const powershellPath = (host: Host) => system32(host, 'WindowsPowerShell\\v1.0\\powershell.exe');

// Console programs write to a pipe in the console's code page, so "Компания" from reg.exe would reach
// us as CP866 bytes, and characters outside that code page as "?". Setting the console's output
// encoding to UTF-8 first makes PowerShell, and the programs it starts, write UTF-8.
const PRELUDE = [
  "$ErrorActionPreference = 'Continue'",
  "$ProgressPreference = 'SilentlyContinue'",
  '[Console]::OutputEncoding = New-Object System.Text.UTF8Encoding $false',
].join('\n');

/**
 * Runs a script in Windows PowerShell 5.1 and returns its UTF-8 output. The script travels base64-
 * encoded (-EncodedCommand), so no quoting rule of any shell applies to it. -InputFormat None stops
 * PowerShell waiting on the stdin pipe Node leaves open. Rejects with code ENOENT when PowerShell is absent.
 */
export function runPowerShell(host: Host, script: string, options: ExecOptions = {}): Promise<ExecResult> {
  const encoded = Buffer.from(`${PRELUDE}\n${script}`, 'utf16le').toString('base64');
  return host.exec(powershellPath(host), ['-NoLogo', '-NoProfile', '-NonInteractive', '-InputFormat', 'None', '-EncodedCommand', encoded], {
    ...options,
    encoding: 'utf8',
  });
}

/** The script of a runPowerShell call, for tests and logs. */
export function decodePowerShellArgs(args: readonly string[]): string | undefined {
  const i = args.indexOf('-EncodedCommand');
  const encoded = i === -1 ? undefined : args[i + 1];
  return encoded === undefined ? undefined : Buffer.from(encoded, 'base64').toString('utf16le');
}

/** A PowerShell single-quoted string literal (PowerShell also takes the typographic quotes as quotes). */
export function psQuote(text: string): string {
  return `'${text.replace(/['\u2018\u2019\u201a\u201b]/g, (q) => q + q)}'`;
}

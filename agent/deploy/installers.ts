// How each platform's installer is called for a package, and what its exit code means. Pure: the
// runner (install.ts) executes what this builds through the Host, so tests check the exact command
// lines for Windows and macOS on any machine.
import type { CommandPackage, Installer } from '../../shared/deploy.js';

export interface InstallCommand {
  file: string;
  args: string[];
  env?: Record<string, string>;
}

/** What an exit code means: done (maybe needing a restart), a failure worth another attempt, or final. */
export type ExitMeaning =
  { outcome: 'succeeded'; rebootRequired: boolean; note?: string } | { outcome: 'failed'; transient: boolean; reason: string };

/** The file name the downloaded installer is saved under (apt-get and msiexec go by the extension). */
export function localFileName(pkg: CommandPackage): string {
  return `${pkg.file?.sha256 ?? pkg.id}.${pkg.installer}`;
}

/** Programs on this machine the Linux choices depend on. */
export interface LinuxTools {
  aptGet: boolean;
  dnf: boolean;
}

const APT_ENV = { DEBIAN_FRONTEND: 'noninteractive' };
/** apt waits this long for another package manager's lock instead of failing at once. */
const APT_LOCK_WAIT = ['-o', 'DPkg::Lock::Timeout=300'];

/** The command that installs `pkg`; `file` is the downloaded installer's absolute path (file installers). */
export function installCommand(pkg: CommandPackage, file: string | null, tools: LinuxTools): InstallCommand {
  const extra = pkg.args;
  const need = (): string => {
    if (file === null) throw new Error(`a ${pkg.installer} package needs its downloaded file`);
    return file;
  };
  const manager = (): string => {
    if (pkg.managerPackage === null) throw new Error(`a ${pkg.installer} package needs its package name`);
    return pkg.managerPackage;
  };
  switch (pkg.installer) {
    case 'deb':
      // apt-get resolves the package's dependencies; dpkg alone is the fallback without apt.
      return tools.aptGet
        ? { file: 'apt-get', args: ['install', '-y', ...APT_LOCK_WAIT, ...extra, need()], env: APT_ENV }
        : { file: 'dpkg', args: ['-i', ...extra, need()], env: APT_ENV };
    case 'rpm':
      return tools.dnf ? { file: 'dnf', args: ['install', '-y', ...extra, need()] } : { file: 'rpm', args: ['-U', ...extra, need()] };
    case 'apt':
      return { file: 'apt-get', args: ['install', '-y', ...APT_LOCK_WAIT, ...extra, '--', manager()], env: APT_ENV };
    case 'dnf':
      return { file: 'dnf', args: ['install', '-y', ...extra, '--', manager()] };
    case 'msi':
      return { file: 'msiexec.exe', args: ['/i', need(), '/qn', '/norestart', ...extra] };
    case 'winget':
      return {
        file: 'winget.exe',
        args: [
          'install',
          '--id',
          manager(),
          '--exact',
          '--silent',
          '--accept-package-agreements',
          '--accept-source-agreements',
          '--disable-interactivity',
          ...extra,
        ],
      };
    case 'pkg':
      return { file: '/usr/sbin/installer', args: ['-pkg', need(), '-target', '/', ...extra] };
  }
}

// Windows Installer's documented codes (learn.microsoft.com, "MsiExec.exe and InstMsi.exe error messages").
const MSI_REBOOT_REQUIRED = 3010;
const MSI_REBOOT_INITIATED = 1641;
const MSI_ANOTHER_INSTALL = 1618;
const MSI_REASONS: Readonly<Record<number, string>> = {
  1602: 'the installation was cancelled',
  1603: 'a fatal error occurred during installation',
  1618: 'another installation is already in progress',
  1619: 'the installation package could not be opened',
  1620: 'the installation package is not a valid Windows Installer package',
  1625: 'the installation is forbidden by system policy',
  1633: 'the package is not supported on this processor type',
  1638: 'another version of this product is already installed',
};
/** winget: APPINSTALLER_CLI_ERROR_UPDATE_NOT_APPLICABLE / PACKAGE_ALREADY_INSTALLED, as a signed 32-bit exit code. */
const WINGET_ALREADY_INSTALLED = [0x8a15002b | 0, 0x8a150061 | 0];
const WINGET_INSTALLER_BUSY = 0x8a150109 | 0;

/** What the installer's exit code (and, for apt, its output) says happened. */
export function exitMeaning(installer: Installer, code: number, output: string): ExitMeaning {
  if (code === 0) return { outcome: 'succeeded', rebootRequired: false };
  switch (installer) {
    case 'msi':
      if (code === MSI_REBOOT_REQUIRED) return { outcome: 'succeeded', rebootRequired: true };
      if (code === MSI_REBOOT_INITIATED) return { outcome: 'succeeded', rebootRequired: true, note: 'Windows Installer started a restart' };
      return {
        outcome: 'failed',
        transient: code === MSI_ANOTHER_INSTALL,
        reason: `msiexec exited with ${code}: ${MSI_REASONS[code] ?? 'see the Windows Installer log'}`,
      };
    case 'winget':
      if (WINGET_ALREADY_INSTALLED.includes(code))
        return { outcome: 'succeeded', rebootRequired: false, note: 'winget found it installed already' };
      if (code === MSI_REBOOT_REQUIRED) return { outcome: 'succeeded', rebootRequired: true };
      return { outcome: 'failed', transient: code === WINGET_INSTALLER_BUSY, reason: `winget exited with 0x${(code >>> 0).toString(16)}` };
    case 'deb':
    case 'apt':
      // Another package manager holding the lock past apt's wait is worth another attempt later.
      return {
        outcome: 'failed',
        transient: /Could not get lock|dpkg was interrupted|is locked by another process/i.test(output),
        reason: `${installer === 'deb' ? 'apt-get/dpkg' : 'apt-get'} exited with ${code}`,
      };
    case 'pkg':
      return { outcome: 'failed', transient: false, reason: `installer exited with ${code}` };
    case 'rpm':
    case 'dnf':
      return {
        outcome: 'failed',
        transient: /lock|another app is currently holding/i.test(output),
        reason: `${installer === 'rpm' ? 'dnf/rpm' : 'dnf'} exited with ${code}`,
      };
  }
}

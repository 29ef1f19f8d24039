// Writes and removes the local API's token files with the permissions that make them proof of
// identity: users/<account>/token readable only by that account, admin-token only by root.
//
// A user owns their token folder, so they could plant a symlink named `token` in it to make the
// agent (root) write somewhere else. The agent therefore never follows a link there: it unlinks the
// name and creates the file with O_EXCL|O_NOFOLLOW, and the folder itself cannot be swapped because
// its parent (users/) belongs to root.
import { constants } from 'node:fs';
import { chmod, chown, lstat, mkdir, open, readdir, rename, rmdir, unlink, writeFile } from 'node:fs/promises';
import type { Logger } from '../../shared/log.js';
import type { Host } from '../host/host.js';
import { accountDirName, adminTokenPath, userTokenDir, userTokenPath, usersTokenRoot } from './token-paths.js';

export interface TokenFiles {
  /** Lets every account reach its own token under the state directory, and nothing else there. */
  secureStateDir(): Promise<void>;
  writeAdmin(token: string): Promise<void>;
  /**
   * False when the account is not known to the OS (or its name cannot be a folder). `principal` names
   * the account for permissions where a bare name is ambiguous (Windows: DOMAIN\\user); default `account`.
   */
  writeUser(account: string, token: string, principal?: string): Promise<boolean>;
  removeUser(account: string): Promise<void>;
  /** Folder names under users/, left by this or an earlier run. */
  listUsers(): Promise<string[]>;
}

export interface TokenFilesOptions {
  stateDir: string;
  host: Host;
  log: Logger;
}

export function createTokenFiles(opts: TokenFilesOptions): TokenFiles {
  return opts.host.platform === 'win32' ? windowsTokenFiles(opts) : unixTokenFiles(opts);
}

/** uid and gid of an account, through the OS's own lookup (so LDAP and AD accounts work too). */
export async function accountOwner(host: Host, account: string): Promise<{ uid: number; gid: number } | undefined> {
  const out = await host.exec('id', [account], { timeoutMs: 5_000 }).catch(() => undefined);
  const m = out?.code === 0 ? /uid=(\d+).*?gid=(\d+)/.exec(out.stdout) : null;
  return m ? { uid: Number(m[1]), gid: Number(m[2]) } : undefined;
}

export function unixTokenFiles({ stateDir, host, log }: TokenFilesOptions): TokenFiles {
  const root = usersTokenRoot(stateDir, 'linux');
  return {
    async secureStateDir() {
      // 0711: anyone may pass through to the socket and to their own token folder, nobody may list.
      await chmod(stateDir, 0o711);
      await mkdir(root, { recursive: true, mode: 0o711 });
      await chmod(root, 0o711);
    },
    async writeAdmin(token) {
      const path = adminTokenPath(stateDir, 'linux');
      const tmp = `${path}.${process.pid}.tmp`;
      await unlink(tmp).catch(ignoreMissing);
      await writeFile(tmp, `${token}\n`, { mode: 0o600, flag: 'wx' });
      await rename(tmp, path);
    },
    async writeUser(account, token) {
      const dir = userTokenDir(stateDir, account, 'linux');
      const owner = dir === undefined ? undefined : await accountOwner(host, account);
      if (dir === undefined || owner === undefined) return false;
      await mkdir(dir, { mode: 0o700 }).catch((err: NodeJS.ErrnoException) => {
        if (err.code !== 'EEXIST') throw err;
      });
      const st = await lstat(dir);
      if (!st.isDirectory()) throw new Error(`${dir} is not a directory`);
      await chown(dir, owner.uid, owner.gid);
      await chmod(dir, 0o700);
      const file = `${dir}/token`;
      await unlink(file).catch(ignoreMissing);
      const handle = await open(file, constants.O_WRONLY | constants.O_CREAT | constants.O_EXCL | constants.O_NOFOLLOW, 0o600);
      try {
        await handle.writeFile(`${token}\n`);
        await handle.chown(owner.uid, owner.gid);
        await handle.chmod(0o600);
      } finally {
        await handle.close();
      }
      return true;
    },
    async removeUser(account) {
      const file = userTokenPath(stateDir, account, 'linux');
      if (file === undefined) return;
      await unlink(file).catch(ignoreMissing);
      // Only an empty folder goes: whatever else the user put there is theirs, and a recursive
      // delete inside a folder they control could be raced into deleting elsewhere.
      await rmdir(`${root}/${accountDirName(account, 'linux')}`).catch((err: NodeJS.ErrnoException) => {
        if (err.code !== 'ENOENT') log.debug({ account, code: err.code }, 'token folder left in place');
      });
    },
    listUsers: () => listDirs(root),
  };
}

/**
 * Windows: the state folder is closed to everyone but SYSTEM and Administrators (users may only
 * traverse it), and each users\<account> folder additionally grants that account read access.
 * Files inherit their folder's ACL, so a token is never readable by anyone else, even for an instant.
 */
export function windowsTokenFiles({ stateDir, host }: TokenFilesOptions): TokenFiles {
  const root = usersTokenRoot(stateDir, 'win32');
  const admins = ['/grant:r', '*S-1-5-18:(OI)(CI)F', '/grant:r', '*S-1-5-32-544:(OI)(CI)F'];
  const icacls = async (path: string, args: string[]) => {
    const r = await host.exec('icacls', [path, '/inheritance:r', ...admins, ...args], { timeoutMs: 15_000 });
    if (r.code !== 0) throw new Error(`icacls ${path} failed: ${r.stderr.trim() || r.stdout.trim()}`);
  };
  return {
    async secureStateDir() {
      await icacls(stateDir, ['/grant:r', '*S-1-5-32-545:(X)']);
      await mkdir(root, { recursive: true });
      await icacls(root, ['/grant:r', '*S-1-5-32-545:(X)']);
    },
    async writeAdmin(token) {
      await writeFile(adminTokenPath(stateDir, 'win32'), `${token}\r\n`);
    },
    async writeUser(account, token, principal) {
      const dir = userTokenDir(stateDir, account, 'win32');
      if (dir === undefined) return false;
      await mkdir(dir, { recursive: true });
      try {
        // DOMAIN\user: a bare name would resolve to a local account of the same name first.
        await icacls(dir, ['/grant:r', `${principal ?? account}:(OI)(CI)R`]);
      } catch {
        return false; // icacls does not know the account
      }
      await writeFile(`${dir}\\token`, `${token}\r\n`);
      return true;
    },
    async removeUser(account) {
      const dir = userTokenDir(stateDir, account, 'win32');
      if (dir === undefined) return;
      await unlink(`${dir}\\token`).catch(ignoreMissing);
      await rmdir(dir).catch(() => undefined);
    },
    listUsers: () => listDirs(root),
  };
}

async function listDirs(path: string): Promise<string[]> {
  try {
    return (await readdir(path, { withFileTypes: true })).filter((e) => e.isDirectory()).map((e) => e.name);
  } catch (err) {
    ignoreMissing(err as NodeJS.ErrnoException);
    return [];
  }
}

function ignoreMissing(err: NodeJS.ErrnoException): void {
  if (err.code !== 'ENOENT') throw err;
}

// Who is calling the local API. Node cannot ask a Unix socket for its peer's uid, so the agent hands
// out proof instead (like X11's Xauthority cookies): each logged-on user gets a random token in a
// file only they can read, administrators one only root can read. A request carries the token; the
// agent knows which account it gave that token to. Tokens live in memory and are made afresh on
// every start, so a file is never trusted for what it says, only for who could read it.
import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';
import type { Logger } from '../../shared/log.js';
import { accountDirName } from './token-paths.js';
import type { TokenFiles } from './token-files.js';

export interface Caller {
  /** The OS account the call is made for: the requester of a ticket, the owner of a worklog. */
  account: string;
  /** Support staff (root / Administrators): may see and do everything on this machine. */
  admin: boolean;
}

/** A signed-in account; `principal` is how the OS names it for permissions (Windows: DOMAIN\\user). */
export type LoggedOn = string | { account: string; principal?: string };

interface Entry {
  caller: Caller;
  digest: Buffer;
}

export interface CallersOptions {
  files: TokenFiles;
  platform: NodeJS.Platform;
  /** The account administrators act as, e.g. 'root'. */
  adminAccount: string;
  log: Logger;
  newToken?: () => string;
}

export class Callers {
  private admin: Entry | undefined;
  /** Folder name -> entry, for every logged-on user holding a token. */
  private readonly users = new Map<string, Entry>();
  private queue: Promise<void> = Promise.resolve();
  private readonly newToken: () => string;

  constructor(private readonly opts: CallersOptions) {
    this.newToken = opts.newToken ?? (() => randomBytes(32).toString('base64url'));
  }

  /** Secures the state folder, writes a new admin token and gives the logged-on users theirs. */
  start(loggedOn: readonly LoggedOn[]): Promise<void> {
    return this.serial(async () => {
      await this.opts.files.secureStateDir();
      const token = this.newToken();
      await this.opts.files.writeAdmin(token);
      this.admin = { caller: { account: this.opts.adminAccount, admin: true }, digest: digest(token) };
      // Tokens of an earlier run are void: their files go, and the logged-on users get new ones.
      for (const name of await this.opts.files.listUsers()) await this.opts.files.removeUser(name);
      await this.apply(loggedOn);
    });
  }

  /** Gives tokens to users who logged on and takes them from users who logged off. */
  sync(loggedOn: readonly LoggedOn[]): Promise<void> {
    return this.serial(() => this.apply(loggedOn));
  }

  /** Resolves once every sync so far has finished. */
  idle(): Promise<void> {
    return this.serial(async () => undefined);
  }

  /** The caller a token belongs to. Compares against every token in constant time. */
  authenticate(auth: string | undefined): Caller | undefined {
    if (typeof auth !== 'string' || auth.length === 0) return undefined;
    const presented = digest(auth);
    let found: Caller | undefined;
    for (const entry of this.entries()) {
      if (timingSafeEqual(entry.digest, presented) && !found) found = entry.caller;
    }
    return found;
  }

  /** Accounts that currently hold a token (logged on and known to the OS). */
  accounts(): string[] {
    return [...this.users.values()].map((e) => e.caller.account);
  }

  private entries(): Entry[] {
    return this.admin ? [this.admin, ...this.users.values()] : [...this.users.values()];
  }

  private async apply(loggedOn: readonly LoggedOn[]): Promise<void> {
    const wanted = new Map<string, { account: string; principal?: string }>();
    for (const entry of loggedOn) {
      const user = typeof entry === 'string' ? { account: entry } : entry;
      const name = accountDirName(user.account, this.opts.platform);
      if (name === undefined)
        this.opts.log.warn(
          { account: user.account.slice(0, 64) },
          'a logged-on account name cannot be a folder name; it gets no local API token',
        );
      else if (!wanted.has(name)) wanted.set(name, user);
    }
    for (const name of [...this.users.keys()]) {
      if (wanted.has(name)) continue;
      this.users.delete(name);
      await this.guard(name, () => this.opts.files.removeUser(name), 'logged off: local API token removed');
    }
    for (const [name, { account, principal }] of wanted) {
      if (this.users.has(name)) continue;
      const token = this.newToken();
      const written = await this.guard(
        name,
        () => this.opts.files.writeUser(account, token, principal),
        'logged on: local API token written',
      );
      if (written) this.users.set(name, { caller: { account, admin: false }, digest: digest(token) });
    }
  }

  private async guard<T>(account: string, run: () => Promise<T>, done: string): Promise<T | undefined> {
    try {
      const result = await run();
      if (result === false) this.opts.log.warn({ account }, 'the OS does not know this logged-on account; it gets no local API token');
      else this.opts.log.info({ account }, done);
      return result;
    } catch (err) {
      this.opts.log.error({ account, err: (err as Error).message }, 'local API token file could not be written or removed');
      return undefined;
    }
  }

  private serial(run: () => Promise<void>): Promise<void> {
    const next = this.queue.then(run);
    this.queue = next.catch(() => undefined);
    return next;
  }
}

function digest(token: string): Buffer {
  return createHash('sha256').update(token, 'utf8').digest();
}

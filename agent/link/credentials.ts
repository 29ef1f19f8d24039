// The device's credentials, issued by the server at enrolment: <stateDir>/credentials.json, owner
// read/write only. Saved by write-to-temp + fsync + rename, so a crash leaves either the old file or
// the new one, never half of one. The secret is never logged.
import { closeSync, fsyncSync, openSync, readFileSync, renameSync, rmSync, writeSync } from 'node:fs';
import { dirname } from 'node:path';
import { z } from 'zod';
import type { Logger } from '../../shared/log.js';

export const StoredCredentialsSchema = z.object({
  deviceId: z.string().min(1).max(64),
  secret: z.string().min(16).max(256),
  /** The server that issued them: credentials are worthless anywhere else. */
  serverUrl: z.string().min(1).max(2048),
});
export type StoredCredentials = z.infer<typeof StoredCredentialsSchema>;

export interface CredentialStore {
  /** The stored credentials, or undefined when there are none (or they are unreadable). */
  load(): StoredCredentials | undefined;
  save(credentials: StoredCredentials): void;
  clear(): void;
}

export class FileCredentialStore implements CredentialStore {
  constructor(
    readonly path: string,
    private readonly log?: Logger,
  ) {}

  load(): StoredCredentials | undefined {
    let text: string;
    try {
      text = readFileSync(this.path, 'utf8');
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
      throw err;
    }
    try {
      return StoredCredentialsSchema.parse(JSON.parse(text));
    } catch {
      this.log?.error({ code: 'E_CONFIG', path: this.path }, 'the stored credentials are unreadable and are ignored');
      return undefined;
    }
  }

  save(credentials: StoredCredentials): void {
    const data = JSON.stringify(StoredCredentialsSchema.parse(credentials), null, 2);
    const tmp = `${this.path}.${process.pid}.tmp`;
    rmSync(tmp, { force: true });
    const fd = openSync(tmp, 'wx', 0o600);
    try {
      writeSync(fd, data);
      fsyncSync(fd);
    } finally {
      closeSync(fd);
    }
    renameSync(tmp, this.path);
    syncDir(dirname(this.path));
  }

  clear(): void {
    rmSync(this.path, { force: true });
    syncDir(dirname(this.path));
  }
}

/** Makes the rename itself durable. Not possible on every platform (Windows); best effort. */
function syncDir(dir: string): void {
  let fd: number | undefined;
  try {
    fd = openSync(dir, 'r');
    fsyncSync(fd);
  } catch {
    // A directory that cannot be fsynced still has the rename; only a power cut could undo it.
  } finally {
    if (fd !== undefined) closeSync(fd);
  }
}

/** A store in memory, for tests and for a caller that keeps credentials elsewhere. */
export class MemoryCredentialStore implements CredentialStore {
  constructor(private credentials?: StoredCredentials) {}
  load(): StoredCredentials | undefined {
    return this.credentials;
  }
  save(credentials: StoredCredentials): void {
    this.credentials = StoredCredentialsSchema.parse(credentials);
  }
  clear(): void {
    this.credentials = undefined;
  }
}

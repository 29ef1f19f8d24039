// Fleet-wide parts run by exactly one process: each holds a session-level advisory lock on the bus's
// listening connection while it runs. Tried at every (re)connection and every tick, so when the
// holder dies (its connection, and with it the lock, is gone) another process takes over within a
// tick; when this process loses its connection its parts stop at once.
import type pg from 'pg';
import type { Logger } from '../../shared/log.js';
import { SINGLETONS, type SingletonName, type SingletonPart } from './bus.js';

/** The first half of every singleton's two-number lock key ("ou"): apart from other users' locks. */
const LOCK_SPACE = 0x6f75;

interface Entry {
  name: SingletonName;
  part: SingletonPart;
  held: boolean;
}

export class PgSingletons {
  private readonly entries: Entry[] = [];
  private busy: Promise<void> = Promise.resolve();

  constructor(private readonly log: Logger) {}

  add(name: SingletonName, part: SingletonPart): void {
    this.entries.push({ name, part, held: false });
  }

  /** Names of the parts this process runs now. */
  get held(): SingletonName[] {
    return this.entries.filter((e) => e.held).map((e) => e.name);
  }

  /** Tries to take every lock not held yet; starts the part for each one taken. */
  tryTake(client: pg.Client | null): Promise<void> {
    if (!client) return this.busy;
    this.busy = this.busy.then(async () => {
      for (const entry of this.entries) {
        if (entry.held) continue;
        const r = await client.query<{ ok: boolean }>('SELECT pg_try_advisory_lock($1, $2) AS ok', [LOCK_SPACE, SINGLETONS[entry.name]]);
        if (!r.rows[0]?.ok) continue;
        entry.held = true;
        this.log.info({ singleton: entry.name }, 'this process runs a fleet-wide part');
        entry.part.start();
      }
    });
    this.busy = this.busy.catch((err: unknown) => this.log.warn({ err: errorText(err) }, 'could not take a fleet-wide lock'));
    return this.busy;
  }

  /** The connection (and its locks) are gone: stop every part this process ran. */
  lost(): void {
    for (const entry of this.entries) {
      if (!entry.held) continue;
      entry.held = false;
      this.log.warn({ singleton: entry.name }, 'fleet-wide part stopped: its lock went with the connection');
      void Promise.resolve(entry.part.stop()).catch((err: unknown) => this.log.warn({ err: errorText(err) }, 'stopping a part failed'));
    }
  }

  /** A clean stop: stops the parts (so they finish their work), then hands the locks back. */
  async release(client: pg.Client | null): Promise<void> {
    await this.busy;
    for (const entry of [...this.entries].reverse()) {
      if (!entry.held) continue;
      entry.held = false;
      await entry.part.stop();
      await client?.query('SELECT pg_advisory_unlock($1, $2)', [LOCK_SPACE, SINGLETONS[entry.name]]).catch(() => undefined);
    }
  }
}

function errorText(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}

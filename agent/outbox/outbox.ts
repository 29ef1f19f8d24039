// The durable queue of everything that must reach the server, and the inventory baseline it is
// diffed against. One SQLite file (see database.ts for the durability choice). The item and the
// baseline it moves to are written in one transaction, so after any crash the queue and the
// baseline agree: the baseline's digest is the digest the last queued inventory item leads to.
import { diffSnapshots, isEmptyDelta, type Delta } from '../../shared/delta.js';
import { snapshotDigest } from '../../shared/digest.js';
import { OutpostError, type ErrorCode } from '../../shared/errors.js';
import type { Snapshot } from '../../shared/inventory.js';
import type { Logger } from '../../shared/log.js';
import { ItemBodies, type Item, type ItemBody, type ItemKind, type Trigger } from '../../shared/protocol.js';
import { readBaseline, writeBaseline, type Baseline, type LoadedBaseline } from './baseline.js';
import { openOrSetAside, type Db } from './database.js';
import { moveToDeadItems } from './dead-items.js';
import { insertDelta, insertFull, replaceInventoryWithFull, type Recorded, type SnapshotRecord } from './inventory-items.js';
import {
  insertItem,
  itemRow,
  pendingFullHas,
  pendingInventoryUnits,
  readState,
  renumberAbove,
  type ItemRow,
  type StateRow,
} from './queue.js';
import { readItem } from './read-item.js';
import { badBody, sizedJson, validSnapshot } from './validate.js';

export type { Baseline } from './baseline.js';
export { MAX_DEAD_ITEMS } from './dead-items.js';
export { MAX_ITEM_BYTES } from './validate.js';

export interface OutboxOptions {
  path: string;
  now?: () => Date;
  /** Pending inventory items beyond this are folded into one full snapshot. Default 20. */
  maxInventoryBacklog?: number;
  log: Logger;
}

/** What welcome's lastSeq said about the two sides' state; see reconcile(). */
export type Reconciliation = 'in-step' | 'agent-state-lost' | 'server-state-lost';

export class Outbox {
  private database: Db | undefined;
  /** undefined: not loaded yet; null: there is none. */
  private cached: LoadedBaseline | null | undefined;
  private readonly now: () => Date;
  private readonly maxBacklog: number;

  constructor(private readonly opts: OutboxOptions) {
    this.now = opts.now ?? (() => new Date());
    this.maxBacklog = opts.maxInventoryBacklog ?? 20;
  }

  start(): void {
    if (this.database) return;
    this.database = openOrSetAside(this.opts.path, this.now, this.opts.log);
    this.cached = undefined;
  }

  stop(): void {
    if (!this.database) return;
    this.database.pragma('wal_checkpoint(TRUNCATE)');
    this.database.close();
    this.database = undefined;
    this.cached = undefined;
  }

  /**
   * Queues what changed since the baseline and moves the baseline to `snapshot`, in one
   * transaction. Returns null when nothing changed (nothing is written). The first snapshot, a
   * requested full one, or opts.full goes out whole.
   */
  recordSnapshot(trigger: Trigger, snapshot: Snapshot, opts: { full?: boolean } = {}): Recorded | null {
    const db = this.db();
    const next = validSnapshot(trigger, snapshot);
    const digest = snapshotDigest(next);
    const base = this.baseline();
    const full = !base || opts.full === true || this.state().full_requested === 1;
    let delta: Delta | undefined;
    if (!full) {
      delta = diffSnapshots(base.snapshot, next);
      if (isEmptyDelta(delta)) return null;
    }
    const record: SnapshotRecord = { snapshot: next, json: JSON.stringify(next), digest };
    const at = this.now().toISOString();
    const recorded = db.transaction(() => {
      const last = delta ? insertDelta(db, at, trigger, base!, delta, digest) : insertFull(db, at, trigger, record);
      writeBaseline(db, record.json, digest, at, trigger);
      db.prepare('UPDATE state SET full_requested = 0 WHERE id = 1').run();
      return this.foldBacklog(at, record) ?? last;
    })();
    this.cached = { snapshot: next, digest, at, trigger };
    return recorded;
  }

  /** Queues an item of a kind that does not move the inventory baseline (tickets, notes...). */
  enqueue<K extends ItemKind>(kind: K, body: ItemBody<K>): number {
    const db = this.db();
    if (!Object.hasOwn(ItemBodies, kind)) throw new OutpostError('E_UNKNOWN_TYPE', `Unknown item kind ${JSON.stringify(kind)}.`);
    if (kind.startsWith('inventory.')) {
      throw new OutpostError('E_BAD_REQUEST', 'Inventory items are queued by recordSnapshot, which keeps the baseline in step.');
    }
    const parsed = ItemBodies[kind].safeParse(body);
    if (!parsed.success) throw badBody(kind, parsed.error.issues[0]);
    const bodyJson = sizedJson(parsed.data);
    const at = this.now().toISOString();
    return db.transaction(() => insertItem(db, kind, at, bodyJson))();
  }

  /**
   * Runs `fn` in one transaction on the outbox's database, so that rows of the tables beside the
   * queue (tickets, worklogs) and the items enqueue() writes inside `fn` commit or roll back together.
   */
  transaction<T>(fn: (db: Db) => T): T {
    const db = this.db();
    return db.transaction(() => fn(db))();
  }

  /** True while the item waits in the queue: neither acknowledged by the server nor set aside. */
  isPending(seq: number): boolean {
    return this.db().prepare('SELECT 1 FROM items WHERE seq = ?').get(seq) !== undefined;
  }

  /**
   * The server needs a full snapshot (its copy diverged or was lost). Queues one now from the
   * baseline, which is exactly what the server's copy should be, in place of the pending inventory
   * items it supersedes; with no baseline yet, the next recorded snapshot goes out whole.
   * A pending full of the current baseline already answers the request, so repeats cost nothing.
   */
  requestFull(): void {
    const db = this.db();
    const base = this.baseline();
    if (!base) {
      db.prepare('UPDATE state SET full_requested = 1 WHERE id = 1').run();
      return;
    }
    const at = this.now().toISOString();
    db.transaction(() => {
      if (pendingFullHas(db, base.digest)) return;
      replaceInventoryWithFull(db, at, { snapshot: base.snapshot, json: JSON.stringify(base.snapshot), digest: base.digest });
    })();
    this.opts.log.info({ digest: base.digest }, 'full snapshot queued at the server request');
  }

  /**
   * Pending items with seq > afterSeq, in seq order: at most `limit`, and no more once their bodies
   * reach `maxBytes` (the first item always comes). Rows that no longer read are set aside.
   */
  peek(afterSeq: number, limit: number, maxBytes = Number.POSITIVE_INFINITY): Item[] {
    // One row at a time: a ticket file is a ~14 MB row, read only when it fits the budget.
    const next = this.db().prepare('SELECT seq, at, kind, body FROM items WHERE seq > ? ORDER BY seq LIMIT 1');
    let out: Item[] = [];
    let bytes = 0;
    let cursor = afterSeq;
    while (out.length < limit && (out.length === 0 || bytes < maxBytes)) {
      const row = next.get(cursor) as ItemRow | undefined;
      if (!row) break;
      cursor = row.seq;
      const item = this.readRow(row);
      if (item) {
        out.push(item);
        bytes += row.body.length;
        continue;
      }
      // The row was set aside, which may have replaced pending inventory items with a full
      // snapshot, including some already read: start over. Each pass removes one bad row.
      out = [];
      bytes = 0;
      cursor = afterSeq;
    }
    return out;
  }

  /** The pending item with this seq, if it is still here and reads. */
  pendingItem(seq: number): Item | undefined {
    const row = itemRow(this.db(), seq);
    return row ? this.readRow(row) : undefined;
  }

  /** The server applied everything through `throughSeq`: those items are deleted. */
  ack(throughSeq: number): void {
    const db = this.db();
    db.transaction(() => {
      db.prepare('DELETE FROM items WHERE seq <= ?').run(throughSeq);
      db.prepare('UPDATE state SET acked_through = MAX(acked_through, MIN(?, last_seq)) WHERE id = 1').run(throughSeq);
    })();
  }

  /**
   * The server has applied seqs up to `seq` that this outbox never handed out: this device's state
   * was lost (restored from backup, wiped outbox, same credentials). Pending items are renumbered
   * above `seq`, in their order, so the server does not skip them as replays; the server's
   * inventory copy is of a state we no longer know, so pending inventory becomes one full snapshot.
   */
  ensureSeqAbove(seq: number): void {
    const db = this.db();
    if (this.state().last_seq >= seq) return;
    db.transaction(() => renumberAbove(db, seq))();
    this.opts.log.warn(
      { serverLastSeq: seq },
      'the server knows later items than this outbox: local state was lost, pending items renumbered',
    );
    this.requestFull();
  }

  /**
   * Brings the queue in step with the lastSeq the server sent in welcome: items it applied are
   * deleted; a server ahead of us means our state was lost (ensureSeqAbove); a server behind what
   * it once acknowledged lost its state and gets a full snapshot.
   */
  reconcile(serverLastSeq: number): Reconciliation {
    const state = this.state();
    if (serverLastSeq > state.last_seq) {
      this.ensureSeqAbove(serverLastSeq);
      return 'agent-state-lost';
    }
    if (serverLastSeq < state.acked_through) {
      this.db().prepare('UPDATE state SET acked_through = ? WHERE id = 1').run(serverLastSeq);
      this.opts.log.warn(
        { serverLastSeq, ackedThrough: state.acked_through },
        'the server forgot items it had acknowledged: sending a full snapshot',
      );
      this.requestFull();
      return 'server-state-lost';
    }
    this.ack(serverLastSeq);
    return 'in-step';
  }

  /** Moves one row out of the queue into dead_items, with why. */
  setAside(seq: number, code: ErrorCode, reason: string): void {
    const db = this.db();
    const moved = moveToDeadItems(db, seq, code, reason, this.now().toISOString());
    if (!moved) return;
    this.opts.log.error({ code, seq, kind: moved.kind, reason }, 'outbox item set aside');
    // The server's copy can only follow the inventory chain with every link present.
    if (moved.kind.startsWith('inventory.')) this.requestFull();
  }

  pendingCount(): number {
    return (this.db().prepare('SELECT COUNT(*) AS n FROM items').get() as { n: number }).n;
  }

  /** The last recorded snapshot and its digest. Shared, not copied: do not modify it. */
  baseline(): Baseline | undefined {
    const loaded = this.loadBaseline();
    return loaded ? { snapshot: loaded.snapshot, digest: loaded.digest } : undefined;
  }

  /** When the last change was recorded and what triggered it. */
  lastRecorded(): { at: string; trigger: Trigger } | undefined {
    const loaded = this.loadBaseline();
    return loaded ? { at: loaded.at, trigger: loaded.trigger } : undefined;
  }

  private db(): Db {
    if (!this.database) throw new Error('The outbox is not started.');
    return this.database;
  }

  private state(): StateRow {
    return readState(this.db());
  }

  /** Inside a transaction: too many pending inventory items become one full snapshot. */
  private foldBacklog(at: string, full: SnapshotRecord): Recorded | undefined {
    const n = pendingInventoryUnits(this.db());
    if (n <= this.maxBacklog) return undefined;
    this.opts.log.info({ pending: n, max: this.maxBacklog }, 'inventory backlog folded into one full snapshot');
    return replaceInventoryWithFull(this.db(), at, full);
  }

  /** The row as an item; one that no longer reads is set aside. */
  private readRow(row: ItemRow): Item | undefined {
    const read = readItem(row);
    if (read.ok) return read.item;
    this.setAside(row.seq, 'E_OUTBOX_CORRUPT', read.reason);
    return undefined;
  }

  private loadBaseline(): LoadedBaseline | undefined {
    if (this.cached === undefined) this.cached = readBaseline(this.db(), this.opts.log);
    return this.cached ?? undefined;
  }
}

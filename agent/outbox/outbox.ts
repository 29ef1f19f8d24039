// The durable queue of everything that must reach the server, and the inventory baseline it is
// diffed against. One SQLite file (see database.ts for the durability choice). The item and the
// baseline it moves to are written in one transaction, so after any crash the queue and the
// baseline agree: the baseline's digest is the digest the last queued inventory item leads to.
import { diffSnapshots, isEmptyDelta, type Delta } from '../../shared/delta.js';
import { deltaEntries, snapshotEntries, snapshotParts, splitDelta } from '../../shared/inventory-parts.js';
import { snapshotDigest } from '../../shared/digest.js';
import { OutpostError, type ErrorCode } from '../../shared/errors.js';
import { SnapshotSchema, type Snapshot } from '../../shared/inventory.js';
import type { Logger } from '../../shared/log.js';
import {
  ItemBodies,
  ItemSchema,
  LIMITS,
  TriggerSchema,
  type Item,
  type ItemBody,
  type ItemKind,
  type Trigger,
} from '../../shared/protocol.js';
import { openOrSetAside, type Db } from './database.js';
import { badBody, checkSize, sizedJson, validSnapshot } from './validate.js';

export { MAX_ITEM_BYTES } from './validate.js';

export interface OutboxOptions {
  path: string;
  now?: () => Date;
  /** Pending inventory items beyond this are folded into one full snapshot. Default 20. */
  maxInventoryBacklog?: number;
  log: Logger;
}

export interface Baseline {
  snapshot: Snapshot;
  digest: string;
}

/** What welcome's lastSeq said about the two sides' state; see reconcile(). */
export type Reconciliation = 'in-step' | 'agent-state-lost' | 'server-state-lost';

/** Set-aside rows kept for inspection; older ones are dropped. */
export const MAX_DEAD_ITEMS = 1000;
const INVENTORY_KINDS = `('inventory.full', 'inventory.delta', 'inventory.part')`;
/** One per pending snapshot or change: the parts of one snapshot count once. */
const INVENTORY_UNITS = `kind IN ('inventory.full', 'inventory.delta') OR (kind = 'inventory.part' AND json_extract(body, '$.index') = 0)`;
/** The trigger on a full snapshot the outbox makes itself from its baseline. */
const RESYNC: Trigger = 'resync';

interface StateRow {
  last_seq: number;
  acked_through: number;
  full_requested: number;
}
interface ItemRow {
  seq: number;
  at: string;
  kind: string;
  body: string;
}
interface BaselineRow {
  snapshot: string;
  digest: string;
  at: string;
  trigger: string;
}
interface LoadedBaseline extends Baseline {
  at: string;
  trigger: Trigger;
}

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
  recordSnapshot(trigger: Trigger, snapshot: Snapshot, opts: { full?: boolean } = {}): { seq: number; kind: ItemKind } | null {
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
    const snapshotJson = JSON.stringify(next);
    const at = this.now().toISOString();
    const recorded = db.transaction(() => {
      const last = delta ? this.insertDelta(at, trigger, base!, delta, digest) : this.insertFull(at, trigger, next, snapshotJson, digest);
      db.prepare(
        `INSERT INTO baseline (id, snapshot, digest, at, trigger) VALUES (1, ?, ?, ?, ?)
         ON CONFLICT (id) DO UPDATE SET snapshot = excluded.snapshot, digest = excluded.digest, at = excluded.at, trigger = excluded.trigger`,
      ).run(snapshotJson, digest, at, trigger);
      db.prepare('UPDATE state SET full_requested = 0 WHERE id = 1').run();
      const folded = this.foldBacklog(at, next, snapshotJson, digest);
      return folded ?? last;
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
    return db.transaction(() => this.insert(kind, at, bodyJson))();
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
      if (this.fullOfPending(base.digest)) return;
      this.replaceInventoryWithFull(at, base.snapshot, JSON.stringify(base.snapshot), base.digest);
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
    const row = this.db().prepare('SELECT seq, at, kind, body FROM items WHERE seq = ?').get(seq) as ItemRow | undefined;
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
    db.transaction(() => {
      const { min, max } = db.prepare('SELECT MIN(seq) AS min, MAX(seq) AS max FROM items').get() as {
        min: number | null;
        max: number | null;
      };
      if (min === null || max === null) {
        db.prepare('UPDATE state SET last_seq = ?, acked_through = ? WHERE id = 1').run(seq, seq);
        return;
      }
      const offset = seq + 1 - min;
      // Through negative numbers: shifting in place could collide with a row not yet moved.
      db.prepare('UPDATE items SET seq = -seq').run();
      db.prepare('UPDATE items SET seq = -seq + ?').run(offset);
      db.prepare('UPDATE state SET last_seq = ?, acked_through = ? WHERE id = 1').run(max + offset, seq);
    })();
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
    const moved = db.transaction(() => {
      const row = db.prepare('SELECT seq, at, kind, body FROM items WHERE seq = ?').get(seq) as ItemRow | undefined;
      if (!row) return undefined;
      db.prepare('INSERT INTO dead_items (seq, at, kind, body, code, reason, set_aside_at) VALUES (?, ?, ?, ?, ?, ?, ?)').run(
        row.seq,
        row.at,
        row.kind,
        row.body,
        code,
        reason,
        this.now().toISOString(),
      );
      db.prepare('DELETE FROM items WHERE seq = ?').run(seq);
      db.prepare('DELETE FROM dead_items WHERE id <= (SELECT MAX(id) FROM dead_items) - ?').run(MAX_DEAD_ITEMS);
      return row;
    })();
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
    return this.db().prepare('SELECT last_seq, acked_through, full_requested FROM state WHERE id = 1').get() as StateRow;
  }

  /** Inside a transaction: hands out the next seq and writes the item. */
  private insert(kind: string, at: string, bodyJson: string): number {
    const db = this.db();
    const seq = this.state().last_seq + 1;
    db.prepare('UPDATE state SET last_seq = ? WHERE id = 1').run(seq);
    db.prepare('INSERT INTO items (seq, at, kind, body) VALUES (?, ?, ?, ?)').run(seq, at, kind, bodyJson);
    return seq;
  }

  /** Whether the last pending inventory is a whole snapshot (one item, or every part) with this digest. */
  private fullOfPending(digest: string): boolean {
    const last = this.db()
      .prepare(
        `SELECT seq, kind, json_extract(body, '$.digest') AS digest, json_extract(body, '$.first') AS first,
           json_extract(body, '$.index') AS idx, json_extract(body, '$.count') AS count
         FROM items WHERE kind IN ${INVENTORY_KINDS} ORDER BY seq DESC LIMIT 1`,
      )
      .get() as { seq: number; kind: string; digest: unknown; first: unknown; idx: unknown; count: unknown } | undefined;
    if (!last || last.digest !== digest) return false;
    if (last.kind === 'inventory.full') return true;
    if (last.kind !== 'inventory.part' || last.idx !== Number(last.count) - 1 || last.first !== last.seq - Number(last.idx)) return false;
    // Every part still pending (none acked yet, none renumbered away from its `first`).
    const { n } = this.db()
      .prepare(`SELECT COUNT(*) AS n FROM items WHERE kind = 'inventory.part' AND seq BETWEEN ? AND ?`)
      .get(last.first, last.seq) as { n: number };
    return n === Number(last.count);
  }

  /** Inside a transaction: too many pending inventory items become one full snapshot. */
  private foldBacklog(at: string, snapshot: Snapshot, snapshotJson: string, digest: string): { seq: number; kind: ItemKind } | undefined {
    const { n } = this.db().prepare(`SELECT COUNT(*) AS n FROM items WHERE ${INVENTORY_UNITS}`).get() as { n: number };
    if (n <= this.maxBacklog) return undefined;
    this.opts.log.info({ pending: n, max: this.maxBacklog }, 'inventory backlog folded into one full snapshot');
    const seq = this.replaceInventoryWithFull(at, snapshot, snapshotJson, digest);
    return { seq, kind: snapshotEntries(snapshot) > LIMITS.maxInventoryEntriesPerBatch ? 'inventory.part' : 'inventory.full' };
  }

  /** Inside a transaction. Items of other kinds keep their seq and order. Returns the last seq. */
  private replaceInventoryWithFull(at: string, snapshot: Snapshot, snapshotJson: string, digest: string): number {
    this.db().prepare(`DELETE FROM items WHERE kind IN ${INVENTORY_KINDS}`).run();
    return this.insertFull(at, RESYNC, snapshot, snapshotJson, digest).seq;
  }

  /**
   * Inside a transaction: a full snapshot as one item, or, past the server's per-batch entry budget,
   * as parts with consecutive seqs (shared/inventory-parts.ts). Returns the last item's seq.
   */
  private insertFull(
    at: string,
    trigger: Trigger,
    snapshot: Snapshot,
    snapshotJson: string,
    digest: string,
  ): { seq: number; kind: ItemKind } {
    if (snapshotEntries(snapshot) <= LIMITS.maxInventoryEntriesPerBatch) {
      // The snapshot is already validated and normalised: splice it in rather than re-encode.
      const bodyJson = `{"trigger":${JSON.stringify(trigger)},"digest":${JSON.stringify(digest)},"snapshot":${snapshotJson}}`;
      checkSize(bodyJson);
      return { seq: this.insert('inventory.full', at, bodyJson), kind: 'inventory.full' };
    }
    const first = this.state().last_seq + 1;
    let seq = first;
    for (const part of snapshotParts(snapshot, digest, trigger, first)) seq = this.insert('inventory.part', at, sizedJson(part));
    return { seq, kind: 'inventory.part' };
  }

  /** Inside a transaction: a delta as one item, or cut into deltas that compose, each within the budget. */
  private insertDelta(at: string, trigger: Trigger, base: Baseline, delta: Delta, digest: string): { seq: number; kind: ItemKind } {
    const pieces = deltaEntries(delta) <= LIMITS.maxInventoryEntriesPerBatch ? [{ delta, digest }] : splitDelta(base.snapshot, delta);
    let baseDigest = base.digest;
    let seq = 0;
    for (const piece of pieces) {
      seq = this.insert('inventory.delta', at, sizedJson({ trigger, baseDigest, digest: piece.digest, delta: piece.delta }));
      baseDigest = piece.digest;
    }
    return { seq, kind: 'inventory.delta' };
  }

  private readRow(row: ItemRow): Item | undefined {
    let body: unknown;
    try {
      body = JSON.parse(row.body);
    } catch {
      this.setAside(row.seq, 'E_OUTBOX_CORRUPT', 'the body is not valid JSON');
      return undefined;
    }
    const parsed = ItemSchema.safeParse({ seq: row.seq, at: row.at, kind: row.kind, body });
    if (parsed.success) return parsed.data;
    const issue = parsed.error.issues[0];
    this.setAside(row.seq, 'E_OUTBOX_CORRUPT', `${issue?.path.join('.') || '(root)'}: ${issue?.message ?? 'invalid'}`);
    return undefined;
  }

  private loadBaseline(): LoadedBaseline | undefined {
    if (this.cached !== undefined) return this.cached ?? undefined;
    const row = this.db().prepare('SELECT snapshot, digest, at, trigger FROM baseline WHERE id = 1').get() as BaselineRow | undefined;
    this.cached = row ? this.parseBaseline(row) : null;
    return this.cached ?? undefined;
  }

  private parseBaseline(row: BaselineRow): LoadedBaseline | null {
    try {
      const snapshot = SnapshotSchema.parse(JSON.parse(row.snapshot));
      return { snapshot, digest: row.digest, at: row.at, trigger: TriggerSchema.parse(row.trigger) };
    } catch {
      // Without a readable baseline nothing can be diffed: forget it, the next snapshot goes whole.
      this.opts.log.error(
        { code: 'E_OUTBOX_CORRUPT' },
        'the stored inventory baseline is unreadable; the next snapshot will be sent whole',
      );
      this.db().prepare('DELETE FROM baseline WHERE id = 1').run();
      return null;
    }
  }
}

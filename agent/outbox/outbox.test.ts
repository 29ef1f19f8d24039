import assert from 'node:assert/strict';
import { mkdtempSync, readdirSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { afterEach, beforeEach, describe, it } from 'node:test';
import Database from 'better-sqlite3';
import { applyDelta, emptySnapshot } from '../../shared/delta.js';
import { snapshotDigest } from '../../shared/digest.js';
import type { Snapshot, Software } from '../../shared/inventory.js';
import type { Item } from '../../shared/protocol.js';
import { RecordingLogger } from '../../test/fakes/recording-logger.js';
import { Outbox } from './outbox.js';

const pkg = (name: string, version = '1.0'): Software => ({ name, version, source: 'dpkg', scope: 'machine', arch: 'amd64' });

function machine(...software: Software[]): Snapshot {
  return { ...emptySnapshot('pc-1'), os: { platform: 'linux', hostname: 'pc-1', distro: 'Debian' }, software };
}

/** Replays the queued inventory items the way the server does and returns the resulting snapshot. */
function replay(items: Item[]): Snapshot | undefined {
  let copy: Snapshot | undefined;
  for (const item of items) {
    if (item.kind === 'inventory.full') copy = item.body.snapshot;
    else if (item.kind === 'inventory.delta') {
      assert.ok(copy, `delta ${item.seq} arrived before any full snapshot`);
      assert.equal(item.body.baseDigest, snapshotDigest(copy), `delta ${item.seq} is not based on the previous item`);
      copy = applyDelta(copy, item.body.delta).snapshot;
      assert.equal(snapshotDigest(copy), item.body.digest);
    }
  }
  return copy;
}

describe('Outbox', () => {
  let dir: string;
  let path: string;
  let log: RecordingLogger;
  let outbox: Outbox;
  let clock: number;

  const open = (maxInventoryBacklog?: number) => {
    const o = new Outbox({ path, log, now: () => new Date(clock++ * 1000), ...(maxInventoryBacklog ? { maxInventoryBacklog } : {}) });
    o.start();
    return o;
  };
  const raw = () => new Database(path);

  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'outbox-'));
    path = join(dir, 'state', 'outbox.db');
    log = new RecordingLogger();
    clock = 1_700_000_000;
    outbox = open();
  });
  afterEach(() => {
    outbox.stop();
    rmSync(dir, { recursive: true, force: true });
  });

  it('sends the first snapshot whole, then only what changed, and nothing when nothing changed', () => {
    assert.deepEqual(outbox.recordSnapshot('startup', machine(pkg('bash'))), { seq: 1, kind: 'inventory.full' });
    assert.equal(outbox.recordSnapshot('refresh', machine(pkg('bash'))), null);
    assert.deepEqual(outbox.recordSnapshot('software-change', machine(pkg('bash'), pkg('htop', '3.2'))), {
      seq: 2,
      kind: 'inventory.delta',
    });
    assert.equal(outbox.pendingCount(), 2);

    const items = outbox.peek(0, 10);
    assert.deepEqual(
      items.map((i) => i.kind),
      ['inventory.full', 'inventory.delta'],
    );
    const delta = items[1]!;
    assert.ok(delta.kind === 'inventory.delta');
    assert.deepEqual(delta.body.delta, { software: { added: [pkg('htop', '3.2')] } });
    assert.equal(delta.body.trigger, 'software-change');
    const final = replay(items)!;
    assert.equal(snapshotDigest(final), outbox.baseline()?.digest);
    assert.deepEqual(outbox.lastRecorded(), { at: new Date((clock - 1) * 1000).toISOString(), trigger: 'software-change' });
  });

  it('ignores collection order and keys the schema does not know, as the server will', () => {
    outbox.recordSnapshot('startup', machine(pkg('b'), pkg('a')));
    const extra = { ...machine(pkg('a'), pkg('b')), collectedBy: 'debug' } as Snapshot;
    assert.equal(outbox.recordSnapshot('refresh', extra), null);
    assert.equal(outbox.baseline()?.digest, snapshotDigest(machine(pkg('a'), pkg('b'))));
  });

  it('deletes acked items and never hands a seq out twice, across restarts', () => {
    outbox.recordSnapshot('startup', machine(pkg('a')));
    outbox.recordSnapshot('refresh', machine(pkg('a'), pkg('b')));
    outbox.ack(2);
    assert.equal(outbox.pendingCount(), 0);
    outbox.stop();
    outbox = open();
    assert.deepEqual(outbox.recordSnapshot('refresh', machine(pkg('c'))), { seq: 3, kind: 'inventory.delta' });
    assert.deepEqual(
      outbox.peek(0, 10).map((i) => i.seq),
      [3],
    );
    assert.equal(outbox.baseline()?.digest, snapshotDigest(machine(pkg('c'))));
  });

  it('acks only through the given seq and peeks after a cursor within a limit', () => {
    for (let i = 1; i <= 5; i++) outbox.recordSnapshot('refresh', machine(pkg(`p${i}`)));
    outbox.ack(2);
    assert.deepEqual(
      outbox.peek(0, 10).map((i) => i.seq),
      [3, 4, 5],
    );
    assert.deepEqual(
      outbox.peek(3, 1).map((i) => i.seq),
      [4],
    );
  });

  it('sends a whole snapshot when asked with opts.full even if a baseline exists', () => {
    outbox.recordSnapshot('startup', machine(pkg('a')));
    assert.deepEqual(outbox.recordSnapshot('rename', machine(pkg('a')), { full: true }), { seq: 2, kind: 'inventory.full' });
  });

  it('answers a server request for a full snapshot at once from the baseline, replacing pending deltas, once', () => {
    outbox.recordSnapshot('startup', machine(pkg('a')));
    outbox.ack(1);
    outbox.recordSnapshot('refresh', machine(pkg('a'), pkg('b')));
    outbox.requestFull();
    outbox.requestFull();
    const items = outbox.peek(0, 10);
    assert.equal(items.length, 1);
    const full = items[0]!;
    assert.ok(full.kind === 'inventory.full');
    assert.equal(full.seq, 3);
    assert.equal(full.body.trigger, 'resync');
    assert.equal(full.body.digest, outbox.baseline()?.digest);
    assert.equal(snapshotDigest(full.body.snapshot), full.body.digest);
  });

  it('makes the next snapshot whole when a full one is requested before any baseline exists', () => {
    outbox.requestFull();
    assert.equal(outbox.pendingCount(), 0);
    outbox.stop();
    outbox = open();
    assert.equal(outbox.recordSnapshot('startup', machine(pkg('a')))?.kind, 'inventory.full');
  });

  it('folds an offline inventory backlog into one full snapshot, leaving other kinds in place', () => {
    outbox.stop();
    outbox = open(3);
    outbox.recordSnapshot('startup', machine(pkg('a')));
    const db = raw();
    // A kind from a later feature (tickets), written as that feature would.
    db.prepare(`UPDATE state SET last_seq = last_seq + 1`).run();
    db.prepare(`INSERT INTO items (seq, at, kind, body) VALUES (2, '2024-01-01T00:00:00Z', 'ticket.create', '{"title":"printer"}')`).run();
    outbox.recordSnapshot('refresh', machine(pkg('a'), pkg('b')));
    outbox.recordSnapshot('refresh', machine(pkg('a'), pkg('b'), pkg('c')));
    assert.equal(outbox.pendingCount(), 4);
    const folded = outbox.recordSnapshot('refresh', machine(pkg('d')));
    assert.deepEqual(folded, { seq: 6, kind: 'inventory.full' });

    const rows = db.prepare('SELECT seq, kind FROM items ORDER BY seq').all();
    assert.deepEqual(rows, [
      { seq: 2, kind: 'ticket.create' },
      { seq: 6, kind: 'inventory.full' },
    ]);
    db.close();
    const full = outbox.peek(2, 10);
    assert.equal(full.length, 1);
    assert.ok(full[0]!.kind === 'inventory.full');
    assert.deepEqual(full[0].body.snapshot.software, [pkg('d')]);
    assert.equal(full[0].body.digest, outbox.baseline()?.digest);
  });

  it('sets a corrupt row aside, keeps delivering the rest, and heals the inventory chain with a full snapshot', () => {
    outbox.recordSnapshot('startup', machine(pkg('a')));
    outbox.recordSnapshot('refresh', machine(pkg('a'), pkg('b')));
    outbox.recordSnapshot('refresh', machine(pkg('a'), pkg('b'), pkg('c')));
    const db = raw();
    db.prepare(`UPDATE items SET body = '{"trigger":"refresh","digest' WHERE seq = 2`).run();
    // A row whose JSON parses but whose body breaks its schema, of a kind outside the inventory chain.
    db.prepare(`UPDATE state SET last_seq = 4`).run();
    db.prepare(`INSERT INTO items (seq, at, kind, body) VALUES (4, '2024-01-01T00:00:00Z', 'ticket.create', '{"title":1}')`).run();

    const items = outbox.peek(0, 10);
    // Seq 3 depended on the lost seq 2: the pending inventory gives way to a full snapshot of the baseline.
    assert.deepEqual(
      items.map((i) => [i.seq, i.kind]),
      [[5, 'inventory.full']],
    );
    assert.equal(snapshotDigest(replay(items)!), outbox.baseline()?.digest);
    assert.equal(outbox.pendingCount(), 1);
    const dead = db.prepare('SELECT seq, kind, code FROM dead_items ORDER BY seq').all();
    db.close();
    assert.deepEqual(dead, [
      { seq: 2, kind: 'inventory.delta', code: 'E_OUTBOX_CORRUPT' },
      { seq: 4, kind: 'ticket.create', code: 'E_OUTBOX_CORRUPT' },
    ]);
    assert.equal(log.withCode('E_OUTBOX_CORRUPT').length, 2);
  });

  it('sets aside a corrupt row of another kind without disturbing the inventory chain', () => {
    outbox.recordSnapshot('startup', machine(pkg('a')));
    const db = raw();
    db.prepare(`UPDATE state SET last_seq = 2`).run();
    db.prepare(`INSERT INTO items (seq, at, kind, body) VALUES (2, 'yesterday', 'ticket.create', 'null')`).run();
    db.close();
    outbox.recordSnapshot('refresh', machine(pkg('a'), pkg('b')));
    assert.deepEqual(
      outbox.peek(0, 10).map((i) => [i.seq, i.kind]),
      [
        [1, 'inventory.full'],
        [3, 'inventory.delta'],
      ],
    );
    assert.equal(outbox.pendingCount(), 2);
  });

  it('forgets an unreadable baseline and sends the next snapshot whole', () => {
    outbox.recordSnapshot('startup', machine(pkg('a')));
    outbox.stop();
    const db = raw();
    db.prepare(`UPDATE baseline SET snapshot = '{"hardware":1}'`).run();
    db.close();
    outbox = open();
    assert.equal(outbox.baseline(), undefined);
    assert.equal(outbox.recordSnapshot('refresh', machine(pkg('a')))?.kind, 'inventory.full');
    assert.equal(log.withCode('E_OUTBOX_CORRUPT').length, 1);
  });

  it('renumbers pending items above a server lastSeq it never handed out, as a full snapshot', () => {
    outbox.recordSnapshot('startup', machine(pkg('a')));
    outbox.recordSnapshot('refresh', machine(pkg('a'), pkg('b')));
    assert.equal(outbox.reconcile(500), 'agent-state-lost');
    const items = outbox.peek(0, 10);
    assert.ok(items.every((i) => i.seq > 500));
    assert.equal(items.at(-1)?.kind, 'inventory.full');
    assert.equal(snapshotDigest(replay(items)!), outbox.baseline()?.digest);
    assert.ok(outbox.recordSnapshot('refresh', machine(pkg('z')))!.seq > items.at(-1)!.seq);
  });

  it('deletes what the server already applied and resends a full snapshot to a server that forgot', () => {
    for (let i = 1; i <= 3; i++) outbox.recordSnapshot('refresh', machine(pkg(`p${i}`)));
    assert.equal(outbox.reconcile(2), 'in-step');
    assert.deepEqual(
      outbox.peek(0, 10).map((i) => i.seq),
      [3],
    );
    outbox.ack(3);
    assert.equal(outbox.reconcile(1), 'server-state-lost');
    const items = outbox.peek(0, 10);
    assert.deepEqual(
      items.map((i) => [i.seq, i.kind]),
      [[4, 'inventory.full']],
    );
  });

  it('refuses a snapshot that breaks the schema and changes nothing', () => {
    outbox.recordSnapshot('startup', machine(pkg('a')));
    const bad = machine({ ...pkg('b'), source: 'apt' as Software['source'] });
    assert.throws(() => outbox.recordSnapshot('refresh', bad), { code: 'E_BAD_MESSAGE', message: /software\.0\.source/ });
    assert.throws(() => outbox.recordSnapshot('nope' as 'refresh', machine()), { code: 'E_BAD_MESSAGE' });
    assert.equal(outbox.pendingCount(), 1);
    assert.equal(outbox.baseline()?.digest, snapshotDigest(machine(pkg('a'))));
  });

  it('leaves inventory to recordSnapshot and rejects unknown kinds in enqueue', () => {
    assert.throws(() => outbox.enqueue('ticket.delete' as 'inventory.full', {} as never), { code: 'E_UNKNOWN_TYPE' });
    assert.throws(() => outbox.enqueue('ticket.close', { ref: 'x' } as never), { code: 'E_BAD_MESSAGE' });
    const body = { trigger: 'manual' as const, digest: 'a'.repeat(64), snapshot: machine() };
    assert.throws(() => outbox.enqueue('inventory.full', body), { code: 'E_BAD_REQUEST' });
    assert.equal(outbox.pendingCount(), 0);
  });

  it('peeks no more items than fit a byte budget, but always the first', () => {
    const note = (n: number) => ({
      ref: 'ticket-0001',
      noteId: `note-000${n}`,
      requester: { account: 'alice' },
      text: 'x'.repeat(1000),
      at: '2025-03-01T09:00:00Z',
    });
    for (let n = 1; n <= 5; n++) outbox.enqueue('ticket.note', note(n));
    assert.deepEqual(
      outbox.peek(0, 10, 1).map((i) => i.seq),
      [1],
    );
    assert.deepEqual(
      outbox.peek(1, 10, 2500).map((i) => i.seq),
      [2, 3, 4],
    );
    assert.deepEqual(
      outbox.peek(0, 10).map((i) => i.seq),
      [1, 2, 3, 4, 5],
    );
  });

  it('writes other tables and enqueued items in one transaction: both or neither', () => {
    const close = { ref: 'ticket-0001', requester: { account: 'alice' }, at: '2025-03-01T09:00:00Z' };
    const note = (db: Database.Database) =>
      db.prepare(`INSERT INTO worklog_sessions (account, ticket_id, technician, start) VALUES ('alice', '1', 'Sam', 'now')`).run();
    assert.throws(() =>
      outbox.transaction((db) => {
        note(db);
        outbox.enqueue('ticket.close', close);
        throw new Error('crash before commit');
      }),
    );
    assert.equal(outbox.pendingCount(), 0);
    const seq = outbox.transaction((db) => {
      note(db);
      return outbox.enqueue('ticket.close', close);
    });
    assert.equal(seq, 1, 'the rolled-back seq is handed out again');
    assert.equal(outbox.isPending(seq), true);
    const db = raw();
    assert.equal((db.prepare('SELECT COUNT(*) AS n FROM worklog_sessions').get() as { n: number }).n, 1);
    db.close();
    outbox.ack(seq);
    assert.equal(outbox.isPending(seq), false);
  });

  it('sets an unreadable file aside and starts afresh rather than refuse to start', () => {
    outbox.recordSnapshot('startup', machine(pkg('a')));
    outbox.stop();
    writeFileSync(path, 'this is not an SQLite database, it is a text file of some length'.repeat(100));
    rmSync(`${path}-wal`, { force: true });
    outbox = open();
    assert.equal(outbox.pendingCount(), 0);
    assert.equal(outbox.recordSnapshot('startup', machine(pkg('a')))?.kind, 'inventory.full');
    assert.equal(log.withCode('E_OUTBOX_CORRUPT').length, 1);
    assert.ok(readdirSync(dirname(path)).some((f) => f.startsWith('outbox.db.corrupt-')));
  });

  it('keeps its file readable by its owner only', () => {
    outbox.recordSnapshot('startup', machine(pkg('a')));
    assert.equal(statSync(path).mode & 0o777, 0o600);
    assert.equal(statSync(`${path}-wal`).mode & 0o777, 0o600);
  });
});

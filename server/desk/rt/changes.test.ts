import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { advanceCursor, seenKey } from '../cursor.js';
import { attribute, eventsFrom } from './changes.js';
import { RtConfigSchema } from './config.js';
import type { RtTransaction } from './schemas.js';

const config = RtConfigSchema.parse({ url: 'http://rt.test', user: 'outpost', auth: { kind: 'basic', password: 'p' } });

let nextId = 100;
function txn(Type: string, creator: string, at: string, extra: Partial<RtTransaction> = {}): RtTransaction {
  return { id: String(nextId++), Type, Creator: { type: 'user', id: creator }, Created: at, ...extra };
}

describe('polling RT: cursor', () => {
  const t0 = '2026-03-01T10:00:00.000Z';
  const t1 = '2026-03-01T10:00:05.000Z';

  it('moves to the newest stamp and remembers what it reported there', () => {
    const next = advanceCursor(
      { since: t0, seen: [] },
      [
        { id: '1', updatedAt: t0 },
        { id: '2', updatedAt: t1 },
        { id: '3', updatedAt: t1 },
      ],
      new Date('2026-03-01T10:01:00Z'),
    );
    assert.deepEqual(next, { since: t1, seen: [seenKey('2', t1), seenKey('3', t1)] });
  });

  it('keeps what it had seen at the same stamp when nothing newer came', () => {
    const next = advanceCursor({ since: t1, seen: [seenKey('2', t1)] }, [{ id: '4', updatedAt: t1 }], new Date('2026-03-01T10:01:00Z'));
    assert.deepEqual(next.seen, [seenKey('2', t1), seenKey('4', t1)]);
  });

  it("does not mark seen a ticket changed in RT's current second, which may change again in it", () => {
    const next = advanceCursor({ since: t0, seen: [] }, [{ id: '5', updatedAt: t1 }], new Date('2026-03-01T10:00:05.900Z'));
    assert.deepEqual(next, { since: t1, seen: [] });
  });
});

describe('polling RT: who did what', () => {
  const at = '2026-03-01T10:00:00Z';
  const later = '2026-03-01T10:00:01Z';

  it("gives RT_System's reactions to whoever caused them", () => {
    const list = attribute([
      txn('Correspond', 'outpost', at),
      txn('Status', 'RT_System', at),
      txn('Correspond', 'root', later),
      txn('Status', 'RT_System', later),
    ]);
    assert.deepEqual(
      list.map((a) => a.actor),
      ['outpost', 'outpost', 'root', 'root'],
    );
  });

  it("reports people's notes and status changes, never Outpost's own writes or mail copies", () => {
    const txns = [
      txn('Create', 'outpost', at),
      txn('EmailRecord', 'RT_System', at),
      txn('Comment', 'Outpost', at, { TimeTaken: 45, CustomFields: [{ name: 'Outpost Note Key', values: ['wl:abcdefgh'] }] }),
      txn('Correspond', 'root', later),
      txn('EmailRecord', 'RT_System', later),
      txn('Status', 'RT_System', later, { Field: 'Status', OldValue: 'new', NewValue: 'open' }),
      txn('Set', 'root', later, { Field: 'Priority', OldValue: '50', NewValue: '75' }),
    ];
    const texts = new Map([[txns[3]!.id, 'We are on it.']]);
    const events = eventsFrom(txns, { config, ticketId: '9', since: at, seenAtSince: false, texts, written: new Set() });
    assert.deepEqual(
      events.map((e) =>
        e.kind === 'note' ? `note:${e.note.visibility}:${e.note.text}` : e.kind === 'status' ? `status:${e.from}->${e.status}` : e.kind,
      ),
      ['note:public:We are on it.', 'status:new->open', 'updated'],
    );
    assert.ok(events.every((e) => e.by === 'root'));
  });

  it("uses transactions before the cursor only as context, and skips the cursor's second once it was reported", () => {
    const before = '2026-03-01T09:59:59Z';
    const txns = [txn('Correspond', 'root', before), txn('Comment', 'root', at), txn('Comment', 'root', later)];
    const all = eventsFrom(txns, { config, ticketId: '9', since: at, seenAtSince: false, texts: new Map(), written: new Set() });
    assert.deepEqual(
      all.map((e) => e.at),
      ['2026-03-01T10:00:00.000Z', '2026-03-01T10:00:01.000Z'],
    );
    const fresh = eventsFrom(txns, { config, ticketId: '9', since: at, seenAtSince: true, texts: new Map(), written: new Set() });
    assert.deepEqual(
      fresh.map((e) => e.at),
      ['2026-03-01T10:00:01.000Z'],
    );
  });

  it('reports what a person did as the API user: echoes are known by what Outpost wrote, not by the account', () => {
    const key = (v: string) => ({ CustomFields: [{ name: 'Outpost Note Key', values: [v] }] });
    const txns = [
      txn('Correspond', 'outpost', later, key('note:abcdefgh')),
      txn('Status', 'RT_System', later, { Field: 'Status', OldValue: 'new', NewValue: 'open' }),
      txn('Correspond', 'outpost', later, { CustomFields: [{ name: 'Outpost Note Key', values: [] }] }),
      txn('Status', 'RT_System', later, { Field: 'Status', OldValue: 'open', NewValue: 'stalled' }),
      txn('Status', 'outpost', later, { Field: 'Status', OldValue: 'stalled', NewValue: 'resolved' }),
      txn('Status', 'outpost', later, { Field: 'Status', OldValue: 'resolved', NewValue: 'open' }),
      txn('AddLink', 'outpost', at),
    ];
    const written = new Set([txns[4]!.id]);
    const texts = new Map([[txns[2]!.id, 'Typed in the web UI']]);
    const events = eventsFrom(txns, {
      config,
      ticketId: '9',
      since: at,
      seenAtSince: false,
      texts,
      written,
      createdAt: '2026-03-01T10:00:00.000Z',
    });
    assert.deepEqual(
      events.map((e) => (e.kind === 'note' ? `note:${e.note.text}` : e.kind === 'status' ? `status:${e.to}` : e.kind)),
      ['note:Typed in the web UI', 'status:stalled', 'status:open'],
    );
  });
});

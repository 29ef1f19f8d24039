import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, it } from 'node:test';
import type { Item } from '../../../shared/protocol.js';
import { silentLogger } from '../../../shared/log.js';
import { TemplateInputSchema, type FilledTemplate } from '../../../shared/templates.js';
import { openDatabase } from '../../store/sqlite/open.js';
import { SqliteStore } from '../../store/sqlite/sqlite-store.js';
import type { TicketItem } from '../../store/ticket-records.js';
import { createItem } from '../../../test/support/server/ticket-fixtures.js';
import { FakeDesk } from '../../../test/fakes/desk-connector.js';
import { followBatch } from '../../ingest/apply-tickets.js';
import { DeskSyncEngine } from './engine.js';

const DEVICE = 'dev-1';
const NOW = Date.parse('2026-12-07T10:00:00Z');

describe('a ticket raised with a template, on its way to the desk', () => {
  let dir: string;
  let store: SqliteStore;
  let desk: FakeDesk;
  let engine: DeskSyncEngine;
  let seq = 0;

  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'outpost-template-tickets-'));
    const db = openDatabase(dir);
    db.prepare(
      `INSERT INTO devices (id, install_id, hostname, serial, macs, secret_hash, first_seen, last_seen)
       VALUES (?, 'inst', 'pc-01', 'SN-PC01', '[]', x'00', 0, 0)`,
    ).run(DEVICE);
    store = new SqliteStore(db);
    desk = new FakeDesk();
    engine = new DeskSyncEngine({
      desk,
      store,
      log: silentLogger,
      pollMs: 3_600_000,
      now: () => NOW,
      random: () => 1,
      ticketChanged: () => undefined,
    });
    engine.start();
  });
  afterEach(async () => {
    await engine.stop();
    await store.close();
    rmSync(dir, { recursive: true, force: true });
  });

  const deliver = async (item: (s: number) => Item) => {
    const items = [item(++seq)] as TicketItem[];
    await store.applyBatch(
      DEVICE,
      NOW,
      () => ({ lastSeq: seq, needsFull: false, changes: [], ticketItems: items }),
      followBatch(NOW, undefined, engine.jobs),
    );
    await engine.whenIdle();
  };
  const printerTemplate = async () => {
    const written = await store.templates.create(
      TemplateInputSchema.parse({
        name: 'Printer problem',
        fields: [
          { type: 'text', key: 'printer', label: 'Which printer', required: true },
          { type: 'yesno', key: 'others', label: 'Others affected' },
        ],
        desk: { rt: { queue: 'Printers', customFields: { Category: 'Printing' } }, sdp: { category: 'Printers' } },
      }),
      NOW,
    );
    assert.ok(written.ok);
    return written.template;
  };
  const filled = (id: number): FilledTemplate => ({
    id,
    name: 'Printer problem',
    fields: [
      { key: 'printer', label: 'Which printer', value: 'HP LaserJet 2F' },
      { key: 'others', label: 'Others affected', value: true },
    ],
  });

  it('keeps the filled fields with the ticket, sends them as a readable block and with the template desk categorisation', async () => {
    const template = await printerTemplate();
    await deliver((s) => createItem(s, 'ref-template-1', { template: filled(template.id) }));
    const id = (await store.desk.ticketIdByRef(DEVICE, 'ref-template-1'))!;
    assert.deepEqual((await store.getTicket(id))?.template, filled(template.id));
    const [sent] = [...desk.tickets.values()];
    assert.ok(sent);
    assert.match(
      sent.description,
      /Every second page jams since this morning\.\n\n--- Printer problem ---\nWhich printer: HP LaserJet 2F\nOthers affected: Yes\n\n--- Device ---/,
    );
    assert.deepEqual(sent.classification, template.desk);
  });

  it('sends the block without categorisation once IT removed the template, and a plain ticket with neither', async () => {
    const template = await printerTemplate();
    assert.ok(await store.templates.remove(template.id));
    await deliver((s) => createItem(s, 'ref-template-2', { template: filled(template.id) }));
    await deliver((s) => createItem(s, 'ref-plain-1'));
    const [withBlock, plain] = [...desk.tickets.values()];
    assert.match(withBlock!.description, /--- Printer problem ---/);
    assert.equal(withBlock!.classification, undefined);
    assert.doesNotMatch(plain!.description, /---.*---\n(?!Name)/);
    assert.equal(plain!.classification, undefined);
    assert.equal((await store.getTicket((await store.desk.ticketIdByRef(DEVICE, 'ref-plain-1'))!))?.template, null);
  });
});

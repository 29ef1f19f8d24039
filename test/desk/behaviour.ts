// The connector behaviour every desk must show through the real sync engine and store, whatever
// the desk: a ticket raised on a device reaches the desk once with its asset and account, an
// endpoint note and a worklog reach it, a person's reply and status come back, and an outage
// holds the job and the retry makes no second ticket. Each desk brings a DeskUnderTest (a real
// desk or a contract server built from the vendor's documentation).
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import type { Item } from '../../shared/protocol.js';
import { silentLogger } from '../../shared/log.js';
import type { Snapshot } from '../../shared/inventory.js';
import type { DeskConnector } from '../../server/desk/connector.js';
import { AssetEventRulesSchema } from '../../server/desk/rules/asset-events.js';
import { DeskSyncEngine } from '../../server/desk/sync/engine.js';
import { FieldMappingSchema } from '../../server/desk/sync/mapping.js';
import { openDatabase } from '../../server/store/sqlite/open.js';
import { SqliteStore } from '../../server/store/sqlite/sqlite-store.js';
import type { TicketItem } from '../../server/store/ticket-records.js';
import { followBatch } from '../../server/ingest/apply-tickets.js';
import { machine, storedOutcome } from '../support/server/fixtures.js';
import { deadline } from '../support/deadline.js';

export interface DeskUnderTest {
  name: string;
  /** Starts the desk and answers a connector configured for it. */
  start(): Promise<DeskConnector>;
  stop(): Promise<void>;
  /** Where the account reference is read on the asset and written on the ticket. */
  account: { assetField: string; ticketField: string };
  /** A person registers the device in the desk (by serial) with an account reference; answers the asset id. */
  registerDevice(serial: string, hostname: string, account: string): Promise<string>;
  /** The desk's record of a ticket, read as a person would. */
  ticket(id: string): Promise<{ assetIds: string[]; account: string | null; publicNotes: string[]; worklogMinutes: number[] }>;
  /** Desk tickets that carry Outpost's key for this ref's ticket (by the desk's own search). */
  ticketsWithSubject(subject: string): Promise<string[]>;
  personReplies(id: string, text: string): Promise<void>;
  personResolves(id: string): Promise<void>;
  /** Cuts the desk off (connections refused) or brings it back with its data. */
  outage(down: boolean): Promise<void>;
  /** The desk creates the next ticket but its answer never arrives (a cut connection). */
  loseNextCreateAnswer(): Promise<void>;
}

const DEVICE = 'dev-behaviour-1';
const SERIAL = 'SN-BEHAVE-01';
const AT = new Date().toISOString();
const requester = { account: 'alice', domain: 'ACME', fullName: 'Alice Example', email: 'alice@example.com' };

function createItem(seq: number, ref: string, subject: string): Item {
  const device = {
    deviceId: null,
    hostname: 'pc-behave',
    serial: SERIAL,
    manufacturer: 'Dell Inc.',
    model: 'Latitude 7440',
    os: 'Debian GNU/Linux 12',
    ip: ['10.0.0.5'],
    loggedOnUser: 'alice',
  };
  return {
    seq,
    at: AT,
    kind: 'ticket.create',
    body: { ref, requester, subject, description: 'Every second page jams.', priority: 'high', device, attachments: 0, createdAt: AT },
  };
}

/** Waits for `done` with a deadline, checking again after each short pause (no fixed sleep). */
async function eventually(what: string, done: () => Promise<boolean>, ms = 10_000): Promise<void> {
  const until = Date.now() + deadline(ms);
  while (!(await done())) {
    if (Date.now() > until) assert.fail(`${what}: not within ${deadline(ms)} ms`);
    await new Promise((r) => setTimeout(r, 25));
  }
}

export function deskBehaviour(d: DeskUnderTest): void {
  describe(`desk behaviour through the sync engine: ${d.name}`, () => {
    let dir: string;
    let store: SqliteStore;
    let engine: DeskSyncEngine;
    let seq = 0;
    const pushed: string[] = [];
    const run = Date.now().toString(36);

    const deliver = async (...items: ((s: number) => Item)[]) => {
      const made = items.map((m) => m(++seq)) as TicketItem[];
      const at = Date.now();
      const follow = followBatch(at, undefined, engine.jobs);
      await store.applyBatch(DEVICE, at, () => ({ lastSeq: seq, needsFull: false, changes: [], ticketItems: made }), follow);
      await engine.whenIdle();
    };
    const outpostTicket = async (ref: string) => (await store.desk.ticketIdByRef(DEVICE, ref))!;
    const deskTicket = async (ref: string) => (await store.desk.deskIdFor('ticket', String(await outpostTicket(ref))))!;

    before(async () => {
      const desk = await d.start();
      dir = mkdtempSync(join(tmpdir(), 'outpost-desk-behaviour-'));
      const db = openDatabase(dir);
      db.prepare(
        `INSERT INTO devices (id, install_id, hostname, serial, macs, secret_hash, first_seen, last_seen) VALUES (?, 'inst', 'pc-behave', ?, '[]', x'00', 0, 0)`,
      ).run(DEVICE, SERIAL);
      store = new SqliteStore(db);
      engine = new DeskSyncEngine({
        desk,
        store,
        log: silentLogger,
        pollMs: 3_600_000, // polls are started by the test
        requesterDomain: 'example.com',
        mapping: FieldMappingSchema.parse({ account: d.account }),
        backoff: { baseMs: 20, capMs: 200 },
        assetEvents: AssetEventRulesSchema.parse({ volumeLowSpace: true }),
        ticketChanged: (deviceId, ref) => pushed.push(`${deviceId}/${ref}`),
      });
    });
    after(async () => {
      await engine?.stop();
      await store?.close();
      if (dir) rmSync(dir, { recursive: true, force: true });
      await d.stop();
    });

    it("raises a ticket once, on the device's asset, with the account read from it", async () => {
      const assetId = await d.registerDevice(SERIAL, 'pc-behave', 'ACCT-1042');
      engine.start();
      await deliver((s) => createItem(s, 'ref-b-1', `Printer jams ${run}`));
      const id = await deskTicket('ref-b-1');
      const t = await d.ticket(id);
      assert.deepEqual(t.assetIds, [assetId]);
      assert.equal(t.account, 'ACCT-1042');
      await deliver((s) => createItem(s, 'ref-b-1', `Printer jams ${run}`)); // a redelivery
      assert.deepEqual(await d.ticketsWithSubject(`Printer jams ${run}`), [id]);
    });

    it('sends an endpoint note and a worklog to the desk', async () => {
      const id = await deskTicket('ref-b-1');
      await deliver(
        (s) => ({
          seq: s,
          at: AT,
          kind: 'ticket.note',
          body: { ref: 'ref-b-1', noteId: 'note-b-1', requester, text: 'It happened again.', at: AT },
        }),
        (s) => ({
          seq: s,
          at: AT,
          kind: 'worklog',
          body: {
            ref: 'wl-b-1',
            entry: {
              // The desk's number, as the technician reads it on the desk's screen.
              ticketId: id,
              technician: 'tom@example.com',
              start: '2026-03-01T09:00:00Z',
              end: '2026-03-01T09:45:00Z',
              description: 'Cleared the paper path.',
            },
            minutes: 45,
          },
        }),
      );
      assert.deepEqual(await store.desk.jobCounts(), { queued: 0, failed: 0 });
      const t = await d.ticket(id);
      assert.ok(t.publicNotes.includes('It happened again.'), t.publicNotes.join(' | '));
      assert.deepEqual(t.worklogMinutes, [45]);
    });

    it("brings a person's reply and status back to the endpoint", async () => {
      const id = await deskTicket('ref-b-1');
      await d.personReplies(id, 'Fixed: new fuser.');
      await d.personResolves(id);
      engine.pollNow();
      await engine.whenIdle();
      const ticket = (await store.getTicket(await outpostTicket('ref-b-1')))!;
      assert.ok(['resolved', 'closed'].includes(ticket.status), ticket.status);
      assert.ok(
        ticket.notes.some((n) => n.visibility === 'customer' && n.text.includes('Fixed: new fuser.')),
        JSON.stringify(ticket.notes),
      );
      assert.ok(pushed.includes(`${DEVICE}/ref-b-1`));
    });

    it('holds a ticket through an outage and delivers it once when the desk is back', async () => {
      await d.outage(true);
      await deliver((s) => createItem(s, 'ref-b-2', `Scanner dead ${run}`));
      let status = await engine.status();
      assert.deepEqual([status.healthy, status.queued], [false, 1]);
      assert.match(status.lastError ?? '', /E_DESK_UNREACHABLE/);
      await d.outage(false);
      engine.pollNow(); // the poll notices the desk is back and releases the held job
      await eventually('the held ticket reaches the desk', async () => {
        await engine.whenIdle();
        engine.kick();
        return (await engine.status()).queued === 0;
      });
      status = await engine.status();
      assert.deepEqual([status.healthy, status.failed], [true, 0]);
      assert.deepEqual(await d.ticketsWithSubject(`Scanner dead ${run}`), [await deskTicket('ref-b-2')]);
    });

    it('makes no second ticket when the answer to a create was lost', async () => {
      await d.loseNextCreateAnswer();
      await deliver((s) => createItem(s, 'ref-b-3', `Keyboard sticky ${run}`));
      await eventually('the retried ticket is linked', async () => {
        await engine.whenIdle();
        engine.pollNow(); // the desk answers again: held jobs are released
        await engine.whenIdle();
        engine.kick();
        return (
          (await store.desk.ticketIdByRef(DEVICE, 'ref-b-3')) !== null &&
          (await store.desk.deskIdFor('ticket', String(await outpostTicket('ref-b-3')))) !== null
        );
      });
      assert.deepEqual(await d.ticketsWithSubject(`Keyboard sticky ${run}`), [await deskTicket('ref-b-3')]);
    });

    it("raises one low-space ticket on the device's asset, whatever the batches that follow", async () => {
      const host = `pc-behave-${run}`;
      const inventory = (rootFree: number): Snapshot => ({
        ...machine({ hostname: host, serial: SERIAL }),
        volumes: [{ mount: '/', fs: 'ext4', sizeBytes: 100e9, freePercent: rootFree, freeBytes: rootFree * 1e9 }],
      });
      for (const free of [40, 8, 7, 11, 9]) {
        seq++;
        const at = Date.now();
        const outcome = { lastSeq: seq, needsFull: false, ...storedOutcome(inventory(free), `d${seq}`), changes: [] };
        await store.applyBatch(DEVICE, at, () => outcome, followBatch(at, undefined, engine.jobs));
        await engine.whenIdle();
      }
      const ids = await d.ticketsWithSubject(`Low disk space on ${host}: / 8 % free`);
      assert.equal(ids.length, 1);
      assert.deepEqual((await d.ticket(ids[0]!)).assetIds, [await store.desk.deskIdFor('asset', DEVICE)]);
    });
  });
}

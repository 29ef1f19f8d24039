import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { RecordingLogger } from '../../test/fakes/recording-logger.js';
import { planBatch } from '../ingest/plan-batch.js';
import { hashSecret, newSecret } from '../store/secrets.js';
import { SqliteStore } from '../store/sqlite/sqlite-store.js';
import type { Store } from '../store/store.js';
import { issueEnrolmentToken } from '../store/tokens.js';
import { hintsFor, machine } from '../test-support/fixtures.js';
import { eventually } from '../test-support/harness.js';
import { createItem } from '../test-support/ticket-fixtures.js';
import { LiveHub, type LiveMessage } from './hub.js';
import { publishTicketByRef } from './ticket-events.js';

const NOW = Date.parse('2025-06-01T12:00:00.000Z');

describe('publishTicketByRef', () => {
  let dir: string;
  let store: SqliteStore;
  let deviceId: string;

  before(async () => {
    dir = mkdtempSync(join(tmpdir(), 'outpost-live-tickets-'));
    store = SqliteStore.open(dir);
    const token = await issueEnrolmentToken(store);
    const enrolled = await store.enrol({
      tokenHash: hashSecret(token),
      hints: hintsFor(machine({ hostname: 'pc-ref', serial: 'REF-1' }), 'inst-ref'),
      agentVersion: 'test',
      secretHash: hashSecret(newSecret()),
      at: NOW,
    });
    assert.ok(enrolled.ok);
    deviceId = enrolled.deviceId;
    await store.applyBatch(deviceId, NOW, (state) => planBatch(state, [createItem(1, 'ref-by-ref-1')]));
  });
  after(async () => {
    await store.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it("publishes the ticket's number for a device's ticket named by ref", async () => {
    const hub = new LiveHub();
    const got: LiveMessage[] = [];
    hub.subscribe((m) => got.push(m));
    publishTicketByRef(store, hub, new RecordingLogger(), () => NOW)(deviceId, 'ref-by-ref-1');
    await eventually(() => got.length === 1);
    const [stored] = await store.listTickets({ deviceId, limit: 1 });
    assert.deepEqual(got[0], { name: 'ticket', data: { ticketId: stored!.id, deviceId, at: '2025-06-01T12:00:00.000Z' } });
  });

  it('publishes nothing for an unknown ref, and logs a failed lookup instead of throwing', async () => {
    const hub = new LiveHub();
    const got: LiveMessage[] = [];
    hub.subscribe((m) => got.push(m));
    const log = new RecordingLogger();
    publishTicketByRef(store, hub, log, () => NOW)(deviceId, 'ref-unknown');
    const broken: Pick<Store, 'endpointTickets'> = { endpointTickets: () => Promise.reject(new Error('database is locked')) };
    publishTicketByRef(broken, hub, log, () => NOW)(deviceId, 'ref-by-ref-1');
    await eventually(() => log.entries.some((e) => e.fields.err === 'database is locked'));
    assert.deepEqual(got, []);
  });
});

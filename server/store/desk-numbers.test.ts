// How a worklog's ticket number reads (the ingest's rule, written through the store's ledger), and
// which number a ticket shows, with and without a desk.
import assert from 'node:assert/strict';
import { afterEach, beforeEach, it } from 'node:test';
import { createItem, worklogItem } from '../../test/support/server/ticket-fixtures.js';
import { describeStores, freshStore, type StoreUnderTest } from '../../test/support/stores.js';
import { BatchJobRules } from '../desk/sync/batch-jobs.js';
import { followBatch } from '../ingest/apply-tickets.js';
import type { Store } from './store.js';
import type { TicketItem, TicketItemResult } from './ticket-records.js';

const DEVICE = 'dev-numbers';

describeStores('ticket numbers in the store', (engine) => {
  let kit: StoreUnderTest;
  let store: Store;
  let seq = 0;
  // The desk sync turns both on together when it starts with a desk (desk/sync/engine.ts).
  const jobs = new BatchJobRules();
  const connectDesk = (on: boolean) => {
    store.desk.setEnabled(on);
    jobs.setEnabled(on);
  };

  const apply = async (...items: ((s: number) => unknown)[]): Promise<TicketItemResult[]> => {
    const made = items.map((m) => m(++seq)) as TicketItem[];
    const plan = () => ({ lastSeq: seq, needsFull: false, changes: [], ticketItems: made });
    const applied = await store.applyBatch(DEVICE, 1_000, plan, followBatch(1_000, undefined, jobs));
    return applied!.tickets;
  };
  const worklog = async (ticketId: string) => {
    const [r] = await apply((s) => worklogItem(s, `wl-${s}-numbers`, ticketId, '2026-03-01T09:00:00Z', '2026-03-01T09:10:00Z'));
    return r?.type === 'worklog' ? (r.state === 'recorded' ? r.ticketId : r.error.code) : r?.type;
  };

  beforeEach(async () => {
    kit = await freshStore(engine);
    store = kit.store;
    await kit.addDevice(DEVICE, { hostname: 'pc-n' });
    await apply((s) => createItem(s, 'ref-numbers-1'));
  });
  afterEach(async () => {
    connectDesk(false);
    await kit.dispose();
  });

  it("without a desk, a bare number and OP- both name Outpost's ticket, shown as #1", async () => {
    assert.deepEqual([await worklog('1'), await worklog('OP-1'), await worklog('2')], [1, 1, 'E_UNKNOWN_TICKET']);
    assert.equal((await store.endpointTickets(DEVICE, { limit: 5 }))[0]?.label, '#1');
  });

  it("with a desk, a bare number is only ever the desk's; OP- is Outpost's; the label follows the desk link", async () => {
    connectDesk(true);
    const label = async () => (await store.endpointTickets(DEVICE, { limit: 5 }))[0]?.label;
    assert.equal(await label(), 'OP-1', 'not on the desk yet');
    assert.equal(await worklog('1'), 'E_UNKNOWN_TICKET', "Outpost's 1 is not the desk's 1");
    await store.desk.setLink('ticket', '1', '40');
    assert.equal(await label(), '#40');
    assert.deepEqual([await worklog('40'), await worklog('OP-1')], [1, 1]);
    const [found] = await store.listTickets({ query: '#40', limit: 5 });
    assert.deepEqual([found?.id, found?.deskNumber, found?.label], [1, '40', '#40']);
  });

  it('takes over a desk ticket once, with no device, so that it never reaches an endpoint', async () => {
    connectDesk(true);
    const phoned = {
      deskId: '41',
      subject: 'Called in',
      description: '',
      priority: 'normal' as const,
      status: 'open' as const,
      requester: 'kim',
    };
    const id = await store.desk.importDeskTicket(phoned, 2_000);
    assert.equal(await store.desk.importDeskTicket(phoned, 3_000), id);
    assert.equal(await worklog('41'), id);
    const t = (await store.getTicket(id))!;
    assert.deepEqual([t.deviceId, t.label, t.subject, t.worklogs.length], [null, '#41', 'Called in', 1]);
    assert.deepEqual(
      (await store.endpointTickets(DEVICE, { limit: 5 })).map((x) => x.ref),
      ['ref-numbers-1'],
    );
  });
});

import assert from 'node:assert/strict';
import { afterEach, beforeEach, it } from 'node:test';
import { silentLogger } from '../../../shared/log.js';
import { FakeDesk } from '../../../test/fakes/desk-connector.js';
import { describeStores, freshStore, type StoreUnderTest } from '../../../test/support/stores.js';
import type { Store } from '../../store/store.js';
import { importNamedTickets, MAX_LOOKUPS_PER_BATCH } from './desk-tickets.js';

describeStores('desk tickets a worklog names', (engine) => {
  let kit: StoreUnderTest;
  let store: Store;
  let desk: FakeDesk;
  const linked = async (n: string) => {
    const id = await store.desk.outpostIdFor('ticket', n);
    return id === null ? null : (await store.getTicket(Number(id)))!;
  };

  beforeEach(async () => {
    kit = await freshStore(engine);
    store = kit.store;
    desk = new FakeDesk();
  });
  afterEach(async () => {
    await kit.dispose();
  });

  it('takes over a ticket raised in the desk once, looks up nothing already linked, and leaves unknown numbers alone', async () => {
    const phoned = desk.raiseInDesk('Called in: no sound');
    await importNamedTickets(desk, store, [phoned, phoned, '999', 'OP-3'], 1_000, silentLogger);
    assert.deepEqual([(await linked(phoned))?.subject, (await linked(phoned))?.deviceId], ['Called in: no sound', null]);
    assert.equal(await linked('999'), null);
    assert.deepEqual(desk.calls, ['findTicketByNumber', 'findTicketByNumber']);
    await importNamedTickets(desk, store, [phoned], 2_000, silentLogger);
    assert.equal(desk.calls.length, 2, 'a linked number costs no desk call');
  });

  it('keeps a worklog for a desk that does not answer: placeholders, and the desk asked once per batch', async () => {
    desk.down = true;
    await importNamedTickets(desk, store, ['41', '42'], 1_000, silentLogger);
    assert.deepEqual([(await linked('41'))?.subject, (await linked('42'))?.subject], ['Desk ticket #41', 'Desk ticket #42']);
    assert.deepEqual(desk.calls, ['findTicketByNumber'], 'asked once: the second number waits for nothing');
  });

  it(`asks the desk about at most ${MAX_LOOKUPS_PER_BATCH} numbers per batch`, async () => {
    const many = Array.from({ length: MAX_LOOKUPS_PER_BATCH + 5 }, (_, i) => String(1000 + i));
    await importNamedTickets(desk, store, many, 1_000, silentLogger);
    assert.equal(desk.calls.filter((c) => c === 'findTicketByNumber').length, MAX_LOOKUPS_PER_BATCH);
  });
});

// The desk's tickets on a device's asset, as the device page asks for them: those Outpost lists
// itself are left out, open ones come first, and a desk that is slow or down leaves an error, never
// a page that waits on it.
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, it } from 'node:test';
import { DeskError } from '../desk/errors.js';
import type { DeskTicket } from '../desk/types.js';
import { SqliteStore } from '../store/sqlite/sqlite-store.js';
import { deskAssetTickets } from './device-desk-tickets.js';

function deskTicket(id: string, status: DeskTicket['status']): DeskTicket {
  return {
    id,
    subject: `Ticket ${id}`,
    status,
    deskStatus: status === 'pending' ? 'stalled' : status,
    priority: null,
    requesters: [],
    createdAt: '2026-12-01T10:00:00.000Z',
    updatedAt: '2026-12-01T10:00:00.000Z',
    timeWorkedMinutes: null,
    idempotencyKey: null,
    assetIds: null,
  };
}

describe("the desk's tickets on a device's asset", () => {
  let dir: string;
  let store: SqliteStore;

  beforeEach(async () => {
    dir = mkdtempSync(join(tmpdir(), 'outpost-asset-tickets-'));
    store = SqliteStore.open(dir);
    await store.desk.setLink('asset', 'dev-1', '77');
  });
  afterEach(async () => {
    await store.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('asks for the asset the device is linked to and lists the others, open first, in the desk order', async () => {
    const asked: string[] = [];
    const lookup = async (assetId: string) => {
      asked.push(assetId);
      return [deskTicket('40', 'resolved'), deskTicket('39', 'pending'), deskTicket('12', 'open'), deskTicket('11', 'new')];
    };
    const desk = await deskAssetTickets(store, lookup, 'dev-1', new Set(['12']));
    assert.deepEqual(asked, ['77']);
    assert.deepEqual(
      desk?.tickets.map((t) => `${t.deskNumber} ${t.status} ${t.deskStatus}`),
      ['39 pending stalled', '11 new new', '40 resolved resolved'],
    );
    assert.equal(desk?.error, null);
  });

  it('is null without a lookup or before the desk has the asset, and asks the desk nothing then', async () => {
    let asked = 0;
    const lookup = async () => {
      asked++;
      return [];
    };
    assert.equal(await deskAssetTickets(store, null, 'dev-1', new Set()), null);
    assert.equal(await deskAssetTickets(store, lookup, 'dev-without-asset', new Set()), null);
    assert.equal(asked, 0);
  });

  it('gives up on a desk that does not answer in time, with an error and no tickets', async () => {
    const hanging = () => new Promise<DeskTicket[]>(() => undefined);
    const desk = await deskAssetTickets(store, hanging, 'dev-1', new Set(), 10);
    assert.deepEqual(desk?.tickets, []);
    assert.match(desk?.error ?? '', /^E_DESK_UNREACHABLE: .*No answer within/);
  });

  it("gives the desk's refusal as the error, without its tickets", async () => {
    const refusing = async (): Promise<DeskTicket[]> => {
      throw new DeskError('E_DESK_AUTH', 'RT refused the credentials.');
    };
    const desk = await deskAssetTickets(store, refusing, 'dev-1', new Set());
    assert.deepEqual(desk, {
      tickets: [],
      error: "E_DESK_AUTH: The service desk did not list the asset's tickets: RT refused the credentials.",
    });
  });
});

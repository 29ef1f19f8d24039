// What is particular to tickets on PostgreSQL: the ledger answers only what the batch's items
// declared (and a throw writes nothing), and several server processes on one database number their
// tickets without collisions and keep every status change.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { createItem } from '../../../test/support/server/ticket-fixtures.js';
import { freshDatabase } from '../../../test/support/postgres.js';
import { applyTicketItems, followBatch } from '../../ingest/apply-tickets.js';
import type { TicketItem } from '../ticket-records.js';
import { createPool } from './open.js';
import { PostgresStore } from './postgres-store.js';

const AT = 1_700_000_000_000;

describe('tickets on PostgreSQL', () => {
  let url: string;
  let a: PostgresStore;
  let b: PostgresStore;
  before(async () => {
    url = await freshDatabase();
    // Two server processes on one database.
    [a, b] = [await PostgresStore.open(url), await PostgresStore.open(url)];
    const pool = createPool(url, 1);
    for (let i = 0; i < 8; i++) {
      await pool.query(
        `INSERT INTO devices (id, install_id, hostname, macs, secret_hash, first_seen, last_seen) VALUES ($1, 'i', $1, '[]', '\\x00', 0, 0)`,
        [`dev-${i}`],
      );
    }
    await pool.end();
  });
  after(async () => {
    await a.close();
    await b.close();
  });

  const batchOf = (items: TicketItem[]) => () => ({ lastSeq: items.at(-1)!.seq, needsFull: false, changes: [], ticketItems: items });

  it('refuses a read the items did not declare, and the batch then writes nothing', async () => {
    const items = [createItem(1, 'ref-declared') as TicketItem];
    await assert.rejects(
      a.applyBatch('dev-0', AT, batchOf(items), (ledger, outcome) => {
        applyTicketItems(ledger, outcome.ticketItems ?? [], AT);
        ledger.ticket('ref-never-named');
        return { tickets: [], deskJobs: [] };
      }),
      /did not declare/,
    );
    assert.deepEqual(await a.endpointTickets('dev-0', { limit: 10 }), [], 'the ticket written before the throw is gone');
  });

  it('numbers tickets from two processes at once without a collision or a lost ticket', async () => {
    const raised = await Promise.all(
      Array.from({ length: 8 }, (_, i) =>
        (i % 2 ? a : b).applyBatch(
          `dev-${i}`,
          AT,
          batchOf([createItem(5, `ref-${i}-x`) as TicketItem, createItem(6, `ref-${i}-y`) as TicketItem]),
          followBatch(AT),
        ),
      ),
    );
    const ids = raised.flatMap((r) => r!.tickets.map((t) => (t.type === 'ticket' ? t.ticketId : -1)));
    assert.equal(new Set(ids).size, 16);
    assert.equal((await b.listTickets({ limit: 100 })).length, 16);
  });

  it('keeps every status change made from two processes to one ticket', async () => {
    const [ticket] = await a.listTickets({ deviceId: 'dev-1', limit: 1 });
    const statuses = ['open', 'pending', 'resolved', 'closed', 'open', 'resolved'] as const;
    await Promise.all(statuses.map((s, i) => (i % 2 ? a : b).setTicketStatus(ticket!.id, s, AT + i)));
    const changes = (await a.deviceWork.logbook('dev-1', { limit: 100 }))!.filter((e) => e.kind === 'status' && e.ticketId === ticket!.id);
    // Each change saw the status the one before it left (row lock), so the history, in the order the
    // changes were written, is an unbroken chain.
    const chain = changes.sort((x, y) => x.id - y.id).map((e) => e.detail as { from: string; to: string });
    assert.ok(chain.length >= 4, 'changes to the same status make no event; the others all do');
    for (let i = 1; i < chain.length; i++) assert.equal(chain[i]!.from, chain[i - 1]!.to);
    assert.equal(chain.at(-1)?.to, (await a.getTicket(ticket!.id))?.status);
  });
});

import assert from 'node:assert/strict';
import { afterEach, describe, it } from 'node:test';
import type { ServerMessageMap } from '../../shared/protocol.js';
import { eventually, harness, sleep, type Harness } from '../../test/support/link-harness.js';
import { MAX_IN_FLIGHT_BYTES } from './send-window.js';

const ticket = {
  ref: 'ref-00000001',
  number: 7,
  subject: 's',
  description: 'd',
  priority: 'normal',
  status: 'open',
  createdAt: 'x',
  updatedAt: 'y',
  notes: [],
} as const;

describe('Link: tickets and worklog results from the server', () => {
  let h: Harness;
  afterEach(() => h.close());

  it('hands the full list after welcome, changed tickets and worklog results to the agent', async () => {
    const tickets: ServerMessageMap['tickets'][] = [];
    const results: ServerMessageMap['worklog-result'][] = [];
    h = await harness({ server: { desk: true }, link: { onTickets: (m) => tickets.push(m), onWorklogResult: (m) => results.push(m) } });
    h.link.start();
    await eventually(() => tickets.length === 1, 'the full list sent with welcome');
    assert.deepEqual(tickets[0], { type: 'tickets', full: true, tickets: [] });

    h.server.send({ type: 'tickets', full: false, tickets: [{ ...ticket, notes: [] }] });
    h.server.send({
      type: 'worklog-result',
      ref: 'wl-00000001',
      state: 'rejected',
      error: { code: 'E_UNKNOWN_TICKET', message: 'There is no ticket 9.' },
    });
    await eventually(() => tickets.length === 2 && results.length === 1, 'both messages');
    assert.equal(tickets[1]?.tickets[0]?.number, 7);
    assert.deepEqual(results[0]?.error, { code: 'E_UNKNOWN_TICKET', message: 'There is no ticket 9.' });
  });

  it('logs an agent that fails to take a message and stays connected', async () => {
    h = await harness({
      link: {
        onTickets: () => {
          throw new Error('disk full');
        },
      },
    });
    h.link.start();
    await eventually(() => h.link.connected, 'connected');
    h.server.send({ type: 'tickets', full: false, tickets: [{ ...ticket, notes: [] }] });
    await eventually(() => h.log.entries.some((e) => e.msg === 'the agent failed to take a server message'), 'the failure logged');
    assert.equal(h.link.connected, true);
    assert.equal(h.server.connections, 1);
  });

  it('keeps a bounded number of bytes of ticket files in flight, not a whole window of them', async () => {
    h = await harness({ server: { autoAck: false } });
    const content = Buffer.alloc(6 * 1024 * 1024, 1).toString('base64');
    for (let i = 0; i < 6; i++)
      h.outbox.enqueue('ticket.attachment', {
        ref: 'ticket-0001',
        attachment: { name: `f${i}`, type: 'x', contentBase64: content },
        screenshot: false,
      });
    h.link.start();
    const files = () => h.server.messages.flatMap((m) => (m.type === 'items' ? m.items : [])).length;
    const bound = Math.ceil(MAX_IN_FLIGHT_BYTES / content.length);
    assert.ok(bound < 6);
    await h.server.waitFor(() => files() >= bound, 'a window of files', 20_000);
    await sleep(300);
    assert.equal(files(), bound, 'the window is full in bytes long before it is in items');
    h.server.ackAll();
    await h.server.waitFor(() => files() === 6, 'the rest after the ack', 20_000);
    assert.deepEqual(
      h.server.messages.flatMap((m) => (m.type === 'items' ? m.items.length : [])),
      [1, 1, 1, 1, 1, 1],
      'one file per frame',
    );
  });
});

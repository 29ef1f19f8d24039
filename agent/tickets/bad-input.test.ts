// Bad input through the local API: each gets a clear error with a stable code, and neither the
// outbox nor the ticket tables change.
import assert from 'node:assert/strict';
import { createConnection } from 'node:net';
import { after, before, describe, it } from 'node:test';
import { callAgent } from '../local-api/client.js';
import { localApiPath } from '../paths.js';
import { startTestAgent, type TestAgent } from '../../test/support/agent-harness.js';

const MB = 1024 * 1024;

/** Sends one request line, streaming a large string without building a second copy of the frame;
 * with `opener`, a small request line first (the client's way to show its token before a big line). */
function send(
  path: string,
  head: string,
  filler: { bytes: number } | null,
  tail: string,
  opener?: string,
): Promise<{ code?: string; message?: string }> {
  return new Promise((resolve, reject) => {
    const socket = createConnection(path);
    const chunks: Buffer[] = [];
    socket.on('data', (d: Buffer) => {
      chunks.push(d);
      const lines = Buffer.concat(chunks).toString().split('\n');
      const wanted = opener ? 1 : 0;
      if (lines.length > wanted + 1) {
        socket.destroy();
        resolve((JSON.parse(lines[wanted]!) as { error?: { code?: string; message?: string } }).error ?? {});
      }
    });
    socket.on('error', reject);
    socket.on('connect', () => {
      if (opener) socket.write(`${opener}\n`);
      socket.write(head);
      if (filler) socket.write(Buffer.alloc(filler.bytes, 0x61));
      socket.write(`${tail}\n`);
    });
  });
}

describe('bad input through the local API', () => {
  let t: TestAgent;
  let baseline: Record<string, number>;
  let existingRef: string;
  before(async () => {
    t = await startTestAgent();
    existingRef = (await t.call('alice', 'ticket.create', { subject: 'Existing', description: 'So the tables are not empty.' })).ref;
    await t.call('admin', 'worklog.start', { ticketId: '7', technician: 'Sam' });
    baseline = t.counts();
  });
  after(() => t.close());

  const unchanged = () => assert.deepEqual(t.counts(), baseline, 'the outbox and the ticket tables did not change');

  it('refuses a ticket without a subject, naming the field', async () => {
    await assert.rejects(t.call('alice', 'ticket.create', { subject: '   ', description: 'x' }), (err: Error & { code?: string }) => {
      assert.equal(err.code, 'E_BAD_REQUEST');
      assert.match(err.message, /^subject: /);
      return true;
    });
    await assert.rejects(t.call('alice', 'ticket.create', { description: 'x' } as never), { code: 'E_BAD_REQUEST', message: /subject/ });
    unchanged();
  });

  it('refuses a description over 100,000 characters', async () => {
    await assert.rejects(t.call('alice', 'ticket.create', { subject: 's', description: 'd'.repeat(150_000) }), {
      code: 'E_BAD_REQUEST',
      message: /^description: /,
    });
    unchanged();
  });

  it('refuses a 50 MB description at the line limit, and still serves afterwards', async () => {
    const head = `{"id":1,"method":"ticket.create","auth":"${t.token('alice')}","params":{"subject":"big","description":"`;
    const opener = JSON.stringify({ id: 0, method: 'status', params: {}, auth: t.token('alice') });
    const error = await send(localApiPath(t.stateDir), head, { bytes: 50 * MB }, '"}}', opener);
    assert.equal(error.code, 'E_TOO_LARGE');
    assert.match(error.message ?? '', /48 MB/);
    // The token inside a line is not read until the line ends: before a valid token, 64 KB is the limit.
    const early = await send(localApiPath(t.stateDir), head, { bytes: 1 * MB }, '"}}');
    assert.equal(early.code, 'E_TOO_LARGE');
    assert.match(early.message ?? '', /64 KB before a valid token/);
    unchanged();
    assert.equal((await t.call('alice', 'ticket.get', { ref: existingRef })).subject, 'Existing');
  });

  it('refuses attachments over 10 MB each or 25 MB together', async () => {
    const file = (mb: number) => ({ name: `f${mb}.bin`, contentBase64: Buffer.alloc(Math.round(mb * MB)).toString('base64') });
    await assert.rejects(t.call('alice', 'ticket.create', { subject: 's', description: 'd', attachments: [file(10.5)] }), {
      code: 'E_BAD_REQUEST',
      message: /^attachments\.0\.contentBase64: .*10 MB/,
    });
    await assert.rejects(t.call('alice', 'ticket.create', { subject: 's', description: 'd', attachments: [file(9), file(9), file(9)] }), {
      code: 'E_BAD_REQUEST',
      message: /^attachments: .*25 MB/,
    });
    await assert.rejects(
      t.call('alice', 'ticket.create', { subject: 's', description: 'd', attachments: [{ name: '../etc/passwd', contentBase64: '' }] }),
      { code: 'E_BAD_REQUEST', message: /not a path/ },
    );
    unchanged();
  });

  it('refuses an unknown method', async () => {
    await assert.rejects(callAgent(localApiPath(t.stateDir), 'tickets.delete' as never, {} as never, 5_000, { auth: t.token('admin') }), {
      code: 'E_UNKNOWN_METHOD',
    });
    unchanged();
  });

  it('answers an unknown ticket reference with E_NOT_FOUND, for every ticket method', async () => {
    const ref = 'NoSuchTicket123';
    for (const [method, params] of [
      ['ticket.get', { ref }],
      ['ticket.note', { ref, text: 'hello?' }],
      ['ticket.close', { ref }],
    ] as const) {
      await assert.rejects(t.call('admin', method, params), { code: 'E_NOT_FOUND', message: /NoSuchTicket123/ }, method);
    }
    await assert.rejects(t.call('admin', 'worklog.retry', { ref, ticketId: '1' }), { code: 'E_NOT_FOUND' });
    unchanged();
  });

  it('refuses bad worklogs: end before start, over 24 hours, a second running session, a ticket that is no number', async () => {
    const w = { ticketId: '1000', technician: 'Sam', description: '' };
    await assert.rejects(t.call('admin', 'worklog.add', { ...w, start: '2025-03-01T10:00:00Z', end: '2025-03-01T09:00:00Z' }), {
      code: 'E_BAD_REQUEST',
      message: /^end: must be after start/,
    });
    await assert.rejects(t.call('admin', 'worklog.add', { ...w, start: '2025-03-01T10:00:00Z', end: '2025-03-02T10:01:00Z' }), {
      code: 'E_BAD_REQUEST',
      message: /24 hours/,
    });
    await assert.rejects(t.call('admin', 'worklog.add', { ...w, start: 'yesterday', end: '2025-03-02T10:01:00Z' }), {
      code: 'E_BAD_REQUEST',
      message: /^start: /,
    });
    await assert.rejects(
      t.call('admin', 'worklog.add', { ...w, ticketId: 'printer', start: '2025-03-01T09:00:00Z', end: '2025-03-01T10:00:00Z' }),
      { code: 'E_BAD_REQUEST', message: /ticket number/ },
    );
    await assert.rejects(t.call('admin', 'worklog.start', { ticketId: '8', technician: 'Sam' }), {
      code: 'E_CONFLICT',
      message: /already running/,
    });
    await assert.rejects(t.call('bob', 'worklog.stop', {}), { code: 'E_FORBIDDEN', message: /support staff/ });
    unchanged();
  });

  it('refuses callers that are not logged on, whatever they ask', async () => {
    for (const auth of ['', 'forged-0123456789abcdef', t.token('alice').toUpperCase()]) {
      await assert.rejects(t.call({ auth }, 'ticket.create', { subject: 's', description: 'd' }), {
        code: 'E_NOT_LOGGED_ON',
        message: 'You are not a logged-on user of this machine.',
      });
      await assert.rejects(t.call({ auth }, 'worklog.stop', {}), { code: 'E_NOT_LOGGED_ON' });
      await assert.rejects(t.call({ auth }, 'scan.now', {}), { code: 'E_NOT_LOGGED_ON' });
    }
    unchanged();
  });
});

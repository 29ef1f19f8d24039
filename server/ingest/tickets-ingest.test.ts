import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { after, before, describe, it } from 'node:test';
import type { EndpointTicket } from '../../shared/tickets.js';
import { hintsFor, machine } from '../../test/support/server/fixtures.js';
import { eventually, startHarness, type ErrorBody, type Harness } from '../../test/support/server/harness.js';
import { TestAgent } from '../../test/support/server/test-agent.js';
import {
  alice,
  attachmentItem,
  closeItem,
  createItem,
  deviceDetails,
  noteItem,
  reopenItem,
  worklogItem,
} from '../../test/support/server/ticket-fixtures.js';

interface TicketJson {
  id: number;
  ref: string;
  status: string;
  deviceId: string;
  hostname: string;
  requester: unknown;
  device: Record<string, unknown>;
  notes: { id: string; author: string; text: string; visibility: string; fromEndpoint: boolean }[];
  attachments: { id: number; name: string; type: string; size: number; screenshot: boolean }[];
  worklogs: { technician: string; start: string; end: string; minutes: number; description: string; deviceId: string; hostname: string }[];
}

const MB = 1024 * 1024;

describe('tickets from endpoints', () => {
  let h: Harness;
  let token: string;
  const agents: TestAgent[] = [];

  /** A connected, enrolled device whose welcome messages have been taken. Tests that send many
   * megabytes of random bytes leave compression off: it would only cost time. */
  const device = async (name: string, options: { perMessageDeflate?: boolean } = {}) => {
    const agent = await TestAgent.connect(h.wsUrl, options);
    agents.push(agent);
    const hints = hintsFor(machine({ hostname: name, serial: `SN-${name}` }), `inst-${name}`);
    const creds = await agent.enrol(token, hints);
    agent.discard('command');
    agent.discard('tickets');
    return { agent, hints, ...creds };
  };
  const ticket = async (id: number) => (await h.api<TicketJson>(`/api/tickets/${id}`)).body;
  /** Sends a batch and takes what the server answers before its ack. A batch of megabytes is read
   * in the frame worker, which the first one starts (slowly under tsx on a loaded machine). */
  const deliver = async (agent: TestAgent, items: Parameters<TestAgent['sendItems']>[0]) => {
    agent.sendItems(items);
    return (await agent.next('ack', 30_000)).seq;
  };

  before(async () => {
    h = await startHarness();
    token = await h.server.createEnrolmentToken();
  });
  after(async () => {
    await Promise.all(agents.map((a) => a.close()));
    await h.close();
  });

  it('numbers each ticket in turn and stores it with the requester and the authenticated device', async () => {
    const { agent, deviceId } = await device('tk-number');
    agent.sendItems([createItem(1, 'ref-number-1', { device: deviceDetails('tk-number', { deviceId: 'not-my-id' }) })]);
    const first = (await agent.next('tickets')).tickets;
    assert.equal((await agent.next('ack')).seq, 1);
    assert.equal(first.length, 1);
    // Without a desk, the label people see is Outpost's own number.
    assert.equal(first[0]!.label, `#${first[0]!.number}`);
    assert.deepEqual(
      { ...first[0], number: 0, label: '' },
      {
        ref: 'ref-number-1',
        number: 0,
        label: '',
        subject: 'Printer on floor 2 jams',
        description: 'Every second page jams since this morning.',
        priority: 'normal',
        status: 'new',
        createdAt: '2025-03-04T09:00:00.000Z',
        updatedAt: first[0]!.updatedAt,
        notes: [],
      },
    );

    await deliver(agent, [createItem(2, 'ref-number-2', { priority: 'urgent', category: 'Hardware' })]);
    const second = (await agent.next('tickets')).tickets[0]!;
    assert.equal(second.number, first[0]!.number! + 1);

    const stored = await ticket(first[0]!.number!);
    assert.equal(stored.status, 'new');
    assert.equal(stored.deviceId, deviceId);
    assert.equal(stored.hostname, 'tk-number');
    assert.deepEqual(stored.requester, alice);
    // From the server's record of the device (no inventory yet: what enrolment told it), not the
    // details the endpoint wrote into the ticket (a Dell at 10.0.0.5 running Debian).
    assert.deepEqual(stored.device, {
      deviceId,
      hostname: 'tk-number',
      serial: 'SN-tk-number',
      os: 'unknown',
      ip: [],
      loggedOnUser: 'alice',
    });
  });

  it('applies a redelivered create, note and worklog once, by seq and by reference after a re-enrolment', async () => {
    const { agent, hints, deviceId } = await device('tk-redeliver');
    const target = await deliver(agent, [createItem(1, 'ref-redeliver')]).then(
      async () => (await agent.next('tickets')).tickets[0]!.number!,
    );
    const batch = [
      noteItem(2, 'ref-redeliver', 'note-redeliver-1', 'It jams on duplex only.'),
      worklogItem(3, 'wl-redeliver-1', target, '2025-03-04T10:00:00Z', '2025-03-04T10:20:00Z'),
    ];
    await deliver(agent, batch);
    assert.equal((await agent.next('worklog-result')).state, 'recorded');
    agent.discard('tickets');

    // The ack was lost: the same seqs again. Answered again, applied nothing.
    agent.sendItems(batch);
    assert.equal((await agent.next('error')).code, 'E_SEQ_REPLAYED');
    assert.deepEqual(await agent.next('worklog-result'), { type: 'worklog-result', ref: 'wl-redeliver-1', state: 'recorded' });
    const resent = await agent.next('tickets');
    assert.deepEqual(
      resent.tickets.map((t) => [t.ref, t.notes.length]),
      [['ref-redeliver', 1]],
    );
    assert.equal((await agent.next('ack')).seq, 3);

    // Re-enrolment (while the device is offline: a connected device is never continued) restarts the
    // seq: the same items arrive as new seqs and must still not duplicate.
    await agent.close();
    await eventually(() => !h.server.isOnline(deviceId));
    const again = await TestAgent.connect(h.wsUrl);
    agents.push(again);
    await again.enrol(token, hints);
    await deliver(again, [createItem(1, 'ref-redeliver'), ...batch.map((item, i) => ({ ...item, seq: i + 2 }))]);
    assert.equal((await again.next('worklog-result')).state, 'recorded');

    const stored = await ticket(target);
    assert.equal(stored.notes.filter((n) => n.fromEndpoint).length, 1);
    assert.equal(stored.worklogs.length, 1);
    const listed = await h.api<{ items: { ref: string }[] }>(`/api/tickets?device=${stored.deviceId}`);
    assert.deepEqual(
      listed.body.items.map((t) => t.ref),
      ['ref-redeliver'],
    );
  });

  it('stores attachments and serves them byte for byte, never as active content', async () => {
    const { agent } = await device('tk-files', { perMessageDeflate: false });
    const dump = randomBytes(3 * MB);
    const png = Buffer.concat([Buffer.from('89504e470d0a1a0a', 'hex'), randomBytes(2048)]);
    const page = Buffer.from('<script>alert(1)</script>');
    await deliver(agent, [
      createItem(1, 'ref-files', { attachments: 3 }),
      attachmentItem(2, 'ref-files', 'crash dump.bin', dump),
      attachmentItem(3, 'ref-files', 'screen.png', png, { type: 'image/png', screenshot: true }),
      attachmentItem(4, 'ref-files', 'résumé.html', page, { type: 'text/html' }),
      // Sent again after a lost ack with a new seq: the same file once.
      attachmentItem(5, 'ref-files', 'crash dump.bin', dump),
    ]);
    const number = (await agent.next('tickets')).tickets[0]!.number!;
    const stored = await ticket(number);
    assert.deepEqual(
      stored.attachments.map((a) => [a.name, a.type, a.size, a.screenshot]),
      [
        ['crash dump.bin', 'application/octet-stream', dump.length, false],
        ['screen.png', 'image/png', png.length, true],
        ['résumé.html', 'text/html', page.length, false],
      ],
    );
    const download = async (i: number) =>
      fetch(`${h.url}/api/tickets/${number}/attachments/${stored.attachments[i]!.id}`, {
        headers: { authorization: `Bearer ${h.adminToken}` },
      });
    const bin = await download(0);
    assert.deepEqual(Buffer.from(await bin.arrayBuffer()), dump);
    assert.equal(bin.headers.get('content-disposition'), `attachment; filename="crash dump.bin"; filename*=UTF-8''crash%20dump.bin`);
    const shot = await download(1);
    assert.equal(shot.headers.get('content-type'), 'image/png');
    assert.deepEqual(Buffer.from(await shot.arrayBuffer()), png);
    const html = await download(2);
    assert.equal(html.headers.get('content-type'), 'application/octet-stream');
    assert.equal(html.headers.get('x-content-type-options'), 'nosniff');
    assert.match(html.headers.get('content-disposition')!, /^attachment; filename="r_sum_.html"; filename\*=UTF-8''r%C3%A9sum%C3%A9.html$/);
    assert.deepEqual(Buffer.from(await html.arrayBuffer()), page);

    const elsewhere = await h.api<ErrorBody>(`/api/tickets/${number - 1 || number + 1}/attachments/${stored.attachments[0]!.id}`);
    assert.deepEqual([elsewhere.status, elsewhere.body.error.code], [404, 'E_NOT_FOUND']);
  });

  it('enforces the attachment limits again: size per file, total per ticket, file count', async () => {
    const { agent } = await device('tk-limits', { perMessageDeflate: false });
    const nine = randomBytes(9 * MB);
    agent.sendItems([
      createItem(1, 'ref-limits', { attachments: 11, device: deviceDetails('tk-limits') }),
      // One byte over 10 MB still fits the schema's base64 length; the server counts the bytes.
      attachmentItem(2, 'ref-limits', 'big.iso', randomBytes(10 * MB + 1)),
    ]);
    const big = await agent.next('error');
    assert.deepEqual([big.code, big.seq, big.fatal], ['E_TOO_LARGE', 2, false]);
    assert.match(big.message, /"big\.iso": a file is at most 10 MB/);
    assert.equal((await agent.next('ack')).seq, 2);

    await deliver(agent, [attachmentItem(3, 'ref-limits', 'a.bin', nine)]);
    await deliver(agent, [attachmentItem(4, 'ref-limits', 'b.bin', randomBytes(9 * MB))]);
    agent.sendItems([attachmentItem(5, 'ref-limits', 'c.bin', randomBytes(9 * MB))]);
    assert.match((await agent.next('error')).message, /add up to at most 25 MB/);
    await agent.next('ack');

    agent.sendItems(Array.from({ length: 9 }, (_, i) => attachmentItem(6 + i, 'ref-limits', `small-${i}.txt`, Buffer.from(`file ${i}`))));
    const tooMany = await agent.next('error');
    assert.deepEqual([tooMany.code, tooMany.seq], ['E_TOO_LARGE', 14]);
    assert.match(tooMany.message, /at most 10 files/);
    assert.equal((await agent.next('ack')).seq, 14);

    const number = (await h.api<{ items: { id: number; ref: string }[] }>('/api/tickets?q=tk-limits')).body.items[0]!.id;
    const stored = await ticket(number);
    assert.deepEqual(
      stored.attachments.map((a) => a.name),
      ['a.bin', 'b.bin', ...Array.from({ length: 8 }, (_, i) => `small-${i}.txt`)],
    );
  });

  it('refuses a worklog for an unknown ticket with a message the technician can act on, and stores it once corrected', async () => {
    const { agent, deviceId } = await device('tk-unknown');
    await deliver(agent, [worklogItem(1, 'wl-unknown-1', '99999', '2025-03-04T10:00:00Z', '2025-03-04T10:30:00Z')]);
    const result = await agent.next('worklog-result');
    assert.deepEqual(result, {
      type: 'worklog-result',
      ref: 'wl-unknown-1',
      state: 'rejected',
      error: { code: 'E_UNKNOWN_TICKET', message: 'There is no ticket 99999. Check the ticket number and send the worklog again.' },
    });
    const all = (await h.api<{ items: { id: number }[] }>('/api/tickets?limit=1000')).body.items;
    for (const t of all)
      assert.equal(
        (await ticket(t.id)).worklogs.some((w) => w.deviceId === deviceId),
        false,
        'nothing stored',
      );

    // The tray keeps the worklog; the technician corrects the number and it is sent again.
    await deliver(agent, [createItem(2, 'ref-unknown')]);
    const number = (await agent.next('tickets')).tickets[0]!.number!;
    await deliver(agent, [worklogItem(3, 'wl-unknown-1', `#${number}`, '2025-03-04T10:00:00Z', '2025-03-04T10:30:00Z')]);
    assert.equal((await agent.next('worklog-result')).state, 'recorded');
    assert.equal((await ticket(number)).worklogs.length, 1);
  });

  it("records a technician's 45-minute worklog against another device's ticket", async () => {
    const owner = await device('tk-owner');
    await deliver(owner.agent, [createItem(1, 'ref-owner', { device: deviceDetails('tk-owner') })]);
    const number = (await owner.agent.next('tickets')).tickets[0]!.number!;
    const tech = await device('tk-tech');
    await deliver(tech.agent, [
      worklogItem(1, 'wl-tech-0001', number, '2025-03-04T11:15:00+01:00', '2025-03-04T11:00:00Z', {
        technician: 'Tom Tech',
        description: 'Replaced the fuser.',
      }),
    ]);
    assert.equal((await tech.agent.next('worklog-result')).state, 'recorded');
    assert.deepEqual((await ticket(number)).worklogs, [
      {
        ...(await ticket(number)).worklogs[0],
        technician: 'Tom Tech',
        start: '2025-03-04T10:15:00.000Z',
        end: '2025-03-04T11:00:00.000Z',
        minutes: 45,
        description: 'Replaced the fuser.',
        deviceId: tech.deviceId,
        hostname: 'tk-tech',
      },
    ]);
    assert.equal(
      tech.agent.pending().some((m) => m.type === 'tickets'),
      false,
      "another device's ticket is not sent to the technician",
    );
  });

  it('closes a ticket from the endpoint with a note of who closed it, and refuses items for unknown references', async () => {
    const { agent } = await device('tk-close');
    await deliver(agent, [createItem(1, 'ref-close')]);
    agent.discard('tickets');
    await deliver(agent, [closeItem(2, 'ref-close'), closeItem(3, 'ref-close')]);
    const closed = (await agent.next('tickets')).tickets[0]!;
    assert.equal(closed.status, 'closed');
    assert.deepEqual(
      closed.notes.map((n) => [n.author, n.text, n.fromEndpoint]),
      [['Alice Example', 'Closed at the endpoint by Alice Example.', true]],
    );

    agent.sendItems([noteItem(4, 'ref-never-raised', 'note-never-1', 'hello'), closeItem(5, 'ref-never-raised')]);
    assert.deepEqual([(await agent.next('error')).code, (await agent.next('error')).seq], ['E_UNKNOWN_TICKET', 5]);
    assert.equal((await agent.next('ack')).seq, 5);
  });

  it('reopens a resolved ticket from the endpoint with the note saying why, once however often it arrives', async () => {
    const { agent } = await device('tk-reopen');
    await deliver(agent, [createItem(1, 'ref-reopen')]);
    const id = (await agent.next('tickets')).tickets[0]!.number!;
    // Reopening a ticket that is still open only adds the note.
    await deliver(agent, [reopenItem(2, 'ref-reopen', 'note-reopen-1', 'Any news?')]);
    assert.equal((await agent.next('tickets')).tickets[0]!.status, 'new');
    const patched = await h.api(`/api/tickets/${id}`, {
      method: 'PATCH',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ status: 'resolved' }),
    });
    assert.equal(patched.status, 200);
    assert.equal((await agent.next('tickets')).tickets[0]!.status, 'resolved', 'IT resolving it reaches the device');
    await deliver(agent, [
      reopenItem(3, 'ref-reopen', 'note-reopen-2', 'Still broken.'),
      reopenItem(4, 'ref-reopen', 'note-reopen-2', 'Still broken.'),
    ]);
    const reopened = (await agent.next('tickets')).tickets[0]!;
    assert.equal(reopened.status, 'open');
    assert.deepEqual(
      reopened.notes.map((n) => n.text),
      ['Any news?', 'Still broken.'],
    );
    const stored = await ticket(id);
    assert.equal(stored.status, 'open');
    assert.deepEqual(
      stored.notes.filter((n) => n.fromEndpoint).map((n) => [n.text, n.visibility]),
      [
        ['Any news?', 'customer'],
        ['Still broken.', 'customer'],
      ],
    );

    agent.sendItems([reopenItem(5, 'ref-never-raised', 'note-reopen-3', 'hello')]);
    assert.equal((await agent.next('error')).code, 'E_UNKNOWN_TICKET');
  });

  it('refuses malformed ticket items as a whole batch, applies none of it and keeps serving', async () => {
    const { agent, deviceId } = await device('tk-malformed');
    const good = createItem(1, 'ref-malformed');
    const bad = [
      attachmentItem(2, 'ref-malformed', '../../etc/passwd', Buffer.from('x')),
      worklogItem(2, 'wl-malformed', 1, '2025-03-04T10:00:00Z', '2025-03-04T09:00:00Z'),
      worklogItem(2, 'wl-malformed', 1, '2025-03-04T10:00:00Z', '2025-03-05T10:00:01Z'),
      createItem(2, 'ref/slash/x'),
      createItem(2, 'ref-long-subject', { subject: 's'.repeat(201) }),
      { ...noteItem(2, 'ref-malformed', 'note-malformed', 'x'), body: { ref: 'ref-malformed', text: 'no id' } },
    ];
    for (const item of bad) {
      agent.sendItems([good, item as typeof good]);
      const error = await agent.next('error');
      assert.deepEqual([error.code, error.fatal], ['E_BAD_MESSAGE', false], JSON.stringify(item).slice(0, 120));
    }
    const listed = await h.api<{ items: unknown[] }>(`/api/tickets?device=${deviceId}`);
    assert.deepEqual(listed.body.items, []);
    assert.equal(await deliver(agent, [good]), 1);
  });

  it('sends the full ticket list on every welcome, and an empty one to a device without tickets', async () => {
    const { agent, deviceId, secret, hints } = await device('tk-welcome');
    await deliver(agent, [
      createItem(1, 'ref-welcome-1'),
      createItem(2, 'ref-welcome-2'),
      noteItem(3, 'ref-welcome-1', 'note-welcome-1', 'More detail.'),
    ]);
    await agent.close();

    const back = await TestAgent.connect(h.wsUrl);
    agents.push(back);
    await back.hello(deviceId, secret, hints);
    const list = await back.next('tickets');
    assert.equal(list.full, true);
    assert.deepEqual(
      list.tickets.map((t: EndpointTicket) => [t.ref, t.status, t.notes.map((n) => n.text)]),
      [
        ['ref-welcome-2', 'new', []],
        ['ref-welcome-1', 'new', ['More detail.']],
      ],
    );

    const fresh = await TestAgent.connect(h.wsUrl);
    agents.push(fresh);
    await fresh.enrol(token, hintsFor(machine({ hostname: 'tk-empty', serial: 'SN-tk-empty' }), 'inst-tk-empty'));
    assert.deepEqual(await fresh.next('tickets'), { type: 'tickets', full: true, tickets: [] });
  });
});

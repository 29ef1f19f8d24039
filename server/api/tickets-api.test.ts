import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { hintsFor, machine } from '../../test/support/server/fixtures.js';
import { startHarness, type ErrorBody, type Harness } from '../../test/support/server/harness.js';
import { TestAgent } from '../../test/support/server/test-agent.js';
import { attachmentItem, createItem, deviceDetails, noteItem, worklogItem } from '../../test/support/server/ticket-fixtures.js';

interface Summary {
  id: number;
  ref: string;
  subject: string;
  status: string;
  priority: string;
  category: string | null;
  requester: { account: string };
  deviceId: string;
  hostname: string;
  createdAt: string;
  updatedAt: string;
}
interface Page {
  items: Summary[];
  nextBefore: number | null;
}
interface Note {
  id: string;
  author: string;
  text: string;
  visibility: string;
  fromEndpoint: boolean;
}
interface Detail extends Summary {
  description: string;
  device: { hostname: string };
  notes: Note[];
  attachments: { name: string; size: number }[];
  worklogs: { minutes: number; technician: string }[];
  minutesLogged: number;
}

describe('tickets API', () => {
  let h: Harness;
  let online: TestAgent;
  let onlineId: string;
  let away: { deviceId: string; secret: string; hints: ReturnType<typeof hintsFor> };
  const numbers: Record<string, number> = {};
  const json = (method: string, body: unknown) => ({ method, headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });

  before(async () => {
    h = await startHarness();
    const token = await h.server.createEnrolmentToken();
    online = await TestAgent.connect(h.wsUrl);
    ({ deviceId: onlineId } = await online.enrol(token, hintsFor(machine({ hostname: 'desk-pc', serial: 'DESK-1' }), 'inst-desk-pc')));
    online.sendItems([
      createItem(1, 'ref-printer', { device: deviceDetails('desk-pc') }),
      createItem(2, 'ref-vpn-1', {
        subject: 'VPN drops every hour',
        priority: 'high',
        category: 'Network',
        device: deviceDetails('desk-pc'),
      }),
      createItem(3, 'ref-mouse', { subject: 'Mouse is sticky', priority: 'low', device: deviceDetails('desk-pc'), attachments: 1 }),
      attachmentItem(4, 'ref-mouse', 'mouse.jpg', Buffer.from('not really a jpeg'), { type: 'image/jpeg' }),
      noteItem(5, 'ref-vpn-1', 'note-vpn-0001', 'It happens on Wi-Fi only.'),
    ]);
    await online.next('ack');
    const gone = await TestAgent.connect(h.wsUrl);
    const hints = hintsFor(machine({ hostname: 'away-pc', serial: 'AWAY-1' }), 'inst-away-pc');
    away = { ...(await gone.enrol(token, hints)), hints };
    gone.sendItems([createItem(1, 'ref-away', { subject: 'Laptop will not charge', device: deviceDetails('away-pc', { ip: [] }) })]);
    await gone.next('ack');
    await gone.close();
    for (const t of (await h.api<Page>('/api/tickets')).body.items) numbers[t.ref] = t.id;
    online.discard('tickets');
    online.discard('command');
  });
  after(async () => {
    await online.close();
    await h.close();
  });

  it('lists tickets newest first, filtered by status, device and text, a page at a time', async () => {
    const all = await h.api<Page>('/api/tickets');
    assert.deepEqual(
      all.body.items.map((t) => t.ref),
      ['ref-away', 'ref-mouse', 'ref-vpn-1', 'ref-printer'],
    );
    const vpn = all.body.items.find((t) => t.ref === 'ref-vpn-1')!;
    assert.deepEqual(vpn, {
      ...vpn,
      subject: 'VPN drops every hour',
      status: 'new',
      priority: 'high',
      category: 'Network',
      deviceId: onlineId,
      hostname: 'desk-pc',
      createdAt: '2025-03-04T09:00:00.000Z',
    });
    assert.equal(vpn.requester.account, 'alice');
    assert.equal(all.body.nextBefore, null);

    const byDevice = await h.api<Page>(`/api/tickets?device=${away.deviceId}`);
    assert.deepEqual(
      byDevice.body.items.map((t) => t.ref),
      ['ref-away'],
    );
    const byText = async (q: string) => (await h.api<Page>(`/api/tickets?q=${encodeURIComponent(q)}`)).body.items.map((t) => t.ref);
    assert.deepEqual(await byText('vpn DROPS'), ['ref-vpn-1']);
    assert.deepEqual(await byText('away-pc'), ['ref-away']);
    assert.deepEqual(await byText(`#${numbers['ref-mouse']}`), ['ref-mouse']);
    assert.deepEqual(await byText('100%'), []);

    const first = await h.api<Page>('/api/tickets?limit=3');
    assert.equal(first.body.items.length, 3);
    const rest = await h.api<Page>(`/api/tickets?limit=3&before=${first.body.nextBefore}`);
    assert.deepEqual(
      rest.body.items.map((t) => t.ref),
      ['ref-printer'],
    );

    for (const bad of ['status=bogus', 'status=new,', 'limit=0', 'limit=1001', 'before=-1', 'limit=ten', `q=${'x'.repeat(201)}`]) {
      const res = await h.api<ErrorBody>(`/api/tickets?${bad}`);
      assert.deepEqual([res.status, res.body.error.code], [400, 'E_BAD_REQUEST'], bad);
    }
    assert.equal((await h.api('/api/tickets', { token: null })).status, 401);
  });

  it('shows one ticket with its description, device, notes, files and worklogs', async () => {
    online.sendItems([worklogItem(6, 'wl-api-00001', numbers['ref-vpn-1']!, '2025-03-04T12:00:00Z', '2025-03-04T12:30:00Z')]);
    await online.next('ack');
    const { status, body } = await h.api<Detail>(`/api/tickets/${numbers['ref-vpn-1']}`);
    assert.equal(status, 200);
    assert.equal(body.description, 'Every second page jams since this morning.');
    assert.equal(body.device.hostname, 'desk-pc');
    assert.deepEqual(
      body.notes.map((n) => [n.author, n.text, n.visibility, n.fromEndpoint]),
      [['Alice Example', 'It happens on Wi-Fi only.', 'customer', true]],
    );
    assert.deepEqual([body.worklogs.map((w) => w.minutes), body.minutesLogged], [[30], 30]);
    const mouse = await h.api<Detail>(`/api/tickets/${numbers['ref-mouse']}`);
    assert.deepEqual(
      mouse.body.attachments.map((a) => [a.name, a.size]),
      [['mouse.jpg', 17]],
    );

    for (const [path, code] of [
      ['/api/tickets/99999', 404],
      ['/api/tickets/abc', 400],
      ['/api/tickets/0', 400],
      ['/api/tickets/99999999999', 400],
      [`/api/tickets/${numbers['ref-mouse']}/attachments/99999`, 404],
    ] as const) {
      const res = await h.api<ErrorBody>(path);
      assert.deepEqual([res.status, res.body.error.code], [code, code === 404 ? 'E_NOT_FOUND' : 'E_BAD_REQUEST'], path);
    }
  });

  it('pushes a status change to the online device, once, and keeps it for an offline one', async () => {
    const patched = await h.api<Detail>(`/api/tickets/${numbers['ref-printer']}`, json('PATCH', { status: 'open' }));
    assert.deepEqual([patched.status, patched.body.status], [200, 'open']);
    const pushed = await online.next('tickets');
    assert.equal(pushed.full, false);
    assert.deepEqual(
      pushed.tickets.map((t) => [t.ref, t.number, t.status]),
      [['ref-printer', numbers['ref-printer'], 'open']],
    );

    // The same status again changes nothing and sends nothing: the next push is the next change.
    await h.api(`/api/tickets/${numbers['ref-printer']}`, json('PATCH', { status: 'open' }));
    await h.api(`/api/tickets/${numbers['ref-printer']}`, json('PATCH', { status: 'pending' }));
    assert.equal((await online.next('tickets')).tickets[0]!.status, 'pending');

    const offline = await h.api<Detail>(`/api/tickets/${numbers['ref-away']}`, json('PATCH', { status: 'resolved' }));
    assert.equal(offline.body.status, 'resolved');
    const waiting = await h.api<Page>('/api/tickets?status=pending,resolved');
    assert.deepEqual(
      waiting.body.items.map((t) => t.ref),
      ['ref-away', 'ref-printer'],
    );
    const back = await TestAgent.connect(h.wsUrl);
    try {
      await back.hello(away.deviceId, away.secret, away.hints);
      const list = await back.next('tickets');
      assert.deepEqual([list.full, list.tickets.map((t) => [t.ref, t.status])], [true, [['ref-away', 'resolved']]]);
    } finally {
      await back.close();
    }
  });

  it('sends customer-facing notes to the device and never internal ones', async () => {
    const ticket = numbers['ref-vpn-1']!;
    const internal = await h.api<Note>(
      `/api/tickets/${ticket}/notes`,
      json('POST', { text: 'User is on the old VPN client.', visibility: 'internal', author: 'Sam (L2)' }),
    );
    assert.equal(internal.status, 201);
    assert.deepEqual(
      { ...internal.body, id: '' },
      {
        id: '',
        author: 'Sam (L2)',
        text: 'User is on the old VPN client.',
        at: (internal.body as Note & { at: string }).at,
        visibility: 'internal',
        fromEndpoint: false,
      },
    );
    const reply = await h.api<Note>(
      `/api/tickets/${ticket}/notes`,
      json('POST', { text: 'Please update the VPN client from the portal.', visibility: 'customer' }),
    );
    assert.deepEqual([reply.status, reply.body.author], [201, 'IT']);

    // Messages arrive in order: had the internal note been pushed, it would be first.
    const pushed = await online.next('tickets');
    assert.equal(online.pending().filter((m) => m.type === 'tickets').length, 0);
    const vpn = pushed.tickets[0]!;
    assert.deepEqual(
      vpn.notes.map((n) => [n.author, n.text, n.fromEndpoint]),
      [
        ['Alice Example', 'It happens on Wi-Fi only.', true],
        ['IT', 'Please update the VPN client from the portal.', false],
      ],
    );
    assert.equal(JSON.stringify(pushed).includes('old VPN client'), false);

    const detail = await h.api<Detail>(`/api/tickets/${ticket}`);
    assert.deepEqual(
      detail.body.notes.map((n) => n.visibility),
      ['customer', 'internal', 'customer'],
    );
  });

  it('writes a console note under the signed-in admin, whatever author the request names', async () => {
    const password = (await h.server.createFirstAdmin('dana'))!;
    const signIn = await fetch(`${h.url}/api/session`, { ...json('POST', { username: 'dana', password }) });
    assert.equal(signIn.status, 200);
    const cookie = signIn.headers.get('set-cookie')!.split(';')[0]!;
    const { csrfToken } = (await signIn.json()) as { csrfToken: string };
    const post = json('POST', { text: 'Checked the cable.', visibility: 'internal', author: 'Somebody Else' });
    const note = await h.api<Note>(`/api/tickets/${numbers['ref-printer']!}/notes`, {
      ...post,
      token: null,
      headers: { ...post.headers, cookie, 'x-csrf-token': csrfToken },
    });
    assert.deepEqual([note.status, note.body.author], [201, 'dana']);
  });

  it('refuses bad changes with a clear error and changes nothing', async () => {
    const path = `/api/tickets/${numbers['ref-mouse']}`;
    const cases: [string, RequestInit, number][] = [
      ['status not known', json('PATCH', { status: 'done' }), 400],
      ['status missing', json('PATCH', {}), 400],
      ['unknown field', json('PATCH', { status: 'open', subject: 'x' }), 400],
      ['not JSON', { method: 'PATCH', headers: { 'content-type': 'application/json' }, body: '{"status":' }, 400],
      ['no body', { method: 'PATCH' }, 400],
      ['plain text', { method: 'PATCH', headers: { 'content-type': 'text/plain' }, body: 'open' }, 400],
      [
        'a type the API does not read',
        { method: 'PATCH', headers: { 'content-type': 'application/xml' }, body: '<status>open</status>' },
        415,
      ],
    ];
    for (const [what, init, status] of cases) {
      const res = await h.api<ErrorBody>(path, init);
      assert.deepEqual([res.status, res.body.error.code], [status, 'E_BAD_REQUEST'], what);
    }
    const bad = await h.api<ErrorBody>(path, json('PATCH', { status: 'done' }));
    assert.match(bad.body.error.message, /status: must be one of new, open, pending, resolved, closed/);

    const notes = `${path}/notes`;
    for (const [what, body] of [
      ['no visibility', { text: 'hi' }],
      ['bad visibility', { text: 'hi', visibility: 'public' }],
      ['blank text', { text: '   ', visibility: 'customer' }],
      ['text too long', { text: 'x'.repeat(20_001), visibility: 'customer' }],
      ['author too long', { text: 'hi', visibility: 'customer', author: 'a'.repeat(257) }],
    ] as const) {
      const res = await h.api<ErrorBody>(notes, json('POST', body));
      assert.deepEqual([res.status, res.body.error.code], [400, 'E_BAD_REQUEST'], what);
    }
    const missing = await h.api<ErrorBody>('/api/tickets/99999/notes', json('POST', { text: 'hi', visibility: 'customer' }));
    assert.deepEqual([missing.status, missing.body.error.code], [404, 'E_NOT_FOUND']);
    assert.equal((await h.api<ErrorBody>('/api/tickets/99999', json('PATCH', { status: 'open' }))).status, 404);

    const after = await h.api<Detail>(path);
    assert.deepEqual([after.body.status, after.body.notes.length], ['new', 0]);
    assert.equal(
      online.pending().some((m) => m.type === 'tickets'),
      false,
    );
  });
});

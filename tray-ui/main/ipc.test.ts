import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { OutpostError } from '../../shared/errors.js';
import { TRAY_METHODS, trayChannel, type TrayResult } from '../../shared/tray-api.js';
import { senderEvent } from '../../test/fakes/electron.js';
import { StubAgent, startTestTray, ticket } from '../../test/support/tray/tray.js';
import { ForeignSenderError } from './ipc.js';
import { viewUrl } from './windows.js';

const draft = { subject: 'Printer jams', description: 'It jams on every page.', priority: 'high' };

async function withTicketWindow(agent = new StubAgent()) {
  const t = await startTestTray({ agent });
  const win = t.tray.windows.open('ticket') as unknown as (typeof t.electron.windows)[number];
  const invoke = (method: (typeof TRAY_METHODS)[number], ...args: unknown[]) =>
    t.electron.ipcMain.invokeFrom(win, trayChannel(method), ...args) as Promise<TrayResult<unknown>>;
  return { ...t, win, invoke };
}

describe('tray IPC', () => {
  it('handles exactly the TrayApi methods, one channel each', async (t) => {
    const { electron, tray } = await startTestTray();
    t.after(() => tray.stop());
    assert.deepEqual([...electron.ipcMain.handlers.keys()].sort(), TRAY_METHODS.map(trayChannel).sort());
  });

  it('refuses calls from a webContents that is not one of its windows, before the agent hears of them', async (t) => {
    const { electron, agent, tray, log } = await withTicketWindow();
    t.after(() => tray.stop());
    const before = agent.calls.length;
    const stranger = senderEvent(9999, viewUrl('ticket'));
    await assert.rejects(electron.ipcMain.invoke(trayChannel('createTicket'), stranger, draft), ForeignSenderError);
    await assert.rejects(electron.ipcMain.invoke(trayChannel('status'), stranger), ForeignSenderError);
    assert.equal(agent.calls.length, before);
    assert.ok(log.entries.some((e) => e.level === 'warn' && /foreign/.test(e.msg ?? '')));
  });

  it('refuses our window when it shows a page that is not ours, or the call comes from a frame inside it', async (t) => {
    const { electron, agent, win, tray } = await withTicketWindow();
    t.after(() => tray.stop());
    const before = agent.calls.length;
    const id = win.webContents.id;
    for (const event of [
      senderEvent(id, 'https://evil.example/ticket.html'),
      senderEvent(id, 'file:///tmp/ticket.html'),
      senderEvent(id, viewUrl('ticket'), { url: viewUrl('ticket') }),
      { sender: { id }, senderFrame: null },
    ]) {
      await assert.rejects(electron.ipcMain.invoke(trayChannel('createTicket'), event, draft), ForeignSenderError);
    }
    assert.equal(agent.calls.length, before);
  });

  it('refuses a closed window', async (t) => {
    const { electron, win, tray } = await withTicketWindow();
    t.after(() => tray.stop());
    win.close();
    await assert.rejects(electron.ipcMain.invokeFrom(win, trayChannel('status')), ForeignSenderError);
  });

  const invalid: [string, (typeof TRAY_METHODS)[number], unknown[], RegExp, string | undefined][] = [
    ['a ticket without a subject', 'createTicket', [{ ...draft, subject: '   ' }], /^Subject is required\.$/, 'subject'],
    [
      'a 50 MB description',
      'createTicket',
      [{ ...draft, description: 'x'.repeat(50 * 1024 * 1024) }],
      /^Description is too long \(at most 100,000 characters\)\.$/,
      'description',
    ],
    [
      'an unknown priority',
      'createTicket',
      [{ ...draft, priority: 'whenever' }],
      /^Priority must be one of low, normal, high, urgent\.$/,
      'priority',
    ],
    [
      'a field the form does not have',
      'createTicket',
      [{ ...draft, requester: 'root' }],
      /^The request has a field Outpost does not know: requester\.$/,
      undefined,
    ],
    [
      'a path where a draft id goes',
      'createTicket',
      [{ ...draft, fileIds: ['../../etc/passwd'] }],
      /^Attachments must be a draft id\.$/,
      'fileIds.0',
    ],
    ['no argument where one is needed', 'getTicket', [], /^The request must be an object\.$/, undefined],
    ['a ticket reference with a slash', 'getTicket', [{ ref: '../../../x' }], /^The ticket reference must be a ticket reference\.$/, 'ref'],
    ['an empty note', 'addNote', [{ ref: 'ref-00000001', text: ' ' }], /^The note is required\.$/, 'text'],
    [
      'a worklog ticket ID that is not a number',
      'startWorklog',
      [{ ticketId: 'abc', technician: 'Sam' }],
      /^Ticket ID must be a ticket number such as 1042 \(or OP-17, an Outpost number\)\.$/,
      'ticketId',
    ],
    [
      'a worklog ending before it starts',
      'addWorklog',
      [{ ticketId: '1042', technician: 'Sam', start: '2025-03-03T11:00:00Z', end: '2025-03-03T10:00:00Z' }],
      /^End must be after start\.$/,
      'end',
    ],
    [
      'a worklog start that is not a time',
      'addWorklog',
      [{ ticketId: '1042', technician: 'Sam', start: 'yesterday', end: '2025-03-03T10:00:00Z' }],
      /^Start must be a date and time\.$/,
      'start',
    ],
    ['an argument to a method that takes none', 'listTickets', [{ all: true }], /^The request takes no argument\.$/, undefined],
    [
      'two arguments',
      'getTicket',
      [{ ref: 'ref-00000001' }, { ref: 'ref-00000002' }],
      /^getTicket takes at most one argument\.$/,
      undefined,
    ],
    ['an exception request without a reason', 'requestSoftware', [{ kind: 'exception', name: 'Steam', reason: '  ' }], /reason/i, 'reason'],
    [
      'an unknown view',
      'openView',
      [{ view: 'https://evil.example' }],
      /^The view must be one of ticket, tickets, software, session, status\.$/,
      'view',
    ],
  ];
  for (const [what, method, args, message, field] of invalid) {
    it(`answers ${what} with E_BAD_REQUEST and never calls the agent`, async (t) => {
      const { agent, invoke, tray } = await withTicketWindow();
      t.after(() => tray.stop());
      const before = agent.calls.length;
      const result = await invoke(method, ...args);
      assert.equal(result.ok, false);
      assert.ok(!result.ok);
      assert.equal(result.error.code, 'E_BAD_REQUEST');
      assert.match(result.error.message, message);
      assert.equal(result.error.field, field);
      assert.equal(agent.calls.length, before);
    });
  }

  it('passes a valid ticket to the agent and answers with its result', async (t) => {
    const agent = new StubAgent().answer('ticket.create', () => ({ ref: 'ref-00000042', status: 'queued', connected: true }));
    const { invoke, tray } = await withTicketWindow(agent);
    t.after(() => tray.stop());
    const result = await invoke('createTicket', { ...draft, subject: '  Printer jams  ', category: 'Printing' });
    assert.deepEqual(result, { ok: true, value: { ref: 'ref-00000042', status: 'queued', connected: true } });
    assert.deepEqual(agent.callsOf('ticket.create'), [
      { subject: 'Printer jams', description: draft.description, priority: 'high', category: 'Printing', attachments: [] },
    ]);
  });

  it("gives the agent's refusal back as code and message", async (t) => {
    const agent = new StubAgent().answer('ticket.get', () => {
      throw new OutpostError('E_UNKNOWN_TICKET', 'No ticket has this number or reference.');
    });
    const { invoke, tray } = await withTicketWindow(agent);
    t.after(() => tray.stop());
    assert.deepEqual(await invoke('getTicket', { ref: 'ref-00000009' }), {
      ok: false,
      error: { code: 'E_UNKNOWN_TICKET', message: 'No ticket has this number or reference.' },
    });
  });

  it('says the agent is not running when it is not', async (t) => {
    const agent = new StubAgent();
    const { invoke, tray } = await withTicketWindow(agent);
    t.after(() => tray.stop());
    agent.unreachable = true;
    const result = await invoke('listTickets');
    assert.ok(!result.ok);
    assert.equal(result.error.code, 'E_AGENT_UNREACHABLE');
    const status = await invoke('status');
    assert.ok(!status.ok);
    assert.equal(status.error.code, 'E_AGENT_UNREACHABLE');
  });

  it('hides an unexpected failure behind E_INTERNAL and logs it', async (t) => {
    const agent = new StubAgent().answer('ticket.list', () => {
      throw new TypeError('Cannot read properties of undefined (reading "items")');
    });
    const { invoke, tray, log } = await withTicketWindow(agent);
    t.after(() => tray.stop());
    const result = await invoke('listTickets');
    assert.ok(!result.ok);
    assert.equal(result.error.code, 'E_INTERNAL');
    assert.doesNotMatch(result.error.message, /undefined/);
    assert.ok(log.entries.some((e) => e.level === 'error' && String(e.fields.err).includes('reading "items"')));
  });

  it('My tickets, notes and closing go to the matching agent methods', async (t) => {
    const t1 = { ...ticket({ ref: 'ref-00000001', number: 1042, status: 'open' }), unread: false, unreadNotes: [] };
    const agent = new StubAgent()
      .answer('ticket.list', () => ({ items: [t1] }))
      .answer('ticket.note', () => ({
        ...t1,
        notes: [{ id: 'n1', author: 'ada', text: 'Still jams', at: t1.createdAt, fromEndpoint: true }],
      }))
      .answer('ticket.close', () => ({ ...t1, status: 'closed' }));
    const { invoke, tray } = await withTicketWindow(agent);
    t.after(() => tray.stop());
    assert.deepEqual(await invoke('listTickets'), { ok: true, value: { items: [t1] } });
    await invoke('addNote', { ref: t1.ref, text: ' Still jams ' });
    await invoke('closeTicket', { ref: t1.ref });
    assert.deepEqual(agent.callsOf('ticket.note'), [{ ref: t1.ref, text: 'Still jams' }]);
    assert.deepEqual(agent.callsOf('ticket.close'), [{ ref: t1.ref }]);
  });

  it('a technician may type the ticket as #1042; the agent gets 1042', async (t) => {
    const agent = new StubAgent().answer('worklog.start', (p) => ({
      ...(p as { ticketId: string; technician: string }),
      start: '2025-03-03T10:00:00.000Z',
    }));
    const { invoke, tray } = await withTicketWindow(agent);
    t.after(() => tray.stop());
    const result = await invoke('startWorklog', { ticketId: ' #1042 ', technician: 'Sam' });
    assert.ok(result.ok);
    assert.deepEqual(agent.callsOf('worklog.start'), [{ ticketId: '1042', technician: 'Sam' }]);
  });

  it("passes the agent's quota refusal to the ticket form as it is: E_RATE_LIMITED with a message a person can act on", async (t) => {
    const message = 'You can raise at most 20 tickets in an hour from this computer. Nothing was sent; please wait a while.';
    const agent = new StubAgent().answer('ticket.create', () => {
      throw new OutpostError('E_RATE_LIMITED', message);
    });
    const { invoke, tray } = await withTicketWindow(agent);
    t.after(() => tray.stop());
    const result = await invoke('createTicket', draft);
    assert.equal(result.ok, false);
    assert.deepEqual(!result.ok && { code: result.error.code, message: result.error.message }, { code: 'E_RATE_LIMITED', message });
  });
});

// Enrolment played by an attacker holding a valid enrolment token, against a real server with a real
// agent: another device's hostname, MAC or serial never hands over that device, its tickets, notes
// or credential; a serial continues a device only while it is offline, and that is recorded; IT
// merges a flagged duplicate through the API.
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { writeFileSync } from 'node:fs';
import type { Browser } from 'playwright-core';
import WebSocket from 'ws';
import { PROTOCOL_VERSION } from '../shared/protocol.js';
import { checkPage, fillSignIn, openConsoleBrowser } from './support/console.js';
import {
  createToken,
  runToEnd,
  startAgent,
  startServer,
  tempDir,
  waitFor,
  waitForDevice,
  type AgentProc,
  type ServerProc,
} from './support/outpost.js';

interface Frame {
  type: string;
  code?: string;
  seq?: number;
  deviceId?: string;
  secret?: string;
  tickets?: unknown[];
}
interface Hints {
  installId: string;
  hostname: string;
  serial?: string;
  macs: string[];
}

/** A protocol client playing an agent: every frame it receives, as parsed and as text. */
async function peer(url: string) {
  const ws = new WebSocket(`${url.replace(/^http/, 'ws')}/agent`, { perMessageDeflate: true });
  const frames: Frame[] = [];
  let text = '';
  ws.on('message', (data: Buffer) => {
    text += data.toString();
    frames.push(JSON.parse(data.toString()) as Frame);
  });
  ws.on('error', () => undefined);
  const closed = new Promise<number>((resolve) => ws.once('close', (code) => resolve(code)));
  await new Promise<void>((resolve, reject) => {
    ws.once('open', () => resolve());
    ws.once('error', reject);
  });
  const next = (type: string) => waitFor(() => frames.find((f) => f.type === type), 5_000, `a ${type} frame`);
  return {
    ws,
    frames,
    closed,
    received: () => text,
    next,
    send: (message: unknown) => ws.send(JSON.stringify(message)),
    enrol: async (token: string, hints: Hints) => {
      ws.send(JSON.stringify({ type: 'enrol', protocol: PROTOCOL_VERSION, agentVersion: 'attacker', token, hints }));
      const enrolled = await next('enrolled');
      await next('welcome');
      return { deviceId: enrolled.deviceId!, secret: enrolled.secret! };
    },
  };
}

interface DeviceJson {
  id: string;
  hostname: string;
  online: boolean;
  duplicateOf: { deviceId: string; reason: string } | null;
}
interface IdentityJson {
  duplicateOf: { id: string; reason: string } | null;
  events: { kind: string; detail: Record<string, unknown> }[];
}
interface TicketJson {
  id: number;
  ref: string;
  status: string;
  deviceId: string;
  notes: { text: string }[];
}

const MAC = '3c:52:82:0a:0b:0c';
const at = () => new Date().toISOString();

describe('enrolment identity against a real server and agent, played by an attacker with a token', () => {
  const dir = tempDir();
  const dataDir = join(dir, 'server');
  let server: ServerProc;
  let agent: AgentProc;
  let real: DeviceJson;
  let ticket: TicketJson;
  const secretNote = 'Your new password is on the sticky note (IT).';
  const device = async (id: string) => server.api<DeviceJson>(`/api/devices/${id}`);
  const identity = async (id: string) => (await server.api<IdentityJson>(`/api/devices/${id}/identity`)).body;
  const connects = () => (agent.output().match(/"msg":"connected"/g) ?? []).length;
  const token = () => createToken(dataDir);

  before(async () => {
    writeFileSync(join(dir, 'password'), 'merge-admin-password-1\n', { mode: 0o600 });
    const admin = await runToEnd(['admin', 'create', 'it-admin', '--data', dataDir, '--password-file', join(dir, 'password')]);
    assert.equal(admin.code, 0, admin.output);
    server = await startServer(dataDir);
    agent = startAgent(server.url, join(dir, 'agent'), await token());
    real = (await server.api<DeviceJson>(`/api/devices/${(await waitForDevice(server)).id}`)).body;
    const created = await runToEnd([
      'ticket',
      'create',
      '--subject',
      'VPN broken',
      '--description',
      'Since this morning.',
      '--json',
      '--state',
      agent.stateDir,
    ]);
    assert.equal(created.code, 0, created.output);
    const { ref } = JSON.parse(created.stdout) as { ref: string };
    const id = await waitFor(
      async () => {
        const { body } = await server.api<{ items: { id: number; ref: string }[] }>(`/api/tickets?device=${real.id}`);
        return body.items.find((t) => t.ref === ref)?.id;
      },
      10_000,
      'the ticket on the server',
    );
    const note = await server.api(`/api/tickets/${id}/notes`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ text: secretNote, visibility: 'customer' }),
    });
    assert.equal(note.status, 201);
    ticket = (await server.api<TicketJson>(`/api/tickets/${id}`)).body;
  });

  after(async () => {
    await agent?.stop();
    await server?.stop();
  });

  it("enrolling with only the real device's hostname gets a new device, flagged, with none of its tickets or notes", async () => {
    const attacker = await peer(server.url);
    const { deviceId } = await attacker.enrol(await token(), { installId: 'attacker-install-0001', hostname: real.hostname, macs: [] });
    assert.notEqual(deviceId, real.id);
    assert.deepEqual((await device(deviceId)).body.duplicateOf, { deviceId: real.id, reason: 'hostname' });
    assert.deepEqual((await identity(deviceId)).duplicateOf, { id: real.id, hostname: real.hostname, reason: 'hostname' });
    assert.equal((await identity(real.id)).events[0]?.kind, 'duplicate-enrolled');

    // Its ticket list (sent after the welcome) is its own: empty.
    assert.deepEqual((await attacker.next('tickets')).tickets, []);
    // Writing to the real device's ticket by its reference (stolen, say): refused, and nothing reaches it.
    const requester = { account: 'root' };
    attacker.send({
      type: 'items',
      items: [
        {
          seq: 1,
          at: at(),
          kind: 'ticket.note',
          body: { ref: ticket.ref, noteId: 'attacker-note-01', requester, text: 'Pwned note', at: at() },
        },
        { seq: 2, at: at(), kind: 'ticket.close', body: { ref: ticket.ref, requester, at: at() } },
      ],
    });
    await waitFor(() => attacker.frames.find((f) => f.type === 'ack' && f.seq === 2), 5_000, 'the ack');
    const after = (await server.api<TicketJson>(`/api/tickets/${ticket.id}`)).body;
    assert.equal(after.deviceId, real.id);
    assert.equal(after.status, ticket.status);
    assert.deepEqual(
      after.notes.map((n) => n.text),
      ticket.notes.map((n) => n.text),
    );
    assert.deepEqual(
      attacker.frames.filter((f) => f.type === 'error').map((f) => [f.seq, f.code]),
      [
        [1, 'E_UNKNOWN_TICKET'],
        [2, 'E_UNKNOWN_TICKET'],
      ],
    );
    assert.ok(!attacker.received().includes('VPN broken'), 'the attacker was sent the real ticket');
    assert.ok(!attacker.received().includes(secretNote), "the attacker was sent IT's note");
    attacker.ws.close();
  });

  it('enrolling with only a known MAC gets a new device flagged as a possible duplicate', async () => {
    const owner = await peer(server.url);
    const victim = await owner.enrol(await token(), { installId: 'victim-install-0001', hostname: 'finance-07', macs: [MAC] });
    owner.ws.close();
    const attacker = await peer(server.url);
    const { deviceId } = await attacker.enrol(await token(), {
      installId: 'attacker-install-0002',
      hostname: 'whatever',
      macs: [MAC.toUpperCase()],
    });
    assert.notEqual(deviceId, victim.deviceId);
    assert.deepEqual((await device(deviceId)).body.duplicateOf, { deviceId: victim.deviceId, reason: 'mac' });
    attacker.ws.close();
  });

  it('a serial match while the device is online is a new device, not a takeover; offline it continues and is recorded', async () => {
    const hints = { installId: 'laptop-install-0001', hostname: 'laptop-42', serial: 'SN-5CG1234XYZ', macs: [] };
    const owner = await peer(server.url);
    const laptop = await owner.enrol(await token(), hints);

    const attacker = await peer(server.url);
    const rival = await attacker.enrol(await token(), { ...hints, installId: 'attacker-install-0003' });
    assert.notEqual(rival.deviceId, laptop.deviceId);
    assert.deepEqual((await device(rival.deviceId)).body.duplicateOf, { deviceId: laptop.deviceId, reason: 'serial-in-use' });
    attacker.ws.close();
    // The owner's connection and credential still work.
    assert.equal((await device(laptop.deviceId)).body.online, true);
    assert.equal(owner.ws.readyState, WebSocket.OPEN);

    owner.ws.close();
    await waitFor(async () => ((await device(laptop.deviceId)).body.online ? undefined : true), 5_000, 'the laptop to go offline');
    const reimaged = await peer(server.url);
    const again = await reimaged.enrol(await token(), { ...hints, installId: 'laptop-install-0002', hostname: 'laptop-42-new' });
    assert.equal(again.deviceId, laptop.deviceId);
    const [event] = (await identity(laptop.deviceId)).events;
    assert.equal(event?.kind, 'continued');
    assert.equal(event?.detail.matchedBy, 'serial');
    assert.equal(event?.detail.newInstall, true);
    reimaged.ws.close();
  });

  it('IT merges a flagged duplicate through the API; the duplicate agent continues as the kept device', async () => {
    const original = await peer(server.url);
    const kept = await original.enrol(await token(), { installId: 'desk-install-0001', hostname: 'reception-pc', macs: [] });
    original.ws.close();
    await waitFor(async () => ((await device(kept.deviceId)).body.online ? undefined : true), 5_000, 'the original to go offline');
    const reinstalled = await peer(server.url);
    const dup = await reinstalled.enrol(await token(), { installId: 'desk-install-0002', hostname: 'reception-pc', macs: [] });
    assert.deepEqual((await device(dup.deviceId)).body.duplicateOf, { deviceId: kept.deviceId, reason: 'hostname' });

    const json = { method: 'POST', headers: { 'content-type': 'application/json' } };
    const ontoLive = await server.api<{ error: { code: string } }>(`/api/devices/${dup.deviceId}/merge`, {
      ...json,
      body: JSON.stringify({ into: real.id }),
    });
    assert.deepEqual([ontoLive.status, ontoLive.body.error.code], [409, 'E_CONFLICT']);
    const merged = await server.api(`/api/devices/${dup.deviceId}/merge`, { ...json, body: JSON.stringify({ into: kept.deviceId }) });
    assert.deepEqual(merged, { status: 200, body: { ok: true, deviceId: kept.deviceId } });
    assert.equal(await reinstalled.closed, 4004);
    assert.equal((await device(dup.deviceId)).status, 404);
    assert.equal((await identity(kept.deviceId)).events[0]?.kind, 'merged');

    // The duplicate's agent comes back with its stored credential and is the kept device now.
    const back = await peer(server.url);
    back.send({
      type: 'hello',
      protocol: PROTOCOL_VERSION,
      agentVersion: 'a',
      deviceId: dup.deviceId,
      secret: dup.secret,
      hints: { installId: 'desk-install-0002', hostname: 'reception-pc', macs: [] },
    });
    assert.equal((await back.next('welcome')).deviceId, kept.deviceId);
    back.ws.close();
  });

  it('shows IT the possible duplicate in the console and merges it after a confirmation', async () => {
    const original = await peer(server.url);
    const kept = await original.enrol(await token(), { installId: 'kiosk-install-0001', hostname: 'lobby-kiosk', macs: [] });
    original.ws.close();
    await waitFor(async () => ((await device(kept.deviceId)).body.online ? undefined : true), 5_000, 'the original to go offline');
    const reinstalled = await peer(server.url);
    const dup = await reinstalled.enrol(await token(), { installId: 'kiosk-install-0002', hostname: 'lobby-kiosk', macs: [] });

    let browser: Browser | undefined;
    try {
      const opened = await openConsoleBrowser();
      browser = opened.browser;
      const { page, problems } = opened;
      await page.goto(`${server.url}/devices/${dup.deviceId}`);
      await fillSignIn(page, 'it-admin', 'merge-admin-password-1');
      const flag = page.getByTestId('possible-duplicate');
      await flag.getByRole('link', { name: 'lobby-kiosk' }).waitFor();
      assert.match(await flag.innerText(), /Possible duplicate of lobby-kiosk: it has the same machine name/);
      await checkPage(page, 'possible-duplicate');
      await page.getByRole('button', { name: 'Merge into that device' }).click();
      await page.getByRole('button', { name: 'Yes, merge' }).click();
      await page.waitForURL(`${server.url}/devices/${kept.deviceId}`);
      await page
        .getByTestId('identity-events')
        .getByText(/Merged with/)
        .waitFor();
      assert.equal((await device(dup.deviceId)).status, 404);
      assert.deepEqual(problems, []);
    } finally {
      await browser?.close();
    }
    assert.equal(await reinstalled.closed, 4004);
  });

  it('kept the real agent connected throughout, with its ticket', async () => {
    assert.equal(connects(), 1, 'the real agent reconnected');
    assert.equal((await device(real.id)).body.online, true);
    const shown = await runToEnd(['ticket', 'show', ticket.ref, '--json', '--state', agent.stateDir]);
    assert.equal(shown.code, 0, shown.output);
    const mine = JSON.parse(shown.stdout) as { status: string; notes: { text: string }[] };
    assert.equal(mine.status, ticket.status);
    assert.ok(
      mine.notes.some((n) => n.text === secretNote),
      shown.stdout,
    );
    assert.ok(!mine.notes.some((n) => n.text === 'Pwned note'), shown.stdout);
  });
});

// The desk preflight and echo detection against real RT 5s (test/support/rt.ts): one set up without
// Outpost's custom fields (initialdata.pl never loaded), one set up as the README says. A real
// server (in-process, port 0) syncs with each; a test agent stands for the endpoint.
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { after, before, describe, it } from 'node:test';
import type { DeskPreflightJson, DeskSyncStatusJson } from '../shared/http-api.js';
import type { ServerMessageMap } from '../shared/protocol.js';
import { parseDeskSettings } from '../server/desk/sync/settings.js';
import { fullItem, hintsFor, machine } from './support/server/fixtures.js';
import { startHarness } from './support/server/harness.js';
import { TestAgent } from './support/server/test-agent.js';
import { createItem, noteItem } from './support/server/ticket-fixtures.js';
import { rtRest, rtSkip, startRt, type RtInstance } from './support/rt.js';
import { deadline } from './support/deadline.js';

const WAIT_MS = 60_000;
const tag = () => randomBytes(4).toString('hex');
type Tickets = ServerMessageMap['tickets']['tickets'];

async function until<T>(what: string, f: () => Promise<T | undefined>): Promise<T> {
  const giveUpAt = Date.now() + deadline(WAIT_MS);
  for (;;) {
    const v = await f();
    if (v !== undefined) return v;
    if (Date.now() > giveUpAt) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 200));
  }
}

/** RT's REST 2.0 as a person (root) or the API user by password; anything but a success fails the test. */
function rtAs(rt: RtInstance, who: 'person' | 'api-user') {
  return async <T = unknown>(method: string, path: string, body?: unknown): Promise<T> => {
    const res = await rtRest<T>(rt, method, path, body, who);
    assert.ok(res.status < 300, `${method} ${path} answered ${res.status}`);
    return res.body;
  };
}

/** A server syncing with `rt` every second, an enrolled endpoint with an inventory, and its pushes. */
async function endpointWithDesk(rt: RtInstance, host: string) {
  const desk = parseDeskSettings({ kind: 'rt', url: rt.url, user: rt.user, secret: rt.token, pollSeconds: 1 });
  const h = await startHarness({ desk });
  const agent = await TestAgent.connect(h.wsUrl);
  const snapshot = machine({ hostname: host });
  await agent.enrol(await h.server.createEnrolmentToken(), hintsFor(snapshot, `inst-${host}`));
  let seq = 1;
  agent.sendItems([fullItem(seq++, snapshot)]);
  await agent.next('ack', WAIT_MS);
  const pushed: Tickets = [];
  return {
    h,
    agent,
    send: async (item: (seq: number) => Parameters<TestAgent['sendItems']>[0][number]) => {
      agent.sendItems([item(seq++)]);
      await agent.next('ack', WAIT_MS);
    },
    /** Waits for a push of ticket `ref` that satisfies `ok`. */
    pushedTicket: async (ref: string, ok: (t: Tickets[number]) => boolean) => {
      for (;;) {
        const found = pushed.find((t) => t.ref === ref && ok(t));
        if (found) return found;
        const msg = await agent.next('tickets', WAIT_MS);
        pushed.push(...msg.tickets);
      }
    },
    status: async () => (await h.api<DeskSyncStatusJson>('/api/desk/status')).body,
  };
}

async function rtTicketBySubject(rt: RtInstance, subject: string): Promise<string | undefined> {
  const query = encodeURIComponent(`Subject = '${subject}'`);
  const page = await rtAs(rt, 'person')<{ items: { id: string }[] }>('GET', `/tickets?query=${query}`);
  return page.items[0]?.id;
}

describe("desk preflight: an RT without Outpost's custom fields", { skip: rtSkip() }, () => {
  let rt: RtInstance;
  let e: Awaited<ReturnType<typeof endpointWithDesk>>;

  before(async () => {
    rt = await startRt({ outpostFields: false });
    e = await endpointWithDesk(rt, 'bare-pc');
  });

  after(async () => {
    await e?.agent.close();
    await e?.h.close();
    await rt?.stop();
  });

  it('names every missing field with how to add it, and says the desk is usable', async () => {
    const status = await until('the first preflight', async () => (await e.status()).preflight ?? undefined);
    assert.equal(status.usable, true);
    const lines = status.problems.map((p) => p.message);
    for (const field of ['Outpost Key', 'Outpost Note Key', 'Service Tag', 'MAC Addresses', 'Outpost Device ID', 'Volumes', 'Software']) {
      const line = lines.find((l) => l.startsWith(`Custom field '${field}' is missing`));
      assert.ok(line, `a line for ${field} in ${JSON.stringify(lines)}`);
      assert.match(line, /rt-setup-database-5 --action insert --datafile server\/desk\/rt\/initialdata\.pl/);
    }
    assert.ok(lines.some((l) => l.includes("Catalog 'Outpost software' does not exist")));
    assert.ok(status.problems.every((p) => p.severity !== 'blocking'));
  });

  it('still gets the ticket, linked to an asset written without the missing fields, and a reply in RT reaches the endpoint', async () => {
    const subject = `Bare RT printer ${tag()}`;
    await e.send((seq) => createItem(seq, 'ref-bare-1', { subject }));
    const id = await until('the ticket in RT', () => rtTicketBySubject(rt, subject));
    const ticket = await rtAs(rt, 'person')<{ _hyperlinks: { ref: string; type?: string }[]; Status: string }>('GET', `/ticket/${id}`);
    assert.ok(
      ticket._hyperlinks.some((l) => l.ref === 'refers-to' && l.type === 'asset'),
      'the ticket refers to the device asset',
    );
    const status = await e.status();
    assert.equal(status.failed, 0, JSON.stringify(status.jobs));

    const reply = `On our way (${tag()})`;
    await rtAs(rt, 'person')('POST', `/ticket/${id}/correspond`, { Content: reply, ContentType: 'text/plain' });
    await e.pushedTicket('ref-bare-1', (t) => t.notes.some((n) => n.text === reply));
  });
});

describe('echoes: what Outpost wrote, not who wrote it', { skip: rtSkip() }, () => {
  let rt: RtInstance;
  let e: Awaited<ReturnType<typeof endpointWithDesk>>;
  let id: string;
  const ref = 'ref-shared-1';

  before(async () => {
    rt = await startRt();
    e = await endpointWithDesk(rt, 'shared-pc');
    const subject = `Shared user printer ${tag()}`;
    await e.send((seq) => createItem(seq, ref, { subject }));
    id = await until('the ticket in RT', () => rtTicketBySubject(rt, subject));
  });

  after(async () => {
    await e?.agent.close();
    await e?.h.close();
    await rt?.stop();
  });

  it('finds a complete setup: no problem at all', async () => {
    const res = await e.h.api<DeskPreflightJson>('/api/desk/preflight', { method: 'POST' });
    assert.equal(res.status, 200);
    assert.deepEqual(res.body.problems, []);
  });

  it('delivers a reply a second RT user writes', async () => {
    const reply = `Second user here (${tag()})`;
    await rtAs(rt, 'person')('POST', `/ticket/${id}/correspond`, { Content: reply, ContentType: 'text/plain' });
    const t = await e.pushedTicket(ref, (x) => x.notes.some((n) => n.text === reply));
    assert.equal(t.notes.filter((n) => n.text === reply).length, 1);
  });

  it("delivers a reply and a status a person makes as the API user, never Outpost's own note back, and the preflight warns", async () => {
    const mine = `From the endpoint (${tag()})`;
    await e.send((seq) => noteItem(seq, ref, `n-${tag()}`, mine));
    const reply = `Typed in RT's web UI as the API user (${tag()})`;
    await until('the endpoint note in RT', async () => ((await e.status()).queued === 0 ? true : undefined));
    await rtAs(rt, 'api-user')('POST', `/ticket/${id}/correspond`, { Content: reply, ContentType: 'text/plain' });
    await rtAs(rt, 'api-user')('PUT', `/ticket/${id}`, { Status: 'stalled' });
    const t = await e.pushedTicket(ref, (x) => x.notes.some((n) => n.text === reply) && x.status === 'pending');
    assert.equal(t.notes.filter((n) => n.text === mine).length, 1, "Outpost's own note is not delivered a second time");

    const res = await e.h.api<DeskPreflightJson>('/api/desk/preflight', { method: 'POST' });
    const shared = res.body.problems.filter((p) => p.check === 'shared-user');
    assert.equal(shared.length, 1, JSON.stringify(res.body.problems));
    assert.match(shared[0]!.message, /written in RT as 'outpost' without Outpost's key/);
  });
});

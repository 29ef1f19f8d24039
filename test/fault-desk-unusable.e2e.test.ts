// A server started against a desk it cannot use at all (nothing listens at the desk's URL): one
// clear log line, the finding in GET /api/desk/status, retries on their own, and inventory and
// tickets keep being accepted. The connector is the real RT one, the port a real closed one.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { DeskSyncStatusJson } from '../shared/http-api.js';
import { parseDeskSettings } from '../server/desk/sync/settings.js';
import { RecordingLogger } from './fakes/recording-logger.js';
import { freePort } from './support/ports.js';
import { fullItem, hintsFor, machine } from './support/server/fixtures.js';
import { startHarness, type Harness } from './support/server/harness.js';
import { TestAgent } from './support/server/test-agent.js';
import { createItem } from './support/server/ticket-fixtures.js';
import { deadline } from './support/deadline.js';

async function until<T>(what: string, f: () => Promise<T | undefined>, ms = 30_000): Promise<T> {
  const giveUpAt = Date.now() + deadline(ms);
  for (;;) {
    const v = await f();
    if (v !== undefined) return v;
    if (Date.now() > giveUpAt) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

describe('a server against a desk it cannot use', () => {
  const log = new RecordingLogger();
  let h: Harness;
  let agent: TestAgent;
  const status = async () => (await h.api<DeskSyncStatusJson>('/api/desk/status')).body;
  const unusableLines = () => log.entries.filter((e) => /cannot be used/.test(e.msg ?? ''));

  before(async () => {
    const port = await freePort(); // closed again: nothing answers there
    const desk = parseDeskSettings({
      kind: 'rt',
      url: `http://127.0.0.1:${port}`,
      user: 'outpost',
      secret: 'token-never-logged',
      pollSeconds: 1,
    });
    h = await startHarness({ desk, log });
    agent = await TestAgent.connect(h.wsUrl);
  });

  after(async () => {
    await agent?.close();
    await h?.close();
  });

  it('says so in one log line and in the status, and tries again on its own', async () => {
    const first = await until('the first preflight', async () => (await status()).preflight ?? undefined);
    assert.equal(first.usable, false);
    assert.deepEqual(
      first.problems.map((p) => [p.check, p.severity]),
      [['connection', 'blocking']],
    );
    assert.match(first.problems[0]!.message, /^E_DESK_UNREACHABLE: the desk does not answer as configured/);
    const s = await status();
    assert.equal(s.healthy, false);
    assert.match(s.lastError ?? '', /^E_DESK_UNREACHABLE: /);
    const retried = await until('a retry', async () => {
      const p = (await status()).preflight;
      return p && p.at !== first.at ? p : undefined;
    });
    assert.equal(retried.usable, false);
    assert.equal(unusableLines().length, 1, 'one line however often it is tried');
    assert.equal(unusableLines()[0]!.level, 'error');
    assert.equal(log.text().includes('token-never-logged'), false);
  });

  it('keeps accepting inventory and tickets, which wait for the desk', async () => {
    const snapshot = machine({ hostname: 'while-desk-down' });
    const { deviceId } = await agent.enrol(await h.server.createEnrolmentToken(), hintsFor(snapshot, 'inst-desk-down'));
    agent.sendItems([fullItem(1, snapshot), createItem(2, 'ref-desk-down-1')]);
    await agent.next('ack');
    const device = await h.api<{ hostname: string }>(`/api/devices/${deviceId}`);
    assert.deepEqual([device.status, device.body.hostname], [200, 'while-desk-down']);
    const s = await until('the jobs queued', async () => {
      const x = await status();
      return x.queued >= 2 ? x : undefined;
    });
    assert.equal(s.failed, 0, 'held for the desk, not parked');
  });
});

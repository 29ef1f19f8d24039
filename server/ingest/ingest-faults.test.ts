import assert from 'node:assert/strict';
import { request } from 'node:http';
import { after, before, describe, it } from 'node:test';
import { CLOSE_CODES, LIMITS, PROTOCOL_VERSION } from '../../shared/protocol.js';
import { fullItem, hintsFor, machine } from '../../test/support/server/fixtures.js';
import { deadline } from '../../test/support/deadline.js';
import { eventually, startHarness, type Harness } from '../../test/support/server/harness.js';
import { TestAgent } from '../../test/support/server/test-agent.js';

describe('agent ingest under bad input', () => {
  let h: Harness;
  let token: string;
  let bystander: TestAgent;
  let bystanderSeq = 0;
  const agents: TestAgent[] = [];
  const connect = async (options = {}) => {
    const a = await TestAgent.connect(h.wsUrl, options);
    agents.push(a);
    return a;
  };
  const enrolled = async (name: string) => {
    const agent = await connect();
    const snap = machine({ hostname: name, serial: `SN-${name}` });
    const creds = await agent.enrol(token, hintsFor(snap, `inst-${name}`));
    return { agent, snap, ...creds };
  };
  /** The connected bystander still gets its batches applied and acked. */
  const bystanderServed = async () => {
    bystander.sendItems([fullItem(++bystanderSeq, machine({ hostname: 'bystander', serial: 'SN-bystander' }))]);
    assert.equal((await bystander.next('ack')).seq, bystanderSeq);
  };

  before(async () => {
    h = await startHarness({ authTimeoutMs: deadline(400) });
    token = await h.server.createEnrolmentToken();
    bystander = (await enrolled('bystander')).agent;
  });
  after(async () => {
    await Promise.all(agents.map((a) => a.close()));
    await h.close();
  });

  it('answers malformed JSON, unknown types and schema failures with an error and keeps serving', async () => {
    const { agent, snap } = await enrolled('noisy');
    agent.sendRaw('{"type": "items", ');
    assert.deepEqual(await agent.next('error'), {
      type: 'error',
      code: 'E_BAD_JSON',
      message: 'The frame is not valid JSON.',
      fatal: false,
    });
    agent.send({ type: 'telemetry' });
    assert.equal((await agent.next('error')).code, 'E_UNKNOWN_TYPE');
    agent.send({ type: 'items', items: [{ seq: -1, kind: 'inventory.full' }] });
    assert.equal((await agent.next('error')).code, 'E_BAD_MESSAGE');
    agent.sendRaw(Buffer.from('{}'));
    assert.equal((await agent.next('error')).code, 'E_BAD_MESSAGE');
    agent.send({ type: 'items', items: Array.from({ length: LIMITS.maxBatchItems + 1 }, (_, i) => fullItem(i + 1, snap)) });
    assert.equal((await agent.next('error')).code, 'E_BATCH_TOO_LARGE');
    agent.send({
      type: 'hello',
      protocol: PROTOCOL_VERSION,
      agentVersion: 't',
      deviceId: 'x',
      secret: 'y'.repeat(16),
      hints: hintsFor(snap),
    });
    assert.equal((await agent.next('error')).code, 'E_ALREADY_AUTHENTICATED');
    agent.sendItems([fullItem(2, snap), fullItem(2, snap)]);
    assert.equal((await agent.next('error')).code, 'E_SEQ_ORDER');

    agent.sendItems([fullItem(1, snap)]);
    assert.equal((await agent.next('ack')).seq, 1, 'nothing from the bad frames was applied');
    await bystanderServed();
  });

  it('closes a connection that sends an oversized frame with 1009 and serves the others', async () => {
    const { agent } = await enrolled('oversized');
    agent.sendRaw('x'.repeat(LIMITS.maxFrameBytes + 1));
    assert.equal((await agent.closed).code, CLOSE_CODES.tooLarge);
    await bystanderServed();
  });

  it('refuses a wrong secret and an unknown device alike, closing with the auth code', async () => {
    const { deviceId, snap } = await enrolled('victim');
    const answers = [];
    for (const id of [deviceId, 'no-such-device']) {
      const intruder = await connect();
      intruder.send({
        type: 'hello',
        protocol: PROTOCOL_VERSION,
        agentVersion: 't',
        deviceId: id,
        secret: 'guessed-secret-1234567890',
        hints: hintsFor(snap),
      });
      const error = await intruder.next('error');
      answers.push({ ...error, close: (await intruder.closed).code });
    }
    assert.deepEqual(answers[0], { type: 'error', code: 'E_AUTH', message: answers[0]!.message, fatal: true, close: CLOSE_CODES.auth });
    assert.deepEqual(answers[1], answers[0]);
    await bystanderServed();
  });

  it('refuses an unknown enrolment token', async () => {
    const agent = await connect();
    agent.send({
      type: 'enrol',
      protocol: PROTOCOL_VERSION,
      agentVersion: 't',
      token: 'not-a-real-token-0000',
      hints: hintsFor(machine()),
    });
    assert.equal((await agent.next('error')).code, 'E_BAD_TOKEN');
    assert.equal((await agent.closed).code, CLOSE_CODES.badToken);
  });

  it('requires hello or enrol first, in a known protocol version, within the time limit', async () => {
    const early = await connect();
    early.sendItems([fullItem(1, machine())]);
    assert.equal((await early.next('error')).code, 'E_NOT_AUTHENTICATED');
    assert.equal((await early.closed).code, CLOSE_CODES.protocol);

    const future = await connect();
    future.send({
      type: 'hello',
      protocol: PROTOCOL_VERSION + 1,
      agentVersion: 't',
      deviceId: 'd',
      secret: 's'.repeat(16),
      hints: hintsFor(machine()),
    });
    assert.equal((await future.next('error')).code, 'E_PROTOCOL_VERSION');
    assert.equal((await future.closed).code, CLOSE_CODES.protocol);

    const garbage = await connect();
    garbage.sendRaw('not json');
    assert.equal((await garbage.next('error')).fatal, true);

    const silent = await connect();
    assert.equal((await silent.next('error', 2000)).code, 'E_NOT_AUTHENTICATED');
    assert.equal((await silent.closed).code, CLOSE_CODES.protocol);
  });

  it('replaces an older connection of the same device; a re-enrolment while it is offline revokes the old secret', async () => {
    const { agent: first, deviceId, secret, snap } = await enrolled('twice');
    const second = await connect();
    await second.hello(deviceId, secret, hintsFor(snap, 'inst-twice'));
    assert.equal((await first.closed).code, CLOSE_CODES.replaced);
    second.sendItems([fullItem(1, snap)]);
    assert.equal((await second.next('ack')).seq, 1);

    // While the device is connected, an enrolment on its serial gets a device of its own.
    const rival = await connect();
    assert.notEqual((await rival.enrol(token, hintsFor(snap, 'inst-rival'))).deviceId, deviceId);
    second.sendItems([fullItem(2, snap)]);
    assert.equal((await second.next('ack')).seq, 2);

    await second.close();
    await eventually(() => !h.server.isOnline(deviceId));
    const reinstalled = await connect();
    assert.equal((await reinstalled.enrol(token, hintsFor(snap, 'inst-twice'))).deviceId, deviceId);
    const stale = await connect();
    stale.send({ type: 'hello', protocol: PROTOCOL_VERSION, agentVersion: 't', deviceId, secret, hints: hintsFor(snap) });
    assert.equal((await stale.next('error')).code, 'E_AUTH');
  });

  it('answers other upgrade paths with 404', async () => {
    const url = new URL(h.url);
    const status = await new Promise<number | undefined>((resolve, reject) => {
      const req = request({
        host: url.hostname,
        port: url.port,
        path: '/not-agent',
        headers: { connection: 'Upgrade', upgrade: 'websocket' },
      });
      req.on('response', (res) => resolve(res.statusCode));
      req.on('upgrade', () => reject(new Error('upgraded')));
      req.on('error', reject);
      req.end();
    });
    assert.equal(status, 404);
  });
});

describe('agent heartbeat', () => {
  // The heartbeat's clock is faked (setInterval only; sockets and the store stay real): on a loaded
  // box a real 50 ms period passed while an enrolment was still on its way, or before a live agent's
  // pong was read, and dropped an agent that had answered everything (a real server pings every 30 s).
  const PERIOD_MS = 1000;
  /** Waits for what should happen soon, failing (not hanging) when it never does. */
  const soon = <T>(what: string, settle: (resolve: (value: T) => void) => void) =>
    new Promise<T>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`no ${what} within ${deadline(2000)} ms`)), deadline(2000));
      settle((value) => {
        clearTimeout(timer);
        resolve(value);
      });
    });
  const pinged = (agent: TestAgent) => soon<void>('ping', (resolve) => agent.ws.once('ping', () => resolve()));
  /** Resolves once the server has read everything the agent sent before (its pong included). */
  const roundTrip = (agent: TestAgent) =>
    soon<void>('pong from the server', (resolve) => {
      agent.ws.once('pong', () => resolve());
      agent.ws.ping();
    });

  it('drops a connection that stops answering pings, marks the device offline and keeps the live one', async (t) => {
    t.mock.timers.enable({ apis: ['setInterval'] });
    const h = await startHarness({ heartbeatMs: PERIOD_MS });
    const token = await h.server.createEnrolmentToken();
    const live = await TestAgent.connect(h.wsUrl);
    const deaf = await TestAgent.connect(h.wsUrl, { autoPong: false });
    try {
      const snap = machine({ hostname: 'deaf', serial: 'SN-deaf' });
      const liveSnap = machine({ hostname: 'live', serial: 'SN-live' });
      const { deviceId } = await deaf.enrol(token, hintsFor(snap, 'inst-deaf'));
      await live.enrol(token, hintsFor(liveSnap, 'inst-live'));
      assert.equal(h.server.isOnline(deviceId), true);

      // First period: both are pinged; only the live one answers.
      const pings = [pinged(live), pinged(deaf)];
      t.mock.timers.tick(PERIOD_MS);
      await Promise.all(pings);
      await roundTrip(live);
      // Second period: the deaf one sent nothing since its ping and is dropped; the live one is pinged again.
      const pingedAgain = pinged(live);
      t.mock.timers.tick(PERIOD_MS);
      assert.equal((await soon<{ code: number }>('close', (resolve) => void deaf.closed.then(resolve))).code, 1006);
      await eventually(() => !h.server.isOnline(deviceId));
      await pingedAgain;
      await roundTrip(live);
      t.mock.timers.tick(PERIOD_MS);
      live.sendItems([fullItem(1, liveSnap)]);
      assert.equal((await live.next('ack')).seq, 1, 'the live agent answered every ping and stayed');
    } finally {
      await live.close();
      await h.close();
    }
  });
});

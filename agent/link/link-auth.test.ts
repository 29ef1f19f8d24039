import assert from 'node:assert/strict';
import { statSync } from 'node:fs';
import { afterEach, describe, it, mock } from 'node:test';
import { PROTOCOL_VERSION } from '../../shared/protocol.js';
import { HINTS, TOKEN, eventually, harness, type Harness } from '../../test/support/link-harness.js';

const bogus = (serverUrl: string) => ({ deviceId: 'dev-ghost', secret: 'not-the-right-secret', serverUrl });

describe('Link enrolment and authentication', () => {
  let h: Harness;
  afterEach(async () => {
    mock.timers.reset();
    await h.close();
  });

  it('enrols with its token, keeps the credentials owner-only, and says hello with them next time', async () => {
    h = await harness();
    h.record(1);
    h.link.start();
    await h.server.waitFor(() => h.server.applied().length === 1, 'the first snapshot');
    const enrol = h.server.messages[0];
    assert.ok(enrol?.type === 'enrol');
    assert.equal(enrol.protocol, PROTOCOL_VERSION);
    assert.deepEqual(enrol.hints, HINTS);
    const device = h.server.devices.get('dev-1')!;
    assert.deepEqual(h.credentials.load(), { deviceId: 'dev-1', secret: device.secret, serverUrl: h.server.url });
    assert.equal(statSync(h.credentials.path).mode & 0o777, 0o600);
    assert.equal(h.link.deviceId, 'dev-1');

    h.server.dropConnections();
    await h.server.waitFor(() => h.server.authenticatedConnections() === 1 && h.server.connections === 2, 'the reconnect');
    const hello = h.server.messages.find((m) => m.type === 'hello');
    assert.ok(hello?.type === 'hello');
    assert.equal(hello.deviceId, 'dev-1');
    assert.equal(hello.protocol, PROTOCOL_VERSION);
    assert.equal(h.server.devices.size, 1, 'no second enrolment');
    assert.ok(!h.log.text().includes(device.secret), 'the secret is never logged');
    assert.ok(!h.log.text().includes(TOKEN), 'the token is never logged');
  });

  it('sends enrol and hello uncompressed, so in a storm they never wait behind other frames being inflated', async () => {
    h = await harness();
    h.record(1);
    h.link.start();
    await h.server.waitFor(() => h.server.applied().length === 1, 'the first snapshot');
    h.server.dropConnections();
    await h.server.waitFor(() => h.server.authenticatedConnections() === 1 && h.server.connections === 2, 'the reconnect');
    assert.deepEqual(
      h.server.messages.filter((m) => m.type === 'enrol' || m.type === 'hello').map((m) => m.type),
      ['enrol', 'hello'],
    );
    assert.deepEqual(h.server.firstFrameCompressed, [false, false], 'the first frame of each connection is not compressed');
  });

  it('keeps the device id the server welcomes it with after IT merged its device into another', async () => {
    h = await harness();
    h.link.start();
    await eventually(() => h.link.connected, 'enrolled');
    const device = h.server.devices.get('dev-1')!;
    // The merge: the server answers to the old id and welcomes the agent as the kept device.
    const kept = { ...device, deviceId: 'dev-9' };
    h.server.devices.set('dev-1', kept);
    h.server.devices.set('dev-9', kept);
    h.server.dropConnections();
    await eventually(() => h.credentials.load()?.deviceId === 'dev-9', 'the new id stored');
    assert.equal(h.credentials.load()?.secret, device.secret);
    assert.equal(h.link.deviceId, 'dev-9');
    assert.ok(!h.log.text().includes(device.secret), 'the secret is never logged');
  });

  it('enrols again when the server rejects its credentials and a token is configured', async () => {
    h = await harness();
    h.credentials.save(bogus(h.server.url));
    h.link.start();
    await eventually(() => h.link.connected, 'connected after enrolling again');
    assert.deepEqual(
      h.server.messages.map((m) => m.type),
      ['hello', 'enrol'],
    );
    assert.equal(h.credentials.load()?.deviceId, 'dev-1');
    assert.equal(h.log.withCode('E_AUTH').length, 1);
  });

  it('enrols rather than present credentials another server issued', async () => {
    h = await harness();
    h.credentials.save(bogus('https://old-server.example'));
    h.link.start();
    await eventually(() => h.link.connected, 'connected');
    assert.deepEqual(
      h.server.messages.map((m) => m.type),
      ['enrol'],
    );
  });

  it('without a token, says clearly that its credentials are rejected and retries with growing jittered delays', async () => {
    mock.timers.enable({ apis: ['setTimeout'] });
    h = await harness({ token: null, link: { random: () => 0.5 } });
    h.credentials.save(bogus(h.server.url));
    h.link.start();
    for (const [attempt, delayMs] of [
      [1, 500],
      [2, 1000],
      [3, 2000],
    ] as const) {
      await eventually(() => h.log.entries.filter((e) => e.msg === 'reconnecting').length === attempt, `rejection ${attempt}`, {
        spin: true,
      });
      assert.equal(h.log.entries.filter((e) => e.msg === 'reconnecting').at(-1)?.fields.delayMs, delayMs);
      mock.timers.tick(delayMs - 1);
      assert.equal(h.hintCalls(), attempt, 'no attempt before the delay is over');
      mock.timers.tick(1);
      assert.equal(h.hintCalls(), attempt + 1);
    }
    const rejections = h.log.withCode('E_AUTH');
    assert.ok(rejections.length >= 3);
    assert.ok(rejections.every((e) => e.level === 'error' && /re-enrol/.test(e.msg ?? '')));
    assert.equal(h.credentials.load()?.deviceId, 'dev-ghost', 'credentials kept for an admin to fix');
    assert.equal(h.link.connected, false);
  });

  it('says clearly when the enrolment token is rejected, and keeps trying', async () => {
    h = await harness({ token: 'some-other-token-0123456789' });
    h.link.start();
    await h.server.waitFor(() => h.server.connections >= 2, 'a second attempt');
    assert.ok(h.log.withCode('E_BAD_TOKEN').every((e) => e.level === 'error'));
    assert.ok(h.log.withCode('E_BAD_TOKEN').length >= 1);
    assert.equal(h.credentials.load(), undefined);
  });

  it('waits, without connecting, while it has neither credentials nor a token', async () => {
    h = await harness({ token: null });
    h.link.start();
    await eventually(() => h.log.withCode('E_CONFIG').length >= 2, 'a retry');
    assert.equal(h.server.connections, 0);
    assert.match(h.log.withCode('E_CONFIG')[0]!.msg ?? '', /not enrolled/);
  });
});

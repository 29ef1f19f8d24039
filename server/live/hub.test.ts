import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { RecordingLogger } from '../../test/fakes/recording-logger.js';
import { LiveHub, type LiveMessage } from './hub.js';
import { sseFrame } from './sse.js';

const AT = '2025-01-02T03:04:05.000Z';

describe('LiveHub', () => {
  it('delivers each event to every subscriber in publish order, and nothing after unsubscribing', () => {
    const hub = new LiveHub();
    const a: LiveMessage[] = [];
    const b: LiveMessage[] = [];
    const stopA = hub.subscribe((m) => a.push(m));
    hub.subscribe((m) => b.push(m));
    hub.publish('presence', { deviceId: 'd1', online: true, at: AT });
    hub.publish('ticket', { ticketId: 3, deviceId: 'd1', at: AT });
    stopA();
    stopA();
    hub.publish('presence', { deviceId: 'd1', online: false, at: AT });

    assert.deepEqual(
      a.map((m) => m.name),
      ['presence', 'ticket'],
    );
    assert.deepEqual(
      b.map((m) => m.name),
      ['presence', 'ticket', 'presence'],
    );
    assert.deepEqual(b[2]!.data, { deviceId: 'd1', online: false, at: AT });
    assert.equal(hub.subscriberCount, 1);
  });

  it('keeps a throwing subscriber from failing the publisher or starving the others', () => {
    const log = new RecordingLogger();
    const hub = new LiveHub(log);
    const got: string[] = [];
    hub.subscribe(() => {
      throw new Error('socket gone');
    });
    hub.subscribe((m) => got.push(m.name));
    assert.doesNotThrow(() => hub.publish('presence', { deviceId: 'd1', online: true, at: AT }));
    assert.deepEqual(got, ['presence']);
    assert.ok(log.entries.some((e) => e.level === 'warn' && e.fields.err === 'socket gone'));
  });

  it('lets a subscriber unsubscribe another during delivery without skipping or repeating anyone', () => {
    const hub = new LiveHub();
    const calls: string[] = [];
    let stopC: () => void = () => undefined;
    hub.subscribe(() => {
      calls.push('a');
      stopC();
    });
    hub.subscribe(() => calls.push('b'));
    stopC = hub.subscribe(() => calls.push('c'));
    hub.publish('ticket', { ticketId: 1, deviceId: null, at: AT });
    hub.publish('ticket', { ticketId: 2, deviceId: null, at: AT });
    assert.deepEqual(calls, ['a', 'b', 'a', 'b']);
  });

  it('hands subscribers a frozen message that serialises to one SSE frame', () => {
    const hub = new LiveHub();
    let got: LiveMessage | undefined;
    hub.subscribe((m) => (got = m));
    const data = { deviceId: 'd1', hostname: 'pc\n1', sections: ['software', 'os'], trigger: 'manual' as const, at: AT };
    hub.publish('inventory', data);
    data.hostname = 'changed later';
    assert.ok(got && Object.isFrozen(got) && Object.isFrozen(got.data));
    assert.equal(
      sseFrame(got),
      `event: inventory\ndata: {"deviceId":"d1","hostname":"pc\\n1","sections":["software","os"],"trigger":"manual","at":"${AT}"}\n\n`,
    );
  });
});

import assert from 'node:assert/strict';
import { EventEmitter } from 'node:events';
import { afterEach, beforeEach, describe, it, mock } from 'node:test';
import type { WebSocket } from 'ws';
import { silentLogger } from '../../shared/log.js';
import { CLOSE_CODES, DEFAULT_SETTINGS, PROTOCOL_VERSION } from '../../shared/protocol.js';
import { noLivePublisher } from '../live/hub.js';
import type { Store } from '../store/store.js';
import { AgentSession, type SessionContext } from './session.js';

/** The part of a ws WebSocket a session uses before authentication. */
class FakeSocket extends EventEmitter {
  readonly OPEN = 1;
  readyState = 1;
  sent: { type: string; code?: string }[] = [];
  closedWith: number | undefined;
  send(data: string, cb?: (err?: Error) => void) {
    this.sent.push(JSON.parse(data) as { type: string; code?: string });
    cb?.();
  }
  close(code: number) {
    this.closedWith = code;
    this.readyState = 2;
  }
  terminate() {
    this.readyState = 3;
  }
  pause() {}
  resume() {}
  ping() {}
}

const AUTH_MS = 10_000;
const ctx: SessionContext = {
  store: {} as Store,
  log: silentLogger,
  settings: () => DEFAULT_SETTINGS,
  now: () => Date.now(),
  authTimeoutMs: AUTH_MS,
  preAuthCloseGraceMs: 100,
  live: noLivePublisher,
  isLive: () => false,
  claim: () => undefined,
  release: () => undefined,
  softwareLeftBehind: () => undefined,
  reconnectSpreadSeconds: () => 0,
};

const hello = {
  type: 'hello',
  protocol: PROTOCOL_VERSION,
  agentVersion: 'test',
  deviceId: 'dev-1',
  secret: 'a'.repeat(43),
  hints: { installId: 'install-0001', hostname: 'pc', macs: [] },
};
/** Lets the session's promise chain run (fake timers hold only timers). */
const settle = async () => {
  for (let i = 0; i < 20; i++) await Promise.resolve();
};

describe('the login (hello) timeout', () => {
  beforeEach(() => mock.timers.enable({ apis: ['setTimeout'] }));
  afterEach(() => mock.timers.reset());

  const session = (bytesRead: () => number) => {
    const ws = new FakeSocket();
    new AgentSession(ws as unknown as WebSocket, ctx, '127.0.0.1', () => undefined, bytesRead).start();
    return ws;
  };

  it('closes a connection that sent nothing within the timeout', () => {
    const ws = session(() => 300);
    mock.timers.tick(AUTH_MS);
    assert.equal(ws.closedWith, CLOSE_CODES.protocol);
    assert.deepEqual(
      ws.sent.map((m) => m.code),
      ['E_NOT_AUTHENTICATED'],
    );
  });

  it('does not trip for a hello that waits for its place in a turn of the loop (a storm), however long', async () => {
    const ws = new FakeSocket();
    let credentialAsked = false;
    let place!: () => void;
    const paced: SessionContext = {
      ...ctx,
      store: { deviceCredential: async () => ((credentialAsked = true), null) } as unknown as Store,
      turns: { place: () => new Promise<void>((resolve) => (place = resolve)) },
    };
    new AgentSession(
      ws as unknown as WebSocket,
      paced,
      '127.0.0.1',
      () => undefined,
      () => 300,
    ).start();
    ws.emit('message', Buffer.from(JSON.stringify(hello)), false);
    await settle();
    mock.timers.tick(AUTH_MS * 3);
    assert.equal(ws.closedWith, undefined, "the hello came in time: waiting for its turn is the server's delay");
    assert.equal(credentialAsked, false, 'not read before its place');
    place();
    await settle();
    assert.equal(credentialAsked, true);
    // The unknown device is refused as ever, by the hello's answer and not the timer.
    assert.equal(ws.closedWith, CLOSE_CODES.auth);
  });

  it('does not trip for a hello that reached the socket in time but still waits for inflation; gives it one more period', () => {
    let bytes = 300; // the upgrade request
    const ws = session(() => bytes);
    mock.timers.tick(AUTH_MS - 1);
    bytes += 180; // the hello's frame arrived, queued behind other sockets' inflation
    mock.timers.tick(1);
    assert.equal(ws.closedWith, undefined, 'the hello was sent in time');
    mock.timers.tick(AUTH_MS);
    assert.equal(ws.closedWith, CLOSE_CODES.protocol, 'but bytes that never become a message get one extension only');
  });
});

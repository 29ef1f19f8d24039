// The server's heartbeat on one session: a peer is dropped after a ping goes unanswered for a whole
// period, unless bytes arrived from it meanwhile (its pong may wait behind a large frame still
// queued for inflation, as in a mass first inventory).
import assert from 'node:assert/strict';
import { EventEmitter } from 'node:events';
import { describe, it } from 'node:test';
import type { WebSocket } from 'ws';
import { silentLogger } from '../../shared/log.js';
import { AgentSession, type SessionContext } from './session.js';

class FakeSocket extends EventEmitter {
  pings = 0;
  terminated = false;
  ping(): void {
    this.pings++;
  }
  terminate(): void {
    this.terminated = true;
  }
  pause(): void {}
  resume(): void {}
  close(): void {}
}

function session(bytesRead: () => number) {
  const ws = new FakeSocket();
  const ctx = { log: silentLogger } as unknown as SessionContext;
  return { ws, s: new AgentSession(ws as unknown as WebSocket, ctx, '127.0.0.1', () => undefined, bytesRead) };
}

describe('agent session heartbeat', () => {
  it('drops a peer from which nothing arrived for a whole period after a ping', () => {
    const { ws, s } = session(() => 100);
    s.heartbeat();
    assert.equal(ws.pings, 1);
    s.heartbeat();
    assert.equal(ws.terminated, true);
  });

  it('keeps a peer whose bytes keep arriving though no pong was handled', () => {
    let read = 100;
    const { ws, s } = session(() => read);
    for (let period = 0; period < 5; period++) {
      s.heartbeat();
      read += 4096; // a large frame arriving, or a pong queued behind one
    }
    assert.equal(ws.terminated, false);
    assert.equal(ws.pings, 5);
    s.heartbeat(); // nothing more arrived: this period's ping is the last chance
    s.heartbeat();
    assert.equal(ws.terminated, true);
  });

  it('keeps pinging, and never drops, a peer whose frame waits its turn with the socket paused', () => {
    const { ws, s } = session(() => 100);
    // A frame being handled (a batch waiting for a slot or for the store) keeps the socket paused.
    (s as unknown as { pending: number }).pending = 1;
    for (let period = 0; period < 5; period++) s.heartbeat();
    assert.equal(ws.terminated, false);
    assert.equal(ws.pings, 5, 'the agent keeps hearing from the server meanwhile');
  });
});

describe('agent session held back by the read gate', () => {
  it('is pinged and never dropped while held back, and judged again once it reads again', () => {
    const { ws, s } = session(() => 100);
    s.heartbeat(); // judged: nothing new since, the next judgement would drop it
    s.holdBack();
    for (let period = 0; period < 5; period++) s.heartbeat();
    assert.equal(ws.terminated, false, 'its pongs wait in TCP behind whatever it sent');
    assert.equal(ws.pings, 6);
    s.readAgain();
    s.heartbeat();
    assert.equal(ws.terminated, true, 'reading again, a silent peer is judged as before');
  });
});

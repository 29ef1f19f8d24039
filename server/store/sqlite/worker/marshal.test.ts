import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { marshal, unmarshal, type CallbackRequest, type Callbacks } from './marshal.js';

class Rules {
  private readonly on = true;
  get enabled(): boolean {
    return this.on;
  }
  jobsFor(n: number): string[] {
    return this.on ? [`job-${n}`] : [];
  }
}

/** Crosses like postMessage does (a structured clone), and calls back in place of the main thread. */
function cross(value: unknown): unknown {
  const callbacks: Callbacks = new Map();
  const sent = structuredClone(marshal(value, callbacks));
  const callMain = (r: CallbackRequest) => callbacks.get(r.fn)!(...r.args);
  return unmarshal(sent, callMain);
}

describe('store worker arguments', () => {
  it('leaves data without functions as it is, uncopied', () => {
    const items = [{ seq: 1, body: { software: [{ name: 'a' }, { name: 'b' }] } }];
    assert.equal(marshal(items, new Map()), items);
  });

  it('calls back functions, also inside plain objects, and methods and getters of a class instance', () => {
    const asked: string[] = [];
    const request = { at: 1, isLive: (id: string) => (asked.push(id), id === 'live') };
    const crossed = cross([request, new Rules()]) as [
      { at: number; isLive: (id: string) => boolean },
      { enabled: boolean; jobsFor: (n: number) => string[] },
    ];
    assert.equal(crossed[0].at, 1);
    assert.equal(crossed[0].isLive('live'), true);
    assert.equal(crossed[0].isLive('other'), false);
    assert.deepEqual(asked, ['live', 'other']);
    assert.equal(crossed[1].enabled, true);
    assert.deepEqual(crossed[1].jobsFor(7), ['job-7']);
  });

  it('gives Buffers back as Buffers', () => {
    const crossed = cross({ hash: Buffer.from('ab') }) as { hash: Buffer };
    assert.ok(Buffer.isBuffer(crossed.hash));
    assert.equal(crossed.hash.toString('hex'), '6162');
  });
});

// The read gate bounds the frames the server holds: past the limit every authenticated socket stops
// being read, and below half of it the sessions held back read again, oldest first, a slice at a time.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { ReadGate, type GatedReader } from './read-gate.js';

class Reader implements GatedReader {
  reading = true;
  constructor(readonly name: string) {}
  holdBack(): void {
    this.reading = false;
  }
  readAgain(): void {
    this.reading = true;
  }
}

const readers = (n: number) => Array.from({ length: n }, (_, i) => new Reader(`r${i}`));

describe('read gate', () => {
  it('stops reading every session once the frames held reach the limit, and lets them read below half of it', () => {
    const gate = new ReadGate({ limitBytes: 1000, slice: 10 });
    const all = readers(4);
    for (const r of all) gate.join(r);
    const first = gate.hold(300);
    assert.ok(all.every((r) => r.reading));
    const second = gate.hold(700);
    assert.ok(
      all.every((r) => !r.reading),
      'at the limit nobody is read',
    );
    first();
    assert.ok(
      all.every((r) => !r.reading),
      'still above half the limit (700 of 1000)',
    );
    second();
    assert.ok(
      all.every((r) => r.reading),
      'nothing held: everyone reads again',
    );
    assert.deepEqual(gate.state, { heldBytes: 0, heldBack: 0 });
    gate.stop();
  });

  it('gives reading back a slice at a time, the longest held back first', () => {
    const gate = new ReadGate({ limitBytes: 100, slice: 2 });
    const all = readers(5);
    for (const r of all) gate.join(r);
    const big = gate.hold(100);
    const done = [gate.hold(1), gate.hold(1), gate.hold(1)];
    big();
    // Each frame done (or each tick) lets one slice read again.
    assert.deepEqual(
      all.map((r) => r.reading),
      [true, true, false, false, false],
    );
    done[0]!();
    assert.deepEqual(
      all.map((r) => r.reading),
      [true, true, true, true, false],
    );
    done[1]!();
    assert.ok(all.every((r) => r.reading));
    done[2]!();
    gate.stop();
  });

  it('holds back a session that joins while the gate is shut, and forgets one that leaves', () => {
    const gate = new ReadGate({ limitBytes: 10, slice: 1 });
    const [a, b, c] = readers(3) as [Reader, Reader, Reader];
    gate.join(a);
    const held = gate.hold(10);
    gate.join(b);
    gate.join(c);
    assert.equal(b.reading, false, 'a newcomer waits its turn behind those held back');
    assert.equal(gate.isHeldBack(c), true);
    gate.leave(a);
    held();
    assert.equal(a.reading, false, 'a session gone is never resumed');
    assert.equal(b.reading, true);
    assert.equal(c.reading, false, 'one slice per frame done');
    assert.equal(gate.state.heldBack, 1);
    gate.stop();
  });

  it('gives each frame its bytes back once, however often it is told', () => {
    const gate = new ReadGate({ limitBytes: 10 });
    const r = new Reader('r');
    gate.join(r);
    const giveBack = gate.hold(6);
    giveBack();
    giveBack();
    assert.equal(gate.state.heldBytes, 0);
    gate.hold(10);
    assert.equal(r.reading, false, 'a repeated give-back did not leave room that was never there');
    gate.stop();
  });

  it('lets an idle fleet read again on its tick when no frame is left to finish', (t) => {
    t.mock.timers.enable({ apis: ['setInterval'] });
    const gate = new ReadGate({ limitBytes: 10, slice: 1, tickMs: 100 });
    const all = readers(3);
    for (const r of all) gate.join(r);
    const held = gate.hold(10);
    // The frame is given back while its session's reading had not been taken: no frame left to finish.
    held();
    assert.deepEqual(
      all.map((r) => r.reading),
      [true, false, false],
    );
    t.mock.timers.tick(100);
    t.mock.timers.tick(100);
    assert.ok(all.every((r) => r.reading));
    assert.equal(gate.state.heldBack, 0);
    gate.stop();
  });
});

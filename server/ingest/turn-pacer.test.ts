import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { TurnPacer } from './turn-pacer.js';

/** A pacer whose turns the test runs by hand. */
function manual(perTurn: number) {
  const turns: (() => void)[] = [];
  const pacer = new TurnPacer(perTurn, (callback) => turns.push(callback));
  const started: number[] = [];
  const step = (i: number) => void pacer.place().then(() => started.push(i));
  const nextTurn = async () => {
    for (const callback of turns.splice(0)) callback();
    await new Promise((resolve) => setImmediate(resolve)); // the steps let go run
  };
  return { pacer, started, step, nextTurn, turns };
}

describe('TurnPacer', () => {
  it('starts at most perTurn steps a turn, the rest in later turns in the order they came', async () => {
    const { pacer, started, step, nextTurn } = manual(3);
    for (let i = 0; i < 8; i++) step(i);
    await Promise.resolve();
    assert.deepEqual(started, [0, 1, 2]);
    assert.equal(pacer.queued, 5);
    await nextTurn();
    assert.deepEqual(started, [0, 1, 2, 3, 4, 5]);
    await nextTurn();
    assert.deepEqual(started, [0, 1, 2, 3, 4, 5, 6, 7]);
    assert.equal(pacer.queued, 0);
  });

  it('counts the steps a turn let go from the queue: one that comes in that turn waits for the next', async () => {
    const { started, step, nextTurn } = manual(2);
    for (let i = 0; i < 4; i++) step(i);
    await nextTurn(); // lets 2 and 3 go: the turn is full
    step(4);
    await Promise.resolve();
    assert.deepEqual(started, [0, 1, 2, 3]);
    await nextTurn();
    assert.deepEqual(started, [0, 1, 2, 3, 4]);
  });

  it('lets a step start at once in a turn with room and nothing waiting', async () => {
    const { started, step, nextTurn } = manual(2);
    for (let i = 0; i < 3; i++) step(i);
    await nextTurn(); // lets 2 go: one place left this turn
    step(3);
    await Promise.resolve();
    assert.deepEqual(started, [0, 1, 2, 3]);
  });

  it('asks for no more turns once nothing waits', async () => {
    const { step, nextTurn, turns } = manual(2);
    step(0);
    await nextTurn(); // the count of the turn step 0 started in is reset
    await nextTurn();
    assert.equal(turns.length, 0);
  });

  it('refuses a bound below one step a turn', () => {
    assert.throws(() => new TurnPacer(0), RangeError);
  });
});

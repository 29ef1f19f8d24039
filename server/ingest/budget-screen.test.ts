import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { AgentMessages, LIMITS, parseFrame } from '../../shared/protocol.js';
import { deltaItem, ingestState, machine, pkg } from '../../test/support/server/fixtures.js';
import { screenBudget } from './budget-screen.js';
import { planBatch } from './plan-batch.js';

const v1 = machine({ software: [pkg('bash', '5.1')] });
const v2 = machine({ software: [pkg('bash', '5.2')] });
const flood = (seq: number) => ({
  seq,
  at: '2025-01-02T03:04:05.000Z',
  kind: 'inventory.delta',
  body: {
    trigger: 'refresh',
    baseDigest: 'a'.repeat(64),
    digest: 'b'.repeat(64),
    delta: { software: { removed: Array.from({ length: LIMITS.maxInventoryEntriesPerBatch }, (_, i) => `k${i}`) } },
  },
});

describe('the entry budget before the schema check', () => {
  it('takes items past the budget out of the frame unvalidated and refuses them by seq; the rest applies', () => {
    const frame = JSON.stringify({ type: 'items', items: [deltaItem(2, v1, v2), flood(3), flood(4)] });
    let screened: { seq: number }[] = [];
    const parsed = parseFrame(AgentMessages, frame, (data) => (screened = screenBudget(data)));
    assert.ok(parsed.ok && parsed.message.type === 'items');
    assert.deepEqual(screened, [{ seq: 3 }, { seq: 4 }]);
    assert.deepEqual(
      parsed.message.items.map((i) => i.seq),
      [2],
    );
    const plan = planBatch(ingestState(v1, 1), parsed.message.items, screened);
    assert.deepEqual(
      plan.problems.map((p) => [p.code, p.seq]),
      [
        ['E_BATCH_TOO_LARGE', 3],
        ['E_BATCH_TOO_LARGE', 4],
      ],
    );
    assert.equal(plan.lastSeq, 4);
    assert.equal(plan.fullRequested, true);
    assert.equal(plan.changes.length, 1, 'the delta within the budget applied');
  });

  it('leaves frames within the budget, and items without a usable seq, to the schema', () => {
    const within = { type: 'items', items: [deltaItem(2, v1, v2)] };
    assert.deepEqual(screenBudget(within), []);
    const noSeq = { type: 'items', items: [flood(2), { ...flood(3), seq: 'x' }] };
    assert.deepEqual(screenBudget(noSeq), []);
    assert.equal(noSeq.items.length, 2);
    assert.deepEqual(screenBudget({ type: 'hello' }), []);
  });
});

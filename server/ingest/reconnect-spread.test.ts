import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { MAX_RECONNECT_SPREAD_S, RECONNECTS_PER_SECOND, reconnectSpreadSeconds } from './gateway.js';

describe('the reconnect spread welcome announces', () => {
  it('grows with the fleet so that a restart brings it back at a steady rate, within a cap', () => {
    assert.equal(reconnectSpreadSeconds(0), 0);
    assert.equal(reconnectSpreadSeconds(1), 1);
    assert.equal(reconnectSpreadSeconds(10_000), Math.ceil(10_000 / RECONNECTS_PER_SECOND));
    assert.equal(reconnectSpreadSeconds(50_000), Math.ceil(50_000 / RECONNECTS_PER_SECOND));
    assert.equal(reconnectSpreadSeconds(10_000_000), MAX_RECONNECT_SPREAD_S);
  });
});

import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { Software } from '../../../shared/inventory.js';
import { keepNewestPerKey } from './dedupe.js';

const app = (version: string | undefined, arch = 'x64'): Software => ({
  name: 'Tool',
  ...(version ? { version } : {}),
  arch,
  source: 'msix',
  scope: 'machine',
});

describe('keepNewestPerKey', () => {
  it('keeps the numerically newest version of one key, whatever the order', () => {
    assert.deepEqual(keepNewestPerKey([app('10.10'), app('10.9'), app(undefined)]), [app('10.10')]);
    assert.deepEqual(keepNewestPerKey([app(undefined), app('10.9'), app('10.10')]), [app('10.10')]);
  });

  it('keeps items that differ in key (here: architecture)', () => {
    assert.equal(keepNewestPerKey([app('1', 'x64'), app('1', 'x86')]).length, 2);
  });
});

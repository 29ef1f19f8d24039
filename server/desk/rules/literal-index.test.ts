import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { LiteralIndex } from './literal-index.js';

const found = (words: string[], text: string) => {
  const index = new LiteralIndex<string>();
  for (const w of words) index.add(w, w);
  return [...index.find(text)].sort();
};

describe('LiteralIndex', () => {
  it('finds every word that occurs, including overlapping ones and ones inside others', () => {
    assert.deepEqual(found(['he', 'she', 'his', 'hers'], 'ushers'), ['he', 'hers', 'she']);
    assert.deepEqual(found(['aab', 'ab', 'b', 'c'], 'aaab'), ['aab', 'ab', 'b']);
    assert.deepEqual(found(['torrent', 'vlc'], 'teamviewer'), []);
  });

  it('matches whole characters outside the Basic Multilingual Plane', () => {
    assert.deepEqual(found(['🎮', '游戏'], 'x游戏🎮'), ['游戏', '🎮']);
    assert.deepEqual(found(['\ud83c'], '🎮'), []);
  });
});

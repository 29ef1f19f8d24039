import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { isOutpostError } from '../../../shared/errors.js';
import { compileProhibited, matchesProhibited, PATTERN_LIMITS, prohibitedFromText } from './patterns.js';

describe('matchesProhibited', () => {
  it('matches the whole name, ignoring case', () => {
    assert.equal(matchesProhibited('uTorrent', ['utorrent']), true);
    assert.equal(matchesProhibited('utorrent-helper', ['utorrent']), false);
    assert.equal(matchesProhibited('my utorrent', ['utorrent']), false);
  });

  it("takes '*' as any run of characters and '?' as exactly one", () => {
    assert.equal(matchesProhibited('BitTorrent Web', ['*torrent*']), true);
    assert.equal(matchesProhibited('qbittorrent', ['*torrent']), true);
    assert.equal(matchesProhibited('TeamViewer 15', ['teamviewer ??']), true);
    assert.equal(matchesProhibited('TeamViewer 9', ['teamviewer ??']), false);
    assert.equal(matchesProhibited('TeamViewer 150', ['teamviewer ??']), false);
    assert.equal(matchesProhibited('abcabd', ['*ab?']), true);
    assert.equal(matchesProhibited('aXbXc', ['a*b*c']), true);
    assert.equal(matchesProhibited('aXbXd', ['a*b*c']), false);
  });

  it('treats regular-expression characters in patterns and names as themselves', () => {
    assert.equal(matchesProhibited('c++', ['c++']), true);
    assert.equal(matchesProhibited('cc', ['c++']), false);
    assert.equal(matchesProhibited('node.js', ['node.js']), true);
    assert.equal(matchesProhibited('nodexjs', ['node.js']), false);
    assert.equal(matchesProhibited('g++-12', ['g++*']), true);
    assert.equal(matchesProhibited('[x](y)|z^$\\', ['[x](y)|z^$\\']), true);
    assert.equal(matchesProhibited('x', ['[x]']), false);
    assert.equal(matchesProhibited('anything', ['.*']), false);
  });

  it('compares non-ASCII names case-insensitively, one character per ?', () => {
    assert.equal(matchesProhibited('µTorrent', ['µtorrent']), true);
    assert.equal(matchesProhibited('ÉDITEUR Pro', ['éditeur*']), true);
    assert.equal(matchesProhibited('Программа', ['программа']), true);
    assert.equal(matchesProhibited('游戏🎮', ['游戏?']), true);
    // Composed and decomposed forms of é are the same name.
    assert.equal(matchesProhibited('Caf\u00e9', ['cafe\u0301']), true);
  });

  it('never matches with an empty list or patterns that are only wildcards', () => {
    assert.equal(matchesProhibited('anything', []), false);
    assert.equal(matchesProhibited('anything', ['*', '**', '?*', '   ']), false);
  });

  it('says which pattern matched', () => {
    const match = compileProhibited(['wireshark', ' *torrent* ']);
    assert.equal(match('qBittorrent'), '*torrent*');
    assert.equal(match('curl'), undefined);
  });

  it('stays fast on patterns that make backtracking regular expressions explode', () => {
    // Passes the literal pre-checks, so the glob walk itself must fail: (a+)+-style patterns.
    const evil = [`${'*a'.repeat(95)}*b?`, `${'a*'.repeat(99)}b`];
    const name = `${'a'.repeat(PATTERN_LIMITS.nameLength - 1)}b`;
    const started = performance.now();
    assert.equal(matchesProhibited(name, [evil[0]!]), false);
    assert.equal(matchesProhibited(name, [evil[1]!]), true);
    assert.ok(performance.now() - started < 500, 'a hostile pattern must not stall the server');
  });

  it('checks 2,000 names against 1,000 patterns quickly', () => {
    const patterns = Array.from({ length: PATTERN_LIMITS.patterns }, (_, i) => `*blocked-${i}`);
    const match = compileProhibited(patterns);
    const started = performance.now();
    let hits = 0;
    for (let i = 0; i < 2000; i++) if (match(`package-${i} blocked-${i % 1500}`)) hits++;
    // Names 0-999 and 1500-1999 end in blocked-0 ... blocked-999; names 1000-1499 end beyond the list.
    assert.equal(hits, 1500);
    assert.ok(performance.now() - started < 3000);
  });
});

describe('prohibitedFromText', () => {
  it('reads one pattern per line, skipping blanks and comments, keeping # inside names', () => {
    const text = '\uFEFF# file sharing\r\nutorrent\n\n  *torrent*   # any torrent client\nC#\nF# tools\n#teamviewer\nUTORRENT\n';
    assert.deepEqual(prohibitedFromText(text), ['utorrent', '*torrent*', 'C#', 'F# tools']);
  });

  it('refuses an over-long pattern, naming its line', () => {
    const text = `ok\n${'x'.repeat(PATTERN_LIMITS.patternLength + 1)}\n`;
    assert.throws(
      () => prohibitedFromText(text),
      (err: unknown) => isOutpostError(err) && err.code === 'E_CONFIG' && err.message.includes('line 2'),
    );
  });

  it('refuses a pattern that would match every package', () => {
    assert.throws(
      () => prohibitedFromText('utorrent\n*\n'),
      (err: unknown) => isOutpostError(err) && err.code === 'E_CONFIG' && err.message.includes('line 2'),
    );
  });

  it('refuses more patterns than the limit, and text beyond its size limit', () => {
    const many = Array.from({ length: PATTERN_LIMITS.patterns + 1 }, (_, i) => `pkg-${i}`).join('\n');
    assert.throws(
      () => prohibitedFromText(many),
      (err: unknown) => isOutpostError(err) && err.code === 'E_CONFIG',
    );
    assert.equal(prohibitedFromText(many.split('\n').slice(0, PATTERN_LIMITS.patterns).join('\n')).length, PATTERN_LIMITS.patterns);
    assert.throws(
      () => prohibitedFromText('#'.repeat(PATTERN_LIMITS.textLength + 1)),
      (err: unknown) => isOutpostError(err) && err.code === 'E_CONFIG',
    );
  });
});

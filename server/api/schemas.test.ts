import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { HTTP_LIMITS, ProhibitedAddBody, TokenCreateBody } from '../../shared/http-schemas.js';
import { isUselessPattern, PATTERN_LIMITS } from '../desk/rules/patterns.js';
import { LABEL_CONTROL_CHARS, MAX_TOKEN_LABEL } from '../store/tokens.js';

// The API's schemas live in shared/ (the console derives its types from them) and cannot import the
// server's own limits; these keep both sides saying the same thing.
describe('the API schemas agree with the server', () => {
  it('on the bounds of patterns, package names and token labels', () => {
    assert.equal(HTTP_LIMITS.patternLength, PATTERN_LIMITS.patternLength);
    assert.equal(HTTP_LIMITS.softwareNameLength, PATTERN_LIMITS.nameLength);
    assert.equal(HTTP_LIMITS.tokenLabel, MAX_TOKEN_LABEL);
  });

  it('on which prohibited patterns are useless', () => {
    for (const pattern of ['*', '**', '?', '* ?', 'a', '*a*', 'c++', ' x ', '?*b']) {
      assert.equal(ProhibitedAddBody.safeParse({ pattern }).success, !isUselessPattern(pattern.trim()), JSON.stringify(pattern));
    }
  });

  it('on which token labels hold control characters', () => {
    for (const label of ['laptops', 'tab\there', 'bell\u0007', 'del\u007f', 'é and ü']) {
      assert.equal(TokenCreateBody.safeParse({ label }).success, !LABEL_CONTROL_CHARS.test(label), JSON.stringify(label));
    }
  });
});

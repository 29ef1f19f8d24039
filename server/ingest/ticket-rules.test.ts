import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { attachmentRefusal, endpointTime, servedMimeType, storedMimeType, ticketNumber } from './ticket-rules.js';

const MB = 1024 * 1024;
const none = { files: 0, bytes: 0, screenshot: false };

describe('ticket rules', () => {
  it('lets a screenshot in beside 25 MB of files, but only one', () => {
    const full = { files: 3, bytes: 25 * MB, screenshot: false };
    assert.equal(attachmentRefusal(full, 'screen.png', 9 * MB, true), null);
    assert.match(attachmentRefusal({ ...full, screenshot: true }, 'again.png', 10, true)?.message ?? '', /at most one screenshot/);
    assert.match(attachmentRefusal(none, 'screen.png', 10 * MB + 1, true)?.message ?? '', /screenshot is at most 10 MB/);
    assert.equal(attachmentRefusal(full, 'one-more.txt', 1, false)?.code, 'E_TOO_LARGE');
  });

  it('keeps the time a ticket was raised offline, but not a time from a clock running ahead', () => {
    const received = Date.parse('2025-03-04T12:00:00Z');
    assert.equal(endpointTime('2025-03-04T09:00:00+01:00', received), Date.parse('2025-03-04T08:00:00Z'));
    assert.equal(endpointTime('2025-03-05T09:00:00Z', received), received);
    assert.equal(endpointTime('yesterday', received), received);
  });

  it('stores plain MIME types and serves only inert ones as themselves', () => {
    assert.equal(storedMimeType('Image/PNG; name=x'), 'image/png');
    assert.equal(storedMimeType('text/html\r\nX-Evil: 1'), 'application/octet-stream');
    assert.equal(servedMimeType('image/svg+xml'), 'application/octet-stream');
    assert.equal(servedMimeType('text/plain'), 'text/plain; charset=utf-8');
  });

  it('reads a ticket number that can exist, and nothing else', () => {
    assert.equal(ticketNumber('1042'), 1042);
    assert.equal(ticketNumber('9999999999'), null);
    assert.equal(ticketNumber('0'), null);
  });
});

import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { approvalFromValue, rejectionReason } from './approval.js';
import type { DeskNote } from './types.js';

const note = (id: string, text: string, at: string, extra: Partial<DeskNote> = {}): DeskNote => ({
  id,
  ticketId: '7',
  visibility: 'public',
  text,
  author: 'alice',
  at,
  own: false,
  ...extra,
});

describe('desk approval', () => {
  it('reads approved and rejected in any case, and anything else as still pending', () => {
    assert.equal(approvalFromValue(' Approved '), 'approved');
    assert.equal(approvalFromValue('REJECTED'), 'rejected');
    assert.equal(approvalFromValue(''), 'pending');
    assert.equal(approvalFromValue(undefined), 'pending');
    assert.equal(approvalFromValue('maybe later'), 'pending');
  });

  it("gives the desk's last public note as the reason, never one Outpost wrote", () => {
    const notes = [
      note('1', 'Looking at it', '2026-12-07T10:00:00Z'),
      note('2', 'No licence left for this one; use LibreOffice.', '2026-12-07T11:00:00Z'),
      note('3', 'internal: budget', '2026-12-07T12:00:00Z', { visibility: 'internal' }),
      note('4', 'Installing draw.io on pc-1.', '2026-12-07T13:00:00Z', { own: true }),
    ];
    assert.equal(rejectionReason(notes), 'No licence left for this one; use LibreOffice.');
  });

  it('falls back to an internal note, and to none when IT wrote nothing', () => {
    assert.equal(rejectionReason([note('1', 'Policy says no', '2026-12-07T10:00:00Z', { visibility: 'internal' })]), 'Policy says no');
    assert.equal(rejectionReason([note('1', 'x', '2026-12-07T10:00:00Z', { own: true })]), null);
  });
});

import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { attachmentItem, closeItem, createItem, noteItem, worklogItem } from '../../test/support/server/ticket-fixtures.js';
import { ledgerReadsOf } from './ticket-ledger.js';
import { isTicketItem, type TicketItem } from './ticket-records.js';

const items = (...all: ReturnType<typeof createItem>[]): TicketItem[] => all.filter(isTicketItem);
const START = '2025-01-02T09:00:00.000Z';
const END = '2025-01-02T09:30:00.000Z';

describe('what ticket items may read through the ledger (read first by an asynchronous engine)', () => {
  it('names every ticket ref, and counts the tickets that may be created', () => {
    const reads = ledgerReadsOf(
      items(
        createItem(1, 'r-1'),
        attachmentItem(2, 'r-1', 'log.txt', Buffer.from('x')),
        noteItem(3, 'r-2', 'n-1', 'still broken'),
        closeItem(4, 'r-3'),
        createItem(5, 'r-4'),
      ),
    );
    assert.deepEqual(reads, { refs: ['r-1', 'r-1', 'r-2', 'r-3', 'r-4'], worklogRefs: [], ticketIds: [], deskNumbers: [], creates: 2 });
  });

  it("looks a worklog's ticket up both ways: Outpost's number and the desk's, whatever the desk setting", () => {
    const reads = ledgerReadsOf(
      items(
        worklogItem(1, 'w-1', 'OP-17', START, END),
        worklogItem(2, 'w-2', '4', START, END),
        worklogItem(3, 'w-3', 'INC-9', START, END),
        worklogItem(4, 'w-4', '99999999999', START, END),
      ),
    );
    assert.deepEqual(reads.worklogRefs, ['w-1', 'w-2', 'w-3', 'w-4']);
    assert.deepEqual(reads.ticketIds, [17, 4], 'numbers out of range or not numbers name no Outpost ticket');
    assert.deepEqual(reads.deskNumbers, ['OP-17', '4', 'INC-9', '99999999999']);
    assert.equal(reads.creates, 0);
  });
});

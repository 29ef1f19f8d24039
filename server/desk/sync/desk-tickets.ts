// Worklogs name tickets by the desk's number. One the server has no link for (raised in the desk,
// by phone) is looked up in the desk before the worklog's batch is applied, and taken over
// (store.desk.importDeskTicket), so the worklog is recorded and then written to the desk. Only a
// number the desk has no ticket for is refused (E_UNKNOWN_TICKET, by the batch). A desk that does
// not answer gets a placeholder ticket: the worklog is kept and its job writes it when the desk
// is back; a number the desk then does not know parks that job with the desk's error.
import type { Logger } from '../../../shared/log.js';
import type { ImportedDeskTicket } from '../../store/desk-records.js';
import type { Store } from '../../store/store.js';
import type { DeskConnector } from '../connector.js';
import { isDeskError } from '../errors.js';

/** Desk look-ups one batch may cause: a batch naming more waits for none of the rest. */
export const MAX_LOOKUPS_PER_BATCH = 10;

const DESK_NUMBER = /^\d{1,20}$/;

export async function importNamedTickets(
  desk: DeskConnector,
  store: Store,
  ticketIds: readonly string[],
  now: number,
  log: Logger,
): Promise<void> {
  const wanted = [...new Set(ticketIds.filter((id) => DESK_NUMBER.test(id)))];
  let lookups = 0;
  // Once the desk does not answer, the batch's other numbers get placeholders without waiting again.
  let down = false;
  for (const number of wanted) {
    if ((await store.desk.outpostIdFor('ticket', number)) !== null) continue;
    if (lookups++ >= MAX_LOOKUPS_PER_BATCH) return;
    if (down) {
      await store.desk.importDeskTicket(placeholder(number), now);
      continue;
    }
    try {
      const found = await desk.findTicketByNumber(number);
      if (!found) continue; // the batch refuses the worklog: neither Outpost nor the desk has it
      await store.desk.importDeskTicket(
        {
          deskId: found.id,
          subject: found.subject,
          description: `Raised in the service desk as #${found.id}; Outpost took it over when a worklog named it.`,
          priority: found.priority ?? 'normal',
          status: found.status,
          requester: found.requesters[0] ?? '',
          createdAt: found.createdAt,
        },
        now,
      );
    } catch (err) {
      const code = isDeskError(err) ? err.code : 'E_INTERNAL';
      log.warn({ number, code }, 'could not look a worklog ticket up in the desk');
      if (!isDeskError(err) || !err.retryable) continue;
      down = true;
      await store.desk.importDeskTicket(placeholder(number), now);
    }
  }
}

/** A desk number named while the desk did not answer: checked when the worklog's job writes to the desk. */
function placeholder(number: string): ImportedDeskTicket {
  return {
    deskId: number,
    subject: `Desk ticket #${number}`,
    description: 'Named by a worklog while the service desk did not answer; not checked in the desk yet.',
    priority: 'normal',
    status: 'open',
    requester: '',
  };
}

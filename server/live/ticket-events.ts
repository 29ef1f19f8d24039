// The desk sync names a changed ticket by device and ref (what it pushes down to the agent); the
// console's `ticket` event carries the ticket number. This looks the number up and publishes.
import type { Logger } from '../../shared/log.js';
import type { Store } from '../store/store.js';
import type { LivePublisher } from './hub.js';

export type TicketChangedByRef = (deviceId: string | null, ref: string) => void;

export function publishTicketByRef(
  store: Pick<Store, 'endpointTickets'>,
  live: LivePublisher,
  log: Logger,
  now: () => number,
): TicketChangedByRef {
  return (deviceId, ref) => {
    // A ticket with no device cannot be looked up by ref; its callers know the number (publish directly).
    if (deviceId === null) return;
    void store
      .endpointTickets(deviceId, { refs: [ref], limit: 1 })
      .then(([ticket]) => {
        if (ticket?.number != null) live.publish('ticket', { ticketId: ticket.number, deviceId, at: new Date(now()).toISOString() });
      })
      .catch((err: unknown) => log.warn({ deviceId, err: err instanceof Error ? err.message : String(err) }, 'could not publish a ticket change'));
  };
}

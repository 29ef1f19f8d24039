// How a ticket's number reads wherever a person sees it (tray, CLI, console, notifications). No
// imports: the tray's pages bundle it.

/**
 * Outpost's own ticket number in the form that can never be a desk's: "OP-17". With a desk
 * connected, a bare number ("4", "#4") is always the desk's; without one it is Outpost's.
 */
export const OUTPOST_NUMBER = /^OP-(\d{1,10})$/i;
export const outpostLabel = (number: number): string => `OP-${number}`;

/**
 * The label of a ticket: "#4" for the desk's number once the desk has the ticket; "OP-17" while a
 * desk is connected and does not have it yet; "#17" (Outpost's number) without a desk.
 */
export function ticketLabel(number: number, deskNumber: string | null, deskConnected: boolean): string {
  if (deskNumber !== null) return `#${deskNumber}`;
  return deskConnected ? outpostLabel(number) : `#${number}`;
}

/** What a ticket shows: the server's label, else "#number" (older servers); null before it is numbered. */
export function shownNumber(t: { number: number | null; label?: string | undefined }): string | null {
  if (t.label) return t.label;
  return t.number === null ? null : `#${t.number}`;
}

/** A worklog's ticket as typed ("1042", "OP-17") in the form people read: "#1042", "OP-17". */
export function worklogTicketLabel(ticketId: string): string {
  return /^\d+$/.test(ticketId) ? `#${ticketId}` : ticketId;
}

// A self-service request's approval as the desk holds it (shared/self-service.ts): RT a custom field
// ("Outpost approval" = approved / rejected) or its built-in "rejected" status; the reason for a
// rejection is the last note someone wrote in the desk (never Outpost's own).
import type { ApprovalState } from '../../shared/self-service.js';
import { SOFTWARE_REQUEST_LIMITS } from '../../shared/self-service.js';
import type { DeskNote } from './types.js';

export interface DeskApproval {
  state: ApprovalState;
  /** The desk's reason for a rejection (its last note); null otherwise or when IT wrote none. */
  reason: string | null;
}

/** A field's value as IT set it: approved / rejected in any case and spacing; anything else waits. */
export function approvalFromValue(value: string | null | undefined): ApprovalState {
  const v = (value ?? '').trim().toLowerCase();
  if (v === 'approved' || v === 'approve' || v === 'yes') return 'approved';
  if (v === 'rejected' || v === 'reject' || v === 'denied' || v === 'no') return 'rejected';
  return 'pending';
}

/** The last note a person wrote in the desk, customer-facing ones first: what the requester is told. */
export function rejectionReason(notes: readonly DeskNote[]): string | null {
  const theirs = notes.filter((n) => !n.own && n.text.trim() !== '');
  const byTime = (a: DeskNote, b: DeskNote) => Date.parse(a.at) - Date.parse(b.at);
  const pick = [...theirs.filter((n) => n.visibility === 'public')].sort(byTime).at(-1) ?? [...theirs].sort(byTime).at(-1);
  return pick ? pick.text.trim().slice(0, SOFTWARE_REQUEST_LIMITS.deskReasonChars) : null;
}

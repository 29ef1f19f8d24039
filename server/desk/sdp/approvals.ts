// A self-service request's approval in ServiceDesk Plus: the request's approval levels
// (GET /api/v3/requests/{id}/approval_levels, each with its status) and, for a rejection, the
// approvals of the rejecting level (GET .../approval_levels/{level}/approvals), whose approver's
// comments are the reason the requester is told. Built to ManageEngine's Request Approval Level and
// Request Approval pages (test/desk/sdp/fixtures/approvals.json, which quotes them): a level's and an
// approval's `status` is an approval_status whose documented names are Approved, Rejected, Pending
// Approval and To Be Sent (the last two wait).
import { z } from 'zod';
import type { ApprovalState } from '../../../shared/self-service.js';
import { SOFTWARE_REQUEST_LIMITS } from '../../../shared/self-service.js';
import type { DeskApproval } from '../approval.js';
import type { SdpClient } from './client.js';
import type { SdpConfig } from './config.js';
import { sdpId } from './mapping.js';

/** SDP allows 5 approval levels per request (the level page: "between 1 to 5"); a page holds them all. */
const LEVELS_PAGE = 100;

const idOut = z.union([z.string(), z.number()]).transform(String);
const statusOut = z.object({ name: z.string() }).nullish();

export const ApprovalLevelOutSchema = z.object({ id: idOut, level: z.number().nullish(), status: statusOut });
export const ApprovalOutSchema = z.object({
  id: idOut,
  status: statusOut,
  comments: z.string().nullish(),
  approver: z.object({ name: z.string().nullish(), email_id: z.string().nullish() }).nullish(),
});

/** A level's or an approval's status name as the configured approved / rejected names read it. */
export function approvalFromSdpStatus(config: SdpConfig, name: string | null | undefined): ApprovalState {
  const v = (name ?? '').trim().toLowerCase();
  if (config.approvalStatuses.approved.some((n) => n.toLowerCase() === v)) return 'approved';
  if (config.approvalStatuses.rejected.some((n) => n.toLowerCase() === v)) return 'rejected';
  return 'pending';
}

/**
 * Rejected when any level is (SDP ends the process there); approved when every level is and there
 * is at least one; otherwise pending (no level yet: the request was not sent for approval).
 */
export async function readSdpApproval(client: SdpClient, config: SdpConfig, requestId: string): Promise<DeskApproval> {
  const base = `/api/v3/requests/${sdpId(requestId)}/approval_levels`;
  const levels = (await client.list(base, 'approval_levels', ApprovalLevelOutSchema, { list_info: { row_count: LEVELS_PAGE } })).items;
  const states = levels.map((l) => ({ level: l, state: approvalFromSdpStatus(config, l.status?.name) }));
  const rejected = states.find((s) => s.state === 'rejected');
  if (rejected)
    return { state: 'rejected', reason: await rejectionComment(client, config, `${base}/${sdpId(rejected.level.id)}/approvals`) };
  if (states.length > 0 && states.every((s) => s.state === 'approved')) return { state: 'approved', reason: null };
  return { state: 'pending', reason: null };
}

/** The rejecting approver's comments; another approver's comments on that level when the rejecter wrote none. */
async function rejectionComment(client: SdpClient, config: SdpConfig, path: string): Promise<string | null> {
  const approvals = (await client.list(path, 'approvals', ApprovalOutSchema, { list_info: { row_count: LEVELS_PAGE } })).items;
  const said = (a: z.infer<typeof ApprovalOutSchema>) => (a.comments ?? '').trim();
  const pick =
    approvals.find((a) => approvalFromSdpStatus(config, a.status?.name) === 'rejected' && said(a) !== '') ??
    approvals.find((a) => said(a) !== '');
  return pick ? said(pick).slice(0, SOFTWARE_REQUEST_LIMITS.deskReasonChars) : null;
}

// Approvals in the SDP contract server, from the Request Approval Level and Request Approval pages
// (fixtures/approvals.json): a request's levels (1 to 5) each with its status, and per level the
// approvals with the approver and their comments (at most 250 characters). People decide in SDP
// through decide(); the API reads them. Answers carry only the documented attributes.
import { readFileSync } from 'node:fs';
import { Missing, Refusal, type Person, type Row } from './contract-state.js';
import type { ListInput, SdpContractServer } from './contract-server.js';
import type { Route } from './contract-routes.js';

interface Doc {
  path: string;
  list: string;
  attributes: string[];
}
const FIXTURE = JSON.parse(readFileSync(new URL('./fixtures/approvals.json', import.meta.url), 'utf8')) as {
  levels: Doc & { levels: { min: number; max: number } };
  approvals: Doc & { commentsMax: number };
  statusNames: { pending: string[]; approved: string[]; rejected: string[] };
};
export const APPROVAL_STATUS_NAMES = FIXTURE.statusNames;

interface Approval {
  id: string;
  approver: Person;
  status: string;
  comments: string | null;
}
interface Level {
  id: string;
  level: number;
  status: string;
  approvals: Approval[];
}

/** Levels per request id. */
export class ContractApprovals {
  private readonly byRequest = new Map<string, Level[]>();

  constructor(private readonly server: SdpContractServer) {}

  /** IT sends the request for approval: one more level, one approval per approver, all pending. */
  sendForApproval(requestId: string, approvers: Person[]): string {
    this.server.request(requestId);
    const levels = this.byRequest.get(requestId) ?? [];
    if (levels.length >= FIXTURE.levels.levels.max) throw new Error('SDP allows 5 approval levels');
    const id = this.server.state.nextId();
    const pending = FIXTURE.statusNames.pending[0]!;
    const approvals = approvers.map((approver) => ({ id: this.server.state.nextId(), approver, status: pending, comments: null }));
    levels.push({ id, level: levels.length + 1, status: pending, approvals });
    this.byRequest.set(requestId, levels);
    return id;
  }

  /** An approver decides on a level (anyone-to-approve rule): the level takes the decision. */
  decide(requestId: string, levelId: string, approver: Person, decision: 'approved' | 'rejected', comments?: string): void {
    const level = (this.byRequest.get(requestId) ?? []).find((l) => l.id === levelId);
    const approval = level?.approvals.find((a) => a.approver.id === approver.id);
    if (!level || !approval) throw new Error(`${approver.name} is no approver of level ${levelId}`);
    if (comments !== undefined && comments.length > FIXTURE.approvals.commentsMax)
      throw new Error('approval comments are at most 250 characters');
    const name = decision === 'approved' ? FIXTURE.statusNames.approved[0]! : FIXTURE.statusNames.rejected[0]!;
    Object.assign(approval, { status: name, comments: comments ?? null });
    level.status = name;
  }

  routes(): Route[] {
    const levelsPath = pathPattern(FIXTURE.levels.path);
    const approvalsPath = pathPattern(FIXTURE.approvals.path);
    return [
      {
        method: 'GET',
        path: levelsPath,
        input: 'list',
        handle: ([id], input) => this.list(FIXTURE.levels, this.levels(id!).map(levelOut), input),
      },
      {
        method: 'GET',
        path: approvalsPath,
        input: 'list',
        handle: ([id, levelId], input) => {
          const level = this.levels(id!).find((l) => l.id === levelId);
          if (!level) throw new Missing(`no approval level ${levelId} on request ${id}`);
          return this.list(
            FIXTURE.approvals,
            level.approvals.map((a) => approvalOut(a, level)),
            input,
          );
        },
      },
    ];
  }

  private levels(requestId: string): Level[] {
    this.server.request(requestId);
    return this.byRequest.get(requestId) ?? [];
  }

  private list(doc: Doc, rows: Row[], input: unknown): { body: Row } {
    const l = input as ListInput | undefined;
    if (l?.list_info.search_criteria !== undefined || l?.list_info.sort_field !== undefined)
      throw new Refusal(400, 'approval levels and approvals take paging only');
    for (const row of rows) for (const k of Object.keys(row)) if (!doc.attributes.includes(k)) throw new Error(`undocumented ${k}`);
    return { body: this.server.list('requests', doc.list, rows, l) };
  }
}

function pathPattern(documented: string): RegExp {
  return new RegExp(`^${documented.replace(/\{[a-z_]+\}/g, '(\\d+)').replace(/\//g, '\\/')}$`);
}

function levelOut(l: Level): Row {
  return { id: l.id, level: l.level, status: { name: l.status, id: `${l.id}0` } };
}

function approvalOut(a: Approval, l: Level): Row {
  const approver = { name: a.approver.name, email_id: a.approver.email_id, id: a.approver.id };
  return { id: a.id, approver, comments: a.comments, approval_level: { id: l.id }, status: { name: a.status, id: `${a.id}0` } };
}

// Which desk jobs an applied batch makes: the desk's rules, asked by the ingest inside the batch
// transaction, so the store enqueues the jobs with the endpoint data they come from and a crash
// cannot separate them. Jobs carry Outpost ids only; the sync engine reads the current data when it
// runs them. Off (no jobs) until the sync engine starts with a desk.
import { randomUUID } from 'node:crypto';
import type { TicketStatus } from '../../../shared/tickets.js';
import type { NewDeskJob } from '../../store/desk-records.js';
import type { BatchOutcome, SweptChanges } from '../../store/store.js';
import type { TicketChangeJobs, TicketItem, TicketItemResult } from '../../store/ticket-records.js';
import { assetEventKey, assetEventsFrom, type AssetEventRules } from '../rules/asset-events.js';
import { parsePostureState, postureEventsFrom } from '../rules/posture-events.js';
import { isUselessPattern, PATTERN_LIMITS } from '../rules/patterns.js';

export interface AppliedItems {
  deviceId: string;
  outcome: BatchOutcome;
  ticketItems: readonly TicketItem[];
  /** What each ticket item did (problems make no job). */
  results: readonly TicketItemResult[];
  /** The device had no snapshot before this batch. */
  first: boolean;
  at: number;
  /** What the desk's rules kept about the device from earlier batches, read and written in the batch's transaction. */
  memory: { get(): string | null; set(value: string): void };
  /** The names this device may keep although prohibited (approved exceptions), read in the batch's transaction. */
  exemptions: () => readonly string[];
}

export class BatchJobRules implements TicketChangeJobs {
  private enabled = false;
  private rules: AssetEventRules | null = null;
  private extraProhibited: (() => readonly string[]) | null = null;
  private merged: { extra: readonly string[]; rules: AssetEventRules } | null = null;

  get isEnabled(): boolean {
    return this.enabled;
  }

  /**
   * Whether batches make desk jobs (only while a desk is configured), and asset events by which
   * rules; `extraProhibited` (e.g. the console's list) is asked each time rules are evaluated and
   * merged with rules.prohibited (again only when it returns a different array).
   */
  setEnabled(enabled: boolean, rules?: AssetEventRules, extraProhibited?: () => readonly string[]): void {
    this.enabled = enabled;
    this.rules = enabled ? (rules ?? null) : null;
    this.extraProhibited = enabled ? (extraProhibited ?? null) : null;
    this.merged = null;
  }

  /**
   * The rules with the extra patterns as they are now (asked on every batch, so a console change
   * counts at once). The merge is redone only when the caller hands over a new list.
   */
  get eventRules(): AssetEventRules | null {
    if (!this.rules || !this.extraProhibited || !this.rules.prohibitedSoftware) return this.rules;
    let extra: readonly string[];
    try {
      extra = this.extraProhibited();
    } catch {
      return this.rules; // the settings' own list still applies
    }
    if (this.merged?.extra !== extra) this.merged = { extra, rules: withExtraPatterns(this.rules, extra) };
    return this.merged.rules;
  }

  /** A status IT set through the API, unless the desk already has it (a status the desk itself reported: its echo). */
  statusChanged(ticketId: number, status: TicketStatus, deskStatus: string | null): NewDeskJob[] {
    if (!this.enabled || deskStatus === status) return [];
    // The change id keys the job: each change is one job; the job writes the ticket's status as it is then.
    const changeId = randomUUID();
    return [{ kind: 'ticket.status', key: `status:${ticketId}:${changeId}`, payload: { ticketId, changeId } }];
  }

  /** A note IT added through the API. */
  noteAdded(ticketId: number, noteId: string): NewDeskJob[] {
    return this.enabled ? [{ kind: 'ticket.note', key: `note:server:${noteId}`, payload: { ticketId, noteId } }] : [];
  }

  ticketRaised(deviceId: string, ref: string): NewDeskJob[] {
    return this.enabled ? [createJob(deviceId, ref)] : [];
  }

  jobsFor(applied: AppliedItems): NewDeskJob[] {
    if (!this.enabled) return [];
    return [...inventoryJobs(applied, this.eventRules), ...ticketJobs(applied)];
  }

  /**
   * The asset events of the changes a sweeper step recorded: what a swap (a paged snapshot, or a
   * large one sent whole) changed reaches the history there, not in its batch. Keyed as the batch's
   * events are, and enqueued with the record, so each change raises its events once.
   */
  jobsForSwept(swept: SweptChanges, at: number): NewDeskJob[] {
    const rules = this.enabled ? this.eventRules : null;
    if (!rules || swept.changes.length === 0) return [];
    const input = {
      deviceId: swept.deviceId,
      hostname: swept.hostname,
      changes: swept.changes,
      first: swept.first,
      detectedAt: new Date(at).toISOString(),
      exempt: rules.prohibitedSoftware ? swept.exemptions() : [],
    };
    return assetEventsFrom(input, rules).map((e) => eventJob(swept.deviceId, e.key, e));
  }
}

function inventoryJobs({ deviceId, outcome, first, at, memory, exemptions }: AppliedItems, rules: AssetEventRules | null): NewDeskJob[] {
  const jobs: NewDeskJob[] = [];
  // Any new snapshot may change what the desk's asset shows (name, OS, user, adapters).
  const snapshot = outcome.snapshot;
  if (!snapshot) return jobs;
  jobs.push({ kind: 'asset', key: `asset:${deviceId}`, payload: { deviceId }, coalesce: true });
  if (!rules) return jobs;
  // The hostname is read without building the stored sections (up to megabytes): a software-only
  // batch costs O(its delta) here too.
  const hostname = snapshotHostname(snapshot);
  if (outcome.changes.length) {
    const input = {
      deviceId,
      hostname,
      changes: outcome.changes,
      first,
      detectedAt: new Date(at).toISOString(),
      exempt: rules.prohibitedSoftware ? exemptions() : [],
    };
    // The event's key is the job's key: the same event from a redelivery or a restart is no new job.
    for (const e of assetEventsFrom(input, rules)) jobs.push(eventJob(deviceId, e.key, e));
  }
  // Posture events (low space, encryption, antivirus) depend on what earlier batches saw, and only on
  // the sections other than software: when only software changed, they are as the last batch left
  // them, and the sections are not built to find that out. A rule changed since then is applied at
  // the next change of those sections.
  if (snapshot.restChanged !== false) {
    const view = snapshot.inventory;
    const before = memory.get();
    const where = { deviceId, hostname, detectedAt: new Date(at).toISOString() };
    const posture = postureEventsFrom(view, rules, parsePostureState(before), where);
    const after = JSON.stringify(posture.state);
    if (after !== before) memory.set(after);
    for (const e of posture.events) {
      jobs.push(eventJob(deviceId, assetEventKey(e.kind, deviceId, e.identity), e));
    }
  }
  return jobs;
}

/** An event's desk job: its key is the event's, so the same event raised again is no new job. */
function eventJob(deviceId: string, key: string, e: { kind: string; subject: string; description: string }): NewDeskJob {
  return { kind: 'event', key, payload: { deviceId, eventKind: e.kind, subject: e.subject, description: e.description } };
}

function snapshotHostname(snapshot: NonNullable<BatchOutcome['snapshot']>): string {
  return snapshot.hostname ?? snapshot.inventory.os.hostname;
}

/** A new ticket, from the endpoint or the console: the desk flow links it to the device's asset. */
function createJob(deviceId: string, ref: string): NewDeskJob {
  return { kind: 'ticket.create', key: `ticket:${deviceId}:${ref}`, payload: { deviceId, ref } };
}

function ticketJobs({ deviceId, ticketItems, results }: AppliedItems): NewDeskJob[] {
  const jobs: NewDeskJob[] = [];
  const bySeq = new Map(results.map((r) => [r.seq, r]));
  const noteJob = (ref: string, noteId: string): NewDeskJob => ({
    kind: 'ticket.note',
    key: `note:${deviceId}:${noteId}`,
    payload: { deviceId, ref, noteId },
  });
  for (const item of ticketItems) {
    const result = bySeq.get(item.seq);
    if (!result || result.type === 'problem') continue;
    switch (item.kind) {
      case 'ticket.create':
        jobs.push(createJob(deviceId, item.body.ref));
        break;
      case 'ticket.note':
        jobs.push(noteJob(item.body.ref, item.body.noteId));
        break;
      case 'ticket.close':
        jobs.push({ kind: 'ticket.close', key: `close:${deviceId}:${item.body.ref}`, payload: { deviceId, ref: item.body.ref } });
        break;
      case 'ticket.reopen':
        // The note says why; the status job reopens the desk ticket where the desk takes statuses
        // from Outpost (otherwise the note alone reaches it).
        jobs.push(noteJob(item.body.ref, item.body.noteId));
        if (result.type === 'ticket') {
          const changeId = `reopen-${item.body.noteId}`;
          jobs.push({
            kind: 'ticket.status',
            key: `status:${result.ticketId}:${changeId}`,
            payload: { ticketId: result.ticketId, changeId },
          });
        }
        break;
      case 'worklog':
        if (result.type === 'worklog' && result.state === 'recorded') {
          const payload = { deviceId, ref: item.body.ref, ticketId: result.ticketId };
          jobs.push({ kind: 'worklog', key: `worklog:${deviceId}:${item.body.ref}`, payload });
        }
        break;
      case 'ticket.attachment':
        // Files that arrive with the ticket's batch go with the ticket; see the engine's ticket flow.
        break;
    }
  }
  return jobs;
}

/** The settings' rules plus the usable extra patterns (the settings' schema checks its own; these come from elsewhere). */
function withExtraPatterns(rules: AssetEventRules, extra: readonly string[]): AssetEventRules {
  const usable = extra.filter(
    (p) => typeof p === 'string' && p.length > 0 && p.length <= PATTERN_LIMITS.patternLength && !isUselessPattern(p),
  );
  if (usable.length === 0) return rules;
  return { ...rules, prohibited: [...new Set([...rules.prohibited, ...usable])] };
}

// Which desk jobs an applied batch makes, enqueued inside the batch's own transaction: a crash
// between the endpoint data and its job cannot happen. Jobs carry Outpost ids only; the sync engine
// reads the current data when it runs them.
import type Database from 'better-sqlite3';
import { assetEventKey, assetEventsFrom, type AssetEventRules } from '../../desk/rules/asset-events.js';
import { parsePostureState, postureEventsFrom } from '../../desk/rules/posture-events.js';
import type { NewDeskJob } from '../desk-records.js';
import type { AppliedBatch, BatchOutcome } from '../store.js';

export interface BatchContext {
  /** The device had no snapshot before this batch. */
  first: boolean;
  /** Asset-event rules in force, or null for none. */
  rules: AssetEventRules | null;
  at: number;
}

export type BatchJobs = (deviceId: string, applied: AppliedBatch<BatchOutcome>, ctx: BatchContext) => NewDeskJob[];

export function createBatchJobs(db: Database.Database): BatchJobs {
  const worklogTicket = db.prepare<[string, string], { ticket_id: number }>(
    'SELECT ticket_id FROM worklogs WHERE device_id = ? AND ref = ?',
  );

  // Posture events (low space, encryption, antivirus) need what earlier batches saw: kept in
  // desk_state and written in the batch's transaction, so a redelivery or restart raises nothing twice.
  const getState = db.prepare<[string], { value: string }>('SELECT value FROM desk_state WHERE key = ?');
  const setState = db.prepare<[string, string]>(
    'INSERT INTO desk_state (key, value) VALUES (?, ?) ON CONFLICT(key) DO UPDATE SET value = excluded.value',
  );

  return (deviceId, applied, ctx) => {
    const jobs: NewDeskJob[] = [];
    // Any new snapshot may change what the desk's asset shows (name, OS, user, adapters).
    const snapshot = applied.plan.snapshot?.inventory;
    if (snapshot) jobs.push({ kind: 'asset', key: `asset:${deviceId}`, payload: { deviceId }, coalesce: true });
    if (snapshot && ctx.rules && applied.plan.changes.length) {
      const input = {
        deviceId,
        hostname: snapshot.os.hostname,
        changes: applied.plan.changes,
        first: ctx.first,
        detectedAt: new Date(ctx.at).toISOString(),
      };
      // The event's key is the job's key: the same event from a redelivery or a restart is no new job.
      for (const e of assetEventsFrom(input, ctx.rules)) {
        jobs.push({ kind: 'event', key: e.key, payload: { deviceId, eventKind: e.kind, subject: e.subject, description: e.description } });
      }
    }
    if (snapshot && ctx.rules) {
      const stateKey = `posture:${deviceId}`;
      const before = getState.get(stateKey)?.value ?? null;
      const where = { deviceId, hostname: snapshot.os.hostname, detectedAt: new Date(ctx.at).toISOString() };
      const posture = postureEventsFrom(snapshot, ctx.rules, parsePostureState(before), where);
      const after = JSON.stringify(posture.state);
      if (after !== before) setState.run(stateKey, after);
      for (const e of posture.events) {
        const key = assetEventKey(e.kind, deviceId, e.identity);
        jobs.push({ kind: 'event', key, payload: { deviceId, eventKind: e.kind, subject: e.subject, description: e.description } });
      }
    }
    const results = new Map(applied.tickets.map((r) => [r.seq, r]));
    for (const item of applied.plan.ticketItems ?? []) {
      const result = results.get(item.seq);
      if (!result || result.type === 'problem') continue;
      switch (item.kind) {
        case 'ticket.create':
          jobs.push({ kind: 'ticket', key: `ticket:${deviceId}:${item.body.ref}`, payload: { deviceId, ref: item.body.ref } });
          break;
        case 'ticket.note':
          jobs.push({
            kind: 'note',
            key: `note:${deviceId}:${item.body.noteId}`,
            payload: { deviceId, ref: item.body.ref, noteId: item.body.noteId },
          });
          break;
        case 'ticket.close':
          jobs.push({ kind: 'close', key: `close:${deviceId}:${item.body.ref}`, payload: { deviceId, ref: item.body.ref } });
          break;
        case 'ticket.reopen':
          // The note says why; the status job reopens the desk ticket where the desk takes statuses
          // from Outpost (otherwise the note alone reaches it).
          jobs.push({
            kind: 'note',
            key: `note:${deviceId}:${item.body.noteId}`,
            payload: { deviceId, ref: item.body.ref, noteId: item.body.noteId },
          });
          if (result.type === 'ticket') {
            const changeId = `reopen-${item.body.noteId}`;
            jobs.push({ kind: 'status', key: `status:${result.ticketId}:${changeId}`, payload: { ticketId: result.ticketId, changeId } });
          }
          break;
        case 'worklog': {
          if (result.type !== 'worklog' || result.state !== 'recorded') break;
          const row = worklogTicket.get(deviceId, item.body.ref);
          if (row)
            jobs.push({
              kind: 'worklog',
              key: `worklog:${deviceId}:${item.body.ref}`,
              payload: { deviceId, ref: item.body.ref, ticketId: row.ticket_id },
            });
          break;
        }
        case 'ticket.attachment':
          // Files that arrive with the ticket's batch go with the ticket; see the engine's ticket flow.
          break;
      }
    }
    return jobs;
  };
}

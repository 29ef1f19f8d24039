// A batch of an agent's items as one store job (store/store-job.ts): read the device's state, plan,
// write, follow up with its tickets and desk jobs, in one transaction, wherever the store does its
// database work. With SQLite that is the store worker's thread (store/sqlite/worker/): the plan, a
// snapshot's digests and diffs, costs the event loop nothing. So the job takes data only (the items,
// the desk's rules as they are now) and answers with what the session tells the agent and the
// console, not the plan (a first snapshot's plan holds the whole snapshot).
import type { LiveEvents } from '../../shared/http-api.js';
import { BatchJobRules } from '../desk/sync/batch-jobs.js';
import type { AssetEventRules } from '../desk/rules/asset-events.js';
import { sameHash } from '../store/secrets.js';
import { storeJob } from '../store/store-job.js';
import type { IngestState } from '../store/store.js';
import type { TicketItemResult } from '../store/ticket-records.js';
import { followBatch } from './apply-tickets.js';
import type { Screened } from './budget-screen.js';
import { inventoryEvent } from './live-events.js';
import { unpackItem, type CarriedItem } from './packed-items.js';
import { planBatch, type ItemProblem } from './plan-batch.js';
import type { TicketQuota } from './quotas.js';

export interface BatchInput {
  deviceId: string;
  at: number;
  /** As the event loop holds them: a snapshot's body may be packed (packed-items.ts), unpacked here. */
  items: CarriedItem[];
  overBudget: Screened[];
  /** The secret hash the session authenticated with: a re-enrolment since supersedes it. */
  secretHash: Buffer;
  /** The desk's rules for the jobs a batch makes, as data (null: no desk). */
  desk: { enabled: boolean; rules: AssetEventRules | null } | null;
}

/** What became of the batch: the session's replies, ack and live events. */
export interface BatchDone {
  lastSeq: number;
  replayed: number[];
  problems: ItemProblem[];
  fullRequested: boolean;
  changes: number;
  /** Software rows of a past generation were left behind (the sweeper deletes them). */
  leftGarbage: boolean;
  /** The console's inventory event without its time, null when the inventory did not change. */
  inventory: Omit<LiveEvents['inventory'], 'at'> | null;
  /** A snapshot was written (a first inventory records no change, so `inventory` can be null). */
  snapshotWritten: boolean;
  tickets: TicketItemResult[];
}

/** Thrown inside the batch transaction when the device re-enrolled after the session authenticated. */
class SupersededCredential extends Error {}

/** Null when the device is gone or its credential was superseded: the session's connection is no longer valid. */
export const applyItems = storeJob(
  import.meta.url,
  'applyItems',
  async (store, input: BatchInput, quota?: TicketQuota): Promise<BatchDone | null> => {
    const items = input.items.map(unpackItem);
    const plan = (state: IngestState) => {
      if (!sameHash(state.secretHash, input.secretHash)) throw new SupersededCredential();
      return planBatch(state, items, input.overBudget);
    };
    let desk: BatchJobRules | null = null;
    if (input.desk) {
      desk = new BatchJobRules();
      desk.setEnabled(input.desk.enabled, input.desk.rules ?? undefined);
    }
    try {
      const applied = await store.applyBatch(input.deviceId, input.at, plan, followBatch(input.at, quota, desk));
      if (!applied) return null;
      const p = applied.plan;
      const event = inventoryEvent(input.deviceId, p, '');
      return {
        lastSeq: p.lastSeq,
        replayed: p.replayed,
        problems: p.problems,
        fullRequested: p.fullRequested,
        changes: p.changes.length,
        leftGarbage: (p.garbage?.length ?? 0) > 0,
        inventory: event && { deviceId: event.deviceId, hostname: event.hostname, sections: event.sections, trigger: event.trigger },
        snapshotWritten: Boolean(p.snapshot),
        tickets: applied.tickets,
      };
    } catch (err) {
      if (err instanceof SupersededCredential) return null;
      throw err;
    }
  },
);

/** The desk's rules as the job takes them: their state now, with the console's extra patterns merged in. */
export function deskRulesNow(rules: BatchJobRules | null | undefined): BatchInput['desk'] {
  return rules ? { enabled: rules.isEnabled, rules: rules.isEnabled ? rules.eventRules : null } : null;
}

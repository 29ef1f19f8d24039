// The agent's deployment rows and pinned key, in the outbox's SQLite file (migration 5 of
// agent/outbox/database.ts). Plain row access; the runner decides what to write when.
import type { Db } from '../outbox/database.js';
import { DeployCommandSchema, type DeployCommand, type StepState } from '../../shared/deploy.js';

export interface DeploymentRow {
  id: string;
  command: DeployCommand;
  state: StepState;
  attempt: number;
  nextAt: string | null;
  receivedAt: string;
}

interface RawRow {
  id: string;
  command: string;
  state: StepState;
  attempt: number;
  next_at: string | null;
  received_at: string;
}

function toRow(r: RawRow): DeploymentRow | null {
  try {
    const command = DeployCommandSchema.parse(JSON.parse(r.command));
    return { id: r.id, command, state: r.state, attempt: r.attempt, nextAt: r.next_at, receivedAt: r.received_at };
  } catch {
    return null;
  }
}

export function deploymentRow(db: Db, id: string): DeploymentRow | null | undefined {
  const row = db.prepare('SELECT * FROM deployments WHERE id = ?').get(id) as RawRow | undefined;
  return row ? toRow(row) : undefined;
}

export function insertDeployment(db: Db, command: DeployCommand, state: StepState, at: string, nextAt: string | null): void {
  db.prepare(`INSERT INTO deployments (id, command, state, attempt, next_at, received_at, updated_at) VALUES (?, ?, ?, 1, ?, ?, ?)`).run(
    command.deploymentId,
    JSON.stringify(command),
    state,
    nextAt,
    at,
    at,
  );
}

export function setDeploymentState(
  db: Db,
  id: string,
  state: StepState,
  at: string,
  change: { attempt?: number; nextAt?: string | null } = {},
): void {
  db.prepare(
    `UPDATE deployments SET state = @state, updated_at = @at, attempt = COALESCE(@attempt, attempt),
       next_at = CASE WHEN @setNext = 1 THEN @nextAt ELSE next_at END WHERE id = @id`,
  ).run({ id, state, at, attempt: change.attempt ?? null, setNext: change.nextAt !== undefined ? 1 : 0, nextAt: change.nextAt ?? null });
}

/** Deployments still to run or finish (queued or downloading), oldest first. */
export function openDeployments(db: Db): DeploymentRow[] {
  const rows = db.prepare(`SELECT * FROM deployments WHERE state IN ('queued', 'downloading') ORDER BY received_at, id`).all() as RawRow[];
  return rows.map(toRow).filter((r): r is DeploymentRow => r !== null);
}

/** Deployments whose installer was running when the agent stopped. */
export function interruptedDeployments(db: Db): DeploymentRow[] {
  const rows = db.prepare(`SELECT * FROM deployments WHERE state = 'installing' ORDER BY received_at, id`).all() as RawRow[];
  return rows.map(toRow).filter((r): r is DeploymentRow => r !== null);
}

export function pinnedKey(db: Db): string | null {
  return (db.prepare('SELECT key FROM deploy_key WHERE id = 1').get() as { key: string } | undefined)?.key ?? null;
}

export function pinKey(db: Db, key: string, at: string): void {
  db.prepare(
    'INSERT INTO deploy_key (id, key, pinned_at) VALUES (1, ?, ?) ON CONFLICT(id) DO UPDATE SET key = excluded.key, pinned_at = excluded.pinned_at',
  ).run(key, at);
}

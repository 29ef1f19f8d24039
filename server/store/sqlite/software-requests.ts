// Self-service requests in SQLite (contract: ../software-request-records.ts).
import type Database from 'better-sqlite3';
import { SoftwareRequestSchema, type SoftwareApproval } from '../../../shared/self-service.js';
import {
  exemptionName,
  LIST_EXEMPTIONS_SQL,
  toExemption,
  type ExemptionRecord,
  type ExemptionRow,
  type PendingSoftwareRequest,
  type SoftwareRequestRow,
  type SoftwareRequestStore,
} from '../software-request-records.js';
import { DESK_NUMBER_COLUMN } from '../ticket-rows.js';

export const PENDING_REQUESTS_SQL = `
  SELECT t.id, t.device_id, t.ref, t.status, t.software_request, ${DESK_NUMBER_COLUMN}
  FROM tickets t
  WHERE t.software_request IS NOT NULL AND t.approval IS NULL AND t.device_id IS NOT NULL
  ORDER BY t.id LIMIT $1`;

export class SqliteSoftwareRequestStore implements SoftwareRequestStore {
  constructor(private readonly db: Database.Database) {}

  async pending(limit: number): Promise<PendingSoftwareRequest[]> {
    const rows = this.db.prepare(PENDING_REQUESTS_SQL.replace('$1', '?')).all(limit) as SoftwareRequestRow[];
    return toPending(rows);
  }

  async decide(ticketId: number, approval: SoftwareApproval, at: number): Promise<boolean> {
    return this.db.transaction(() => {
      const row = this.db
        .prepare('SELECT device_id, software_request FROM tickets WHERE id = ? AND software_request IS NOT NULL AND approval IS NULL')
        .get(ticketId) as { device_id: string | null; software_request: string } | undefined;
      if (!row) return false;
      this.db
        .prepare('UPDATE tickets SET approval = ?, updated_at = ?, public_updated_at = ? WHERE id = ?')
        .run(JSON.stringify(approval), at, at, ticketId);
      const exempt = exemptionOf(row.device_id, row.software_request, approval);
      if (exempt) {
        this.db
          .prepare(
            `INSERT INTO prohibited_exemptions (device_id, name, ticket_id, created_at) VALUES (?, ?, ?, ?)
             ON CONFLICT (device_id, name) DO NOTHING`,
          )
          .run(exempt.deviceId, exempt.name, ticketId, at);
      }
      return true;
    })();
  }

  async exemptions(deviceId: string): Promise<string[]> {
    return this.db.prepare('SELECT name FROM prohibited_exemptions WHERE device_id = ? ORDER BY name').pluck().all(deviceId) as string[];
  }

  async listExemptions(limit: number): Promise<ExemptionRecord[]> {
    return (this.db.prepare(LIST_EXEMPTIONS_SQL.replace('$1', '?')).all(limit) as ExemptionRow[]).map(toExemption);
  }

  async revokeExemption(deviceId: string, name: string): Promise<boolean> {
    return (
      this.db.prepare('DELETE FROM prohibited_exemptions WHERE device_id = ? AND name = ?').run(deviceId, exemptionName(name)).changes === 1
    );
  }
}

/** Rows whose request no longer reads (a hand-edited column) are left out rather than failing the poll. */
export function toPending(rows: readonly SoftwareRequestRow[]): PendingSoftwareRequest[] {
  const out: PendingSoftwareRequest[] = [];
  for (const row of rows) {
    const request = parseRequest(row.software_request);
    if (!request) continue;
    out.push({ ticketId: Number(row.id), deviceId: row.device_id, ref: row.ref, deskNumber: row.desk_number, status: row.status, request });
  }
  return out;
}

/** The exemption an approval grants: only an approved exception, on a ticket of a device. */
export function exemptionOf(
  deviceId: string | null,
  requestJson: string,
  approval: SoftwareApproval,
): { deviceId: string; name: string } | null {
  if (approval.state !== 'approved' || deviceId === null) return null;
  const request = parseRequest(requestJson);
  return request?.kind === 'exception' ? { deviceId, name: exemptionName(request.name) } : null;
}

function parseRequest(json: string) {
  try {
    const parsed = SoftwareRequestSchema.safeParse(JSON.parse(json));
    return parsed.success ? parsed.data : null;
  } catch {
    return null;
  }
}

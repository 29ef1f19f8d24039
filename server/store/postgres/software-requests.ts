// Self-service requests in PostgreSQL (contract: ../software-request-records.ts; rows read as SQLite's).
import type pg from 'pg';
import type { SoftwareApproval } from '../../../shared/self-service.js';
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
import { exemptionOf, PENDING_REQUESTS_SQL, toPending } from '../sqlite/software-requests.js';
import { inTransaction } from './tx.js';

export class PgSoftwareRequestStore implements SoftwareRequestStore {
  constructor(private readonly pool: pg.Pool) {}

  async pending(limit: number): Promise<PendingSoftwareRequest[]> {
    return toPending((await this.pool.query<SoftwareRequestRow>(PENDING_REQUESTS_SQL, [limit])).rows);
  }

  decide(ticketId: number, approval: SoftwareApproval, at: number): Promise<boolean> {
    return inTransaction(this.pool, async (client) => {
      const row = (
        await client.query<{ device_id: string | null; software_request: string }>(
          'SELECT device_id, software_request FROM tickets WHERE id = $1 AND software_request IS NOT NULL AND approval IS NULL FOR UPDATE',
          [ticketId],
        )
      ).rows[0];
      if (!row) return false;
      await client.query('UPDATE tickets SET approval = $2, updated_at = $3, public_updated_at = $3 WHERE id = $1', [
        ticketId,
        JSON.stringify(approval),
        at,
      ]);
      const exempt = exemptionOf(row.device_id, row.software_request, approval);
      if (exempt) {
        await client.query(
          `INSERT INTO prohibited_exemptions (device_id, name, ticket_id, created_at) VALUES ($1, $2, $3, $4)
           ON CONFLICT (device_id, name) DO NOTHING`,
          [exempt.deviceId, exempt.name, ticketId, at],
        );
      }
      return true;
    });
  }

  async exemptions(deviceId: string): Promise<string[]> {
    const r = await this.pool.query<{ name: string }>('SELECT name FROM prohibited_exemptions WHERE device_id = $1 ORDER BY name', [
      deviceId,
    ]);
    return r.rows.map((x) => x.name);
  }

  async listExemptions(limit: number): Promise<ExemptionRecord[]> {
    return (await this.pool.query<ExemptionRow>(LIST_EXEMPTIONS_SQL, [limit])).rows.map(toExemption);
  }

  async revokeExemption(deviceId: string, name: string): Promise<boolean> {
    const r = await this.pool.query('DELETE FROM prohibited_exemptions WHERE device_id = $1 AND name = $2', [
      deviceId,
      exemptionName(name),
    ]);
    return r.rowCount === 1;
  }
}

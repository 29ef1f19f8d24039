// The package store's records and deployments in PostgreSQL (see ../sqlite/deployments.ts, whose
// row mapping this shares: PostgreSQL's booleans are turned into SQLite's 0/1 flags in the queries).
import type pg from 'pg';
import { DEPLOY_STATES, type DeployState } from '../../../shared/deploy.js';
import type {
  DeployStore,
  DeploymentDetail,
  DeploymentRecord,
  DeploymentSummary,
  NewPackage,
  PackageFileRecord,
  PackageRecord,
  PendingTarget,
  RecordedStep,
  StepRecord,
  TargetSelection,
} from '../deploy-records.js';
import type { DeviceQuery, DeviceSummary, ResultPage } from '../store.js';
import {
  toDeployment,
  toFile,
  toPackage,
  toStep,
  toTarget,
  type DeploymentRow,
  type FileRow,
  type PackageRow,
  type StepRow,
  type TargetRow,
} from '../sqlite/deployments.js';
import { inTransaction, type Queryable } from './tx.js';

const PACKAGE = `SELECT p.id, p.name, p.version, p.installer, p.file_sha256, p.manager_package, p.args, p.detection, p.platforms,
  p.self_service::int AS self_service, p.timeout_seconds, p.retries, p.created_at, p.created_by, p.retired::int AS retired,
  f.sha256 AS f_sha256, f.size AS f_size, f.name AS f_name, f.uploaded_at AS f_uploaded_at, f.uploaded_by AS f_uploaded_by
  FROM packages p LEFT JOIN package_files f ON f.sha256 = p.file_sha256`;
const TARGET = `SELECT t.deployment_id, t.device_id, t.state, t.attempt, t.last_step_seq, t.code, t.message, t.exit_code,
  t.reboot_required::int AS reboot_required, t.output_tail, t.updated_at, v.hostname
  FROM deployment_targets t LEFT JOIN devices v ON v.id = t.device_id`;
const STEP = `SELECT device_id, seq, deployment_id, state, attempt, at, received_at, code, message, exit_code,
  reboot_required::int AS reboot_required, output_tail FROM deployment_steps`;

type JoinedPackageRow = PackageRow & {
  f_sha256: string | null;
  f_size: number;
  f_name: string;
  f_uploaded_at: number;
  f_uploaded_by: string;
};

function packageOfRow(r: JoinedPackageRow): PackageRecord {
  const file: FileRow | null = r.f_sha256
    ? { sha256: r.f_sha256, size: r.f_size, name: r.f_name, uploaded_at: r.f_uploaded_at, uploaded_by: r.f_uploaded_by }
    : null;
  return toPackage(r, file);
}

async function packageById(db: Queryable, id: string): Promise<PackageRecord | null> {
  const row = (await db.query<JoinedPackageRow>(`${PACKAGE} WHERE p.id = $1`, [id])).rows[0];
  return row ? packageOfRow(row) : null;
}

type CreateResult =
  { ok: true; deviceIds: string[] } | { ok: false; reason: 'unknown'; deviceId: string } | { ok: false; reason: 'none' | 'too-many' };

export class PgDeployStore implements DeployStore {
  constructor(
    private readonly pool: pg.Pool,
    /** The devices list's query, for a deployment to a search. */
    private readonly devicePage: (query: DeviceQuery) => Promise<ResultPage<DeviceSummary>>,
  ) {}

  async addPackageFile(file: PackageFileRecord): Promise<PackageFileRecord> {
    // The same bytes uploaded twice are one file: the first upload's name and time stay.
    await this.pool.query(
      `INSERT INTO package_files (sha256, size, name, uploaded_at, uploaded_by) VALUES ($1, $2, $3, $4, $5) ON CONFLICT (sha256) DO NOTHING`,
      [file.sha256, file.size, file.name, file.uploadedAt, file.uploadedBy],
    );
    return (await this.getPackageFile(file.sha256))!;
  }

  async getPackageFile(sha256: string): Promise<PackageFileRecord | null> {
    const row = (await this.pool.query<FileRow>('SELECT * FROM package_files WHERE sha256 = $1', [sha256])).rows[0];
    return row ? toFile(row) : null;
  }

  async addPackage(pkg: NewPackage): Promise<PackageRecord> {
    await this.pool.query(
      `INSERT INTO packages (id, name, version, installer, file_sha256, manager_package, args, detection, platforms, self_service,
         timeout_seconds, retries, created_at, created_by)
       VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14)`,
      [
        pkg.id,
        pkg.name,
        pkg.version,
        pkg.installer,
        pkg.fileSha256,
        pkg.managerPackage,
        JSON.stringify(pkg.args),
        JSON.stringify(pkg.detection),
        JSON.stringify(pkg.platforms),
        pkg.selfService,
        pkg.timeoutSeconds,
        pkg.retries,
        pkg.createdAt,
        pkg.createdBy,
      ],
    );
    return (await this.getPackage(pkg.id))!;
  }

  async listPackages(): Promise<PackageRecord[]> {
    const rows = await this.pool.query<JoinedPackageRow>(`${PACKAGE} WHERE NOT p.retired ORDER BY p.created_at DESC, p.id`);
    return rows.rows.map(packageOfRow);
  }

  async listRetiredPackages(): Promise<PackageRecord[]> {
    const rows = await this.pool.query<JoinedPackageRow>(`${PACKAGE} WHERE p.retired ORDER BY p.created_at DESC, p.id`);
    return rows.rows.map(packageOfRow);
  }

  getPackage(id: string): Promise<PackageRecord | null> {
    return packageById(this.pool, id);
  }

  async retirePackage(id: string): Promise<boolean> {
    return ((await this.pool.query('UPDATE packages SET retired = true WHERE id = $1 AND NOT retired', [id])).rowCount ?? 0) > 0;
  }

  async createDeployment(deployment: DeploymentRecord, targets: TargetSelection, maxTargets: number): Promise<CreateResult> {
    let deviceIds: string[];
    if ('deviceIds' in targets) deviceIds = [...new Set(targets.deviceIds)];
    else deviceIds = (await this.devicePage({ ...targets.search, limit: maxTargets + 1, offset: 0 })).items.map((d) => d.id);
    if (deviceIds.length === 0) return { ok: false, reason: 'none' };
    if (deviceIds.length > maxTargets) return { ok: false, reason: 'too-many' };
    return inTransaction(this.pool, async (client): Promise<CreateResult> => {
      // Locked so that a device merged or deleted meanwhile is refused rather than half targeted.
      const found = await client.query<{ id: string }>('SELECT id FROM devices WHERE id = ANY($1::text[]) FOR SHARE', [deviceIds]);
      const known = new Set(found.rows.map((r) => r.id));
      const unknown = deviceIds.find((id) => !known.has(id));
      if (unknown !== undefined) return { ok: false, reason: 'unknown', deviceId: unknown };
      const d = deployment;
      await client.query(
        `INSERT INTO deployments (id, package_id, created_at, created_by, not_before, not_after, ticket_id) VALUES ($1, $2, $3, $4, $5, $6, $7)`,
        [d.id, d.packageId, d.createdAt, d.createdBy, d.notBefore, d.notAfter, d.ticketId],
      );
      await client.query('INSERT INTO deployment_targets (deployment_id, device_id, updated_at) SELECT $1, unnest($2::text[]), $3', [
        d.id,
        deviceIds,
        d.createdAt,
      ]);
      return { ok: true, deviceIds };
    });
  }

  async listDeployments(filter: { packageId?: string; deviceId?: string; limit: number }): Promise<DeploymentSummary[]> {
    const rows = await this.pool.query<DeploymentRow>(
      `SELECT d.* FROM deployments d
       WHERE ($1::text IS NULL OR d.package_id = $1)
         AND ($2::text IS NULL OR EXISTS (SELECT 1 FROM deployment_targets t WHERE t.deployment_id = d.id AND t.device_id = $2))
       ORDER BY d.created_at DESC, d.id LIMIT $3`,
      [filter.packageId ?? null, filter.deviceId ?? null, filter.limit],
    );
    return Promise.all(rows.rows.map((r) => summary(this.pool, r)));
  }

  async getDeployment(id: string): Promise<DeploymentDetail | null> {
    const row = (await this.pool.query<DeploymentRow>('SELECT * FROM deployments WHERE id = $1', [id])).rows[0];
    if (!row) return null;
    const targets = await this.pool.query<TargetRow>(`${TARGET} WHERE t.deployment_id = $1 ORDER BY lower(v.hostname), t.device_id`, [id]);
    const steps = await this.pool.query<StepRow>(`${STEP} WHERE deployment_id = $1 ORDER BY device_id, seq`, [id]);
    const byDevice = new Map<string, StepRecord[]>();
    for (const s of steps.rows) byDevice.set(s.device_id, [...(byDevice.get(s.device_id) ?? []), toStep(s)]);
    return {
      ...(await summary(this.pool, row)),
      targets: targets.rows.map((t) => ({ ...toTarget(t), steps: byDevice.get(t.device_id) ?? [] })),
    };
  }

  async pendingTargets(deviceId: string): Promise<PendingTarget[]> {
    const rows = await this.pool.query<DeploymentRow>(
      `SELECT d.* FROM deployment_targets t JOIN deployments d ON d.id = t.deployment_id
       WHERE t.device_id = $1 AND t.state = 'pending' ORDER BY d.created_at, d.id`,
      [deviceId],
    );
    return Promise.all(
      rows.rows.map(async (r) => ({ deployment: toDeployment(r), package: (await packageById(this.pool, r.package_id))! })),
    );
  }

  async deviceMayDownload(deviceId: string, sha256: string): Promise<boolean> {
    const r = await this.pool.query(
      `SELECT 1 FROM deployment_targets t JOIN deployments d ON d.id = t.deployment_id JOIN packages p ON p.id = d.package_id
       WHERE t.device_id = $1 AND p.file_sha256 = $2 AND t.state NOT IN ('succeeded', 'failed') LIMIT 1`,
      [deviceId, sha256],
    );
    return (r.rowCount ?? 0) > 0;
  }

  recordStep(deviceId: string, step: Omit<StepRecord, 'deviceId'>): Promise<RecordedStep> {
    return inTransaction(this.pool, (client) => recordPgStep(client, deviceId, step));
  }
}

async function recordPgStep(db: Queryable, deviceId: string, step: Omit<StepRecord, 'deviceId'>): Promise<RecordedStep> {
  const target = await db.query('SELECT 1 FROM deployment_targets WHERE deployment_id = $1 AND device_id = $2 FOR UPDATE', [
    step.deploymentId,
    deviceId,
  ]);
  if (target.rowCount === 0) return { result: 'unknown' };
  const values = [
    step.deploymentId,
    deviceId,
    step.seq,
    step.state,
    step.attempt,
    step.at,
    step.receivedAt,
    step.code ?? null,
    step.message ?? null,
    step.exitCode ?? null,
    step.rebootRequired ?? null,
    step.outputTail ?? null,
  ];
  const inserted = await db.query(
    `INSERT INTO deployment_steps (deployment_id, device_id, seq, state, attempt, at, received_at, code, message, exit_code, reboot_required, output_tail)
     VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12) ON CONFLICT (device_id, seq) DO NOTHING`,
    values,
  );
  if (inserted.rowCount === 0) return { result: 'repeat' };
  // Steps may arrive out of order only across redeliveries; the newest by seq is the state.
  await db.query(
    `UPDATE deployment_targets SET state = $4, attempt = $5, last_step_seq = $3, code = $6, message = $7, exit_code = $8,
       reboot_required = $9, output_tail = COALESCE($10, output_tail), updated_at = $11
     WHERE deployment_id = $1 AND device_id = $2 AND last_step_seq < $3`,
    [...values.slice(0, 5), ...values.slice(7), step.receivedAt],
  );
  const deployment = toDeployment((await db.query<DeploymentRow>('SELECT * FROM deployments WHERE id = $1', [step.deploymentId])).rows[0]!);
  const host = (await db.query<{ hostname: string }>('SELECT hostname FROM devices WHERE id = $1', [deviceId])).rows[0];
  return {
    result: 'new',
    step: { ...step, deviceId },
    deployment,
    package: (await packageById(db, deployment.packageId))!,
    hostname: host?.hostname ?? deviceId,
  };
}

async function summary(db: Queryable, row: DeploymentRow): Promise<DeploymentSummary> {
  const pkg = (await packageById(db, row.package_id))!;
  const counts = Object.fromEntries(DEPLOY_STATES.map((s) => [s, 0])) as Record<DeployState, number>;
  const rows = await db.query<{ state: DeployState; n: number }>(
    'SELECT state, COUNT(*)::int AS n FROM deployment_targets WHERE deployment_id = $1 GROUP BY state',
    [row.id],
  );
  for (const r of rows.rows) counts[r.state] = r.n;
  return { ...toDeployment(row), package: { id: pkg.id, name: pkg.name, version: pkg.version, installer: pkg.installer }, counts };
}

// The package store's records and deployments in SQLite (tables of migration 12).
import type Database from 'better-sqlite3';
import { DEPLOY_STATES, type DeployState, type StepState } from '../../../shared/deploy.js';
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
  TargetRecord,
  TargetSelection,
} from '../deploy-records.js';
import type { ListDevicePage } from './device-list.js';

export interface FileRow {
  sha256: string;
  size: number;
  name: string;
  uploaded_at: number;
  uploaded_by: string;
}

export interface PackageRow {
  id: string;
  name: string;
  version: string | null;
  installer: PackageRecord['installer'];
  file_sha256: string | null;
  manager_package: string | null;
  args: string;
  detection: string;
  platforms: string;
  self_service: number;
  timeout_seconds: number;
  retries: number;
  created_at: number;
  created_by: string;
  retired: number;
}

export interface DeploymentRow {
  id: string;
  package_id: string;
  created_at: number;
  created_by: string;
  not_before: number | null;
  not_after: number | null;
  ticket_id: number | null;
}

export interface TargetRow {
  deployment_id: string;
  device_id: string;
  hostname: string | null;
  state: DeployState;
  attempt: number;
  last_step_seq: number;
  code: string | null;
  message: string | null;
  exit_code: number | null;
  reboot_required: number | null;
  output_tail: string | null;
  updated_at: number;
}

export interface StepRow {
  device_id: string;
  seq: number;
  deployment_id: string;
  state: StepState;
  attempt: number;
  at: string;
  received_at: number;
  code: string | null;
  message: string | null;
  exit_code: number | null;
  reboot_required: number | null;
  output_tail: string | null;
}

export const toFile = (r: FileRow): PackageFileRecord => ({
  sha256: r.sha256,
  size: r.size,
  name: r.name,
  uploadedAt: r.uploaded_at,
  uploadedBy: r.uploaded_by,
});

export const toDeployment = (r: DeploymentRow): DeploymentRecord => ({
  id: r.id,
  packageId: r.package_id,
  createdAt: r.created_at,
  createdBy: r.created_by,
  notBefore: r.not_before,
  notAfter: r.not_after,
  ticketId: r.ticket_id,
});

const bool = (v: number | null): boolean | null => (v === null ? null : v === 1);

export function toTarget(r: TargetRow): TargetRecord {
  return {
    deploymentId: r.deployment_id,
    deviceId: r.device_id,
    hostname: r.hostname ?? r.device_id,
    state: r.state,
    attempt: r.attempt,
    code: r.code,
    message: r.message,
    exitCode: r.exit_code,
    rebootRequired: bool(r.reboot_required),
    outputTail: r.output_tail,
    updatedAt: r.updated_at,
  };
}

export function toStep(r: StepRow): StepRecord {
  return {
    deviceId: r.device_id,
    seq: r.seq,
    deploymentId: r.deployment_id,
    state: r.state,
    attempt: r.attempt,
    at: r.at,
    receivedAt: r.received_at,
    ...(r.code !== null ? { code: r.code } : {}),
    ...(r.message !== null ? { message: r.message } : {}),
    ...(r.exit_code !== null ? { exitCode: r.exit_code } : {}),
    ...(r.reboot_required !== null ? { rebootRequired: r.reboot_required === 1 } : {}),
    ...(r.output_tail !== null ? { outputTail: r.output_tail } : {}),
  };
}

export class SqliteDeployStore implements DeployStore {
  constructor(
    private readonly db: Database.Database,
    /** The devices list's query, for a deployment to a search. */
    private readonly devicePage: ListDevicePage,
  ) {}

  async addPackageFile(file: PackageFileRecord): Promise<PackageFileRecord> {
    // The same bytes uploaded twice are one file: the first upload's name and time stay.
    this.db
      .prepare(
        `INSERT INTO package_files (sha256, size, name, uploaded_at, uploaded_by) VALUES (@sha256, @size, @name, @uploadedAt, @uploadedBy)
         ON CONFLICT(sha256) DO NOTHING`,
      )
      .run(file);
    return (await this.getPackageFile(file.sha256))!;
  }

  async getPackageFile(sha256: string): Promise<PackageFileRecord | null> {
    const row = this.db.prepare('SELECT * FROM package_files WHERE sha256 = ?').get(sha256) as FileRow | undefined;
    return row ? toFile(row) : null;
  }

  async addPackage(pkg: NewPackage): Promise<PackageRecord> {
    this.db
      .prepare(
        `INSERT INTO packages (id, name, version, installer, file_sha256, manager_package, args, detection, platforms, self_service,
           timeout_seconds, retries, created_at, created_by)
         VALUES (@id, @name, @version, @installer, @fileSha256, @managerPackage, @args, @detection, @platforms, @selfService,
           @timeoutSeconds, @retries, @createdAt, @createdBy)`,
      )
      .run({
        ...pkg,
        args: JSON.stringify(pkg.args),
        detection: JSON.stringify(pkg.detection),
        platforms: JSON.stringify(pkg.platforms),
        selfService: pkg.selfService ? 1 : 0,
      });
    return (await this.getPackage(pkg.id))!;
  }

  async listPackages(): Promise<PackageRecord[]> {
    const rows = this.db.prepare('SELECT * FROM packages WHERE retired = 0 ORDER BY created_at DESC, id').all() as PackageRow[];
    return rows.map((r) => this.toPackage(r));
  }

  async listRetiredPackages(): Promise<PackageRecord[]> {
    const rows = this.db.prepare('SELECT * FROM packages WHERE retired = 1 ORDER BY created_at DESC, id').all() as PackageRow[];
    return rows.map((r) => this.toPackage(r));
  }

  async getPackage(id: string): Promise<PackageRecord | null> {
    const row = this.db.prepare('SELECT * FROM packages WHERE id = ?').get(id) as PackageRow | undefined;
    return row ? this.toPackage(row) : null;
  }

  async retirePackage(id: string): Promise<boolean> {
    return this.db.prepare('UPDATE packages SET retired = 1 WHERE id = ? AND retired = 0').run(id).changes > 0;
  }

  async createDeployment(
    deployment: DeploymentRecord,
    targets: TargetSelection,
    maxTargets: number,
  ): Promise<
    { ok: true; deviceIds: string[] } | { ok: false; reason: 'unknown'; deviceId: string } | { ok: false; reason: 'none' | 'too-many' }
  > {
    return this.db.transaction(() => {
      let deviceIds: string[];
      if ('deviceIds' in targets) {
        deviceIds = [...new Set(targets.deviceIds)];
        const exists = this.db.prepare('SELECT 1 FROM devices WHERE id = ?');
        const unknown = deviceIds.find((id) => exists.get(id) === undefined);
        if (unknown !== undefined) return { ok: false as const, reason: 'unknown' as const, deviceId: unknown };
      } else {
        const page = this.devicePage({ ...targets.search, limit: maxTargets + 1, offset: 0 });
        deviceIds = page.items.map((d) => d.id);
      }
      if (deviceIds.length === 0) return { ok: false as const, reason: 'none' as const };
      if (deviceIds.length > maxTargets) return { ok: false as const, reason: 'too-many' as const };
      this.db
        .prepare(
          `INSERT INTO deployments (id, package_id, created_at, created_by, not_before, not_after, ticket_id)
           VALUES (@id, @packageId, @createdAt, @createdBy, @notBefore, @notAfter, @ticketId)`,
        )
        .run(deployment);
      const add = this.db.prepare('INSERT INTO deployment_targets (deployment_id, device_id, updated_at) VALUES (?, ?, ?)');
      for (const id of deviceIds) add.run(deployment.id, id, deployment.createdAt);
      return { ok: true as const, deviceIds };
    })();
  }

  async listDeployments(filter: { packageId?: string; deviceId?: string; limit: number }): Promise<DeploymentSummary[]> {
    const rows = this.db
      .prepare(
        `SELECT d.* FROM deployments d
         WHERE (@packageId IS NULL OR d.package_id = @packageId)
           AND (@deviceId IS NULL OR EXISTS (SELECT 1 FROM deployment_targets t WHERE t.deployment_id = d.id AND t.device_id = @deviceId))
         ORDER BY d.created_at DESC, d.id LIMIT @limit`,
      )
      .all({ packageId: filter.packageId ?? null, deviceId: filter.deviceId ?? null, limit: filter.limit }) as DeploymentRow[];
    return rows.map((r) => this.summary(r));
  }

  async getDeployment(id: string): Promise<DeploymentDetail | null> {
    const row = this.db.prepare('SELECT * FROM deployments WHERE id = ?').get(id) as DeploymentRow | undefined;
    if (!row) return null;
    const targets = this.db
      .prepare(
        `SELECT t.*, v.hostname FROM deployment_targets t LEFT JOIN devices v ON v.id = t.device_id
         WHERE t.deployment_id = ? ORDER BY v.hostname COLLATE NOCASE, t.device_id`,
      )
      .all(id) as TargetRow[];
    const steps = this.db.prepare('SELECT * FROM deployment_steps WHERE deployment_id = ? ORDER BY device_id, seq').all(id) as StepRow[];
    const byDevice = new Map<string, StepRecord[]>();
    for (const s of steps) byDevice.set(s.device_id, [...(byDevice.get(s.device_id) ?? []), toStep(s)]);
    return { ...this.summary(row), targets: targets.map((t) => ({ ...toTarget(t), steps: byDevice.get(t.device_id) ?? [] })) };
  }

  async pendingTargets(deviceId: string): Promise<PendingTarget[]> {
    const rows = this.db
      .prepare(
        `SELECT d.* FROM deployment_targets t JOIN deployments d ON d.id = t.deployment_id
         WHERE t.device_id = ? AND t.state = 'pending' ORDER BY d.created_at, d.id`,
      )
      .all(deviceId) as DeploymentRow[];
    return rows.map((r) => ({ deployment: toDeployment(r), package: this.packageOf(r.package_id) }));
  }

  async deviceMayDownload(deviceId: string, sha256: string): Promise<boolean> {
    const row = this.db
      .prepare(
        `SELECT 1 FROM deployment_targets t JOIN deployments d ON d.id = t.deployment_id JOIN packages p ON p.id = d.package_id
         WHERE t.device_id = ? AND p.file_sha256 = ? AND t.state NOT IN ('succeeded', 'failed') LIMIT 1`,
      )
      .get(deviceId, sha256);
    return row !== undefined;
  }

  async recordStep(deviceId: string, step: Omit<StepRecord, 'deviceId'>): Promise<RecordedStep> {
    return this.db.transaction((): RecordedStep => {
      const target = this.db
        .prepare('SELECT * FROM deployment_targets WHERE deployment_id = ? AND device_id = ?')
        .get(step.deploymentId, deviceId) as TargetRow | undefined;
      if (!target) return { result: 'unknown' };
      const row = {
        deploymentId: step.deploymentId,
        deviceId,
        seq: step.seq,
        state: step.state,
        attempt: step.attempt,
        at: step.at,
        receivedAt: step.receivedAt,
        code: step.code ?? null,
        message: step.message ?? null,
        exitCode: step.exitCode ?? null,
        rebootRequired: step.rebootRequired === undefined ? null : step.rebootRequired ? 1 : 0,
        outputTail: step.outputTail ?? null,
      };
      const inserted = this.db
        .prepare(
          `INSERT INTO deployment_steps (deployment_id, device_id, seq, state, attempt, at, received_at, code, message, exit_code, reboot_required, output_tail)
           VALUES (@deploymentId, @deviceId, @seq, @state, @attempt, @at, @receivedAt, @code, @message, @exitCode, @rebootRequired, @outputTail)
           ON CONFLICT (device_id, seq) DO NOTHING`,
        )
        .run(row).changes;
      if (inserted === 0) return { result: 'repeat' };
      // Steps may arrive out of order only across redeliveries; the newest by seq is the state.
      this.db
        .prepare(
          `UPDATE deployment_targets SET state = @state, attempt = @attempt, last_step_seq = @seq, code = @code, message = @message,
             exit_code = @exitCode, reboot_required = @rebootRequired, output_tail = COALESCE(@outputTail, output_tail), updated_at = @receivedAt
           WHERE deployment_id = @deploymentId AND device_id = @deviceId AND last_step_seq < @seq`,
        )
        .run(row);
      const deployment = toDeployment(this.db.prepare('SELECT * FROM deployments WHERE id = ?').get(step.deploymentId) as DeploymentRow);
      const hostname = (this.db.prepare('SELECT hostname FROM devices WHERE id = ?').get(deviceId) as { hostname: string } | undefined)
        ?.hostname;
      return {
        result: 'new',
        step: { ...step, deviceId },
        deployment,
        package: this.packageOf(deployment.packageId),
        hostname: hostname ?? deviceId,
      };
    })();
  }

  private summary(row: DeploymentRow): DeploymentSummary {
    const pkg = this.packageOf(row.package_id);
    const counts = Object.fromEntries(DEPLOY_STATES.map((s) => [s, 0])) as Record<DeployState, number>;
    const rows = this.db
      .prepare('SELECT state, COUNT(*) AS n FROM deployment_targets WHERE deployment_id = ? GROUP BY state')
      .all(row.id) as { state: DeployState; n: number }[];
    for (const r of rows) counts[r.state] = r.n;
    return {
      ...toDeployment(row),
      package: { id: pkg.id, name: pkg.name, version: pkg.version, installer: pkg.installer },
      counts,
    };
  }

  private packageOf(id: string): PackageRecord {
    return this.toPackage(this.db.prepare('SELECT * FROM packages WHERE id = ?').get(id) as PackageRow);
  }

  private toPackage(r: PackageRow): PackageRecord {
    const file = r.file_sha256 ? (this.db.prepare('SELECT * FROM package_files WHERE sha256 = ?').get(r.file_sha256) as FileRow) : null;
    return toPackage(r, file);
  }
}

/** A package row and its installer file's row (none for an OS-manager package). */
export function toPackage(r: PackageRow, file: FileRow | null): PackageRecord {
  return {
    id: r.id,
    name: r.name,
    version: r.version,
    installer: r.installer,
    file: file ? toFile(file) : null,
    managerPackage: r.manager_package,
    args: JSON.parse(r.args) as string[],
    detection: JSON.parse(r.detection) as PackageRecord['detection'],
    platforms: JSON.parse(r.platforms) as PackageRecord['platforms'],
    selfService: r.self_service === 1,
    timeoutSeconds: r.timeout_seconds,
    retries: r.retries,
    createdAt: r.created_at,
    createdBy: r.created_by,
    retired: r.retired === 1,
  };
}

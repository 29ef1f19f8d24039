// Package store and deployment records as the HTTP API answers them (shared/deploy-api.ts).
import type { DeploymentJson, DeploymentTargetJson, PackageFileJson, PackageJson } from '../../shared/deploy-api.js';
import type {
  DeploymentDetail,
  DeploymentSummary,
  PackageFileRecord,
  PackageRecord,
  StepRecord,
  TargetRecord,
} from '../store/deploy-records.js';

const iso = (ms: number) => new Date(ms).toISOString();
const isoOrNull = (ms: number | null) => (ms === null ? null : iso(ms));

export function packageFileJson(f: PackageFileRecord): PackageFileJson {
  return { sha256: f.sha256, size: f.size, name: f.name, uploadedAt: iso(f.uploadedAt) };
}

export function packageJson(p: PackageRecord): PackageJson {
  return {
    id: p.id,
    name: p.name,
    version: p.version,
    installer: p.installer,
    file: p.file ? packageFileJson(p.file) : null,
    managerPackage: p.managerPackage,
    args: p.args,
    detection: p.detection,
    platforms: p.platforms,
    selfService: p.selfService,
    timeoutSeconds: p.timeoutSeconds,
    retries: p.retries,
    createdAt: iso(p.createdAt),
    createdBy: p.createdBy,
  };
}

function targetJson(t: TargetRecord & { steps: StepRecord[] }): DeploymentTargetJson {
  return {
    deviceId: t.deviceId,
    hostname: t.hostname,
    state: t.state,
    attempt: t.attempt,
    code: t.code,
    message: t.message,
    exitCode: t.exitCode,
    rebootRequired: t.rebootRequired,
    outputTail: t.outputTail,
    updatedAt: iso(t.updatedAt),
    steps: t.steps.map((s) => ({
      state: s.state,
      attempt: s.attempt,
      at: s.at,
      receivedAt: iso(s.receivedAt),
      code: s.code ?? null,
      message: s.message ?? null,
      exitCode: s.exitCode ?? null,
      rebootRequired: s.rebootRequired ?? null,
      outputTail: s.outputTail ?? null,
    })),
  };
}

export function deploymentJson(d: DeploymentSummary | DeploymentDetail): DeploymentJson {
  return {
    id: d.id,
    package: d.package,
    createdAt: iso(d.createdAt),
    createdBy: d.createdBy,
    notBefore: isoOrNull(d.notBefore),
    notAfter: isoOrNull(d.notAfter),
    ticketId: d.ticketId,
    counts: d.counts,
    ...('targets' in d ? { targets: d.targets.map(targetJson) } : {}),
  };
}

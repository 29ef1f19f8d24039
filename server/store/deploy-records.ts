// The storage contract for the package store and deployments: packages IT defined, the installer files
// they name (the bytes live on disk by content hash, server/deploy/package-files.ts), deployments, and
// each device's state and steps in each deployment.
import type { DeploymentTargetJson } from '../../shared/deploy-api.js';
import type { DeployState, DeployStep, Detection, Installer, PackagePlatform } from '../../shared/deploy.js';
import type { DeviceQuery } from './store.js';

export interface PackageFileRecord {
  sha256: string;
  size: number;
  name: string;
  uploadedAt: number;
  uploadedBy: string;
}

export interface PackageRecord {
  id: string;
  name: string;
  version: string | null;
  installer: Installer;
  file: PackageFileRecord | null;
  managerPackage: string | null;
  args: string[];
  detection: Detection;
  platforms: PackagePlatform[];
  selfService: boolean;
  timeoutSeconds: number;
  retries: number;
  createdAt: number;
  createdBy: string;
  /** Retired: no new deployment of it (those under way go on). */
  retired: boolean;
}

export type NewPackage = Omit<PackageRecord, 'file' | 'retired'> & { fileSha256: string | null };

export interface DeploymentRecord {
  id: string;
  packageId: string;
  createdAt: number;
  createdBy: string;
  notBefore: number | null;
  notAfter: number | null;
  ticketId: number | null;
}

export interface DeploymentSummary extends DeploymentRecord {
  package: Pick<PackageRecord, 'id' | 'name' | 'version' | 'installer'>;
  counts: Record<DeployState, number>;
}

/** A device in a deployment: as the API shows it (deploy-api.ts), with epoch ms instead of ISO time. */
export type TargetRecord = Omit<DeploymentTargetJson, 'updatedAt' | 'steps'> & { deploymentId: string; updatedAt: number };

export interface StepRecord extends DeployStep {
  deviceId: string;
  /** The outbox seq of the item that carried it: a redelivered step is recognised by it. */
  seq: number;
  /** The agent's clock, ISO 8601. */
  at: string;
  receivedAt: number;
}

export interface DeploymentDetail extends DeploymentSummary {
  targets: (TargetRecord & { steps: StepRecord[] })[];
}

/** A deployment still to reach its device (the agent has not said it queued it). */
export interface PendingTarget {
  deployment: DeploymentRecord;
  package: PackageRecord;
}

/** What recording one step did: new (first time seen) or a redelivery; the deployment, for follow-ups. */
export type RecordedStep =
  | { result: 'new'; step: StepRecord; deployment: DeploymentRecord; package: PackageRecord; hostname: string }
  | { result: 'repeat' }
  | { result: 'unknown' };

/** The devices a deployment goes to: named ones (unknown ids are refused), or those a search finds now. */
export type TargetSelection = { deviceIds: string[] } | { search: Pick<DeviceQuery, 'q' | 'platform' | 'online'> };

export interface DeployStore {
  addPackageFile(file: PackageFileRecord): Promise<PackageFileRecord>;
  getPackageFile(sha256: string): Promise<PackageFileRecord | null>;
  addPackage(pkg: NewPackage): Promise<PackageRecord>;
  /** Newest first; retired packages are not listed. */
  listPackages(): Promise<PackageRecord[]>;
  /** The retired packages, newest first (the desk marks their records retired). */
  listRetiredPackages(): Promise<PackageRecord[]>;
  getPackage(id: string): Promise<PackageRecord | null>;
  /** Retires a package: no new deployment of it; running ones go on. False for an unknown id. */
  retirePackage(id: string): Promise<boolean>;
  /**
   * Creates the deployment and one pending target per selected device, in one transaction. Refused
   * (`unknown`) when a named device does not exist; `none` when the selection is empty.
   */
  createDeployment(
    deployment: DeploymentRecord,
    targets: TargetSelection,
    maxTargets: number,
  ): Promise<
    { ok: true; deviceIds: string[] } | { ok: false; reason: 'unknown'; deviceId: string } | { ok: false; reason: 'none' | 'too-many' }
  >;
  listDeployments(filter: { packageId?: string; deviceId?: string; limit: number }): Promise<DeploymentSummary[]>;
  getDeployment(id: string): Promise<DeploymentDetail | null>;
  /** The device's deployments the agent has not acknowledged yet (sent again at each connection). */
  pendingTargets(deviceId: string): Promise<PendingTarget[]>;
  /** Whether the device has a deployment, not finished, whose package is this file (the download check). */
  deviceMayDownload(deviceId: string, sha256: string): Promise<boolean>;
  /**
   * Records a step the device reported, once: a step already recorded (same device and seq) is a
   * repeat; a step of a deployment the device is not a target of is unknown. The target's state
   * follows the newest step by seq.
   */
  recordStep(deviceId: string, step: Omit<StepRecord, 'deviceId'>): Promise<RecordedStep>;
}

// The package store's and deployments' answers as the console sees them (types only: the console
// bundle pulls in no zod). Routes: shared/http-api.ts; schemas: shared/deploy-http.ts.
import type { DeployState, Detection, Installer, PackagePlatform, StepState } from './deploy.js';

export interface PackageFileJson {
  sha256: string;
  size: number;
  name: string;
  uploadedAt: string;
}

export interface PackageJson {
  id: string;
  name: string;
  version: string | null;
  installer: Installer;
  /** deb, rpm, msi, pkg: the stored file; null for apt, dnf, winget. */
  file: PackageFileJson | null;
  managerPackage: string | null;
  args: string[];
  detection: Detection;
  platforms: PackagePlatform[];
  /** Offered to people at their machine (the tray's "Get software"). */
  selfService: boolean;
  timeoutSeconds: number;
  retries: number;
  createdAt: string;
  createdBy: string;
}

export interface DeploymentStepJson {
  state: StepState;
  attempt: number;
  /** The agent's clock. */
  at: string;
  receivedAt: string;
  code: string | null;
  message: string | null;
  exitCode: number | null;
  rebootRequired: boolean | null;
  outputTail: string | null;
}

export interface DeploymentTargetJson {
  deviceId: string;
  hostname: string;
  state: DeployState;
  attempt: number;
  code: string | null;
  message: string | null;
  exitCode: number | null;
  rebootRequired: boolean | null;
  outputTail: string | null;
  updatedAt: string;
  steps: DeploymentStepJson[];
}

export interface DeploymentJson {
  id: string;
  package: { id: string; name: string; version: string | null; installer: Installer };
  createdAt: string;
  createdBy: string;
  notBefore: string | null;
  notAfter: string | null;
  ticketId: number | null;
  /** Devices in each state. */
  counts: Record<DeployState, number>;
  /** Present on GET /api/deployments/:id (and the answer to POST). */
  targets?: DeploymentTargetJson[];
}

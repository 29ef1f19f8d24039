// The signed `deploy` message for one deployment of one package to one device.
import type { DeployCommand } from '../../shared/deploy.js';
import type { ServerMessageMap } from '../../shared/protocol.js';
import type { DeploymentRecord, PackageRecord } from '../store/deploy-records.js';
import type { DeploySigner } from './signing.js';

const isoOrNull = (ms: number | null) => (ms === null ? null : new Date(ms).toISOString());

export function deployCommand(deployment: DeploymentRecord, pkg: PackageRecord, deviceId: string, now: number): DeployCommand {
  return {
    deploymentId: deployment.id,
    deviceId,
    package: {
      id: pkg.id,
      name: pkg.name,
      version: pkg.version,
      installer: pkg.installer,
      file: pkg.file ? { sha256: pkg.file.sha256, size: pkg.file.size } : null,
      managerPackage: pkg.managerPackage,
      args: pkg.args,
      detection: pkg.detection,
      timeoutSeconds: pkg.timeoutSeconds,
      retries: pkg.retries,
    },
    notBefore: isoOrNull(deployment.notBefore),
    notAfter: isoOrNull(deployment.notAfter),
    issuedAt: new Date(now).toISOString(),
  };
}

export function deployMessage(signer: DeploySigner, command: DeployCommand): ServerMessageMap['deploy'] {
  return { type: 'deploy', command, signature: signer.sign(command) };
}

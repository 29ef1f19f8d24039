// What the server uses to recognise this device: the OS install's id plus hardware hints. Junk
// values and virtual adapters are left out here too, so a hint is never something two unrelated
// machines share.
import { createHash, randomBytes } from 'node:crypto';
import { createRequire } from 'node:module';
import type { IdentityHints, Snapshot } from '../../shared/inventory.js';
import { cleanText, cleanUuid, isMatchableMac } from '../../shared/junk.js';
import type { Logger } from '../../shared/log.js';
import type { Host } from '../host/host.js';

const MAX_MACS = 64;

/** The parts of a snapshot identity hints are made from. */
export type IdentitySource = Pick<Snapshot, 'os' | 'hardware' | 'network'>;

export function identitySource(snapshot: Snapshot): IdentitySource {
  return { os: snapshot.os, hardware: snapshot.hardware, network: snapshot.network };
}

export function identityHints(snapshot: IdentitySource, installId: string): IdentityHints {
  const macs = snapshot.network
    .filter((n) => !n.virtual)
    .map((n) => n.mac)
    .filter(isMatchableMac)
    .filter((mac) => !isLocallyAdministered(mac));
  const serial = cleanText(snapshot.hardware.serial);
  const uuid = cleanUuid(snapshot.hardware.uuid);
  return {
    installId,
    hostname: snapshot.os.hostname,
    ...(serial ? { serial } : {}),
    ...(uuid ? { uuid } : {}),
    macs: [...new Set(macs)].sort().slice(0, MAX_MACS),
  };
}

/**
 * A MAC whose locally-administered bit is set was made up by software: randomised Wi-Fi addresses,
 * bridges, and hypervisors that give every guest the same one (Firecracker's 02:fc:00:00:00:01, as on
 * this project's build machines). Two unrelated machines can share it, so it identifies nothing.
 */
export function isLocallyAdministered(mac: string): boolean {
  return (parseInt(mac.slice(0, 2), 16) & 0x02) !== 0;
}

/** node-machine-id's machineId(original): the OS's own id for this install. */
export type MachineIdReader = (original: boolean) => Promise<string>;

export interface InstallIdDeps {
  host: Host;
  log?: Logger;
  /** Defaults to node-machine-id, loaded on first use. */
  machineId?: MachineIdReader;
}

/**
 * The OS install's id (/etc/machine-id, the Windows MachineGuid, the Mac's platform UUID), hashed
 * with sha256 exactly as node-machine-id's default does, so the raw id never leaves the machine.
 *
 * Resolves to undefined when the OS has no usable id - containers and some minimal images lack
 * /etc/machine-id, and node-machine-id then quietly falls back to the hostname, which is not an
 * install id at all. The caller then persists randomInstallId() in its state directory once and
 * uses that from then on.
 */
export async function readInstallId(deps: InstallIdDeps): Promise<string | undefined> {
  let original: string;
  try {
    const read = deps.machineId ?? loadMachineId();
    original = (await read(true)).trim().toLowerCase();
  } catch (err) {
    deps.log?.warn({ err: (err as Error).message }, 'the OS machine id could not be read');
    return undefined;
  }
  if (!cleanUuid(original) || original === deps.host.hostname().trim().toLowerCase()) {
    deps.log?.warn({}, 'the OS has no usable machine id');
    return undefined;
  }
  return createHash('sha256').update(original).digest('hex');
}

/** A new install id for a machine whose OS has none: the same shape as a hashed machine id. */
export function randomInstallId(): string {
  return randomBytes(32).toString('hex');
}

// A CommonJS package: require gives its functions the same way under node, tsx and the build.
function loadMachineId(): MachineIdReader {
  const { machineId } = createRequire(import.meta.url)('node-machine-id') as typeof import('node-machine-id');
  return machineId;
}

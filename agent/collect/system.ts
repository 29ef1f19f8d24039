// Hardware, OS, network and logged-on users. systeminformation is reached through SystemInfo, the
// few of its calls used here typed by the fields read, so tests feed recorded-looking values and
// the real module is loaded only when a scan runs (system-info.ts). The calls run in parallel, each
// with a time limit: one hung tool (a DNS lookup in `hostname -f`, smartctl on a dying disk) must
// not hold the whole scan. A call that fails or times out is reported, so the caller keeps the
// values it had before instead of reading the failure as "this hardware was removed".
import type { Hardware, LoggedOnUser, NetworkInterface, Os } from '../../shared/inventory.js';
import { cleanText } from '../../shared/junk.js';
import type { Logger } from '../../shared/log.js';
import type { Host } from '../host/host.js';
import { compact, toHardware } from './system-hardware.js';
import { collectNetwork, type AddressTable } from './system-network.js';

/** The systeminformation calls the agent makes, narrowed to the fields it reads. */
export interface SystemInfo {
  system(): Promise<{ manufacturer: string; model: string; serial: string; uuid: string; sku: string }>;
  bios(): Promise<{ vendor: string; version: string; releaseDate: string }>;
  chassis(): Promise<{ manufacturer: string; type: string; serial: string; assetTag: string }>;
  cpu(): Promise<{
    manufacturer: string;
    brand: string;
    cores: number;
    physicalCores: number;
    processors: number;
    speed: number;
    speedMax: number;
  }>;
  mem(): Promise<{ total: number }>;
  memLayout(): Promise<
    {
      size: number;
      bank: string;
      type: string;
      clockSpeed: number | null;
      manufacturer?: string;
      partNum: string;
      serialNum: string;
    }[]
  >;
  diskLayout(): Promise<
    {
      device: string;
      type: string;
      name: string;
      vendor: string;
      size: number;
      serialNum: string;
      interfaceType: string;
    }[]
  >;
  graphics(): Promise<{ controllers: { vendor: string; model: string; vram: number | null }[] }>;
  battery(): Promise<{
    hasBattery: boolean;
    manufacturer: string;
    model: string;
    serial: string;
    designedCapacity: number;
    maxCapacity: number;
    capacityUnit: string;
    cycleCount: number;
  }>;
  osInfo(): Promise<{
    distro: string;
    release: string;
    build: string;
    codename: string;
    kernel: string;
    arch: string;
    hostname: string;
    fqdn: string;
  }>;
  users(): Promise<{ user: string; tty: string }[]>;
  /** Node's os.networkInterfaces(): every address of every interface, without spawning anything. */
  addresses(): AddressTable;
}

type Readings = { [K in Exclude<keyof SystemInfo, 'addresses'>]: Awaited<ReturnType<SystemInfo[K]>> };

/** One systeminformation call; a failed part keeps its previous values (see snapshot.ts mergeSnapshot). */
export type SystemPart = keyof Readings;
export const HARDWARE_PARTS = [
  'system',
  'bios',
  'chassis',
  'cpu',
  'mem',
  'memLayout',
  'diskLayout',
  'graphics',
  'battery',
] as const satisfies readonly SystemPart[];

export interface SystemOptions {
  log?: Logger;
  /** Per-call limit. Default 15 s. */
  timeoutMs?: number;
}

export interface SystemCollection {
  hardware: Hardware;
  os: Os;
  network: NetworkInterface[];
  users: LoggedOnUser[];
  /** Calls that failed or timed out: their fields are missing here, not gone from the machine. */
  failed: SystemPart[];
}

const DEFAULT_TIMEOUT_MS = 15_000;
const MAX_USERS = 1_000;

export async function collectSystem(si: SystemInfo, host: Host, options: SystemOptions = {}): Promise<SystemCollection> {
  const parts = [...HARDWARE_PARTS, 'osInfo', 'users'] as const;
  const [readings, network] = await Promise.all([readParts(si, parts, options), collectNetwork(host, si.addresses())]);
  return {
    hardware: toHardware(readings.values),
    os: toOs(readings.values.osInfo, host),
    network,
    users: toUsers(readings.values.users),
    failed: readings.failed,
  };
}

/** Logged-on users alone, for the half-hourly refresh. */
export async function collectUsers(si: SystemInfo, options: SystemOptions = {}): Promise<{ users: LoggedOnUser[]; failed: SystemPart[] }> {
  const readings = await readParts(si, ['users'], options);
  return { users: toUsers(readings.values.users), failed: readings.failed };
}

async function readParts<P extends SystemPart>(
  si: SystemInfo,
  parts: readonly P[],
  options: SystemOptions,
): Promise<{ values: Partial<Pick<Readings, P>>; failed: P[] }> {
  const timeoutMs = options.timeoutMs ?? DEFAULT_TIMEOUT_MS;
  const values: Partial<Pick<Readings, P>> = {};
  const failed: P[] = [];
  const timings: Record<string, number> = {};
  await Promise.all(
    parts.map(async (part) => {
      const started = performance.now();
      try {
        values[part] = await withTimeout(si[part]() as Promise<Readings[P]>, timeoutMs, part);
      } catch (err) {
        failed.push(part);
        options.log?.warn({ part, err: (err as Error).message }, 'system information could not be read');
      } finally {
        timings[part] = Math.round(performance.now() - started);
      }
    }),
  );
  options.log?.debug({ timings }, 'system information read');
  return { values, failed: failed.sort() };
}

function withTimeout<T>(promise: Promise<T>, ms: number, what: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(Object.assign(new Error(`${what} took longer than ${ms} ms`), { code: 'ETIMEDOUT' })), ms);
  });
  return Promise.race([promise, timeout]).finally(() => clearTimeout(timer));
}

const PLATFORMS: readonly string[] = ['linux', 'darwin', 'win32', 'freebsd'];

/** The OS section. The hostname comes from Host so that it agrees with the rename trigger. */
export function toOs(info: Readings['osInfo'] | undefined, host: Host): Os {
  const hostname = cleanText(host.hostname()) ?? cleanText(info?.hostname) ?? 'unknown';
  const fqdn = cleanFqdn(info?.fqdn);
  const domain = fqdn?.includes('.') ? cleanFqdn(fqdn.slice(fqdn.indexOf('.') + 1)) : undefined;
  return compact({
    platform: (PLATFORMS.includes(host.platform) ? host.platform : 'other') as Os['platform'],
    distro: cleanText(info?.distro),
    release: cleanText(info?.release),
    build: cleanText(info?.build),
    codename: cleanText(info?.codename),
    kernel: cleanText(info?.kernel),
    arch: cleanText(info?.arch),
    hostname,
    fqdn,
    domain,
  });
}

// "localhost" and "localdomain" are what an unconfigured resolver says; they name no real domain.
function cleanFqdn(value: string | undefined): string | undefined {
  const text = cleanText(value);
  if (!text || /^localhost(\.|$)|^localdomain$/i.test(text)) return undefined;
  return text;
}

/** Sessions as `who` (or Windows) lists them; "DOMAIN\\user" is split into its two parts. */
export function toUsers(raw: Readings['users'] | undefined): LoggedOnUser[] {
  const out: LoggedOnUser[] = [];
  for (const session of raw ?? []) {
    const full = cleanText(session.user);
    if (!full) continue;
    const slash = full.indexOf('\\');
    const name = cleanText(slash === -1 ? full : full.slice(slash + 1));
    if (!name) continue;
    out.push(compact({ name, domain: slash === -1 ? undefined : cleanText(full.slice(0, slash)), terminal: cleanText(session.tty) }));
    if (out.length >= MAX_USERS) break;
  }
  return out;
}

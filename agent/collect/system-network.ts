// Network interfaces without systeminformation's networkInterfaces(): on Linux that call runs a
// blocking shell per interface plus four `nmcli` runs per NetworkManager connection (hundreds of
// milliseconds on a desktop). Node already knows every address; sysfs says which links are real.
import type { NetworkInterfaceInfo } from 'node:os';
import type { NetworkInterface } from '../../shared/inventory.js';
import { cleanMac, cleanText, isVirtualMac } from '../../shared/junk.js';
import type { Host } from '../host/host.js';

/** Node's os.networkInterfaces() shape: interface name -> its addresses. */
export type AddressTable = NodeJS.Dict<NetworkInterfaceInfo[]>;

/** What sysfs says about one Linux link. */
interface LinkFacts {
  mac?: string;
  /** Backed by a device (PCI, USB, virtio); bridges, veth, tun and the like have none. */
  physical: boolean;
  wireless: boolean;
  loopback: boolean;
}

const SYS_NET = '/sys/class/net';
const IF_INET6 = '/proc/net/if_inet6';
const ARPHRD_LOOPBACK = '772';
const IFA_F_TEMPORARY = 0x01;
const MAX_INTERFACES = 256;
const MAX_ADDRESSES = 64;

// Names hypervisors, container runtimes and VPNs give their adapters (systeminformation's own
// test covers "virtual", "vethernet", veth and vboxnet; the rest are the usual Linux/macOS ones).
const VIRTUAL_NAME =
  /virtual|vethernet|^(veth|vboxnet|vmnet|docker|br-|virbr|lxc|lxd|cni|flannel|cali|vxlan|kube|tun|tap|wg|zt|tailscale|utun|awdl|llw|bridge|ifb|dummy)/i;

export async function collectNetwork(host: Host, addresses: AddressTable): Promise<NetworkInterface[]> {
  const links = host.platform === 'linux' ? await readLinuxLinks(host) : undefined;
  const temporary = host.platform === 'linux' ? await readTemporaryIpv6(host) : new Set<string>();
  const names = new Set([...(links?.keys() ?? []), ...Object.keys(addresses)]);
  const out: NetworkInterface[] = [];
  for (const name of [...names].sort()) {
    const item = describeInterface(name, addresses[name] ?? [], links?.get(name), links !== undefined, temporary);
    if (item) out.push(item);
    if (out.length >= MAX_INTERFACES) break;
  }
  return out;
}

function describeInterface(
  rawName: string,
  infos: NetworkInterfaceInfo[],
  link: LinkFacts | undefined,
  haveSysfs: boolean,
  temporaryIpv6: Set<string>,
): NetworkInterface | undefined {
  const name = cleanText(rawName);
  if (!name || link?.loopback || infos.some((i) => i.internal)) return undefined;
  const ipv4 = unique(infos.filter((i) => isFamily(i, 4)).map((i) => i.address));
  const ipv6 = unique(infos.filter((i) => isFamily(i, 6) && !temporaryIpv6.has(expandIpv6(i.address))).map((i) => i.address));
  const mac = link?.mac ?? cleanMac(infos.find((i) => cleanMac(i.mac))?.mac);
  // Without sysfs (other platforms) a link is judged by its name and MAC alone.
  const physical = haveSysfs ? link?.physical === true : true;
  // Down virtual links without addresses (veth pairs, ifb) come and go; they say nothing about the machine.
  if (!physical && ipv4.length === 0 && ipv6.length === 0) return undefined;
  const virtual = !physical || VIRTUAL_NAME.test(name) || (mac !== undefined && isVirtualMac(mac));
  return {
    name,
    ...(mac ? { mac } : {}),
    ipv4: ipv4.slice(0, MAX_ADDRESSES),
    ipv6: ipv6.slice(0, MAX_ADDRESSES),
    virtual,
    ...(link && link.physical ? { type: link.wireless ? 'wireless' : 'wired' } : {}),
  };
}

function isFamily(info: NetworkInterfaceInfo, family: 4 | 6): boolean {
  const f = info.family as string | number; // Node 18.0-18.3 reported numbers
  return f === `IPv${family}` || f === family;
}

function unique(values: string[]): string[] {
  return [...new Set(values.filter((v) => v.length > 0 && v.length <= 64))];
}

/** Every link in /sys/class/net, or undefined when sysfs cannot be read (then Node's list is used alone). */
async function readLinuxLinks(host: Host): Promise<Map<string, LinkFacts> | undefined> {
  let names: string[];
  try {
    // Down veth pairs may outnumber real links; read a bounded number.
    names = (await host.readdir(SYS_NET)).slice(0, MAX_INTERFACES * 4);
  } catch {
    return undefined;
  }
  const facts = await Promise.all(names.map((n) => readLink(host, n)));
  return new Map(names.map((n, i) => [n, facts[i]!]));
}

async function readLink(host: Host, name: string): Promise<LinkFacts> {
  const dir = `${SYS_NET}/${name}`;
  const [address, type, device, wireless] = await Promise.all([
    host.readFile(`${dir}/address`).catch(() => ''),
    host.readFile(`${dir}/type`).catch(() => ''),
    host.mtimeMs(`${dir}/device`),
    host.mtimeMs(`${dir}/wireless`),
  ]);
  const mac = cleanMac(address.trim());
  return {
    ...(mac ? { mac } : {}),
    physical: device !== undefined,
    wireless: wireless !== undefined,
    loopback: type.trim() === ARPHRD_LOOPBACK,
  };
}

/**
 * IPv6 privacy (temporary) addresses, as 32 hex digits. They rotate daily by design, so listing them
 * would turn a quiet machine into a stream of network changes.
 */
async function readTemporaryIpv6(host: Host): Promise<Set<string>> {
  const out = new Set<string>();
  let text: string;
  try {
    text = await host.readFile(IF_INET6);
  } catch {
    return out;
  }
  for (const line of text.split('\n')) {
    const [hex, , , , flags] = line.trim().split(/\s+/);
    if (hex?.length === 32 && flags && (parseInt(flags, 16) & IFA_F_TEMPORARY) !== 0) out.add(hex.toLowerCase());
  }
  return out;
}

/** "fe80::1" -> "fe800000000000000000000000000001"; an unparseable address gives "". */
export function expandIpv6(address: string): string {
  const [head = '', tail] = address.toLowerCase().split('%')[0]!.split('::');
  const group = (part: string) => (part ? part.split(':') : []);
  const left = group(head);
  const right = tail === undefined ? [] : group(tail);
  const fill = tail === undefined ? 0 : 8 - left.length - right.length;
  if (fill < 0 || [...left, ...right].some((g) => !/^[0-9a-f]{1,4}$/.test(g))) return '';
  const groups = [...left, ...Array<string>(fill).fill('0'), ...right];
  return groups.length === 8 ? groups.map((g) => g.padStart(4, '0')).join('') : '';
}

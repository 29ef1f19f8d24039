// Values firmware and virtual platforms fill in when they have nothing real to say.
// Matching devices on any of these would merge unrelated machines, so they count as absent.

const JUNK_TEXT = new Set(
  [
    '',
    '-',
    '.',
    '0',
    'none',
    'n/a',
    'na',
    'null',
    'unknown',
    'not specified',
    'not available',
    'not applicable',
    'default string',
    'to be filled by o.e.m.',
    'to be filled by oem',
    'system serial number',
    'system product name',
    'system manufacturer',
    'system version',
    'chassis serial number',
    'base board serial number',
    'invalid',
    'oem',
    'o.e.m.',
    'no asset information',
    'no asset tag',
    '0123456789',
    '123456789',
    '1234567890',
  ].map((s) => s.toLowerCase()),
);

/** A trimmed, meaningful string, or undefined when the value is empty or a known placeholder. */
export function cleanText(value: unknown): string | undefined {
  if (typeof value !== 'string' && typeof value !== 'number') return undefined;
  const trimmed = String(value).replace(/\s+/g, ' ').trim();
  if (JUNK_TEXT.has(trimmed.toLowerCase())) return undefined;
  if (/^[0\s.-]+$/.test(trimmed)) return undefined; // "0000000", "00-00", "0.0"
  if (/^(f+|x+|\*+)$/i.test(trimmed)) return undefined;
  return trimmed.slice(0, 1024);
}

/** A system UUID in lower case, or undefined for empty, all-zero and all-F UUIDs. */
export function cleanUuid(value: unknown): string | undefined {
  const text = cleanText(value)?.toLowerCase();
  if (!text) return undefined;
  const hex = text.replace(/[^0-9a-f]/g, '');
  if (hex.length < 16) return undefined;
  if (/^0+$/.test(hex) || /^f+$/.test(hex)) return undefined;
  return text;
}

/** MAC address prefixes (OUI) of hypervisors' and VPNs' virtual adapters. */
const VIRTUAL_MAC_PREFIXES = [
  '00:05:69', // VMware
  '00:0c:29', // VMware
  '00:1c:14', // VMware
  '00:50:56', // VMware
  '00:03:ff', // Hyper-V (legacy)
  '00:15:5d', // Hyper-V
  '08:00:27', // VirtualBox
  '0a:00:27', // VirtualBox host-only
  '00:1c:42', // Parallels
  '02:42', // Docker bridge
  '00:16:3e', // Xen
  '52:54:00', // QEMU/KVM
  '54:52:00', // KVM (older)
  '00:0f:4b', // Oracle Virtual Iron
  '00:ff', // TAP-Windows (OpenVPN)
];

/** A MAC as aa:bb:cc:dd:ee:ff, or undefined for malformed, all-zero or broadcast addresses. */
export function cleanMac(value: unknown): string | undefined {
  if (typeof value !== 'string') return undefined;
  const hex = value.toLowerCase().replace(/[^0-9a-f]/g, '');
  if (hex.length !== 12) return undefined;
  if (/^0+$/.test(hex) || /^f+$/.test(hex)) return undefined;
  return hex.match(/../g)!.join(':');
}

/** True for adapters made by hypervisors, containers and VPNs rather than a physical NIC. */
export function isVirtualMac(mac: string): boolean {
  const m = mac.toLowerCase();
  return VIRTUAL_MAC_PREFIXES.some((p) => m.startsWith(p));
}

/** Locally administered MACs are made up by software (VMs, Wi-Fi privacy, Firecracker gives every
 * guest 02:fc:00:00:00:01): many machines can share one. */
export function isLocallyAdministered(mac: string): boolean {
  return (parseInt(mac.slice(0, 2), 16) & 0x02) !== 0;
}

/** A MAC good enough to identify a physical machine. */
export function isMatchableMac(mac: string | undefined): mac is string {
  return mac !== undefined && cleanMac(mac) === mac && !isVirtualMac(mac) && !isLocallyAdministered(mac);
}

// A monitor's EDID block (VESA E-EDID 1.3/1.4, as the kernel exposes it in /sys/class/drm/*/edid):
// the PNP vendor id in bytes 8-9 (three 5-bit letters), the serial number in bytes 12-15, and the
// display descriptors at 54, 72, 90, 108 (tag 0xFC: name, 0xFF: serial text); bytes 21-22 are the
// image size in cm. Spec: VESA Enhanced EDID Standard, Release A Rev. 2, section 3.
import type { Monitor } from '../../../shared/inventory.js';

const HEADER = [0x00, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x00];

export function parseEdid(bytes: Buffer): Monitor | undefined {
  if (bytes.length < 128 || HEADER.some((b, i) => bytes[i] !== b)) return undefined;
  const id = bytes.readUInt16BE(8);
  const letter = (n: number) => String.fromCharCode(64 + (n & 0x1f));
  const vendor = letter(id >> 10) + letter(id >> 5) + letter(id);
  const m: Monitor = { vendor };
  for (const at of [54, 72, 90, 108]) {
    if (bytes[at] !== 0 || bytes[at + 1] !== 0) continue; // a timing descriptor, not text
    const text = bytes
      .subarray(at + 5, at + 18)
      .toString('latin1')
      .split('\n')[0]!
      .trim();
    if (!text) continue;
    if (bytes[at + 3] === 0xfc) m.model = text;
    if (bytes[at + 3] === 0xff) m.serial = text;
  }
  const numeric = bytes.readUInt32LE(12);
  if (!m.serial && numeric !== 0 && numeric !== 0x01010101) m.serial = String(numeric);
  const [w, h] = [bytes[21]!, bytes[22]!];
  if (w > 0 && h > 0) m.sizeInches = Math.round((Math.sqrt(w * w + h * h) / 2.54) * 10) / 10;
  return m;
}

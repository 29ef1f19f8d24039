// A software row written straight into a device's live generation, as SQL both engines take
// (parameters $1..$5: device id, item key, name, version or null, publisher or null): the normalised
// tables of migration 17, the package's identity made when it is not there yet, and the device's
// snapshot row when there is none. For tests that need many devices' software without inventories.
export const SEED_SOFTWARE_ROW: readonly string[] = [
  `INSERT INTO snapshots (device_id, snapshot, updated_at) VALUES ($1, '{}', 0) ON CONFLICT (device_id) DO NOTHING`,
  'INSERT INTO software_devices (device_id) VALUES ($1) ON CONFLICT (device_id) DO NOTHING',
  `INSERT INTO software_keys (item_key, name, source, scope) VALUES ($2, $3, 'dpkg', 'machine') ON CONFLICT (item_key) DO NOTHING`,
  `INSERT INTO software_packages (key_id, version, publisher)
     SELECT id, coalesce(CAST($4 AS text), ''), coalesce(CAST($5 AS text), '') FROM software_keys WHERE item_key = $2
   ON CONFLICT (key_id, version, publisher) DO NOTHING`,
  `INSERT INTO device_software (device_num, gen, key_id, package_id)
     SELECT d.num, s.software_gen, k.id, p.id FROM snapshots s JOIN software_devices d ON d.device_id = s.device_id
     JOIN software_keys k ON k.item_key = $2
     JOIN software_packages p ON p.key_id = k.id AND p.version = coalesce(CAST($4 AS text), '') AND p.publisher = coalesce(CAST($5 AS text), '')
     WHERE s.device_id = $1`,
];

/** The statements above for better-sqlite3 (`?` in order of appearance). */
export function sqliteStatement(text: string, params: readonly unknown[]): { text: string; values: unknown[] } {
  const values: unknown[] = [];
  return {
    text: text.replace(/\$(\d+)/g, (_, n: string) => {
      values.push(params[Number(n) - 1]);
      return '?';
    }),
    values,
  };
}

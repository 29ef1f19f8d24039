// A software row written straight into a device's live generation, as SQL both engines take
// (parameters $1, $2...): the normalised tables of migration 17, the package's identity made when it
// is not there yet, and the device's snapshot row when there is none. For tests that need many
// devices' software without their inventories.
export interface SeedRow {
  key: string;
  name: string;
  version: string | null;
  publisher: string | null;
}

/** The statements and their parameters, in order. */
export function seedSoftwareRow(deviceId: string, row: SeedRow): [string, unknown[]][] {
  const version = row.version ?? '';
  const publisher = row.publisher ?? '';
  return [
    [`INSERT INTO snapshots (device_id, snapshot, updated_at) VALUES ($1, '{}', 0) ON CONFLICT (device_id) DO NOTHING`, [deviceId]],
    ['INSERT INTO software_devices (device_id) VALUES ($1) ON CONFLICT (device_id) DO NOTHING', [deviceId]],
    [
      `INSERT INTO software_keys (item_key, name, source, scope) VALUES ($1, $2, 'dpkg', 'machine') ON CONFLICT (item_key) DO NOTHING`,
      [row.key, row.name],
    ],
    [
      `INSERT INTO software_packages (key_id, version, publisher) SELECT id, $2, $3 FROM software_keys WHERE item_key = $1
       ON CONFLICT (key_id, version, publisher) DO NOTHING`,
      [row.key, version, publisher],
    ],
    [
      `INSERT INTO device_software (device_num, gen, key_id, package_id)
       SELECT d.num, s.software_gen, k.id, p.id FROM snapshots s JOIN software_devices d ON d.device_id = s.device_id
       JOIN software_keys k ON k.item_key = $2 JOIN software_packages p ON p.key_id = k.id AND p.version = $3 AND p.publisher = $4
       WHERE s.device_id = $1`,
      [deviceId, row.key, version, publisher],
    ],
    // The fleet counts, as a write keeps them (server/store/fleet-counts.ts): the row's version counted,
    // the name's devices and versions counted again from the view.
    [
      `INSERT INTO software_name_versions (name, version, rows) VALUES (lower($1), $2, 1)
       ON CONFLICT (name, version) DO UPDATE SET rows = software_name_versions.rows + 1`,
      [row.name, version],
    ],
    ['INSERT INTO software_names (name, publisher) VALUES ($1, $2) ON CONFLICT DO NOTHING', [row.name, row.publisher]],
    [
      `UPDATE software_names SET devices = (SELECT count(DISTINCT device_id) FROM software s WHERE lower(s.name) = lower($1)),
         versions = (SELECT count(DISTINCT version) FROM software s WHERE lower(s.name) = lower($1)) WHERE lower(name) = lower($1)`,
      [row.name],
    ],
  ];
}

/** A statement above for better-sqlite3 (`?` in order of appearance). */
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

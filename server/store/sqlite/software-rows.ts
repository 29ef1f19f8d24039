// A device's software rows, normalised (migration 17): the texts of a package live once for the fleet
// in software_keys (what the item key names) and software_packages (a key at a version from a
// publisher); a device's row holds its device number, the generation, the two ids and the install
// date. The ids this process has seen are kept in memory, so a snapshot's ~700 rows cost one insert
// each (the fleet counts follow in the batch: fleet-counts.ts); an id made in a transaction that then
// rolls back is forgotten (`forget`), so no row ever points at an identity that was not committed.
import type Database from 'better-sqlite3';
import { itemKey, type Software } from '../../../shared/inventory.js';

/** A software row as stored, which is a Software item column by column. */
export interface SoftwareRow {
  name: string;
  version: string | null;
  publisher: string | null;
  arch: string | null;
  source: Software['source'];
  scope: Software['scope'];
  user_name: string | null;
  install_date: string | null;
}

export type KeyedSoftwareRow = SoftwareRow & { item_key: string; key_id: number };

/** The columns of a SoftwareRow read from a device's rows `r` joined to their key `k` and package `p`. */
export const ROW_SELECT = `k.item_key, r.key_id, k.name, nullif(p.version, '') AS version, nullif(p.publisher, '') AS publisher, k.arch,
  k.source, k.scope, k.user_name, r.install_date`;
const ROW_JOIN = 'device_software r JOIN software_keys k ON k.id = r.key_id JOIN software_packages p ON p.id = r.package_id';
const DEVICE = 'r.device_num = (SELECT num FROM software_devices WHERE device_id = ?) AND r.gen = ?';

/** Identities kept in memory at most (keys and packages together); past it the memory starts again. */
const MAX_IDS = 400_000;

/** Versions of one key kept in memory at most: a key a hostile fleet reports at thousands of
 * versions must not make every row's lookup a long scan; past it, the index answers. */
const MAX_PACKAGES_A_KEY = 32;

/** A package id in memory: its key's id is where it is kept. */
interface KnownPackage {
  version: string;
  publisher: string;
  id: number;
}

export type SoftwareRows = ReturnType<typeof createSoftwareRows>;

export function createSoftwareRows(db: Database.Database) {
  // Found by key (a seen id costs one map read, no string built); a key's packages are its few versions.
  const keyIds = new Map<string, number>();
  const packageIds = new Map<number, KnownPackage[]>();
  let remembered = 0;
  const remember = (): void => {
    if (++remembered <= MAX_IDS) return;
    keyIds.clear();
    packageIds.clear();
    remembered = 1;
  };

  const deviceNum = db.prepare<[string], { num: number }>('SELECT num FROM software_devices WHERE device_id = ?');
  const newDevice = db.prepare('INSERT INTO software_devices (device_id) VALUES (?)');
  const findKey = db.prepare<[string], { id: number }>('SELECT id FROM software_keys WHERE item_key = ?');
  const newKey = db.prepare(
    'INSERT INTO software_keys (item_key, name, arch, source, scope, user_name) VALUES (@key, @name, @arch, @source, @scope, @user)',
  );
  const findPackage = db.prepare<[number, string, string], { id: number }>(
    'SELECT id FROM software_packages WHERE key_id = ? AND version = ? AND publisher = ?',
  );
  const newPackage = db.prepare('INSERT INTO software_packages (key_id, version, publisher) VALUES (?, ?, ?)');
  const replaceRow = db.prepare(
    'INSERT OR REPLACE INTO device_software (device_num, gen, key_id, package_id, install_date) VALUES (?, ?, ?, ?, ?)',
  );
  const keepRow = db.prepare(
    'INSERT OR IGNORE INTO device_software (device_num, gen, key_id, package_id, install_date) VALUES (?, ?, ?, ?, ?)',
  );
  const deleteRow = db.prepare(
    `DELETE FROM device_software WHERE device_num = (SELECT num FROM software_devices WHERE device_id = ?) AND gen = ?
       AND key_id = (SELECT id FROM software_keys WHERE item_key = ?)`,
  );
  const byKey = db.prepare<[string, number, string], KeyedSoftwareRow>(
    `SELECT ${ROW_SELECT} FROM ${ROW_JOIN} WHERE ${DEVICE} AND r.key_id = (SELECT id FROM software_keys WHERE item_key = ?)`,
  );
  const all = db.prepare<[string, number], KeyedSoftwareRow>(`SELECT ${ROW_SELECT} FROM ${ROW_JOIN} WHERE ${DEVICE}`);

  const numOf = (deviceId: string): number => {
    const row = deviceNum.get(deviceId);
    return row ? row.num : Number(newDevice.run(deviceId).lastInsertRowid);
  };
  const keyIdOf = (key: string, s: Software): number => {
    const known = keyIds.get(key);
    if (known !== undefined) return known;
    const id =
      findKey.get(key)?.id ??
      Number(
        newKey.run({ key, name: s.name, arch: s.arch ?? null, source: s.source, scope: s.scope, user: s.user ?? null }).lastInsertRowid,
      );
    remember();
    keyIds.set(key, id);
    return id;
  };
  const packageIdOf = (keyId: number, s: Software): number => {
    const version = s.version ?? '';
    const publisher = s.publisher ?? '';
    const known = packageIds.get(keyId);
    if (known) for (const p of known) if (p.version === version && p.publisher === publisher) return p.id;
    const id = findPackage.get(keyId, version, publisher)?.id ?? Number(newPackage.run(keyId, version, publisher).lastInsertRowid);
    remember();
    // `remember` may have just emptied the maps.
    const list = packageIds.get(keyId);
    if (!list) packageIds.set(keyId, [{ version, publisher, id }]);
    else if (list.length < MAX_PACKAGES_A_KEY) list.push({ version, publisher, id });
    return id;
  };

  return {
    /**
     * Writes items into a generation; `replace`: an item whose key is there already takes its place
     * (a delta), `keep`: the row there stays (a part sent again). `keys`: the items' keys, when the
     * caller has them already.
     */
    write(
      deviceId: string,
      gen: number,
      items: readonly Software[],
      mode: 'replace' | 'keep',
      keys: readonly string[] = items.map((s) => itemKey.software(s)),
    ): void {
      if (items.length === 0) return;
      const num = numOf(deviceId);
      const insert = mode === 'replace' ? replaceRow : keepRow;
      for (let i = 0; i < items.length; i++) {
        const s = items[i]!;
        const keyId = keyIdOf(keys[i]!, s);
        insert.run(num, gen, keyId, packageIdOf(keyId, s), s.installDate ?? null);
      }
    },
    remove(deviceId: string, gen: number, key: string): void {
      deleteRow.run(deviceId, gen, key);
    },
    byKey(deviceId: string, gen: number, key: string): KeyedSoftwareRow | undefined {
      return byKey.get(deviceId, gen, key);
    },
    all(deviceId: string, gen: number): KeyedSoftwareRow[] {
      return all.all(deviceId, gen);
    },
    /** After a rollback: ids made in it may name identities that are gone. */
    forget(): void {
      keyIds.clear();
      packageIds.clear();
      remembered = 0;
    },
  };
}

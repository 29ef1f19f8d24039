// PostgreSQL migration 20 (SQLite's 20, sqlite/migrations.ts): the fleet software counts kept on
// write (../fleet-counts.ts). software_names loses its dirty flag and the statement triggers that set
// it; software_name_versions counts the fleet's live rows per name (lower case) and version; both are
// filled here from the live rows. The key index also names the package, for the identity collector.
export const SCHEMA_20_COUNTS = `
DROP TRIGGER IF EXISTS software_names_insert ON device_software;
DROP TRIGGER IF EXISTS software_names_delete ON device_software;
DROP TRIGGER IF EXISTS software_names_update ON device_software;
DROP FUNCTION IF EXISTS software_names_added();
DROP FUNCTION IF EXISTS software_names_removed();
DROP FUNCTION IF EXISTS software_names_updated();
DROP INDEX IF EXISTS software_names_dirty;
ALTER TABLE software_names DROP COLUMN dirty;
UPDATE software_garbage SET mark_from = NULL;
CREATE TABLE software_name_versions (
  name    text NOT NULL,
  version text NOT NULL,
  rows    integer NOT NULL,
  PRIMARY KEY (name, version)
);
INSERT INTO software_name_versions (name, version, rows)
  SELECT lower(k.name), p.version, count(*)
  FROM snapshots s JOIN software_devices d ON d.device_id = s.device_id
  JOIN device_software r ON r.device_num = d.num AND r.gen = s.software_gen
  JOIN software_keys k ON k.id = r.key_id JOIN software_packages p ON p.id = r.package_id
  GROUP BY 1, 2;
CREATE TEMP TABLE fleet_counted ON COMMIT DROP AS
  SELECT lower(name) AS key, min(name) AS name, max(publisher) AS publisher, count(DISTINCT device_id)::integer AS devices,
    count(DISTINCT version)::integer AS versions
  FROM software GROUP BY 1;
DELETE FROM software_names WHERE lower(name) NOT IN (SELECT key FROM fleet_counted);
INSERT INTO software_names AS n (name, publisher, devices, versions)
  SELECT name, publisher, devices, versions FROM fleet_counted
ON CONFLICT ((lower(name))) DO UPDATE SET devices = excluded.devices, versions = excluded.versions,
  publisher = coalesce(n.publisher, excluded.publisher);
DROP INDEX device_software_key;
CREATE INDEX device_software_key ON device_software(key_id, package_id);
`;

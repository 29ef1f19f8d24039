// PostgreSQL migration 17 (SQLite's 17, sqlite/migrations.ts): software normalised. A package's texts
// live once for the fleet (software_keys, software_packages; '' for an absent version or publisher)
// and a device's row holds ids; the view `software` and the name triggers read through them. The
// triggers stay per statement: a snapshot's rows are one statement, each name row touched once, in
// name order.
export const SCHEMA_17_SOFTWARE_ROWS = `
CREATE TABLE software_devices (
  num       bigserial PRIMARY KEY,
  device_id text NOT NULL UNIQUE REFERENCES devices(id) ON DELETE CASCADE
);
CREATE TABLE software_keys (
  id        bigserial PRIMARY KEY,
  item_key  text NOT NULL UNIQUE,
  name      text NOT NULL,
  arch      text,
  source    text NOT NULL,
  scope     text NOT NULL,
  user_name text
);
CREATE INDEX software_keys_name ON software_keys(lower(name));
CREATE TABLE software_packages (
  id        bigserial PRIMARY KEY,
  key_id    bigint NOT NULL REFERENCES software_keys(id),
  version   text NOT NULL,
  publisher text NOT NULL,
  UNIQUE (key_id, version, publisher)
);
CREATE TABLE device_software (
  device_num   bigint NOT NULL REFERENCES software_devices(num) ON DELETE CASCADE,
  gen          bigint NOT NULL,
  key_id       bigint NOT NULL,
  package_id   bigint NOT NULL,
  install_date text,
  PRIMARY KEY (device_num, gen, key_id)
);

INSERT INTO software_devices (device_id) SELECT DISTINCT device_id FROM software_rows ORDER BY device_id;
INSERT INTO software_keys (item_key, name, arch, source, scope, user_name)
  SELECT DISTINCT ON (item_key) item_key, name, arch, source, scope, user_name FROM software_rows ORDER BY item_key;
INSERT INTO software_packages (key_id, version, publisher)
  SELECT DISTINCT k.id, coalesce(r.version, ''), coalesce(r.publisher, '') FROM software_rows r JOIN software_keys k ON k.item_key = r.item_key;
INSERT INTO device_software (device_num, gen, key_id, package_id, install_date)
  SELECT d.num, r.gen, k.id, p.id, r.install_date FROM software_rows r
  JOIN software_devices d ON d.device_id = r.device_id
  JOIN software_keys k ON k.item_key = r.item_key
  JOIN software_packages p ON p.key_id = k.id AND p.version = coalesce(r.version, '') AND p.publisher = coalesce(r.publisher, '');
CREATE INDEX device_software_key ON device_software(key_id);

DROP VIEW software;
DROP TABLE software_rows;
CREATE VIEW software AS
  SELECT d.device_id, k.item_key, k.name, nullif(p.version, '') AS version, nullif(p.publisher, '') AS publisher, k.arch, k.source,
    k.scope, k.user_name, r.install_date
  FROM snapshots s JOIN software_devices d ON d.device_id = s.device_id
  JOIN device_software r ON r.device_num = d.num AND r.gen = s.software_gen
  JOIN software_keys k ON k.id = r.key_id JOIN software_packages p ON p.id = r.package_id;

CREATE OR REPLACE FUNCTION software_names_added() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  INSERT INTO software_names AS n (name, publisher)
    SELECT DISTINCT ON (lower(k.name)) k.name, nullif(p.publisher, '')
    FROM new_rows r JOIN software_keys k ON k.id = r.key_id JOIN software_packages p ON p.id = r.package_id
    ORDER BY lower(k.name), p.publisher = ''
  ON CONFLICT ((lower(name))) DO UPDATE SET dirty = true, publisher = coalesce(n.publisher, excluded.publisher)
    WHERE NOT n.dirty OR (n.publisher IS NULL AND excluded.publisher IS NOT NULL);
  RETURN NULL;
END $$;
CREATE OR REPLACE FUNCTION software_names_removed() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  UPDATE software_names SET dirty = true
    WHERE lower(name) IN (SELECT DISTINCT lower(k.name) FROM old_rows r JOIN software_keys k ON k.id = r.key_id) AND NOT dirty;
  RETURN NULL;
END $$;
CREATE OR REPLACE FUNCTION software_names_updated() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  UPDATE software_names SET dirty = true
    WHERE lower(name) IN (SELECT lower(k.name) FROM old_rows r JOIN software_keys k ON k.id = r.key_id
                          UNION SELECT lower(k.name) FROM new_rows r JOIN software_keys k ON k.id = r.key_id) AND NOT dirty;
  INSERT INTO software_names (name, publisher)
    SELECT DISTINCT ON (lower(k.name)) k.name, nullif(p.publisher, '')
    FROM new_rows r JOIN software_keys k ON k.id = r.key_id JOIN software_packages p ON p.id = r.package_id
    ORDER BY lower(k.name), p.publisher = ''
  ON CONFLICT ((lower(name))) DO NOTHING;
  RETURN NULL;
END $$;
CREATE TRIGGER software_names_insert AFTER INSERT ON device_software
  REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION software_names_added();
CREATE TRIGGER software_names_delete AFTER DELETE ON device_software
  REFERENCING OLD TABLE AS old_rows FOR EACH STATEMENT EXECUTE FUNCTION software_names_removed();
CREATE TRIGGER software_names_update AFTER UPDATE ON device_software
  REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION software_names_updated();
-- The name-marking cursor was an item key; it starts again at the first key id (marking twice is harmless).
UPDATE software_garbage SET mark_from = '' WHERE mark_from IS NOT NULL;
`;

// PostgreSQL migration 1, continued: software by generation (SQLite's migrations 5 and 11), the fleet's
// package names kept by triggers, snapshots in parts, and what the devices list filters by (9).
// The software_names triggers are per statement (transition tables), not per row as in SQLite: a
// snapshot's rows are written in one statement, and each name row is touched once, in name order.
export const SCHEMA_1_SOFTWARE = `
CREATE TABLE software_rows (
  device_id    text NOT NULL REFERENCES devices(id) ON DELETE CASCADE,
  gen          bigint NOT NULL DEFAULT 0,
  item_key     text NOT NULL,
  name         text NOT NULL,
  version      text,
  publisher    text,
  arch         text,
  source       text NOT NULL,
  scope        text NOT NULL,
  user_name    text,
  install_date text,
  PRIMARY KEY (device_id, gen, item_key)
);
CREATE INDEX software_name ON software_rows(lower(name), version);

CREATE VIEW software AS
  SELECT r.device_id, r.item_key, r.name, r.version, r.publisher, r.arch, r.source, r.scope, r.user_name, r.install_date
  FROM software_rows r JOIN snapshots s ON s.device_id = r.device_id AND s.software_gen = r.gen;

CREATE TABLE software_names (
  name      text PRIMARY KEY,
  publisher text,
  devices   integer NOT NULL DEFAULT 0,
  versions  integer NOT NULL DEFAULT 0,
  dirty     boolean NOT NULL DEFAULT true
);
CREATE UNIQUE INDEX software_names_nocase ON software_names(lower(name));
CREATE INDEX software_names_dirty ON software_names(dirty) WHERE dirty;

CREATE FUNCTION software_names_added() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  INSERT INTO software_names AS n (name, publisher)
    SELECT DISTINCT ON (lower(name)) name, publisher FROM new_rows ORDER BY lower(name), publisher IS NULL
  ON CONFLICT ((lower(name))) DO UPDATE SET dirty = true, publisher = coalesce(n.publisher, excluded.publisher)
    WHERE NOT n.dirty OR (n.publisher IS NULL AND excluded.publisher IS NOT NULL);
  RETURN NULL;
END $$;
CREATE FUNCTION software_names_removed() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  UPDATE software_names SET dirty = true
    WHERE lower(name) IN (SELECT DISTINCT lower(name) FROM old_rows) AND NOT dirty;
  RETURN NULL;
END $$;
CREATE FUNCTION software_names_updated() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  UPDATE software_names SET dirty = true
    WHERE lower(name) IN (SELECT lower(name) FROM old_rows UNION SELECT lower(name) FROM new_rows) AND NOT dirty;
  INSERT INTO software_names (name, publisher)
    SELECT DISTINCT ON (lower(name)) name, publisher FROM new_rows ORDER BY lower(name), publisher IS NULL
  ON CONFLICT ((lower(name))) DO NOTHING;
  RETURN NULL;
END $$;
CREATE TRIGGER software_names_insert AFTER INSERT ON software_rows
  REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION software_names_added();
CREATE TRIGGER software_names_delete AFTER DELETE ON software_rows
  REFERENCING OLD TABLE AS old_rows FOR EACH STATEMENT EXECUTE FUNCTION software_names_removed();
CREATE TRIGGER software_names_update AFTER UPDATE ON software_rows
  REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION software_names_updated();

CREATE TABLE snapshot_staging (
  device_id      text PRIMARY KEY REFERENCES devices(id) ON DELETE CASCADE,
  first_seq      bigint NOT NULL,
  part_count     integer NOT NULL,
  digest         text NOT NULL,
  trigger        text NOT NULL,
  received       text NOT NULL,
  software_sum   text NOT NULL,
  software_count integer NOT NULL
);
CREATE TABLE snapshot_staging_rest (
  device_id text PRIMARY KEY REFERENCES devices(id) ON DELETE CASCADE,
  first_seq bigint NOT NULL,
  rest      text NOT NULL
);
CREATE TABLE staged_changes (
  device_id text NOT NULL REFERENCES devices(id) ON DELETE CASCADE,
  gen       bigint NOT NULL,
  part      integer NOT NULL,
  added     text NOT NULL,
  changed   text NOT NULL,
  PRIMARY KEY (device_id, gen, part)
);
CREATE TABLE software_garbage (
  device_id   text NOT NULL,
  gen         bigint NOT NULL,
  replaced_by bigint,
  seq         bigint,
  at          text,
  trigger     text,
  mark_from   text,
  PRIMARY KEY (device_id, gen)
);

-- What the devices list filters by, kept on the device row from its snapshot row (SQLite's 9).
CREATE FUNCTION snapshots_posture() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
  s jsonb := NEW.snapshot::jsonb;
BEGIN
  UPDATE devices SET
    min_free_percent = (SELECT min((v->>'freePercent')::double precision) FROM jsonb_array_elements(
      CASE WHEN jsonb_typeof(s->'volumes') = 'array' THEN s->'volumes' ELSE '[]'::jsonb END) v),
    disk_encryption = s->'security'->>'diskEncryption',
    firewall = s->'security'->>'firewall',
    reboot_required = (s->'security'->>'rebootRequired')::boolean
  WHERE id = NEW.device_id;
  RETURN NULL;
END $$;
CREATE TRIGGER snapshots_posture_insert AFTER INSERT ON snapshots FOR EACH ROW EXECUTE FUNCTION snapshots_posture();
CREATE TRIGGER snapshots_posture_update AFTER UPDATE OF snapshot ON snapshots FOR EACH ROW EXECUTE FUNCTION snapshots_posture();
`;

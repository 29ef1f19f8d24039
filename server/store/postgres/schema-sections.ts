// PostgreSQL migration 18 (SQLite's 18): a snapshot's sections other than software as rows per
// generation (shared/stored-sections.ts), the staged rest and pages moved into them, the posture
// columns written with the sections they come from instead of by a trigger on the snapshot's JSON,
// which is left empty; and how far the sweeper has compared a retired generation's sections.
export const SCHEMA_18_SECTIONS = `
CREATE TABLE snapshot_sections (
  device_id text NOT NULL REFERENCES devices(id) ON DELETE CASCADE,
  gen       bigint NOT NULL,
  section   text NOT NULL,
  ord       integer NOT NULL,
  body      text NOT NULL,
  PRIMARY KEY (device_id, gen, section, ord)
);
INSERT INTO snapshot_sections (device_id, gen, section, ord, body)
  SELECT s.device_id, s.software_gen, j.key, 0, j.value::text FROM snapshots s, jsonb_each(s.snapshot::jsonb) j
  WHERE j.key <> 'software' AND jsonb_typeof(j.value) IN ('object', 'array');
INSERT INTO snapshot_sections (device_id, gen, section, ord, body)
  SELECT r.device_id, r.first_seq, j.key, 0, j.value::text FROM snapshot_staging_rest r, jsonb_each(r.rest::jsonb) j
  WHERE j.key <> 'software' AND jsonb_typeof(j.value) IN ('object', 'array')
  ON CONFLICT (device_id, gen, section, ord) DO UPDATE SET body = excluded.body;
INSERT INTO snapshot_sections (device_id, gen, section, ord, body)
  SELECT p.device_id, p.first_seq, j.key, p.ord, j.value::text FROM snapshot_staging_pages p, jsonb_each(p.page::jsonb) j
  WHERE j.key <> 'software' AND jsonb_typeof(j.value) IN ('object', 'array')
  ON CONFLICT (device_id, gen, section, ord) DO UPDATE SET body = excluded.body;
DROP TRIGGER snapshots_posture_insert ON snapshots;
DROP TRIGGER snapshots_posture_update ON snapshots;
DROP FUNCTION snapshots_posture();
UPDATE snapshots SET snapshot = '{}';
DROP TABLE snapshot_staging_rest;
DROP TABLE snapshot_staging_pages;
ALTER TABLE software_garbage ADD COLUMN rest_from text;
`;

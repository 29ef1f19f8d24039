// PostgreSQL migrations after the consolidated first one, each carrying SQLite's number and making
// the same tables and columns as SQLite's migration of that number (sqlite/migrations.ts).

/** 12: software deployment: installer files by hash, packages, deployments, targets and their steps. */
export const SCHEMA_12_DEPLOY = `
CREATE TABLE package_files (
  sha256      text PRIMARY KEY,
  size        bigint NOT NULL,
  name        text NOT NULL,
  uploaded_at bigint NOT NULL,
  uploaded_by text NOT NULL
);
CREATE TABLE packages (
  id              text PRIMARY KEY,
  name            text NOT NULL,
  version         text,
  installer       text NOT NULL,
  file_sha256     text REFERENCES package_files(sha256),
  manager_package text,
  args            text NOT NULL,
  detection       text NOT NULL,
  platforms       text NOT NULL,
  self_service    boolean NOT NULL DEFAULT false,
  timeout_seconds integer NOT NULL,
  retries         integer NOT NULL,
  created_at      bigint NOT NULL,
  created_by      text NOT NULL,
  retired         boolean NOT NULL DEFAULT false
);
CREATE TABLE deployments (
  id         text PRIMARY KEY,
  package_id text NOT NULL REFERENCES packages(id),
  created_at bigint NOT NULL,
  created_by text NOT NULL,
  not_before bigint,
  not_after  bigint,
  ticket_id  bigint REFERENCES tickets(id) ON DELETE SET NULL
);
CREATE INDEX deployments_package ON deployments(package_id, created_at);
CREATE TABLE deployment_targets (
  deployment_id   text NOT NULL REFERENCES deployments(id) ON DELETE CASCADE,
  device_id       text NOT NULL REFERENCES devices(id) ON DELETE CASCADE,
  state           text NOT NULL DEFAULT 'pending',
  attempt         integer NOT NULL DEFAULT 0,
  last_step_seq   bigint NOT NULL DEFAULT 0,
  code            text,
  message         text,
  exit_code       bigint,
  reboot_required boolean,
  output_tail     text,
  updated_at      bigint NOT NULL,
  PRIMARY KEY (deployment_id, device_id)
);
CREATE INDEX deployment_targets_device ON deployment_targets(device_id, state);
CREATE TABLE deployment_steps (
  id              bigserial PRIMARY KEY,
  deployment_id   text NOT NULL,
  device_id       text NOT NULL,
  seq             bigint NOT NULL,
  state           text NOT NULL,
  attempt         integer NOT NULL,
  at              text NOT NULL,
  received_at     bigint NOT NULL,
  code            text,
  message         text,
  exit_code       bigint,
  reboot_required boolean,
  output_tail     text,
  FOREIGN KEY (deployment_id, device_id) REFERENCES deployment_targets(deployment_id, device_id) ON DELETE CASCADE,
  UNIQUE (device_id, seq)
);
CREATE INDEX deployment_steps_target ON deployment_steps(deployment_id, device_id, id);
`;

/** 13: ticket templates (a name unique in any case) and the filled template kept on a ticket. */
export const SCHEMA_13_TEMPLATES = `
CREATE TABLE ticket_templates (
  id         bigserial PRIMARY KEY,
  name       text NOT NULL,
  definition text NOT NULL,
  created_at bigint NOT NULL,
  updated_at bigint NOT NULL
);
CREATE UNIQUE INDEX ticket_templates_name ON ticket_templates(lower(name));
ALTER TABLE tickets ADD COLUMN template text;
`;

/** 14: the staged sections' digests, kept up to date part by part. */
export const SCHEMA_14_STAGING_DIGESTS = `ALTER TABLE snapshot_staging ADD COLUMN rest_digests text;`;

/** 15: the staged pages of the other sections as rows of their own, and the staged keys and counts. */
export const SCHEMA_15_STAGING_PAGES = `
ALTER TABLE snapshot_staging ADD COLUMN rest_keys text;
CREATE TABLE snapshot_staging_pages (
  device_id text NOT NULL REFERENCES devices(id) ON DELETE CASCADE,
  first_seq bigint NOT NULL,
  ord       integer NOT NULL,
  page      text NOT NULL,
  PRIMARY KEY (device_id, first_seq, ord)
);
`;

/** 16: self-service requests: the package a ticket asks for, the desk's answer, approved exceptions. */
export const SCHEMA_16_SOFTWARE_REQUESTS = `
ALTER TABLE tickets ADD COLUMN software_request text;
ALTER TABLE tickets ADD COLUMN approval text;
CREATE INDEX tickets_software_pending ON tickets(id) WHERE software_request IS NOT NULL AND approval IS NULL;
CREATE TABLE prohibited_exemptions (
  device_id  text NOT NULL REFERENCES devices(id) ON DELETE CASCADE,
  name       text NOT NULL,
  ticket_id  bigint,
  created_at bigint NOT NULL,
  PRIMARY KEY (device_id, name)
);
`;

// Versioned schema. Each migration runs once, in order, inside one transaction with the version bump;
// released migrations are never edited, only followed by new ones.
import type Database from 'better-sqlite3';

const MIGRATIONS: readonly string[] = [
  // 1: devices, their snapshots, software index, change history, enrolment tokens.
  `
  CREATE TABLE devices (
    id            TEXT PRIMARY KEY,
    install_id    TEXT NOT NULL,
    hostname      TEXT NOT NULL,
    serial        TEXT,
    uuid          TEXT,
    macs          TEXT NOT NULL DEFAULT '[]',
    secret_hash   BLOB NOT NULL,
    last_seq      INTEGER NOT NULL DEFAULT 0,
    digest        TEXT,
    needs_full    INTEGER NOT NULL DEFAULT 1,
    clone_of      TEXT REFERENCES devices(id) ON DELETE SET NULL,
    agent_version TEXT,
    manufacturer  TEXT,
    model         TEXT,
    os            TEXT,
    ip            TEXT,
    first_seen    INTEGER NOT NULL,
    last_seen     INTEGER NOT NULL
  );
  CREATE INDEX devices_install_id ON devices(install_id);
  CREATE INDEX devices_serial ON devices(serial COLLATE NOCASE) WHERE serial IS NOT NULL;
  CREATE INDEX devices_uuid ON devices(uuid) WHERE uuid IS NOT NULL;
  CREATE INDEX devices_hostname ON devices(hostname COLLATE NOCASE);

  -- Physical MACs only (virtual adapters never identify a machine), for matching.
  CREATE TABLE device_macs (
    mac       TEXT NOT NULL,
    device_id TEXT NOT NULL REFERENCES devices(id) ON DELETE CASCADE,
    PRIMARY KEY (mac, device_id)
  ) WITHOUT ROWID;
  CREATE INDEX device_macs_device ON device_macs(device_id);

  CREATE TABLE snapshots (
    device_id  TEXT PRIMARY KEY REFERENCES devices(id) ON DELETE CASCADE,
    snapshot   TEXT NOT NULL,
    updated_at INTEGER NOT NULL
  );

  CREATE TABLE software (
    device_id    TEXT NOT NULL REFERENCES devices(id) ON DELETE CASCADE,
    item_key     TEXT NOT NULL,
    name         TEXT NOT NULL,
    version      TEXT,
    publisher    TEXT,
    arch         TEXT,
    source       TEXT NOT NULL,
    scope        TEXT NOT NULL,
    user_name    TEXT,
    install_date TEXT,
    PRIMARY KEY (device_id, item_key)
  ) WITHOUT ROWID;
  CREATE INDEX software_name ON software(name COLLATE NOCASE, version);

  CREATE TABLE changes (
    id          INTEGER PRIMARY KEY AUTOINCREMENT,
    device_id   TEXT NOT NULL REFERENCES devices(id) ON DELETE CASCADE,
    at          TEXT NOT NULL,
    received_at INTEGER NOT NULL,
    trigger     TEXT NOT NULL,
    seq         INTEGER NOT NULL,
    section     TEXT NOT NULL,
    added       TEXT NOT NULL,
    removed     TEXT NOT NULL,
    changed     TEXT NOT NULL
  );
  CREATE INDEX changes_device ON changes(device_id, id);

  CREATE TABLE enrolment_tokens (
    hash       BLOB PRIMARY KEY,
    created_at INTEGER NOT NULL,
    expires_at INTEGER,
    uses_left  INTEGER,
    revoked    INTEGER NOT NULL DEFAULT 0
  );
  `,
  // 2: tickets raised at endpoints, their notes and files, and technicians' worklogs.
  `
  -- The id is the ticket number people quote; AUTOINCREMENT so that a number is never reused.
  CREATE TABLE tickets (
    id                   INTEGER PRIMARY KEY AUTOINCREMENT,
    device_id            TEXT REFERENCES devices(id) ON DELETE SET NULL,
    ref                  TEXT NOT NULL,
    subject              TEXT NOT NULL,
    description          TEXT NOT NULL,
    priority             TEXT NOT NULL,
    category             TEXT,
    status               TEXT NOT NULL,
    requester            TEXT NOT NULL,
    requester_account    TEXT NOT NULL,
    device               TEXT NOT NULL,
    hostname             TEXT NOT NULL,
    attachments_expected INTEGER NOT NULL DEFAULT 0,
    created_at           INTEGER NOT NULL,
    received_at          INTEGER NOT NULL,
    updated_at           INTEGER NOT NULL,
    -- The last change the requester can see (internal notes do not move it).
    public_updated_at    INTEGER NOT NULL,
    closed_at            INTEGER,
    UNIQUE (device_id, ref)
  );
  CREATE INDEX tickets_status ON tickets(status, id);

  CREATE TABLE ticket_notes (
    seq           INTEGER PRIMARY KEY AUTOINCREMENT,
    ticket_id     INTEGER NOT NULL REFERENCES tickets(id) ON DELETE CASCADE,
    note_id       TEXT NOT NULL,
    author        TEXT NOT NULL,
    text          TEXT NOT NULL,
    visibility    TEXT NOT NULL CHECK (visibility IN ('customer', 'internal')),
    from_endpoint INTEGER NOT NULL,
    at            INTEGER NOT NULL,
    UNIQUE (ticket_id, note_id)
  );

  -- Files live in the database so that they commit in the same transaction as the batch that
  -- carried them: no orphan files after a crash, no row without its file.
  CREATE TABLE ticket_attachments (
    id         INTEGER PRIMARY KEY AUTOINCREMENT,
    ticket_id  INTEGER NOT NULL REFERENCES tickets(id) ON DELETE CASCADE,
    name       TEXT NOT NULL,
    type       TEXT NOT NULL,
    size       INTEGER NOT NULL,
    sha256     TEXT NOT NULL,
    screenshot INTEGER NOT NULL,
    content    BLOB NOT NULL,
    created_at INTEGER NOT NULL,
    UNIQUE (ticket_id, sha256, name)
  );

  CREATE TABLE worklogs (
    id          INTEGER PRIMARY KEY AUTOINCREMENT,
    ticket_id   INTEGER NOT NULL REFERENCES tickets(id) ON DELETE CASCADE,
    device_id   TEXT REFERENCES devices(id) ON DELETE SET NULL,
    ref         TEXT NOT NULL,
    technician  TEXT NOT NULL,
    start_at    TEXT NOT NULL,
    end_at      TEXT NOT NULL,
    minutes     INTEGER NOT NULL,
    description TEXT NOT NULL,
    recorded_at INTEGER NOT NULL,
    UNIQUE (device_id, ref)
  );
  CREATE INDEX worklogs_ticket ON worklogs(ticket_id, id);
  `,
  // The service-desk sync queue. Jobs are written in the transaction of the endpoint data they
  // come from; key is the job's idempotency key (one ticket, one desk ticket). revision counts
  // re-enqueues of a coalescing job (an asset) so that finishing an older run does not drop a newer one.
  `
  CREATE TABLE desk_jobs (
    id         INTEGER PRIMARY KEY AUTOINCREMENT,
    kind       TEXT NOT NULL,
    key        TEXT NOT NULL UNIQUE,
    payload    TEXT NOT NULL,
    state      TEXT NOT NULL CHECK (state IN ('queued', 'done', 'failed')),
    attempts   INTEGER NOT NULL DEFAULT 0,
    revision   INTEGER NOT NULL DEFAULT 0,
    next_at    INTEGER NOT NULL,
    last_error TEXT,
    created_at INTEGER NOT NULL,
    updated_at INTEGER NOT NULL
  );
  CREATE INDEX desk_jobs_due ON desk_jobs(state, next_at, id);

  -- An Outpost entity (ticket id, device id, ...) and the desk record it became.
  CREATE TABLE desk_links (
    kind       TEXT NOT NULL,
    outpost_id TEXT NOT NULL,
    desk_id    TEXT NOT NULL,
    PRIMARY KEY (kind, outpost_id)
  );
  CREATE INDEX desk_links_desk ON desk_links(kind, desk_id);

  CREATE TABLE desk_state (key TEXT PRIMARY KEY, value TEXT NOT NULL);
  `,
  // 4: the web console: admins and their sessions; what the devices list searches, filters and sorts
  // by; enrolment tokens that can be listed and revoked; prohibited patterns added in the console.
  `
  CREATE TABLE admins (
    username      TEXT PRIMARY KEY COLLATE NOCASE,
    password_hash TEXT NOT NULL,
    created_at    INTEGER NOT NULL,
    updated_at    INTEGER NOT NULL
  );

  -- The cookie carries a random session id; only its sha256 is kept, like every other secret here.
  CREATE TABLE admin_sessions (
    id_hash    BLOB PRIMARY KEY,
    username   TEXT NOT NULL REFERENCES admins(username) ON DELETE CASCADE,
    csrf_token TEXT NOT NULL,
    created_at INTEGER NOT NULL,
    expires_at INTEGER NOT NULL
  );
  CREATE INDEX admin_sessions_expiry ON admin_sessions(expires_at);

  -- Logged-on user names, comma-joined, kept with the other display columns for search and sort.
  ALTER TABLE devices ADD COLUMN users TEXT NOT NULL DEFAULT '';
  -- Whether an agent connection is open now; the server clears it when it starts.
  ALTER TABLE devices ADD COLUMN online INTEGER NOT NULL DEFAULT 0;
  CREATE INDEX devices_last_seen ON devices(last_seen);
  UPDATE devices SET users = coalesce((
    SELECT group_concat(json_extract(u.value, '$.name'), ',')
    FROM snapshots s, json_each(s.snapshot, '$.users') u WHERE s.device_id = devices.id), '');

  ALTER TABLE enrolment_tokens ADD COLUMN id TEXT;
  ALTER TABLE enrolment_tokens ADD COLUMN label TEXT;
  ALTER TABLE enrolment_tokens ADD COLUMN used INTEGER NOT NULL DEFAULT 0;
  UPDATE enrolment_tokens SET id = lower(hex(randomblob(8))) WHERE id IS NULL;
  CREATE UNIQUE INDEX enrolment_tokens_id ON enrolment_tokens(id);

  CREATE TABLE prohibited_software (
    pattern    TEXT PRIMARY KEY COLLATE NOCASE,
    created_at INTEGER NOT NULL
  );
  `,
  // 5: the console's fleet views. The OS platform as the devices list filters it, without parsing
  // the os JSON in the filter; and one row per package name across the fleet (device and version
  // counts, the first publisher reported), which triggers mark dirty whenever a software row of that
  // name changes and the store recounts on read, so that the fleet software list never aggregates
  // millions of rows per request.
  `
  ALTER TABLE devices ADD COLUMN platform TEXT GENERATED ALWAYS AS (
    CASE json_extract(os, '$.platform') WHEN 'linux' THEN 'linux' WHEN 'darwin' THEN 'darwin' WHEN 'win32' THEN 'windows' ELSE 'other' END
  ) VIRTUAL;

  CREATE TABLE software_names (
    name      TEXT PRIMARY KEY COLLATE NOCASE,
    publisher TEXT,
    devices   INTEGER NOT NULL DEFAULT 0,
    versions  INTEGER NOT NULL DEFAULT 0,
    dirty     INTEGER NOT NULL DEFAULT 1
  );
  CREATE INDEX software_names_dirty ON software_names(dirty) WHERE dirty = 1;
  INSERT INTO software_names (name, publisher, devices, versions, dirty)
    SELECT name, max(publisher), COUNT(DISTINCT device_id), COUNT(DISTINCT version), 0 FROM software GROUP BY name COLLATE NOCASE;

  CREATE TRIGGER software_names_insert AFTER INSERT ON software BEGIN
    INSERT INTO software_names (name, publisher) VALUES (new.name, new.publisher)
    ON CONFLICT(name) DO UPDATE SET dirty = 1, publisher = coalesce(publisher, excluded.publisher)
    WHERE dirty = 0 OR (publisher IS NULL AND excluded.publisher IS NOT NULL);
  END;
  CREATE TRIGGER software_names_delete AFTER DELETE ON software BEGIN
    UPDATE software_names SET dirty = 1 WHERE name = old.name AND dirty = 0;
  END;
  CREATE TRIGGER software_names_update AFTER UPDATE ON software BEGIN
    UPDATE software_names SET dirty = 1 WHERE name IN (old.name, new.name) AND dirty = 0;
    INSERT INTO software_names (name, publisher) VALUES (new.name, new.publisher) ON CONFLICT(name) DO NOTHING;
  END;
  `,
  // 6: protocol 2. A device's software lives only in its table (a one-package delta reads and writes
  // one row, not the whole list); the snapshot row keeps the other sections, the per-section digests
  // (shared/digest.ts) and the software count the limits are checked against. The digest changed
  // meaning, so every device sends a full snapshot once, which also fills in the new digests.
  `
  ALTER TABLE snapshots ADD COLUMN digests TEXT;
  ALTER TABLE snapshots ADD COLUMN software_count INTEGER NOT NULL DEFAULT 0;
  UPDATE snapshots SET snapshot = json_remove(snapshot, '$.software'),
    software_count = (SELECT COUNT(*) FROM software s WHERE s.device_id = snapshots.device_id);
  UPDATE devices SET digest = NULL, needs_full = 1 WHERE id IN (SELECT device_id FROM snapshots);
  `,
  // 7: enrolment identity. A device enrolled on weak hints is new and flagged as a possible duplicate
  // (of which device, and why) until IT merges it; a merged device's id keeps working for its agent
  // as an alias; continuations and merges are recorded per device.
  `
  ALTER TABLE devices ADD COLUMN duplicate_of TEXT REFERENCES devices(id) ON DELETE SET NULL;
  ALTER TABLE devices ADD COLUMN duplicate_reason TEXT;

  CREATE TABLE device_aliases (
    alias     TEXT PRIMARY KEY,
    device_id TEXT NOT NULL REFERENCES devices(id) ON DELETE CASCADE
  ) WITHOUT ROWID;

  CREATE TABLE device_events (
    id        INTEGER PRIMARY KEY AUTOINCREMENT,
    device_id TEXT NOT NULL REFERENCES devices(id) ON DELETE CASCADE,
    at        INTEGER NOT NULL,
    kind      TEXT NOT NULL,
    detail    TEXT NOT NULL
  );
  CREATE INDEX device_events_device ON device_events(device_id, id);
  `,
  // 8: a desk job for a ticket operation is named as the agent protocol names it (one spelling per
  // operation, server/README.md). Keys stay as they were, so no queued job is made twice.
  `
  UPDATE desk_jobs SET kind = CASE kind WHEN 'ticket' THEN 'ticket.create' WHEN 'note' THEN 'ticket.note'
    WHEN 'close' THEN 'ticket.close' WHEN 'status' THEN 'ticket.status' ELSE kind END;
  `,
  // 9: inventory breadth (issue 18). What the devices list filters by, kept on the device row by a
  // trigger on its snapshot row (so the ingest path writes nothing new): the lowest free percent of
  // its volumes, its disk encryption, firewall and reboot-required state; NULL = not reported.
  `
  ALTER TABLE devices ADD COLUMN min_free_percent INTEGER;
  ALTER TABLE devices ADD COLUMN disk_encryption TEXT;
  ALTER TABLE devices ADD COLUMN firewall TEXT;
  ALTER TABLE devices ADD COLUMN reboot_required INTEGER;
  CREATE INDEX devices_min_free_percent ON devices(min_free_percent);

  CREATE TRIGGER snapshots_posture_insert AFTER INSERT ON snapshots BEGIN
    UPDATE devices SET
      min_free_percent = (SELECT min(json_extract(v.value, '$.freePercent')) FROM json_each(NEW.snapshot, '$.volumes') v),
      disk_encryption = json_extract(NEW.snapshot, '$.security.diskEncryption'),
      firewall = json_extract(NEW.snapshot, '$.security.firewall'),
      reboot_required = json_extract(NEW.snapshot, '$.security.rebootRequired')
    WHERE id = NEW.device_id;
  END;
  CREATE TRIGGER snapshots_posture_update AFTER UPDATE OF snapshot ON snapshots BEGIN
    UPDATE devices SET
      min_free_percent = (SELECT min(json_extract(v.value, '$.freePercent')) FROM json_each(NEW.snapshot, '$.volumes') v),
      disk_encryption = json_extract(NEW.snapshot, '$.security.diskEncryption'),
      firewall = json_extract(NEW.snapshot, '$.security.firewall'),
      reboot_required = json_extract(NEW.snapshot, '$.security.rebootRequired')
    WHERE id = NEW.device_id;
  END;

  UPDATE devices SET
    min_free_percent = (SELECT min(json_extract(v.value, '$.freePercent')) FROM snapshots s, json_each(s.snapshot, '$.volumes') v WHERE s.device_id = devices.id),
    disk_encryption = (SELECT json_extract(s.snapshot, '$.security.diskEncryption') FROM snapshots s WHERE s.device_id = devices.id),
    firewall = (SELECT json_extract(s.snapshot, '$.security.firewall') FROM snapshots s WHERE s.device_id = devices.id),
    reboot_required = (SELECT json_extract(s.snapshot, '$.security.rebootRequired') FROM snapshots s WHERE s.device_id = devices.id);
  `,
  // 10: console users and a device's work. Every account gets a role (existing ones stay admins) and
  // says whether it is a local account or a desk technician (checked against the desk at sign-in, and
  // counted against the seat limit); console settings (desk sign-in, seats); the desk queue IT chose
  // for a ticket raised from the console; every status change of a ticket, for the device's logbook.
  `
  ALTER TABLE admins ADD COLUMN role TEXT NOT NULL DEFAULT 'admin' CHECK (role IN ('read-only', 'operator', 'admin'));
  ALTER TABLE admins ADD COLUMN source TEXT NOT NULL DEFAULT 'local' CHECK (source IN ('local', 'desk'));
  CREATE TABLE console_settings (key TEXT PRIMARY KEY, value TEXT NOT NULL);

  ALTER TABLE tickets ADD COLUMN desk_queue TEXT;
  ALTER TABLE tickets ADD COLUMN raised_by TEXT;
  CREATE INDEX tickets_device ON tickets(device_id, id);

  CREATE TABLE ticket_events (
    id        INTEGER PRIMARY KEY AUTOINCREMENT,
    ticket_id INTEGER NOT NULL REFERENCES tickets(id) ON DELETE CASCADE,
    at        INTEGER NOT NULL,
    kind      TEXT NOT NULL,
    detail    TEXT NOT NULL
  );
  CREATE INDEX ticket_events_ticket ON ticket_events(ticket_id, id);
  -- The logbook finds a device's desk jobs by what they carry, not by scanning the queue.
  CREATE INDEX desk_jobs_device ON desk_jobs(json_extract(payload, '$.deviceId'));
  CREATE INDEX desk_jobs_ticket ON desk_jobs(json_extract(payload, '$.ticketId'));
  -- Whoever changes a status (the console, the desk, the endpoint closing or reopening), it is kept.
  CREATE TRIGGER ticket_status_events AFTER UPDATE OF status ON tickets WHEN old.status <> new.status BEGIN
    INSERT INTO ticket_events (ticket_id, at, kind, detail)
      VALUES (new.id, new.updated_at, 'status', json_object('from', old.status, 'to', new.status));
  END;
  `,
  // 11: protocol 3, snapshots in parts. Software rows carry a generation (the first seq of the
  // snapshot they came with); the live one is snapshots.software_gen and the view `software` shows
  // only it, so readers never see a snapshot being staged. The swap at the last part moves the
  // pointer; the old generation goes to software_garbage, which the sweeper deletes in small steps
  // (server/store/sqlite/software-sweep.ts).
  `
  CREATE TABLE software_rows (
    device_id    TEXT NOT NULL REFERENCES devices(id) ON DELETE CASCADE,
    gen          INTEGER NOT NULL DEFAULT 0,
    item_key     TEXT NOT NULL,
    name         TEXT NOT NULL,
    version      TEXT,
    publisher    TEXT,
    arch         TEXT,
    source       TEXT NOT NULL,
    scope        TEXT NOT NULL,
    user_name    TEXT,
    install_date TEXT,
    PRIMARY KEY (device_id, gen, item_key)
  ) WITHOUT ROWID;
  INSERT INTO software_rows (device_id, gen, item_key, name, version, publisher, arch, source, scope, user_name, install_date)
    SELECT device_id, 0, item_key, name, version, publisher, arch, source, scope, user_name, install_date FROM software;
  DROP TABLE software;
  CREATE INDEX software_name ON software_rows(name COLLATE NOCASE, version);
  ALTER TABLE snapshots ADD COLUMN software_gen INTEGER NOT NULL DEFAULT 0;
  CREATE VIEW software AS
    SELECT r.device_id, r.item_key, r.name, r.version, r.publisher, r.arch, r.source, r.scope, r.user_name, r.install_date
    FROM software_rows r JOIN snapshots s ON s.device_id = r.device_id AND s.software_gen = r.gen;

  CREATE TRIGGER software_names_insert AFTER INSERT ON software_rows BEGIN
    INSERT INTO software_names (name, publisher) VALUES (new.name, new.publisher)
    ON CONFLICT(name) DO UPDATE SET dirty = 1, publisher = coalesce(publisher, excluded.publisher)
    WHERE dirty = 0 OR (publisher IS NULL AND excluded.publisher IS NOT NULL);
  END;
  CREATE TRIGGER software_names_delete AFTER DELETE ON software_rows BEGIN
    UPDATE software_names SET dirty = 1 WHERE name = old.name AND dirty = 0;
  END;
  CREATE TRIGGER software_names_update AFTER UPDATE ON software_rows BEGIN
    UPDATE software_names SET dirty = 1 WHERE name IN (old.name, new.name) AND dirty = 0;
    INSERT INTO software_names (name, publisher) VALUES (new.name, new.publisher) ON CONFLICT(name) DO NOTHING;
  END;
  CREATE TABLE snapshot_staging (
    device_id      TEXT PRIMARY KEY REFERENCES devices(id) ON DELETE CASCADE,
    first_seq      INTEGER NOT NULL,
    part_count     INTEGER NOT NULL,
    digest         TEXT NOT NULL,
    trigger        TEXT NOT NULL,
    received       TEXT NOT NULL,
    software_sum   TEXT NOT NULL,
    software_count INTEGER NOT NULL
  ) WITHOUT ROWID;
  -- The staged sections other than software (up to megabytes), apart from the small row every part
  -- rewrites: read and written only by the parts that carry them and by the last one.
  CREATE TABLE snapshot_staging_rest (
    device_id TEXT PRIMARY KEY REFERENCES devices(id) ON DELETE CASCADE,
    first_seq INTEGER NOT NULL,
    rest      TEXT NOT NULL
  );
  CREATE TABLE staged_changes (
    device_id TEXT NOT NULL REFERENCES devices(id) ON DELETE CASCADE,
    gen       INTEGER NOT NULL,
    part      INTEGER NOT NULL,
    added     TEXT NOT NULL,
    changed   TEXT NOT NULL,
    PRIMARY KEY (device_id, gen, part)
  ) WITHOUT ROWID;
  CREATE TABLE software_garbage (
    device_id   TEXT NOT NULL,
    gen         INTEGER NOT NULL,
    replaced_by INTEGER,
    seq         INTEGER,
    at          TEXT,
    trigger     TEXT,
    -- A swap changes which rows the view shows: the sweeper marks the new generation's names for
    -- recounting (from this key on) before it deletes the old generation, whose deletes mark theirs.
    mark_from   TEXT,
    PRIMARY KEY (device_id, gen)
  ) WITHOUT ROWID;
  `,
  // 12: software deployment (issue 16). Installer files by content hash (the bytes live on disk under
  // the data directory, server/deploy/package-files.ts), the packages IT defined over them or over a
  // package the OS's manager installs, deployments of a package to devices, each device's state in
  // each deployment, and every step its agent reported (unique by the outbox seq that carried it, so
  // a redelivered step is recorded once).
  `
  CREATE TABLE package_files (
    sha256      TEXT PRIMARY KEY,
    size        INTEGER NOT NULL,
    name        TEXT NOT NULL,
    uploaded_at INTEGER NOT NULL,
    uploaded_by TEXT NOT NULL
  ) WITHOUT ROWID;
  CREATE TABLE packages (
    id              TEXT PRIMARY KEY,
    name            TEXT NOT NULL,
    version         TEXT,
    installer       TEXT NOT NULL,
    file_sha256     TEXT REFERENCES package_files(sha256),
    manager_package TEXT,
    args            TEXT NOT NULL,
    detection       TEXT NOT NULL,
    platforms       TEXT NOT NULL,
    self_service    INTEGER NOT NULL DEFAULT 0,
    timeout_seconds INTEGER NOT NULL,
    retries         INTEGER NOT NULL,
    created_at      INTEGER NOT NULL,
    created_by      TEXT NOT NULL,
    retired         INTEGER NOT NULL DEFAULT 0
  );
  CREATE TABLE deployments (
    id          TEXT PRIMARY KEY,
    package_id  TEXT NOT NULL REFERENCES packages(id),
    created_at  INTEGER NOT NULL,
    created_by  TEXT NOT NULL,
    not_before  INTEGER,
    not_after   INTEGER,
    ticket_id   INTEGER REFERENCES tickets(id) ON DELETE SET NULL
  );
  CREATE INDEX deployments_package ON deployments(package_id, created_at);
  CREATE TABLE deployment_targets (
    deployment_id   TEXT NOT NULL REFERENCES deployments(id) ON DELETE CASCADE,
    device_id       TEXT NOT NULL REFERENCES devices(id) ON DELETE CASCADE,
    state           TEXT NOT NULL DEFAULT 'pending',
    attempt         INTEGER NOT NULL DEFAULT 0,
    last_step_seq   INTEGER NOT NULL DEFAULT 0,
    code            TEXT,
    message         TEXT,
    exit_code       INTEGER,
    reboot_required INTEGER,
    output_tail     TEXT,
    updated_at      INTEGER NOT NULL,
    PRIMARY KEY (deployment_id, device_id)
  ) WITHOUT ROWID;
  CREATE INDEX deployment_targets_device ON deployment_targets(device_id, state);
  CREATE TABLE deployment_steps (
    id              INTEGER PRIMARY KEY AUTOINCREMENT,
    deployment_id   TEXT NOT NULL,
    device_id       TEXT NOT NULL,
    seq             INTEGER NOT NULL,
    state           TEXT NOT NULL,
    attempt         INTEGER NOT NULL,
    at              TEXT NOT NULL,
    received_at     INTEGER NOT NULL,
    code            TEXT,
    message         TEXT,
    exit_code       INTEGER,
    reboot_required INTEGER,
    output_tail     TEXT,
    FOREIGN KEY (deployment_id, device_id) REFERENCES deployment_targets(deployment_id, device_id) ON DELETE CASCADE,
    UNIQUE (device_id, seq)
  );
  CREATE INDEX deployment_steps_target ON deployment_steps(deployment_id, device_id, id);
  `,
  // 13: ticket templates managed in the console
  // (name, hint, typed fields and the desk categorisation, as JSON) and the filled template a ticket
  // was raised with, kept on the ticket as the endpoint sent it.
  `
  CREATE TABLE ticket_templates (
    id         INTEGER PRIMARY KEY AUTOINCREMENT,
    name       TEXT NOT NULL UNIQUE COLLATE NOCASE,
    definition TEXT NOT NULL,
    created_at INTEGER NOT NULL,
    updated_at INTEGER NOT NULL
  );
  ALTER TABLE tickets ADD COLUMN template TEXT;
  `,
  // 14: the staged sections' digests, kept up to date part by part (server/ingest/plan-parts.ts), so the
  // last part of a snapshot does not hash every section again. NULL: computed at the swap.
  `ALTER TABLE snapshot_staging ADD COLUMN rest_digests TEXT;`,
  // 15: each page of the staged other sections (a part's `more`) as a row of its own, and the staged
  // keys (hashed) and counts on the staging row, so a part writes only its page instead of reading and
  // rewriting every page before it (server/ingest/plan-parts.ts). NULL keys: worked out from the pages.
  `
  ALTER TABLE snapshot_staging ADD COLUMN rest_keys TEXT;
  CREATE TABLE snapshot_staging_pages (
    device_id TEXT NOT NULL REFERENCES devices(id) ON DELETE CASCADE,
    first_seq INTEGER NOT NULL,
    ord       INTEGER NOT NULL,
    page      TEXT NOT NULL,
    PRIMARY KEY (device_id, first_seq, ord)
  );
  `,
  // 16: self-service requests (shared/self-service.ts): which package a ticket asks for, the desk's
  // answer, and the devices an approved exception lets keep a prohibited name.
  `
  ALTER TABLE tickets ADD COLUMN software_request TEXT;  -- JSON SoftwareRequest; NULL for a plain ticket
  ALTER TABLE tickets ADD COLUMN approval TEXT;          -- JSON SoftwareApproval; NULL while pending
  CREATE INDEX tickets_software_pending ON tickets(id) WHERE software_request IS NOT NULL AND approval IS NULL;
  CREATE TABLE prohibited_exemptions (
    device_id  TEXT NOT NULL REFERENCES devices(id) ON DELETE CASCADE,
    name       TEXT NOT NULL COLLATE NOCASE,
    ticket_id  INTEGER,
    created_at INTEGER NOT NULL,
    PRIMARY KEY (device_id, name)
  );
  `,
  // 17 (issue 15; softrows' 18, renumbered at merge): software normalised. A package's identity is
  // stored once for the fleet (software_keys: what the item key names; software_packages: a key at a
  // version from a publisher, '' for absent) and a device's row holds ids: its number
  // (software_devices), the generation, the key, the package and the install date, so 10,000 devices
  // with one browser version store its texts once. Identities are never deleted (the batch keeps the
  // ids it has seen in memory, server/store/sqlite/software-rows.ts). The view `software` and the
  // fleet's name triggers read through the ids (inserted rows' names are marked by the store in one
  // statement, not a trigger); the sweeper's name cursor becomes a key id.
  `
  CREATE TABLE software_devices (
    num       INTEGER PRIMARY KEY,
    device_id TEXT NOT NULL UNIQUE REFERENCES devices(id) ON DELETE CASCADE
  );
  CREATE TABLE software_keys (
    id        INTEGER PRIMARY KEY,
    item_key  TEXT NOT NULL UNIQUE,
    name      TEXT NOT NULL,
    arch      TEXT,
    source    TEXT NOT NULL,
    scope     TEXT NOT NULL,
    user_name TEXT
  );
  CREATE INDEX software_keys_name ON software_keys(name COLLATE NOCASE);
  CREATE TABLE software_packages (
    id        INTEGER PRIMARY KEY,
    key_id    INTEGER NOT NULL REFERENCES software_keys(id),
    version   TEXT NOT NULL,
    publisher TEXT NOT NULL,
    UNIQUE (key_id, version, publisher)
  );
  CREATE TABLE device_software (
    device_num   INTEGER NOT NULL REFERENCES software_devices(num) ON DELETE CASCADE,
    gen          INTEGER NOT NULL,
    key_id       INTEGER NOT NULL,
    package_id   INTEGER NOT NULL,
    install_date TEXT,
    PRIMARY KEY (device_num, gen, key_id)
  ) WITHOUT ROWID;

  INSERT INTO software_devices (device_id) SELECT DISTINCT device_id FROM software_rows ORDER BY device_id;
  INSERT INTO software_keys (item_key, name, arch, source, scope, user_name)
    SELECT item_key, name, arch, source, scope, user_name FROM software_rows GROUP BY item_key;
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

  -- No insert trigger: a per-row trigger cost ~4 us a row (3.4 of 4.3 ms for a snapshot's rows); the
  -- store marks the names of the rows it inserts in one statement (software-rows.ts, MARK_NAMES).
  CREATE TRIGGER software_names_delete AFTER DELETE ON device_software BEGIN
    UPDATE software_names SET dirty = 1 WHERE name = (SELECT name FROM software_keys WHERE id = old.key_id) AND dirty = 0;
  END;
  CREATE TRIGGER software_names_update AFTER UPDATE ON device_software BEGIN
    UPDATE software_names SET dirty = 1 WHERE name IN (SELECT name FROM software_keys WHERE id IN (old.key_id, new.key_id)) AND dirty = 0;
    INSERT INTO software_names (name, publisher)
      SELECT k.name, nullif(p.publisher, '') FROM software_keys k, software_packages p WHERE k.id = new.key_id AND p.id = new.package_id
    ON CONFLICT(name) DO NOTHING;
  END;
  -- The name-marking cursor was an item key; it starts again at the first key id (marking twice is harmless).
  UPDATE software_garbage SET mark_from = '' WHERE mark_from IS NOT NULL;
  `,
  // 18: a snapshot's sections other than software as rows per generation (shared/stored-sections.ts):
  // each section of part 0 and each page of a later part is a row of the staged generation, so the
  // swap at the last part moves snapshots.software_gen (now the generation of every section) instead
  // of joining and rewriting megabytes; the sweeper records what changed in the other sections a
  // section a step (rest_from) when it retires a generation. The snapshot row's JSON is left empty;
  // the posture columns are written with the sections they come from (the triggers read that JSON).
  `
  CREATE TABLE snapshot_sections (
    device_id TEXT NOT NULL REFERENCES devices(id) ON DELETE CASCADE,
    gen       INTEGER NOT NULL,
    section   TEXT NOT NULL,
    ord       INTEGER NOT NULL,
    body      TEXT NOT NULL,
    PRIMARY KEY (device_id, gen, section, ord)
  ) WITHOUT ROWID;
  INSERT INTO snapshot_sections (device_id, gen, section, ord, body)
    SELECT s.device_id, s.software_gen, j.key, 0, j.value FROM snapshots s, json_each(s.snapshot) j
    WHERE j.key <> 'software' AND j.type IN ('object', 'array');
  INSERT OR REPLACE INTO snapshot_sections (device_id, gen, section, ord, body)
    SELECT r.device_id, r.first_seq, j.key, 0, j.value FROM snapshot_staging_rest r, json_each(r.rest) j
    WHERE j.key <> 'software' AND j.type IN ('object', 'array');
  INSERT OR REPLACE INTO snapshot_sections (device_id, gen, section, ord, body)
    SELECT p.device_id, p.first_seq, j.key, p.ord, j.value FROM snapshot_staging_pages p, json_each(p.page) j
    WHERE j.key <> 'software' AND j.type IN ('object', 'array');
  DROP TRIGGER snapshots_posture_insert;
  DROP TRIGGER snapshots_posture_update;
  UPDATE snapshots SET snapshot = '{}';
  DROP TABLE snapshot_staging_rest;
  DROP TABLE snapshot_staging_pages;
  ALTER TABLE software_garbage ADD COLUMN rest_from TEXT;
  `,
  // 19: the sections of a retired generation a batch compared ahead of the sweeper (rest-sweep.ts),
  // because it was about to rewrite them in the live generation: the sweeper skips them.
  `ALTER TABLE software_garbage ADD COLUMN rest_ahead TEXT;`,
  // 20 (issue 15): the fleet software counts kept on write (server/store/fleet-counts.ts). Per name the
  // devices and distinct versions (software_names, no longer marked dirty and recounted on read), and
  // per name (lower case) and version how many live rows the fleet has (software_name_versions), both
  // changed by each write in its transaction; filled here from the live rows. The name-marking
  // triggers and the sweeper's marking cursor go. The key index also names the package, so that the
  // identity collector finds a package no row names with one index probe.
  `
  DROP TRIGGER IF EXISTS software_names_insert;
  DROP TRIGGER IF EXISTS software_names_delete;
  DROP TRIGGER IF EXISTS software_names_update;
  DROP INDEX IF EXISTS software_names_dirty;
  ALTER TABLE software_names DROP COLUMN dirty;
  UPDATE software_garbage SET mark_from = NULL;
  CREATE TABLE software_name_versions (
    name    TEXT NOT NULL,
    version TEXT NOT NULL,
    rows    INTEGER NOT NULL,
    PRIMARY KEY (name, version)
  ) WITHOUT ROWID;
  INSERT INTO software_name_versions (name, version, rows)
    SELECT lower(k.name), p.version, COUNT(*)
    FROM snapshots s JOIN software_devices d ON d.device_id = s.device_id
    JOIN device_software r ON r.device_num = d.num AND r.gen = s.software_gen
    JOIN software_keys k ON k.id = r.key_id JOIN software_packages p ON p.id = r.package_id
    GROUP BY 1, 2;
  CREATE TEMP TABLE fleet_counted AS
    SELECT lower(name) AS key, min(name) AS name, max(publisher) AS publisher, COUNT(DISTINCT device_id) AS devices,
      COUNT(DISTINCT version) AS versions
    FROM software GROUP BY 1;
  DELETE FROM software_names WHERE lower(name) NOT IN (SELECT key FROM fleet_counted);
  INSERT INTO software_names (name, publisher, devices, versions)
    SELECT name, publisher, devices, versions FROM fleet_counted WHERE true
  ON CONFLICT(name) DO UPDATE SET devices = excluded.devices, versions = excluded.versions,
    publisher = coalesce(publisher, excluded.publisher);
  DROP TABLE fleet_counted;
  DROP INDEX device_software_key;
  CREATE INDEX device_software_key ON device_software(key_id, package_id);
  `,
];

export const SCHEMA_VERSION = MIGRATIONS.length;

/** Brings the schema up to `target` (the latest; tests build older databases with a lower one). */
export function migrate(db: Database.Database, target: number = SCHEMA_VERSION): void {
  db.exec('CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT NOT NULL)');
  // IMMEDIATE: a second process opening the same file (the CLI's token command) waits instead of racing.
  db.transaction(() => {
    const row = db.prepare("SELECT value FROM meta WHERE key = 'schema_version'").get() as { value: string } | undefined;
    const current = row ? Number(row.value) : 0;
    if (current > SCHEMA_VERSION) {
      throw new Error(`The database schema is version ${current}; this server knows up to ${SCHEMA_VERSION}. Upgrade Outpost.`);
    }
    if (current >= target) return;
    for (let v = current; v < target; v++) db.exec(MIGRATIONS[v]!);
    db.prepare("INSERT INTO meta (key, value) VALUES ('schema_version', ?) ON CONFLICT(key) DO UPDATE SET value = excluded.value").run(
      String(target),
    );
  }).immediate();
}

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
];

export const SCHEMA_VERSION = MIGRATIONS.length;

export function migrate(db: Database.Database): void {
  db.exec('CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT NOT NULL)');
  // IMMEDIATE: a second process opening the same file (the CLI's token command) waits instead of racing.
  db.transaction(() => {
    const row = db.prepare("SELECT value FROM meta WHERE key = 'schema_version'").get() as { value: string } | undefined;
    const current = row ? Number(row.value) : 0;
    if (current > SCHEMA_VERSION) {
      throw new Error(`The database schema is version ${current}; this server knows up to ${SCHEMA_VERSION}. Upgrade Outpost.`);
    }
    for (let v = current; v < SCHEMA_VERSION; v++) db.exec(MIGRATIONS[v]!);
    db.prepare("INSERT INTO meta (key, value) VALUES ('schema_version', ?) ON CONFLICT(key) DO UPDATE SET value = excluded.value").run(String(SCHEMA_VERSION));
  }).immediate();
}

//! The store's SQL schema and its forward migrations. `PRAGMA user_version` holds the version;
//! each step runs in its own `BEGIN IMMEDIATE` transaction and re-reads the version inside it,
//! so two processes opening an old store at once migrate it exactly once.

use rusqlite::{Connection, TransactionBehavior};

/// The newest schema this code knows. A store with a higher `user_version` was written by a
/// newer orch and is refused rather than misread.
pub(crate) const LATEST: u32 = 3;

/// Version 1: jobs, their nodes (one row per node, updated as events arrive) and the event log
/// (append-only; rowid order is arrival order).
pub(crate) const V1: &str = "
CREATE TABLE jobs (
    id          INTEGER PRIMARY KEY AUTOINCREMENT, -- AUTOINCREMENT: ids are never reused
    state       TEXT    NOT NULL,
    environment TEXT    NOT NULL,
    target      TEXT    NOT NULL,
    noop        INTEGER,                           -- NULL: the agents decide
    description TEXT,
    user        TEXT    NOT NULL,
    concurrency INTEGER,
    timeout_s   INTEGER,
    created_ms  INTEGER NOT NULL,
    started_ms  INTEGER,
    finished_ms INTEGER,
    duration_s  REAL,
    message     TEXT                               -- set when the runner died
);
CREATE TABLE job_nodes (
    job_id           INTEGER NOT NULL REFERENCES jobs(id) ON DELETE CASCADE,
    name             TEXT    NOT NULL,
    level            INTEGER NOT NULL,
    depends_on       TEXT    NOT NULL DEFAULT '[]', -- JSON array of node names
    state            TEXT    NOT NULL,
    started_ms       INTEGER,
    finished_ms      INTEGER,
    duration_s       REAL,
    exit_code        INTEGER,
    message          TEXT,
    output_tail      TEXT,
    output_truncated INTEGER NOT NULL DEFAULT 0,
    error            TEXT,                         -- ErrorCause's name
    skipped_because  TEXT,
    summary          TEXT,                         -- JSON; for the run-summary feature
    PRIMARY KEY (job_id, name)
) WITHOUT ROWID;
CREATE TABLE events (
    id      INTEGER PRIMARY KEY,
    job_id  INTEGER NOT NULL REFERENCES jobs(id) ON DELETE CASCADE,
    seq     INTEGER NOT NULL,
    type    TEXT    NOT NULL,
    time_ms INTEGER NOT NULL,
    node    TEXT,
    line    TEXT    NOT NULL                       -- Event::to_json_line
);
";

/// Version 2: who runs a job (so that readers can tell a job whose runner died from a running
/// one), and an index on the event log by job and seq: `events(job, after)` (polled by
/// `job show --follow`) becomes a seek instead of a scan of every job's events, deleting a job
/// no longer scans the log for its foreign key, and a seq cannot be recorded twice.
pub(crate) const V2: &str = "
ALTER TABLE jobs ADD COLUMN runner_pid        INTEGER;
ALTER TABLE jobs ADD COLUMN runner_start_time INTEGER; -- /proc/<pid>/stat field 22
ALTER TABLE jobs ADD COLUMN runner_boot_id    TEXT;
ALTER TABLE jobs ADD COLUMN runner_pid_ns     TEXT;    -- /proc/<pid>/ns/pid
ALTER TABLE jobs ADD COLUMN runner_host       TEXT;
CREATE UNIQUE INDEX events_by_job_seq ON events (job_id, seq);
";

/// Version 3: operations on jobs. `rerun_of` names the job a rerun was made from (no foreign
/// key: pruning that job leaves the rerun saying where it came from). A stop request is not an
/// event (the scheduler emits `job_stopping` when it acts on it): any process records it on the
/// job's row, and the process running the job polls for it. A node's applications (JSON
/// array) let `job show --follow` name the affected applications as `job run` does, without
/// the plan. `created_ms` is indexed for `job show --since` and `job prune`.
pub(crate) const V3: &str = "
ALTER TABLE jobs ADD COLUMN rerun_of          INTEGER;
ALTER TABLE jobs ADD COLUMN stop_requested    INTEGER; -- NULL: none; 1: stop; 2: force
ALTER TABLE jobs ADD COLUMN stop_requested_ms INTEGER; -- when it was first asked at that level
ALTER TABLE jobs ADD COLUMN stop_requested_by TEXT;
ALTER TABLE job_nodes ADD COLUMN applications TEXT NOT NULL DEFAULT '[]';
CREATE INDEX jobs_by_created ON jobs (created_ms);
";

/// The steps, in order: step `i` takes a store from version `i` to `i + 1`.
const STEPS: [&str; LATEST as usize] = [V1, V2, V3];

/// Why a store could not be brought to [`LATEST`].
#[derive(Debug)]
pub(crate) enum MigrateError {
    /// Written by a newer orch.
    Newer(u32),
    /// An SQLite database with tables but no orch schema.
    Foreign,
    /// The store is read-only and older than [`LATEST`].
    ReadOnly(u32),
    /// SQLite said no.
    Sql(rusqlite::Error),
}

impl From<rusqlite::Error> for MigrateError {
    fn from(e: rusqlite::Error) -> Self {
        MigrateError::Sql(e)
    }
}

/// The store's schema version.
pub(crate) fn version(conn: &Connection) -> rusqlite::Result<u32> {
    conn.query_row("PRAGMA user_version", [], |r| r.get(0))
}

/// Brings the store to [`LATEST`], one step (one transaction) at a time.
pub(crate) fn migrate(conn: &mut Connection, writable: bool) -> Result<(), MigrateError> {
    let found = version(conn)?;
    if found > LATEST {
        return Err(MigrateError::Newer(found));
    }
    if found == LATEST {
        return Ok(());
    }
    if !writable {
        return Err(MigrateError::ReadOnly(found));
    }
    while migrate_one(conn)? {}
    Ok(())
}

/// Applies the next step if there is one; `false` when the store is current.
fn migrate_one(conn: &mut Connection) -> Result<bool, MigrateError> {
    let tx = conn.transaction_with_behavior(TransactionBehavior::Immediate)?;
    // Read again under the write lock: another process may have migrated meanwhile.
    let at = version(&tx)?;
    if at >= LATEST {
        return Ok(false);
    }
    if at == 0 && has_tables(&tx)? {
        return Err(MigrateError::Foreign);
    }
    tx.execute_batch(STEPS[at as usize])?;
    tx.pragma_update(None, "user_version", at + 1)?;
    tx.commit()?;
    Ok(true)
}

/// Whether the database holds any table (of someone else's, when its version is 0).
fn has_tables(conn: &Connection) -> rusqlite::Result<bool> {
    conn.query_row(
        "SELECT EXISTS (SELECT 1 FROM sqlite_master WHERE type = 'table')",
        [],
        |r| r.get(0),
    )
}

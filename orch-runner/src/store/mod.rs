//! The job store: jobs, their nodes and their events in SQLite (`spec/cli.md`, "Job store").
//!
//! The store is a projection of the event stream: [`Store::create_job`] records a job and its
//! nodes as `new`, a [`Recorder`] appends each event to the log and updates the rows from it,
//! and readers ([`Store::jobs`], [`Store::job`], [`Store::events`]) see progress while a job
//! runs (WAL: readers never wait for the writer). A job whose runner process died reads as
//! `failed` (see [`Store::job`]).

mod liveness;
mod record;
mod recorder;
mod schema;
#[cfg(test)]
mod tests;

use std::path::{Path, PathBuf};
use std::sync::{Mutex, MutexGuard};
use std::time::{Duration, Instant};

use rusqlite::{Connection, OpenFlags, OptionalExtension, Row, TransactionBehavior, params};

use crate::error::Error;
use crate::event::{ErrorCause, Event, JobId};
use crate::state::{JobState, NodeCounts, NodeState};
use crate::time::Timestamp;
use liveness::{Liveness, Runner};
pub use record::{JobRecord, JobSummary, NewJob, NewJobNode, NodeRecord};
pub use recorder::Recorder;
use schema::MigrateError;

/// How long a writer waits for another process's transaction before giving up.
const BUSY_TIMEOUT: Duration = Duration::from_secs(10);

/// What a job and its unfinished nodes say when the process running the job died.
pub(crate) const RUNNER_DIED: &str = "the orch process running this job ended unexpectedly";

/// The job store (one SQLite file). Cheap to share between threads; each [`Recorder`] writes
/// on a connection of its own.
#[derive(Debug)]
pub struct Store {
    path: PathBuf,
    conn: Mutex<Connection>,
    writable: bool,
    /// This process, as [`Store::create_job`] records it and liveness checks compare with.
    here: Runner,
}

/// Whether the store is opened for writing.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Access {
    ReadWrite,
    /// The file exists but this user may not write it: jobs can still be read.
    ReadOnly,
}

impl Store {
    /// Opens the store at `path`, creating the file and its parent directories on first use,
    /// and migrates its schema to this orch's. A file this user may only read opens read-only
    /// (reading works, recording fails) when its schema is current.
    pub fn open(path: &Path) -> Result<Store, Error> {
        let access = prepare_path(path)?;
        Store::open_with(path, access)
    }

    fn open_with(path: &Path, access: Access) -> Result<Store, Error> {
        let mut conn = connect(path, access)?;
        let writable = !conn
            .is_readonly(rusqlite::MAIN_DB)
            .map_err(|e| sql_error(path, "could not open", e))?;
        schema::migrate(&mut conn, writable).map_err(|e| migrate_error(path, e))?;
        Ok(Store {
            path: path.to_owned(),
            conn: Mutex::new(conn),
            writable,
            here: Runner::current(),
        })
    }

    /// Where the store is when `--store` is not given: `$ORCH_STORE`, else
    /// `$XDG_STATE_HOME/orch/jobs.sqlite3`, else `$HOME/.local/state/orch/jobs.sqlite3`;
    /// `None` when none of them is set.
    pub fn default_path() -> Option<PathBuf> {
        default_path_from(|name| std::env::var_os(name))
    }

    /// The store's file.
    pub fn path(&self) -> &Path {
        &self.path
    }

    /// Records a new job in state `new`, with its nodes in state `new`, and this process as
    /// the one running it; returns its id. Ids are sequential and never reused, also when
    /// several processes create jobs at once.
    pub fn create_job(&self, job: &NewJob) -> Result<JobId, Error> {
        self.create_job_as(job, &self.here)
    }

    fn create_job_as(&self, job: &NewJob, runner: &Runner) -> Result<JobId, Error> {
        let mut conn = self.lock();
        insert_job(&mut conn, job, runner).map_err(|e| self.error("could not create a job", e))
    }

    /// Starts recording job `id`'s events (see [`Recorder`]); the recorder writes on a
    /// connection and a thread of its own.
    pub fn recorder(&self, id: JobId) -> Result<Recorder, Error> {
        self.require_job(&self.lock(), id)?;
        if !self.writable {
            return Err(self.read_only_error("could not record job events"));
        }
        let conn = connect(&self.path, Access::ReadWrite)?;
        Recorder::start(conn, self.path.clone(), id)
    }

    /// The newest `limit` jobs, newest first, without their nodes.
    pub fn jobs(&self, limit: usize) -> Result<Vec<JobRecord>, Error> {
        let conn = self.lock();
        let read = |conn: &Connection| -> rusqlite::Result<Vec<(JobRecord, Option<Runner>)>> {
            let sql = format!("SELECT {JOB_COLUMNS} FROM jobs ORDER BY id DESC LIMIT ?1");
            let mut stmt = conn.prepare(&sql)?;
            let rows = stmt.query_map([i64::try_from(limit).unwrap_or(i64::MAX)], job_from_row)?;
            let mut jobs = rows.collect::<rusqlite::Result<Vec<_>>>()?;
            for (job, _) in &mut jobs {
                job.node_states = node_counts(conn, job.id)?;
                job.node_count = job.node_states.total();
            }
            Ok(jobs)
        };
        let jobs = read(&conn).map_err(|e| self.error("could not read the jobs", e))?;
        Ok(jobs
            .into_iter()
            .map(|(mut job, runner)| {
                self.correct_if_orphaned(&conn, &mut job, runner.as_ref());
                job
            })
            .collect())
    }

    /// Job `id` with its nodes in plan order (level, then name); [`Error::UnknownJob`] if the
    /// store has none. A job that is not over but whose runner (on this host) has ended reads
    /// as `failed`, with [`JobRecord::message`] saying why and its running and waiting nodes
    /// `errored` and `skipped`; the correction is saved when the store is writable.
    pub fn job(&self, id: JobId) -> Result<JobRecord, Error> {
        let conn = self.lock();
        let read = |conn: &Connection| -> rusqlite::Result<Option<(JobRecord, Option<Runner>)>> {
            let sql = format!("SELECT {JOB_COLUMNS} FROM jobs WHERE id = ?1");
            let Some((mut job, runner)) = conn.query_row(&sql, [id], job_from_row).optional()?
            else {
                return Ok(None);
            };
            job.nodes = read_nodes(conn, id)?;
            job.node_count = job.nodes.len();
            job.recount();
            Ok(Some((job, runner)))
        };
        let (mut job, runner) = read(&conn)
            .map_err(|e| self.error("could not read the job", e))?
            .ok_or_else(|| self.unknown_job(id))?;
        self.correct_if_orphaned(&conn, &mut job, runner.as_ref());
        Ok(job)
    }

    /// Job `id`'s events with `seq > after`, in order.
    pub fn events(&self, id: JobId, after: u64) -> Result<Vec<Event>, Error> {
        let conn = self.lock();
        self.require_job(&conn, id)?;
        let lines = (|| -> rusqlite::Result<Vec<(u64, String)>> {
            let mut stmt = conn.prepare_cached(
                "SELECT seq, line FROM events WHERE job_id = ?1 AND seq > ?2 ORDER BY seq",
            )?;
            let rows = stmt.query_map(params![id, after], |r| Ok((r.get(0)?, r.get(1)?)))?;
            rows.collect()
        })()
        .map_err(|e| self.error("could not read the job's events", e))?;
        lines
            .iter()
            .map(|(seq, line)| {
                Event::from_json_line(line).map_err(|e| Error::Store {
                    path: self.path.clone(),
                    message: format!("event {seq} of job {id} does not read: {e}"),
                })
            })
            .collect()
    }

    /// When the job is not over and its runner has died: shows it as failed, and saves that.
    fn correct_if_orphaned(&self, conn: &Connection, job: &mut JobRecord, runner: Option<&Runner>) {
        if job.state.is_terminal() {
            return;
        }
        // Jobs recorded before schema 2 have no runner: nothing to judge them by.
        let Some(runner) = runner else { return };
        if runner.liveness(&self.here) != Liveness::Dead {
            return;
        }
        let seen = job.state;
        mark_orphaned(job);
        if self.writable {
            // Best effort: a reader still shows the truth when it cannot save it.
            let _ = save_orphaned(conn, job.id, seen);
        }
    }

    fn lock(&self) -> MutexGuard<'_, Connection> {
        // A panic while holding the lock cannot leave the connection mid-transaction (rusqlite
        // rolls back on drop), so a poisoned lock is still usable.
        self.conn.lock().unwrap_or_else(|p| p.into_inner())
    }

    fn require_job(&self, conn: &Connection, id: JobId) -> Result<(), Error> {
        let found = conn
            .query_row("SELECT 1 FROM jobs WHERE id = ?1", [id], |_| Ok(()))
            .optional()
            .map_err(|e| self.error("could not read the job", e))?;
        found.ok_or_else(|| self.unknown_job(id))
    }

    fn unknown_job(&self, id: JobId) -> Error {
        Error::UnknownJob {
            path: self.path.clone(),
            id,
        }
    }

    fn read_only_error(&self, doing: &str) -> Error {
        Error::Store {
            path: self.path.clone(),
            message: format!("{doing}: the store is read-only for this user"),
        }
    }

    fn error(&self, doing: &str, e: rusqlite::Error) -> Error {
        sql_error(&self.path, doing, e)
    }
}

/// The default path, reading the environment through `var`.
fn default_path_from(var: impl Fn(&str) -> Option<std::ffi::OsString>) -> Option<PathBuf> {
    let set = |name: &str| var(name).filter(|v| !v.is_empty()).map(PathBuf::from);
    if let Some(store) = set("ORCH_STORE") {
        return Some(store);
    }
    // The XDG base directory spec: a relative value is invalid and ignored.
    if let Some(state) = set("XDG_STATE_HOME").filter(|p| p.is_absolute()) {
        return Some(state.join("orch").join("jobs.sqlite3"));
    }
    set("HOME").map(|home| home.join(".local/state/orch/jobs.sqlite3"))
}

/// Creates the store's directory if needed and tells whether the file may be written.
fn prepare_path(path: &Path) -> Result<Access, Error> {
    let fail = |message: String| Error::Store {
        path: path.to_owned(),
        message,
    };
    if path.is_dir() {
        return Err(fail("is a directory, not a job store file".into()));
    }
    if let Some(dir) = path.parent().filter(|d| !d.as_os_str().is_empty()) {
        std::fs::create_dir_all(dir).map_err(|e| {
            fail(format!(
                "could not create its directory `{}`: {e}",
                dir.display()
            ))
        })?;
    }
    // SQLite would fall back to read-only by itself, but saying so up front keeps the
    // decision (and the error messages) ours.
    match std::fs::OpenOptions::new().write(true).open(path) {
        Err(e) if e.kind() == std::io::ErrorKind::PermissionDenied => Ok(Access::ReadOnly),
        _ => Ok(Access::ReadWrite),
    }
}

/// Opens a connection and sets it up: busy timeout, foreign keys, WAL. Reads the header, so
/// that a file that is not a database fails here, with the path.
fn connect(path: &Path, access: Access) -> Result<Connection, Error> {
    let flags = match access {
        Access::ReadWrite => OpenFlags::SQLITE_OPEN_READ_WRITE | OpenFlags::SQLITE_OPEN_CREATE,
        Access::ReadOnly => OpenFlags::SQLITE_OPEN_READ_ONLY,
    } | OpenFlags::SQLITE_OPEN_NO_MUTEX;
    let setup = || -> rusqlite::Result<Connection> {
        let conn = Connection::open_with_flags(path, flags)?;
        conn.busy_timeout(BUSY_TIMEOUT)?;
        conn.pragma_update(None, "foreign_keys", true)?;
        if access == Access::ReadWrite {
            // WAL: readers see committed progress without blocking the recorder, and a
            // commit is one append. Persistent: set once, the file stays in WAL mode.
            conn.query_row("PRAGMA journal_mode = WAL", [], |_| Ok(()))?;
            // FULL: a committed node result survives power loss, not only a crash.
            conn.pragma_update(None, "synchronous", "FULL")?;
        }
        schema::version(&conn)?;
        Ok(conn)
    };
    // Setting WAL needs a moment of exclusive access and, unlike other statements, fails at
    // once (without the busy handler) when another process is creating or opening the same
    // new file: retry it within the busy timeout.
    let deadline = Instant::now() + BUSY_TIMEOUT;
    loop {
        match setup() {
            Err(e) if is_busy(&e) && Instant::now() < deadline => {
                std::thread::sleep(Duration::from_millis(10));
            }
            result => return result.map_err(|e| sql_error(path, "could not open", e)),
        }
    }
}

fn is_busy(e: &rusqlite::Error) -> bool {
    matches!(
        e.sqlite_error_code(),
        Some(rusqlite::ErrorCode::DatabaseBusy | rusqlite::ErrorCode::DatabaseLocked)
    )
}

/// An SQLite error as a store error, worded for a person.
pub(crate) fn sql_error(path: &Path, doing: &str, e: rusqlite::Error) -> Error {
    use rusqlite::ErrorCode;
    let why = match e.sqlite_error_code() {
        Some(ErrorCode::NotADatabase | ErrorCode::DatabaseCorrupt) => {
            format!("not an orch job store: not an SQLite database, or corrupt ({e})")
        }
        Some(ErrorCode::ReadOnly) => format!("the store is read-only ({e})"),
        Some(ErrorCode::DatabaseBusy | ErrorCode::DatabaseLocked) => format!(
            "another process kept the store locked for more than {} s ({e})",
            BUSY_TIMEOUT.as_secs()
        ),
        Some(ErrorCode::CannotOpen) => format!("could not open or create the file ({e})"),
        _ => e.to_string(),
    };
    Error::Store {
        path: path.to_owned(),
        message: format!("{doing}: {why}"),
    }
}

fn migrate_error(path: &Path, e: MigrateError) -> Error {
    let message = match e {
        MigrateError::Sql(e) => return sql_error(path, "could not migrate the store", e),
        MigrateError::Newer(found) => format!(
            "created by a newer orch (schema {found}); this orch reads up to {}",
            schema::LATEST
        ),
        MigrateError::Foreign => {
            "not an orch job store: an SQLite database with other tables in it".into()
        }
        MigrateError::ReadOnly(found) => format!(
            "the store has schema {found} and needs migrating to {}, but it is read-only",
            schema::LATEST
        ),
    };
    Error::Store {
        path: path.to_owned(),
        message,
    }
}

fn insert_job(conn: &mut Connection, job: &NewJob, runner: &Runner) -> rusqlite::Result<JobId> {
    // IMMEDIATE: take the write lock first, so concurrent creators queue instead of failing
    // to upgrade a read lock.
    let tx = conn.transaction_with_behavior(TransactionBehavior::Immediate)?;
    tx.execute(
        "INSERT INTO jobs (state, environment, target, noop, description, user, concurrency,
             timeout_s, created_ms, runner_pid, runner_start_time, runner_boot_id, runner_pid_ns,
             runner_host)
         VALUES ('new', ?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13)",
        params![
            job.environment,
            job.target,
            job.noop,
            job.description,
            job.user,
            job.concurrency,
            job.timeout_s,
            Timestamp::now().as_millis(),
            runner.pid,
            runner.start_time,
            runner.boot_id,
            runner.pid_ns,
            runner.host,
        ],
    )?;
    let id = tx.last_insert_rowid();
    {
        let mut node = tx.prepare(
            "INSERT INTO job_nodes (job_id, name, level, depends_on, state)
             VALUES (?1, ?2, ?3, ?4, 'new')",
        )?;
        for n in &job.nodes {
            let depends_on = serde_json::to_string(&n.depends_on).expect("strings serialize");
            node.execute(params![id, n.name, n.level as i64, depends_on])?;
        }
    }
    tx.commit()?;
    Ok(id as JobId)
}

/// The columns [`job_from_row`] reads, in its order.
const JOB_COLUMNS: &str = "id, state, environment, target, noop, description, user, concurrency,
    timeout_s, created_ms, started_ms, finished_ms, duration_s, message, runner_pid,
    runner_start_time, runner_boot_id, runner_pid_ns, runner_host";

/// A job row (without nodes and counts) and who ran it.
fn job_from_row(r: &Row<'_>) -> rusqlite::Result<(JobRecord, Option<Runner>)> {
    let job = JobRecord {
        id: r.get(0)?,
        state: parse_column(r, 1)?,
        environment: r.get(2)?,
        target: r.get(3)?,
        noop: r.get(4)?,
        description: r.get(5)?,
        user: r.get(6)?,
        concurrency: r.get(7)?,
        timeout_s: r.get(8)?,
        created: Timestamp::from_millis(r.get(9)?),
        started: r.get::<_, Option<i64>>(10)?.map(Timestamp::from_millis),
        finished: r.get::<_, Option<i64>>(11)?.map(Timestamp::from_millis),
        duration_s: r.get(12)?,
        node_count: 0,
        node_states: NodeCounts::default(),
        message: r.get(13)?,
        nodes: Vec::new(),
    };
    let runner = r
        .get::<_, Option<u32>>(14)?
        .map(|pid| -> rusqlite::Result<_> {
            Ok(Runner {
                pid,
                start_time: r.get(15)?,
                boot_id: r.get(16)?,
                pid_ns: r.get(17)?,
                host: r.get(18)?,
            })
        });
    Ok((job, runner.transpose()?))
}

fn read_nodes(conn: &Connection, job: JobId) -> rusqlite::Result<Vec<NodeRecord>> {
    let mut stmt = conn.prepare_cached(
        "SELECT name, state, level, depends_on, started_ms, finished_ms, duration_s, exit_code,
             message, output_tail, output_truncated, error, skipped_because, summary
         FROM job_nodes WHERE job_id = ?1 ORDER BY level, name",
    )?;
    let rows = stmt.query_map([job], node_from_row)?;
    rows.collect()
}

fn node_from_row(r: &Row<'_>) -> rusqlite::Result<NodeRecord> {
    Ok(NodeRecord {
        name: r.get(0)?,
        state: parse_column(r, 1)?,
        level: r.get::<_, i64>(2)?.try_into().unwrap_or(0),
        depends_on: json_column(r, 3)?,
        started: r.get::<_, Option<i64>>(4)?.map(Timestamp::from_millis),
        finished: r.get::<_, Option<i64>>(5)?.map(Timestamp::from_millis),
        duration_s: r.get(6)?,
        exit_code: r.get(7)?,
        message: r.get(8)?,
        output_tail: r.get(9)?,
        output_truncated: r.get(10)?,
        error: r
            .get::<_, Option<String>>(11)?
            .map(|name| parse_cause(&name).map_err(|e| conversion_error(11, e)))
            .transpose()?,
        skipped_because: r.get(12)?,
        summary: r
            .get::<_, Option<String>>(13)?
            .map(|text| serde_json::from_str(&text).map_err(|e| conversion_error(13, e)))
            .transpose()?,
    })
}

fn node_counts(conn: &Connection, job: JobId) -> rusqlite::Result<NodeCounts> {
    let mut stmt = conn
        .prepare_cached("SELECT state, count(*) FROM job_nodes WHERE job_id = ?1 GROUP BY state")?;
    let mut counts = NodeCounts::default();
    let mut rows = stmt.query([job])?;
    while let Some(row) = rows.next()? {
        let state: NodeState = parse_column(row, 0)?;
        let n: usize = row.get(1)?;
        for _ in 0..n {
            counts.add(state);
        }
    }
    Ok(counts)
}

/// Shows a job whose runner died as it ended: failed, with unfinished nodes errored or
/// skipped, each saying why.
fn mark_orphaned(job: &mut JobRecord) {
    job.state = JobState::Failed;
    job.message = Some(RUNNER_DIED.to_owned());
    let mut counts = job.node_states;
    for (from, to) in [
        (NodeState::Running, NodeState::Errored),
        (NodeState::New, NodeState::Skipped),
    ] {
        for _ in 0..counts.get(from) {
            counts.moved(from, to);
        }
    }
    job.node_states = counts;
    for node in &mut job.nodes {
        node.state = match node.state {
            NodeState::Running => NodeState::Errored,
            NodeState::New => NodeState::Skipped,
            _ => continue,
        };
        node.message = Some(RUNNER_DIED.to_owned());
    }
}

/// Saves [`mark_orphaned`]'s correction, in one transaction; only if the job is still in the
/// state it was read in (another reader may have saved it first).
fn save_orphaned(conn: &Connection, job: JobId, seen: JobState) -> rusqlite::Result<()> {
    let tx = rusqlite::Transaction::new_unchecked(conn, TransactionBehavior::Immediate)?;
    let changed = tx.execute(
        "UPDATE jobs SET state = 'failed', message = ?3 WHERE id = ?1 AND state = ?2",
        params![job, seen.as_str(), RUNNER_DIED],
    )?;
    if changed == 1 {
        tx.execute(
            "UPDATE job_nodes SET state = CASE state WHEN 'running' THEN 'errored' ELSE 'skipped' END,
                 message = ?2
             WHERE job_id = ?1 AND state IN ('running', 'new')",
            params![job, RUNNER_DIED],
        )?;
    }
    tx.commit()
}

/// A text column holding a state name.
fn parse_column<T>(r: &Row<'_>, idx: usize) -> rusqlite::Result<T>
where
    T: std::str::FromStr,
    T::Err: std::error::Error + Send + Sync + 'static,
{
    let text: String = r.get(idx)?;
    text.parse().map_err(|e| conversion_error(idx, e))
}

/// A text column holding JSON.
fn json_column<T: serde::de::DeserializeOwned>(r: &Row<'_>, idx: usize) -> rusqlite::Result<T> {
    let text: String = r.get(idx)?;
    serde_json::from_str(&text).map_err(|e| conversion_error(idx, e))
}

fn conversion_error(
    idx: usize,
    e: impl std::error::Error + Send + Sync + 'static,
) -> rusqlite::Error {
    rusqlite::Error::FromSqlConversionFailure(idx, rusqlite::types::Type::Text, Box::new(e))
}

/// An [`ErrorCause`]'s name (`timed_out`), as its JSON has it.
pub(crate) fn cause_name(cause: ErrorCause) -> &'static str {
    cause.name()
}

fn parse_cause(name: &str) -> Result<ErrorCause, serde_json::Error> {
    serde_json::from_value(serde_json::Value::String(name.to_owned()))
}

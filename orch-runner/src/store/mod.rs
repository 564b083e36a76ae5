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
mod stop;
#[cfg(test)]
mod tests;

use std::path::{Path, PathBuf};
use std::sync::{Mutex, MutexGuard};
use std::time::{Duration, Instant};

use rusqlite::{
    Connection, OpenFlags, OptionalExtension, Row, TransactionBehavior, named_params, params,
};

use crate::error::Error;
use crate::event::{ErrorCause, Event, JobId};
use crate::state::{JobState, NodeCounts, NodeState};
use crate::time::Timestamp;
use liveness::{Liveness, Runner};
pub(crate) use record::node_applications;
pub use record::{JobRecord, JobSummary, NewJob, NewJobNode, NodeRecord, StopAnswer, StopRequest};
pub use recorder::Recorder;
use schema::MigrateError;
pub use stop::{STOP_POLL, StopWatcher};

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

/// Which jobs [`Store::list`] returns: every condition given must hold.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct JobQuery {
    /// Jobs in any of these states (none: any state).
    pub states: Vec<JobState>,
    /// Jobs of this user.
    pub user: Option<String>,
    /// Jobs created at or after this time.
    pub since: Option<Timestamp>,
    /// Jobs in this environment.
    pub environment: Option<String>,
    /// Most jobs returned.
    pub limit: usize,
    /// How many of the matching jobs (in `order`) to pass over first.
    pub offset: usize,
    /// The order of the jobs; newest first by default.
    pub order: JobOrder,
}

/// What [`Store::list`] sorts jobs by (PE's `order_by`); ties go by id, in the same direction.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum JobOrderBy {
    /// The job's number (PE's `name`).
    #[default]
    Id,
    /// The last state change (PE's `timestamp`).
    Timestamp,
    /// Who asked for it (PE's `owner`).
    User,
    /// The environment.
    Environment,
    /// The state as readers see it.
    State,
}

/// An order for [`Store::list`].
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct JobOrder {
    /// The key.
    pub by: JobOrderBy,
    /// Largest first.
    pub descending: bool,
}

impl Default for JobOrder {
    fn default() -> Self {
        JobOrder {
            by: JobOrderBy::Id,
            descending: true,
        }
    }
}

impl JobOrder {
    /// The SQL `ORDER BY` terms (every one from this fixed set: no text from outside).
    fn sql(self) -> String {
        let key = match self.by {
            JobOrderBy::Id => "id",
            JobOrderBy::Timestamp => "coalesce(finished_ms, started_ms, created_ms)",
            JobOrderBy::User => "user",
            JobOrderBy::Environment => "environment",
            JobOrderBy::State => EFFECTIVE_STATE,
        };
        let dir = if self.descending { "DESC" } else { "ASC" };
        if self.by == JobOrderBy::Id {
            format!("id {dir}")
        } else {
            format!("{key} {dir}, id {dir}")
        }
    }
}

impl Default for JobQuery {
    fn default() -> Self {
        JobQuery {
            states: Vec::new(),
            user: None,
            since: None,
            environment: None,
            limit: DEFAULT_LIST_LIMIT,
            offset: 0,
            order: JobOrder::default(),
        }
    }
}

/// What [`Store::latest_events`] returns.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct LatestEvents {
    /// The job's newest event's `seq` (0: none yet).
    pub last: u64,
    /// Each node's newest event's `seq`.
    pub nodes: std::collections::HashMap<String, u64>,
}

/// How many jobs `orch job show` lists when not told (PE's default).
pub const DEFAULT_LIST_LIMIT: usize = 50;

/// One page of [`Store::list`].
#[derive(Debug, Clone, PartialEq)]
pub struct JobPage {
    /// The jobs, newest first.
    pub items: Vec<JobRecord>,
    /// How many jobs match, before the limit and offset.
    pub total: usize,
}

/// A job's state as readers see it, in SQL: `failed` for the ids in the JSON array `:dead`.
const EFFECTIVE_STATE: &str =
    "CASE WHEN id IN (SELECT value FROM json_each(:dead)) THEN 'failed' ELSE state END";

/// [`Store::list`]'s conditions; a NULL parameter is a condition not asked for.
fn list_filter() -> String {
    format!(
        "(:states IS NULL OR ({EFFECTIVE_STATE}) IN (SELECT value FROM json_each(:states)))
         AND (:user IS NULL OR user = :user)
         AND (:since IS NULL OR created_ms >= :since)
         AND (:environment IS NULL OR environment = :environment)"
    )
}

/// Ids as a JSON array, for `json_each`.
fn json_ids(ids: &[JobId]) -> String {
    serde_json::to_string(ids).expect("ids serialize")
}

fn saturating_i64(n: usize) -> i64 {
    i64::try_from(n).unwrap_or(i64::MAX)
}

/// `jobs.stop_requested` for a plain or a forced stop.
fn stop_level(force: bool) -> i64 {
    if force { 2 } else { 1 }
}

/// A stop request from its three columns, from `idx` on.
fn stop_from_row(r: &Row<'_>, idx: usize) -> rusqlite::Result<Option<StopRequest>> {
    let Some(level) = r.get::<_, Option<i64>>(idx)? else {
        return Ok(None);
    };
    Ok(Some(StopRequest {
        force: level >= stop_level(true),
        time: Timestamp::from_millis(r.get::<_, Option<i64>>(idx + 1)?.unwrap_or(0)),
        user: r.get::<_, Option<String>>(idx + 2)?.unwrap_or_default(),
    }))
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

    /// Another handle on the same store, with a connection of its own (for a thread that
    /// must not wait for this one's lock). Never goes through [`prepare_path`]: opening and
    /// closing the file outside SQLite would drop the POSIX locks this process's connections
    /// hold on it.
    pub fn another(&self) -> Result<Store, Error> {
        let access = if self.writable {
            Access::ReadWrite
        } else {
            Access::ReadOnly
        };
        Ok(Store {
            path: self.path.clone(),
            conn: Mutex::new(connect(&self.path, access)?),
            writable: self.writable,
            here: self.here.clone(),
        })
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
        let query = JobQuery {
            limit,
            ..JobQuery::default()
        };
        Ok(self.list(&query)?.items)
    }

    /// The jobs `query` selects, in its order (newest first unless asked otherwise), without
    /// their nodes, and how many match in all.
    /// States are matched as readers see them: a job whose runner died is `failed`.
    pub fn list(&self, query: &JobQuery) -> Result<JobPage, Error> {
        let conn = self.lock();
        let read = |conn: &Connection| -> rusqlite::Result<(Vec<JobRow>, usize)> {
            let dead = json_ids(&self.dead_jobs(conn)?);
            let states = (!query.states.is_empty())
                .then(|| serde_json::to_string(&query.states).expect("states serialize"));
            let since = query.since.map(Timestamp::as_millis);
            // One read transaction: the total and the page agree.
            let tx = conn.unchecked_transaction()?;
            let filter = list_filter();
            let total: usize = tx.query_row(
                &format!("SELECT count(*) FROM jobs WHERE {filter}"),
                named_params! {
                    ":dead": dead, ":states": states, ":user": query.user,
                    ":since": since, ":environment": query.environment,
                },
                |r| r.get(0),
            )?;
            let sql = format!(
                "SELECT {JOB_COLUMNS} FROM jobs WHERE {filter}
                 ORDER BY {} LIMIT :limit OFFSET :offset",
                query.order.sql()
            );
            let mut stmt = tx.prepare(&sql)?;
            let rows = stmt.query_map(
                named_params! {
                    ":dead": dead, ":states": states, ":user": query.user,
                    ":since": since, ":environment": query.environment,
                    ":limit": saturating_i64(query.limit), ":offset": saturating_i64(query.offset),
                },
                job_from_row,
            )?;
            let mut jobs = rows.collect::<rusqlite::Result<Vec<_>>>()?;
            for (job, _) in &mut jobs {
                job.node_states = node_counts(&tx, job.id)?;
                job.node_count = job.node_states.total();
            }
            drop(stmt);
            tx.commit()?;
            Ok((jobs, total))
        };
        let (jobs, total) = read(&conn).map_err(|e| self.error("could not read the jobs", e))?;
        let items = jobs
            .into_iter()
            .map(|(mut job, runner)| {
                self.correct_if_orphaned(&conn, &mut job, runner.as_ref());
                job
            })
            .collect();
        Ok(JobPage { items, total })
    }

    /// Job `id`'s state as readers see it (a job whose runner died is `failed`), without
    /// reading its nodes.
    pub fn job_state(&self, id: JobId) -> Result<JobState, Error> {
        let conn = self.lock();
        Ok(self.job_row(&conn, id)?.state)
    }

    /// Asks the process running job `id` to stop it (`force`: kill its running nodes too), for
    /// `user`. Asking again is harmless; `force` upgrades a plain stop, a plain stop never
    /// downgrades a forced one; the first request at a level keeps its time and user. A job
    /// that has ended (its runner dead included) is left as it is: the answer says so.
    pub fn request_stop(&self, id: JobId, force: bool, user: &str) -> Result<StopAnswer, Error> {
        if !self.writable {
            self.require_job(&self.lock(), id)?;
            return Err(self.read_only_error("could not ask the job to stop"));
        }
        let conn = self.lock();
        // Judged first: a job whose runner died is over, not stoppable.
        self.job_row(&conn, id)?;
        let ask = || -> rusqlite::Result<(JobState, Option<i64>, NodeCounts)> {
            let tx = rusqlite::Transaction::new_unchecked(&conn, TransactionBehavior::Immediate)?;
            tx.execute(
                "UPDATE jobs SET stop_requested = :level, stop_requested_ms = :now,
                     stop_requested_by = :user
                 WHERE id = :id AND state IN ('new', 'running', 'stopping')
                     AND coalesce(stop_requested, 0) < :level",
                named_params! {
                    ":id": id, ":level": stop_level(force), ":now": Timestamp::now().as_millis(),
                    ":user": user,
                },
            )?;
            let (state, level) = tx.query_row(
                "SELECT state, stop_requested FROM jobs WHERE id = ?1",
                [id],
                |r| Ok((parse_column::<JobState>(r, 0)?, r.get::<_, Option<i64>>(1)?)),
            )?;
            let counts = node_counts(&tx, id)?;
            tx.commit()?;
            Ok((state, level, counts))
        };
        let (state, level, node_states) =
            ask().map_err(|e| self.error("could not ask the job to stop", e))?;
        let requested = !state.is_terminal() && level.is_some();
        Ok(StopAnswer {
            id,
            state: if requested { JobState::Stopping } else { state },
            requested,
            force: requested && level == Some(stop_level(true)),
            node_states,
        })
    }

    /// The stop asked for job `id`, if any (what its runner polls).
    pub fn stop_request(&self, id: JobId) -> Result<Option<StopRequest>, Error> {
        let conn = self.lock();
        let read = conn
            .prepare_cached(
                "SELECT stop_requested, stop_requested_ms, stop_requested_by FROM jobs
                 WHERE id = ?1",
            )
            .and_then(|mut stmt| stmt.query_row([id], |r| stop_from_row(r, 0)).optional())
            .map_err(|e| self.error("could not read the job", e))?;
        read.ok_or_else(|| self.unknown_job(id))
    }

    /// Deletes the jobs created before `before` that have ended (finished, failed, stopped;
    /// a job whose runner died counts as failed), with their nodes and events, in one
    /// transaction; never a job that may still run. Returns their ids, in order. With
    /// `dry_run`, deletes nothing and returns what it would delete.
    pub fn prune(&self, before: Timestamp, dry_run: bool) -> Result<Vec<JobId>, Error> {
        if !dry_run && !self.writable {
            return Err(self.read_only_error("could not delete jobs"));
        }
        let conn = self.lock();
        let delete = || -> rusqlite::Result<Vec<JobId>> {
            let dead = json_ids(&self.dead_jobs(&conn)?);
            let behavior = if dry_run {
                TransactionBehavior::Deferred
            } else {
                TransactionBehavior::Immediate
            };
            let tx = rusqlite::Transaction::new_unchecked(&conn, behavior)?;
            let ids = {
                let mut stmt = tx.prepare(&format!(
                    "SELECT id FROM jobs WHERE created_ms < :before
                         AND ({EFFECTIVE_STATE}) IN ('stopped', 'finished', 'failed')
                     ORDER BY id"
                ))?;
                let rows = stmt.query_map(
                    named_params! { ":before": before.as_millis(), ":dead": dead },
                    |r| r.get(0),
                )?;
                rows.collect::<rusqlite::Result<Vec<JobId>>>()?
            };
            if !dry_run {
                // Nodes and events go with their job (ON DELETE CASCADE).
                tx.execute(
                    "DELETE FROM jobs WHERE id IN (SELECT value FROM json_each(?1))",
                    [json_ids(&ids)],
                )?;
            }
            tx.commit()?;
            Ok(ids)
        };
        delete().map_err(|e| self.error("could not delete jobs", e))
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

    /// The newest event of job `id`, and of each of its nodes that has one.
    pub fn latest_events(&self, id: JobId) -> Result<LatestEvents, Error> {
        let conn = self.lock();
        self.require_job(&conn, id)?;
        let read = || -> rusqlite::Result<LatestEvents> {
            let mut stmt = conn.prepare_cached(
                "SELECT node, max(seq) FROM events WHERE job_id = ?1 GROUP BY node",
            )?;
            let rows = stmt.query_map([id], |r| {
                Ok((r.get::<_, Option<String>>(0)?, r.get::<_, u64>(1)?))
            })?;
            let mut latest = LatestEvents::default();
            for row in rows {
                let (node, seq) = row?;
                latest.last = latest.last.max(seq);
                if let Some(node) = node {
                    latest.nodes.insert(node, seq);
                }
            }
            Ok(latest)
        };
        read().map_err(|e| self.error("could not read the job's events", e))
    }

    /// Job `id`'s row (no nodes, no counts), corrected if its runner died.
    fn job_row(&self, conn: &Connection, id: JobId) -> Result<JobRecord, Error> {
        let sql = format!("SELECT {JOB_COLUMNS} FROM jobs WHERE id = ?1");
        let (mut job, runner) = conn
            .query_row(&sql, [id], job_from_row)
            .optional()
            .map_err(|e| self.error("could not read the job", e))?
            .ok_or_else(|| self.unknown_job(id))?;
        self.correct_if_orphaned(conn, &mut job, runner.as_ref());
        Ok(job)
    }

    /// Whether a job in `state` run by `runner` has ended without its runner finishing it.
    fn is_orphaned(&self, state: JobState, runner: Option<&Runner>) -> bool {
        // Jobs recorded before schema 2 have no runner: nothing to judge them by.
        !state.is_terminal() && runner.is_some_and(|r| r.liveness(&self.here) == Liveness::Dead)
    }

    /// The jobs not over whose runner has died (they read as failed).
    fn dead_jobs(&self, conn: &Connection) -> rusqlite::Result<Vec<JobId>> {
        let sql = format!(
            "SELECT {JOB_COLUMNS} FROM jobs
             WHERE state IN ('new', 'running', 'stopping') AND runner_pid IS NOT NULL"
        );
        let mut stmt = conn.prepare(&sql)?;
        let rows = stmt.query_map([], job_from_row)?;
        let mut dead = Vec::new();
        for row in rows {
            let (job, runner) = row?;
            if self.is_orphaned(job.state, runner.as_ref()) {
                dead.push(job.id);
            }
        }
        Ok(dead)
    }

    /// When the job is not over and its runner has died: shows it as failed, and saves that.
    fn correct_if_orphaned(&self, conn: &Connection, job: &mut JobRecord, runner: Option<&Runner>) {
        if !self.is_orphaned(job.state, runner) {
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
             runner_host, rerun_of)
         VALUES ('new', ?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14)",
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
            job.rerun_of,
        ],
    )?;
    let id = tx.last_insert_rowid();
    {
        let mut node = tx.prepare(
            "INSERT INTO job_nodes (job_id, name, level, depends_on, state, applications)
             VALUES (?1, ?2, ?3, ?4, 'new', ?5)",
        )?;
        for n in &job.nodes {
            let depends_on = serde_json::to_string(&n.depends_on).expect("strings serialize");
            let apps = serde_json::to_string(&n.applications).expect("references serialize");
            node.execute(params![id, n.name, n.level as i64, depends_on, apps])?;
        }
    }
    tx.commit()?;
    Ok(id as JobId)
}

/// A job row (without nodes) and who ran it.
type JobRow = (JobRecord, Option<Runner>);

/// The columns [`job_from_row`] reads, in its order.
const JOB_COLUMNS: &str = "id, state, environment, target, noop, description, user, concurrency,
    timeout_s, created_ms, started_ms, finished_ms, duration_s, message, runner_pid,
    runner_start_time, runner_boot_id, runner_pid_ns, runner_host, rerun_of, stop_requested,
    stop_requested_ms, stop_requested_by";

/// A job row (without nodes and counts) and who ran it.
fn job_from_row(r: &Row<'_>) -> rusqlite::Result<JobRow> {
    let job = JobRecord {
        id: r.get(0)?,
        state: parse_column(r, 1)?,
        environment: r.get(2)?,
        target: r.get(3)?,
        noop: r.get(4)?,
        description: r.get(5)?,
        rerun_of: r.get(19)?,
        user: r.get(6)?,
        concurrency: r.get(7)?,
        timeout_s: r.get(8)?,
        stop_request: stop_from_row(r, 20)?,
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
             message, output_tail, output_truncated, error, skipped_because, summary, applications
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
        applications: json_column(r, 14)?,
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

//! What every request handler shares: the code, the nodes, the store, the running jobs.

use std::collections::HashMap;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};

use orch_runner::{Inventory, JobId, StopHandle, Store, Transport};
use tokio::sync::watch;

use crate::auth::Tokens;
use crate::environments::Environments;

/// How many connections serve reads (each SQLite connection serves one query at a time).
const READERS: usize = 4;

/// A job this server runs.
#[derive(Clone)]
struct Running {
    seq: watch::Receiver<u64>,
    stop: StopHandle,
}

/// The server's shared state.
pub(crate) struct AppState {
    pub(crate) environments: Environments,
    pub(crate) inventory: Arc<Inventory>,
    pub(crate) transport: Arc<dyn Transport>,
    /// Creates jobs and stop requests.
    pub(crate) store: Arc<Store>,
    readers: Vec<Arc<Store>>,
    next_reader: AtomicUsize,
    /// `None`: authentication is off (loopback only).
    pub(crate) tokens: Option<Tokens>,
    /// Who owns jobs when authentication is off: the user running the server.
    pub(crate) local_user: String,
    /// The jobs this server runs: the newest event's seq (followers wait on it), and the
    /// job's stop handle (for the server's shutdown).
    running: Mutex<HashMap<JobId, Running>>,
    /// `https` or `http`, for the absolute URLs PE puts in `id`s.
    pub(crate) scheme: &'static str,
    /// The last `GET /jobs/:id/nodes` answer of each job: (newest event seq, job URL, text).
    nodes_answers: Mutex<HashMap<JobId, NodesAnswer>>,
}

/// A kept nodes answer: the newest event's seq it is of, the job URL it names, its text.
type NodesAnswer = (u64, String, Arc<String>);

/// How many jobs' nodes answers are kept.
const NODES_ANSWERS: usize = 64;

impl AppState {
    pub(crate) fn new(
        environments: Environments,
        inventory: Inventory,
        transport: Arc<dyn Transport>,
        store: Store,
        tokens: Option<Tokens>,
        scheme: &'static str,
    ) -> Result<AppState, orch_runner::Error> {
        let readers = (0..READERS)
            .map(|_| store.another().map(Arc::new))
            .collect::<Result<_, _>>()?;
        Ok(AppState {
            environments,
            inventory: Arc::new(inventory),
            transport,
            store: Arc::new(store),
            readers,
            next_reader: AtomicUsize::new(0),
            tokens,
            local_user: orch_runner::login_name(),
            running: Mutex::new(HashMap::new()),
            scheme,
            nodes_answers: Mutex::new(HashMap::new()),
        })
    }

    /// Runs a store read on a blocking thread, on one of the read connections.
    pub(crate) async fn read<T: Send + 'static>(
        &self,
        f: impl FnOnce(&Store) -> Result<T, orch_runner::Error> + Send + 'static,
    ) -> Result<T, orch_runner::Error> {
        let i = self.next_reader.fetch_add(1, Ordering::Relaxed) % self.readers.len();
        let store = self.readers[i].clone();
        run_blocking(move || f(&store)).await
    }

    /// Runs a store write (job creation, stop requests) on a blocking thread.
    pub(crate) async fn write<T: Send + 'static>(
        &self,
        f: impl FnOnce(&Store) -> Result<T, orch_runner::Error> + Send + 'static,
    ) -> Result<T, orch_runner::Error> {
        let store = self.store.clone();
        run_blocking(move || f(&store)).await
    }

    /// Registers a job this server runs; followers of it wake on `seq`'s changes.
    pub(crate) fn track(&self, id: JobId, seq: watch::Receiver<u64>, stop: StopHandle) {
        self.lock_running().insert(id, Running { seq, stop });
    }

    /// The job is over: followers read the rest from the store.
    pub(crate) fn untrack(&self, id: JobId) {
        self.lock_running().remove(&id);
    }

    /// The newest-event watch of job `id`, if this server runs it.
    pub(crate) fn watch(&self, id: JobId) -> Option<watch::Receiver<u64>> {
        self.lock_running().get(&id).map(|r| r.seq.clone())
    }

    /// Interrupts every job this server runs (its nodes end errored, the rest skipped) and
    /// waits, at most `limit`, for them to be recorded as ended.
    pub(crate) async fn interrupt_all(&self, limit: std::time::Duration) {
        let jobs: Vec<Running> = self.lock_running().values().cloned().collect();
        for job in &jobs {
            job.stop.force();
        }
        let deadline = tokio::time::Instant::now() + limit;
        while !self.lock_running().is_empty() && tokio::time::Instant::now() < deadline {
            tokio::time::sleep(std::time::Duration::from_millis(20)).await;
        }
    }

    /// The kept nodes answer of job `id`, if it is of event `seq` and for `url`.
    pub(crate) fn cached_nodes(&self, id: JobId, seq: u64, url: &str) -> Option<Arc<String>> {
        let answers = self.nodes_answers.lock().unwrap_or_else(|p| p.into_inner());
        answers
            .get(&id)
            .filter(|(s, u, _)| *s == seq && u == url)
            .map(|(_, _, text)| text.clone())
    }

    /// Keeps job `id`'s nodes answer as of event `seq`.
    pub(crate) fn cache_nodes(&self, id: JobId, seq: u64, url: String, text: Arc<String>) {
        let mut answers = self.nodes_answers.lock().unwrap_or_else(|p| p.into_inner());
        if answers.len() >= NODES_ANSWERS && !answers.contains_key(&id) {
            answers.clear();
        }
        answers.insert(id, (seq, url, text));
    }

    fn lock_running(&self) -> std::sync::MutexGuard<'_, HashMap<JobId, Running>> {
        // A panic while holding it cannot leave the map inconsistent: recover it.
        self.running.lock().unwrap_or_else(|p| p.into_inner())
    }
}

async fn run_blocking<T: Send + 'static>(
    f: impl FnOnce() -> Result<T, orch_runner::Error> + Send + 'static,
) -> Result<T, orch_runner::Error> {
    tokio::task::spawn_blocking(f).await.unwrap_or_else(|e| {
        Err(orch_runner::Error::Store {
            path: std::path::PathBuf::new(),
            message: format!("a store call did not complete: {e}"),
        })
    })
}

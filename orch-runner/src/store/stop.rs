//! Stopping a job from another process: `orch job stop` records a request on the job's row
//! ([`crate::Store::request_stop`]); the process running the job polls for it and turns it into
//! its [`StopHandle`]'s requests, which the scheduler acts on (and only then is there a
//! `job_stopping` event).

use std::sync::mpsc::{RecvTimeoutError, Sender, channel};
use std::thread::JoinHandle;
use std::time::Duration;

use super::Store;
use crate::error::Error;
use crate::event::JobId;
use crate::scheduler::StopHandle;

/// How often the runner looks for a stop request: a request is acted on within about this.
pub const STOP_POLL: Duration = Duration::from_millis(200);

/// Polls the store for stop requests of one job while it lives; see
/// [`Store::watch_stop_requests`].
/// Dropping it ends the polling (and waits for the thread, at most one poll).
#[derive(Debug)]
pub struct StopWatcher {
    done: Option<Sender<()>>,
    thread: Option<JoinHandle<()>>,
}

impl Store {
    /// Watches for stop requests of job `id` (see [`Store::request_stop`]) and passes them to
    /// `stop`: a stop request calls [`StopHandle::stop`], a forced one [`StopHandle::force`].
    /// Polls every [`STOP_POLL`] on a thread and a connection of its own (SQLite calls block),
    /// until the watcher is dropped or a forced stop has been passed on (nothing further can
    /// be asked).
    pub fn watch_stop_requests(&self, id: JobId, stop: StopHandle) -> Result<StopWatcher, Error> {
        // The job must exist: a wrong id is an error here, not a silent poll forever.
        self.stop_request(id)?;
        let store = self.another()?;
        let (done, until) = channel::<()>();
        let thread = std::thread::Builder::new()
            .name(format!("orch-stop-watch-{id}"))
            .spawn(move || {
                loop {
                    // A read that fails (the store busy for long) is tried again next time.
                    if let Ok(Some(request)) = store.stop_request(id) {
                        if request.force {
                            stop.force();
                            return;
                        }
                        stop.stop();
                    }
                    match until.recv_timeout(STOP_POLL) {
                        Err(RecvTimeoutError::Timeout) => {}
                        // The watcher was dropped.
                        _ => return,
                    }
                }
            })
            .map_err(|e| Error::Store {
                path: self.path.clone(),
                message: format!("could not start the thread watching for stop requests: {e}"),
            })?;
        Ok(StopWatcher {
            done: Some(done),
            thread: Some(thread),
        })
    }
}

impl Drop for StopWatcher {
    fn drop(&mut self) {
        drop(self.done.take());
        if let Some(thread) = self.thread.take() {
            let _ = thread.join();
        }
    }
}

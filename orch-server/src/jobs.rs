//! Jobs started over HTTP: recorded in the store and run in this process by the runner, like
//! `orch job run` does, so that every other reader (`orch job show`, `orch job stop`, the API)
//! sees them the same way.

use std::sync::Arc;

use orch_planner::Plan;
use orch_runner::{Event, EventSink, JobId, JobOptions, NewJob, StopHandle};
use tokio::sync::watch;

use crate::state::AppState;

/// Records a job for `plan` and starts running it; returns its id once it is recorded.
pub(crate) async fn start(
    state: &Arc<AppState>,
    plan: Plan,
    options: JobOptions,
    user: String,
    description: Option<String>,
) -> Result<JobId, orch_runner::Error> {
    let job = NewJob::for_plan(&plan, &options, user, description);
    let stop = StopHandle::new();
    let watcher_stop = stop.clone();
    let (id, recorder, watcher) = state
        .write(move |store| {
            let id = store.create_job(&job)?;
            let recorder = store.recorder(id)?;
            // `orch job stop` and `POST /command/stop` reach the job through the store.
            let watcher = store.watch_stop_requests(id, watcher_stop)?;
            Ok((id, recorder, watcher))
        })
        .await?;
    let (seq, followers) = watch::channel(0);
    state.track(id, followers, stop.clone());
    let state = state.clone();
    tokio::spawn(async move {
        let mut recorder = recorder;
        let mut notify = Notify(seq);
        let inventory = state.inventory.clone();
        orch_runner::run_job(
            id,
            &plan,
            |name| inventory.target(name),
            state.transport.clone(),
            &options,
            &stop,
            &mut [&mut recorder, &mut notify],
        )
        .await;
        drop(watcher);
        // Committed before the followers are let go, so that they read every event.
        let _ = tokio::task::spawn_blocking(move || recorder.finish()).await;
        notify.0.send_modify(|s| *s = u64::MAX);
        state.untrack(id);
    });
    Ok(id)
}

/// Tells the job's followers that a new event exists.
struct Notify(watch::Sender<u64>);

impl EventSink for Notify {
    fn event(&mut self, event: &Event) {
        self.0.send_replace(event.seq);
    }
}

//! `orch job run`: plan, record, run, report.

use std::io::{IsTerminal, Write};
use std::path::PathBuf;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::Duration;

use clap::Args;
use orch_runner::{JobOptions, NewJob, RunText, StopHandle, StopLevel, Transport};

use super::PlanSourceArgs;
use super::nodes::{NodeAccessArgs, check_nodes, checks_json, runtime, transport};
use super::output::{Output, RunFormat};
use super::progress::Progress;
use crate::commands::open_store;
use crate::exit::Exit;

#[derive(Debug, Args)]
pub(crate) struct RunArgs {
    #[command(flatten)]
    source: PlanSourceArgs,
    #[command(flatten)]
    access: NodeAccessArgs,
    /// Connect to every node first; if any cannot be reached or authenticated, start no job
    /// (exit 3).
    #[arg(long)]
    preflight: bool,
    /// With --preflight: run the job anyway; the nodes that failed the check end errored.
    #[arg(long = "no-preflight-abort", requires = "preflight")]
    no_preflight_abort: bool,
    /// Run the agents in noop mode (simulate, change nothing).
    #[arg(long, conflicts_with = "no_noop")]
    noop: bool,
    /// Enforce changes even where an agent's puppet.conf says `noop = true`.
    #[arg(long = "no-noop")]
    no_noop: bool,
    /// Most nodes running at once (0: unlimited).
    #[arg(long, value_name = "N", default_value_t = orch_runner::DEFAULT_CONCURRENCY as u32)]
    concurrency: u32,
    /// Longest a node's run may take; past it the run is killed and the node errored.
    #[arg(long, value_name = "SECS")]
    timeout: Option<u64>,
    /// A description, shown in the job list and details.
    #[arg(long, value_name = "TEXT")]
    description: Option<String>,
    /// The job store (default: $ORCH_STORE, else $XDG_STATE_HOME/orch/jobs.sqlite3).
    #[arg(long, value_name = "PATH", env = "ORCH_STORE")]
    store: Option<PathBuf>,
    /// Output: Puppet's text layout, or the event stream as NDJSON.
    #[arg(long, value_enum, default_value_t = RunFormat::Text)]
    format: RunFormat,
}

pub(super) fn run(args: RunArgs) -> Exit {
    let inventory = match args.access.load() {
        Ok(inv) => inv,
        Err(exit) => return exit,
    };
    // A whole-environment job also runs the inventory's nodes that host no component.
    let extra_nodes = if args.source.is_whole_environment() {
        inventory.certnames().map(str::to_owned).collect()
    } else {
        Vec::new()
    };
    let noop = match (args.noop, args.no_noop) {
        (true, _) => Some(true),
        (_, true) => Some(false),
        _ => None,
    };
    let options = JobOptions {
        noop,
        concurrency: args.concurrency as usize,
        timeout: args.timeout.map(Duration::from_secs),
    };
    let (plan, _graph) = match args.source.plan(options.concurrency_limit(), extra_nodes) {
        Ok(p) => p,
        Err(exit) => return exit,
    };
    if plan.node_count() == 0 {
        eprintln!("Error: the target has no nodes to run");
        return Exit::InvalidInput;
    }
    let runtime = match runtime() {
        Ok(rt) => rt,
        Err(exit) => return exit,
    };
    // Pre-flight before the job exists: a job that cannot start is not recorded.
    let preconnected = if args.preflight {
        let (checks, preconnected) =
            runtime.block_on(check_nodes(&plan, &inventory, options.concurrency));
        let failed = checks.failed().count();
        let shown = match args.format {
            RunFormat::Text => crate::commands::print(&format!("{}\n", checks.render())),
            RunFormat::Json => crate::commands::print(&format!("{}\n", checks_json(&checks))),
        };
        if shown != Exit::Success {
            return shown;
        }
        if failed > 0 && !args.no_preflight_abort {
            runtime.block_on(preconnected.close_unused());
            eprintln!(
                "Error: no job was started: {} cannot be used (--no-preflight-abort runs the \
                 job anyway)",
                if failed == 1 {
                    "1 node".to_owned()
                } else {
                    format!("{failed} nodes")
                }
            );
            return Exit::Internal;
        }
        Some(Arc::new(preconnected))
    } else {
        None
    };
    let store = match open_store(args.store.as_deref()) {
        Ok(s) => s,
        Err(exit) => return exit,
    };
    let job = NewJob::for_plan(
        &plan,
        &options,
        crate::commands::user(),
        args.description.clone(),
    );
    let id = match store.create_job(&job) {
        Ok(id) => id,
        Err(e) => {
            eprintln!("Error: {e}");
            return Exit::Internal;
        }
    };
    let mut recorder = match store.recorder(id) {
        Ok(r) => r,
        Err(e) => {
            eprintln!("Error: {e}");
            return Exit::Internal;
        }
    };

    let live = args.format == RunFormat::Text && std::io::stdout().is_terminal();
    let mut output = Output::new(
        args.format,
        RunText::new(&plan),
        live.then(|| Progress::new(&plan)),
    );
    if args.format == RunFormat::Text {
        output.print(&format!(
            "Starting deployment ...\n\n{}New job created: {id}\n",
            orch_planner::render_job_header(&plan, id)
        ));
    } else {
        for w in &plan.warnings {
            eprintln!("Warning: {w}");
        }
    }

    let stop = StopHandle::new();
    // `orch job stop ID` from any terminal reaches this job through the store.
    let _stop_watcher = store
        .watch_stop_requests(id, stop.clone())
        .map_err(|e| eprintln!("Warning: `orch job stop {id}` will not reach this job: {e}"))
        .ok();
    let interrupted = Arc::new(AtomicBool::new(false));
    let transport: Arc<dyn Transport> = match &preconnected {
        Some(p) => p.clone(),
        None => Arc::new(transport()),
    };
    let report = runtime.block_on(async {
        watch_signals(stop.clone(), interrupted.clone());
        let report = orch_runner::run_job(
            id,
            &plan,
            |name| inventory.target(name),
            transport,
            &options,
            &stop,
            &mut [&mut recorder, &mut output],
        )
        .await;
        if let Some(p) = &preconnected {
            p.close_unused().await;
        }
        report
    });
    if let Some(p) = &output.progress {
        p.finish();
    }
    let _ = output.out.flush();
    if let Err(e) = recorder.finish() {
        eprintln!("Error: {e}");
        return Exit::Internal;
    }
    if interrupted.load(Ordering::SeqCst) {
        return Exit::Interrupted;
    }
    Exit::for_job(report.state)
}

/// First Ctrl-C: stop (nothing new starts); a second Ctrl-C or SIGTERM: interrupt running
/// nodes.
fn watch_signals(stop: StopHandle, interrupted: Arc<AtomicBool>) {
    use tokio::signal::unix::{SignalKind, signal};
    let (Ok(mut int), Ok(mut term)) = (
        signal(SignalKind::interrupt()),
        signal(SignalKind::terminate()),
    ) else {
        return;
    };
    tokio::spawn(async move {
        loop {
            tokio::select! {
                Some(()) = int.recv() => {
                    interrupted.store(true, Ordering::SeqCst);
                    if stop.request() == StopLevel::Stop {
                        eprintln!("Stopping: no new runs will start. Press Ctrl-C again to interrupt the running ones.");
                    }
                }
                Some(()) = term.recv() => {
                    interrupted.store(true, Ordering::SeqCst);
                    stop.force();
                }
                else => break,
            }
        }
    });
}

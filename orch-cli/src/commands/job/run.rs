//! `orch job run`: plan, record, run, report.

use std::io::{IsTerminal, Write};
use std::path::PathBuf;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::Duration;

use clap::Args;
use orch_planner::{Plan, Target};
use orch_runner::{
    EventKind, FailurePolicy, Inventory, JobOptions, JobRecord, NewJob, NodeState, Preconnected,
    RunText, StopHandle, StopLevel, Store, Threshold, Transport,
};

use super::PlanSourceArgs;
use super::nodes::{NodeAccessArgs, check_nodes, checks_json, runtime, transport};
use super::output::{Output, RunFormat};
use super::progress::Progress;
use super::remote::ServerArgs;
use crate::commands::open_store;
use crate::exit::Exit;

#[derive(Debug, Args)]
pub(crate) struct RunArgs {
    #[command(flatten)]
    source: PlanSourceArgs,
    #[command(flatten)]
    access: NodeAccessArgs,
    #[command(flatten)]
    server: ServerArgs,
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
    /// Most nodes running at once (0: unlimited; default 100, or the rerun job's).
    #[arg(long, value_name = "N")]
    concurrency: Option<u32>,
    /// Run again the nodes of job ID that did not finish, planned from today's code, with
    /// that job's noop, concurrency and timeout unless given here.
    #[arg(long, value_name = "ID", conflicts_with_all = ["nodes", "applications"])]
    rerun: Option<u64>,
    /// With --rerun: the nodes in these states (comma-separated; default every state but
    /// finished).
    #[arg(long, value_name = "STATES", requires = "rerun", value_delimiter = ',')]
    only: Vec<String>,
    /// Longest a node's run may take; past it the run is killed and the node errored.
    #[arg(long, value_name = "SECS")]
    timeout: Option<u64>,
    /// What a failed or errored node does to the rest: skip its dependents (PE's way), stop
    /// the job (fail-fast), or run its dependents anyway (continue).
    #[arg(long = "on-failure", value_name = "POLICY", default_value = "skip-dependents", value_parser = parse_policy)]
    on_failure: FailurePolicy,
    /// Past this many failed or errored nodes (N, or N% of the job's), stop the job as
    /// fail-fast does.
    #[arg(long = "max-failures", value_name = "N|N%", value_parser = parse_threshold)]
    max_failures: Option<Threshold>,
    /// Run each level in batches of N nodes (or N% of the level), one batch after the other.
    #[arg(long = "batch-size", value_name = "N|N%", value_parser = parse_threshold)]
    batch_size: Option<Threshold>,
    /// Run the first N nodes (in plan order) before any other; if one does not finish, stop.
    #[arg(long, value_name = "N")]
    canary: Option<usize>,
    /// Before each level after the first, ask on the terminal whether to go on.
    #[arg(long = "pause-between-levels")]
    pause_between_levels: bool,
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
    match args.server.client() {
        Ok(Some(client)) => return run_on_server(&args, &client),
        Ok(None) => {}
        Err(exit) => return exit,
    }
    let inventory = match args.access.load() {
        Ok(inv) => inv,
        Err(exit) => return exit,
    };
    // A rerun reads its job from the store, which then records the new one: opened once.
    let mut opened = None;
    let rerun = match args.rerun {
        None => None,
        Some(id) => {
            let loaded = Rerun::states(&args.only).and_then(|states| {
                let store = open_store(args.store.as_deref())?;
                let rerun = Rerun::load(id, &states, &store)?;
                opened = Some(store);
                Ok(rerun)
            });
            match loaded {
                Ok(r) => Some(r),
                Err(exit) => return exit,
            }
        }
    };
    // A whole-environment job also runs the inventory's nodes that host no component.
    let extra_nodes = if rerun.is_none() && args.source.is_whole_environment() {
        inventory.certnames().map(str::to_owned).collect()
    } else {
        Vec::new()
    };
    let options = match job_options(&args, rerun.as_ref()) {
        Ok(o) => o,
        Err(exit) => return exit,
    };
    let planned = match &rerun {
        Some(r) => args.source.plan_target(
            Target::nodes(r.nodes.clone()),
            options.concurrency_limit(),
            extra_nodes,
        ),
        None => args.source.plan(options.concurrency_limit(), extra_nodes),
    };
    let (plan, _graph) = match planned {
        Ok(p) => p,
        Err(exit) => return exit,
    };
    if let Some(r) = &rerun
        && r.job.environment != plan.environment
    {
        eprintln!(
            "Warning: job {} ran in environment {}; this rerun runs in {}",
            r.job.id, r.job.environment, plan.environment
        );
    }
    if plan.node_count() == 0 {
        eprintln!("Error: the target has no nodes to run");
        return Exit::InvalidInput;
    }
    let runtime = match runtime() {
        Ok(rt) => rt,
        Err(exit) => return exit,
    };
    // Pre-flight before the job exists: a job that cannot start is not recorded.
    let preconnected = match preflight(&args, &plan, &inventory, &runtime, &options) {
        Ok(p) => p,
        Err(exit) => return exit,
    };
    let store = match opened.map_or_else(|| open_store(args.store.as_deref()), Ok) {
        Ok(s) => s,
        Err(exit) => return exit,
    };
    let mut job = NewJob::for_plan(
        &plan,
        &options,
        crate::commands::user(),
        args.description.clone(),
    );
    job.rerun_of = rerun.as_ref().map(|r| r.job.id);
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
    let stop = StopHandle::new();
    let stop_for_pause = stop.clone();
    let mut output = Output::new(
        args.format,
        RunText::new(&plan),
        // The live display would draw over the pause's question.
        (live && !args.pause_between_levels).then(|| Progress::new(&plan)),
    );
    if args.pause_between_levels {
        output.on_pause = Some(Box::new(move |event| {
            if let EventKind::JobPaused { level } = event.kind {
                ask_to_resume(stop_for_pause.clone(), level);
            }
        }));
    }
    output.announce(&plan, id);
    if let Some(r) = &rerun
        && args.format == RunFormat::Text
    {
        output.print(&format!("{}\n", r.describe()));
    }

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

/// The job's options: the command line's, else the rerun job's (noop, concurrency, timeout).
fn job_options(args: &RunArgs, rerun: Option<&Rerun>) -> Result<JobOptions, Exit> {
    let noop = match (args.noop, args.no_noop) {
        (true, _) => Some(true),
        (_, true) => Some(false),
        _ => rerun.and_then(|r| r.job.noop),
    };
    if args.pause_between_levels && !std::io::stdin().is_terminal() {
        eprintln!("Error: --pause-between-levels asks on a terminal, and stdin is not one");
        return Err(Exit::InvalidInput);
    }
    let concurrency = args
        .concurrency
        .or_else(|| rerun.map(|r| r.job.concurrency.unwrap_or(0)))
        .map_or(orch_runner::DEFAULT_CONCURRENCY, |c| c as usize);
    let timeout = args.timeout.or_else(|| rerun.and_then(|r| r.job.timeout_s));
    Ok(JobOptions {
        noop,
        concurrency,
        timeout: timeout.map(Duration::from_secs),
        on_failure: args.on_failure,
        max_failures: args.max_failures,
        batch_size: args.batch_size,
        canary: args.canary,
        pause_between_levels: args.pause_between_levels,
    })
}

/// `--preflight`: every node checked (and connected) before the job exists; `Err` when the
/// checks say the job must not start.
fn preflight(
    args: &RunArgs,
    plan: &Plan,
    inventory: &Inventory,
    runtime: &tokio::runtime::Runtime,
    options: &JobOptions,
) -> Result<Option<Arc<Preconnected>>, Exit> {
    if !args.preflight {
        return Ok(None);
    }
    let (checks, preconnected) =
        runtime.block_on(check_nodes(plan, inventory, options.concurrency));
    let failed = checks.failed().count();
    let shown = match args.format {
        RunFormat::Text => crate::commands::print(&format!("{}\n", checks.render())),
        RunFormat::Json => crate::commands::print(&format!("{}\n", checks_json(&checks))),
    };
    if shown != Exit::Success {
        return Err(shown);
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
        return Err(Exit::Internal);
    }
    Ok(Some(Arc::new(preconnected)))
}

/// `--server`: the server plans, records and runs the job; this prints it as it goes.
fn run_on_server(args: &RunArgs, client: &orch_server::Client) -> Exit {
    let local_only = [
        (args.preflight, "--preflight"),
        (args.rerun.is_some(), "--rerun"),
        (args.on_failure != FailurePolicy::default(), "--on-failure"),
        (args.max_failures.is_some(), "--max-failures"),
        (args.batch_size.is_some(), "--batch-size"),
        (args.canary.is_some(), "--canary"),
        (args.pause_between_levels, "--pause-between-levels"),
    ];
    // `--store` and `--inventory` (often set through $ORCH_STORE, $ORCH_INVENTORY) are this
    // machine's: the server uses its own.
    if let Some((_, flag)) = local_only.iter().find(|(given, _)| *given) {
        eprintln!(
            "Error: {flag} is not available with --server (the server runs the job with its \
             inventory, store and defaults)"
        );
        return Exit::InvalidInput;
    }
    let scope = match args.source.scope() {
        Ok(s) => s,
        Err(exit) => return exit,
    };
    let request = orch_server::DeployRequest {
        environment: args.source.environment().to_owned(),
        scope,
        noop: match (args.noop, args.no_noop) {
            (true, _) => Some(true),
            (_, true) => Some(false),
            _ => None,
        },
        // The server's default is PE's (unlimited); orch's CLI default is 100.
        concurrency: match args.concurrency {
            Some(0) => None,
            Some(n) => Some(n),
            None => Some(orch_runner::DEFAULT_CONCURRENCY as u32),
        },
        timeout_s: args.timeout,
        description: args.description.clone(),
    };
    super::remote::run(client, request, args.format)
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

/// `--rerun ID`: the job, and its nodes to run again.
struct Rerun {
    job: JobRecord,
    nodes: Vec<String>,
    /// How many of them ended in each state there.
    counts: orch_runner::NodeCounts,
}

impl Rerun {
    /// `--only`'s states; none given: every state but `finished`.
    fn states(only: &[String]) -> Result<Vec<NodeState>, Exit> {
        if only.is_empty() {
            return Ok(NodeState::ALL
                .into_iter()
                .filter(|s| *s != NodeState::Finished)
                .collect());
        }
        only.iter()
            .map(|s| s.trim().parse::<NodeState>())
            .collect::<Result<_, _>>()
            .map_err(|e| {
                eprintln!("Error: --only: {e}");
                Exit::InvalidInput
            })
    }

    fn load(id: u64, states: &[NodeState], store: &Store) -> Result<Rerun, Exit> {
        let job = store.job(id).map_err(|e| {
            eprintln!("Error: {e}");
            if matches!(e, orch_runner::Error::UnknownJob { .. }) {
                Exit::InvalidInput
            } else {
                Exit::Internal
            }
        })?;
        let mut counts = orch_runner::NodeCounts::default();
        let nodes: Vec<String> = job
            .nodes
            .iter()
            .filter(|n| states.contains(&n.state))
            .map(|n| {
                counts.add(n.state);
                n.name.clone()
            })
            .collect();
        if nodes.is_empty() {
            let names: Vec<&str> = states.iter().map(|s| s.as_str()).collect();
            eprintln!(
                "Error: job {id} has no nodes in {}: nothing to rerun",
                names.join(", ")
            );
            return Err(Exit::InvalidInput);
        }
        Ok(Rerun { job, nodes, counts })
    }

    /// `Rerun of job 1: 2 nodes (1 failed, 1 skipped there)`.
    fn describe(&self) -> String {
        let counts = &self.counts;
        let states: Vec<String> = NodeState::ALL
            .into_iter()
            .filter(|&s| counts.get(s) > 0)
            .map(|s| format!("{} {}", counts.get(s), s.as_str()))
            .collect();
        let nodes = if self.nodes.len() == 1 {
            "node"
        } else {
            "nodes"
        };
        format!(
            "Rerun of job {}: {} {nodes} ({} there)",
            self.job.id,
            self.nodes.len(),
            states.join(", ")
        )
    }
}

fn parse_policy(s: &str) -> Result<FailurePolicy, String> {
    s.parse()
}

fn parse_threshold(s: &str) -> Result<Threshold, String> {
    s.parse()
}

/// `--pause-between-levels`: asks on the terminal, off the scheduler's task, and answers
/// through the stop handle (yes: resume the level; anything else: stop the job).
fn ask_to_resume(stop: StopHandle, level: usize) {
    std::thread::spawn(move || {
        eprint!("Continue with level {level}? [y/N] ");
        let mut answer = String::new();
        let yes = std::io::stdin().read_line(&mut answer).is_ok()
            && matches!(answer.trim(), "y" | "Y" | "yes");
        if yes {
            stop.resume(level);
        } else {
            stop.stop();
        }
    });
}

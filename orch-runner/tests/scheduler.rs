//! The scheduler on recorded timelines (scripted transport, tokio's paused clock: exact times).

use std::collections::{BTreeMap, HashMap};
use std::time::Duration;

use orch_runner::{
    ErrorCause, Event, EventKind, EventLog, JobOptions, JobState, NodeState, NodeTarget, Script,
    StopHandle, TransportKind, run_job,
};
use proptest::prelude::*;

use crate::common::{plan_of, plan_of_dag, random_dag, run, scripted};

fn ms(n: u64) -> Duration {
    Duration::from_millis(n)
}

/// seq of each node's first event of the given type.
fn seq_of(events: &[Event], ty: &str) -> HashMap<String, u64> {
    events
        .iter()
        .filter(|e| e.kind.name() == ty)
        .map(|e| (e.kind.node().unwrap().to_owned(), e.seq))
        .collect()
}

fn node_end_seq(events: &[Event]) -> HashMap<String, u64> {
    events
        .iter()
        .filter(|e| {
            matches!(
                e.kind,
                EventKind::NodeFinished { .. }
                    | EventKind::NodeFailed { .. }
                    | EventKind::NodeErrored { .. }
                    | EventKind::NodeSkipped { .. }
            )
        })
        .map(|e| (e.kind.node().unwrap().to_owned(), e.seq))
        .collect()
}

fn state_of(report: &orch_runner::JobReport, node: &str) -> NodeState {
    report.nodes.iter().find(|n| n.name == node).unwrap().state
}

#[tokio::test(start_paused = true)]
async fn a_node_starts_when_its_own_dependencies_finish_not_its_level() {
    // db (slow) -> web ; cache (fast) -> api. api must not wait for db.
    let plan = plan_of(&[
        ("db", &[]),
        ("cache", &[]),
        ("web", &["db"]),
        ("api", &["cache"]),
    ]);
    let t = scripted(&[
        ("db", Script::exit(0, 1000)),
        ("cache", Script::exit(0, 100)),
        ("web", Script::exit(2, 100)),
        ("api", Script::exit(0, 100)),
    ]);
    let (report, events) = run(&plan, &t, &JobOptions::default(), &StopHandle::new()).await;
    assert_eq!(report.state, JobState::Finished);
    let runs: HashMap<_, _> = t.runs().into_iter().map(|r| (r.node.clone(), r)).collect();
    assert_eq!(runs["api"].started, ms(100), "api waits only for cache");
    assert_eq!(runs["web"].started, ms(1000));
    assert!(runs["web"].started >= runs["db"].ended);
    // In the event stream too: web starts after db's end.
    let running = seq_of(&events, "node_running");
    let ended = node_end_seq(&events);
    assert!(running["web"] > ended["db"]);
    assert!(running["api"] > ended["cache"]);
    // Exit 2 (changes) is success.
    assert_eq!(state_of(&report, "web"), NodeState::Finished);
    assert_eq!(events.first().unwrap().kind.name(), "job_started");
    let last = events.last().unwrap();
    assert!(matches!(
        last.kind,
        EventKind::JobFinished {
            state: JobState::Finished,
            ..
        }
    ));
    assert_eq!(last.message, "Success! 4/4 runs succeeded.");
    // seq has no gaps.
    assert!(
        events
            .iter()
            .enumerate()
            .all(|(i, e)| e.seq == i as u64 + 1)
    );
}

#[tokio::test(start_paused = true)]
async fn the_concurrency_limit_holds_and_is_reached() {
    let names: Vec<String> = (0..10).map(|i| format!("n{i:02}")).collect();
    let nodes: Vec<(&str, &[&str])> = names.iter().map(|n| (n.as_str(), &[][..])).collect();
    let plan = plan_of(&nodes);
    let t = orch_runner::ScriptedTransport::new(HashMap::new(), Script::exit(0, 100));
    let options = JobOptions {
        concurrency: 3,
        ..JobOptions::default()
    };
    let (report, _) = run(&plan, &t, &options, &StopHandle::new()).await;
    assert_eq!(report.state, JobState::Finished);
    assert_eq!(max_overlap(&t.runs()), 3);
    // 10 runs of 100 ms, 3 at a time: 4 rounds.
    let end = t.runs().iter().map(|r| r.ended).max().unwrap();
    assert_eq!(end, ms(400));

    // 0 is unlimited.
    let t = orch_runner::ScriptedTransport::new(HashMap::new(), Script::exit(0, 100));
    let options = JobOptions {
        concurrency: 0,
        ..JobOptions::default()
    };
    run(&plan, &t, &options, &StopHandle::new()).await;
    assert_eq!(max_overlap(&t.runs()), 10);
}

fn max_overlap(runs: &[orch_runner::ScriptedRun]) -> usize {
    let mut points: Vec<(Duration, i32)> = Vec::new();
    for r in runs {
        points.push((r.started, 1));
        points.push((r.ended, -1));
    }
    // Ends before starts at the same instant: a slot freed is reused.
    points.sort_by_key(|&(t, d)| (t, d));
    let (mut now, mut max) = (0i32, 0i32);
    for (_, d) in points {
        now += d;
        max = max.max(now);
    }
    max as usize
}

#[tokio::test(start_paused = true)]
async fn failure_skips_dependents_transitively_and_independent_branches_go_on() {
    // db fails; web depends on db, lb on web; cache and api are independent.
    let plan = plan_of(&[
        ("db", &[]),
        ("cache", &[]),
        ("web", &["db", "cache"]),
        ("lb", &["web"]),
        ("api", &["cache"]),
    ]);
    let t = scripted(&[
        (
            "db",
            Script::Exit {
                after: ms(50),
                code: 4,
                output: "Notice: ...\nError: Could not apply\n".into(),
            },
        ),
        ("cache", Script::exit(0, 200)),
        ("api", Script::exit(0, 10)),
    ]);
    let (report, events) = run(&plan, &t, &JobOptions::default(), &StopHandle::new()).await;
    assert_eq!(report.state, JobState::Failed);
    assert_eq!(state_of(&report, "db"), NodeState::Failed);
    assert_eq!(state_of(&report, "web"), NodeState::Skipped);
    assert_eq!(state_of(&report, "lb"), NodeState::Skipped);
    assert_eq!(state_of(&report, "cache"), NodeState::Finished);
    assert_eq!(state_of(&report, "api"), NodeState::Finished);
    let because: BTreeMap<_, _> = report
        .nodes
        .iter()
        .filter_map(|n| Some((n.name.as_str(), n.skipped_because.as_deref()?)))
        .collect();
    assert_eq!(because, BTreeMap::from([("lb", "web"), ("web", "db")]));
    let messages: Vec<&str> = events.iter().map(|e| e.message.as_str()).collect();
    assert!(messages.contains(&"Error running puppet on db: exit code 4 (the run had failures)"));
    assert!(messages.contains(&"Skipped puppet run on web: its dependency db failed"));
    assert!(messages.contains(&"Skipped puppet run on lb: its dependency web was skipped"));
    assert_eq!(
        events.last().unwrap().message,
        "Job failed. 1 nodes failed, 2 nodes skipped, 2 nodes succeeded."
    );
    // The failed run's output travels with its event.
    let failed = events
        .iter()
        .find(|e| e.kind.name() == "node_failed")
        .unwrap();
    let EventKind::NodeFailed { output, .. } = &failed.kind else {
        unreachable!()
    };
    assert_eq!(output.last_lines(1), ["Error: Could not apply"]);
    // Skipped nodes never ran.
    assert!(t.runs().iter().all(|r| r.node != "web" && r.node != "lb"));
}

#[tokio::test(start_paused = true)]
async fn errors_of_every_kind_are_errored_and_skip_dependents() {
    let plan = plan_of(&[
        ("a", &[]),
        ("b", &[]),
        ("c", &[]),
        ("a2", &["a"]),
        ("b2", &["b"]),
    ]);
    let t = scripted(&[
        ("a", Script::Unreachable("connection refused".into())),
        (
            "b",
            Script::CouldNotStart("could not start `puppet`: No such file or directory".into()),
        ),
        ("c", Script::exit(1, 5)),
    ]);
    let (report, events) = run(&plan, &t, &JobOptions::default(), &StopHandle::new()).await;
    let node = |n: &str| report.nodes.iter().find(|x| x.name == n).unwrap();
    assert_eq!(node("a").state, NodeState::Errored);
    assert_eq!(node("a").error, Some(ErrorCause::Unreachable));
    assert_eq!(node("b").error, Some(ErrorCause::CouldNotStart));
    assert_eq!(node("c").state, NodeState::Failed);
    assert_eq!(node("c").exit_code, Some(1));
    assert_eq!(node("a2").state, NodeState::Skipped);
    assert_eq!(node("b2").state, NodeState::Skipped);
    assert!(
        events
            .iter()
            .any(|e| e.message == "Skipped puppet run on a2: its dependency a errored")
    );
    assert!(
        events
            .iter()
            .any(|e| e.message == "Error running puppet on a: connection refused")
    );
}

#[tokio::test(start_paused = true)]
async fn a_run_past_the_timeout_is_killed_and_errored() {
    let plan = plan_of(&[
        ("slow", &[]),
        ("hang", &[]),
        ("quick", &[]),
        ("after", &["slow"]),
    ]);
    let t = scripted(&[
        ("slow", Script::exit(0, 5000)),
        ("hang", Script::Hang),
        ("quick", Script::exit(0, 100)),
    ]);
    let options = JobOptions {
        timeout: Some(Duration::from_secs(2)),
        ..JobOptions::default()
    };
    let (report, events) = run(&plan, &t, &options, &StopHandle::new()).await;
    for n in ["slow", "hang"] {
        let node = report.nodes.iter().find(|x| x.name == n).unwrap();
        assert_eq!(node.state, NodeState::Errored);
        assert_eq!(node.error, Some(ErrorCause::TimedOut));
        assert_eq!(
            node.message,
            format!("Error running puppet on {n}: timed out after 2 sec; the run was killed")
        );
    }
    assert_eq!(state_of(&report, "quick"), NodeState::Finished);
    assert_eq!(state_of(&report, "after"), NodeState::Skipped);
    let runs: HashMap<_, _> = t.runs().into_iter().map(|r| (r.node.clone(), r)).collect();
    assert!(runs["slow"].cancelled && runs["hang"].cancelled);
    assert_eq!(runs["slow"].ended, ms(2000));
    let EventKind::NodeErrored { duration_s, .. } = events
        .iter()
        .find(|e| e.kind.node() == Some("hang") && e.kind.name() == "node_errored")
        .unwrap()
        .kind
    else {
        unreachable!()
    };
    assert_eq!(duration_s, 2.0);
}

#[tokio::test(start_paused = true)]
async fn noop_flags_and_environment_reach_the_command() {
    let plan = plan_of(&[("db", &[])]);
    for (noop, flag, env) in [
        (Some(true), Some("--noop"), Some("true")),
        (Some(false), Some("--no-noop"), Some("false")),
        (None, None, None),
    ] {
        let t = scripted(&[]);
        let options = JobOptions {
            noop,
            ..JobOptions::default()
        };
        run(&plan, &t, &options, &StopHandle::new()).await;
        let request = &t.runs()[0].request;
        let mut argv = vec![
            "puppet",
            "agent",
            "--test",
            "--detailed-exitcodes",
            "--environment",
            "production",
        ];
        argv.extend(flag);
        assert_eq!(request.argv, argv);
        let vars: HashMap<&str, &str> = request
            .env
            .iter()
            .map(|(k, v)| (k.as_str(), v.as_str()))
            .collect();
        assert_eq!(vars["ORCH_JOB_ID"], "1");
        assert_eq!(vars["ORCH_NODE"], "db");
        assert_eq!(vars["ORCH_ENVIRONMENT"], "production");
        assert_eq!(vars.get("ORCH_NOOP").copied(), env);
    }
}

#[tokio::test(start_paused = true)]
async fn the_first_stop_lets_running_nodes_finish_and_skips_the_rest() {
    let plan = plan_of(&[("a", &[]), ("b", &[]), ("c", &[]), ("a2", &["a"])]);
    let t = orch_runner::ScriptedTransport::new(HashMap::new(), Script::exit(0, 1000));
    let options = JobOptions {
        concurrency: 2,
        ..JobOptions::default()
    };
    let stop = StopHandle::new();
    let stopper = stop.clone();
    tokio::spawn(async move {
        tokio::time::sleep(ms(500)).await;
        stopper.request();
    });
    let (report, events) = run(&plan, &t, &options, &stop).await;
    assert_eq!(report.state, JobState::Stopped);
    assert_eq!(state_of(&report, "a"), NodeState::Finished);
    assert_eq!(state_of(&report, "b"), NodeState::Finished);
    assert_eq!(state_of(&report, "c"), NodeState::Skipped);
    assert_eq!(state_of(&report, "a2"), NodeState::Skipped);
    assert!(t.runs().iter().all(|r| !r.cancelled && r.ended == ms(1000)));
    let stopping: Vec<&Event> = events
        .iter()
        .filter(|e| e.kind.name() == "job_stopping")
        .collect();
    assert_eq!(stopping.len(), 1);
    assert_eq!(
        stopping[0].message,
        "Stopping job 1: no new runs will start; 2 running nodes will finish"
    );
    assert!(
        events
            .iter()
            .any(|e| e.message == "Skipped puppet run on c: the job was stopped")
    );
}

#[tokio::test(start_paused = true)]
async fn the_second_stop_kills_running_nodes() {
    let plan = plan_of(&[("a", &[]), ("b", &[]), ("c", &["a"])]);
    let t = orch_runner::ScriptedTransport::new(HashMap::new(), Script::Hang);
    let stop = StopHandle::new();
    let stopper = stop.clone();
    tokio::spawn(async move {
        tokio::time::sleep(ms(100)).await;
        stopper.request();
        tokio::time::sleep(ms(100)).await;
        stopper.request();
    });
    let (report, events) = run(&plan, &t, &JobOptions::default(), &stop).await;
    assert_eq!(report.state, JobState::Stopped);
    for n in ["a", "b"] {
        let node = report.nodes.iter().find(|x| x.name == n).unwrap();
        assert_eq!(node.state, NodeState::Errored);
        assert_eq!(node.error, Some(ErrorCause::Interrupted));
    }
    assert_eq!(state_of(&report, "c"), NodeState::Skipped);
    assert!(t.runs().iter().all(|r| r.cancelled && r.ended == ms(200)));
    let forces: Vec<bool> = events
        .iter()
        .filter_map(|e| match e.kind {
            EventKind::JobStopping { force } => Some(force),
            _ => None,
        })
        .collect();
    assert_eq!(forces, [false, true]);
}

#[tokio::test(start_paused = true)]
async fn a_stop_before_the_start_runs_nothing() {
    let plan = plan_of(&[("a", &[]), ("b", &["a"])]);
    let t = scripted(&[]);
    let stop = StopHandle::new();
    stop.stop();
    let (report, _) = run(&plan, &t, &JobOptions::default(), &stop).await;
    assert_eq!(report.state, JobState::Stopped);
    assert!(t.runs().is_empty());
    assert_eq!(report.node_states.get(NodeState::Skipped), 2);
}

// Random DAGs, random outcomes and durations, random limits: the invariants hold.
proptest! {
    #![proptest_config(ProptestConfig::with_cases(64))]
    #[test]
    fn invariants_hold_on_random_plans(
        n in 1usize..40,
        edges in proptest::collection::vec((0usize..40, 0usize..40), 0..80),
        outcomes in proptest::collection::vec((0u8..10, 1u64..50), 40),
        limit in 0usize..6,
    ) {
        let (names, deps) = random_dag(n, &edges);
        let plan = plan_of_dag(&names, &deps);
        let scripts: Vec<(&str, Script)> = (0..n).map(|i| {
            let (o, d) = outcomes[i];
            let script = match o {
                0 => Script::exit(4, d),
                1 => Script::Unreachable("down".into()),
                2 => Script::exit(2, d),
                _ => Script::exit(0, d),
            };
            (names[i].as_str(), script)
        }).collect();
        let t = scripted(&scripts);
        let options = JobOptions { concurrency: limit, ..JobOptions::default() };
        let rt = tokio::runtime::Builder::new_current_thread().enable_all().start_paused(true).build().unwrap();
        let (report, events) = rt.block_on(run(&plan, &t, &options, &StopHandle::new()));

        let runs: HashMap<String, orch_runner::ScriptedRun> = t.runs().into_iter().map(|r| (r.node.clone(), r)).collect();
        let state: HashMap<&str, NodeState> = report.nodes.iter().map(|x| (x.name.as_str(), x.state)).collect();
        for i in 0..n {
            let me = names[i].as_str();
            let my_deps = &deps[i];
            let all_deps_finished = my_deps.iter().all(|d| state[d.as_str()] == NodeState::Finished);
            if all_deps_finished {
                // Ran (or errored connecting), never skipped.
                prop_assert_ne!(state[me], NodeState::Skipped);
            } else {
                // Skipped, naming a dependency that did not finish.
                prop_assert_eq!(state[me], NodeState::Skipped);
                let why = report.nodes[report.nodes.iter().position(|x| x.name == me).unwrap()].skipped_because.clone().unwrap();
                prop_assert!(my_deps.contains(&why));
                prop_assert_ne!(state[why.as_str()], NodeState::Finished);
                prop_assert!(!runs.contains_key(me));
            }
            if let Some(r) = runs.get(me) {
                for d in my_deps {
                    // No node starts before all its dependencies ended.
                    prop_assert!(r.started >= runs[d].ended);
                }
            }
        }
        if limit > 0 {
            prop_assert!(max_overlap(&t.runs().into_iter().collect::<Vec<_>>()) <= limit);
        }
        // Every node ends exactly once in the stream; the stream ends with job_finished.
        let ends = events.iter().filter(|e| e.kind.name().starts_with("node_") && e.kind.name() != "node_running").count();
        prop_assert_eq!(ends, n);
        prop_assert_eq!(events.last().unwrap().kind.name(), "job_finished");
        let all_ok = report.nodes.iter().all(|x| x.state == NodeState::Finished);
        prop_assert_eq!(report.state, if all_ok { JobState::Finished } else { JobState::Failed });
    }
}

// --- Run summaries: read after each run over the node's connection.

/// A Puppet 7 summary written `age_s` seconds ago with these resource counts.
fn summary_yaml(age_s: i64, failed: u64, changed: u64, failure_events: u64) -> Vec<u8> {
    let now = orch_runner::Timestamp::now().as_millis() / 1000;
    format!(
        "---\nversion:\n  config: 1796288400\n  puppet: 7.23.0\nresources:\n  changed: {changed}\n  \
         failed: {failed}\n  failed_to_restart: 0\n  out_of_sync: {}\n  skipped: 0\n  total: 40\n\
         time:\n  total: 1.25\n  last_run: {}\nevents:\n  failure: {failure_events}\n  success: \
         {changed}\n  total: {}\n",
        changed + failed,
        now - age_s,
        changed + failure_events
    )
    .into_bytes()
}

fn summary_of(events: &[Event], node: &str) -> orch_runner::RunSummary {
    events
        .iter()
        .find_map(|e| match &e.kind {
            EventKind::NodeFinished {
                node: n, summary, ..
            }
            | EventKind::NodeFailed {
                node: n, summary, ..
            } if n == node => summary.clone(),
            _ => None,
        })
        .unwrap_or_else(|| panic!("no summary for {node}"))
}

fn message_of(events: &[Event], node: &str) -> String {
    events
        .iter()
        .rev()
        .find(|e| e.kind.node() == Some(node))
        .map(|e| e.message.clone())
        .unwrap()
}

#[tokio::test(start_paused = true)]
async fn summaries_are_read_and_judged_fresh_missing_unreadable_or_stale() {
    use orch_runner::{DEFAULT_SUMMARY_PATH, SummaryStatus};
    let plan = plan_of(&[("ok", &[]), ("missing", &[]), ("bad", &[]), ("old", &[])]);
    let t = scripted(&[("ok", Script::exit(2, 10))])
        .with_file("ok", DEFAULT_SUMMARY_PATH, summary_yaml(0, 0, 2, 0))
        .with_file("bad", DEFAULT_SUMMARY_PATH, b"resources: [1, 2\n".to_vec())
        .with_file("old", DEFAULT_SUMMARY_PATH, summary_yaml(3600, 1, 0, 1));
    let (report, events) = run(&plan, &t, &JobOptions::default(), &StopHandle::new()).await;
    assert_eq!(
        report.state,
        JobState::Finished,
        "summaries never fail a job by themselves"
    );

    let ok = summary_of(&events, "ok");
    assert_eq!(ok.status, SummaryStatus::Ok);
    assert_eq!(ok.path, DEFAULT_SUMMARY_PATH);
    assert_eq!(
        (
            ok.resources.changed,
            ok.resources.unchanged,
            ok.resources.total
        ),
        (Some(2), Some(38), Some(40))
    );
    assert_eq!(ok.config_version.as_deref(), Some("1796288400"));
    assert_eq!(ok.run_time_s, Some(1.25));
    let node = report.nodes.iter().find(|n| n.name == "ok").unwrap();
    assert_eq!(
        node.summary.as_ref(),
        Some(&ok),
        "the report carries it too"
    );

    assert_eq!(
        summary_of(&events, "missing").status,
        SummaryStatus::Missing
    );
    let bad = summary_of(&events, "bad");
    assert_eq!(bad.status, SummaryStatus::Unreadable);
    assert!(bad.reason.unwrap().contains("line"));
    // An hour old, with a failure in it: an earlier run's, so it fails nothing.
    let old = summary_of(&events, "old");
    assert_eq!(old.status, SummaryStatus::Stale);
    assert_eq!(state_of(&report, "old"), NodeState::Finished);
    // Whole seconds against orch's milliseconds: 1 h 0 min 0 or 1 sec.
    assert!(old.reason.unwrap().starts_with("written 1 h 0 min"));
}

#[tokio::test(start_paused = true)]
async fn failures_in_a_fresh_summary_fail_a_node_that_exited_0_or_2() {
    let plan = plan_of(&[("a", &[]), ("b", &[]), ("c", &[]), ("after_a", &["a"])]);
    let path = orch_runner::DEFAULT_SUMMARY_PATH;
    let t = scripted(&[("a", Script::exit(2, 10)), ("c", Script::exit(4, 10))])
        .with_file("a", path, summary_yaml(0, 1, 3, 1))
        .with_file("b", path, summary_yaml(0, 0, 0, 2))
        .with_file("c", path, summary_yaml(0, 2, 0, 2));
    let (report, events) = run(&plan, &t, &JobOptions::default(), &StopHandle::new()).await;
    assert_eq!(report.state, JobState::Failed);
    assert_eq!(state_of(&report, "a"), NodeState::Failed);
    assert_eq!(
        message_of(&events, "a"),
        "Error running puppet on a: the run summary reports 1 failed resource (exit code 2)"
    );
    assert_eq!(
        message_of(&events, "b"),
        "Error running puppet on b: the run summary reports 2 failed events (exit code 0)"
    );
    // Failed by its exit code already: the exit code's message stands, the summary is kept.
    assert_eq!(
        message_of(&events, "c"),
        "Error running puppet on c: exit code 4 (the run had failures)"
    );
    assert_eq!(summary_of(&events, "c").resources.failed, Some(2));
    let a = events
        .iter()
        .find(|e| e.kind.name() == "node_failed" && e.kind.node() == Some("a"))
        .unwrap();
    assert!(matches!(
        a.kind,
        EventKind::NodeFailed {
            exit_code: Some(2),
            ..
        }
    ));
    // Like any failure, it skips what depends on the node.
    assert_eq!(state_of(&report, "after_a"), NodeState::Skipped);
}

#[tokio::test(start_paused = true)]
async fn the_summary_is_read_from_the_targets_own_path() {
    let plan = plan_of(&[("a", &[])]);
    let t = scripted(&[]).with_file("a", "/var/a.yaml", summary_yaml(0, 0, 1, 0));
    let mut log = EventLog::default();
    run_job(
        1,
        &plan,
        |name| NodeTarget {
            summary: Some("/var/a.yaml".into()),
            ..NodeTarget::default_for(name, TransportKind::Local)
        },
        std::sync::Arc::new(t),
        &JobOptions::default(),
        &StopHandle::new(),
        &mut [&mut log],
    )
    .await;
    let s = summary_of(&log.0, "a");
    assert_eq!(
        (s.status, s.path.as_str()),
        (orch_runner::SummaryStatus::Ok, "/var/a.yaml")
    );
}

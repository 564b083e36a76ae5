//! Failure policies and rollout control on recorded timelines (tokio's paused clock).

use std::sync::Arc;
use std::time::Duration;

use orch_runner::{
    EventKind, EventLog, FailurePolicy, JobOptions, JobState, NodeState, NodeTarget, Script,
    ScriptedTransport, StopHandle, Threshold, TransportKind, run_job,
};

use crate::common::{plan_of, plan_of_dag, random_dag, run, scripted};

fn ms(n: u64) -> Duration {
    Duration::from_millis(n)
}

/// When each node's run started and ended, by name.
fn timeline(t: &ScriptedTransport) -> Vec<(String, Duration, Duration)> {
    let mut v: Vec<_> = t
        .runs()
        .into_iter()
        .map(|r| (r.node, r.started, r.ended))
        .collect();
    v.sort();
    v
}

fn states(report: &orch_runner::JobReport) -> Vec<(&str, NodeState)> {
    report
        .nodes
        .iter()
        .map(|n| (n.name.as_str(), n.state))
        .collect()
}

/// a → b → c, and an independent d; a fails after 100 ms.
fn chain() -> orch_planner::Plan {
    plan_of(&[("a", &[]), ("d", &[]), ("b", &["a"]), ("c", &["b"])])
}

#[tokio::test(start_paused = true)]
async fn fail_fast_stops_the_job_at_the_first_failure() {
    let t = scripted(&[("a", Script::exit(4, 100)), ("d", Script::exit(0, 300))]);
    let options = JobOptions {
        on_failure: FailurePolicy::FailFast,
        ..JobOptions::default()
    };
    let (report, events) = run(&chain(), &t, &options, &StopHandle::new()).await;
    assert_eq!(
        report.state,
        JobState::Failed,
        "a policy's stop is a failure"
    );
    assert_eq!(
        states(&report),
        [
            ("a", NodeState::Failed),
            ("d", NodeState::Finished),
            ("b", NodeState::Skipped),
            ("c", NodeState::Skipped)
        ]
    );
    // d was running and finished; nothing started after a failed.
    assert_eq!(timeline(&t).len(), 2);
    let stopping = events
        .iter()
        .find(|e| matches!(e.kind, EventKind::JobStopping { force: false }))
        .unwrap();
    assert_eq!(
        stopping.message,
        "Stopping job 1: a did not finish (--on-failure fail-fast); no new runs will start; 1 \
         running node will finish"
    );
    assert!(events.iter().any(|e| e.message
        == "Skipped puppet run on c: its dependency b was skipped"
        || e.message == "Skipped puppet run on c: a did not finish (--on-failure fail-fast)"));
}

#[tokio::test(start_paused = true)]
async fn continue_runs_dependents_anyway_and_says_so() {
    let t = scripted(&[("a", Script::exit(4, 100))]);
    let options = JobOptions {
        on_failure: FailurePolicy::Continue,
        ..JobOptions::default()
    };
    let (report, events) = run(&chain(), &t, &options, &StopHandle::new()).await;
    assert_eq!(report.state, JobState::Failed);
    assert_eq!(report.node_states.get(NodeState::Finished), 3);
    let b = events
        .iter()
        .find_map(|e| match &e.kind {
            EventKind::NodeRunning {
                node,
                failed_dependencies,
                ..
            } if node == "b" => Some((failed_dependencies.clone(), e.message.clone())),
            _ => None,
        })
        .unwrap();
    assert_eq!(b.0, ["a"]);
    assert_eq!(
        b.1,
        "Started puppet run on b ... (although a did not finish: --on-failure continue)"
    );
    // c's own dependency finished: a plain start.
    let json = events
        .iter()
        .find(|e| matches!(&e.kind, EventKind::NodeRunning { node, .. } if node == "c"))
        .unwrap()
        .to_json_line();
    assert!(!json.contains("failed_dependencies"), "{json}");
}

#[tokio::test(start_paused = true)]
async fn max_failures_stops_the_job_past_the_threshold() {
    let names: Vec<String> = (0..10).map(|i| format!("n{i}")).collect();
    let nodes: Vec<(&str, &[&str])> = names.iter().map(|n| (n.as_str(), &[][..])).collect();
    let plan = plan_of(&nodes);
    // n0..n2 fail at 100, 200, 300 ms; one at a time. Count(1): one failure is allowed, the
    // second is past it. 20% of 10 is 2: the third stops it.
    for (limit, failed) in [(Threshold::Count(1), 2), (Threshold::Percent(20), 3)] {
        let t = scripted(&[
            ("n0", Script::exit(1, 100)),
            ("n1", Script::exit(1, 100)),
            ("n2", Script::exit(1, 100)),
        ]);
        let options = JobOptions {
            concurrency: 1,
            max_failures: Some(limit),
            ..JobOptions::default()
        };
        let (report, _) = run(&plan, &t, &options, &StopHandle::new()).await;
        assert_eq!(report.node_states.get(NodeState::Failed), failed, "{limit}");
        assert_eq!(report.node_states.get(NodeState::Skipped), 10 - failed);
        assert_eq!(t.runs().len(), failed);
    }
}

#[tokio::test(start_paused = true)]
async fn batches_run_each_level_a_batch_at_a_time() {
    // Level 0: five nodes; level 1: one node depending on all of them.
    let plan = plan_of(&[
        ("a", &[]),
        ("b", &[]),
        ("c", &[]),
        ("d", &[]),
        ("e", &[]),
        ("z", &["a", "b", "c", "d", "e"]),
    ]);
    let t = ScriptedTransport::new(Default::default(), Script::exit(0, 100));
    let options = JobOptions {
        batch_size: Some(Threshold::Count(2)),
        ..JobOptions::default()
    };
    let (report, _) = run(&plan, &t, &options, &StopHandle::new()).await;
    assert_eq!(report.state, JobState::Finished);
    assert_eq!(
        timeline(&t),
        [
            ("a".into(), ms(0), ms(100)),
            ("b".into(), ms(0), ms(100)),
            ("c".into(), ms(100), ms(200)),
            ("d".into(), ms(100), ms(200)),
            ("e".into(), ms(200), ms(300)),
            ("z".into(), ms(300), ms(400)),
        ]
    );
    // A failure in a batch does not hold the next one (the policy decides that).
    let t = ScriptedTransport::new(
        [("a".to_owned(), Script::exit(4, 100))].into(),
        Script::exit(0, 100),
    );
    let options = JobOptions {
        batch_size: Some(Threshold::Percent(40)),
        ..JobOptions::default()
    };
    let (report, _) = run(&plan, &t, &options, &StopHandle::new()).await;
    assert_eq!(report.node_states.get(NodeState::Finished), 4);
    assert_eq!(report.nodes[5].state, NodeState::Skipped);
}

#[tokio::test(start_paused = true)]
async fn canaries_run_first_and_a_failed_canary_stops_the_job() {
    let names: Vec<String> = (0..6).map(|i| format!("n{i}")).collect();
    let nodes: Vec<(&str, &[&str])> = names.iter().map(|n| (n.as_str(), &[][..])).collect();
    let plan = plan_of(&nodes);
    let t = ScriptedTransport::new(Default::default(), Script::exit(0, 100));
    let options = JobOptions {
        canary: Some(2),
        ..JobOptions::default()
    };
    let (report, _) = run(&plan, &t, &options, &StopHandle::new()).await;
    assert_eq!(report.state, JobState::Finished);
    for (node, started, _) in timeline(&t) {
        let canary = node == "n0" || node == "n1";
        assert_eq!(started, if canary { ms(0) } else { ms(100) }, "{node}");
    }

    let t = ScriptedTransport::new(
        [("n1".to_owned(), Script::exit(4, 50))].into(),
        Script::exit(0, 100),
    );
    let (report, events) = run(&plan, &t, &options, &StopHandle::new()).await;
    assert_eq!(report.state, JobState::Failed);
    assert_eq!(t.runs().len(), 2, "only the canaries ran");
    assert_eq!(report.node_states.get(NodeState::Skipped), 4);
    assert!(
        events
            .iter()
            .any(|e| e.message
                == "Skipped puppet run on n5: the canary n1 did not finish (--canary)")
    );
}

#[tokio::test(start_paused = true)]
async fn a_pause_between_levels_waits_for_resume_and_a_stop_ends_it() {
    let plan = plan_of(&[("a", &[]), ("b", &["a"]), ("c", &["b"])]);
    let t = ScriptedTransport::new(Default::default(), Script::exit(0, 100));
    let options = JobOptions {
        pause_between_levels: true,
        ..JobOptions::default()
    };
    let stop = StopHandle::new();
    let mut log = EventLog::default();
    let operator = stop.clone();
    // The operator: resume level 1 after 1 s, then stop at the next pause.
    let answers = tokio::spawn(async move {
        tokio::time::sleep(ms(1000)).await;
        operator.resume(1);
        tokio::time::sleep(ms(1000)).await;
        operator.stop();
    });
    let report = run_job(
        1,
        &plan,
        |n| NodeTarget::default_for(n, TransportKind::Local),
        Arc::new(t.clone()),
        &options,
        &stop,
        &mut [&mut log],
    )
    .await;
    answers.await.unwrap();
    assert_eq!(
        timeline(&t),
        [
            ("a".into(), ms(0), ms(100)),
            ("b".into(), ms(1000), ms(1100))
        ]
    );
    assert_eq!(report.state, JobState::Stopped);
    assert_eq!(report.nodes[2].state, NodeState::Skipped);
    let kinds: Vec<&str> = log.0.iter().map(|e| e.kind.name()).collect();
    assert_eq!(
        kinds,
        [
            "job_started",
            "node_running",
            "node_finished",
            "job_paused",
            "job_resumed",
            "node_running",
            "node_finished",
            "job_paused",
            "job_stopping",
            "node_skipped",
            "job_finished"
        ]
    );
    assert_eq!(
        log.0[3].message,
        "Paused job 1: level 0 has ended; level 1 waits to be resumed"
    );
}

use proptest::prelude::*;
use std::collections::HashMap;

proptest! {
    #![proptest_config(ProptestConfig::with_cases(64))]
    /// Whatever the policy, batches and canaries: every node ends once, no node starts before
    /// its dependencies ended (and before its batch's predecessors and the canaries ended),
    /// `continue` skips nothing, and the failure limits hold.
    #[test]
    fn policies_keep_the_invariants(
        n in 1usize..30,
        edges in proptest::collection::vec((0usize..30, 0usize..30), 0..50),
        outcomes in proptest::collection::vec((0u8..6, 1u64..50), 30),
        policy in 0u8..3,
        max_failures in proptest::option::of(0usize..4),
        batch in proptest::option::of(1usize..4),
        canary in proptest::option::of(0usize..4),
        limit in 0usize..5,
    ) {
        let (names, deps) = random_dag(n, &edges);
        let plan = plan_of_dag(&names, &deps);
        let scripts: Vec<(&str, Script)> = (0..n).map(|i| {
            let (o, d) = outcomes[i];
            (names[i].as_str(), if o == 0 { Script::exit(4, d) } else { Script::exit(0, d) })
        }).collect();
        let t = scripted(&scripts);
        let on_failure = [FailurePolicy::SkipDependents, FailurePolicy::FailFast, FailurePolicy::Continue][policy as usize];
        let options = JobOptions {
            concurrency: limit,
            on_failure,
            max_failures: max_failures.map(Threshold::Count),
            batch_size: batch.map(Threshold::Count),
            canary,
            ..JobOptions::default()
        };
        let rt = tokio::runtime::Builder::new_current_thread().enable_all().start_paused(true).build().unwrap();
        let (report, events) = rt.block_on(run(&plan, &t, &options, &StopHandle::new()));
        let runs: HashMap<String, orch_runner::ScriptedRun> = t.runs().into_iter().map(|r| (r.node.clone(), r)).collect();
        let order: Vec<&str> = plan.nodes().map(|(_, p)| p.name.as_str()).collect();
        let level: HashMap<&str, usize> = plan.nodes().map(|(l, p)| (p.name.as_str(), l)).collect();
        for (i, me) in order.iter().enumerate() {
            let Some(r) = runs.get(*me) else { continue };
            let mine = &deps[names.iter().position(|x| x == me).unwrap()];
            for d in mine {
                if let Some(dr) = runs.get(d.as_str()) {
                    prop_assert!(r.started >= dr.ended);
                }
            }
            if let Some(c) = canary.filter(|&c| i >= c) {
                for can in &order[..c.min(order.len())] {
                    if let Some(cr) = runs.get(*can) {
                        prop_assert!(r.started >= cr.ended, "{} before canary {}", me, can);
                    }
                }
            }
            if let Some(b) = batch {
                // Within a level, batch k starts after batch k-1 ended.
                let same: Vec<&str> = order.iter().copied().filter(|o| level[o] == level[me]).collect();
                let pos = same.iter().position(|o| o == me).unwrap();
                if pos >= b {
                    let prev = &same[(pos / b - 1) * b..(pos / b) * b];
                    for p in prev {
                        if let Some(pr) = runs.get(*p) {
                            prop_assert!(r.started >= pr.ended);
                        }
                    }
                }
            }
        }
        let ends = events.iter().filter(|e| e.kind.name().starts_with("node_") && e.kind.name() != "node_running").count();
        prop_assert_eq!(ends, n);
        prop_assert_eq!(events.last().unwrap().kind.name(), "job_finished");
        let failed = report.node_states.get(NodeState::Failed);
        if let Some(m) = max_failures {
            // Past the limit the job stops; running nodes may still fail while it stops.
            if failed > m + limit.max(1) && limit > 0 {
                prop_assert!(false, "{} failures with --max-failures {} at concurrency {}", failed, m, limit);
            }
        }
        if on_failure == FailurePolicy::Continue && max_failures.is_none() && canary.is_none() {
            prop_assert_eq!(report.node_states.get(NodeState::Skipped), 0);
        }
        if on_failure == FailurePolicy::FailFast && failed > 0 && limit == 1 {
            prop_assert_eq!(failed, 1, "one at a time: nothing runs after the first failure");
        }
    }
}

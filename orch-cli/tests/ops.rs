//! Operations on jobs through the store, end to end with the example shop: `job stop` from
//! another process, `job show --follow`, list filters, `job prune`.

use std::process::{Child, Output, Stdio};
use std::sync::mpsc;
use std::time::Duration;

use crate::run::{Sandbox, render, wait_for};

/// Waits for `child` at most `secs` seconds (a hang fails the test instead of stalling it).
fn finish_within(child: Child, secs: u64) -> Output {
    let (tx, rx) = mpsc::channel();
    std::thread::spawn(move || {
        let _ = tx.send(child.wait_with_output());
    });
    rx.recv_timeout(Duration::from_secs(secs))
        .expect("the process ended in time")
        .unwrap()
}

/// `job show ID --follow` in the background, its output piped.
fn spawn_follow(sb: &Sandbox, id: &str, format: &str) -> Child {
    sb.command(&["job", "show", id, "--follow", "--format", format])
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap()
}

fn stdout(out: &Output) -> String {
    String::from_utf8_lossy(&out.stdout).into_owned()
}

/// What `job run` printed after its header: the lines the events made.
fn event_lines(run: &str) -> &str {
    let header_end = "New job created: 1\n";
    &run[run.find(header_end).expect("a run's header") + header_end.len()..]
}

#[test]
fn job_stop_from_another_process_lets_running_nodes_finish() {
    let sb = Sandbox::new();
    let inv = sb.inventory(&["--delay", "2"], &[]);
    let runner = sb.spawn_shop(&inv, &[]);
    let follower = spawn_follow(&sb, "1", "text");

    insta::assert_snapshot!("stop_answer", sb.run(&["job", "stop", "1"]));
    let run = finish_within(runner, 20);
    assert_eq!(run.status.code(), Some(1), "a stopped job exits 1");
    let text = stdout(&run);
    for line in [
        "Stopping job 1: no new runs will start; 1 running node will finish",
        "Skipped puppet run on lb01.example.net: the job was stopped",
        "Finished puppet run on db01.example.net - Success!",
        "Job stopped. 1/5 runs succeeded, 0 failed, 0 errored, 4 skipped.",
    ] {
        assert!(text.contains(line), "{text}");
    }
    // The follower printed what the runner printed, and ended with the job.
    let followed = finish_within(follower, 10);
    assert_eq!(followed.status.code(), Some(1));
    assert_eq!(stdout(&followed), event_lines(&text));

    let v = wait_for(&sb, "1", |_| true);
    assert_eq!(v["state"], "stopped");
    assert_eq!(v["stop_request"]["user"], "alice");
    assert_eq!(v["stop_request"]["force"], false);
    let states: Vec<&str> = v["nodes"]
        .as_array()
        .unwrap()
        .iter()
        .map(|n| n["state"].as_str().unwrap())
        .collect();
    assert_eq!(
        states,
        ["finished", "skipped", "skipped", "skipped", "skipped"]
    );

    // Asking again, once it has ended: not running, not an error.
    insta::assert_snapshot!(
        "stop_after_the_end",
        sb.run(&["job", "stop", "1", "--format", "json"])
    );
    insta::assert_snapshot!("stop_after_the_end_text", sb.run(&["job", "stop", "1"]));
    insta::assert_snapshot!("stop_unknown_job", sb.run(&["job", "stop", "99"]));
}

#[test]
fn job_stop_force_interrupts_running_nodes() {
    let sb = Sandbox::new();
    let inv = sb.inventory(&["--delay", "30"], &[]);
    let runner = sb.spawn_shop(&inv, &["--format", "json"]);
    let plain = sb.run(&["job", "stop", "1"]);
    assert!(plain.starts_with("exit: 0\n"), "{plain}");
    // The runner acts on it: stopping, the waiting nodes skipped, db01 still running.
    wait_for(&sb, "1", |v| {
        v["state"] == "stopping" && v["node_states"]["skipped"] == 4
    });
    insta::assert_snapshot!(
        "stop_force_answer",
        sb.run(&["job", "stop", "1", "--force"])
    );
    let run = finish_within(runner, 15);
    assert_eq!(run.status.code(), Some(1));
    let stopping: Vec<serde_json::Value> = stdout(&run)
        .lines()
        .map(|l| serde_json::from_str::<serde_json::Value>(l).unwrap())
        .filter(|e| e["type"] == "job_stopping")
        .collect();
    assert_eq!(stopping.len(), 2);
    assert_eq!(
        (&stopping[0]["force"], &stopping[1]["force"]),
        (&false.into(), &true.into())
    );
    let v = wait_for(&sb, "1", |_| true);
    assert_eq!(v["state"], "stopped");
    assert_eq!(v["stop_request"]["force"], true);
    assert_eq!(v["nodes"][0]["state"], "errored");
    assert_eq!(v["nodes"][0]["error"], "interrupted");
}

#[test]
fn follow_prints_every_event_once_in_order_and_ends_with_the_job() {
    let sb = Sandbox::new();
    let inv = sb.inventory(&["--delay", "0.4"], &[]);
    // Followed from mid-job: db01 is running, nothing has ended.
    let runner = sb.spawn_shop(&inv, &["--format", "json", "--concurrency", "1"]);
    let json_follower = spawn_follow(&sb, "1", "json");
    let text_follower = spawn_follow(&sb, "1", "text");
    let run = finish_within(runner, 20);
    assert_eq!(run.status.code(), Some(0), "{}", render(&run));
    let followed = finish_within(json_follower, 10);
    assert_eq!(followed.status.code(), Some(0), "{}", render(&followed));
    // Every event exactly once, in order: the very lines the runner printed.
    assert_eq!(stdout(&followed), stdout(&run));
    let events: Vec<serde_json::Value> = stdout(&followed)
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    let seqs: Vec<u64> = events.iter().map(|e| e["seq"].as_u64().unwrap()).collect();
    assert_eq!(seqs, (1..=events.len() as u64).collect::<Vec<_>>());
    assert_eq!(events.last().unwrap()["type"], "job_finished");

    let text = finish_within(text_follower, 10);
    insta::assert_snapshot!("follow_text", render(&text));
    // A job that has ended: the whole stream, then the exit.
    let after = sb
        .command(&["job", "show", "1", "--follow"])
        .output()
        .unwrap();
    assert_eq!(render(&after), render(&text));
    let after = sb
        .command(&["job", "show", "1", "--follow", "--format", "json"])
        .output()
        .unwrap();
    assert_eq!(stdout(&after), stdout(&run));
}

#[test]
fn follow_ends_when_the_runner_dies() {
    let sb = Sandbox::new();
    let inv = sb.inventory(&["--delay", "5"], &[]);
    let mut runner = sb.spawn_shop(&inv, &[]);
    let follower = spawn_follow(&sb, "1", "text");
    std::thread::sleep(Duration::from_millis(300));
    runner.kill().unwrap(); // SIGKILL: no job_finished
    runner.wait().unwrap();
    let out = finish_within(follower, 10);
    insta::assert_snapshot!(render(&out));
}

#[test]
fn the_job_list_filters_and_pages() {
    let sb = Sandbox::new();
    let ok = sb.inventory(&["--delay", "0"], &[]);
    let failing = sb.inventory(&["--delay", "0"], &["--fail"]);
    assert!(sb.run_shop(&ok, &[]).starts_with("exit: 0"));
    let bob = sb
        .shop_command(&ok, &[])
        .env("USER", "bob")
        .output()
        .unwrap();
    assert!(bob.status.success());
    assert!(sb.run_shop(&failing, &[]).starts_with("exit: 1"));

    insta::assert_snapshot!("list_failed", sb.run(&["job", "show", "--state", "failed"]));
    insta::assert_snapshot!(
        "list_page_json",
        sb.run(&[
            "job", "show", "--limit", "1", "--offset", "1", "--format", "json"
        ])
    );
    let ids = |args: &[&str]| -> (Vec<u64>, u64) {
        let mut all = vec!["job", "show", "--format", "json"];
        all.extend(args);
        let out = sb.command(&all).output().unwrap();
        assert!(out.status.success(), "{}", render(&out));
        let v: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
        let ids = v["items"]
            .as_array()
            .unwrap()
            .iter()
            .map(|j| j["id"].as_u64().unwrap())
            .collect();
        (ids, v["pagination"]["total"].as_u64().unwrap())
    };
    assert_eq!(ids(&["--user", "bob"]), (vec![2], 1));
    assert_eq!(
        ids(&["--user", "alice", "--state", "finished"]),
        (vec![1], 1)
    );
    assert_eq!(ids(&["--state", "failed,finished"]), (vec![3, 2, 1], 3));
    assert_eq!(
        ids(&["--state", "running", "--state", "stopped"]),
        (vec![], 0)
    );
    assert_eq!(
        ids(&["--since", "1h", "--environment", "production"]),
        (vec![3, 2, 1], 3)
    );
    assert_eq!(ids(&["--since", "2100-01-01T00:00:00Z"]), (vec![], 0));
    assert_eq!(ids(&["--limit", "0"]), (vec![], 3));
    insta::assert_snapshot!(
        "list_nothing_matches",
        sb.run(&["job", "show", "--environment", "staging"])
    );
    let bad = [
        sb.run(&["job", "show", "--since", "yesterday"]),
        sb.run(&["job", "show", "--state", "bogus"]),
        sb.run(&["job", "show", "1", "--user", "bob"]),
        sb.run(&["job", "show", "--follow"]),
    ];
    insta::assert_snapshot!("list_bad_filters", bad.join("\n"));
}

#[test]
fn prune_deletes_old_ended_jobs() {
    let sb = Sandbox::new();
    let inv = sb.inventory(&["--delay", "0"], &[]);
    for _ in 0..2 {
        assert!(sb.run_shop(&inv, &[]).starts_with("exit: 0"));
    }
    let nothing = sb.run(&["job", "prune", "--older-than", "7d"]);
    let dry = sb.run(&["job", "prune", "--older-than", "0s", "--dry-run"]);
    let listed = sb.run(&["job", "show", "--format", "json"]);
    assert!(listed.contains(r#""total": 2"#), "{listed}");
    let pruned = sb.run(&["job", "prune", "--older-than", "0s", "--format", "json"]);
    let after = sb.run(&["job", "show"]);
    let bad = sb.run(&["job", "prune", "--older-than", "soon"]);
    insta::assert_snapshot!([nothing, dry, pruned, after, bad].join("\n"));
    // Ids go on from where they were.
    assert!(sb.run_shop(&inv, &[]).contains("New job created: 3"));
    let shown = sb.run(&["job", "show", "1"]);
    assert_eq!(shown, "exit: 2\n--- stdout\n--- stderr\nError: no job 1\n");
}

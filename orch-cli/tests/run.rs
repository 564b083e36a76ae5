//! `orch job run` and `orch job show` end to end: the example shop with the example agent over
//! the local transport, a fresh store per test.

use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};
use std::time::{Duration, Instant};

use crate::root;

/// A fresh store and inventories in a temp dir.
pub(crate) struct Sandbox {
    pub(crate) dir: tempfile::TempDir,
}

impl Sandbox {
    pub(crate) fn new() -> Sandbox {
        Sandbox {
            dir: tempfile::tempdir().unwrap(),
        }
    }

    pub(crate) fn store(&self) -> PathBuf {
        self.dir.path().join("jobs.sqlite3")
    }

    /// An inventory running the example agent with `args` on every node, `web02` with `web02`
    /// after them.
    pub(crate) fn inventory(&self, args: &[&str], web02: &[&str]) -> PathBuf {
        self.inventory_with(args, &[("web02", web02)])
    }

    /// An inventory running the example agent with `args` on every node, and after them a
    /// node's own `extra` args; each node writes its run summary in the sandbox
    /// (`--lastrunfile`) and orch reads it there.
    pub(crate) fn inventory_with(&self, args: &[&str], extra: &[(&str, &[&str])]) -> PathBuf {
        let agent = root().join("examples/shop/agent");
        let mut text = "config:\n  transport: local\ntargets:\n".to_owned();
        for node in ["db01", "web01", "web02", "web03", "lb01"] {
            let summary = self
                .dir
                .path()
                .join(format!("{node}/last_run_summary.yaml"));
            let summary = format!("{:?}", summary.display().to_string());
            let mut argv = vec![format!("{:?}", agent.display().to_string())];
            argv.extend(args.iter().map(|a| format!("{a:?}")));
            for (_, more) in extra.iter().filter(|(n, _)| *n == node) {
                argv.extend(more.iter().map(|a| format!("{a:?}")));
            }
            argv.extend(["\"--lastrunfile\"".to_owned(), summary.clone()]);
            text += &format!(
                "  - name: {node}.example.net\n    config:\n      orch:\n        command: [{}]\n        summary: {summary}\n",
                argv.join(", ")
            );
        }
        let path = self
            .dir
            .path()
            .join(format!("inventory-{}.yaml", rand_suffix()));
        std::fs::write(&path, text).unwrap();
        path
    }

    pub(crate) fn command(&self, args: &[&str]) -> Command {
        let mut cmd = Command::new(env!("CARGO_BIN_EXE_orch"));
        cmd.args(args)
            .arg("--store")
            .arg(self.store())
            .current_dir(root())
            .env_remove("ORCH_MANIFEST")
            .env_remove("ORCH_INVENTORY")
            .env("USER", "alice")
            .env("TZ", "UTC");
        cmd
    }

    pub(crate) fn run(&self, args: &[&str]) -> String {
        render(&self.command(args).output().expect("orch runs"))
    }

    /// `job run` of the shop over `inventory`, with `extra` arguments.
    pub(crate) fn shop_command(&self, inventory: &Path, extra: &[&str]) -> Command {
        let mut args = vec![
            "job",
            "run",
            "-m",
            "examples/shop",
            "--inventory",
            inventory.to_str().unwrap(),
        ];
        args.extend(extra);
        self.command(&args)
    }

    /// `job run` of the shop with `extra` arguments in the background, its output piped;
    /// returns once job 1 has a node running.
    pub(crate) fn spawn_shop(&self, inventory: &Path, extra: &[&str]) -> std::process::Child {
        let child = self
            .shop_command(inventory, extra)
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .unwrap();
        wait_for(self, "1", |v| v["node_states"]["running"] == 1);
        child
    }

    /// `job run` of the shop, one node at a time (a deterministic order for snapshots).
    pub(crate) fn run_shop(&self, inventory: &Path, extra: &[&str]) -> String {
        let mut args = vec!["--concurrency", "1"];
        args.extend(extra);
        render(
            &self
                .shop_command(inventory, &args)
                .output()
                .expect("orch runs"),
        )
    }
}

fn rand_suffix() -> u64 {
    use std::sync::atomic::{AtomicU64, Ordering};
    static N: AtomicU64 = AtomicU64::new(0);
    N.fetch_add(1, Ordering::SeqCst)
}

pub(crate) fn render(out: &Output) -> String {
    redact(&format!(
        "exit: {}\n--- stdout\n{}--- stderr\n{}",
        out.status.code().unwrap_or(-1),
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    ))
}

/// Times, durations and temp paths vary; the rest must not.
fn redact(text: &str) -> String {
    let rules = [
        (r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z", "[TIME]"),
        (r"\d\d/\d\d/\d{4} \d\d:\d\d:\d\d [AP]M", "[LOCAL TIME]"),
        (r#""duration_s": ?[0-9.]+"#, r#""duration_s":[SECS]"#),
        (r"Duration: +\d+ sec", "Duration: [SECS]"),
        (r"in \d+ sec", "in [SECS]"),
        (r"/tmp/[^ ,\x22\n]*", "[TMP]"),
    ];
    let mut text = text.to_owned();
    for (re, to) in rules {
        text = regex::Regex::new(re)
            .unwrap()
            .replace_all(&text, to)
            .into_owned();
    }
    text.replace(&root().display().to_string(), "[ROOT]")
}

#[test]
fn a_job_runs_in_order_and_is_recorded() {
    let sb = Sandbox::new();
    let inv = sb.inventory(&["--delay", "0"], &[]);
    insta::assert_snapshot!(sb.run_shop(&inv, &["--description", "tls rollout"]));
    insta::assert_snapshot!("show_list", sb.run(&["job", "show"]));
    insta::assert_snapshot!("show_detail", sb.run(&["job", "show", "1"]));
}

#[test]
fn a_failure_skips_the_dependents_and_exits_1() {
    let sb = Sandbox::new();
    let inv = sb.inventory(&["--delay", "0"], &["--fail"]);
    insta::assert_snapshot!(sb.run_shop(&inv, &[]));
    insta::assert_snapshot!("failed_detail", sb.run(&["job", "show", "1"]));
    insta::assert_snapshot!(
        "failed_json",
        sb.run(&["job", "show", "1", "--format", "json"])
    );
}

#[test]
fn failure_policies_and_rollout_shape_the_job() {
    let sb = Sandbox::new();
    let inv = sb.inventory(&["--delay", "0"], &["--fail"]);
    // web02 fails: fail-fast stops the job there (web03 never starts at concurrency 1).
    insta::assert_snapshot!(
        "fail_fast",
        sb.run_shop(&inv, &["--on-failure", "fail-fast"])
    );
    // continue: lb01 runs although web02 failed, and says so.
    let out = sb.run_shop(&inv, &["--on-failure", "continue"]);
    assert!(out.starts_with("exit: 1\n"), "{out}");
    assert!(
        out.contains(
            "Started puppet run on lb01.example.net ... (although web02.example.net did not \
         finish: --on-failure continue)"
        ),
        "{out}"
    );
    // A canary that fails stops everything else.
    let canary = sb.inventory(&["--delay", "0", "--fail"], &[]);
    insta::assert_snapshot!("canary", sb.run_shop(&canary, &["--canary", "1"]));
}

#[test]
fn a_rerun_runs_exactly_the_nodes_that_did_not_finish_with_the_jobs_options() {
    let sb = Sandbox::new();
    let failing = sb.inventory(&["--delay", "0"], &["--fail"]);
    let first = sb.run_shop(&failing, &["--timeout", "60"]);
    assert!(first.starts_with("exit: 1\n"), "{first}");
    // Fixed: every agent succeeds now. The rerun takes web02 (failed) and lb01 (skipped).
    let fixed = sb.inventory(&["--delay", "0"], &[]);
    let out = sb.run(&[
        "job",
        "run",
        "-m",
        "examples/shop",
        "--inventory",
        fixed.to_str().unwrap(),
        "--rerun",
        "1",
        "--format",
        "json",
    ]);
    assert!(out.starts_with("exit: 0\n"), "{out}");
    let ran: Vec<String> = out
        .lines()
        .filter(|l| l.contains(r#""type":"node_running""#))
        .map(|l| {
            let v: serde_json::Value = serde_json::from_str(l).unwrap();
            v["node"].as_str().unwrap().to_owned()
        })
        .collect();
    assert_eq!(ran, ["web02.example.net", "lb01.example.net"]);
    // The first job's options: concurrency 1 (run_shop's) and the 60 s timeout.
    let shown = sb
        .command(&["job", "show", "2", "--format", "json"])
        .output()
        .unwrap();
    let job: serde_json::Value = serde_json::from_slice(&shown.stdout).unwrap();
    assert_eq!(job["rerun_of"], 1);
    assert_eq!(job["concurrency"], 1);
    assert_eq!(job["timeout_s"], 60);
    assert_eq!(job["target"], "lb01.example.net, web02.example.net");
    // Only the failed one, and then nothing left.
    let out = sb.run(&[
        "job",
        "run",
        "-m",
        "examples/shop",
        "--rerun",
        "1",
        "--only",
        "failed",
        "--inventory",
        fixed.to_str().unwrap(),
    ]);
    assert!(out.contains("| Nodes             | 1 "), "{out}");
    assert!(
        out.contains("New job created: 3\nRerun of job 1: 1 node (1 failed there)\n"),
        "{out}"
    );
    assert!(
        sb.run(&["job", "show", "3"])
            .contains("Rerun of:    job 1\n")
    );
    let out = sb.run(&["job", "run", "-m", "examples/shop", "--rerun", "2"]);
    assert!(out.starts_with("exit: 2\n"), "{out}");
    assert!(
        out.contains(
            "Error: job 2 has no nodes in new, running, failed, errored, skipped: nothing to rerun"
        ),
        "{out}"
    );
}

#[test]
fn bad_rollout_options_are_usage_errors() {
    let sb = Sandbox::new();
    let inv = sb.inventory(&["--delay", "0"], &[]);
    for (args, want) in [
        (
            &["--max-failures", "x"][..],
            "is not a number of nodes (N) or a percentage (N%)",
        ),
        (&["--batch-size", "150%"][..], "is more than 100%"),
        (
            &["--on-failure", "sometimes"][..],
            "is not a failure policy",
        ),
        (
            &["--pause-between-levels"][..],
            "--pause-between-levels asks on a terminal, and stdin is not one",
        ),
    ] {
        let out = sb.run_shop(&inv, args);
        assert!(out.starts_with("exit: 2\n"), "{args:?}: {out}");
        assert!(out.contains(want), "{args:?}: {out}");
    }
    // No job was created by any of them.
    assert!(sb.run(&["job", "show"]).contains("No jobs yet."));
}

#[test]
fn json_is_the_event_stream() {
    let sb = Sandbox::new();
    let inv = sb.inventory(&["--delay", "0", "--changes", "0"], &[]);
    let out = sb.run_shop(&inv, &["--format", "json", "--noop"]);
    insta::assert_snapshot!(out);
    insta::assert_snapshot!("list_json", sb.run(&["job", "show", "--format", "json"]));
}

#[test]
fn noop_and_no_noop_together_are_a_usage_error() {
    let sb = Sandbox::new();
    let out = sb
        .command(&["job", "run", "-m", "examples/shop", "--noop", "--no-noop"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("cannot be used with"));
    assert!(!sb.store().exists(), "no job is created");
}

#[test]
fn bad_inputs_exit_2_and_create_no_job() {
    let sb = Sandbox::new();
    let bad = sb.dir.path().join("bad.yaml");
    std::fs::write(&bad, "config:\n  ssh:\n    usr: x\n").unwrap();
    insta::assert_snapshot!(sb.run(&[
        "job",
        "run",
        "-m",
        "examples/shop",
        "--inventory",
        bad.to_str().unwrap()
    ]));
    let out = sb.run(&[
        "job",
        "run",
        "--graph",
        "orch-planner/tests/fixtures/cycle.json",
    ]);
    assert!(out.starts_with("exit: 2\n"), "{out}");
    assert!(!sb.store().exists());
    let out = sb.run(&["job", "show", "9"]);
    assert!(out.starts_with("exit: 2\n"), "{out}");
}

#[test]
fn an_unusable_store_exits_3() {
    let sb = Sandbox::new();
    std::fs::write(
        sb.store(),
        b"this is not an SQLite database, not at all......",
    )
    .unwrap();
    let out = sb.run(&["job", "show"]);
    assert!(out.starts_with("exit: 3\n"), "{out}");
    assert!(out.contains("Error: job store `[TMP]"), "{out}");
    let inv = sb.inventory(&["--delay", "0"], &[]);
    let out = sb.run_shop(&inv, &[]);
    assert!(out.starts_with("exit: 3\n"), "{out}");
}

#[test]
fn a_node_without_a_reachable_transport_errors_and_the_job_fails() {
    // No inventory: ssh to the certname; here every host is a closed port, so every node
    // errors at once and nothing hangs.
    let sb = Sandbox::new();
    let closed = std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    let config = sb.dir.path().join("ssh_config");
    std::fs::write(
        &config,
        format!("Host *\n  HostName 127.0.0.1\n  Port {closed}\n"),
    )
    .unwrap();
    let out = render(
        &sb.command(&[
            "job",
            "run",
            "-m",
            "examples/shop",
            "-n",
            "db01.example.net",
        ])
        .env("ORCH_SSH_CONFIG", &config)
        .output()
        .unwrap(),
    );
    assert!(out.starts_with("exit: 1\n"), "{out}");
    assert!(
        out.contains(&format!(
            "Error running puppet on db01.example.net: cannot reach db01.example.net: ssh: \
             connect to host 127.0.0.1 port {closed}: Connection refused"
        )),
        "{out}"
    );
}

#[test]
fn two_runs_at_once_get_distinct_sequential_ids() {
    let sb = Sandbox::new();
    let inv = sb.inventory(&["--delay", "0"], &[]);
    let spawn = || {
        sb.command(&[
            "job",
            "run",
            "-m",
            "examples/shop",
            "--format",
            "json",
            "--inventory",
            inv.to_str().unwrap(),
        ])
        .stdout(Stdio::piped())
        .spawn()
        .unwrap()
    };
    let children: Vec<_> = (0..4).map(|_| spawn()).collect();
    let mut ids: Vec<u64> = children
        .into_iter()
        .map(|c| {
            let out = c.wait_with_output().unwrap();
            assert!(out.status.success());
            let first = String::from_utf8_lossy(&out.stdout)
                .lines()
                .next()
                .unwrap()
                .to_owned();
            let v: serde_json::Value = serde_json::from_str(&first).unwrap();
            v["job"].as_u64().unwrap()
        })
        .collect();
    ids.sort();
    assert_eq!(ids, [1, 2, 3, 4]);
}

/// Waits (bounded) until `job show ID --format json` satisfies `done`.
pub(crate) fn wait_for(
    sb: &Sandbox,
    id: &str,
    done: impl Fn(&serde_json::Value) -> bool,
) -> serde_json::Value {
    let deadline = Instant::now() + Duration::from_secs(20);
    loop {
        let out = sb
            .command(&["job", "show", id, "--format", "json"])
            .output()
            .unwrap();
        if out.status.success() {
            let v: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
            if done(&v) {
                return v;
            }
        }
        assert!(Instant::now() < deadline, "timed out waiting for job {id}");
        std::thread::sleep(Duration::from_millis(50));
    }
}

fn finished_nodes(v: &serde_json::Value) -> usize {
    v["node_states"]["finished"].as_u64().unwrap_or(0) as usize
}

#[test]
fn a_reader_sees_progress_and_a_killed_runner_reads_as_died() {
    let sb = Sandbox::new();
    // db01 fast, the web nodes slow: kill -9 while they run.
    let fast = sb.inventory_with(&["--delay", "5"], &[("db01", &["--delay", "0"])]);
    let mut child = sb
        .shop_command(&fast, &[])
        .stdout(Stdio::null())
        .spawn()
        .unwrap();
    // While it runs, another process reads: db01 finished, the job running.
    let v = wait_for(&sb, "1", |v| {
        finished_nodes(v) == 1 && v["node_states"]["running"] == 3
    });
    assert_eq!(v["state"], "running");
    child.kill().unwrap(); // SIGKILL
    child.wait().unwrap();
    let v = wait_for(&sb, "1", |v| v["state"] != "running");
    assert_eq!(v["state"], "failed");
    assert_eq!(
        v["message"],
        "the orch process running this job ended unexpectedly"
    );
    assert_eq!(finished_nodes(&v), 1, "what finished is kept");
    let db = &v["nodes"][0];
    assert_eq!(db["name"], "db01.example.net");
    assert_eq!(db["state"], "finished");
    assert_eq!(db["exit_code"], 2);
    // The agents it started run on in their own process groups and end after their delay.
}

#[test]
fn ctrl_c_stops_the_job_and_exits_130() {
    let sb = Sandbox::new();
    let inv = sb.inventory(&["--delay", "2"], &[]);
    let child = sb.spawn_shop(&inv, &[]);
    // First Ctrl-C: db01 finishes, nothing else starts.
    interrupt(&child);
    let out = child.wait_with_output().unwrap();
    assert_eq!(out.status.code(), Some(130));
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(
        stdout.contains("Finished puppet run on db01.example.net - Success!"),
        "{stdout}"
    );
    assert!(
        stdout.contains("Skipped puppet run on lb01.example.net: the job was stopped"),
        "{stdout}"
    );
    assert!(
        stdout.contains("Job stopped. 1/5 runs succeeded"),
        "{stdout}"
    );
    let v = wait_for(&sb, "1", |_| true);
    assert_eq!(v["state"], "stopped");
}

#[test]
fn a_second_ctrl_c_interrupts_running_nodes() {
    let sb = Sandbox::new();
    let inv = sb.inventory(&["--delay", "30"], &[]);
    let child = sb.spawn_shop(&inv, &[]);
    let started = Instant::now();
    for _ in 0..2 {
        interrupt(&child);
        std::thread::sleep(Duration::from_millis(200));
    }
    let out = child.wait_with_output().unwrap();
    assert_eq!(out.status.code(), Some(130));
    assert!(started.elapsed() < Duration::from_secs(15));
    let v = wait_for(&sb, "1", |_| true);
    assert_eq!(v["nodes"][0]["state"], "errored");
    assert_eq!(v["nodes"][0]["error"], "interrupted");
}

/// What Ctrl-C sends.
pub(crate) fn interrupt(child: &std::process::Child) {
    let pid = nix::unistd::Pid::from_raw(child.id() as i32);
    nix::sys::signal::kill(pid, nix::sys::signal::Signal::SIGINT).expect("signal sent");
}

//! `orch serve` and the job commands as its clients (`--server URL`): a job run through the
//! server prints what a local run prints, and is the same job in the store.

use std::io::{BufRead, BufReader};
use std::path::Path;
use std::process::{Child, Command, Stdio};
use std::time::Duration;

use crate::root;
use crate::run::{Sandbox, interrupt, render};

/// `orch serve` of the shop over `inventory`, on a free loopback port, with the sandbox's
/// store; stopped (SIGTERM) when dropped.
struct Served {
    child: Child,
    url: String,
}

impl Served {
    fn start(sb: &Sandbox, inventory: &Path, extra: &[&str]) -> Served {
        let mut child = Command::new(env!("CARGO_BIN_EXE_orch"))
            .args(["serve", "-m", "examples/shop", "--listen", "127.0.0.1:0"])
            .arg("--inventory")
            .arg(inventory)
            .arg("--store")
            .arg(sb.store())
            .args(extra)
            .current_dir(root())
            .env_remove("ORCH_MANIFEST")
            .env("USER", "alice")
            .stdout(Stdio::null())
            .stderr(Stdio::piped())
            .spawn()
            .unwrap();
        let mut first = String::new();
        BufReader::new(child.stderr.take().unwrap())
            .read_line(&mut first)
            .unwrap();
        let url = first
            .split_whitespace()
            .find(|w| w.starts_with("http"))
            .unwrap_or_else(|| panic!("no URL in `{first}`"))
            .trim_end_matches(['/', ','])
            .to_owned();
        Served { child, url }
    }

    /// `orch ARGS --server URL`, with the client's environment only.
    fn client(&self, args: &[&str]) -> Command {
        let mut cmd = Command::new(env!("CARGO_BIN_EXE_orch"));
        cmd.args(args)
            .arg("--server")
            .arg(&self.url)
            .current_dir(root())
            .env_remove("ORCH_MANIFEST")
            .env_remove("ORCH_STORE")
            .env_remove("ORCH_TOKEN")
            .env("HOME", "/nonexistent")
            .env("USER", "alice")
            .env("TZ", "UTC");
        cmd
    }

    fn run(&self, args: &[&str]) -> String {
        render(&self.client(args).output().unwrap())
    }
}

impl Drop for Served {
    fn drop(&mut self) {
        let pid = nix::unistd::Pid::from_raw(self.child.id() as i32);
        let _ = nix::sys::signal::kill(pid, nix::sys::signal::Signal::SIGTERM);
        let _ = self.child.wait();
    }
}

#[test]
fn a_job_run_through_the_server_prints_what_a_local_run_prints() {
    let local = Sandbox::new();
    let inv = local.inventory(&["--delay", "0"], &["--fail"]);
    let here = local.run_shop(&inv, &[]);

    let remote = Sandbox::new();
    let inv = remote.inventory(&["--delay", "0"], &["--fail"]);
    let served = Served::start(&remote, &inv, &[]);
    let there = served.run(&["job", "run", "--concurrency", "1"]);
    assert_eq!(there, here);
    assert!(there.starts_with("exit: 1\n"), "{there}");

    // The server's job is the store's: `job show` over the API and from the store agree.
    for args in [
        &["job", "show", "1"][..],
        &["job", "show", "1", "--format", "json"],
        &["job", "show"],
        &["job", "show", "--format", "json"],
    ] {
        let api = served.run(args);
        let store = remote.run(args);
        assert_eq!(api, store, "{args:?}");
    }
    let followed = served.run(&["job", "show", "1", "--follow"]);
    let followed_here = remote.run(&["job", "show", "1", "--follow"]);
    assert_eq!(followed, followed_here);
}

#[test]
fn jobs_started_over_http_stop_from_either_side() {
    let sb = Sandbox::new();
    let inv = sb.inventory(&["--delay", "30"], &[]);
    let served = Served::start(&sb, &inv, &[]);
    // Ctrl-C of the client asks the server to stop the job: db01 runs on, nothing starts.
    let child = served
        .client(&["job", "run", "--format", "json"])
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    crate::run::wait_for(&sb, "1", |v| v["node_states"]["running"] == 1);
    interrupt(&child);
    std::thread::sleep(Duration::from_millis(300));
    interrupt(&child); // the second interrupts db01
    let out = child.wait_with_output().unwrap();
    assert_eq!(out.status.code(), Some(130), "{}", render(&out));
    let v = crate::run::wait_for(&sb, "1", |v| v["state"] == "stopped");
    assert_eq!(v["nodes"][0]["error"], "interrupted");

    // `orch job stop` against the store reaches a job the server runs.
    let mut run = served
        .client(&["job", "run"])
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    crate::run::wait_for(&sb, "2", |v| v["node_states"]["running"] == 1);
    let stopped = sb.run(&["job", "stop", "2", "--force"]);
    assert!(stopped.starts_with("exit: 0\n"), "{stopped}");
    crate::run::wait_for(&sb, "2", |v| v["state"] == "stopped");
    assert_eq!(run.wait().unwrap().code(), Some(1));

    // And `job stop --server` answers as the local one does, for a job that has ended.
    let over_api = served.run(&["job", "stop", "2"]);
    let local = sb.run(&["job", "stop", "2"]);
    assert_eq!(over_api, local);
}

#[test]
fn serve_refuses_plain_http_beyond_loopback_and_clients_name_unreachable_servers() {
    let sb = Sandbox::new();
    let out = sb.run(&["serve", "-m", "examples/shop", "--listen", "0.0.0.0:0"]);
    insta::assert_snapshot!(out);
    let out = render(
        &Command::new(env!("CARGO_BIN_EXE_orch"))
            .args(["job", "show", "--server", "http://127.0.0.1:9"])
            .env("HOME", "/nonexistent")
            .output()
            .unwrap(),
    );
    assert!(out.starts_with("exit: 3\n"), "{out}");
    assert!(
        out.contains("could not reach http://127.0.0.1:9/orchestrator/v1/jobs"),
        "{out}"
    );
}

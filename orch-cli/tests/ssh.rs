//! `orch job run` and `orch job plan --check-nodes` over ssh, against a real sshd (started per
//! test on 127.0.0.1 with keys made for the run; see `orch-test-sshd`).

use orch_test_sshd::Sshd;

use crate::root;
use crate::run::{Sandbox, render};

/// The shop's nodes over ssh: every node runs a Puppet-like command that writes its run
/// summary (one path for all: on real nodes each has its own disk; `--concurrency 1` keeps
/// them apart here), web02's fails and writes none, web03 is a closed port.
fn inventory(
    sb: &Sandbox,
    sshd: &Sshd,
    closed: u16,
    state: &std::path::Path,
) -> std::path::PathBuf {
    let summary = state.join("last_run_summary.yaml");
    let text = format!(
        r#"config:
  ssh:
    private-key: {key}
  orch:
    command: [sh, -c, 'echo "Info: Applying configuration version 1796288400"; printf "%s\n" --- "version:" "  config: 1796288400" "  puppet: 7.23.0" "resources:" "  changed: 2" "  failed: 0" "  out_of_sync: 2" "  skipped: 0" "  total: 13" "time:" "  total: 0.42" "  last_run: $(date +%s)" "events:" "  failure: 0" "  success: 2" "  total: 2" > "$0"; echo "Notice: Applied catalog in 0.42 seconds"; exit 2', {summary}]
    append-flags: false
    summary: {summary}
targets:
  - name: web02.example.net
    config:
      orch:
        command: [sh, -c, 'rm -f "$0"; echo "Error: Could not find init script for shop" >&2; exit 4', {summary}]
  - uri: ssh://127.0.0.1:{closed}
    name: web03.example.net
"#,
        key = sshd.user_key.display(),
        summary = summary.display(),
    );
    let path = sb.dir.path().join("inventory.yaml");
    std::fs::write(&path, text).unwrap();
    path
}

/// A directory the remote login (another user) can write its summaries to.
fn state_dir() -> tempfile::TempDir {
    use std::os::unix::fs::PermissionsExt;
    let dir = tempfile::Builder::new()
        .prefix("orch-ssh-state-")
        .tempdir()
        .unwrap();
    std::fs::set_permissions(dir.path(), std::fs::Permissions::from_mode(0o777)).unwrap();
    dir
}

fn closed_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port()
}

/// Ports vary from run to run.
fn redact_port(text: &str, port: u16, name: &str) -> String {
    text.replace(&format!("port {port}"), &format!("port [{name}]"))
}

#[test]
fn a_job_over_ssh_runs_fails_and_reports_the_unreachable_node() {
    let sshd = Sshd::start();
    let sb = Sandbox::new();
    let closed = closed_port();
    let state = state_dir();
    let inv = inventory(&sb, &sshd, closed, state.path());
    let run = |extra: &[&str]| {
        let mut args = vec![
            "job",
            "run",
            "-m",
            "examples/shop",
            "--concurrency",
            "1",
            "--inventory",
            inv.to_str().unwrap(),
        ];
        args.extend(extra);
        let out = sb
            .command(&args)
            .env("ORCH_SSH_CONFIG", &sshd.config)
            .output()
            .unwrap();
        redact_port(&render(&out), closed, "CLOSED")
    };
    // Pre-flight: web03 cannot be reached, so no job starts.
    insta::assert_snapshot!("preflight_aborts", run(&["--preflight"]));
    let logins_after_preflight = sshd.logins();
    assert_eq!(logins_after_preflight, 4, "every reachable node once");
    insta::assert_snapshot!(
        "preflight_then_run",
        run(&["--preflight", "--no-preflight-abort"])
    );
    assert_eq!(
        sshd.logins() - logins_after_preflight,
        4,
        "the job reused the pre-flight's connections"
    );
}

#[test]
fn plan_check_nodes_reports_in_text_and_json() {
    let sshd = Sshd::start();
    let sb = Sandbox::new();
    let closed = closed_port();
    let state = state_dir();
    let inv = inventory(&sb, &sshd, closed, state.path());
    let plan = |format: &str| {
        std::process::Command::new(env!("CARGO_BIN_EXE_orch"))
            .current_dir(root())
            .args([
                "job",
                "plan",
                "-m",
                "examples/shop",
                "--check-nodes",
                "--inventory",
                inv.to_str().unwrap(),
                "--format",
                format,
            ])
            .env_remove("ORCH_MANIFEST")
            .env("ORCH_SSH_CONFIG", &sshd.config)
            .output()
            .unwrap()
    };
    let text = redact_port(&render(&plan("text")), closed, "CLOSED");
    assert!(text.starts_with("exit: 3\n"), "{text}");
    assert!(
        text.contains(
            "Node check: 1 of 5 nodes cannot be used:\n  web03.example.net (unreachable): cannot \
         reach web03.example.net: ssh: connect to host 127.0.0.1 port [CLOSED]: Connection \
         refused\n"
        ),
        "{text}"
    );
    let json = plan("json");
    assert_eq!(json.status.code(), Some(3));
    let v: serde_json::Value = serde_json::from_slice(&json.stdout).unwrap();
    let checks = v["node_check"].as_array().unwrap();
    assert_eq!(checks.len(), 5);
    let failed: Vec<&str> = checks
        .iter()
        .filter(|c| c["ok"] == false)
        .map(|c| c["name"].as_str().unwrap())
        .collect();
    assert_eq!(failed, ["web03.example.net"]);
    assert_eq!(checks[4]["error"], "unreachable");
    assert!(v["levels"].is_array(), "the plan is all there");
}

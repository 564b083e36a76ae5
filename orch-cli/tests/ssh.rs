//! `orch job run` and `orch job plan --check-nodes` over ssh, against a real sshd (started per
//! test on 127.0.0.1 with keys made for the run; see `orch-test-sshd`).

use orch_test_sshd::Sshd;

use crate::root;
use crate::run::{Sandbox, render};

/// The shop's nodes over ssh: every node runs a Puppet-like command, web02's fails, web03 is
/// a closed port.
fn inventory(sb: &Sandbox, sshd: &Sshd, closed: u16) -> std::path::PathBuf {
    let text = format!(
        r#"config:
  ssh:
    private-key: {key}
  orch:
    command: [sh, -c, 'echo "Info: Applying configuration version 1796288400"; echo "Notice: Applied catalog in 0.42 seconds"; exit 2']
    append-flags: false
targets:
  - name: web02.example.net
    config:
      orch:
        command: [sh, -c, 'echo "Error: Could not find init script for shop" >&2; exit 4']
  - uri: ssh://127.0.0.1:{closed}
    name: web03.example.net
"#,
        key = sshd.user_key.display()
    );
    let path = sb.dir.path().join("inventory.yaml");
    std::fs::write(&path, text).unwrap();
    path
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
    let inv = inventory(&sb, &sshd, closed);
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
    let inv = inventory(&sb, &sshd, closed);
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

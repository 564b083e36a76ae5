//! The ssh transport against a real OpenSSH server (see `sshd.rs`).

use std::ffi::OsStr;
use std::os::unix::ffi::OsStrExt;
use std::sync::Arc;
use std::time::Duration;

use orch_runner::{
    ErrorCause, EventKind, EventLog, Exit, JobOptions, NodeState, NodeTarget, RunError,
    RunErrorKind, RunRequest, StopHandle, Transport, run_job, shell_quote,
};
use tokio_util::sync::CancellationToken;

use orch_runner::{SshTransport, TransportKind};
use orch_test_sshd::{Sshd, UNPRIVILEGED_USER, user_exists};

use crate::common::plan_of;

/// The server's transport: [`Sshd::config`] instead of `~/.ssh/config`.
fn transport(sshd: &Sshd) -> SshTransport {
    SshTransport::new().with_config_file(Some(sshd.config.clone()))
}

/// A node named `name`, reached through the server with the key it accepts.
fn target(sshd: &Sshd, name: &str) -> NodeTarget {
    let mut t = NodeTarget::default_for(name, TransportKind::Ssh);
    t.ssh.private_key = Some(sshd.user_key.clone());
    t
}

fn request(argv: &[&str]) -> RunRequest {
    RunRequest {
        argv: argv.iter().map(|s| s.to_string()).collect(),
        env: vec![("ORCH_NODE".into(), "db01".into())],
        read_after: None,
    }
}

/// Connects (ssh starts at the check, as in a pre-flight) and returns why that failed.
async fn connect_err(transport: &dyn Transport, target: &NodeTarget) -> RunError {
    let mut conn = match transport.connect(target).await {
        Ok(conn) => conn,
        Err(e) => return e,
    };
    match conn.check().await {
        Ok(()) => panic!("connecting to {} should fail", target.name),
        Err(e) => e,
    }
}

#[tokio::test]
async fn runs_over_one_connection_with_exit_codes_output_and_environment() {
    let sshd = Sshd::start();
    let transport = transport(&sshd);
    let before = sshd.logins();
    let mut conn = transport.connect(&target(&sshd, "db01")).await.unwrap();
    conn.check().await.unwrap();
    for code in [0, 2, 4] {
        let out = conn
            .run(
                &request(&[
                    "sh",
                    "-c",
                    "echo out:$ORCH_NODE; echo err >&2; exit \"$1\"",
                    "sh",
                    &code.to_string(),
                ]),
                &CancellationToken::new(),
            )
            .await
            .unwrap();
        assert_eq!(out.exit, Exit::Code(code));
        assert_eq!(
            out.output.text, "out:db01\nerr\n",
            "no pid marker, both streams"
        );
    }
    assert_eq!(
        conn.fetch("/etc/hostname".as_ref()).await.unwrap(),
        Some(std::fs::read("/etc/hostname").unwrap())
    );
    assert_eq!(conn.fetch("/no/such/file".as_ref()).await.unwrap(), None);
    conn.close().await;
    assert_eq!(
        sshd.logins() - before,
        1,
        "one connection for every command"
    );
}

#[tokio::test]
async fn a_missing_command_and_a_refused_connection_are_distinct_errors() {
    let sshd = Sshd::start();
    let transport = transport(&sshd);
    let mut conn = transport.connect(&target(&sshd, "db01")).await.unwrap();
    let e = conn
        .run(&request(&["orch-no-such-agent"]), &CancellationToken::new())
        .await
        .unwrap_err();
    assert_eq!(e.kind, RunErrorKind::CommandNotFound, "{e}");
    assert!(e.message.starts_with("command not found on db01: "), "{e}");
    assert!(e.message.contains("orch-no-such-agent"), "{e}");
    conn.close().await;

    let closed = std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    let mut target = target(&sshd, "db01");
    target.ssh.port = Some(closed);
    let e = connect_err(&transport, &target).await;
    assert_eq!(e.kind, RunErrorKind::Unreachable, "{e}");
    assert!(e.message.starts_with("cannot reach db01: "), "{e}");
    assert!(e.message.contains("Connection refused"), "{e}");
    // The same from a run that connects by itself.
    let mut conn = transport.connect(&target).await.unwrap();
    let e = conn
        .run(&request(&["true"]), &CancellationToken::new())
        .await
        .unwrap_err();
    assert_eq!(e.kind, RunErrorKind::Unreachable, "{e}");
    assert!(e.message.contains("Connection refused"), "{e}");
}

#[tokio::test]
async fn a_key_the_server_does_not_accept_is_an_authentication_failure() {
    let sshd = Sshd::start();
    let mut target = target(&sshd, "db01");
    target.ssh.private_key = Some(sshd.stranger_key.clone());
    let e = connect_err(&transport(&sshd), &target).await;
    assert_eq!(e.kind, RunErrorKind::AuthFailed, "{e}");
    assert!(
        e.message.starts_with("authentication to db01 failed: "),
        "{e}"
    );
    assert!(e.message.contains("Permission denied"), "{e}");
}

#[tokio::test]
async fn host_keys_are_checked_strictly_unless_the_inventory_says_not_to() {
    let sshd = Sshd::start();
    let wrong = std::fs::read_to_string(sshd.stranger_key.with_extension("pub")).unwrap();
    let wrong_line = format!("[127.0.0.1]:{} {}", sshd.port, wrong.trim());
    let changed = sshd.client_config("changed", &wrong_line);
    let changed_transport = transport(&sshd).with_config_file(Some(changed.clone()));
    let e = connect_err(&changed_transport, &target(&sshd, "db01")).await;
    assert_eq!(e.kind, RunErrorKind::HostKeyRejected, "{e}");
    assert!(
        e.message
            .starts_with("the host key of db01 was not accepted: "),
        "{e}"
    );
    assert!(e.message.contains("has changed"), "{e}");

    let unknown = sshd.client_config("unknown", "");
    let e = connect_err(
        &transport(&sshd).with_config_file(Some(unknown)),
        &target(&sshd, "db01"),
    )
    .await;
    assert_eq!(e.kind, RunErrorKind::HostKeyRejected, "{e}");
    assert!(e.message.contains("host key is known for"), "{e}");

    // `host-key-check: false`: accepted, and nothing recorded.
    let known_before = std::fs::read(changed.with_extension("known_hosts")).unwrap();
    let mut target = target(&sshd, "db01");
    target.ssh.host_key_check = Some(false);
    let conn = changed_transport.connect(&target).await.unwrap();
    conn.close().await;
    let known_after = std::fs::read(changed.with_extension("known_hosts")).unwrap();
    assert_eq!(known_before, known_after);
}

/// Whether a process whose command line holds `token` is running on this machine.
fn process_with(token: &str) -> bool {
    std::fs::read_dir("/proc").unwrap().flatten().any(|e| {
        std::fs::read(e.path().join("cmdline"))
            .map(|c| c.windows(token.len()).any(|w| w == token.as_bytes()))
            .unwrap_or(false)
    })
}

#[tokio::test]
async fn a_run_past_its_timeout_is_killed_on_the_node() {
    let sshd = Sshd::start();
    let token = format!("orch-timeout-{}", std::process::id());
    let mut target = target(&sshd, "slow01");
    target.command = vec![
        "sh".into(),
        "-c".into(),
        format!("echo started; sleep 30; : {token}"),
    ];
    target.append_flags = false;
    let plan = plan_of(&[("slow01", &[])]);
    let mut log = EventLog::default();
    let options = JobOptions {
        timeout: Some(Duration::from_secs(1)),
        ..JobOptions::default()
    };
    let report = run_job(
        1,
        &plan,
        |_| target.clone(),
        Arc::new(transport(&sshd)),
        &options,
        &StopHandle::new(),
        &mut [&mut log],
    )
    .await;
    assert_eq!(report.nodes[0].state, NodeState::Errored);
    assert_eq!(report.nodes[0].error, Some(ErrorCause::TimedOut));
    let output = log
        .0
        .iter()
        .find_map(|e| match &e.kind {
            EventKind::NodeErrored { output, .. } => Some(output.text.clone()),
            _ => None,
        })
        .unwrap();
    assert_eq!(output, "started\n");
    // The remote side is gone too (bounded wait: the kill is asynchronous on the node).
    let mut gone = false;
    for _ in 0..50 {
        if !process_with(&token) {
            gone = true;
            break;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    assert!(gone, "the remote command still runs");
}

#[tokio::test]
async fn a_failing_run_keeps_its_last_lines() {
    let sshd = Sshd::start();
    let mut target = target(&sshd, "db01");
    target.command = vec![
        "sh".into(),
        "-c".into(),
        "echo 'Info: Applying configuration'; echo 'Error: Could not find init script' >&2; exit 4"
            .into(),
    ];
    let plan = plan_of(&[("db01", &[]), ("web01", &["db01"])]);
    let mut log = EventLog::default();
    let report = run_job(
        1,
        &plan,
        |name| NodeTarget {
            name: name.into(),
            ..target.clone()
        },
        Arc::new(transport(&sshd)),
        &JobOptions::default(),
        &StopHandle::new(),
        &mut [&mut log],
    )
    .await;
    assert_eq!(report.nodes[0].state, NodeState::Failed);
    assert_eq!(report.nodes[0].exit_code, Some(4));
    assert_eq!(report.nodes[1].state, NodeState::Skipped);
    let (message, output) = log
        .0
        .iter()
        .find_map(|e| match &e.kind {
            EventKind::NodeFailed { output, .. } => Some((e.message.clone(), output.clone())),
            _ => None,
        })
        .unwrap();
    assert_eq!(
        message,
        "Error running puppet on db01: exit code 4 (the run had failures)"
    );
    assert_eq!(
        output.last_lines(2),
        [
            "Info: Applying configuration",
            "Error: Could not find init script"
        ]
    );
}

#[tokio::test]
async fn run_as_goes_through_sudo_and_a_refusal_is_reported_before_the_run() {
    let sshd = Sshd::start();
    let transport = transport(&sshd);
    assert!(
        nix::unistd::geteuid().is_root(),
        "the run-as tests log in as root (with sudo rights) and as {UNPRIVILEGED_USER}"
    );
    let mut target = target(&sshd, "db01");
    target.ssh.user = Some("root".into());
    target.ssh.run_as = Some("nobody".into());
    let mut conn = transport.connect(&target).await.unwrap();
    let out = conn
        .run(
            &request(&["sh", "-c", "id -un; echo $ORCH_NODE"]),
            &CancellationToken::new(),
        )
        .await
        .unwrap();
    // Root's own rc files may print first; the command's lines end the output.
    assert!(
        out.output.text.ends_with("nobody\ndb01\n"),
        "{:?}",
        out.output.text
    );
    conn.close().await;

    assert!(
        user_exists(UNPRIVILEGED_USER),
        "user {UNPRIVILEGED_USER} is missing: `.ci/run` makes it (useradd -m -s /bin/sh)"
    );
    target.ssh.user = Some(UNPRIVILEGED_USER.into());
    target.ssh.run_as = Some("root".into());
    let e = connect_err(&transport, &target).await;
    assert_eq!(e.kind, RunErrorKind::RunAsRefused, "{e}");
    assert!(
        e.message
            .starts_with("sudo on db01 would not run commands as root without a password: sudo: "),
        "{e}"
    );
    // Without run-as the same login works.
    target.ssh.run_as = None;
    let mut conn = transport.connect(&target).await.unwrap();
    conn.check().await.unwrap();
    conn.close().await;
    // A run that connects by itself (no pre-flight) checks sudo in its own session.
    target.ssh.run_as = Some("root".into());
    let mut conn = transport.connect(&target).await.unwrap();
    let e = conn
        .run(&request(&["true"]), &CancellationToken::new())
        .await
        .unwrap_err();
    assert_eq!(e.kind, RunErrorKind::RunAsRefused, "{e}");
    assert!(e.message.contains("without a password: sudo: "), "{e}");
}

const HOSTILE: [&str; 9] = [
    "-oProxyCommand=touch /tmp/orch-pwned",
    "a; touch /tmp/orch-pwned",
    "$(touch /tmp/orch-pwned)",
    "`touch /tmp/orch-pwned`",
    "'single' \"double\"",
    "new\nline",
    "",
    "*",
    "~root $HOME",
];

#[tokio::test]
async fn hostile_arguments_arrive_as_literal_argv() {
    let sshd = Sshd::start();
    let mut conn = transport(&sshd)
        .connect(&target(&sshd, "db01"))
        .await
        .unwrap();
    let mut argv = vec!["printf", "%s\\0"];
    argv.extend(HOSTILE);
    let out = conn
        .run(&request(&argv), &CancellationToken::new())
        .await
        .unwrap();
    let got: Vec<&str> = out.output.text.split('\0').collect();
    assert_eq!(got[..HOSTILE.len()], HOSTILE);
    conn.close().await;
    assert!(!std::path::Path::new("/tmp/orch-pwned").exists());
}

#[tokio::test]
async fn non_utf8_bytes_cross_ssh_as_they_are() {
    let sshd = Sshd::start();
    let words: [&[u8]; 3] = [b"\xff\xfe", b"caf\xe9 'x'", b"\x01\x7f"];
    let mut remote = b"printf '%s\\0'".to_vec();
    for w in words {
        remote.push(b' ');
        remote.extend_from_slice(&shell_quote(w));
    }
    let out = std::process::Command::new("ssh")
        .arg("-F")
        .arg(&sshd.config)
        .arg("-i")
        .arg(&sshd.user_key)
        .args(["-o", "BatchMode=yes", "--", "db01"])
        .arg(OsStr::from_bytes(&remote))
        .output()
        .unwrap();
    assert!(out.status.success(), "{out:?}");
    let got: Vec<&[u8]> = out.stdout.split(|&b| b == 0).collect();
    assert_eq!(got[..3], words);
}

#[tokio::test]
async fn hostile_certnames_are_refused_before_ssh_runs() {
    let sshd = Sshd::start();
    let transport = transport(&sshd);
    for name in [
        "-oProxyCommand=touch /tmp/orch-pwned",
        "db01;touch /tmp/orch-pwned",
        "$(touch /tmp/orch-pwned)",
        "db01\nHost *",
        "root@db01",
    ] {
        let e = connect_err(&transport, &target(&sshd, name)).await;
        assert_eq!(e.kind, RunErrorKind::CouldNotStart, "{e}");
        assert!(e.message.starts_with("refusing to connect to node "), "{e}");
        assert!(!e.message.contains('\n'), "one line: {e}");
    }
    let mut target = target(&sshd, "db01");
    target.ssh.user = Some("-oProxyCommand=x".into());
    let e = connect_err(&transport, &target).await;
    assert!(e.message.contains("its ssh user"), "{e}");
    assert!(!std::path::Path::new("/tmp/orch-pwned").exists());
    assert_eq!(sshd.logins(), 0);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn fifty_targets_at_concurrency_twenty_one_connection_each() {
    let sshd = Sshd::start();
    let names: Vec<String> = (0..50).map(|i| format!("node{i:02}.test")).collect();
    let nodes: Vec<(&str, &[&str])> = names.iter().map(|n| (n.as_str(), &[][..])).collect();
    let plan = plan_of(&nodes);
    let base = target(&sshd, "x");
    let mut log = EventLog::default();
    let options = JobOptions {
        concurrency: 20,
        ..JobOptions::default()
    };
    let report = run_job(
        1,
        &plan,
        |name| NodeTarget {
            name: name.into(),
            host: name.into(),
            command: vec!["sh".into(), "-c".into(), "echo $ORCH_NODE".into()],
            append_flags: false,
            ..base.clone()
        },
        Arc::new(transport(&sshd)),
        &options,
        &StopHandle::new(),
        &mut [&mut log],
    )
    .await;
    assert_eq!(
        report.node_states.get(NodeState::Finished),
        50,
        "{report:?}"
    );
    for e in &log.0 {
        if let EventKind::NodeFinished { node, output, .. } = &e.kind {
            assert_eq!(output.text, format!("{node}\n"));
        }
    }
    assert_eq!(sshd.logins(), 50, "one connection per target");
    let mut running = 0usize;
    let mut peak = 0usize;
    for e in &log.0 {
        match e.kind {
            EventKind::NodeRunning { .. } => running += 1,
            EventKind::NodeFinished { .. } => running -= 1,
            _ => {}
        }
        peak = peak.max(running);
    }
    assert!(peak <= 20, "at most 20 at once, saw {peak}");
}

#[tokio::test]
async fn a_server_that_never_answers_is_a_connect_timeout() {
    // Accepts and says nothing: ssh waits for a banner that never comes.
    let silent = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let port = silent.local_addr().unwrap().port();
    let held = std::thread::spawn(move || {
        let conns: Vec<_> = silent.incoming().take(2).flatten().collect();
        std::thread::sleep(Duration::from_secs(3));
        drop(conns);
    });
    let sshd = Sshd::start();
    let mut target = target(&sshd, "db01");
    target.ssh.port = Some(port);
    target.ssh.connect_timeout = Some(1);
    let started = std::time::Instant::now();
    let e = connect_err(&transport(&sshd), &target).await;
    assert_eq!(e.kind, RunErrorKind::ConnectTimeout, "{e}");
    assert!(
        e.message.starts_with("timed out connecting to db01: "),
        "{e}"
    );
    // And from a run that connects by itself, bounded the same way.
    let mut conn = transport(&sshd).connect(&target).await.unwrap();
    let e = conn
        .run(&request(&["true"]), &CancellationToken::new())
        .await
        .unwrap_err();
    assert_eq!(e.kind, RunErrorKind::ConnectTimeout, "{e}");
    assert!(started.elapsed() < Duration::from_secs(10));
    held.join().unwrap();
}

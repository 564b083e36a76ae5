//! The local transport with real processes.

use std::time::{Duration, Instant};

use orch_runner::{
    Exit, LocalTransport, NodeTarget, OUTPUT_LIMIT, RunErrorKind, RunRequest, Transport,
    TransportKind,
};
use tokio_util::sync::CancellationToken;

fn request(argv: &[&str]) -> RunRequest {
    RunRequest {
        argv: argv.iter().map(|s| s.to_string()).collect(),
        env: vec![("ORCH_NODE".into(), "db01".into())],
        read_after: None,
    }
}

fn target() -> NodeTarget {
    NodeTarget::default_for("db01", TransportKind::Local)
}

#[tokio::test]
async fn runs_argv_without_a_shell_and_captures_both_streams() {
    let mut conn = LocalTransport::new().connect(&target()).await.unwrap();
    // The argument with a `;` and `$(...)` is one argument, never shell text.
    let out = conn
        .run(
            &request(&[
                "sh",
                "-c",
                "echo out:$ORCH_NODE; echo err:\"$1\" >&2; exit 2",
                "sh",
                "x; $(touch /tmp/never)",
            ]),
            &CancellationToken::new(),
        )
        .await
        .unwrap();
    assert_eq!(out.exit, Exit::Code(2));
    assert!(out.output.text.contains("out:db01\n"));
    assert!(out.output.text.contains("err:x; $(touch /tmp/never)\n"));
    assert!(!out.output.truncated);
}

#[tokio::test]
async fn a_missing_program_is_command_not_found() {
    let mut conn = LocalTransport::new().connect(&target()).await.unwrap();
    let err = conn
        .run(
            &request(&["/nonexistent/agent", "--test"]),
            &CancellationToken::new(),
        )
        .await
        .unwrap_err();
    assert_eq!(err.kind, RunErrorKind::CommandNotFound);
    assert!(
        err.message
            .starts_with("could not start `/nonexistent/agent`: "),
        "{}",
        err.message
    );
}

#[tokio::test]
async fn output_is_bounded_and_the_cut_is_reported() {
    let mut conn = LocalTransport::new().connect(&target()).await.unwrap();
    let out = conn
        .run(
            &request(&[
                "sh",
                "-c",
                "i=0; while [ $i -lt 20000 ]; do echo line $i; i=$((i+1)); done",
            ]),
            &CancellationToken::new(),
        )
        .await
        .unwrap();
    assert!(out.output.truncated);
    assert!(out.output.text.len() <= OUTPUT_LIMIT);
    assert!(out.output.text.ends_with("line 19999\n"));
    assert!(
        out.output.text.starts_with("line "),
        "starts at a whole line"
    );
}

#[tokio::test]
async fn cancelling_kills_the_whole_process_group() {
    let dir = tempfile::tempdir().unwrap();
    let pidfile = dir.path().join("grandchild.pid");
    let mut conn = LocalTransport::new().connect(&target()).await.unwrap();
    let cancel = CancellationToken::new();
    let trigger = cancel.clone();
    tokio::spawn(async move {
        tokio::time::sleep(Duration::from_millis(300)).await;
        trigger.cancel();
    });
    let started = Instant::now();
    let script = format!(
        "sleep 30 & echo $! > {}; echo started; wait",
        pidfile.display()
    );
    let err = conn
        .run(&request(&["sh", "-c", &script]), &cancel)
        .await
        .unwrap_err();
    assert_eq!(err.kind, RunErrorKind::Cancelled);
    assert!(err.output.text.contains("started"));
    assert!(started.elapsed() < Duration::from_secs(10));
    let pid: i32 = std::fs::read_to_string(&pidfile)
        .unwrap()
        .trim()
        .parse()
        .unwrap();
    // The background `sleep` was in the group: it goes (a signal is delivered asynchronously,
    // so allow it a moment; a zombie awaiting its reaper counts as gone).
    let alive = || {
        std::fs::read_to_string(format!("/proc/{pid}/stat"))
            .map(|s| !s.contains(") Z "))
            .unwrap_or(false)
    };
    let deadline = Instant::now() + Duration::from_secs(3);
    while alive() && Instant::now() < deadline {
        std::thread::sleep(Duration::from_millis(20));
    }
    assert!(!alive(), "grandchild {pid} survived");
}

#[tokio::test]
async fn fetch_reads_local_files() {
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("summary.yaml");
    std::fs::write(&file, "version: {}\n").unwrap();
    let mut conn = LocalTransport::new().connect(&target()).await.unwrap();
    assert_eq!(
        conn.fetch(&file).await.unwrap().as_deref(),
        Some(&b"version: {}\n"[..])
    );
    assert_eq!(conn.fetch(&dir.path().join("absent")).await.unwrap(), None);
}

//! `orch job plan`.

use std::io::Write;
use std::process::{Command, Stdio};

use crate::run;

const WEBFARM: &str = "orch-planner/tests/fixtures/webfarm.json";
const CROSS_APP: &str = "orch-planner/tests/fixtures/cross_app.json";

/// Runs `orch` at the repository root with `input` on stdin.
fn run_with_stdin(args: &[&str], input: &str) -> String {
    let mut child = Command::new(env!("CARGO_BIN_EXE_orch"))
        .args(args)
        .current_dir(crate::root())
        .env_remove("ORCH_MANIFEST")
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("orch runs");
    child
        .stdin
        .take()
        .unwrap()
        .write_all(input.as_bytes())
        .unwrap();
    let out = child.wait_with_output().unwrap();
    format!(
        "exit: {}\n--- stdout\n{}--- stderr\n{}",
        out.status.code().unwrap_or(-1),
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    )
}

#[test]
fn plan_a_graph_in_each_format() {
    insta::assert_snapshot!(run(&["job", "plan", "--graph", WEBFARM]));
    insta::assert_snapshot!(run(&[
        "job", "plan", "--graph", WEBFARM, "--format", "json"
    ]));
    insta::assert_snapshot!(run(&["job", "plan", "--graph", WEBFARM, "--format", "dot"]));
    insta::assert_snapshot!(run(&[
        "job", "plan", "--graph", WEBFARM, "--format", "mermaid"
    ]));
}

#[test]
fn plan_puppet_code() {
    insta::assert_snapshot!(run(&["job", "plan", "-m", "examples/lamp"]));
}

#[test]
fn plan_application_instances_with_a_concurrency_limit() {
    insta::assert_snapshot!(run(&[
        "job",
        "plan",
        "--graph",
        CROSS_APP,
        "-a",
        "Shop[prod]",
        "--application",
        "infra",
        "--concurrency",
        "10",
    ]));
}

#[test]
fn plan_a_node_list() {
    insta::assert_snapshot!(run(&[
        "job",
        "plan",
        "--graph",
        WEBFARM,
        "-n",
        "web01.example.net, lb01.example.net,monitor.example.net",
        "--format",
        "json",
    ]));
}

#[test]
fn plan_a_node_list_from_a_file() {
    let path = std::env::temp_dir().join(format!("orch-cli-nodes-{}.txt", std::process::id()));
    std::fs::write(&path, "db01.example.net\n\nweb03.example.net\n").unwrap();
    let nodes = format!("@{}", path.display());
    let out = run(&["job", "plan", "--graph", WEBFARM, "--nodes", &nodes]);
    let _ = std::fs::remove_file(&path);
    insta::assert_snapshot!(out);
}

#[test]
fn a_picture_of_a_partial_target_warns_on_stderr() {
    insta::assert_snapshot!(run(&[
        "job",
        "plan",
        "--graph",
        WEBFARM,
        "-n",
        "web01.example.net",
        "--format",
        "mermaid",
    ]));
}

#[test]
fn plan_a_graph_from_stdin() {
    let graph =
        std::fs::read_to_string(crate::root().join("orch-planner/tests/fixtures/chain.json"))
            .unwrap();
    insta::assert_snapshot!(run_with_stdin(&["job", "plan", "--graph", "-"], &graph));
}

#[test]
fn a_cycle_is_invalid_input() {
    insta::assert_snapshot!(run(&[
        "job",
        "plan",
        "--graph",
        "orch-planner/tests/fixtures/cycle.json",
    ]));
}

#[test]
fn bad_input_exits_2() {
    let cases = [
        run(&["job", "plan", "--graph", "no/such/graph.json"]),
        run_with_stdin(&["job", "plan", "--graph", "-"], "{\"environment\": 1}"),
        run(&["job", "plan", "--graph", WEBFARM, "-a", "Blog"]),
        run(&["job", "plan", "--graph", WEBFARM, "-a", "not an app"]),
        run(&["job", "plan", "--graph", WEBFARM, "-n", ","]),
        run(&["job", "plan", "--graph", WEBFARM, "-n", "@no/such/list"]),
        run(&[
            "job",
            "plan",
            "--graph",
            "orch-planner/tests/fixtures/empty.json",
        ]),
        run(&["job", "plan", "--graph", WEBFARM, "-a", "Shop", "-n", "a"]),
    ];
    insta::assert_snapshot!(cases.join("\n"));
}

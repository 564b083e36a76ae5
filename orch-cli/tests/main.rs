//! Whole-command tests of the `orch` binary: output, errors and exit codes, snapshotted.

mod job;
mod ops;
mod parser;
mod run;
mod sensitive;
mod serve;
mod ssh;

use std::path::{Path, PathBuf};
use std::process::Command;

/// The repository root (examples live there).
pub(crate) fn root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("..")
}

/// Runs `orch` with `args` in `dir`; renders exit code, stdout and stderr for a snapshot.
pub(crate) fn run_in(dir: &Path, args: &[&str]) -> String {
    let out = Command::new(env!("CARGO_BIN_EXE_orch"))
        .args(args)
        .current_dir(dir)
        .env_remove("ORCH_MANIFEST")
        .output()
        .expect("orch runs");
    format!(
        "exit: {}\n--- stdout\n{}--- stderr\n{}",
        out.status.code().unwrap_or(-1),
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    )
}

/// Runs `orch` at the repository root.
pub(crate) fn run(args: &[&str]) -> String {
    run_in(&root(), args)
}

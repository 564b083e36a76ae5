//! Benchmarks for orch (`cargo bench`), and helpers that build their inputs.

mod synthetic;

use std::path::Path;

pub use synthetic::Synthetic;

/// Reads every `.pp` file under `dir` (recursively, sorted) that is valid UTF-8.
pub fn read_corpus(dir: &Path) -> Vec<String> {
    let files = orch_parser::manifest_files(&[dir.to_path_buf()]).unwrap_or_default();
    files
        .iter()
        .filter_map(|p| std::fs::read_to_string(p).ok())
        .collect()
}

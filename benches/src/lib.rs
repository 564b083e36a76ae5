//! Benchmarks for orch (`cargo bench`), and helpers that build their inputs.

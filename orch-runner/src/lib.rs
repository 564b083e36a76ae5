//! Executes a run-order plan: agent runs on nodes, in order, with a concurrency limit.
//!
//! Not built yet. It will run nodes over local and SSH transports (argv vectors, never shell
//! strings), propagate failures to dependents, honour noop and timeouts, emit a typed event
//! stream and record every job in an SQLite job store.

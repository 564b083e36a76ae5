//! orch-server's tests: a real server on loopback (in this process, on a runtime of its own),
//! spoken to over HTTP.

mod api;
mod browser;
mod common;
mod fuzz;
mod tls;
mod web;

//! `orch serve`: Puppet Enterprise's orchestrator HTTP API v1 (`reference/orchestrator.md` §6)
//! and a live web view, over the same planner, runner, store and event stream as the CLI. A job
//! started over HTTP is a job like any other: `orch job show` lists it, `orch job stop` stops it.
//!
//! - [`Server`]: binds, then serves until told to stop: plain HTTP on loopback only, HTTPS
//!   (rustls) from a PEM certificate and key, `X-Authentication` tokens from a file of hashes
//!   ([`Tokens`]).
//! - [`Client`]: the API from the other side, for `orch job run|show|stop --server URL`.
//!
//! Only protocol, authentication and presentation live here; plans come from `orch-planner`,
//! jobs from `orch-runner`.

mod api;
mod auth;
mod client;
mod environments;
mod error;
mod jobs;
mod listen;
mod pe;
mod state;
mod web;

pub use auth::{Tokens, User, token_hash};
pub use client::{Client, ClientError, DeployRequest, Deployed, Scope};
pub use environments::Environments;
pub use error::Error;
pub use listen::{SHUTDOWN_GRACE, ServeOptions, Server, TlsFiles};
pub use pe::{ApiEvent, job_from_api};

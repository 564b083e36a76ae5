//! The crate's error type: why a server could not start.

use std::net::SocketAddr;
use std::path::PathBuf;

/// Why `orch serve` could not start (request problems are HTTP answers, not errors).
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum Error {
    /// Plain HTTP, or no authentication, asked for on an address other machines reach.
    #[error(
        "refusing to listen on {addr} {why}: use a loopback address (127.0.0.1, ::1), or give --tls-cert, --tls-key and --token-file"
    )]
    NotLoopback {
        /// The address.
        addr: SocketAddr,
        /// `without TLS` or `without --token-file`.
        why: &'static str,
    },
    /// The address could not be bound.
    #[error("could not listen on {addr}: {source}")]
    Bind {
        /// The address.
        addr: SocketAddr,
        /// Why.
        source: std::io::Error,
    },
    /// A certificate, key or token file could not be read.
    #[error("could not read `{}`: {source}", path.display())]
    Read {
        /// The file.
        path: PathBuf,
        /// Why.
        source: std::io::Error,
    },
    /// A certificate or key file that does not hold what it should.
    #[error("{}: {message}", path.display())]
    Tls {
        /// The file.
        path: PathBuf,
        /// What is wrong.
        message: String,
    },
    /// A token file line that is not `<login> sha256:<64 hex digits>`.
    #[error("{}:{line}: {message}", path.display())]
    TokenFile {
        /// The file.
        path: PathBuf,
        /// The line, from 1.
        line: usize,
        /// What is wrong.
        message: String,
    },
    /// The job store could not be opened.
    #[error(transparent)]
    Store(#[from] orch_runner::Error),
}

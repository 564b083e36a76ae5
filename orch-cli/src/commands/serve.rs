//! `orch serve`: PE's orchestrator API and the web view (orch-server), over this machine's
//! code, inventory and job store.

use std::net::SocketAddr;
use std::path::PathBuf;
use std::sync::Arc;

use clap::Args;
use orch_server::{Environments, ServeOptions, Server, TlsFiles, Tokens};

use super::job::{NodeAccessArgs, runtime, transport};
use crate::cli::CodeArgs;
use crate::commands::{environment_source, store_path};
use crate::exit::Exit;

#[derive(Debug, Args)]
pub(crate) struct ServeArgs {
    /// Where to listen. Without TLS and a token file, only a loopback address is accepted.
    #[arg(long, value_name = "ADDR", default_value = "127.0.0.1:8143")]
    listen: SocketAddr,
    /// Serve HTTPS with this PEM certificate chain (with --tls-key).
    #[arg(long = "tls-cert", value_name = "FILE", requires = "tls_key")]
    tls_cert: Option<PathBuf>,
    /// The PEM private key of --tls-cert.
    #[arg(long = "tls-key", value_name = "FILE", requires = "tls_cert")]
    tls_key: Option<PathBuf>,
    /// Accepted tokens: `<login> sha256:<hex of the token's SHA-256> [view]` per line.
    /// Without it, authentication is off (loopback only).
    #[arg(long = "token-file", value_name = "FILE")]
    token_file: Option<PathBuf>,
    #[command(flatten)]
    code: CodeArgs,
    #[command(flatten)]
    access: NodeAccessArgs,
    /// The job store (default: $ORCH_STORE, else $XDG_STATE_HOME/orch/jobs.sqlite3).
    #[arg(long, value_name = "PATH", env = "ORCH_STORE")]
    store: Option<PathBuf>,
}

pub(crate) fn serve(args: ServeArgs) -> Exit {
    let inventory = match args.access.load() {
        Ok(inv) => inv,
        Err(exit) => return exit,
    };
    let tokens = match args.token_file.as_deref().map(Tokens::load).transpose() {
        Ok(t) => t,
        Err(e) => {
            eprintln!("Error: {e}");
            return Exit::InvalidInput;
        }
    };
    let store = match store_path(args.store.as_deref()) {
        Ok(p) => p,
        Err(exit) => return exit,
    };
    // `--codedir` without `-m`: every environment of the code dir, as Puppet Server served.
    let environments = match (&args.code.manifest, &args.code.codedir) {
        (None, Some(dir)) => Environments::Codedir {
            dir: dir.clone(),
            extra_modulepath: environment_source(&args.code).extra_modulepath,
        },
        _ => Environments::One(environment_source(&args.code)),
    };
    let tls = match (args.tls_cert, args.tls_key) {
        (Some(cert), Some(key)) => Some(TlsFiles { cert, key }),
        _ => None,
    };
    let options = ServeOptions {
        listen: args.listen,
        tls,
        tokens,
        environments,
        inventory,
        store,
        transport: Arc::new(transport()),
    };
    let runtime = match runtime() {
        Ok(rt) => rt,
        Err(exit) => return exit,
    };
    runtime.block_on(async {
        let server = match Server::bind(options).await {
            Ok(s) => s,
            Err(e) => {
                eprintln!("Error: {e}");
                return match e {
                    orch_server::Error::NotLoopback { .. }
                    | orch_server::Error::Tls { .. }
                    | orch_server::Error::TokenFile { .. } => Exit::InvalidInput,
                    _ => Exit::Internal,
                };
            }
        };
        let url = server.url();
        eprintln!("orch serve: the web view at {url}/, the API at {url}/orchestrator/v1");
        server.run(shutdown_signal()).await;
        eprintln!("orch serve: stopped");
        Exit::Success
    })
}

/// Ctrl-C or SIGTERM.
async fn shutdown_signal() {
    use tokio::signal::unix::{SignalKind, signal};
    let (Ok(mut int), Ok(mut term)) = (
        signal(SignalKind::interrupt()),
        signal(SignalKind::terminate()),
    ) else {
        return std::future::pending().await;
    };
    tokio::select! {
        _ = int.recv() => {}
        _ = term.recv() => {}
    }
    eprintln!("orch serve: stopping (running jobs are interrupted)");
}

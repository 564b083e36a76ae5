//! Listening: the socket, TLS, per-connection limits, and the routes.

use std::future::Future;
use std::net::SocketAddr;
use std::path::PathBuf;
use std::sync::Arc;
use std::time::Duration;

use hyper_util::rt::{TokioExecutor, TokioIo, TokioTimer};
use hyper_util::server::conn::auto;
use hyper_util::service::TowerToHyperService;
use orch_runner::{Inventory, Store, Transport};
use rustls::pki_types::pem::PemObject;
use rustls::pki_types::{CertificateDer, PrivateKeyDer};
use tokio::net::TcpListener;
use tokio_rustls::TlsAcceptor;

use crate::auth::Tokens;
use crate::environments::Environments;
use crate::error::Error;
use crate::state::AppState;

/// A client has this long to send a request's headers (slow clients are let go).
const HEADER_TIMEOUT: Duration = Duration::from_secs(10);
/// A TLS handshake must be done in this time.
const HANDSHAKE_TIMEOUT: Duration = Duration::from_secs(10);
/// A request must be answered within this time (a streamed answer's stream excepted): bounds
/// slow bodies; longer than the longest `wait` of `GET /jobs/:id/events`.
const REQUEST_TIMEOUT: Duration = Duration::from_secs(60);

/// How long a server that is told to stop waits for its jobs to end.
pub const SHUTDOWN_GRACE: Duration = Duration::from_secs(15);

/// A PEM certificate chain and its private key.
#[derive(Debug, Clone)]
pub struct TlsFiles {
    /// The certificate chain, leaf first.
    pub cert: PathBuf,
    /// The private key (PKCS#8, PKCS#1 or SEC1).
    pub key: PathBuf,
}

/// What `orch serve` serves, and how.
pub struct ServeOptions {
    /// Where to listen.
    pub listen: SocketAddr,
    /// HTTPS from these; `None`: plain HTTP, loopback only.
    pub tls: Option<TlsFiles>,
    /// Accepted tokens; `None`: no authentication, loopback only.
    pub tokens: Option<Tokens>,
    /// The code.
    pub environments: Environments,
    /// How to reach the nodes.
    pub inventory: Inventory,
    /// The job store.
    pub store: PathBuf,
    /// What runs agents on nodes.
    pub transport: Arc<dyn Transport>,
}

/// A bound server; [`Server::run`] serves.
pub struct Server {
    listener: TcpListener,
    tls: Option<TlsAcceptor>,
    state: Arc<AppState>,
}

impl Server {
    /// Checks the options, opens the store, reads TLS files and binds.
    pub async fn bind(options: ServeOptions) -> Result<Server, Error> {
        let loopback = options.listen.ip().is_loopback();
        if !loopback && options.tls.is_none() {
            return Err(Error::NotLoopback {
                addr: options.listen,
                why: "without TLS",
            });
        }
        if !loopback && options.tokens.is_none() {
            return Err(Error::NotLoopback {
                addr: options.listen,
                why: "without --token-file",
            });
        }
        let tls = options.tls.as_ref().map(tls_acceptor).transpose()?;
        let store = Store::open(&options.store)?;
        let scheme = if tls.is_some() { "https" } else { "http" };
        let state = AppState::new(
            options.environments,
            options.inventory,
            options.transport,
            store,
            options.tokens,
            scheme,
        )?;
        let listener = TcpListener::bind(options.listen)
            .await
            .map_err(|source| Error::Bind {
                addr: options.listen,
                source,
            })?;
        Ok(Server {
            listener,
            tls,
            state: Arc::new(state),
        })
    }

    /// The address it listens on (the port chosen when asked for port 0).
    pub fn local_addr(&self) -> SocketAddr {
        self.listener
            .local_addr()
            .expect("a bound listener has an address")
    }

    /// `http(s)://ADDR`, the root of the web view; the API is under `/orchestrator/v1`.
    pub fn url(&self) -> String {
        format!("{}://{}", self.state.scheme, self.local_addr())
    }

    /// Serves until `shutdown` completes; then interrupts the jobs it runs (as a forced stop
    /// does) and waits up to [`SHUTDOWN_GRACE`] for them to be recorded as ended. Connections
    /// still open are dropped.
    pub async fn run(self, shutdown: impl Future<Output = ()>) {
        let app = axum::Router::new()
            .nest(crate::api::PREFIX, crate::api::routes(self.state.clone()))
            .merge(
                axum::Router::new()
                    .route(
                        "/orchestrator",
                        axum::routing::get(crate::api::root_redirect),
                    )
                    .with_state(self.state.clone()),
            )
            .merge(crate::web::routes(self.state.clone()))
            .layer(axum::middleware::from_fn(time_limit));
        tokio::pin!(shutdown);
        loop {
            let accepted = tokio::select! {
                () = &mut shutdown => {
                    self.state.interrupt_all(SHUTDOWN_GRACE).await;
                    return;
                }
                accepted = self.listener.accept() => accepted,
            };
            let Ok((stream, _peer)) = accepted else {
                // Out of file descriptors and the like: wait instead of spinning.
                tokio::time::sleep(Duration::from_millis(50)).await;
                continue;
            };
            let _ = stream.set_nodelay(true);
            let app = app.clone();
            let tls = self.tls.clone();
            tokio::spawn(async move {
                let service = TowerToHyperService::new(app);
                let mut builder = auto::Builder::new(TokioExecutor::new());
                builder
                    .http1()
                    .timer(TokioTimer::new())
                    .header_read_timeout(HEADER_TIMEOUT);
                match tls {
                    None => {
                        let _ = builder
                            .serve_connection_with_upgrades(TokioIo::new(stream), service)
                            .await;
                    }
                    Some(acceptor) => {
                        let Ok(Ok(stream)) =
                            tokio::time::timeout(HANDSHAKE_TIMEOUT, acceptor.accept(stream)).await
                        else {
                            return;
                        };
                        let _ = builder
                            .serve_connection_with_upgrades(TokioIo::new(stream), service)
                            .await;
                    }
                }
            });
        }
    }
}

fn tls_acceptor(files: &TlsFiles) -> Result<TlsAcceptor, Error> {
    let read = |path: &PathBuf| {
        std::fs::read(path).map_err(|source| Error::Read {
            path: path.clone(),
            source,
        })
    };
    let cert_pem = read(&files.cert)?;
    let key_pem = read(&files.key)?;
    let certs: Vec<CertificateDer<'static>> = CertificateDer::pem_slice_iter(&cert_pem)
        .collect::<Result<_, _>>()
        .map_err(|e| Error::Tls {
            path: files.cert.clone(),
            message: format!("not a PEM certificate chain: {e}"),
        })?;
    if certs.is_empty() {
        return Err(Error::Tls {
            path: files.cert.clone(),
            message: "holds no certificate (expected PEM `BEGIN CERTIFICATE` blocks)".into(),
        });
    }
    let key = PrivateKeyDer::from_pem_slice(&key_pem).map_err(|e| Error::Tls {
        path: files.key.clone(),
        message: format!("not a PEM private key: {e}"),
    })?;
    let config = rustls::ServerConfig::builder_with_provider(Arc::new(
        rustls::crypto::ring::default_provider(),
    ))
    .with_safe_default_protocol_versions()
    .map_err(|e| Error::Tls {
        path: files.cert.clone(),
        message: e.to_string(),
    })?
    .with_no_client_auth()
    .with_single_cert(certs, key)
    .map_err(|e| Error::Tls {
        path: files.key.clone(),
        message: format!("does not go with the certificate: {e}"),
    })?;
    Ok(TlsAcceptor::from(Arc::new(config)))
}

/// Answers 408 (PE's error body) when a request takes longer than [`REQUEST_TIMEOUT`].
async fn time_limit(
    request: axum::extract::Request,
    next: axum::middleware::Next,
) -> axum::response::Response {
    use axum::response::IntoResponse;
    match tokio::time::timeout(REQUEST_TIMEOUT, next.run(request)).await {
        Ok(response) => response,
        Err(_) => crate::api::ApiError::new(
            axum::http::StatusCode::REQUEST_TIMEOUT,
            "puppetlabs.orchestrator/request-timeout",
            format!(
                "The request was not complete within {} s",
                REQUEST_TIMEOUT.as_secs()
            ),
        )
        .into_response(),
    }
}

//! HTTPS from a certificate and key made for the run, and the loopback rule.

use orch_server::{Client, ServeOptions, Server, TlsFiles};

use crate::common::{Setup, TestServer, shop};

/// A self-signed certificate for 127.0.0.1 in `dir`: (cert, key) paths.
fn certificate(dir: &std::path::Path) -> TlsFiles {
    let cert =
        rcgen::generate_simple_self_signed(vec!["127.0.0.1".into(), "localhost".into()]).unwrap();
    let files = TlsFiles {
        cert: dir.join("cert.pem"),
        key: dir.join("key.pem"),
    };
    std::fs::write(&files.cert, cert.cert.pem()).unwrap();
    std::fs::write(&files.key, cert.signing_key.serialize_pem()).unwrap();
    files
}

#[test]
fn https_serves_the_api_to_a_client_that_trusts_the_certificate() {
    let dir = tempfile::tempdir().unwrap();
    let tls = certificate(dir.path());
    let ca = tls.cert.clone();
    let server = TestServer::start(Setup {
        tls: Some(tls),
        ..Setup::default().with_alice()
    });
    assert!(
        server.url.starts_with("https://127.0.0.1:"),
        "{}",
        server.url
    );
    let client = Client::new(&server.url, Some("alice-token".into()), Some(&ca)).unwrap();
    let (jobs, total) = client.jobs(10, 0).unwrap();
    assert!(jobs.is_empty());
    assert_eq!(total, 0);
    // Without the CA the certificate is not trusted; without the token, not permitted.
    let untrusting = Client::new(&server.url, Some("alice-token".into()), None).unwrap();
    let e = untrusting.jobs(10, 0).unwrap_err();
    assert!(matches!(e, orch_server::ClientError::Connect { .. }), "{e}");
    let anonymous = Client::new(&server.url, None, Some(&ca)).unwrap();
    let e = anonymous.jobs(10, 0).unwrap_err();
    assert!(
        matches!(&e, orch_server::ClientError::Api { status: 401, .. }),
        "{e}"
    );
    // Plain HTTP to the HTTPS port gets no answer.
    let plain = server.url.replace("https://", "http://");
    let e = Client::new(&plain, None, None)
        .unwrap()
        .jobs(1, 0)
        .unwrap_err();
    assert!(matches!(e, orch_server::ClientError::Connect { .. }), "{e}");
}

#[test]
fn plain_http_and_no_tokens_are_for_loopback_only() {
    let dir = tempfile::tempdir().unwrap();
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap();
    let options = |tls: Option<TlsFiles>| ServeOptions {
        listen: "0.0.0.0:0".parse().unwrap(),
        tls,
        tokens: None,
        environments: shop(),
        inventory: orch_runner::Inventory::empty(),
        store: dir.path().join("jobs.sqlite3"),
        transport: std::sync::Arc::new(orch_runner::ScriptedTransport::instant()),
    };
    let e = runtime.block_on(Server::bind(options(None))).err().unwrap();
    assert!(e.to_string().contains("without TLS"), "{e}");
    let tls = certificate(dir.path());
    let e = runtime
        .block_on(Server::bind(options(Some(tls))))
        .err()
        .unwrap();
    assert!(e.to_string().contains("without --token-file"), "{e}");
    // A key that is not one is named.
    let bad = TlsFiles {
        cert: dir.path().join("cert.pem"),
        key: dir.path().join("cert.pem"),
    };
    let mut local = options(Some(bad));
    local.listen = "127.0.0.1:0".parse().unwrap();
    let e = runtime.block_on(Server::bind(local)).err().unwrap();
    assert!(
        e.to_string().contains("cert.pem: not a PEM private key"),
        "{e}"
    );
}

//! HTTPS with a CA generated in the test.

use std::sync::Arc;

use axum::http::{Request, StatusCode};
use gongwen_protocol::Health;
use gongwen_server::config::TlsFiles;
use gongwen_server::{Error, Settings};
use gongwen_testkit::TestPostgres;
use http_body_util::{BodyExt, Empty};
use hyper::body::Bytes;
use hyper_util::rt::TokioIo;
use rcgen::{BasicConstraints, CertificateParams, DnType, IsCa, KeyPair, KeyUsagePurpose};
use rustls::RootCertStore;
use rustls_pki_types::{CertificateDer, ServerName};

struct TestCa {
    dir: tempfile::TempDir,
    ca_der: CertificateDer<'static>,
}

fn make_ca() -> TestCa {
    let ca_key = KeyPair::generate().unwrap();
    let mut ca_params = CertificateParams::new(Vec::<String>::new()).unwrap();
    ca_params.is_ca = IsCa::Ca(BasicConstraints::Unconstrained);
    ca_params
        .distinguished_name
        .push(DnType::CommonName, "鹤山市电子政务测试 CA");
    ca_params.key_usages = vec![KeyUsagePurpose::KeyCertSign, KeyUsagePurpose::CrlSign];
    let ca = ca_params.self_signed(&ca_key).unwrap();

    let key = KeyPair::generate().unwrap();
    let params =
        CertificateParams::new(vec!["localhost".to_owned(), "127.0.0.1".to_owned()]).unwrap();
    let cert = params.signed_by(&key, &ca, &ca_key).unwrap();

    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("server.crt"), cert.pem()).unwrap();
    std::fs::write(dir.path().join("server.key"), key.serialize_pem()).unwrap();
    TestCa {
        dir,
        ca_der: ca.der().clone(),
    }
}

async fn https_get(
    addr: std::net::SocketAddr,
    roots: RootCertStore,
    path: &str,
) -> Result<(StatusCode, Bytes), String> {
    let provider = Arc::new(rustls::crypto::ring::default_provider());
    let config = rustls::ClientConfig::builder_with_provider(provider)
        .with_safe_default_protocol_versions()
        .unwrap()
        .with_root_certificates(roots)
        .with_no_client_auth();
    let connector = tokio_rustls::TlsConnector::from(Arc::new(config));
    let tcp = tokio::net::TcpStream::connect(addr)
        .await
        .map_err(|e| e.to_string())?;
    let tls = connector
        .connect(ServerName::try_from("localhost").unwrap(), tcp)
        .await
        .map_err(|e| format!("handshake: {e}"))?;
    let (mut sender, conn) = hyper::client::conn::http1::handshake(TokioIo::new(tls))
        .await
        .map_err(|e| e.to_string())?;
    tokio::spawn(conn);
    let req = Request::get(path)
        .header("host", "localhost")
        .body(Empty::<Bytes>::new())
        .unwrap();
    let res = sender.send_request(req).await.map_err(|e| e.to_string())?;
    let status = res.status();
    let body = res
        .into_body()
        .collect()
        .await
        .map_err(|e| e.to_string())?
        .to_bytes();
    Ok((status, body))
}

#[tokio::test]
async fn serves_https_trusted_through_the_private_ca() {
    let ca = make_ca();
    let mut settings = Settings::new(TestPostgres::shared().fresh_database());
    settings.tls = Some(TlsFiles {
        cert: ca.dir.path().join("server.crt"),
        key: ca.dir.path().join("server.key"),
    });
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    let (tx, rx) = tokio::sync::oneshot::channel::<()>();
    let server = tokio::spawn(gongwen_server::launch(settings, listener, async {
        let _ = rx.await;
    }));

    let mut roots = RootCertStore::empty();
    roots.add(ca.ca_der.clone()).unwrap();
    let mut answer = None;
    for _ in 0..600 {
        match https_get(addr, roots.clone(), "/v1/health").await {
            Ok(a) => {
                answer = Some(a);
                break;
            }
            Err(_) if !server.is_finished() => {
                tokio::time::sleep(std::time::Duration::from_millis(50)).await
            }
            Err(e) => panic!("{e}"),
        }
    }
    let (status, body) = answer.expect("HTTPS server answered");
    assert_eq!(status, StatusCode::OK);
    let health: Health = serde_json::from_slice(&body).unwrap();
    assert_eq!(health.database, "ok");

    // A client that does not trust the private CA cannot talk to it.
    let e = https_get(addr, RootCertStore::empty(), "/v1/health")
        .await
        .unwrap_err();
    assert!(e.contains("handshake"), "{e}");

    tx.send(()).unwrap();
    server.await.unwrap().unwrap();
}

#[tokio::test]
async fn bad_tls_files_are_reported() {
    let ca = make_ca();
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let mut settings = Settings::new("postgres://127.0.0.1:1/x");
    settings.tls = Some(TlsFiles {
        cert: ca.dir.path().join("missing.crt"),
        key: ca.dir.path().join("server.key"),
    });
    let e = gongwen_server::launch(settings, listener, std::future::pending())
        .await
        .unwrap_err();
    assert!(matches!(e, Error::Tls(_)), "{e:?}");
    assert!(e.to_string().contains("--tls-cert"), "{e}");

    // Key that does not match the certificate.
    let other = make_ca();
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let mut settings = Settings::new("postgres://127.0.0.1:1/x");
    settings.tls = Some(TlsFiles {
        cert: ca.dir.path().join("server.crt"),
        key: other.dir.path().join("server.key"),
    });
    let e = gongwen_server::launch(settings, listener, std::future::pending())
        .await
        .unwrap_err();
    assert!(matches!(e, Error::Tls(_)), "{e:?}");
}

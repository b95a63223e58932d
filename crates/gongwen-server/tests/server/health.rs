//! Health, readiness, metrics, migrations and request hygiene.

use axum::http::{Method, StatusCode};
use gongwen_protocol::Health;
use gongwen_server::db::migrations;
use gongwen_server::{Error, Settings};
use gongwen_testkit::TestPostgres;

use crate::common::TestServer;

#[tokio::test]
async fn health_ready_and_metrics() {
    let server = TestServer::start().await;
    let r = server.get("/v1/health", None).await;
    assert_eq!(r.status, StatusCode::OK);
    let h: Health = r.json();
    assert_eq!(h.status, "ok");
    assert_eq!(h.database, "ok");
    assert_eq!(h.version, env!("CARGO_PKG_VERSION"));
    assert_eq!(h.schema_version, migrations::latest());

    let r = server.get("/v1/ready", None).await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.text());

    let r = server.get("/metrics", None).await;
    assert_eq!(r.status, StatusCode::OK);
    let text = r.text();
    assert!(text.contains("gongwen_http_requests_total"), "{text}");
    assert!(text.contains("route=\"/v1/health\""), "{text}");
    assert!(
        text.contains("gongwen_http_request_duration_seconds_bucket"),
        "{text}"
    );
    assert!(text.contains("gongwen_db_pool_connections"), "{text}");
    server.stop().await.unwrap();
}

#[tokio::test]
async fn unknown_routes_and_methods_answer_with_codes() {
    let server = TestServer::start().await;
    server
        .get("/v1/nothing-here", None)
        .await
        .assert_error(StatusCode::NOT_FOUND, "not_found");
    server
        .raw(Method::DELETE, "/v1/health", None, vec![], None)
        .await
        .assert_error(StatusCode::METHOD_NOT_ALLOWED, "method_not_allowed");
}

#[tokio::test]
async fn bad_bodies_are_4xx_with_codes() {
    let server = TestServer::start_with(|s| s.body_limit = 64 * 1024).await;
    let login = "/v1/auth/login";
    // Malformed JSON.
    server
        .raw(
            Method::POST,
            login,
            None,
            b"{\"login\": ".to_vec(),
            Some("application/json"),
        )
        .await
        .assert_error(StatusCode::BAD_REQUEST, "invalid_json");
    // Wrong shape.
    server
        .raw(
            Method::POST,
            login,
            None,
            b"{\"login\": 5}".to_vec(),
            Some("application/json"),
        )
        .await
        .assert_error(StatusCode::BAD_REQUEST, "invalid_json");
    // Not JSON at all.
    server
        .raw(
            Method::POST,
            login,
            None,
            b"login=a".to_vec(),
            Some("application/x-www-form-urlencoded"),
        )
        .await
        .assert_error(StatusCode::UNSUPPORTED_MEDIA_TYPE, "unsupported_media_type");
    // Oversized.
    let big = format!(
        "{{\"login\": \"{}\", \"password\": \"x\"}}",
        "a".repeat(200 * 1024)
    );
    server
        .raw(
            Method::POST,
            login,
            None,
            big.into_bytes(),
            Some("application/json"),
        )
        .await
        .assert_error(StatusCode::PAYLOAD_TOO_LARGE, "payload_too_large");
}

#[tokio::test]
async fn migrations_are_idempotent_and_refuse_newer_or_edited_schemas() {
    let url = TestPostgres::shared().fresh_database();
    let pool = gongwen_server::db::connect(&url, 1).await.unwrap();
    let mut client = pool.get().await.unwrap();
    let first = migrations::migrate(&mut client).await.unwrap();
    assert_eq!((first.from, first.to), (0, migrations::latest()));
    let again = migrations::migrate(&mut client).await.unwrap();
    assert_eq!(
        (again.from, again.to),
        (migrations::latest(), migrations::latest())
    );
    migrations::check_current(&client).await.unwrap();

    // An edited migration is detected.
    client
        .execute(
            "UPDATE schema_migrations SET checksum = 'x' WHERE version = 1",
            &[],
        )
        .await
        .unwrap();
    assert!(matches!(
        migrations::migrate(&mut client).await,
        Err(Error::MigrationModified { version: 1 })
    ));
    let right = migrations::all()[0].checksum();
    client
        .execute(
            "UPDATE schema_migrations SET checksum = $1 WHERE version = 1",
            &[&right],
        )
        .await
        .unwrap();

    // A schema from a newer server is refused, by migrate and by launch.
    client
        .execute("INSERT INTO schema_migrations (version, name, checksum) VALUES (9999, '9999_future', '')", &[])
        .await
        .unwrap();
    let e = migrations::migrate(&mut client).await.unwrap_err();
    assert!(
        matches!(e, Error::SchemaTooNew { database: 9999, .. }),
        "{e:?}"
    );
    assert!(e.to_string().contains("请升级本程序"));
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let e = gongwen_server::launch(Settings::new(url.clone()), listener, std::future::pending())
        .await
        .unwrap_err();
    assert!(matches!(e, Error::SchemaTooNew { .. }), "{e:?}");
}

#[tokio::test]
async fn two_instances_migrate_one_database_concurrently() {
    let url = TestPostgres::shared().fresh_database();
    let a = TestServer::start_on(url.clone(), |_| {});
    let b = TestServer::start_on(url.clone(), |_| {});
    let (a, b) = tokio::join!(a, b);
    for s in [&a, &b] {
        let h: Health = s.get("/v1/ready", None).await.json();
        assert_eq!(h.schema_version, migrations::latest());
    }
    a.stop().await.unwrap();
    b.stop().await.unwrap();
}

#[tokio::test]
async fn ready_is_503_when_migrations_are_pending() {
    let url = TestPostgres::shared().fresh_database();
    // Apply everything, then forget the last migration: the schema looks older.
    let pool = gongwen_server::db::connect(&url, 1).await.unwrap();
    let mut client = pool.get().await.unwrap();
    migrations::migrate(&mut client).await.unwrap();
    let server = TestServer::start_on(url.clone(), |_| {}).await;
    client
        .execute(
            "DELETE FROM schema_migrations WHERE version = $1",
            &[&migrations::latest()],
        )
        .await
        .unwrap();
    server
        .get("/v1/ready", None)
        .await
        .assert_error(StatusCode::SERVICE_UNAVAILABLE, "unavailable");
    // Liveness stays up.
    assert_eq!(server.get("/v1/health", None).await.status, StatusCode::OK);
    // And a server that must not migrate refuses to start on it.
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let mut settings = Settings::new(url);
    settings.migrate_on_start = false;
    let e = gongwen_server::launch(settings, listener, std::future::pending())
        .await
        .unwrap_err();
    assert!(matches!(e, Error::SchemaOutdated { .. }), "{e:?}");
}

#[tokio::test]
async fn plain_http_on_a_public_address_needs_an_explicit_flag() {
    let listener = tokio::net::TcpListener::bind("0.0.0.0:0").await.unwrap();
    let e = gongwen_server::launch(
        Settings::new("postgres://127.0.0.1:1/x"),
        listener,
        std::future::pending(),
    )
    .await
    .unwrap_err();
    assert!(matches!(e, Error::PlainHttpNotAllowed { .. }), "{e:?}");
    assert!(e.to_string().contains("--insecure-http"));
}

/// A request in flight when shutdown starts still gets its answer.
#[tokio::test]
async fn graceful_shutdown_finishes_requests_in_flight() {
    use tokio::io::{AsyncReadExt, AsyncWriteExt};

    let server = TestServer::start().await;
    let body = br#"{"login": "nobody", "password": "whatever-password"}"#;
    let mut stream = tokio::net::TcpStream::connect(server.addr).await.unwrap();
    let head = format!(
        "POST /v1/auth/login HTTP/1.1\r\nhost: x\r\ncontent-type: application/json\r\ncontent-length: {}\r\n\r\n",
        body.len()
    );
    // Headers and half the body: the request is now being read by the handler.
    stream.write_all(head.as_bytes()).await.unwrap();
    stream.write_all(&body[..10]).await.unwrap();
    stream.flush().await.unwrap();
    // Make sure the server has started on it before shutting down: a second
    // connection's full round trip is served after the first one was accepted.
    assert_eq!(server.get("/v1/health", None).await.status, StatusCode::OK);

    let stopping = tokio::spawn(server.stop());
    tokio::task::yield_now().await;
    stream.write_all(&body[10..]).await.unwrap();
    let mut response = Vec::new();
    stream.read_to_end(&mut response).await.unwrap();
    let response = String::from_utf8_lossy(&response);
    assert!(response.starts_with("HTTP/1.1 401"), "{response}");
    assert!(response.contains("invalid_credentials"), "{response}");
    stopping.await.unwrap().unwrap();
}

/// When the database goes away, liveness stays up and says so; readiness fails.
#[tokio::test]
async fn database_outage_degrades_health_and_fails_readiness() {
    let pg = TestPostgres::throwaway().unwrap();
    let server = TestServer::start_on(pg.fresh_database(), |_| {}).await;
    drop(pg); // stops the cluster
    let r = server.get("/v1/health", None).await;
    assert_eq!(r.status, StatusCode::OK);
    let h: Health = r.json();
    assert_eq!(h.status, "degraded");
    assert!(h.database.starts_with("unavailable"), "{}", h.database);
    server
        .get("/v1/ready", None)
        .await
        .assert_error(StatusCode::SERVICE_UNAVAILABLE, "unavailable");
    // Requests that need the database get a 503 with a code, not a hang or a 500.
    let r = server
        .post(
            "/v1/auth/login",
            None,
            &gongwen_protocol::auth::LoginRequest {
                login: "x".into(),
                password: "y".into(),
            },
        )
        .await;
    r.assert_error(StatusCode::SERVICE_UNAVAILABLE, "unavailable");
}

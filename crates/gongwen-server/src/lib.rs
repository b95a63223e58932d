//! Gongwen central server: the city's e-government hub that every organ's
//! clients sync with.
//!
//! The library holds everything; the `gongwen-server` binary only parses
//! arguments. Tests start the real server with [`launch`] on `127.0.0.1:0`.
//!
//! Layout: [`routes`] (HTTP handlers, one module per area), [`db`] (pool and
//! migrations), [`auth`] (passwords, tokens, the central [`auth::authorize`]),
//! [`directory`] (organs, departments, users, positions, delegations),
//! [`registry`] (文号 allocation), [`tls`], [`metrics`]. Server instances keep
//! no state of their own: everything lives in PostgreSQL, so several
//! instances can serve the same clients behind a load balancer.

pub mod audit;
pub mod auth;
pub mod blobs;
pub mod config;
pub mod db;
pub mod directory;
pub mod error;
pub mod exchange;
pub mod metrics;
pub mod registry;
pub mod routes;
pub mod sync;
pub mod tls;

use std::future::Future;
use std::sync::Arc;

pub use config::Settings;
pub use error::{Error, Result};

/// Where the server gets the time: injected so tests can pin it.
pub trait Clock: Send + Sync + std::fmt::Debug {
    fn now(&self) -> time::OffsetDateTime;
}

/// The real clock.
#[derive(Debug, Clone, Copy, Default)]
pub struct SystemClock;

impl Clock for SystemClock {
    fn now(&self) -> time::OffsetDateTime {
        time::OffsetDateTime::now_utc()
    }
}

/// Shared by every request handler.
#[derive(Debug, Clone)]
pub struct AppState {
    pub pool: deadpool_postgres::Pool,
    pub settings: Arc<Settings>,
    pub metrics: Arc<metrics::Metrics>,
    pub clock: Arc<dyn Clock>,
    /// Where blob bytes live ([`blobs`]).
    pub blobs: Arc<dyn blobs::BlobStore>,
    /// Which directory generation each organ's people were last published at.
    pub directory: Arc<sync::people::PublishedGenerations>,
}

/// The server version (the crate version).
pub const VERSION: &str = env!("CARGO_PKG_VERSION");

/// Connect to the database, apply or check migrations, and serve on
/// `listener` until `shutdown` resolves; then stop accepting connections and
/// finish the requests in flight.
pub async fn launch(
    settings: Settings,
    listener: tokio::net::TcpListener,
    shutdown: impl Future<Output = ()> + Send + 'static,
) -> Result<()> {
    launch_with_clock(settings, listener, shutdown, Arc::new(SystemClock)).await
}

/// [`launch`] with an injected clock.
pub async fn launch_with_clock(
    settings: Settings,
    listener: tokio::net::TcpListener,
    shutdown: impl Future<Output = ()> + Send + 'static,
    clock: Arc<dyn Clock>,
) -> Result<()> {
    let addr = listener.local_addr()?;
    let tls = match &settings.tls {
        Some(files) => Some(tls::acceptor(files)?),
        None if settings.insecure_http || addr.ip().is_loopback() => None,
        None => {
            return Err(Error::PlainHttpNotAllowed {
                addr: addr.to_string(),
            });
        }
    };
    let blob_store = blobs::open_store(&settings.blob_store)?;
    let pool = db::connect(&settings.database_url, settings.pool_size).await?;
    {
        let mut client = pool.get().await?;
        if settings.migrate_on_start {
            let report = db::migrations::migrate(&mut client).await?;
            if report.from != report.to {
                tracing::info!(from = report.from, to = report.to, "database migrated");
            }
        } else {
            db::migrations::check_current(&client).await?;
        }
    }
    let state = AppState {
        pool,
        settings: Arc::new(settings),
        metrics: Arc::new(metrics::Metrics::new()),
        clock,
        blobs: blob_store,
        directory: Arc::default(),
    };
    let janitor = tokio::spawn(purge_expired_tokens(state.clone()));
    let blob_janitor = tokio::spawn(blobs::janitor(state.clone()));
    let compactor = state
        .settings
        .compaction
        .map(|schedule| tokio::spawn(sync::compact::periodic(state.clone(), schedule)));
    let app = routes::router(state);
    let scheme = if tls.is_some() { "https" } else { "http" };
    tracing::info!(%addr, scheme, version = VERSION, "gongwen-server listening");
    let served = match tls {
        Some(acceptor) => tls::serve(listener, acceptor, app, shutdown).await,
        None => axum::serve(listener, app)
            .with_graceful_shutdown(shutdown)
            .await
            .map_err(Error::from),
    };
    janitor.abort();
    blob_janitor.abort();
    if let Some(c) = compactor {
        c.abort();
    }
    served?;
    tracing::info!("gongwen-server stopped");
    Ok(())
}

/// Every few minutes, remove expired tokens. Every instance runs it; the
/// deletes are idempotent.
async fn purge_expired_tokens(state: AppState) {
    let mut tick = tokio::time::interval(std::time::Duration::from_secs(600));
    tick.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
    loop {
        tick.tick().await;
        match auth::session::purge_expired(&state.pool, state.clock.now()).await {
            Ok(0) => {}
            Ok(n) => tracing::info!(removed = n, "purged expired sessions"),
            Err(e) => tracing::warn!(error = %e, "could not purge expired sessions"),
        }
    }
}

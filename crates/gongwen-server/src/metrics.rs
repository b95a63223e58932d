//! Prometheus metrics at `/metrics`: request counts and latencies per route,
//! and the database pool's size.

use prometheus_client::encoding::EncodeLabelSet;
use prometheus_client::metrics::counter::Counter;
use prometheus_client::metrics::family::Family;
use prometheus_client::metrics::gauge::Gauge;
use prometheus_client::metrics::histogram::{Histogram, exponential_buckets};
use prometheus_client::registry::Registry;

#[derive(Debug, Clone, Hash, PartialEq, Eq, EncodeLabelSet)]
pub struct RequestLabels {
    pub method: String,
    /// The route template (`/v1/admin/users`), never the raw path, so the
    /// label set stays bounded.
    pub route: String,
    pub status: u16,
}

#[derive(Debug, Clone, Hash, PartialEq, Eq, EncodeLabelSet)]
pub struct RouteLabels {
    pub method: String,
    pub route: String,
}

type HistogramFamily = Family<RouteLabels, Histogram, fn() -> Histogram>;

fn latency_histogram() -> Histogram {
    // 1 ms … ~16 s
    Histogram::new(exponential_buckets(0.001, 2.0, 15))
}

/// The server's metrics.
#[derive(Debug)]
pub struct Metrics {
    registry: Registry,
    /// The sync endpoints' own counters and latencies.
    pub sync: SyncMetrics,
    requests: Family<RequestLabels, Counter>,
    latency: HistogramFamily,
    pub pool_size: Gauge,
    pub pool_available: Gauge,
}

impl Default for Metrics {
    fn default() -> Self {
        Self::new()
    }
}

impl Metrics {
    pub fn new() -> Self {
        let mut registry = Registry::with_prefix("gongwen");
        let requests = Family::<RequestLabels, Counter>::default();
        let latency: HistogramFamily = Family::new_with_constructor(latency_histogram);
        let pool_size = Gauge::default();
        let pool_available = Gauge::default();
        registry.register("http_requests", "HTTP requests answered", requests.clone());
        registry.register(
            "http_request_duration_seconds",
            "HTTP request latency",
            latency.clone(),
        );
        registry.register(
            "db_pool_connections",
            "Open database connections",
            pool_size.clone(),
        );
        registry.register(
            "db_pool_available",
            "Idle database connections",
            pool_available.clone(),
        );
        let sync = SyncMetrics::register(&mut registry);
        Self {
            registry,
            sync,
            requests,
            latency,
            pool_size,
            pool_available,
        }
    }

    pub fn observe(&self, method: &str, route: &str, status: u16, seconds: f64) {
        self.requests
            .get_or_create(&RequestLabels {
                method: method.into(),
                route: route.into(),
                status,
            })
            .inc();
        self.latency
            .get_or_create(&RouteLabels {
                method: method.into(),
                route: route.into(),
            })
            .observe(seconds);
    }

    /// The text exposition format.
    pub fn encode(&self) -> String {
        let mut out = String::new();
        // Writing into a String cannot fail.
        let _ = prometheus_client::encoding::text::encode(&mut out, &self.registry);
        out
    }
}

/// Labels of a mutation outcome: `outcome` is `applied`, `rejected` (terminal),
/// `retry` (retryable, nothing consumed) or `replayed` (the stored result answered
/// again); `code` is the rejection code ("" otherwise).
#[derive(Debug, Clone, Hash, PartialEq, Eq, EncodeLabelSet)]
pub struct MutationLabels {
    pub outcome: String,
    pub code: String,
}

/// Labels of a bucket reset: its machine-readable reason.
#[derive(Debug, Clone, Hash, PartialEq, Eq, EncodeLabelSet)]
pub struct ResetLabels {
    pub reason: String,
}

/// Labels of a scheduled compaction pass: `done`, `skipped` (another instance held
/// the lock) or `failed`.
#[derive(Debug, Clone, Hash, PartialEq, Eq, EncodeLabelSet)]
pub struct CompactionLabels {
    pub outcome: String,
}

/// Sync metrics (`gongwen_sync_*`).
#[derive(Debug, Clone)]
pub struct SyncMetrics {
    /// Push requests answered 200.
    pub pushes: Counter,
    /// Mutations by outcome and rejection code.
    pub mutations: Family<MutationLabels, Counter>,
    /// Pull requests answered 200.
    pub pulls: Counter,
    /// Ops sent in pull answers.
    pub ops_served: Counter,
    /// Buckets reset in pull answers, by reason.
    pub resets: Family<ResetLabels, Counter>,
    /// Push latency (the handler: every group's transaction).
    pub push_seconds: Histogram,
    /// Pull latency.
    pub pull_seconds: Histogram,
    /// Scheduled compaction passes, by outcome.
    pub compactions: Family<CompactionLabels, Counter>,
    /// Ops deleted by scheduled compaction.
    pub compacted_ops: Counter,
}

impl SyncMetrics {
    fn register(registry: &mut Registry) -> Self {
        let m = Self {
            pushes: Counter::default(),
            mutations: Family::default(),
            pulls: Counter::default(),
            ops_served: Counter::default(),
            resets: Family::default(),
            push_seconds: latency_histogram(),
            pull_seconds: latency_histogram(),
            compactions: Family::default(),
            compacted_ops: Counter::default(),
        };
        let sub = registry.sub_registry_with_prefix("sync");
        sub.register("pushes", "Sync push requests answered", m.pushes.clone());
        sub.register(
            "mutations",
            "Pushed mutations by outcome (applied, rejected, retry, replayed) and code",
            m.mutations.clone(),
        );
        sub.register("pulls", "Sync pull requests answered", m.pulls.clone());
        sub.register(
            "ops_served",
            "Bucket ops sent to clients",
            m.ops_served.clone(),
        );
        sub.register(
            "resets",
            "Buckets reset in pull answers, by reason",
            m.resets.clone(),
        );
        sub.register(
            "push_duration_seconds",
            "Sync push latency",
            m.push_seconds.clone(),
        );
        sub.register(
            "pull_duration_seconds",
            "Sync pull latency",
            m.pull_seconds.clone(),
        );
        sub.register(
            "compaction_runs",
            "Scheduled op-log compaction passes, by outcome (done, skipped, failed)",
            m.compactions.clone(),
        );
        sub.register(
            "compacted_ops",
            "Bucket ops deleted by scheduled compaction",
            m.compacted_ops.clone(),
        );
        m
    }

    /// Counts one mutation's outcome.
    pub fn mutation(&self, outcome: &str, code: Option<&str>) {
        self.mutations
            .get_or_create(&MutationLabels {
                outcome: outcome.to_owned(),
                code: code.unwrap_or_default().to_owned(),
            })
            .inc();
    }

    /// Counts one scheduled compaction pass.
    pub fn compaction(&self, outcome: &str) {
        self.compactions
            .get_or_create(&CompactionLabels {
                outcome: outcome.to_owned(),
            })
            .inc();
    }

    /// Counts one bucket reset.
    pub fn reset(&self, reason: &str) {
        self.resets
            .get_or_create(&ResetLabels {
                reason: reason.to_owned(),
            })
            .inc();
    }
}

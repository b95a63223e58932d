//! Op-log compaction: a bucket's log keeps growing with every change of every entity
//! in it (each save of a draft, each step of a flow is a PUT of the whole entity),
//! while a client that starts from 0 only needs the last PUT of each live entity.
//! Compaction deletes the ops nobody will need again, up to a *horizon* op id `H`:
//!
//! * an op at or before `H` is kept only if it is the last op of its entity in the
//!   bucket and a PUT; every other op at or before `H` is deleted: superseded PUTs
//!   (folded into the entity's later op), and REMOVEs with everything before them
//!   (a client that never had the entity does not need to hear it went away);
//! * ops after `H` are never touched.
//!
//! The horizon is the last op older than a retention period ([`RETENTION`], 30 days by
//! default): a device that has not pulled the bucket for longer than that may have
//! missed a REMOVE that is now gone, so the next pull answers it with a reset of the
//! bucket (`resets` with reason [`reset_reasons::COMPACTED`]) and it pulls the (now
//! shorter) bucket again from 0. A device whose cursor is at or past `H` never
//! notices a compaction. Clients that started the bucket from 0 after a compaction and
//! are still paging through it are told apart from stale ones by the epoch recorded
//! when they started ([`super::http`], table `sync_client_buckets`).
//!
//! # Checksums
//!
//! A client verifies each page against the bucket checksum at the page's end, the
//! wrapping sum of the checksums of every op it received. A client that pulled before
//! a compaction has summed the deleted ops, one that starts after it never sees them.
//! So the bucket keeps the sum of every deleted op (`compacted_checksum`), every
//! remaining op stores `compacted_checksum + the checksums of the remaining ops up to
//! it` (compaction rewrites the stored checksums of the survivors at or before `H`; the
//! ones after `H` already hold that value), and the server subtracts from the stored
//! value the `compacted_checksum` the bucket had when the client started it from 0.
//! Both kinds of client verify, with the wire protocol unchanged.
//!
//! Compaction runs in one transaction holding the bucket row's lock (appends to that
//! bucket wait for it), checks that the stored checksums it leaves are consistent with
//! the rest of the log before committing, and audits what it did in the server's
//! audit stream. It is idempotent: compacting again at the same horizon deletes nothing
//! new unless later ops superseded survivors. [`periodic`] runs it on every server
//! instance at the configured interval ([`crate::config::Compaction`], daily by
//! default); a PostgreSQL advisory lock lets one instance at a time do the work.
//! `gongwen-server admin compact [--horizon-days N] [--dry-run]` runs one pass by
//! hand ([`compact_all_with`]), a dry run reporting what would go without changing
//! anything.
//!
//! [`reset_reasons::COMPACTED`]: gongwen_protocol::sync::reset_reasons::COMPACTED

use std::collections::{HashMap, HashSet};

use deadpool_postgres::GenericClient;
use gongwen_protocol::sync::{Op, OpKind, op_checksum};
use time::{Duration, OffsetDateTime};

use crate::AppState;
use crate::error::{Error, Result};

/// How long ops stay in the log before compaction may fold them (the default of
/// [`crate::config::Compaction::retention`]).
pub const RETENTION: Duration = Duration::days(30);

/// How often [`periodic`] compacts by default (daily).
pub const INTERVAL: std::time::Duration = std::time::Duration::from_secs(24 * 3600);

/// How long after start [`periodic`] first compacts.
pub const FIRST_DELAY: std::time::Duration = std::time::Duration::from_secs(10 * 60);

/// Advisory lock key of the compactor (one instance at a time).
const LOCK_KEY: i64 = 0x6777_5f63_6f6d_7061; // "gw_compa"

/// What compacting one bucket did.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Compacted {
    pub bucket: String,
    /// The horizon used (0: the bucket has no op old enough).
    pub through: i64,
    /// Ops deleted.
    pub deleted: u64,
    /// Ops at or before the horizon that remain (the live entities' last PUTs).
    pub kept: u64,
}

/// What one compaction pass did over every bucket.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Report {
    /// Buckets looked at.
    pub buckets: u64,
    /// Buckets that lost ops (or would, in a dry run).
    pub compacted: u64,
    /// Ops deleted (or that would be, in a dry run).
    pub deleted: u64,
    /// Every bucket with an op old enough to compact, in name order, with what
    /// was (or would be) deleted and kept.
    pub details: Vec<Compacted>,
}

fn u32_of(v: i64) -> u32 {
    u32::try_from(v).unwrap_or(0)
}

fn tag_of(s: &str) -> OpKind {
    if s == "PUT" {
        OpKind::Put
    } else {
        OpKind::Remove
    }
}

/// What compaction does to the ops at or before a horizon.
#[derive(Debug, Clone, PartialEq, Eq)]
struct Plan {
    /// Op ids to delete.
    deleted: Vec<i64>,
    /// The remaining ops at or before the horizon: (op id, new stored checksum).
    survivors: Vec<(i64, u32)>,
    /// The bucket's new `compacted_checksum`.
    mass: u32,
    /// The stored checksum at the horizon after compaction (the last survivor's, or
    /// `mass` when none survives).
    sum: u32,
}

/// Decides what to delete among `ops` (every op at or before the horizon, in op id
/// order), given the entities that have ops after the horizon (`later`, as (kind,
/// id)) and the bucket's current `compacted_checksum`.
fn plan(ops: &[Op], later: &HashSet<(String, String)>, mass_before: u32) -> Plan {
    let mut newest: HashMap<(&str, &str), i64> = HashMap::new();
    for op in ops {
        newest.insert((op.kind.as_str(), op.id.as_str()), op.op_id);
    }
    let keep = |op: &Op| {
        op.op == OpKind::Put
            && newest.get(&(op.kind.as_str(), op.id.as_str())) == Some(&op.op_id)
            && !later.contains(&(op.kind.clone(), op.id.clone()))
    };
    let mut deleted = Vec::new();
    let mut mass = mass_before;
    for op in ops.iter().filter(|o| !keep(o)) {
        deleted.push(op.op_id);
        mass = mass.wrapping_add(op_checksum(op));
    }
    let mut sum = mass;
    let mut survivors = Vec::new();
    for op in ops.iter().filter(|o| keep(o)) {
        sum = sum.wrapping_add(op_checksum(op));
        survivors.push((op.op_id, sum));
    }
    Plan {
        deleted,
        survivors,
        mass,
        sum,
    }
}

/// Compacts `bucket` up to op id `through` (clamped to the bucket's last op, and never
/// below an earlier horizon); see the module docs. `now` is recorded and audited.
pub async fn compact_bucket(
    client: &mut deadpool_postgres::Client,
    bucket: &str,
    through: i64,
    now: OffsetDateTime,
) -> Result<Compacted> {
    compact_bucket_with(client, bucket, through, now, false).await
}

/// [`compact_bucket`], or with `dry_run` only what it would delete and keep: the
/// same plan and consistency check, then the transaction is rolled back.
pub async fn compact_bucket_with(
    client: &mut deadpool_postgres::Client,
    bucket: &str,
    through: i64,
    now: OffsetDateTime,
    dry_run: bool,
) -> Result<Compacted> {
    let tx = client.transaction().await?;
    let Some(row) = tx
        .query_opt(
            "SELECT last_op_id, checksum, compacted_through, compacted_checksum
               FROM buckets WHERE name = $1 FOR UPDATE",
            &[&bucket],
        )
        .await?
    else {
        return Ok(Compacted {
            bucket: bucket.to_owned(),
            ..Compacted::default()
        });
    };
    let last: i64 = row.get(0);
    let head_sum = u32_of(row.get(1));
    let before: i64 = row.get(2);
    let mass_before = u32_of(row.get(3));
    let horizon = through.min(last).max(before);
    let mut out = Compacted {
        bucket: bucket.to_owned(),
        through: horizon,
        ..Compacted::default()
    };
    if horizon <= 0 {
        return Ok(out);
    }
    let ops: Vec<Op> = tx
        .query(
            "SELECT op_id, op, kind, entity_id, version FROM bucket_ops
              WHERE bucket = $1 AND op_id <= $2 ORDER BY op_id",
            &[&bucket, &horizon],
        )
        .await?
        .iter()
        .map(|r| Op {
            op_id: r.get(0),
            op: tag_of(r.get::<_, &str>(1)),
            kind: r.get(2),
            id: r.get(3),
            version: r.get(4),
            data: None,
        })
        .collect();
    let later: HashSet<(String, String)> = tx
        .query(
            "SELECT DISTINCT kind, entity_id FROM bucket_ops WHERE bucket = $1 AND op_id > $2",
            &[&bucket, &horizon],
        )
        .await?
        .iter()
        .map(|r| (r.get(0), r.get(1)))
        .collect();
    let plan = plan(&ops, &later, mass_before);
    out.kept = plan.survivors.len() as u64;
    if plan.deleted.is_empty() {
        return Ok(out);
    }
    let (deleted, mass, sum) = (plan.deleted, plan.mass, plan.sum);
    let survivor_ids: Vec<i64> = plan.survivors.iter().map(|s| s.0).collect();
    let survivor_sums: Vec<i64> = plan.survivors.iter().map(|s| i64::from(s.1)).collect();
    // The first op after the horizon must already hold `sum + its own checksum`, and
    // with nothing after the horizon the bucket's head must hold `sum`: otherwise the
    // log is not what this module expects, and nothing is changed.
    let next = tx
        .query_opt(
            "SELECT op_id, op, kind, entity_id, version, checksum FROM bucket_ops
              WHERE bucket = $1 AND op_id > $2 ORDER BY op_id LIMIT 1",
            &[&bucket, &horizon],
        )
        .await?;
    let consistent = match &next {
        Some(r) => {
            let op = Op {
                op_id: r.get(0),
                op: tag_of(r.get::<_, &str>(1)),
                kind: r.get(2),
                id: r.get(3),
                version: r.get(4),
                data: None,
            };
            u32_of(r.get(5)) == sum.wrapping_add(op_checksum(&op))
        }
        None => head_sum == sum,
    };
    if !consistent {
        return Err(Error::Invalid(format!(
            "同步分组 {bucket} 的校验和与操作记录不一致，未压缩"
        )));
    }
    if dry_run {
        out.deleted = deleted.len() as u64;
        return Ok(out);
    }
    tx.execute(
        "DELETE FROM bucket_ops WHERE bucket = $1 AND op_id = ANY($2)",
        &[&bucket, &deleted],
    )
    .await?;
    tx.execute(
        "UPDATE bucket_ops SET checksum = u.c
           FROM unnest($2::bigint[], $3::bigint[]) AS u(i, c)
          WHERE bucket = $1 AND op_id = u.i",
        &[&bucket, &survivor_ids, &survivor_sums],
    )
    .await?;
    tx.execute(
        "UPDATE buckets SET compacted_through = $2, compacted_checksum = $3, epoch = epoch + 1,
                compacted_at = $4
          WHERE name = $1",
        &[&bucket, &horizon, &i64::from(mass), &now],
    )
    .await?;
    out.deleted = deleted.len() as u64;
    crate::audit::append(
        &tx,
        vec![gongwen_domain::audit::Entry {
            id: format!("compact/{bucket}/{horizon}/{}", now.unix_timestamp_nanos()),
            time: now,
            actor: "server".to_owned(),
            on_behalf_of: None,
            action: "sync.compacted".to_owned(),
            subject: bucket.to_owned(),
            detail_json: serde_json::json!({
                "through": horizon, "deleted": out.deleted, "kept": out.kept,
            })
            .to_string(),
        }],
    )
    .await?;
    tx.commit().await?;
    Ok(out)
}

/// The horizon of `bucket` for ops created before `cutoff`: its last such op (0: none).
pub async fn horizon(c: &impl GenericClient, bucket: &str, cutoff: OffsetDateTime) -> Result<i64> {
    let row = c
        .query_one(
            "SELECT coalesce(max(op_id), 0) FROM bucket_ops WHERE bucket = $1 AND created_at < $2",
            &[&bucket, &cutoff],
        )
        .await?;
    Ok(row.get(0))
}

/// Compacts every bucket up to its last op created before `cutoff`. Returns `None`
/// when another instance is compacting (the advisory lock is taken).
pub async fn compact_all(
    client: &mut deadpool_postgres::Client,
    cutoff: OffsetDateTime,
    now: OffsetDateTime,
) -> Result<Option<Report>> {
    compact_all_with(client, cutoff, now, false).await
}

/// [`compact_all`], or with `dry_run` a report of what it would delete, changing
/// nothing (it still takes the lock, so it never reports a pass half done).
pub async fn compact_all_with(
    client: &mut deadpool_postgres::Client,
    cutoff: OffsetDateTime,
    now: OffsetDateTime,
    dry_run: bool,
) -> Result<Option<Report>> {
    let locked: bool = client
        .query_one("SELECT pg_try_advisory_lock($1)", &[&LOCK_KEY])
        .await?
        .get(0);
    if !locked {
        return Ok(None);
    }
    let result = async {
        let names: Vec<String> = client
            .query("SELECT name FROM buckets ORDER BY name", &[])
            .await?
            .iter()
            .map(|r| r.get(0))
            .collect();
        let mut report = Report::default();
        for name in names {
            report.buckets += 1;
            let through = horizon(&*client, &name, cutoff).await?;
            if through <= 0 {
                continue;
            }
            let done = compact_bucket_with(client, &name, through, now, dry_run).await?;
            if done.deleted > 0 {
                report.compacted += 1;
                report.deleted += done.deleted;
            }
            report.details.push(done);
        }
        Ok::<_, Error>(report)
    }
    .await;
    client
        .execute("SELECT pg_advisory_unlock($1)", &[&LOCK_KEY])
        .await?;
    result.map(Some)
}

/// One scheduled pass over every bucket with the configured retention, recorded in
/// the metrics (`gongwen_sync_compaction_runs_total` by outcome, and
/// `gongwen_sync_compacted_ops_total`) and the log. Returns the report (`None`:
/// another instance held the lock).
pub async fn run_once(state: &AppState, retention: Duration) -> Result<Option<Report>> {
    let metrics = &state.metrics.sync;
    let now = state.clock.now();
    let result = async {
        let mut client = state.pool.get().await?;
        compact_all(&mut client, now - retention, now).await
    }
    .await;
    match &result {
        Ok(Some(r)) => {
            metrics.compaction("done");
            metrics.compacted_ops.inc_by(r.deleted);
            if r.deleted > 0 {
                tracing::info!(
                    buckets = r.buckets,
                    compacted = r.compacted,
                    deleted = r.deleted,
                    "sync op logs compacted"
                );
            }
        }
        Ok(None) => metrics.compaction("skipped"),
        Err(e) => {
            metrics.compaction("failed");
            tracing::warn!(error = %e, "sync compaction failed");
        }
    }
    result
}

/// Runs [`run_once`] at the configured interval (the first time [`FIRST_DELAY`] after
/// start, or the interval if shorter), forever; spawned by the server unless the
/// configuration turns compaction off. Failures are logged, counted and retried at
/// the next interval.
pub async fn periodic(state: AppState, schedule: crate::config::Compaction) {
    // The first pass a while after start, so instances restarted together do not
    // all compact at once (and a short-lived process never does).
    let first = tokio::time::Instant::now() + FIRST_DELAY.min(schedule.interval);
    let mut tick = tokio::time::interval_at(first, schedule.interval);
    tick.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
    loop {
        tick.tick().await;
        // Logged and counted by run_once.
        let _ = run_once(&state, schedule.retention).await;
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use gongwen_protocol::sync::bucket_checksum;

    fn op(op_id: i64, tag: OpKind, id: &str, version: i64) -> Op {
        Op {
            op_id,
            op: tag,
            kind: "draft".into(),
            id: id.into(),
            version,
            data: None,
        }
    }

    #[test]
    fn superseded_puts_and_removes_go_the_last_put_of_each_entity_stays() {
        let ops = vec![
            op(1, OpKind::Put, "A", 1),
            op(2, OpKind::Put, "B", 1),
            op(3, OpKind::Put, "A", 2),
            op(4, OpKind::Put, "C", 1),
            op(5, OpKind::Remove, "C", 1),
            op(6, OpKind::Put, "D", 1),
            op(7, OpKind::Remove, "E", 3),
        ];
        // D changes again after the horizon.
        let later = HashSet::from([("draft".to_owned(), "D".to_owned())]);
        let p = plan(&ops, &later, 0);
        assert_eq!(p.deleted, vec![1, 4, 5, 6, 7]);
        assert_eq!(
            p.survivors.iter().map(|s| s.0).collect::<Vec<_>>(),
            vec![2, 3]
        );
        // The bookkeeping: the deleted mass plus the survivors is the old total, and
        // a client starting after compaction (base = mass) sums exactly the survivors.
        let total = bucket_checksum(0, &ops);
        assert_eq!(p.sum, total);
        let fresh = bucket_checksum(0, [&ops[1], &ops[2]]);
        assert_eq!(p.sum.wrapping_sub(p.mass), fresh);
        assert_eq!(p.survivors[0].1.wrapping_sub(p.mass), op_checksum(&ops[1]));
    }

    #[test]
    fn a_second_compaction_adds_to_the_mass_and_nothing_new_deletes_nothing() {
        let ops = vec![op(2, OpKind::Put, "B", 1), op(3, OpKind::Put, "A", 2)];
        let p = plan(&ops, &HashSet::new(), 77);
        assert!(p.deleted.is_empty());
        assert_eq!(p.mass, 77);
        assert_eq!(p.sum, bucket_checksum(77, &ops));
    }
}

//! `POST /v1/sync/push`: applying a client's mutations in order, exactly once (see the
//! module docs of [`super`]).

use std::collections::HashSet;

use deadpool_postgres::GenericClient;
use gongwen_protocol::sync::{Mutation, MutationResult, MutationStatus, codes, mutations};
use time::OffsetDateTime;
use tokio_postgres::error::SqlState;

use super::{Applying, Failure, Rejection, buckets, rfc3339};
use crate::AppState;
use crate::auth::Caller;
use crate::error::{Error, Result};

/// The oldest protocol version the server accepts.
pub const MIN_PROTOCOL: u32 = 1;
/// The oldest mutation/read-model schema the server accepts.
pub const MIN_SCHEMA_VERSION: u32 = 1;
/// The most mutations one push looks at; the client pushes the rest next time (the
/// answer's `results` stop there).
pub const MAX_BATCH: usize = 500;

/// The most mutations applied in one transaction (a *group*). Each mutation still
/// applies atomically (its own savepoint), but the group shares one `sync_clients`
/// lock, one flush of bucket ops, stored results and audit records, and one commit.
/// Bounded so that row locks taken by the group's effects are held briefly and the
/// transaction stays within PostgreSQL's cached subtransactions (64).
pub const GROUP: usize = 50;

/// What a push came to.
#[derive(Debug)]
pub(super) enum Outcome {
    /// The results of the mutations looked at, in order (a retryable rejection, if
    /// any, is the last), and the client's `last_applied_seq`.
    Done {
        results: Vec<MutationResult>,
        /// How many of `results` (the first ones) are replays of stored results.
        replayed: usize,
        last_applied_seq: i64,
    },
    /// 409 SEQ_GAP: resend from this seq.
    Gap(i64),
    /// 409 CLIENT_UNKNOWN: no state for this client id and the seq is not 1.
    Unknown,
    /// 403: the client id belongs to another user.
    NotYours,
}

/// Whether a database error is a transient conflict worth retrying later.
pub(super) fn is_transient(e: &Error) -> bool {
    let Error::Db(e) = e else { return false };
    matches!(
        e.code(),
        Some(c) if *c == SqlState::T_R_SERIALIZATION_FAILURE
            || *c == SqlState::T_R_DEADLOCK_DETECTED
            || *c == SqlState::LOCK_NOT_AVAILABLE
            || *c == SqlState::QUERY_CANCELED
    )
}

fn rejected(seq: i64, r: Rejection, now: OffsetDateTime) -> MutationResult {
    MutationResult {
        seq,
        status: MutationStatus::Rejected,
        code: Some(r.code),
        message: Some(r.message),
        retryable: r.retryable,
        detail: r.detail,
        result: None,
        server_time: Some(rfc3339(now)),
    }
}

pub(super) fn busy(seq: i64, now: OffsetDateTime) -> MutationResult {
    rejected(
        seq,
        Rejection {
            code: codes::BUSY.to_owned(),
            message: "服务器繁忙，稍后将自动重试".to_owned(),
            retryable: true,
            detail: None,
        },
        now,
    )
}

/// A UUID in its text form (8-4-4-4-12 hex digits).
pub(super) fn is_uuid(s: &str) -> bool {
    let parts: Vec<&str> = s.split('-').collect();
    parts.len() == 5
        && parts
            .iter()
            .zip([8, 4, 4, 4, 12])
            .all(|(p, n)| p.len() == n && p.chars().all(|c| c.is_ascii_hexdigit()))
}

/// Locks the client's `sync_clients` row in `tx` (registering the client on its
/// first push, seq 1) and returns its `last_applied_seq`, or why the push stops.
async fn lock_client(
    tx: &deadpool_postgres::Transaction<'_>,
    caller: &Caller,
    client_id: &str,
    first_seq: i64,
) -> Result<std::result::Result<i64, Outcome>> {
    let lock = tx
        .prepare_cached(
            "SELECT user_id, last_applied_seq FROM sync_clients WHERE client_id = $1 FOR UPDATE",
        )
        .await?;
    // A mutation that waits this long for a lock is retried later, not queued forever.
    let (_, row) = futures_util::future::try_join(
        tx.batch_execute("SET LOCAL lock_timeout = '10s'"),
        tx.query_opt(&lock, &[&client_id]),
    )
    .await?;
    let (owner, last) = match row {
        Some(r) => (r.get::<_, i64>(0), r.get::<_, i64>(1)),
        None if first_seq == 1 => {
            // Registration: the first push of a client starts at seq 1. A concurrent
            // first push of the same client waits on the row this inserts.
            let register = tx
                .prepare_cached(
                    "INSERT INTO sync_clients (client_id, user_id) VALUES ($1, $2)
                     ON CONFLICT (client_id) DO NOTHING",
                )
                .await?;
            tx.execute(&register, &[&client_id, &caller.user_id])
                .await?;
            let r = tx.query_one(&lock, &[&client_id]).await?;
            (r.get(0), r.get(1))
        }
        None => return Ok(Err(Outcome::Unknown)),
    };
    if owner != caller.user_id {
        return Ok(Err(Outcome::NotYours));
    }
    Ok(Ok(last))
}

/// The stored results of the replayed seqs `from..=to`, in order.
async fn replays(
    tx: &deadpool_postgres::Transaction<'_>,
    client_id: &str,
    mutations: &[Mutation],
) -> Result<Vec<MutationResult>> {
    let (Some(first), Some(last)) = (mutations.first(), mutations.last()) else {
        return Ok(Vec::new());
    };
    let stmt = tx
        .prepare_cached(
            "SELECT seq, result::text, id::text FROM mutation_results
              WHERE client_id = $1 AND seq BETWEEN $2 AND $3 ORDER BY seq",
        )
        .await?;
    let rows = tx
        .query(&stmt, &[&client_id, &first.seq, &last.seq])
        .await?;
    let mut stored: std::collections::HashMap<i64, (String, Option<String>)> = rows
        .iter()
        .map(|r| (r.get(0), (r.get(1), r.get(2))))
        .collect();
    let mut out = Vec::with_capacity(mutations.len());
    for m in mutations {
        let (text, stored_id) = stored.remove(&m.seq).ok_or_else(|| {
            Error::Invalid(format!("客户端 {client_id} 第 {} 号操作的结果缺失", m.seq))
        })?;
        if stored_id
            .as_deref()
            .is_some_and(|s| s != m.id.to_ascii_lowercase())
        {
            tracing::warn!(
                client_id,
                seq = m.seq,
                "replayed seq carries another mutation id"
            );
        }
        let mut result: MutationResult =
            serde_json::from_str(&text).map_err(|e| Error::Invalid(e.to_string()))?;
        result.seq = m.seq;
        out.push(result);
    }
    Ok(out)
}

/// Applies (or replays) `mutations` (contiguous seqs, at most [`MAX_BATCH`]) in
/// groups of [`GROUP`] per transaction; see the module docs of [`super`].
pub(super) async fn run(
    state: &AppState,
    caller: &Caller,
    client_id: &str,
    mutations: &[Mutation],
    client: &mut deadpool_postgres::Client,
) -> Result<Outcome> {
    let mut results: Vec<MutationResult> = Vec::with_capacity(mutations.len());
    let mut last_applied: Option<i64> = None;
    let mut replayed_total = 0;
    let mut i = 0;
    while i < mutations.len() {
        let tx = client.transaction().await?;
        let last = match lock_client(&tx, caller, client_id, mutations[i].seq).await? {
            Ok(last) => last,
            Err(outcome) => return Ok(outcome),
        };
        // Replays: everything up to last_applied_seq answers its stored result.
        let replayed = mutations[i..].iter().take_while(|m| m.seq <= last).count();
        if replayed > 0 {
            results.extend(replays(&tx, client_id, &mutations[i..i + replayed]).await?);
            i += replayed;
            replayed_total += replayed;
            last_applied = Some(last);
        }
        let Some(next) = mutations.get(i) else {
            tx.commit().await?;
            break;
        };
        if next.seq > last + 1 {
            return Ok(Outcome::Gap(last + 1));
        }
        let end = (i + GROUP).min(mutations.len());
        let group = group(state, caller, client_id, &mutations[i..end], tx).await?;
        i += group.consumed.len();
        if let Some(seq) = group.consumed.last().map(|r| r.seq) {
            last_applied = Some(seq);
        }
        results.extend(group.consumed);
        if let Some(fatal) = group.fatal {
            return Err(fatal);
        }
        if let Some(stop) = group.stop {
            results.push(stop);
            break;
        }
    }
    let last_applied_seq = match last_applied {
        Some(v) => v,
        None => {
            let stmt = client
                .prepare_cached("SELECT last_applied_seq FROM sync_clients WHERE client_id = $1")
                .await?;
            client
                .query_opt(&stmt, &[&client_id])
                .await?
                .map_or(0, |r| r.get(0))
        }
    };
    Ok(Outcome::Done {
        results,
        replayed: replayed_total,
        last_applied_seq,
    })
}

/// What one group came to.
struct Group {
    /// Committed: applied or terminally rejected, in seq order.
    consumed: Vec<MutationResult>,
    /// The retryable rejection that ended the group (nothing of it consumed).
    stop: Option<MutationResult>,
    /// A server failure that ended the group (after the mutations before it were
    /// committed).
    fatal: Option<Error>,
}

/// One consumed mutation waiting for the group's flush.
struct Stored {
    seq: i64,
    id: Option<String>,
    name: String,
    json: String,
}

/// Applies the next mutations (the first is `last_applied_seq + 1`) in `tx`, which
/// holds the client's lock, each in its own savepoint, then writes their bucket ops,
/// stored results, new `last_applied_seq` and audit records together and commits.
async fn group(
    state: &AppState,
    caller: &Caller,
    client_id: &str,
    mutations: &[Mutation],
    tx: deadpool_postgres::Transaction<'_>,
) -> Result<Group> {
    let now = state.clock.now().to_offset(super::CST);
    let ids: Vec<String> = mutations
        .iter()
        .map(|m| m.id.to_ascii_lowercase())
        .collect();
    let used = tx
        .prepare_cached("SELECT id::text FROM mutation_results WHERE id = ANY($1::text[]::uuid[])")
        .await?;
    let mut seen: HashSet<String> = tx
        .query(&used, &[&ids])
        .await?
        .iter()
        .map(|r| r.get(0))
        .collect();
    let mut ops = Vec::new();
    let mut audit = Vec::new();
    let mut stored: Vec<Stored> = Vec::with_capacity(mutations.len());
    let mut consumed: Vec<MutationResult> = Vec::with_capacity(mutations.len());
    let mut stop = None;
    let mut fatal = None;
    for (m, id) in mutations.iter().zip(&ids) {
        // The same id twice in one group is caught here (the flush would fail on it).
        let duplicate = seen.contains(id);
        let mut applying = Applying {
            caller,
            mutation_id: id,
            now,
            ops: Vec::new(),
            audit: Vec::new(),
        };
        if !duplicate && let Some(blob) = missing_blob(&tx, m).await? {
            stop = Some(rejected(
                m.seq,
                Rejection {
                    code: codes::BLOB_MISSING.to_owned(),
                    message: format!("附件 {blob} 尚未上传完成，上传后将自动重试"),
                    retryable: true,
                    detail: Some(serde_json::json!({ "blob": blob })),
                },
                now,
            ));
            break;
        }
        let outcome = if duplicate {
            Err(Failure::Rejected(Rejection::new(
                codes::DUPLICATE_MUTATION_ID,
                "该操作的编号已被另一操作使用，服务器未执行它",
            )))
        } else {
            // Pipelined: the savepoint goes out first, the effect's first statement
            // right behind it without waiting for its answer.
            let (savepoint, out) = futures_util::future::join(
                tx.batch_execute("SAVEPOINT mutation"),
                dispatch(&tx, &mut applying, m),
            )
            .await;
            savepoint?;
            if out.is_err() {
                // Undo the effect (and leave an aborted state after a database error).
                tx.batch_execute("ROLLBACK TO SAVEPOINT mutation").await?;
            }
            out
        };
        let result = match outcome {
            Ok(value) => {
                ops.append(&mut applying.ops);
                audit.append(&mut applying.audit);
                MutationResult {
                    seq: m.seq,
                    status: MutationStatus::Applied,
                    code: None,
                    message: None,
                    retryable: false,
                    detail: None,
                    result: value,
                    server_time: Some(rfc3339(now)),
                }
            }
            Err(Failure::Rejected(r)) if r.retryable => {
                stop = Some(rejected(m.seq, r, now));
                break;
            }
            Err(Failure::Rejected(r)) => {
                // A duplicate id is already an audit id: name this record by its seq.
                let audit_id = if duplicate {
                    format!("{client_id}/{}/rejected", m.seq)
                } else {
                    format!("{id}/rejected")
                };
                audit.push(gongwen_domain::audit::Entry {
                    id: audit_id,
                    time: now,
                    actor: caller.login.clone(),
                    on_behalf_of: None,
                    action: "sync.rejected".to_owned(),
                    subject: m.name.clone(),
                    detail_json: serde_json::json!({
                        "client_id": client_id, "seq": m.seq, "mutation": m.id, "code": r.code,
                    })
                    .to_string(),
                });
                rejected(m.seq, r, now)
            }
            Err(Failure::Internal(e)) if is_transient(&e) => {
                stop = Some(busy(m.seq, now));
                break;
            }
            Err(Failure::Internal(e)) => {
                fatal = Some(e);
                break;
            }
        };
        stored.push(Stored {
            seq: m.seq,
            id: (!duplicate).then(|| id.clone()),
            name: m.name.clone(),
            json: serde_json::to_string(&result).map_err(|e| Error::Invalid(e.to_string()))?,
        });
        if !duplicate {
            seen.insert(id.clone());
        }
        consumed.push(result);
    }
    if consumed.is_empty() {
        drop(tx);
        return Ok(Group {
            consumed,
            stop,
            fatal,
        });
    }
    match flush(&tx, client_id, now, ops, audit, &stored).await {
        Ok(()) => {}
        Err(e) if is_transient(&e) => {
            // Nothing of the group is consumed: the client pushes it again.
            drop(tx);
            return Ok(Group {
                consumed: Vec::new(),
                stop: Some(busy(mutations[0].seq, now)),
                fatal: None,
            });
        }
        Err(e) => return Err(e),
    }
    tx.commit().await?;
    Ok(Group {
        consumed,
        stop,
        fatal,
    })
}

/// Writes a group's bucket ops, stored results, `last_applied_seq` and audit records.
/// The bucket rows' locks are taken here, and the audit stream's (the client's own,
/// uncontended) last, so both are held only until the commit that follows.
async fn flush(
    tx: &deadpool_postgres::Transaction<'_>,
    client_id: &str,
    now: OffsetDateTime,
    ops: Vec<buckets::NewOp>,
    audit: Vec<gongwen_domain::audit::Entry>,
    stored: &[Stored],
) -> Result<()> {
    let seqs: Vec<i64> = stored.iter().map(|s| s.seq).collect();
    let ids: Vec<Option<String>> = stored.iter().map(|s| s.id.clone()).collect();
    let names: Vec<String> = stored.iter().map(|s| s.name.clone()).collect();
    let jsons: Vec<String> = stored.iter().map(|s| s.json.clone()).collect();
    let last = seqs.last().copied().unwrap_or(0);
    let results = tx
        .prepare_cached(
            "INSERT INTO mutation_results (client_id, seq, id, name, result, applied_at)
             SELECT $1, s, i::uuid, n, r::jsonb, $6
               FROM unnest($2::bigint[], $3::text[], $4::text[], $5::text[]) AS u(s, i, n, r)",
        )
        .await?;
    let advance = tx
        .prepare_cached(
            "UPDATE sync_clients SET last_applied_seq = $2, last_seen_at = $3 WHERE client_id = $1",
        )
        .await?;
    futures_util::future::try_join3(
        buckets::append_all(tx, ops),
        async {
            tx.execute(&results, &[&client_id, &seqs, &ids, &names, &jsons, &now])
                .await
                .map_err(Error::from)
        },
        async {
            tx.execute(&advance, &[&client_id, &last, &now])
                .await
                .map_err(Error::from)
        },
    )
    .await?;
    crate::audit::append_to(tx, &crate::audit::client_stream(client_id), audit).await?;
    Ok(())
}

/// The first declared blob that is not on the server.
async fn missing_blob(c: &impl GenericClient, m: &Mutation) -> Result<Option<String>> {
    for blob in &m.blob_deps {
        if !super::exchange_hooks::blob_present(c, blob).await? {
            return Ok(Some(blob.clone()));
        }
    }
    Ok(None)
}

async fn dispatch(
    tx: &deadpool_postgres::Transaction<'_>,
    a: &mut Applying<'_>,
    m: &Mutation,
) -> std::result::Result<Option<serde_json::Value>, Failure> {
    match m.name.as_str() {
        mutations::DRAFT_SAVE => super::drafts::save(tx, a, &m.args).await,
        mutations::FLOW_START => super::flows::start(tx, a, &m.args).await,
        mutations::FLOW_ACT => super::flows::act(tx, a, &m.args).await,
        mutations::EXCHANGE_SIGN => super::exchange_hooks::sign(tx, a, &m.args).await,
        other => Err(Failure::Rejected(Rejection::new(
            codes::UNKNOWN_MUTATION,
            format!("服务器不认识操作“{other}”，请升级客户端或联系管理员"),
        ))),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn uuids_are_recognised() {
        assert!(is_uuid("0190f3c2-7a1b-7c3d-8e4f-0123456789ab"));
        assert!(!is_uuid("0190f3c2-7a1b-7c3d-8e4f-0123456789a"));
        assert!(!is_uuid("not-a-uuid"));
        assert!(!is_uuid("0190f3c2-7a1b-7c3d-8e4f-0123456789ag"));
    }
}

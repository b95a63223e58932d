//! `POST /v1/sync/push`: the per-mutation transaction (see the module docs of
//! [`super`]).

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

/// What became of one mutation of a push.
#[derive(Debug)]
pub(super) enum Step {
    /// Consumed (applied, terminally rejected, or a replay): go on.
    Consumed(MutationResult, i64),
    /// Retryable rejection: nothing consumed, stop the batch.
    Stop(MutationResult),
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

fn busy(seq: i64, now: OffsetDateTime) -> MutationResult {
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

/// Applies (or replays) one mutation in its own transaction.
pub(super) async fn one(
    state: &AppState,
    caller: &Caller,
    client_id: &str,
    m: &Mutation,
    client: &mut deadpool_postgres::Client,
) -> Result<Step> {
    let now = state.clock.now().to_offset(super::CST);
    let mut tx = client.transaction().await?;
    // A mutation that waits this long for a lock is retried later, not queued forever.
    tx.batch_execute("SET LOCAL lock_timeout = '10s'").await?;
    let row = tx
        .query_opt(
            "SELECT user_id, last_applied_seq FROM sync_clients WHERE client_id = $1 FOR UPDATE",
            &[&client_id],
        )
        .await?;
    let (owner, last) = match row {
        Some(r) => (r.get::<_, i64>(0), r.get::<_, i64>(1)),
        None if m.seq == 1 => {
            // Registration: the first push of a client starts at seq 1. A concurrent
            // first push of the same client waits on the row this inserts.
            tx.execute(
                "INSERT INTO sync_clients (client_id, user_id) VALUES ($1, $2)
                 ON CONFLICT (client_id) DO NOTHING",
                &[&client_id, &caller.user_id],
            )
            .await?;
            let r = tx
                .query_one(
                    "SELECT user_id, last_applied_seq FROM sync_clients WHERE client_id = $1 FOR UPDATE",
                    &[&client_id],
                )
                .await?;
            (r.get(0), r.get(1))
        }
        None => return Ok(Step::Unknown),
    };
    if owner != caller.user_id {
        return Ok(Step::NotYours);
    }
    if m.seq <= last {
        let stored = tx
            .query_opt(
                "SELECT result::text, id::text FROM mutation_results WHERE client_id = $1 AND seq = $2",
                &[&client_id, &m.seq],
            )
            .await?
            .ok_or_else(|| {
                Error::Invalid(format!("客户端 {client_id} 第 {} 号操作的结果缺失", m.seq))
            })?;
        let text: String = stored.get(0);
        let stored_id: Option<String> = stored.get(1);
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
        return Ok(Step::Consumed(result, last));
    }
    if m.seq > last + 1 {
        return Ok(Step::Gap(last + 1));
    }

    // m.seq == last + 1: apply it.
    let id = m.id.to_ascii_lowercase();
    let duplicate = tx
        .query_opt(
            "SELECT client_id, seq FROM mutation_results WHERE id = $1::text::uuid",
            &[&id],
        )
        .await?
        .is_some();
    let mut applying = Applying {
        caller,
        mutation_id: &id,
        now,
        ops: Vec::new(),
        audit: Vec::new(),
    };
    let outcome = if duplicate {
        Err(Failure::Rejected(Rejection::new(
            codes::DUPLICATE_MUTATION_ID,
            "该操作的编号已被另一操作使用，服务器未执行它",
        )))
    } else {
        match missing_blob(&tx, m).await? {
            Some(blob) => {
                drop(tx);
                return Ok(Step::Stop(rejected(
                    m.seq,
                    Rejection {
                        code: codes::BLOB_MISSING.to_owned(),
                        message: format!("附件 {blob} 尚未上传完成，上传后将自动重试"),
                        retryable: true,
                        detail: Some(serde_json::json!({ "blob": blob })),
                    },
                    now,
                )));
            }
            None => {
                let effect = tx.transaction().await?;
                let out = dispatch(&effect, &mut applying, m).await;
                match &out {
                    Ok(_) => {
                        buckets::append_all(&effect, std::mem::take(&mut applying.ops)).await?;
                        effect.commit().await?;
                    }
                    Err(_) => {
                        effect.rollback().await?;
                        applying.ops.clear();
                        applying.audit.clear();
                    }
                }
                out
            }
        }
    };
    let result = match outcome {
        Ok(value) => MutationResult {
            seq: m.seq,
            status: MutationStatus::Applied,
            code: None,
            message: None,
            retryable: false,
            detail: None,
            result: value,
            server_time: Some(rfc3339(now)),
        },
        Err(Failure::Rejected(r)) if r.retryable => {
            drop(tx);
            return Ok(Step::Stop(rejected(m.seq, r, now)));
        }
        Err(Failure::Rejected(r)) => {
            // A duplicate id is already an audit id: name this record by its seq.
            let audit_id = if duplicate {
                format!("{client_id}/{}/rejected", m.seq)
            } else {
                format!("{id}/rejected")
            };
            applying.audit.push(gongwen_domain::audit::Entry {
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
            drop(tx);
            return Ok(Step::Stop(busy(m.seq, now)));
        }
        Err(Failure::Internal(e)) => return Err(e),
    };
    let json = serde_json::to_string(&result).map_err(|e| Error::Invalid(e.to_string()))?;
    tx.execute(
        "INSERT INTO mutation_results (client_id, seq, id, name, result, applied_at)
         VALUES ($1, $2, $3::text::uuid, $4, $5::text::jsonb, $6)",
        &[
            &client_id,
            &m.seq,
            &(!duplicate).then_some(id.as_str()),
            &m.name,
            &json,
            &now,
        ],
    )
    .await?;
    tx.execute(
        "UPDATE sync_clients SET last_applied_seq = $2, last_seen_at = $3 WHERE client_id = $1",
        &[&client_id, &m.seq, &now],
    )
    .await?;
    // The audit chain's lock is taken last and held only until the commit.
    crate::audit::append(&tx, std::mem::take(&mut applying.audit)).await?;
    tx.commit().await?;
    Ok(Step::Consumed(result, m.seq))
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

//! Bucket op logs: appending ops (under the bucket row's lock) and reading pages.
//!
//! # Buckets
//!
//! | bucket            | who may pull it                              | what it holds                                                    |
//! |-------------------|----------------------------------------------|------------------------------------------------------------------|
//! | `organ:{代字}`    | every user of the organ                       | `person` (the organ's directory), organ-wide `incoming` 收文 items and `receipt` 回执 (公文交换) |
//! | `user:{login}`    | that user                                    | `draft` and `flow` of every document the user is a member of     |
//!
//! A document's members are its draft's owner, everyone who has or had a task in one of
//! its flows (except a task recalled by 撤回 before it was acted on) and the delegates
//! who acted; see [`super::members`]. Each change of a document writes one PUT into the
//! bucket of each member (the write amplification SYNC.md accepts, so a client pulls a
//! constant number of buckets however many documents it sees); a person who stops being
//! a member gets a REMOVE. A user moved to another organ stops seeing `organ:{old}`: the
//! next pull lists it in `removed_buckets`.
//!
//! Op ids are allocated under the lock of the bucket's `buckets` row, taken by an
//! upsert, so two transactions appending to one bucket run one after the other and
//! commit their ids in order: a reader never sees op `n + 1` without op `n`. To avoid
//! deadlocks, a transaction that appends to several buckets appends in bucket-name order
//! ([`append_all`] sorts); the server appends its audit record after its bucket ops.

use deadpool_postgres::GenericClient;
use gongwen_protocol::sync::{Op, OpKind, op_checksum};

use crate::error::{Error, Result};

/// The bucket of an organ (by its 代字).
pub fn organ_bucket(code: &str) -> String {
    format!("organ:{code}")
}

/// The bucket of a user (by login).
pub fn user_bucket(login: &str) -> String {
    format!("user:{login}")
}

/// One op to append.
#[derive(Debug, Clone, PartialEq)]
pub struct NewOp {
    pub bucket: String,
    pub op: OpKind,
    pub kind: String,
    pub entity_id: String,
    pub version: i64,
    pub data: Option<serde_json::Value>,
}

impl NewOp {
    pub fn put(
        bucket: String,
        kind: &str,
        entity_id: &str,
        version: i64,
        data: serde_json::Value,
    ) -> Self {
        Self {
            bucket,
            op: OpKind::Put,
            kind: kind.to_owned(),
            entity_id: entity_id.to_owned(),
            version,
            data: Some(data),
        }
    }

    pub fn remove(bucket: String, kind: &str, entity_id: &str, version: i64) -> Self {
        Self {
            bucket,
            op: OpKind::Remove,
            kind: kind.to_owned(),
            entity_id: entity_id.to_owned(),
            version,
            data: None,
        }
    }
}

fn tag(op: OpKind) -> &'static str {
    match op {
        OpKind::Put => "PUT",
        OpKind::Remove => "REMOVE",
    }
}

/// Appends a PUT of entity `kind`/`entity_id` at `version` to `bucket` (created on first
/// use) and returns its op id. `data` is the entity (for `kinds::INCOMING` /
/// `kinds::RECEIPT` the exchange module's JSON). `None` data is refused: use
/// [`remove_op`] to delete an entity. Pass the transaction of the command, so the op
/// commits with its effect.
pub async fn append_op(
    tx: &impl GenericClient,
    bucket: &str,
    kind: &str,
    entity_id: &str,
    version: i64,
    data: Option<serde_json::Value>,
) -> Result<i64> {
    let data = data.ok_or_else(|| {
        Error::Invalid(format!(
            "同步记录 {kind}/{entity_id} 缺少内容（删除请用 remove_op）"
        ))
    })?;
    append(
        tx,
        &NewOp::put(bucket.to_owned(), kind, entity_id, version, data),
    )
    .await
}

/// Appends a REMOVE of entity `kind`/`entity_id` (the client deletes its row) and
/// returns its op id. `version` is the entity's version at removal.
pub async fn remove_op(
    tx: &impl GenericClient,
    bucket: &str,
    kind: &str,
    entity_id: &str,
    version: i64,
) -> Result<i64> {
    append(
        tx,
        &NewOp::remove(bucket.to_owned(), kind, entity_id, version),
    )
    .await
}

/// Appends one op; see the module docs for the locking.
pub async fn append(tx: &impl GenericClient, op: &NewOp) -> Result<i64> {
    if op.bucket.is_empty() || op.bucket.chars().count() > 300 {
        return Err(Error::Invalid(format!("同步分组名“{}”无效", op.bucket)));
    }
    // The upsert takes the row lock (held to commit) and hands out the next id.
    let row = tx
        .query_one(
            "INSERT INTO buckets AS b (name, last_op_id, checksum) VALUES ($1, 1, 0)
             ON CONFLICT (name) DO UPDATE SET last_op_id = b.last_op_id + 1
             RETURNING last_op_id, checksum",
            &[&op.bucket],
        )
        .await?;
    let op_id: i64 = row.get(0);
    let previous = u32::try_from(row.get::<_, i64>(1)).unwrap_or(0);
    let wire = Op {
        op_id,
        op: op.op,
        kind: op.kind.clone(),
        id: op.entity_id.clone(),
        version: op.version,
        data: None,
    };
    let checksum = i64::from(previous.wrapping_add(op_checksum(&wire)));
    let data = op.data.as_ref().map(serde_json::Value::to_string);
    tx.execute(
        "INSERT INTO bucket_ops (bucket, op_id, op, kind, entity_id, version, data, checksum)
         VALUES ($1, $2, $3, $4, $5, $6, $7::text::jsonb, $8)",
        &[
            &op.bucket,
            &op_id,
            &tag(op.op),
            &op.kind,
            &op.entity_id,
            &op.version,
            &data,
            &checksum,
        ],
    )
    .await?;
    tx.execute(
        "UPDATE buckets SET checksum = $2 WHERE name = $1",
        &[&op.bucket, &checksum],
    )
    .await?;
    Ok(op_id)
}

/// Appends several ops in bucket-name order (then in the given order within a bucket),
/// so concurrent transactions lock buckets in one global order.
pub async fn append_all(tx: &impl GenericClient, mut ops: Vec<NewOp>) -> Result<()> {
    ops.sort_by(|a, b| a.bucket.cmp(&b.bucket));
    for op in &ops {
        append(tx, op).await?;
    }
    Ok(())
}

/// A bucket's head: its last op id and checksum (0, 0 for a bucket with no ops).
pub async fn head(c: &impl GenericClient, bucket: &str) -> Result<(i64, u32)> {
    Ok(c.query_opt(
        "SELECT last_op_id, checksum FROM buckets WHERE name = $1",
        &[&bucket],
    )
    .await?
    .map(|r| {
        (
            r.get::<_, i64>(0),
            u32::try_from(r.get::<_, i64>(1)).unwrap_or(0),
        )
    })
    .unwrap_or((0, 0)))
}

/// The bucket checksum up to and including op `op_id` (0 for cursor 0).
pub async fn checksum_at(c: &impl GenericClient, bucket: &str, op_id: i64) -> Result<u32> {
    if op_id <= 0 {
        return Ok(0);
    }
    let row = c
        .query_opt(
            "SELECT checksum FROM bucket_ops WHERE bucket = $1 AND op_id = $2",
            &[&bucket, &op_id],
        )
        .await?;
    Ok(row
        .map(|r| u32::try_from(r.get::<_, i64>(0)).unwrap_or(0))
        .unwrap_or(0))
}

/// The ops of `bucket` after `cursor`, at most `limit`, and whether more follow.
pub async fn page(
    c: &impl GenericClient,
    bucket: &str,
    cursor: i64,
    limit: i64,
) -> Result<(Vec<Op>, bool)> {
    let rows = c
        .query(
            "SELECT op_id, op, kind, entity_id, version, data::text FROM bucket_ops
              WHERE bucket = $1 AND op_id > $2 ORDER BY op_id LIMIT $3",
            &[&bucket, &cursor, &(limit + 1)],
        )
        .await?;
    let has_more = rows.len() as i64 > limit;
    let mut ops = Vec::with_capacity(rows.len().min(limit as usize));
    for r in rows.iter().take(limit as usize) {
        let op: String = r.get(1);
        let data: Option<String> = r.get(5);
        ops.push(Op {
            op_id: r.get(0),
            op: if op == "PUT" {
                OpKind::Put
            } else {
                OpKind::Remove
            },
            kind: r.get(2),
            id: r.get(3),
            version: r.get(4),
            data: data
                .map(|d| serde_json::from_str(&d))
                .transpose()
                .map_err(|e| Error::Invalid(format!("同步记录内容损坏：{e}")))?,
        });
    }
    Ok((ops, has_more))
}

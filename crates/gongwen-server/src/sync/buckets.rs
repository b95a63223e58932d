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
use serde_json::value::RawValue;

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

/// Appends one op and returns its op id; see the module docs for the locking.
pub async fn append(tx: &impl GenericClient, op: &NewOp) -> Result<i64> {
    let ids = append_all_ids(tx, vec![op.clone()]).await?;
    ids.into_iter()
        .next()
        .ok_or_else(|| Error::Invalid("同步记录未写入".to_owned()))
}

/// Appends several ops in bucket-name order (then in the given order within a bucket),
/// so concurrent transactions lock buckets in one global order.
///
/// Three statements whatever the number of ops and buckets, the last two pipelined:
/// one upsert allocates the op ids of every bucket at once (and takes the bucket rows'
/// locks, in name order), then the ops go in as one multi-row insert while the
/// buckets' running checksums are updated.
pub async fn append_all(tx: &impl GenericClient, ops: Vec<NewOp>) -> Result<()> {
    append_all_ids(tx, ops).await.map(drop)
}

/// [`append_all`], returning the op ids in bucket-name order.
async fn append_all_ids(tx: &impl GenericClient, mut ops: Vec<NewOp>) -> Result<Vec<i64>> {
    if ops.is_empty() {
        return Ok(Vec::new());
    }
    for op in &ops {
        if op.bucket.is_empty() || op.bucket.chars().count() > 300 {
            return Err(Error::Invalid(format!("同步分组名“{}”无效", op.bucket)));
        }
        if (op.op == OpKind::Put) != op.data.is_some() {
            return Err(Error::Invalid(format!(
                "同步记录 {}/{} 的内容与操作不符",
                op.kind, op.entity_id
            )));
        }
    }
    ops.sort_by(|a, b| a.bucket.cmp(&b.bucket));
    let mut names: Vec<String> = Vec::new();
    let mut counts: Vec<i64> = Vec::new();
    for op in &ops {
        if names.last() != Some(&op.bucket) {
            names.push(op.bucket.clone());
            counts.push(0);
        }
        if let Some(n) = counts.last_mut() {
            *n += 1;
        }
    }
    let allocate = tx
        .prepare_cached(
            "INSERT INTO buckets AS b (name, last_op_id, checksum)
             SELECT n, c, 0 FROM unnest($1::text[], $2::bigint[]) AS u(n, c) ORDER BY n
             ON CONFLICT (name) DO UPDATE SET last_op_id = b.last_op_id + excluded.last_op_id
             RETURNING name, last_op_id, checksum",
        )
        .await?;
    let heads: std::collections::HashMap<String, (i64, u32)> = tx
        .query(&allocate, &[&names, &counts])
        .await?
        .iter()
        .map(|r| {
            (
                r.get::<_, String>(0),
                (
                    r.get::<_, i64>(1),
                    u32::try_from(r.get::<_, i64>(2)).unwrap_or(0),
                ),
            )
        })
        .collect();
    let n = ops.len();
    let mut col_bucket = Vec::with_capacity(n);
    let mut col_id = Vec::with_capacity(n);
    let mut col_op = Vec::with_capacity(n);
    let mut col_kind = Vec::with_capacity(n);
    let mut col_entity = Vec::with_capacity(n);
    let mut col_version = Vec::with_capacity(n);
    let mut col_data: Vec<Option<String>> = Vec::with_capacity(n);
    let mut col_sum = Vec::with_capacity(n);
    let mut final_sums: Vec<i64> = Vec::with_capacity(names.len());
    let mut i = 0;
    for (name, count) in names.iter().zip(&counts) {
        let (last, mut sum) = *heads
            .get(name)
            .ok_or_else(|| Error::Invalid(format!("同步分组 {name} 未能分配编号")))?;
        let first = last - count + 1;
        for k in 0..*count {
            let op = &ops[i];
            i += 1;
            let op_id = first + k;
            let wire = Op {
                op_id,
                op: op.op,
                kind: op.kind.clone(),
                id: op.entity_id.clone(),
                version: op.version,
                data: None,
            };
            sum = sum.wrapping_add(op_checksum(&wire));
            col_bucket.push(name.clone());
            col_id.push(op_id);
            col_op.push(tag(op.op));
            col_kind.push(op.kind.clone());
            col_entity.push(op.entity_id.clone());
            col_version.push(op.version);
            col_data.push(op.data.as_ref().map(serde_json::Value::to_string));
            col_sum.push(i64::from(sum));
        }
        final_sums.push(i64::from(sum));
    }
    let insert = tx
        .prepare_cached(
            "INSERT INTO bucket_ops (bucket, op_id, op, kind, entity_id, version, data, checksum)
             SELECT b, i, o, k, e, v, d::jsonb, c
               FROM unnest($1::text[], $2::bigint[], $3::text[], $4::text[], $5::text[],
                           $6::bigint[], $7::text[], $8::bigint[]) AS u(b, i, o, k, e, v, d, c)",
        )
        .await?;
    let update = tx
        .prepare_cached(
            "UPDATE buckets SET checksum = u.c
               FROM unnest($1::text[], $2::bigint[]) AS u(n, c) WHERE name = u.n",
        )
        .await?;
    futures_util::future::try_join(
        tx.execute(
            &insert,
            &[
                &col_bucket,
                &col_id,
                &col_op,
                &col_kind,
                &col_entity,
                &col_version,
                &col_data,
                &col_sum,
            ],
        ),
        tx.execute(&update, &[&names, &final_sums]),
    )
    .await?;
    Ok(col_id)
}

/// A bucket's head and compaction state (all zero for a bucket with no ops).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Head {
    /// The last op id handed out.
    pub last_op_id: i64,
    /// The stored checksum at `last_op_id` (see [`checksum_at`]).
    pub checksum: u32,
    /// Ops at or before this id may have been compacted away (0: never compacted).
    pub compacted_through: i64,
    /// The wrapping sum of the checksums of every op compaction deleted.
    pub compacted_checksum: u32,
    /// Compactions that deleted something.
    pub epoch: i32,
}

fn u32_of(v: i64) -> u32 {
    u32::try_from(v).unwrap_or(0)
}

/// A bucket's head (see [`Head`]).
pub async fn head(c: &impl GenericClient, bucket: &str) -> Result<Head> {
    let stmt = c
        .prepare_cached(
            "SELECT last_op_id, checksum, compacted_through, compacted_checksum, epoch
               FROM buckets WHERE name = $1",
        )
        .await?;
    Ok(c.query_opt(&stmt, &[&bucket])
        .await?
        .map(|r| Head {
            last_op_id: r.get(0),
            checksum: u32_of(r.get(1)),
            compacted_through: r.get(2),
            compacted_checksum: u32_of(r.get(3)),
            epoch: r.get(4),
        })
        .unwrap_or_default())
}

/// The stored bucket checksum at cursor `op_id`: the stored checksum of the last
/// remaining op at or before it, or the bucket's `compacted_checksum` when none
/// remains (cursor 0, or a prefix compaction emptied). Every remaining op stores
/// `compacted_checksum + the checksums of the remaining ops up to it`, so this is what
/// a client that started the bucket from 0 before any compaction has summed; a client
/// that started later subtracts its base (see [`super::http`]).
pub async fn checksum_at(c: &impl GenericClient, bucket: &str, op_id: i64) -> Result<u32> {
    let stmt = c
        .prepare_cached(
            "SELECT coalesce(
                 (SELECT checksum FROM bucket_ops WHERE bucket = $1 AND op_id <= $2
                   ORDER BY op_id DESC LIMIT 1),
                 (SELECT compacted_checksum FROM buckets WHERE name = $1),
                 0)",
        )
        .await?;
    let row = c.query_one(&stmt, &[&bucket, &op_id]).await?;
    Ok(u32_of(row.get(0)))
}

/// The ops of `bucket` after `cursor`, at most `limit`, and whether more follow.
pub async fn page(
    c: &impl GenericClient,
    bucket: &str,
    cursor: i64,
    limit: i64,
) -> Result<(Vec<Op>, bool)> {
    let page = raw_page(c, bucket, cursor, limit).await?;
    Ok((page.ops, page.has_more))
}

/// A page of a bucket's log as stored (see [`raw_page`]): each op's data is the JSON
/// text PostgreSQL rendered (checked to be JSON, never parsed into a tree), so a pull
/// answer splices it into the page as it is.
#[derive(Debug, Clone)]
pub struct RawPage {
    pub ops: Vec<Op>,
    /// More ops follow the page.
    pub has_more: bool,
    /// The stored checksum of the page's last op (None for an empty page).
    pub last_checksum: Option<u32>,
}

/// The ops of `bucket` after `cursor`, at most `limit`, with their data as stored
/// (one query; PostgreSQL renders the `jsonb` as text, the server does not parse it).
pub async fn raw_page(
    c: &impl GenericClient,
    bucket: &str,
    cursor: i64,
    limit: i64,
) -> Result<RawPage> {
    let stmt = c
        .prepare_cached(
            "SELECT op_id, op, kind, entity_id, version, data::text, checksum FROM bucket_ops
              WHERE bucket = $1 AND op_id > $2 ORDER BY op_id LIMIT $3",
        )
        .await?;
    let rows = c.query(&stmt, &[&bucket, &cursor, &(limit + 1)]).await?;
    let has_more = rows.len() as i64 > limit;
    let mut ops = Vec::with_capacity(rows.len().min(limit as usize));
    let mut last_checksum = None;
    for r in rows.iter().take(limit as usize) {
        let op: &str = r.get(1);
        let data: Option<String> = r.get(5);
        last_checksum = Some(u32_of(r.get(6)));
        let data = data
            .map(RawValue::from_string)
            .transpose()
            .map_err(|e| Error::Invalid(format!("同步记录内容损坏：{e}")))?;
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
            data,
        });
    }
    Ok(RawPage {
        ops,
        has_more,
        last_checksum,
    })
}

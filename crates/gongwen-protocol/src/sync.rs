//! Sync: push (the command log), pull (per-bucket read models) and blobs.
//!
//! The design is `../shared/design/SYNC.md`; this module is its wire contract.
//!
//! * **Push** (`POST /v1/sync/push`, [`PushRequest`] → [`PushResponse`]): the client
//!   sends its unacknowledged mutations in `seq` order. `seq` is per `client_id`,
//!   starts at 1 and is contiguous: the server applies `seq == last_applied_seq + 1`
//!   only, answers a replay (`seq <= last_applied_seq`) with the stored result, and a
//!   gap with 409 [`codes::SEQ_GAP`] and `expected_seq`. A terminal rejection
//!   consumes the seq; a retryable one consumes nothing and stops the batch.
//! * **Pull** (`POST /v1/sync/pull`, [`PullRequest`] → [`PullResponse`]): the server
//!   computes the caller's buckets from its token, never from the request, and
//!   answers each bucket's ops after the client's cursor, a page at a time, with the
//!   bucket checksum at the new cursor ([`bucket_checksum`]).
//! * **Blobs** (`/v1/blobs`, tus-style): content-addressed by SHA-256, uploaded in
//!   chunks that resume from the server's offset, downloaded with ranges.
//!
//! Every request carries [`PROTOCOL_VERSION`](crate::PROTOCOL_VERSION) and
//! [`SCHEMA_VERSION`]; a peer that is too old gets 426 [`codes::UPGRADE_REQUIRED`]
//! with the minimum versions ([`SyncError`]), never a misread.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};
use serde_json::value::RawValue;
use sha2::{Digest, Sha256};

/// The version of the mutation and read-model schemas (the `args` of each
/// mutation name and the `data` of each entity kind). Bump when one changes
/// incompatibly; the server states the minimum it accepts.
pub const SCHEMA_VERSION: u32 = 1;

/// HTTP header names for the resumable blob upload (tus 1.0 style).
pub const UPLOAD_OFFSET_HEADER: &str = "Upload-Offset";
/// Content type of a blob upload chunk.
pub const UPLOAD_CONTENT_TYPE: &str = "application/offset+octet-stream";
/// The largest chunk a client sends in one PATCH (8 MiB).
pub const MAX_CHUNK: u64 = 8 * 1024 * 1024;

/// Stable error and rejection codes of the sync endpoints.
pub mod codes {
    /// 409: the batch starts after a gap; resend from `expected_seq`.
    pub const SEQ_GAP: &str = "SEQ_GAP";
    /// 409: the server has no state for this client id; re-register (new client
    /// id) and renumber the unacknowledged mutations from 1.
    pub const CLIENT_UNKNOWN: &str = "CLIENT_UNKNOWN";
    /// 426: the client's protocol or schema is older than the server accepts.
    pub const UPGRADE_REQUIRED: &str = "UPGRADE_REQUIRED";
    /// 409 on pull: drop the bucket's local rows and cursor and pull it from 0.
    pub const BUCKET_RESET: &str = "BUCKET_RESET";
    /// Retryable rejection: a blob the mutation needs is not uploaded yet.
    pub const BLOB_MISSING: &str = "BLOB_MISSING";
    /// Terminal rejection: the mutation name is unknown to this server.
    pub const UNKNOWN_MUTATION: &str = "UNKNOWN_MUTATION";
    /// Terminal rejection: the args do not parse for the mutation name.
    pub const BAD_ARGS: &str = "BAD_ARGS";
    /// Terminal rejection: the caller may not do this.
    pub const FORBIDDEN: &str = "FORBIDDEN";
    /// Terminal rejection: someone else already handled the task
    /// (`detail` = [`AlreadyHandled`]).
    pub const ALREADY_HANDLED: &str = "ALREADY_HANDLED";
    /// 409 on blob PATCH: the chunk's offset is not the server's; HEAD again.
    pub const OFFSET_MISMATCH: &str = "OFFSET_MISMATCH";
    /// 422 on the final blob PATCH: the bytes do not hash to the announced id.
    pub const BLOB_HASH_MISMATCH: &str = "BLOB_HASH_MISMATCH";
    /// Retryable rejection: the server could not apply the mutation now (a lock
    /// timeout, a serialization failure); nothing was consumed, push it again later.
    pub const BUSY: &str = "BUSY";
    /// Terminal rejection: the mutation's `id` was already used by another mutation
    /// (another client id or seq): a client bug; the seq is consumed.
    pub const DUPLICATE_MUTATION_ID: &str = "DUPLICATE_MUTATION_ID";
    /// Terminal rejection of a 收文 `flow.start.v1`: no incoming item with that id was
    /// delivered to the caller's organ.
    pub const INCOMING_NOT_FOUND: &str = "INCOMING_NOT_FOUND";
    /// Terminal rejection of a 收文 `flow.start.v1`: the incoming item is not signed
    /// (签收) yet.
    pub const INCOMING_NOT_SIGNED: &str = "INCOMING_NOT_SIGNED";
}

/// Machine-readable reasons of a bucket reset ([`PullResponse::reset_reasons`],
/// [`SyncError::reason`]). Whatever the reason, the client does the same thing (drop
/// the bucket's rows and cursor, pull it again from 0); the reason is for its status
/// display, its logs and the server's metrics. A client must accept reasons it does
/// not know.
pub mod reset_reasons {
    /// Ops the client had not pulled yet were compacted away (its cursor is older than
    /// the bucket's compaction horizon).
    pub const COMPACTED: &str = "compacted";
    /// The client's cursor is past the bucket's last op (the server was restored from
    /// a backup, or the cursor is corrupt).
    pub const CURSOR_AHEAD: &str = "cursor_ahead";
    /// What the caller may see in the bucket changed in a way ops cannot express.
    pub const ACL_CHANGED: &str = "acl_changed";
    /// The bucket's entity schema changed.
    pub const SCHEMA: &str = "schema";
}

/// Mutation names (`Mutation::name`). The `.vN` suffix is part of the name: a
/// changed argument shape is a new name, so an old outbox still replays.
pub mod mutations {
    /// Start a flow on a draft version (args: the client's `flow.start.v1` args).
    pub const FLOW_START: &str = "flow.start.v1";
    /// One workflow action (args: `{flow, command, clientTime}`).
    pub const FLOW_ACT: &str = "flow.act.v1";
    /// Save a draft version with compare-and-set on `base_version` ([`DraftSave`]).
    pub const DRAFT_SAVE: &str = "draft.save.v1";
    /// 签收 an incoming document, which sends the 回执 ([`ExchangeSign`]).
    pub const EXCHANGE_SIGN: &str = "exchange.sign.v1";
}

/// Entity kinds carried by pull ops (`Op::kind`).
pub mod kinds {
    /// A directory person (data: `gongwen_protocol::directory`-style person row).
    pub const PERSON: &str = "person";
    /// A draft's head and version list (data: [`super::DraftHead`]).
    pub const DRAFT: &str = "draft";
    /// A flow: the state machine's JSON plus its denormalised columns.
    pub const FLOW: &str = "flow";
    /// An incoming document in a 收文 inbox (公文交换).
    pub const INCOMING: &str = "incoming";
    /// A 回执 for a document this organ sent.
    pub const RECEIPT: &str = "receipt";
    /// One of an organ's route templates, in the organ bucket `organ:{代字}`.
    /// `Op::id` is the template's name; `data` is the template as
    /// `gongwen_domain::workflow::template::RouteTemplate` JSON. A REMOVE means the
    /// organ deleted the template (the standard set applies again for what it covered).
    pub const ROUTE_TEMPLATE: &str = "route_template";
    /// A 委托, in the user buckets of both the delegator and the delegate.
    /// `Op::id` is the delegation's id as text; `data` is [`super::DelegationData`].
    /// A revoked delegation stays a PUT with `revoked: true`; a REMOVE means the
    /// caller no longer sees it at all.
    pub const DELEGATION: &str = "delegation";
}

/// `POST /v1/sync/push`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct PushRequest {
    pub protocol: u32,
    pub schema_version: u32,
    /// The device's id (UUIDv7), chosen by the client once and kept.
    pub client_id: String,
    /// Contiguous `seq`s in increasing order.
    pub mutations: Vec<Mutation>,
}

/// One command of the client's outbox.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Mutation {
    /// Per client, contiguous from 1, never reused.
    pub seq: i64,
    /// UUIDv7: the global idempotency key (also the audit id).
    pub id: String,
    /// See [`mutations`].
    pub name: String,
    pub args: serde_json::Value,
    /// When the user acted, RFC 3339. Informational only: never used for ordering.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub client_time: Option<String>,
    /// Blobs (`sha256:<hex>`) that must be on the server before this applies.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub blob_deps: Vec<String>,
}

/// 200 answer to a push.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct PushResponse {
    /// One result per mutation the server looked at, in order. The server stops
    /// at the first retryable rejection (later ones are not listed).
    pub results: Vec<MutationResult>,
    /// Every seq up to this one is consumed (applied or terminally rejected).
    pub last_applied_seq: i64,
}

/// What became of one mutation.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct MutationResult {
    pub seq: i64,
    pub status: MutationStatus,
    /// For a rejection: a stable code ([`codes`] or the workflow error code).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub code: Option<String>,
    /// For a rejection: why, in zh-CN, for the user.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub message: Option<String>,
    /// A retryable rejection consumed nothing: push the same mutation again later.
    #[serde(default)]
    pub retryable: bool,
    /// Code-specific detail, e.g. [`AlreadyHandled`] for [`codes::ALREADY_HANDLED`].
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub detail: Option<serde_json::Value>,
    /// The server's result payload for an applied mutation (e.g. the 文号 given
    /// at 登记, the new draft version), when it has one.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub result: Option<serde_json::Value>,
    /// The server's time of application, RFC 3339.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub server_time: Option<String>,
}

/// `MutationResult::status`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum MutationStatus {
    Applied,
    Rejected,
}

/// `detail` of [`codes::ALREADY_HANDLED`]: "已由 XX 于 时间 处理".
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct AlreadyHandled {
    /// Display name of who handled it.
    pub by: String,
    /// When, RFC 3339.
    pub at: String,
    /// What they did (同意, 退回…).
    pub action: String,
}

/// Args of [`mutations::DRAFT_SAVE`]. The server applies it only when
/// `base_version` is the draft's current head (`None`: the draft is new);
/// otherwise it keeps the body as a conflict copy (冲突副本) of the draft and
/// answers `applied` with `result = {"conflict": true, "head": N, "copy": id}`.
///
/// The args may also carry `"resolves": [conflict copy id, …]` (see
/// [`DRAFT_SAVE_RESOLVES`]): the copies this save resolves (the user chose or merged
/// them), which the server then stops listing in [`DraftHead::conflicts`].
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct DraftSave {
    pub draft_id: String,
    #[serde(default)]
    pub base_version: Option<i64>,
    /// The version number the client gave this save.
    pub version: i64,
    /// The document, in its JSON form (`gongwen_domain::document::Document`).
    pub document: serde_json::Value,
    /// `sha256:<hex>` of the canonical JSON of `document`.
    pub content_hash: String,
}

/// The optional args key of [`mutations::DRAFT_SAVE`] listing the conflict copies a
/// save resolves (a JSON array of [`ConflictCopy::id`]s).
pub const DRAFT_SAVE_RESOLVES: &str = "resolves";

/// Args of [`mutations::EXCHANGE_SIGN`].
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ExchangeSign {
    /// The incoming item's id.
    pub incoming_id: String,
}

/// Pull `data` of [`kinds::DRAFT`]: the head of a draft as the server holds it.
///
/// `D` is how the documents are held: a `serde_json::Value` tree (the default), or
/// the JSON text itself (`&RawValue`, `Box<RawValue>`) for a reader that parses the
/// document into its own type, as the client's apply does. The wire form is the same.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct DraftHead<D = serde_json::Value> {
    pub draft_id: String,
    pub head_version: i64,
    pub document: D,
    pub content_hash: String,
    /// Conflict copies not yet resolved: (version the client based it on, document).
    #[serde(default = "Vec::new")]
    pub conflicts: Vec<ConflictCopy<D>>,
}

/// A body that lost a compare-and-set: kept, never dropped. `D` as in [`DraftHead`].
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ConflictCopy<D = serde_json::Value> {
    pub id: String,
    pub base_version: Option<i64>,
    pub author: String,
    pub saved_at: String,
    pub document: D,
}

/// Pull `data` of [`kinds::DELEGATION`]: a standing 委托 from `from_login` to
/// `to_login` for `[starts_at, ends_at)`, during which the delegate handles the
/// delegator's tasks and signs as "{to_display} 代 {from_display}".
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct DelegationData {
    /// The server's id of the delegation (`Op::id` is the same number as text).
    pub id: i64,
    /// The delegator (委托人), whose tasks are handed over.
    pub from_login: String,
    pub from_display: String,
    /// The delegate (受托人), who acts in the delegator's place.
    pub to_login: String,
    pub to_display: String,
    /// RFC 3339, inclusive.
    pub starts_at: String,
    /// RFC 3339, exclusive.
    pub ends_at: String,
    /// Role codes (`gongwen_protocol::directory::Role::code`) the delegation is
    /// limited to. Empty: the whole delegation, every task of the delegator.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub roles: Vec<String>,
    /// Revoked by an administrator before it ended: no longer in force.
    #[serde(default)]
    pub revoked: bool,
}

impl DelegationData {
    /// Whether the delegation covers every task of the delegator (no role limit).
    pub fn is_whole(&self) -> bool {
        self.roles.is_empty()
    }
}

/// `POST /v1/sync/pull`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct PullRequest {
    pub protocol: u32,
    pub schema_version: u32,
    pub client_id: String,
    /// The client's cursor per bucket it holds (last op id applied; absent = 0).
    #[serde(default)]
    pub cursors: BTreeMap<String, i64>,
    /// The most ops per bucket in this answer (the server caps it).
    #[serde(default = "default_limit")]
    pub limit: u32,
}

fn default_limit() -> u32 {
    1000
}

/// 200 answer to a pull.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct PullResponse {
    /// One page per bucket the caller may see that has ops after its cursor (a
    /// bucket with nothing new may be omitted or sent with no ops).
    pub buckets: BTreeMap<String, BucketPage>,
    /// Buckets the caller may now see that it did not list in `cursors`.
    #[serde(default)]
    pub added_buckets: Vec<String>,
    /// Buckets the client listed that the caller may no longer see: delete every
    /// local row, search entry and cached blob held only through them.
    #[serde(default)]
    pub removed_buckets: Vec<String>,
    /// Buckets to drop and pull again from 0 (compaction, ACL or schema change).
    #[serde(default)]
    pub resets: Vec<String>,
    /// Why each bucket of `resets` was reset ([`reset_reasons`]). Added after the
    /// first release of protocol 1: older servers do not send it.
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub reset_reasons: BTreeMap<String, String>,
    /// The client's push acknowledgement, as in [`PushResponse::last_applied_seq`].
    pub last_applied_seq: i64,
}

/// One bucket's page of ops.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct BucketPage {
    pub ops: Vec<Op>,
    /// The cursor after this page (the last op id, or the request's cursor).
    pub next: i64,
    /// More ops follow: pull again with `next`.
    pub has_more: bool,
    /// [`bucket_checksum`] of every op up to `next`, as 8 hex digits.
    pub checksum: String,
}

/// One change to one entity in a bucket.
///
/// `data` stays JSON text from the wire to its reader: its type follows `kind`, so the
/// reader parses it into that type once ([`Op::parse_data`]), straight from the text
/// (borrowing strings where the type does), and may store the text itself; the server
/// splices the text it stored. No `serde_json::Value` tree is built on the way.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Op {
    /// Increasing within the bucket.
    pub op_id: i64,
    pub op: OpKind,
    /// See [`kinds`].
    pub kind: String,
    pub id: String,
    /// The entity's server version: apply a PUT only if it is newer than the local one.
    pub version: i64,
    /// The entity for a PUT, as JSON text; absent for a REMOVE.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub data: Option<Box<RawValue>>,
}

impl Op {
    /// A PUT of `data` (serialized once, kept as text).
    pub fn put(
        op_id: i64,
        kind: &str,
        id: &str,
        version: i64,
        data: &impl Serialize,
    ) -> serde_json::Result<Op> {
        Ok(Op {
            op_id,
            op: OpKind::Put,
            kind: kind.to_owned(),
            id: id.to_owned(),
            version,
            data: Some(serde_json::value::to_raw_value(data)?),
        })
    }

    /// A REMOVE of entity `kind`/`id`.
    pub fn remove(op_id: i64, kind: &str, id: &str, version: i64) -> Op {
        Op {
            op_id,
            op: OpKind::Remove,
            kind: kind.to_owned(),
            id: id.to_owned(),
            version,
            data: None,
        }
    }

    /// The data's JSON text (`None` for a REMOVE).
    pub fn data_text(&self) -> Option<&str> {
        self.data.as_deref().map(RawValue::get)
    }

    /// Parses the data as `T`, borrowing from the op's text where `T` borrows. A
    /// REMOVE has no data: an error.
    pub fn parse_data<'a, T: Deserialize<'a>>(&'a self) -> serde_json::Result<T> {
        match self.data_text() {
            Some(text) => serde_json::from_str(text),
            None => Err(<serde_json::Error as serde::de::Error>::custom(format!(
                "{} {} 没有数据",
                self.kind, self.id
            ))),
        }
    }
}

/// Ops are equal when every field is, the data compared as text (the text is what
/// travels and what is stored; two texts of one value in other spellings differ).
impl PartialEq for Op {
    fn eq(&self, other: &Op) -> bool {
        self.op_id == other.op_id
            && self.op == other.op
            && self.kind == other.kind
            && self.id == other.id
            && self.version == other.version
            && self.data_text() == other.data_text()
    }
}

/// `Op::op`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "UPPERCASE")]
pub enum OpKind {
    Put,
    Remove,
}

/// The checksum of one op: the first four bytes (big-endian) of SHA-256 over
/// `"{op_id}\n{PUT|REMOVE}\n{kind}\n{id}\n{version}"`. The data is covered by the
/// version (an entity version is never reused with other data).
pub fn op_checksum(op: &Op) -> u32 {
    let tag = match op.op {
        OpKind::Put => "PUT",
        OpKind::Remove => "REMOVE",
    };
    let text = format!(
        "{}\n{tag}\n{}\n{}\n{}",
        op.op_id, op.kind, op.id, op.version
    );
    let digest = Sha256::digest(text.as_bytes());
    u32::from_be_bytes([digest[0], digest[1], digest[2], digest[3]])
}

/// A bucket's checksum: the wrapping sum of [`op_checksum`] over all its ops up to
/// a cursor. Additive, so both sides keep it incrementally: `previous + page`.
pub fn bucket_checksum<'a>(previous: u32, ops: impl IntoIterator<Item = &'a Op>) -> u32 {
    ops.into_iter()
        .fold(previous, |sum, op| sum.wrapping_add(op_checksum(op)))
}

/// Formats a checksum as on the wire (8 lowercase hex digits).
pub fn format_checksum(sum: u32) -> String {
    format!("{sum:08x}")
}

/// Parses a wire checksum; `None` if it is not 8 hex digits.
pub fn parse_checksum(text: &str) -> Option<u32> {
    if text.len() != 8 {
        return None;
    }
    u32::from_str_radix(text, 16).ok()
}

/// The body of every non-200 sync answer: [`crate::ApiError`]'s `code` and
/// `message`, plus what the client needs to recover.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SyncError {
    pub code: String,
    pub message: String,
    /// [`codes::SEQ_GAP`]: resend from this seq.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub expected_seq: Option<i64>,
    /// [`codes::UPGRADE_REQUIRED`]: the oldest protocol the server accepts.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub min_protocol: Option<u32>,
    /// [`codes::UPGRADE_REQUIRED`]: the oldest schema the server accepts.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub min_schema_version: Option<u32>,
    /// [`codes::BUCKET_RESET`]: which bucket.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub bucket: Option<String>,
    /// [`codes::BUCKET_RESET`]: why ([`reset_reasons`]). Added after the first
    /// release of protocol 1: older servers do not send it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub reason: Option<String>,
}

/// `POST /v1/blobs`: announce a blob before uploading it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct BlobAnnounce {
    /// `sha256:<64 hex>`.
    pub id: String,
    pub size: u64,
}

/// Answer to [`BlobAnnounce`]: 200 `present`, or 201 with where to upload.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct BlobUpload {
    pub status: BlobStatus,
    /// `/v1/blobs/uploads/{upload}` for PATCH/HEAD, when status is `upload`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub upload_url: Option<String>,
    /// The bytes the server already has (resume from here).
    pub offset: u64,
}

/// [`BlobUpload::status`].
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum BlobStatus {
    /// The server has the whole blob: nothing to upload.
    Present,
    /// Upload from `offset`.
    Upload,
}

#[cfg(test)]
mod tests {
    use super::*;

    fn op(id: i64, kind: OpKind) -> Op {
        Op {
            op_id: id,
            op: kind,
            kind: kinds::FLOW.into(),
            id: "F1".into(),
            version: id,
            data: None,
        }
    }

    #[test]
    fn checksum_is_additive_over_pages() {
        let ops = [
            op(1, OpKind::Put),
            op(2, OpKind::Put),
            op(3, OpKind::Remove),
        ];
        let whole = bucket_checksum(0, &ops);
        let first = bucket_checksum(0, &ops[..2]);
        assert_eq!(bucket_checksum(first, &ops[2..]), whole);
        assert_ne!(bucket_checksum(0, &ops[..2]), whole);
    }

    #[test]
    fn checksum_round_trips_as_hex() {
        let sum = bucket_checksum(0, &[op(7, OpKind::Put)]);
        let text = format_checksum(sum);
        assert_eq!(text.len(), 8);
        assert_eq!(parse_checksum(&text), Some(sum));
        assert_eq!(parse_checksum("xyz"), None);
        assert_eq!(parse_checksum("0000000g"), None);
    }

    #[test]
    fn op_kind_is_uppercase_on_the_wire() {
        let json = serde_json::to_value(op(1, OpKind::Remove)).unwrap();
        assert_eq!(json["op"], "REMOVE");
        assert!(json.get("data").is_none());
    }

    #[test]
    fn route_template_op_round_trips_the_domain_template() {
        use gongwen_domain::workflow::FlowKind;
        use gongwen_domain::workflow::template::{RouteTemplate, TemplateSet};

        let set = TemplateSet::standard();
        let tpl: &RouteTemplate = set
            .templates
            .iter()
            .find(|t| t.kind == FlowKind::Outgoing)
            .unwrap();
        let op = Op::put(4, kinds::ROUTE_TEMPLATE, &tpl.name, 2, tpl).unwrap();
        let wire = serde_json::to_string(&op).unwrap();
        let back: Op = serde_json::from_str(&wire).unwrap();
        assert_eq!(back, op);
        assert_eq!(back.kind, "route_template");
        let parsed: RouteTemplate = back.parse_data().unwrap();
        assert_eq!(&parsed, tpl);
    }

    #[test]
    fn op_data_stays_the_text_that_arrived() {
        // As PostgreSQL renders jsonb: spaces, its own key order.
        let wire = r#"{"op_id":3,"op":"PUT","kind":"draft","id":"D1","version":2,"data":{"draft_id": "D1", "document": {"title": "通知"}, "head_version": 2, "content_hash": "sha256:00", "conflicts": [{"id": "c1", "author": "zhang", "document": {"title": "改"}, "saved_at": "2026-03-01T09:00:00+08:00", "base_version": 1}]}}"#;
        let op: Op = serde_json::from_str(wire).unwrap();
        assert!(
            op.data_text()
                .unwrap()
                .starts_with(r#"{"draft_id": "D1", "#)
        );
        assert_eq!(serde_json::to_string(&op).unwrap(), wire);
        // Read without a tree: the documents stay text…
        let head: DraftHead<&RawValue> = op.parse_data().unwrap();
        assert_eq!((head.draft_id.as_str(), head.head_version), ("D1", 2));
        assert_eq!(head.document.get(), r#"{"title": "通知"}"#);
        assert_eq!(head.conflicts[0].document.get(), r#"{"title": "改"}"#);
        assert_eq!(head.conflicts[0].base_version, Some(1));
        // …or as a tree, the same entity.
        let tree: DraftHead = op.parse_data().unwrap();
        assert_eq!(tree.document["title"], "通知");
        assert_eq!(tree.conflicts[0].document["title"], "改");
        // A head without conflicts (older servers) reads with none.
        let bare = Op::put(
            1,
            kinds::DRAFT,
            "D2",
            1,
            &serde_json::json!({"draft_id": "D2", "head_version": 1, "document": {}, "content_hash": "h"}),
        )
        .unwrap();
        assert!(
            bare.parse_data::<DraftHead<&RawValue>>()
                .unwrap()
                .conflicts
                .is_empty()
        );
        // A REMOVE has no data to parse.
        let gone = Op::remove(4, kinds::DRAFT, "D1", 3);
        assert!(gone.parse_data::<DraftHead>().is_err());
        assert_eq!(gone.data_text(), None);
        assert!(!serde_json::to_string(&gone).unwrap().contains("data"));
    }

    #[test]
    fn ops_compare_their_data_as_text() {
        let a = Op::put(1, kinds::PERSON, "p", 1, &serde_json::json!({"a": 1})).unwrap();
        let same: Op = serde_json::from_str(&serde_json::to_string(&a).unwrap()).unwrap();
        assert_eq!(a, same);
        let spaced: Op = serde_json::from_str(
            r#"{"op_id":1,"op":"PUT","kind":"person","id":"p","version":1,"data":{"a": 1}}"#,
        )
        .unwrap();
        assert_ne!(a, spaced);
        assert_eq!(
            spaced.parse_data::<serde_json::Value>().unwrap(),
            a.parse_data::<serde_json::Value>().unwrap()
        );
    }

    fn delegation() -> DelegationData {
        DelegationData {
            id: 17,
            from_login: "zhang".into(),
            from_display: "张三".into(),
            to_login: "li".into(),
            to_display: "李四".into(),
            starts_at: "2026-03-01T00:00:00Z".into(),
            ends_at: "2026-03-08T00:00:00Z".into(),
            roles: vec![],
            revoked: false,
        }
    }

    #[test]
    fn delegation_data_round_trips_and_defaults() {
        let mut d = delegation();
        d.roles = vec!["signer".into()];
        let json = serde_json::to_value(&d).unwrap();
        assert_eq!(json["from_login"], "zhang");
        assert_eq!(json["roles"][0], "signer");
        let back: DelegationData = serde_json::from_value(json).unwrap();
        assert_eq!(back, d);
        assert!(!back.is_whole());

        // An older server sends neither roles nor revoked.
        let old: DelegationData = serde_json::from_str(
            r#"{"id":1,"from_login":"a","from_display":"甲","to_login":"b","to_display":"乙",
                "starts_at":"2026-01-01T00:00:00Z","ends_at":"2026-02-01T00:00:00Z"}"#,
        )
        .unwrap();
        assert!(old.is_whole());
        assert!(!old.revoked);
        assert!(
            serde_json::to_value(delegation())
                .unwrap()
                .get("roles")
                .is_none()
        );
        assert_eq!(kinds::DELEGATION, "delegation");
    }

    #[test]
    fn reset_reasons_are_additive() {
        // An answer of a server that predates reset reasons still reads…
        let old: PullResponse =
            serde_json::from_str(r#"{"buckets":{},"resets":["user:a"],"last_applied_seq":0}"#)
                .unwrap();
        assert!(old.reset_reasons.is_empty());
        // …and an answer without resets carries no new key for older clients.
        let json = serde_json::to_value(&old).unwrap();
        assert!(json.get("reset_reasons").is_none());
        let mut new = old.clone();
        new.reset_reasons
            .insert("user:a".into(), reset_reasons::COMPACTED.into());
        let back: PullResponse =
            serde_json::from_value(serde_json::to_value(&new).unwrap()).unwrap();
        assert_eq!(back.reset_reasons["user:a"], "compacted");
        let e: SyncError =
            serde_json::from_str(r#"{"code":"BUCKET_RESET","message":"m","bucket":"b"}"#).unwrap();
        assert_eq!(e.reason, None);
    }

    #[test]
    fn an_old_pull_request_without_limit_gets_the_default() {
        let req: PullRequest = serde_json::from_str(
            r#"{"protocol":1,"schema_version":1,"client_id":"c","cursors":{"user:a":3}}"#,
        )
        .unwrap();
        assert_eq!(req.limit, 1000);
        assert_eq!(req.cursors["user:a"], 3);
    }
}

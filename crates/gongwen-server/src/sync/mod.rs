//! Offline-first sync, server side (SYNC.md; wire types in [`gongwen_protocol::sync`]).
//!
//! * `POST /v1/sync/push` ([`push`]): applies each client's command log exactly once
//!   and in order. Mutations are applied in *groups* of up to [`push::GROUP`] per
//!   transaction, which first locks the client's `sync_clients` row (`SELECT … FOR
//!   UPDATE`): a replay (`seq <= last_applied_seq`) answers the stored result, a gap
//!   answers 409 `SEQ_GAP` with the expected seq, and the next seqs are applied, each
//!   inside its own savepoint: authorization, the effect (the workflow state machine
//!   replayed with the server's clock, the draft compare-and-set, the 公文交换). At the
//!   end of the group one flush writes every applied mutation's bucket ops, audit
//!   records and stored result and the new `last_applied_seq` (multi-row statements,
//!   pipelined), and one commit makes the group durable: each mutation is still atomic
//!   with its bucket ops, audit records and stored result (all in, or all out). A
//!   business refusal is stored too and consumes the seq (its effect is rolled back to
//!   its savepoint first); a retryable failure (a blob not uploaded yet, a lock
//!   timeout, a deadlock) rolls back to its savepoint, consumes nothing and ends the
//!   batch after the mutations before it are committed. Every statement is prepared
//!   once per connection ([`sql`]), so the hot path costs one round trip per statement,
//!   and independent reads go out together. Ops queued on [`Applying::ops`] get their op
//!   ids at the flush; an effect that appends ops directly ([`buckets::append_op`],
//!   e.g. the 公文交换 in organ buckets) gets them at once, so within one bucket the two
//!   kinds must not carry ops of the same entity (they do not: within a push, user
//!   buckets are written through `Applying::ops`, organ buckets directly).
//! * `POST /v1/sync/pull` ([`pull`]): the buckets the caller may see, computed from the
//!   token, and a page of each after the client's cursor.
//!
//! # Buckets
//!
//! See [`buckets`]: `organ:{代字}` (the organ's directory and its 收文/回执 items) and
//! `user:{login}` (the drafts and flows of every document the user is a member of).
//! A client lists the buckets it holds in its pull cursors; the answer's
//! `added_buckets` are the ones it may now see and did not list, `removed_buckets`
//! the ones it listed and may no longer see (moved to another organ: `organ:{old}`;
//! another login's bucket), and `resets` the ones to drop and pull again from 0 (a
//! reset bucket has no page in that answer), with their reason in `reset_reasons`:
//! `cursor_ahead` (the cursor is past the server's last op: the server was restored
//! from a backup) or `compacted` (the cursor is older than the bucket's compaction
//! horizon, see [`compact`]). Losing access to one document (e.g.
//! a 撤回 withdrew the task that made someone a member) is a REMOVE op in the user's
//! bucket.
//!
//! # Entity data (`Op::data` of a PUT, by `Op::kind`)
//!
//! * `person` (in `organ:{代字}`, id = login): [`people::PersonData`]
//!   `{"id": login, "name": 显示名, "organ": 代字, "dept": 部门名 or "", "roles": [...]}`
//!   where `roles` are the titles of the positions the person holds (主要负责人,
//!   分管领导, 部门负责人, 办公室主任…), the route-template roles their server roles
//!   imply (办公室文书 → 文书, 核稿人 → 核稿人, 领导 → 领导班子成员) and the Chinese
//!   names of their server roles (拟稿人, 签发人, 收文员…). The client's `people` table
//!   takes it as is.
//! * `flow` (in `user:{login}`, id = flow id): [`flows::FlowData`], the columns of
//!   the client's `flows` table (migrations/client/0002_workflow.sql):
//!   `{"flow": <gongwen_domain::workflow::Flow JSON>, "document_id", "doc_version",
//!   "kind": "outgoing"|"incoming", "owner": login, "route_name", "status":
//!   "running"|"completed"|"terminated"|"sent_back", "title", "doc_type", "urgency"
//!   (特急/加急 or null), "from_organ", "current_step" ("审核（李四）" or the status
//!   label), "content_hash", "created_at", "updated_at" (UTC, `2026-03-02T01:00:00.000000Z`),
//!   "doc_number" (the 文号 text once 登记 allocated it, else absent)}`.
//! * `draft` (in `user:{login}`, id = draft id): [`gongwen_protocol::sync::DraftHead`],
//!   with the unresolved conflict copies.
//! * `incoming`, `receipt` (in `organ:{代字}`): written by [`crate::exchange`].
//!
//! Versions: every PUT carries the entity's server version (flows and drafts count
//! their changes from 1; a person's version counts its publications), so a client
//! applies a PUT only when it is newer than what it holds.
//!
//! # Mutation results (`MutationResult::result` of an applied mutation)
//!
//! * `draft.save.v1`: `{"conflict": false, "head": N}` (the save became version N), or
//!   `{"conflict": true, "head": N, "copy": id}` (kept as conflict copy `id`; the head
//!   stays N).
//! * `flow.start.v1` / `flow.act.v1`: `{"flow": id, "version": V, "status": …,
//!   "current_step": …}`, plus `"doc_number": AllocatedNumber` when the action
//!   completed a 登记 task (the 文号 is allocated in the same transaction), and
//!   `"delivery": Delivered` when it completed 核发 and the document went to other
//!   organs' 收文 inboxes ([`crate::exchange::deliver`], same transaction; the
//!   document is the draft's head on the server, sent to its 主送 and 抄送 unless the
//!   args carry `"dispatch": {"pdf": FileRef, "attachments": [FileRef], "recipients":
//!   [代字 or name]}`).
//! * `exchange.sign.v1`: the 回执 ([`gongwen_protocol::exchange::Receipt`]).
//!
//! Refusals carry the workflow's own codes (`NOT_YOUR_TASK`, `STALE_CONTENT`…), or
//! `ALREADY_HANDLED` with `detail` = [`gongwen_protocol::sync::AlreadyHandled`] when
//! someone else already decided the task (the same task, or the other lane of a 或签),
//! or `FLOW_NOT_FOUND`, `FLOW_EXISTS`, `ALREADY_SUBMITTED`, `FORBIDDEN`, `BAD_ARGS`,
//! `UNKNOWN_MUTATION`, `DUPLICATE_MUTATION_ID`.

pub mod buckets;
pub mod compact;
mod drafts;
mod exchange_hooks;
mod flows;
mod http;
mod members;
pub mod people;
mod push;
mod sql;

pub use flows::FlowData;
pub use http::{MAX_PAGE, routes, visible_buckets};
pub use push::{MAX_BATCH, MIN_PROTOCOL, MIN_SCHEMA_VERSION};

use gongwen_domain::audit::Entry;
use time::{OffsetDateTime, UtcOffset};

use crate::auth::Caller;
use crate::error::Error;
use buckets::NewOp;

/// China Standard Time: the offset of the times the server records (as the client).
pub(crate) const CST: UtcOffset = time::macros::offset!(+8);

/// A time as the client stores it in comparable columns: UTC, microseconds.
pub(crate) fn ts(t: OffsetDateTime) -> String {
    let u = t.to_offset(UtcOffset::UTC);
    format!(
        "{:04}-{:02}-{:02}T{:02}:{:02}:{:02}.{:06}Z",
        u.year(),
        u8::from(u.month()),
        u.day(),
        u.hour(),
        u.minute(),
        u.second(),
        u.microsecond()
    )
}

/// RFC 3339.
pub(crate) fn rfc3339(t: OffsetDateTime) -> String {
    t.format(&time::format_description::well_known::Rfc3339)
        .unwrap_or_default()
}

/// A business refusal of a mutation.
#[derive(Debug, Clone, PartialEq)]
pub struct Rejection {
    pub code: String,
    /// zh-CN, for the user.
    pub message: String,
    /// Nothing is consumed: push the same mutation again later.
    pub retryable: bool,
    pub detail: Option<serde_json::Value>,
}

impl Rejection {
    pub fn new(code: &str, message: impl Into<String>) -> Self {
        Self {
            code: code.to_owned(),
            message: message.into(),
            retryable: false,
            detail: None,
        }
    }
}

/// Why a mutation did not apply.
#[derive(Debug)]
pub enum Failure {
    Rejected(Rejection),
    /// The server failed: roll back (retryable if it is a lock or serialization
    /// conflict, see [`push`]).
    Internal(Error),
}

impl From<Error> for Failure {
    fn from(e: Error) -> Self {
        Failure::Internal(e)
    }
}

impl From<tokio_postgres::Error> for Failure {
    fn from(e: tokio_postgres::Error) -> Self {
        Failure::Internal(Error::Db(e))
    }
}

pub(crate) fn reject<T>(code: &str, message: impl Into<String>) -> Result<T, Failure> {
    Err(Failure::Rejected(Rejection::new(code, message)))
}

/// What one mutation being applied has access to and produces.
pub(crate) struct Applying<'a> {
    pub caller: &'a Caller,
    /// The mutation's id (UUIDv7): the audit records' ids derive from it.
    pub mutation_id: &'a str,
    /// The server's clock, in CST: the time of every effect.
    pub now: OffsetDateTime,
    /// Bucket ops to append (in bucket order) before the audit records.
    pub ops: Vec<NewOp>,
    pub audit: Vec<Entry>,
}

impl Applying<'_> {
    /// An audit entry of this mutation, numbered after the ones already queued.
    pub fn audit(&mut self, action: &str, subject: &str, detail: serde_json::Value) {
        let n = self.audit.len() + 1;
        self.audit.push(Entry {
            id: format!("{}/{n}", self.mutation_id),
            time: self.now,
            actor: self.caller.login.clone(),
            on_behalf_of: None,
            action: action.to_owned(),
            subject: subject.to_owned(),
            detail_json: detail.to_string(),
        });
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ts_matches_the_client_format() {
        let t = time::macros::datetime!(2026-03-02 09:00:00.5 +08:00);
        assert_eq!(ts(t), "2026-03-02T01:00:00.500000Z");
    }
}

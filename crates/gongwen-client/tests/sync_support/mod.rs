//! An in-process fake of the central server implementing the sync contract faithfully
//! (per-client `last_applied_seq` and stored results, contiguous seqs, SEQ_GAP,
//! CLIENT_UNKNOWN, buckets of ops with additive checksums, added/removed buckets,
//! resets, tus-style blobs), and a transport over it that injects faults: dropped
//! requests, dropped responses, duplicated and reordered (late) requests, and crash
//! points.
#![allow(dead_code)]
// The fake answers with the wire error type itself, as the real server does.
#![allow(clippy::result_large_err)]

use std::collections::{BTreeMap, BTreeSet, HashMap, HashSet};
use std::sync::atomic::{AtomicI64, Ordering};
use std::sync::{Arc, Mutex};

use gongwen_client::Client;
use gongwen_client::api::OpenOptions;
use gongwen_client::flow::Person;
use gongwen_client::key::{Key, StaticKey};
use gongwen_client::sync::{BlobRange, Transport, TransportError, TransportResult};
use gongwen_domain::workflow::{
    self, Action, Command, ContentHash, Context, Flow, FlowId, FlowKind, PersonId, Route, TaskState,
};
use gongwen_protocol::exchange::{Incoming, ItemState, PersonRef, Receipt};
use gongwen_protocol::sync::ExchangeSign;
use gongwen_protocol::sync::{
    AlreadyHandled, BlobAnnounce, BlobStatus, BlobUpload, BucketPage, ConflictCopy, DraftHead,
    DraftSave, MutationResult, MutationStatus, Op, OpKind, PullRequest, PullResponse, PushRequest,
    PushResponse, SyncError, bucket_checksum, codes, format_checksum, kinds, mutations,
};
use gongwen_protocol::{Health, PROTOCOL_VERSION};
use serde::Deserialize;
use sha2::{Digest, Sha256};
use time::OffsetDateTime;

pub const ORGAN: &str = "鹤山市人民政府办公室";

/// The directory every test uses: (login, name, dept, roles).
pub const PEOPLE: &[(&str, &str, &str, &[&str])] = &[
    ("zhang", "张三", "综合股", &[]),
    ("li", "李四", "办公室", &["部门负责人"]),
    ("wang", "王五", "办公室", &["办公室主任"]),
    ("zhao", "赵六", "领导", &["分管领导", "领导班子成员"]),
    ("qian", "钱七", "办公室", &["核稿人"]),
    ("sun", "孙八", "办公室", &["文书"]),
    ("zhou", "周九", "文印室", &["文印"]),
    ("wu", "吴十", "领导", &["主要负责人", "领导班子成员"]),
];

fn wire(code: &str) -> SyncError {
    SyncError {
        code: code.into(),
        message: code.into(),
        expected_seq: None,
        min_protocol: None,
        min_schema_version: None,
        bucket: None,
        reason: None,
    }
}

#[derive(Debug, Default)]
struct ClientState {
    login: String,
    last_applied: i64,
    results: BTreeMap<i64, MutationResult>,
}

#[derive(Debug, Clone)]
pub struct FlowRec {
    pub flow: Flow,
    pub document_id: String,
    pub doc_version: Option<i64>,
    pub title: String,
    pub version: i64,
    /// The 文号 once 登记 allocated it.
    pub doc_number: Option<String>,
}

#[derive(Debug, Clone)]
pub struct DraftRec {
    pub author: String,
    pub head: DraftHead,
    pub version: i64,
}

/// One mutation the server consumed: what the invariants are checked against.
#[derive(Debug, Clone, PartialEq)]
pub struct Applied {
    pub client_id: String,
    pub seq: i64,
    pub id: String,
    pub name: String,
    pub applied: bool,
    pub code: Option<String>,
}

#[derive(Debug, Default)]
pub struct ServerState {
    clients: HashMap<String, ClientState>,
    /// Client ids the server "lost" (answers CLIENT_UNKNOWN).
    forgotten: HashSet<String>,
    pub log: Vec<Applied>,
    pub buckets: BTreeMap<String, Vec<Op>>,
    next_op: i64,
    next_version: i64,
    pub flows: BTreeMap<String, FlowRec>,
    pub drafts: BTreeMap<String, DraftRec>,
    access: HashMap<String, BTreeSet<String>>,
    /// Buckets to reset for a login on its next pull.
    resets: HashMap<String, BTreeSet<String>>,
    pub blobs: HashMap<String, Vec<u8>>,
    uploads: HashMap<String, (String, u64, Vec<u8>)>,
    clock: i64,
    names: BTreeMap<PersonId, String>,
    /// 公文交换: incoming items by id, with the recipient's and the sender's bucket.
    pub incoming: BTreeMap<String, (String, String, Incoming)>,
}

/// The fake server.
#[derive(Debug, Clone)]
pub struct FakeServer(pub Arc<Mutex<ServerState>>);

impl FakeServer {
    pub fn new() -> FakeServer {
        let mut s = ServerState {
            clock: 1_772_413_200,
            ..Default::default()
        };
        for (login, name, dept, roles) in PEOPLE {
            s.names.insert(PersonId::from(*login), (*name).to_owned());
            s.access.insert(
                (*login).to_owned(),
                ["org".to_owned(), format!("user:{login}")].into(),
            );
            let data = serde_json::json!({
                "id": login, "name": name, "organ": ORGAN, "dept": dept, "roles": roles,
            });
            s.emit("org", kinds::PERSON, login, Some(data));
        }
        FakeServer(Arc::new(Mutex::new(s)))
    }

    pub fn state(&self) -> std::sync::MutexGuard<'_, ServerState> {
        self.0.lock().unwrap()
    }

    /// The server loses what it knew of a client (answers CLIENT_UNKNOWN).
    pub fn forget_client(&self, client_id: &str) {
        let mut s = self.state();
        s.clients.remove(client_id);
        s.forgotten.insert(client_id.to_owned());
    }

    /// `login` may no longer see `bucket`.
    pub fn revoke(&self, login: &str, bucket: &str) {
        self.state().access.get_mut(login).map(|a| a.remove(bucket));
    }

    pub fn grant(&self, login: &str, bucket: &str) {
        self.state()
            .access
            .entry(login.to_owned())
            .or_default()
            .insert(bucket.to_owned());
    }

    /// The next pull of `login` resets `bucket`.
    pub fn reset(&self, login: &str, bucket: &str) {
        self.state()
            .resets
            .entry(login.to_owned())
            .or_default()
            .insert(bucket.to_owned());
    }

    /// The checksum of a bucket as the server has it.
    pub fn checksum(&self, bucket: &str) -> String {
        let s = self.state();
        format_checksum(bucket_checksum(
            0,
            s.buckets.get(bucket).into_iter().flatten(),
        ))
    }

    pub fn buckets_of(&self, login: &str) -> BTreeSet<String> {
        self.state().access.get(login).cloned().unwrap_or_default()
    }

    pub fn last_applied(&self, client_id: &str) -> i64 {
        self.state()
            .clients
            .get(client_id)
            .map_or(0, |c| c.last_applied)
    }

    pub fn pull(&self, login: &str, req: &PullRequest) -> Result<PullResponse, SyncError> {
        let mut s = self.state();
        let visible = s.access.get(login).cloned().unwrap_or_default();
        let resets: Vec<String> = s
            .resets
            .remove(login)
            .unwrap_or_default()
            .into_iter()
            .filter(|b| req.cursors.contains_key(b))
            .collect();
        let mut resp = PullResponse {
            buckets: BTreeMap::new(),
            added_buckets: vec![],
            removed_buckets: vec![],
            resets: resets.clone(),
            reset_reasons: BTreeMap::new(),
            last_applied_seq: s.clients.get(&req.client_id).map_or(0, |c| c.last_applied),
        };
        for b in req.cursors.keys() {
            if !visible.contains(b) {
                resp.removed_buckets.push(b.clone());
            }
        }
        let limit = req.limit.clamp(1, 1000) as usize;
        for b in &visible {
            let cursor = if resets.contains(b) {
                0
            } else {
                match req.cursors.get(b) {
                    Some(c) => *c,
                    None => {
                        resp.added_buckets.push(b.clone());
                        0
                    }
                }
            };
            let all = s.buckets.entry(b.clone()).or_default();
            let after: Vec<Op> = all.iter().filter(|o| o.op_id > cursor).cloned().collect();
            let has_more = after.len() > limit;
            let ops: Vec<Op> = after.into_iter().take(limit).collect();
            let next = ops.last().map_or(cursor, |o| o.op_id);
            let sum = bucket_checksum(0, all.iter().filter(|o| o.op_id <= next));
            resp.buckets.insert(
                b.clone(),
                BucketPage {
                    ops,
                    next,
                    has_more,
                    checksum: format_checksum(sum),
                },
            );
        }
        Ok(resp)
    }

    pub fn push(&self, login: &str, req: &PushRequest) -> Result<PushResponse, SyncError> {
        let mut s = self.state();
        if s.forgotten.contains(&req.client_id) {
            return Err(wire(codes::CLIENT_UNKNOWN));
        }
        let st = s
            .clients
            .entry(req.client_id.clone())
            .or_insert_with(|| ClientState {
                login: login.to_owned(),
                ..Default::default()
            });
        let mut last = st.last_applied;
        if let Some(first) = req.mutations.first()
            && first.seq > last + 1
        {
            let mut e = wire(codes::SEQ_GAP);
            e.expected_seq = Some(last + 1);
            return Err(e);
        }
        let mut results = Vec::new();
        for m in &req.mutations {
            let stored = s.clients[&req.client_id].results.get(&m.seq).cloned();
            if m.seq <= last {
                if let Some(r) = stored {
                    results.push(r);
                }
                continue;
            }
            if m.seq != last + 1 {
                break;
            }
            let missing = m
                .blob_deps
                .iter()
                .any(|d| !s.blobs.contains_key(d.strip_prefix("sha256:").unwrap_or(d)));
            let outcome = if missing {
                Err((
                    codes::BLOB_MISSING.to_owned(),
                    "附件尚未上传".to_owned(),
                    None,
                    true,
                ))
            } else {
                s.clock += 60;
                s.apply(login, &m.name, &m.args)
            };
            let result = match outcome {
                Ok(result) => MutationResult {
                    seq: m.seq,
                    status: MutationStatus::Applied,
                    code: None,
                    message: None,
                    retryable: false,
                    detail: None,
                    result,
                    server_time: None,
                },
                Err((code, message, detail, retryable)) => MutationResult {
                    seq: m.seq,
                    status: MutationStatus::Rejected,
                    code: Some(code),
                    message: Some(message),
                    retryable,
                    detail,
                    result: None,
                    server_time: None,
                },
            };
            if result.retryable {
                results.push(result);
                break;
            }
            if s.log.iter().any(|a| a.id == m.id) {
                panic!("UNIQUE(id) violated: mutation {} applied twice", m.id);
            }
            s.log.push(Applied {
                client_id: req.client_id.clone(),
                seq: m.seq,
                id: m.id.clone(),
                name: m.name.clone(),
                applied: result.status == MutationStatus::Applied,
                code: result.code.clone(),
            });
            let st = s.clients.get_mut(&req.client_id).unwrap();
            st.results.insert(m.seq, result.clone());
            st.last_applied = m.seq;
            last = m.seq;
            results.push(result);
        }
        Ok(PushResponse {
            results,
            last_applied_seq: last,
        })
    }

    pub fn announce(&self, req: &BlobAnnounce) -> BlobUpload {
        let mut s = self.state();
        let hash = req.id.trim_start_matches("sha256:").to_owned();
        if s.blobs.contains_key(&hash) {
            return BlobUpload {
                status: BlobStatus::Present,
                upload_url: None,
                offset: req.size,
            };
        }
        let existing = s
            .uploads
            .iter()
            .find(|(_, u)| u.0 == hash)
            .map(|(k, u)| (k.clone(), u.2.len() as u64));
        let (id, offset) = existing.unwrap_or_else(|| {
            let id = format!("U{}", s.uploads.len() + 1);
            s.uploads
                .insert(id.clone(), (hash.clone(), req.size, Vec::new()));
            (id, 0)
        });
        BlobUpload {
            status: BlobStatus::Upload,
            upload_url: Some(format!("/v1/blobs/uploads/{id}")),
            offset,
        }
    }

    pub fn upload_offset(&self, url: &str) -> Result<u64, SyncError> {
        let s = self.state();
        let id = url.rsplit('/').next().unwrap_or_default();
        s.uploads
            .get(id)
            .map(|u| u.2.len() as u64)
            .ok_or_else(|| wire("NOT_FOUND"))
    }

    pub fn patch(&self, url: &str, offset: u64, chunk: &[u8]) -> Result<u64, SyncError> {
        let mut s = self.state();
        let id = url.rsplit('/').next().unwrap_or_default().to_owned();
        let Some(u) = s.uploads.get_mut(&id) else {
            return Err(wire("NOT_FOUND"));
        };
        if offset != u.2.len() as u64 {
            return Err(wire(codes::OFFSET_MISMATCH));
        }
        u.2.extend_from_slice(chunk);
        let now = u.2.len() as u64;
        if now >= u.1 {
            let (hash, _, bytes) = s.uploads.remove(&id).unwrap();
            if hex::encode(Sha256::digest(&bytes)) != hash {
                return Err(wire(codes::BLOB_HASH_MISMATCH));
            }
            s.blobs.insert(hash, bytes);
        }
        Ok(now)
    }

    pub fn get_blob(&self, id: &str, from: u64, len: u64) -> Result<BlobRange, SyncError> {
        let s = self.state();
        let hash = id.trim_start_matches("sha256:");
        let bytes = s.blobs.get(hash).ok_or_else(|| wire("NOT_FOUND"))?;
        let from = from.min(bytes.len() as u64) as usize;
        let to = (from + len as usize).min(bytes.len());
        Ok(BlobRange {
            bytes: bytes[from..to].to_vec(),
            total: bytes.len() as u64,
        })
    }

    /// Puts a blob on the server directly (another client's upload).
    pub fn put_blob(&self, bytes: &[u8]) -> String {
        let hash = hex::encode(Sha256::digest(bytes));
        self.state().blobs.insert(hash.clone(), bytes.to_vec());
        hash
    }

    /// 公文交换: another organ's document arrives in `bucket` (the recipient organ's);
    /// the 回执 of its 签收 goes to `sender_bucket`.
    pub fn deliver(&self, bucket: &str, sender_bucket: &str, item: Incoming) {
        let mut s = self.state();
        let data = serde_json::to_value(&item).unwrap();
        s.emit(bucket, kinds::INCOMING, &item.id, Some(data));
        s.incoming.insert(
            item.id.clone(),
            (bucket.to_owned(), sender_bucket.to_owned(), item),
        );
    }

    /// The sender withdraws an item: it leaves the recipient's bucket.
    pub fn withdraw_incoming(&self, id: &str) {
        let mut s = self.state();
        if let Some((bucket, _, _)) = s.incoming.remove(id) {
            s.emit(&bucket, kinds::INCOMING, id, None);
        }
    }

    /// Creates a draft directly on the server (another organ's document).
    /// 登记 as the real server does it: the flow gets its 文号 and is published again.
    pub fn number(&self, flow: &str, doc_number: &str) {
        let mut s = self.state();
        s.flows.get_mut(flow).expect("a known flow").doc_number = Some(doc_number.to_owned());
        s.publish_flow(flow);
    }

    pub fn put_draft(&self, author: &str, draft_id: &str, document: serde_json::Value) {
        let mut s = self.state();
        let hash = format!(
            "sha256:{}",
            hex::encode(Sha256::digest(document.to_string()))
        );
        s.drafts.insert(
            draft_id.to_owned(),
            DraftRec {
                author: author.to_owned(),
                head: DraftHead {
                    draft_id: draft_id.to_owned(),
                    head_version: 1,
                    document,
                    content_hash: hash,
                    conflicts: vec![],
                },
                version: 0,
            },
        );
        s.publish_draft(draft_id);
    }
}

#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase")]
struct StartArgs {
    flow: String,
    kind: FlowKind,
    owner: PersonId,
    document_id: String,
    doc_version: Option<i64>,
    title: String,
    content_hash: ContentHash,
    route: Route,
}

#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase")]
struct ActArgs {
    flow: String,
    command: Command,
}

type Refusal = (String, String, Option<serde_json::Value>, bool);

fn terminal(code: &str, message: String) -> Refusal {
    (code.to_owned(), message, None, false)
}

impl ServerState {
    fn now(&self) -> OffsetDateTime {
        OffsetDateTime::from_unix_timestamp(self.clock).unwrap()
    }

    fn emit(&mut self, bucket: &str, kind: &str, id: &str, data: Option<serde_json::Value>) {
        self.next_op += 1;
        self.next_version += 1;
        let op = Op {
            op_id: self.next_op,
            op: if data.is_some() {
                OpKind::Put
            } else {
                OpKind::Remove
            },
            kind: kind.to_owned(),
            id: id.to_owned(),
            version: self.next_version,
            // As the server sends it: JSON text.
            data: data.map(|d| serde_json::value::to_raw_value(&d).expect("JSON")),
        };
        self.buckets.entry(bucket.to_owned()).or_default().push(op);
    }

    fn participants(&self, document_id: &str) -> BTreeSet<String> {
        let mut out = BTreeSet::new();
        for f in self.flows.values().filter(|f| f.document_id == document_id) {
            out.insert(f.flow.owner.0.clone());
            for t in &f.flow.tasks {
                out.insert(t.assignee.0.clone());
            }
        }
        out
    }

    fn publish_flow(&mut self, id: &str) {
        let f = self.flows[id].clone();
        let mut data = serde_json::json!({
            "flow": f.flow,
            "document_id": f.document_id,
            "doc_version": f.doc_version,
            "title": f.title,
        });
        if let Some(number) = &f.doc_number {
            data["doc_number"] = number.clone().into();
        }
        let people = self.participants(&f.document_id);
        for p in &people {
            self.emit(&format!("user:{p}"), kinds::FLOW, id, Some(data.clone()));
        }
        self.publish_draft(&f.document_id);
    }

    fn publish_draft(&mut self, id: &str) {
        let Some(d) = self.drafts.get(id).cloned() else {
            return;
        };
        let data = serde_json::to_value(&d.head).unwrap();
        let mut people = self.participants(id);
        people.insert(d.author.clone());
        for p in &people {
            self.emit(&format!("user:{p}"), kinds::DRAFT, id, Some(data.clone()));
        }
    }

    fn apply(
        &mut self,
        login: &str,
        name: &str,
        args: &serde_json::Value,
    ) -> Result<Option<serde_json::Value>, Refusal> {
        let names = self.names.clone();
        let now = self.now();
        match name {
            mutations::FLOW_START => {
                let a: StartArgs = serde_json::from_value(args.clone())
                    .map_err(|e| terminal(codes::BAD_ARGS, e.to_string()))?;
                if a.owner.as_str() != login {
                    return Err(terminal(codes::FORBIDDEN, "只能以本人身份送审".into()));
                }
                if self.flows.contains_key(&a.flow) {
                    return Err(terminal("FLOW_EXISTS", "流程已存在".into()));
                }
                if self.flows.values().any(|f| {
                    f.document_id == a.document_id
                        && matches!(f.flow.status, workflow::FlowStatus::Running { .. })
                }) {
                    return Err(terminal("ALREADY_SUBMITTED", "该公文已在办理中".into()));
                }
                let ctx = Context::new(now, &names);
                let (flow, _) = workflow::start(
                    FlowId::new(a.flow.clone()),
                    a.kind,
                    a.owner,
                    a.route,
                    a.content_hash,
                    &ctx,
                )
                .map_err(|e| terminal(e.code(), e.to_string()))?;
                self.flows.insert(
                    a.flow.clone(),
                    FlowRec {
                        flow,
                        document_id: a.document_id,
                        doc_version: a.doc_version,
                        title: a.title,
                        version: 0,
                        doc_number: None,
                    },
                );
                self.publish_flow(&a.flow);
                Ok(None)
            }
            mutations::FLOW_ACT => {
                let a: ActArgs = serde_json::from_value(args.clone())
                    .map_err(|e| terminal(codes::BAD_ARGS, e.to_string()))?;
                if a.command.actor.as_str() != login {
                    return Err(terminal(codes::FORBIDDEN, "只能以本人身份办理".into()));
                }
                let Some(rec) = self.flows.get(&a.flow) else {
                    return Err(terminal("FLOW_NOT_FOUND", "流程不存在".into()));
                };
                let ctx = Context::new(now, &names);
                match workflow::apply(&rec.flow, &a.command, &ctx) {
                    Ok((next, _)) => {
                        self.flows.get_mut(&a.flow).unwrap().flow = next;
                        self.publish_flow(&a.flow);
                        Ok(None)
                    }
                    Err(e) => {
                        let task = match &a.command.action {
                            Action::Approve { task, .. }
                            | Action::MarkRead { task, .. }
                            | Action::Return { task, .. } => rec.flow.task(task),
                            _ => None,
                        };
                        if let Some(t) = task
                            && let Some(acted) = &t.acted
                            && !matches!(t.state, TaskState::Open | TaskState::Waiting)
                        {
                            let detail = AlreadyHandled {
                                by: names
                                    .get(&acted.actor)
                                    .cloned()
                                    .unwrap_or_else(|| acted.actor.0.clone()),
                                at: acted
                                    .at
                                    .format(&time::format_description::well_known::Rfc3339)
                                    .unwrap(),
                                action: "处理".into(),
                            };
                            return Err((
                                codes::ALREADY_HANDLED.into(),
                                e.to_string(),
                                Some(serde_json::to_value(detail).unwrap()),
                                false,
                            ));
                        }
                        Err(terminal(e.code(), e.to_string()))
                    }
                }
            }
            mutations::DRAFT_SAVE => {
                let a: DraftSave = serde_json::from_value(args.clone())
                    .map_err(|e| terminal(codes::BAD_ARGS, e.to_string()))?;
                let result;
                match self.drafts.get_mut(&a.draft_id) {
                    None => {
                        self.drafts.insert(
                            a.draft_id.clone(),
                            DraftRec {
                                author: login.to_owned(),
                                head: DraftHead {
                                    draft_id: a.draft_id.clone(),
                                    head_version: a.version,
                                    document: a.document,
                                    content_hash: a.content_hash,
                                    conflicts: vec![],
                                },
                                version: 0,
                            },
                        );
                        result = serde_json::json!({"conflict": false, "head": a.version});
                    }
                    Some(d) => {
                        if d.author != login && !self_participates(&self.flows, &a.draft_id, login)
                        {
                            return Err(terminal(codes::FORBIDDEN, "无权修改该草稿".into()));
                        }
                        let d = self.drafts.get_mut(&a.draft_id).unwrap();
                        if d.head.content_hash == a.content_hash {
                            // The head's text again (a retried save, or 保留当前版本
                            // carrying `resolves`): no new version.
                            result =
                                serde_json::json!({"conflict": false, "head": d.head.head_version});
                        } else if a.base_version == Some(d.head.head_version) {
                            d.head.head_version += 1;
                            d.head.document = a.document;
                            d.head.content_hash = a.content_hash;
                            result =
                                serde_json::json!({"conflict": false, "head": d.head.head_version});
                        } else {
                            let n = d.head.conflicts.len() + 1;
                            d.head.conflicts.push(ConflictCopy {
                                id: format!("{}-c{n}", a.draft_id),
                                base_version: a.base_version,
                                author: login.to_owned(),
                                saved_at: now
                                    .format(&time::format_description::well_known::Rfc3339)
                                    .unwrap(),
                                document: a.document,
                            });
                            result =
                                serde_json::json!({"conflict": true, "head": d.head.head_version});
                        }
                    }
                }
                // The copies this save resolves stop being listed (as on the server).
                let resolves: Vec<String> = args
                    .get(gongwen_protocol::sync::DRAFT_SAVE_RESOLVES)
                    .and_then(|v| serde_json::from_value(v.clone()).ok())
                    .unwrap_or_default();
                if let Some(d) = self.drafts.get_mut(&a.draft_id) {
                    d.head.conflicts.retain(|c| !resolves.contains(&c.id));
                }
                self.publish_draft(&a.draft_id);
                Ok(Some(result))
            }
            mutations::EXCHANGE_SIGN => {
                let a: ExchangeSign = serde_json::from_value(args.clone())
                    .map_err(|e| terminal(codes::BAD_ARGS, e.to_string()))?;
                let clerk = PEOPLE
                    .iter()
                    .any(|(l, _, _, roles)| *l == login && roles.contains(&"文书"));
                if !clerk {
                    return Err(terminal(
                        codes::FORBIDDEN,
                        "只有收文员（文书）可以签收来文".into(),
                    ));
                }
                let Some((bucket, sender, mut item)) = self.incoming.get(&a.incoming_id).cloned()
                else {
                    return Err(terminal("NOT_FOUND", "找不到该来文：它已被收回".into()));
                };
                let at = now
                    .format(&time::format_description::well_known::Rfc3339)
                    .unwrap();
                if item.state != ItemState::Signed {
                    item.state = ItemState::Signed;
                    item.signed_by = Some(PersonRef {
                        login: login.to_owned(),
                        display_name: names
                            .get(&PersonId::from(login))
                            .cloned()
                            .unwrap_or_default(),
                    });
                    item.signed_at = Some(at);
                    let receipt = Receipt {
                        id: format!("r-{}", item.id),
                        incoming_id: item.id.clone(),
                        exchange_id: item.exchange_id.clone(),
                        document_id: item.document_id.clone(),
                        title: item.title.clone(),
                        doc_number: item.doc_number.clone(),
                        recipient: item.to.clone(),
                        signed_by: item.signed_by.clone().unwrap(),
                        signed_at: item.signed_at.clone().unwrap(),
                    };
                    let data = serde_json::to_value(&item).unwrap();
                    self.emit(&bucket, kinds::INCOMING, &item.id, Some(data));
                    self.emit(
                        &sender,
                        kinds::RECEIPT,
                        &item.id,
                        Some(serde_json::to_value(&receipt).unwrap()),
                    );
                    self.incoming
                        .insert(item.id.clone(), (bucket, sender, item.clone()));
                }
                Ok(Some(serde_json::json!({"incoming_id": item.id})))
            }
            other => Err(terminal(
                codes::UNKNOWN_MUTATION,
                format!("未知操作 {other}"),
            )),
        }
    }
}

fn self_participates(flows: &BTreeMap<String, FlowRec>, doc: &str, login: &str) -> bool {
    flows.values().filter(|f| f.document_id == doc).any(|f| {
        f.flow.owner.as_str() == login || f.flow.tasks.iter().any(|t| t.assignee.as_str() == login)
    })
}

/// Faults the transport injects, decided by a seeded generator.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Fault {
    None,
    /// The request never reaches the server.
    DropRequest,
    /// The server handles it; the answer is lost.
    DropResponse,
    /// The server handles it twice.
    Duplicate,
    /// The request is held back and delivered to the server later (after another one).
    Delay,
    /// The server answers 503.
    Unavailable,
    /// The server's answer is garbage.
    Garbage,
}

/// A small deterministic generator (xorshift64*).
#[derive(Debug, Clone)]
pub struct Rng(pub u64);

impl Rng {
    pub fn new(seed: u64) -> Rng {
        Rng(seed.wrapping_mul(0x9E37_79B9_7F4A_7C15) | 1)
    }
    pub fn next(&mut self) -> u64 {
        let mut x = self.0;
        x ^= x >> 12;
        x ^= x << 25;
        x ^= x >> 27;
        self.0 = x;
        x.wrapping_mul(0x2545_F491_4F6C_DD1D)
    }
    pub fn below(&mut self, n: u64) -> u64 {
        self.next() % n.max(1)
    }
    pub fn chance(&mut self, percent: u64) -> bool {
        self.below(100) < percent
    }
}

enum Held {
    Push(PushRequest),
    Pull(PullRequest),
}

/// A transport to the fake server as `login`, with faults.
pub struct FakeTransport {
    pub server: FakeServer,
    pub login: String,
    rng: Mutex<Rng>,
    /// Percent of requests that get a fault (0: none).
    pub fault_rate: AtomicI64,
    held: Mutex<Vec<Held>>,
    /// Count of requests; `crash_at` makes that request fail after delivery.
    calls: AtomicI64,
    pub crash_at: AtomicI64,
    pub offline: std::sync::atomic::AtomicBool,
}

impl FakeTransport {
    pub fn new(server: &FakeServer, login: &str, seed: u64, fault_rate: i64) -> FakeTransport {
        FakeTransport {
            server: server.clone(),
            login: login.to_owned(),
            rng: Mutex::new(Rng::new(seed)),
            fault_rate: AtomicI64::new(fault_rate),
            held: Mutex::new(Vec::new()),
            calls: AtomicI64::new(0),
            crash_at: AtomicI64::new(-1),
            offline: std::sync::atomic::AtomicBool::new(false),
        }
    }

    pub fn set_faults(&self, rate: i64) {
        self.fault_rate.store(rate, Ordering::SeqCst);
    }

    /// Delivers every held-back request now (a late duplicate reaching the server).
    pub fn flush_held(&self) {
        let held: Vec<Held> = std::mem::take(&mut *self.held.lock().unwrap());
        for h in held {
            match h {
                Held::Push(r) => {
                    let _ = self.server.push(&self.login, &r);
                }
                Held::Pull(r) => {
                    let _ = self.server.pull(&self.login, &r);
                }
            }
        }
    }

    fn fault(&self) -> Fault {
        let rate = self.fault_rate.load(Ordering::SeqCst);
        let mut rng = self.rng.lock().unwrap();
        if rate <= 0 || !rng.chance(rate as u64) {
            return Fault::None;
        }
        match rng.below(6) {
            0 => Fault::DropRequest,
            1 => Fault::DropResponse,
            2 => Fault::Duplicate,
            3 => Fault::Delay,
            4 => Fault::Unavailable,
            _ => Fault::Garbage,
        }
    }

    fn gate(&self) -> TransportResult<()> {
        if self.offline.load(Ordering::SeqCst) {
            return Err(TransportError::Offline("网络不可用（测试）".into()));
        }
        Ok(())
    }

    /// Requests handled so far (crash points count from here).
    pub fn calls(&self) -> i64 {
        self.calls.load(Ordering::SeqCst)
    }

    fn crashed(&self) -> bool {
        let n = self.calls.fetch_add(1, Ordering::SeqCst);
        n == self.crash_at.load(Ordering::SeqCst)
    }
}

fn conflict(e: SyncError) -> TransportError {
    TransportError::Conflict(Box::new(e))
}

impl Transport for FakeTransport {
    async fn health(&self) -> TransportResult<Health> {
        self.gate()?;
        Ok(Health {
            status: "ok".into(),
            version: "test".into(),
            protocol: PROTOCOL_VERSION,
            database: "ok".into(),
            schema_version: 4,
        })
    }

    async fn push(&self, req: &PushRequest) -> TransportResult<PushResponse> {
        self.gate()?;
        let fault = self.fault();
        // Held-back requests arrive at the server before this one, now and then.
        if fault == Fault::None && !self.held.lock().unwrap().is_empty() {
            self.flush_held();
        }
        match fault {
            Fault::DropRequest => return Err(TransportError::Offline("请求丢失（测试）".into())),
            Fault::Unavailable => {
                return Err(TransportError::Unavailable {
                    status: 503,
                    retry_after: None,
                });
            }
            Fault::Delay => {
                self.held.lock().unwrap().push(Held::Push(req.clone()));
                return Err(TransportError::Offline("超时（测试）".into()));
            }
            _ => {}
        }
        let answer = self.server.push(&self.login, req);
        if fault == Fault::Duplicate {
            let _ = self.server.push(&self.login, req);
        }
        if self.crashed() {
            return Err(TransportError::Offline("客户端崩溃（测试）".into()));
        }
        match fault {
            Fault::DropResponse => Err(TransportError::Offline("应答丢失（测试）".into())),
            Fault::Garbage => Err(TransportError::BadResponse("乱码（测试）".into())),
            _ => answer.map_err(conflict),
        }
    }

    async fn pull(&self, req: &PullRequest) -> TransportResult<PullResponse> {
        self.gate()?;
        let fault = self.fault();
        match fault {
            Fault::DropRequest | Fault::Delay => {
                return Err(TransportError::Offline("请求丢失（测试）".into()));
            }
            Fault::Unavailable => {
                return Err(TransportError::Unavailable {
                    status: 503,
                    retry_after: None,
                });
            }
            _ => {}
        }
        let mut answer = self.server.pull(&self.login, req).map_err(conflict)?;
        if self.crashed() {
            return Err(TransportError::Offline("客户端崩溃（测试）".into()));
        }
        match fault {
            Fault::DropResponse => Err(TransportError::Offline("应答丢失（测试）".into())),
            Fault::Garbage => {
                // A page whose checksum is wrong: the client must notice and re-pull.
                if let Some(page) = answer.buckets.values_mut().find(|p| !p.ops.is_empty()) {
                    page.checksum = "deadbeef".into();
                    Ok(answer)
                } else {
                    Err(TransportError::BadResponse("乱码（测试）".into()))
                }
            }
            Fault::Duplicate => {
                // The same answer twice: applying the first must make the second a no-op.
                Ok(answer)
            }
            _ => Ok(answer),
        }
    }

    async fn blob_announce(&self, req: &BlobAnnounce) -> TransportResult<BlobUpload> {
        self.gate()?;
        Ok(self.server.announce(req))
    }

    async fn blob_offset(&self, url: &str) -> TransportResult<u64> {
        self.gate()?;
        self.server.upload_offset(url).map_err(conflict)
    }

    async fn blob_patch(&self, url: &str, offset: u64, chunk: Vec<u8>) -> TransportResult<u64> {
        self.gate()?;
        let fault = self.fault();
        if fault == Fault::DropRequest {
            return Err(TransportError::Offline("请求丢失（测试）".into()));
        }
        // A cut connection: the server keeps half of the chunk.
        let chunk = if fault == Fault::DropResponse {
            chunk[..chunk.len() / 2].to_vec()
        } else {
            chunk
        };
        let r = self.server.patch(url, offset, &chunk).map_err(conflict);
        if fault == Fault::DropResponse {
            return Err(TransportError::Offline("连接中断（测试）".into()));
        }
        r
    }

    async fn blob_get(&self, id: &str, from: u64, len: u64) -> TransportResult<BlobRange> {
        self.gate()?;
        let fault = self.fault();
        if fault == Fault::DropResponse {
            return Err(TransportError::Offline("连接中断（测试）".into()));
        }
        // Short reads: a range answer may be smaller than asked.
        let len = if fault == Fault::None {
            len
        } else {
            len.min(3)
        };
        self.server.get_blob(id, from, len).map_err(conflict)
    }
}

/// A settable clock shared by a client (seconds since the epoch).
#[derive(Clone)]
pub struct Clock(pub Arc<AtomicI64>);

impl Clock {
    pub fn new(skew_days: i64) -> Clock {
        Clock(Arc::new(AtomicI64::new(1_772_413_200 + skew_days * 86_400)))
    }
    pub fn tick(&self) {
        self.0.fetch_add(61, Ordering::SeqCst);
    }
    pub fn func(&self) -> gongwen_client::api::Clock {
        let c = self.0.clone();
        Arc::new(move || OffsetDateTime::from_unix_timestamp(c.load(Ordering::SeqCst)).unwrap())
    }
}

/// Opens (or reopens) the store of `login` in `dir`.
pub fn open_client(dir: &std::path::Path, login: &str, clock: &Clock) -> Client {
    OpenOptions::new(dir)
        .create(true)
        .keys(Arc::new(StaticKey(Key::from_bytes([42; 32]))))
        .user(login)
        .clock(clock.func())
        .open()
        .unwrap()
}

/// Seeds the local directory by hand (as before the first sync).
pub fn seed_people(client: &Client) {
    for (login, name, dept, roles) in PEOPLE {
        client
            .add_person(&Person {
                id: (*login).into(),
                name: (*name).into(),
                organ: ORGAN.into(),
                dept: (*dept).into(),
                roles: roles.iter().map(|r| (*r).to_owned()).collect(),
            })
            .unwrap();
    }
}

/// A document to draft.
pub fn document(title: &str, body: &str) -> gongwen_domain::Document {
    let mut doc = gongwen_domain::Document::from_json(&example("notice-full")).unwrap();
    doc.title = title.to_owned();
    doc.body = body.to_owned();
    doc
}

pub fn example(name: &str) -> String {
    let path = format!(
        "{}/../../docs/examples/{name}.json",
        env!("CARGO_MANIFEST_DIR")
    );
    std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{path}: {e}"))
}

/// One device: a store in a temp folder, its clock, and its faulty link to the server.
pub struct Node {
    pub login: String,
    pub dir: tempfile::TempDir,
    pub clock: Clock,
    pub client: Arc<Client>,
    pub net: Arc<FakeTransport>,
}

impl Node {
    pub fn new(server: &FakeServer, login: &str, seed: u64, skew_days: i64) -> Node {
        let dir = tempfile::tempdir().unwrap();
        let clock = Clock::new(skew_days);
        let client = Arc::new(open_client(dir.path(), login, &clock));
        Node {
            login: login.to_owned(),
            dir,
            clock,
            client,
            net: Arc::new(FakeTransport::new(server, login, seed, 0)),
        }
    }

    pub fn engine(&self) -> gongwen_client::sync::Engine<Arc<FakeTransport>> {
        gongwen_client::sync::Engine::new(self.client.clone(), self.net.clone())
    }

    pub async fn sync(
        &self,
    ) -> Result<gongwen_client::sync::SyncReport, gongwen_client::sync::SyncError> {
        self.engine().sync().await
    }

    /// Kills the client (drops every handle; nothing is flushed beyond what each
    /// committed transaction already made durable) and opens the store again.
    pub fn crash_and_reopen(self) -> Node {
        let Node {
            login,
            dir,
            clock,
            client,
            net,
        } = self;
        assert_eq!(Arc::strong_count(&client), 1, "a handle outlives the crash");
        drop(client);
        let client = Arc::new(open_client(dir.path(), &login, &clock));
        Node {
            login,
            dir,
            clock,
            client,
            net,
        }
    }

    /// A raw connection to the store (assertions on tables).
    pub fn raw(&self) -> rusqlite::Connection {
        gongwen_client::store::connect_raw(
            &self.dir.path().join(gongwen_client::store::DB_FILE),
            &Key::from_bytes([42u8; 32]),
        )
        .unwrap()
    }

    pub fn count(&self, sql: &str) -> i64 {
        self.raw().query_row(sql, [], |r| r.get(0)).unwrap()
    }

    /// Syncs until it succeeds (faults off): the quiescent state.
    pub async fn settle(&self) {
        self.net.set_faults(0);
        self.net.flush_held();
        let mut last = None;
        for _ in 0..5 {
            match self.sync().await {
                Ok(_) => return,
                Err(e) => last = Some(e),
            }
        }
        panic!("{} does not settle: {last:?}", self.login);
    }

    /// The user's open tasks (待办 and 待阅), by task id.
    pub fn open_tasks(&self) -> BTreeSet<String> {
        use gongwen_client::flow::{QueueFilter, QueueKind};
        let mut out = BTreeSet::new();
        for kind in [QueueKind::Todo, QueueKind::ToRead] {
            for item in self
                .client
                .queue(kind, &QueueFilter::default(), 0, 200)
                .unwrap()
                .items
            {
                out.extend(item.task_id);
            }
        }
        out
    }

    /// Approves (or marks read) the user's first open task, quoting the hash shown.
    pub fn act_on_first(&self, action: &str, opinion: Option<&str>) -> Option<String> {
        let task = self.open_tasks().into_iter().next()?;
        let view = self.client.task_view(&task).ok()?;
        self.client
            .act(&task, action, opinion, None, None, Some(&view.content_hash))
            .ok()
            .map(|_| task)
    }

    /// Every outbox id ever seen on this device (collected by the scenarios).
    pub fn outbox_ids(&self) -> Vec<String> {
        self.client
            .outbox()
            .unwrap()
            .into_iter()
            .map(|o| o.id)
            .collect()
    }
}

impl ServerState {
    /// The login a client id belongs to.
    pub fn login_of(&self, client_id: &str) -> String {
        self.clients
            .get(client_id)
            .map(|c| c.login.clone())
            .unwrap_or_default()
    }

    /// Who holds the open tasks of a flow.
    pub fn open_tasks_of_flow(&self, flow: &str) -> Vec<String> {
        self.flows[flow]
            .flow
            .tasks
            .iter()
            .filter(|t| t.state == TaskState::Open)
            .map(|t| t.assignee.0.clone())
            .collect()
    }

    /// The open tasks of `login` on the server.
    pub fn open_tasks(&self, login: &str) -> BTreeSet<String> {
        self.flows
            .values()
            .flat_map(|f| f.flow.tasks.iter())
            .filter(|t| t.assignee.as_str() == login && t.state == TaskState::Open)
            .map(|t| t.id.0.clone())
            .collect()
    }
}

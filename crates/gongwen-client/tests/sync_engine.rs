//! The sync engine against the in-process fake server: each behaviour of the
//! contract, one test each (SYNC.md §5).

mod sync_support;

use gongwen_client::sync::{SyncError, TransportError};
use gongwen_protocol::sync::mutations;
use sync_support::{FakeServer, Node, document};

/// zhang drafts and submits; returns (node, flow id).
async fn submitted(server: &FakeServer) -> (Node, String) {
    let zhang = Node::new(server, "zhang", 1, 0);
    zhang.sync().await.unwrap();
    let saved = zhang
        .client
        .create_draft(document(
            "关于开展安全检查的通知",
            "各股室：请于本周内完成自查。",
        ))
        .unwrap();
    let out = zhang.client.submit_draft(&saved.draft_id, None).unwrap();
    (zhang, out.flow_id)
}

#[tokio::test]
async fn a_draft_save_queues_a_draft_save_mutation_in_the_same_transaction() {
    let server = FakeServer::new();
    let zhang = Node::new(&server, "zhang", 1, 0);
    let saved = zhang
        .client
        .create_draft(document("标题", "正文一"))
        .unwrap();
    let mut doc = document("标题", "正文二");
    doc.title = "标题".into();
    let v2 = zhang.client.save_draft(&saved.draft_id, doc, None).unwrap();
    let rows = zhang.client.outbox().unwrap();
    assert_eq!(rows.len(), 2);
    assert!(rows.iter().all(|r| r.name == mutations::DRAFT_SAVE));
    assert_eq!(rows[0].args["version"], 1);
    assert!(rows[0].args["base_version"].is_null());
    assert_eq!(rows[1].args["version"], 2);
    assert_eq!(rows[1].args["base_version"], 1);
    assert_eq!(
        rows[1].args["content_hash"],
        format!("sha256:{}", v2.content_hash)
    );
    assert_eq!(zhang.client.sync_status().unwrap().pending, 2);
}

#[tokio::test]
async fn a_flow_reaches_the_reviewer_and_the_decision_comes_back() {
    let server = FakeServer::new();
    let (zhang, flow) = submitted(&server).await;
    let report = zhang.sync().await.unwrap();
    assert_eq!(report.pending, 0);
    assert!(report.applied >= 3, "{report:?}");
    assert!(zhang.client.outbox().unwrap().is_empty());
    let next: Vec<String> = server.state().flows[&flow]
        .flow
        .tasks
        .iter()
        .filter(|t| t.state == gongwen_domain::workflow::TaskState::Open)
        .map(|t| t.assignee.0.clone())
        .collect();
    assert_eq!(next.len(), 1, "one reviewer: {next:?}");
    let reviewer = Node::new(&server, &next[0], 2, 0);
    reviewer.sync().await.unwrap();
    assert_eq!(reviewer.open_tasks(), server.state().open_tasks(&next[0]));
    assert!(reviewer.act_on_first("approve", Some("同意")).is_some());
    assert_eq!(reviewer.client.sync_status().unwrap().pending, 1);
    reviewer.sync().await.unwrap();
    assert!(reviewer.open_tasks().is_empty());
    zhang.sync().await.unwrap();
    // The drafter's view equals the server's, with nothing pending.
    for login in ["zhang", next[0].as_str()] {
        let node = if login == "zhang" { &zhang } else { &reviewer };
        for b in node.client.sync_details().unwrap().buckets {
            assert_eq!(
                b.checksum,
                server.checksum(&b.bucket),
                "{login} {}",
                b.bucket
            );
        }
    }
}

#[tokio::test]
async fn the_doc_number_given_at_registration_reaches_the_drafts_list_and_the_task() {
    let server = FakeServer::new();
    let zhang = Node::new(&server, "zhang", 1, 0);
    zhang.sync().await.unwrap();
    // A draft has no 文号 until 登记 (the example document carries one: drop it).
    let mut doc = document("关于开展安全检查的通知", "各股室：请于本周内完成自查。");
    doc.doc_number = None;
    let saved = zhang.client.create_draft(doc).unwrap();
    let flow = zhang
        .client
        .submit_draft(&saved.draft_id, None)
        .unwrap()
        .flow_id;
    zhang.sync().await.unwrap();
    let reviewer = server.state().open_tasks_of_flow(&flow)[0].clone();
    let reviewer = Node::new(&server, &reviewer, 2, 0);
    reviewer.sync().await.unwrap();
    let task = reviewer
        .open_tasks()
        .into_iter()
        .next()
        .expect("the reviewer's task");
    assert_eq!(
        reviewer
            .client
            .task_view(&task)
            .unwrap()
            .document
            .unwrap()
            .doc_number,
        None
    );

    server.number(&flow, "鹤府〔2026〕7号");
    zhang.sync().await.unwrap();
    reviewer.sync().await.unwrap();
    // The drafter's 草稿 list shows it …
    let drafts = zhang.client.list_drafts(10, 0).unwrap();
    assert_eq!(drafts[0].doc_number.as_deref(), Some("鹤府〔2026〕7号"));
    // … and the document of the task prints with it.
    let number = reviewer
        .client
        .task_view(&task)
        .unwrap()
        .document
        .unwrap()
        .doc_number;
    assert_eq!(
        number.map(|n| n.to_string()).as_deref(),
        Some("鹤府〔2026〕7号")
    );
}

#[tokio::test]
async fn a_lost_answer_is_replayed_from_the_stored_result_not_applied_twice() {
    let server = FakeServer::new();
    let (zhang, _) = submitted(&server).await;
    // The first push's answer is lost after the server applied it (the next sync
    // pulls, then pushes).
    let push = zhang.net.calls() + 1;
    zhang
        .net
        .crash_at
        .store(push, std::sync::atomic::Ordering::SeqCst);
    let e = zhang.sync().await.unwrap_err();
    assert_eq!(e.code(), "offline", "{e}");
    assert_eq!(
        zhang.client.outbox().unwrap().len(),
        3,
        "nothing removed without an answer"
    );
    let consumed = server.state().log.len();
    assert_eq!(consumed, 3);
    let zhang = zhang.crash_and_reopen();
    zhang.sync().await.unwrap();
    assert_eq!(server.state().log.len(), 3, "replayed, not re-applied");
    assert!(zhang.client.outbox().unwrap().is_empty());
}

#[tokio::test]
async fn a_row_sent_and_not_acknowledged_cannot_be_discarded() {
    let server = FakeServer::new();
    let (zhang, _) = submitted(&server).await;
    let push = zhang.net.calls() + 1;
    zhang
        .net
        .crash_at
        .store(push, std::sync::atomic::Ordering::SeqCst);
    let _ = zhang.sync().await.unwrap_err();
    let raw = zhang.raw();
    let err = raw
        .execute("DELETE FROM outbox WHERE push_seq = 3", [])
        .unwrap_err();
    assert!(err.to_string().contains("not acknowledged"), "{err}");
    let seq: i64 = raw
        .query_row("SELECT seq FROM outbox WHERE push_seq = 3", [], |r| {
            r.get(0)
        })
        .unwrap();
    drop(raw);
    let err = zhang.client.discard_rejected(seq).unwrap_err();
    assert!(
        matches!(err.code().as_str(), "not_rejected" | "in_flight"),
        "{err}"
    );
}

#[tokio::test]
async fn the_second_decision_on_a_step_is_refused_with_who_and_when_and_the_opinion_kept() {
    let server = FakeServer::new();
    let (zhang, flow) = submitted(&server).await;
    zhang.sync().await.unwrap();
    let reviewer = server.state().flows[&flow]
        .flow
        .tasks
        .iter()
        .find(|t| t.state == gongwen_domain::workflow::TaskState::Open)
        .unwrap()
        .assignee
        .0
        .clone();
    // The same person on two devices, both offline, both approve.
    let desk = Node::new(&server, &reviewer, 3, 0);
    let laptop = Node::new(&server, &reviewer, 4, 0);
    desk.sync().await.unwrap();
    laptop.sync().await.unwrap();
    desk.act_on_first("approve", Some("同意，请办公室印发"))
        .unwrap();
    laptop
        .act_on_first("approve", Some("同意（笔记本）"))
        .unwrap();
    desk.sync().await.unwrap();
    // The laptop pushes before it pulls (the push stage on its own): the server refuses.
    let mut report = Default::default();
    laptop.engine().push(&mut report).await.unwrap();
    assert_eq!(report.rejected, 1);
    laptop.sync().await.unwrap();
    let rejected = laptop.client.rejected_actions().unwrap();
    assert_eq!(rejected.len(), 1, "{rejected:#?}");
    let r = &rejected[0];
    assert_eq!(r.code, "ALREADY_HANDLED");
    let name = sync_support::PEOPLE
        .iter()
        .find(|p| p.0 == reviewer)
        .unwrap()
        .1;
    assert!(
        r.reason.starts_with(&format!("已由 {name} 于 ")) && r.reason.contains("处理"),
        "{}",
        r.reason
    );
    assert_eq!(r.opinion.as_deref(), Some("同意（笔记本）"));
    // The queue never wedges: the refused row no longer blocks, and can be discarded.
    assert_eq!(laptop.client.sync_pending().unwrap(), 0);
    laptop.client.discard_rejected(r.seq).unwrap();
    assert_eq!(server.state().log.iter().filter(|a| !a.applied).count(), 1);
}

#[tokio::test]
async fn a_decision_already_made_elsewhere_is_refused_by_the_replay_before_it_is_sent() {
    let server = FakeServer::new();
    let (zhang, flow) = submitted(&server).await;
    zhang.sync().await.unwrap();
    let reviewer = server.state().open_tasks_of_flow(&flow)[0].clone();
    let desk = Node::new(&server, &reviewer, 8, 0);
    let laptop = Node::new(&server, &reviewer, 9, 0);
    desk.sync().await.unwrap();
    laptop.sync().await.unwrap();
    desk.act_on_first("approve", Some("同意")).unwrap();
    laptop.act_on_first("return", Some("请修改第二段")).unwrap();
    desk.sync().await.unwrap();
    // The pull brings the decision; the replay refuses the return before it is sent.
    laptop.sync().await.unwrap();
    let rejected = laptop.client.rejected_actions().unwrap();
    assert_eq!(rejected.len(), 1);
    assert_eq!(rejected[0].code, "ALREADY_HANDLED");
    assert!(
        rejected[0].reason.contains("处理（同意）"),
        "{}",
        rejected[0].reason
    );
    assert_eq!(rejected[0].opinion.as_deref(), Some("请修改第二段"));
    assert!(
        server.state().log.iter().all(|a| a.applied),
        "nothing refused was ever sent"
    );
    assert!(
        server
            .state()
            .log
            .iter()
            .all(|a| a.name != mutations::FLOW_ACT
                || a.client_id != laptop.client.sync_details().unwrap().client_id.unwrap())
    );
}

#[tokio::test]
async fn an_unknown_client_is_renumbered_and_nothing_is_lost() {
    let server = FakeServer::new();
    let (zhang, _) = submitted(&server).await;
    zhang.sync().await.unwrap();
    let old = zhang.client.sync_details().unwrap().client_id.unwrap();
    zhang
        .client
        .create_draft(document("第二份", "正文"))
        .unwrap();
    server.forget_client(&old);
    zhang.sync().await.unwrap();
    let details = zhang.client.sync_details().unwrap();
    assert_ne!(details.client_id.as_deref(), Some(old.as_str()));
    assert_eq!(details.acked_seq, 1);
    assert_eq!(
        server.last_applied(details.client_id.as_deref().unwrap()),
        1
    );
    assert_eq!(server.state().drafts.len(), 2);
}

#[tokio::test]
async fn a_wrong_checksum_drops_the_bucket_and_pulls_it_again() {
    let server = FakeServer::new();
    let (zhang, _) = submitted(&server).await;
    zhang.sync().await.unwrap();
    let before = zhang.client.sync_details().unwrap().buckets;
    // Corrupt the local checksum of the user's bucket: the next page cannot match.
    zhang
        .raw()
        .execute(
            "UPDATE sync_buckets SET checksum = checksum + 1 WHERE bucket = 'user:zhang'",
            [],
        )
        .unwrap();
    zhang
        .client
        .create_draft(document("再一份", "正文"))
        .unwrap();
    let report = zhang.sync().await.unwrap();
    assert!(report.resets >= 1, "{report:?}");
    let after = zhang.client.sync_details().unwrap().buckets;
    assert_eq!(after.len(), before.len());
    for b in after {
        assert_eq!(b.checksum, server.checksum(&b.bucket), "{}", b.bucket);
    }
}

#[tokio::test]
async fn a_reset_asked_by_the_server_pulls_the_bucket_from_zero() {
    let server = FakeServer::new();
    let (zhang, _) = submitted(&server).await;
    zhang.sync().await.unwrap();
    let flows = zhang.count("SELECT count(*) FROM flows");
    server.reset("zhang", "user:zhang");
    zhang.sync().await.unwrap();
    assert_eq!(zhang.count("SELECT count(*) FROM flows"), flows);
    for b in zhang.client.sync_details().unwrap().buckets {
        assert_eq!(b.checksum, server.checksum(&b.bucket));
    }
}

#[tokio::test]
async fn revocation_leaves_no_rows_search_entries_or_attachments() {
    let server = FakeServer::new();
    // Someone else's document with an attachment, shared with 李四 through a bucket.
    let bytes: Vec<u8> = (0..50_000u32).map(|i| (i % 251) as u8).collect();
    let hash = server.put_blob(&bytes);
    let mut doc = document("机密通知", "只给李四看的正文");
    doc.attachments = vec![gongwen_domain::document::Attachment {
        name: "附件一".into(),
        file: Some(format!("sha256:{hash}")),
        body: None,
    }];
    server.put_draft("zhang", "D-SECRET", serde_json::to_value(&doc).unwrap());
    server.grant("li", "user:zhang");
    let li = Node::new(&server, "li", 5, 0);
    li.net.set_faults(30);
    for _ in 0..20 {
        if li.sync().await.is_ok() {
            break;
        }
    }
    li.settle().await;
    assert_eq!(
        li.count("SELECT count(*) FROM drafts WHERE id = 'D-SECRET'"),
        1
    );
    assert!(!li.client.search("机密", 10).unwrap().is_empty());
    let path = li
        .client
        .attachment_path(&format!("sha256:{hash}"))
        .unwrap();
    assert_eq!(std::fs::read(&path).unwrap(), bytes, "downloaded intact");
    server.revoke("li", "user:zhang");
    li.sync().await.unwrap();
    assert_eq!(
        li.count("SELECT count(*) FROM drafts WHERE id = 'D-SECRET'"),
        0
    );
    assert_eq!(
        li.count("SELECT count(*) FROM draft_versions WHERE draft_id = 'D-SECRET'"),
        0
    );
    assert!(li.client.search("机密", 10).unwrap().is_empty());
    assert!(!path.exists(), "the cached attachment is gone");
    assert_eq!(
        li.count("SELECT count(*) FROM sync_buckets WHERE bucket = 'user:zhang'"),
        0
    );
    assert_eq!(
        li.count("SELECT count(*) FROM sync_members WHERE bucket = 'user:zhang'"),
        0
    );
}

#[tokio::test]
async fn attachments_upload_before_the_save_in_chunks_that_resume() {
    let server = FakeServer::new();
    let zhang = Node::new(&server, "zhang", 6, 0);
    zhang.sync().await.unwrap();
    let file = zhang.dir.path().join("附件.bin");
    let bytes: Vec<u8> = (0..(9 * 1024 * 1024u32))
        .map(|i| (i * 7 % 253) as u8)
        .collect();
    std::fs::write(&file, &bytes).unwrap();
    let mut doc = document("带附件的通知", "正文");
    doc.attachments = vec![gongwen_domain::document::Attachment {
        name: "附件一".into(),
        file: Some(file.display().to_string()),
        body: None,
    }];
    zhang.client.create_draft(doc).unwrap();
    zhang.net.set_faults(50);
    for _ in 0..40 {
        if zhang.sync().await.is_ok() {
            break;
        }
    }
    zhang.settle().await;
    let hash = hex::encode(<sha2::Sha256 as sha2::Digest>::digest(&bytes));
    assert_eq!(
        server.state().blobs.get(&hash).map(Vec::len),
        Some(bytes.len())
    );
    assert_eq!(server.state().drafts.len(), 1);
    assert!(zhang.client.outbox().unwrap().is_empty());
}

#[tokio::test]
async fn two_offline_saves_of_one_draft_keep_both() {
    let server = FakeServer::new();
    let (zhang, flow) = submitted(&server).await;
    zhang.sync().await.unwrap();
    let draft = server.state().flows[&flow].document_id.clone();
    let other = Node::new(&server, "zhang", 7, 0);
    other.sync().await.unwrap();
    let mut a = document("关于开展安全检查的通知", "台式机上的修改");
    a.title = "关于开展安全检查的通知".into();
    let mut b = a.clone();
    b.body = "笔记本上的修改".into();
    zhang.client.save_draft(&draft, a, None).unwrap();
    other.client.save_draft(&draft, b, None).unwrap();
    zhang.sync().await.unwrap();
    other.sync().await.unwrap();
    zhang.sync().await.unwrap();
    let head = server.state().drafts[&draft].head.clone();
    assert_eq!(head.conflicts.len(), 1);
    assert_eq!(head.conflicts[0].document["body"], "笔记本上的修改");
    for node in [&zhang, &other] {
        let d = node.client.open_draft(&draft).unwrap();
        assert_eq!(d.head_version, head.head_version);
        assert_eq!(d.document.body, "台式机上的修改");
        let conflicts = node.client.draft_conflicts(&draft).unwrap();
        assert_eq!(conflicts.len(), 1);
    }
}

/// Two devices of 张三 with one conflict copy of `draft` listed on both.
async fn one_conflict(server: &FakeServer) -> (Node, Node, String) {
    let (zhang, flow) = submitted(server).await;
    zhang.sync().await.unwrap();
    let draft = server.state().flows[&flow].document_id.clone();
    let other = Node::new(server, "zhang", 7, 0);
    other.sync().await.unwrap();
    let a = document("关于开展安全检查的通知", "台式机上的修改");
    let mut b = a.clone();
    b.body = "笔记本上的修改".into();
    zhang.client.save_draft(&draft, a, None).unwrap();
    other.client.save_draft(&draft, b, None).unwrap();
    zhang.sync().await.unwrap();
    other.sync().await.unwrap();
    zhang.sync().await.unwrap();
    for node in [&zhang, &other] {
        assert_eq!(node.client.draft_conflicts(&draft).unwrap().len(), 1);
    }
    (zhang, other, draft)
}

#[tokio::test]
async fn keeping_the_current_version_resolves_the_copy_for_good_on_every_device() {
    use gongwen_client::sync::ConflictResolution;
    let server = FakeServer::new();
    let (zhang, other, draft) = one_conflict(&server).await;
    let head = other.client.open_draft(&draft).unwrap().head_version;
    let copy = other.client.draft_conflicts(&draft).unwrap()[0].id.clone();
    let saved = other
        .client
        .resolve_conflict(&draft, &copy, ConflictResolution::KeepCurrent)
        .unwrap();
    assert!(saved.unchanged);
    assert_eq!(saved.version, head);
    // At once, offline: not listed any more (the resolution waits in the outbox).
    assert!(other.client.draft_conflicts(&draft).unwrap().is_empty());
    let row = other.client.outbox().unwrap().pop().unwrap();
    assert_eq!(row.name, mutations::DRAFT_SAVE);
    assert_eq!(row.args["resolves"], serde_json::json!([copy]));
    // A restart before the sync does not bring it back.
    let other = other.crash_and_reopen();
    assert!(other.client.draft_conflicts(&draft).unwrap().is_empty());
    other.sync().await.unwrap();
    assert!(server.state().drafts[&draft].head.conflicts.is_empty());
    assert_eq!(
        server.state().drafts[&draft].head.head_version,
        head,
        "no new version"
    );
    // The other device hears of it, and it stays resolved after a restart.
    zhang.sync().await.unwrap();
    assert!(zhang.client.draft_conflicts(&draft).unwrap().is_empty());
    let zhang = zhang.crash_and_reopen();
    assert!(zhang.client.draft_conflicts(&draft).unwrap().is_empty());
    assert!(other.client.outbox().unwrap().is_empty());
    // Resolving it again is refused plainly.
    let e = zhang
        .client
        .resolve_conflict(&draft, &copy, ConflictResolution::KeepCurrent)
        .unwrap_err();
    assert!(e.to_string().contains("冲突副本已不存在"), "{e}");
}

#[tokio::test]
async fn a_merge_becomes_the_next_version_and_resolves_the_copy() {
    use gongwen_client::sync::ConflictResolution;
    let server = FakeServer::new();
    let (zhang, other, draft) = one_conflict(&server).await;
    let copy = zhang.client.draft_conflicts(&draft).unwrap()[0].clone();
    let before = zhang.client.open_draft(&draft).unwrap().head_version;
    let merged = document("关于开展安全检查的通知", "台式机和笔记本的修改合并");
    let saved = zhang
        .client
        .resolve_conflict(&draft, &copy.id, ConflictResolution::Save(Box::new(merged)))
        .unwrap();
    assert!(!saved.unchanged);
    assert_eq!(saved.version, before + 1);
    assert!(zhang.client.draft_conflicts(&draft).unwrap().is_empty());
    zhang.sync().await.unwrap();
    let head = server.state().drafts[&draft].head.clone();
    assert!(head.conflicts.is_empty());
    assert_eq!(head.document["body"], "台式机和笔记本的修改合并");
    other.sync().await.unwrap();
    assert!(other.client.draft_conflicts(&draft).unwrap().is_empty());
    assert_eq!(
        other.client.open_draft(&draft).unwrap().document.body,
        "台式机和笔记本的修改合并"
    );
}

#[tokio::test]
async fn offline_fails_cleanly_and_keeps_the_outbox() {
    let server = FakeServer::new();
    let (zhang, _) = submitted(&server).await;
    zhang
        .net
        .offline
        .store(true, std::sync::atomic::Ordering::SeqCst);
    let e = zhang.sync().await.unwrap_err();
    assert!(
        matches!(e, SyncError::Transport(TransportError::Offline(_))),
        "{e}"
    );
    assert!(e.is_transient());
    assert_eq!(zhang.client.outbox().unwrap().len(), 3);
    assert!(!zhang.client.sync_status().unwrap().online);
    zhang
        .net
        .offline
        .store(false, std::sync::atomic::Ordering::SeqCst);
    zhang.sync().await.unwrap();
    assert!(zhang.client.sync_status().unwrap().online);
}

/// A link that watches every range answer of a download: before handing over each
/// answer it scans the device's blob folder for the attachment's plaintext, and
/// it can cut the download (the process is killed) once `cut_after` bytes arrived.
struct Watched {
    inner: std::sync::Arc<sync_support::FakeTransport>,
    dir: std::path::PathBuf,
    needles: Vec<Vec<u8>>,
    cut_after: u64,
    served: std::sync::atomic::AtomicU64,
    first_from: std::sync::Mutex<Option<u64>>,
    scans: std::sync::atomic::AtomicU64,
}

impl Watched {
    fn new(node: &Node, bytes: &[u8], cut_after: u64) -> Watched {
        Watched {
            inner: node.net.clone(),
            // The blob folder: finished blobs, downloads in progress, anything sealed.
            dir: node.dir.path().join("blobs"),
            // 48-byte windows all over the content, one per chunk at an odd offset (it is
            // pseudo-random: a window found on disk is the plaintext).
            needles: (0..bytes.len() - 48)
                .step_by(65_537)
                .map(|i| bytes[i..i + 48].to_vec())
                .collect(),
            cut_after,
            served: std::sync::atomic::AtomicU64::new(0),
            first_from: std::sync::Mutex::new(None),
            scans: std::sync::atomic::AtomicU64::new(0),
        }
    }

    /// Panics when any file under the blob folder holds a plaintext window.
    fn assert_no_plaintext(&self) {
        let mut stack = vec![self.dir.clone()];
        if !self.dir.exists() {
            stack.clear();
        }
        while let Some(d) = stack.pop() {
            for e in std::fs::read_dir(&d).unwrap().flatten() {
                let p = e.path();
                if p.is_dir() {
                    stack.push(p);
                    continue;
                }
                let Ok(content) = std::fs::read(&p) else {
                    continue;
                };
                for n in &self.needles {
                    assert!(
                        !content.windows(n.len()).any(|w| w == n.as_slice()),
                        "plaintext of the attachment on disk in {}",
                        p.display()
                    );
                }
            }
        }
        self.scans.fetch_add(1, std::sync::atomic::Ordering::SeqCst);
    }
}

impl gongwen_client::sync::Transport for Watched {
    async fn health(&self) -> gongwen_client::sync::TransportResult<gongwen_protocol::Health> {
        self.inner.health().await
    }
    async fn push(
        &self,
        req: &gongwen_protocol::sync::PushRequest,
    ) -> gongwen_client::sync::TransportResult<gongwen_protocol::sync::PushResponse> {
        self.inner.push(req).await
    }
    async fn pull(
        &self,
        req: &gongwen_protocol::sync::PullRequest,
    ) -> gongwen_client::sync::TransportResult<gongwen_protocol::sync::PullResponse> {
        self.inner.pull(req).await
    }
    async fn blob_announce(
        &self,
        req: &gongwen_protocol::sync::BlobAnnounce,
    ) -> gongwen_client::sync::TransportResult<gongwen_protocol::sync::BlobUpload> {
        self.inner.blob_announce(req).await
    }
    async fn blob_offset(&self, url: &str) -> gongwen_client::sync::TransportResult<u64> {
        self.inner.blob_offset(url).await
    }
    async fn blob_patch(
        &self,
        url: &str,
        offset: u64,
        chunk: Vec<u8>,
    ) -> gongwen_client::sync::TransportResult<u64> {
        self.inner.blob_patch(url, offset, chunk).await
    }
    async fn blob_get(
        &self,
        id: &str,
        from: u64,
        len: u64,
    ) -> gongwen_client::sync::TransportResult<gongwen_client::sync::BlobRange> {
        use std::sync::atomic::Ordering;
        // Whatever the engine wrote so far is on disk now: no plaintext anywhere.
        self.assert_no_plaintext();
        self.first_from.lock().unwrap().get_or_insert(from);
        if self.served.load(Ordering::SeqCst) >= self.cut_after {
            return Err(TransportError::Offline("进程被终止（测试）".into()));
        }
        // Ranges of an odd size, so chunk boundaries fall inside answers.
        let got = self.inner.blob_get(id, from, len.min(200_003)).await?;
        self.served
            .fetch_add(got.bytes.len() as u64, Ordering::SeqCst);
        Ok(got)
    }
}

#[tokio::test]
async fn a_download_killed_half_way_resumes_sealed_and_never_leaves_plaintext_on_disk() {
    use sha2::Digest;
    let server = FakeServer::new();
    // 1.5 MB of pseudo-random bytes (xorshift), not a multiple of the 64 KiB chunk.
    let mut x: u64 = 0x9e37_79b9_7f4a_7c15;
    let bytes: Vec<u8> = (0..1_500_017)
        .map(|_| {
            x ^= x << 13;
            x ^= x >> 7;
            x ^= x << 17;
            (x >> 24) as u8
        })
        .collect();
    let hash = server.put_blob(&bytes);
    let mut doc = document("附件通知", "见附件");
    doc.attachments = vec![gongwen_domain::document::Attachment {
        name: "附件一".into(),
        file: Some(format!("sha256:{hash}")),
        body: None,
    }];
    server.put_draft("zhang", "D-ATT", serde_json::to_value(&doc).unwrap());
    server.grant("li", "user:zhang");
    let li = Node::new(&server, "li", 9, 0);

    // The first run is killed once half of the attachment arrived.
    let half = bytes.len() as u64 / 2;
    let first = std::sync::Arc::new(Watched::new(&li, &bytes, half));
    let e = gongwen_client::sync::Engine::new(li.client.clone(), first.clone())
        .sync()
        .await
        .unwrap_err();
    assert!(
        matches!(e, SyncError::Transport(TransportError::Offline(_))),
        "{e:?}"
    );
    first.assert_no_plaintext();
    let partial = li
        .dir
        .path()
        .join("blobs")
        .join("tmp")
        .join(format!("{hash}.download"));
    let kept = gongwen_client::store::sealed::partial_plain_len(
        std::fs::metadata(&partial).unwrap().len(),
    );
    let served = first.served.load(std::sync::atomic::Ordering::SeqCst);
    assert!(served >= half && served < bytes.len() as u64, "{served}");
    assert!(
        kept > 0 && kept <= served,
        "kept {kept} of {served} received"
    );
    assert_eq!(kept % (64 * 1024), 0, "whole chunks are kept");
    drop(first);

    // The process restarts and the download resumes where the sealed chunks end.
    let li = li.crash_and_reopen();
    let second = std::sync::Arc::new(Watched::new(&li, &bytes, u64::MAX));
    gongwen_client::sync::Engine::new(li.client.clone(), second.clone())
        .sync()
        .await
        .unwrap();
    assert_eq!(
        *second.first_from.lock().unwrap(),
        Some(kept),
        "resumed, not restarted"
    );
    assert!(second.scans.load(std::sync::atomic::Ordering::SeqCst) >= 2);
    second.assert_no_plaintext();
    assert!(!partial.exists());
    let sealed_file = li.dir.path().join("blobs").join(&hash[..2]).join(&hash);
    assert!(sealed_file.exists());

    // The adopted blob is the attachment: the right hash, read back intact (a
    // decrypted copy for viewing, outside the store).
    let copy = li
        .client
        .attachment_path(&format!("sha256:{hash}"))
        .unwrap();
    let back = std::fs::read(&copy).unwrap();
    assert_eq!(hex::encode(sha2::Sha256::digest(&back)), hash);
    assert_eq!(back, bytes);
}

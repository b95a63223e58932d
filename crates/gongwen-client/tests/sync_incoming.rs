//! 收文 and 回执 through the sync engine against the fake server: delivery into the
//! organ's bucket, attachments downloaded and kept, 签收 offline-first (local at once,
//! the server decides), refusal kept with its reason, 登记 starting the 收文 flow,
//! the 回执 reaching the sender, revocation leaving nothing behind; and a server flow
//! winning a document over a local-only 送审 without failing the pull.

mod sync_support;

use gongwen_client::incoming::{
    FileStatus, IncomingFilter, IncomingStatus, RegisterInput, SignFilter,
};
use gongwen_protocol::exchange::{ExchangeFile, Incoming, ItemState, OrganRef, PersonRef};
use sync_support::{FakeServer, Node, document, example};

const INBOX: &str = "organ:鹤府办";
const SENDER: &str = "organ:鹤山镇";

fn item(server: &FakeServer, id: &str, title: &str, day: u32, files: &[&[u8]]) -> Incoming {
    let mut doc: serde_json::Value = serde_json::from_str(&example("notice-full")).unwrap();
    doc["title"] = title.into();
    let mut files: Vec<ExchangeFile> = files
        .iter()
        .enumerate()
        .map(|(i, bytes)| ExchangeFile {
            name: if i == 0 {
                "正文.pdf".into()
            } else {
                format!("附件{i}.txt")
            },
            blob: format!("sha256:{}", server.put_blob(bytes)),
            size: bytes.len() as u64,
        })
        .collect();
    let pdf = (!files.is_empty()).then(|| files.remove(0));
    Incoming {
        id: id.into(),
        exchange_id: format!("x-{id}"),
        document_id: format!("d-{id}"),
        from: OrganRef {
            code: "鹤山镇".into(),
            name: "鹤山镇人民政府".into(),
        },
        to: OrganRef {
            code: "鹤府办".into(),
            name: "鹤山市人民政府办公室".into(),
        },
        title: title.into(),
        doc_number: Some(format!("鹤镇发〔2026〕{day}号")),
        document: doc,
        content_hash: None,
        pdf,
        attachments: files,
        sent_by: PersonRef {
            login: "town".into(),
            display_name: "镇文书".into(),
        },
        delivered_at: format!("2026-03-{day:02}T09:00:00+08:00"),
        state: ItemState::Delivered,
        signed_by: None,
        signed_at: None,
    }
}

async fn settle(node: &Node) {
    node.sync()
        .await
        .unwrap_or_else(|e| panic!("{}: {e}", node.login));
}

#[tokio::test]
async fn incoming_is_listed_signed_offline_first_and_the_receipt_reaches_the_sender() {
    let server = FakeServer::new();
    server.grant("sun", INBOX);
    server.grant("zhang", SENDER);
    server.deliver(
        INBOX,
        SENDER,
        item(
            &server,
            "in-1",
            "关于春耕备耕的通知",
            2,
            &[b"pdf bytes", b"first attachment"],
        ),
    );
    server.deliver(
        INBOX,
        SENDER,
        item(&server, "in-2", "关于防汛工作的请示", 5, &[]),
    );
    let sun = Node::new(&server, "sun", 1, 0);
    settle(&sun).await;

    // The list, newest first, with filters.
    let all = sun
        .client
        .incoming(&IncomingFilter::default(), 0, 10)
        .unwrap();
    assert_eq!(all.total, 2);
    assert_eq!(all.items[0].id, "in-2");
    assert!(
        all.items
            .iter()
            .all(|i| i.status == IncomingStatus::Unsigned)
    );
    let by_day = IncomingFilter {
        since: Some("2026-03-01".into()),
        until: Some("2026-03-03".into()),
        ..Default::default()
    };
    let page = sun.client.incoming(&by_day, 0, 10).unwrap();
    assert_eq!(
        page.items.iter().map(|i| i.id.as_str()).collect::<Vec<_>>(),
        ["in-1"]
    );
    let by_sender = IncomingFilter {
        from: Some("鹤山镇".into()),
        query: Some("防汛".into()),
        ..Default::default()
    };
    assert_eq!(sun.client.incoming(&by_sender, 0, 10).unwrap().total, 1);
    let other_sender = IncomingFilter {
        from: Some("教育局".into()),
        ..Default::default()
    };
    assert_eq!(sun.client.incoming(&other_sender, 0, 10).unwrap().total, 0);

    // The files came with the sync, verified, and can be saved.
    let detail = sun.client.incoming_detail("in-1").unwrap();
    assert_eq!(detail.document.title, "关于春耕备耕的通知");
    assert_eq!(detail.files.len(), 2);
    assert!(detail.files[0].is_pdf);
    assert!(
        detail.files.iter().all(|f| f.status == FileStatus::Local),
        "{:?}",
        detail.files
    );
    let out = tempfile::tempdir().unwrap();
    let saved = sun
        .client
        .save_incoming_file("in-1", "附件1.txt", out.path())
        .unwrap();
    assert_eq!(std::fs::read(saved).unwrap(), b"first attachment");
    let e = sun
        .client
        .save_incoming_file("in-1", "附件9.txt", out.path())
        .unwrap_err();
    assert_eq!(e.code(), "file_not_found");

    // 签收 offline: signed at once locally, confirmed by the server later.
    let signed = sun.client.sign_incoming("in-1").unwrap();
    assert_eq!(signed.status_label, "已签收（待同步）");
    let d = sun.client.incoming_detail("in-1").unwrap();
    assert_eq!(d.item.status, IncomingStatus::SignPending);
    let e = sun.client.sign_incoming("in-1").unwrap_err();
    assert_eq!(e.code(), "already_signed");
    let unsigned = IncomingFilter {
        state: Some(SignFilter::Unsigned),
        ..Default::default()
    };
    assert_eq!(
        sun.client.incoming(&unsigned, 0, 10).unwrap().items[0].id,
        "in-2"
    );
    let counts = sun.client.incoming_counts().unwrap();
    assert_eq!(
        (counts.unsigned, counts.signed, counts.unregistered),
        (1, 1, 1)
    );
    settle(&sun).await;
    let d = sun.client.incoming_detail("in-1").unwrap();
    assert_eq!(d.item.status, IncomingStatus::Signed);
    assert_eq!(d.item.signed_by.unwrap().display_name, "孙八");
    assert!(sun.client.outbox().unwrap().is_empty());

    // The sender's client pulls the 回执.
    let zhang = Node::new(&server, "zhang", 2, 0);
    settle(&zhang).await;
    let receipts = zhang.client.receipts(None).unwrap();
    assert_eq!(receipts.len(), 1);
    assert_eq!(receipts[0].incoming_id, "in-1");
    assert_eq!(receipts[0].recipient.code, "鹤府办");
    assert_eq!(receipts[0].signed_by.login, "sun");
    assert_eq!(zhang.client.receipts(Some("d-in-1")).unwrap().len(), 1);
    assert!(zhang.client.receipts(Some("d-other")).unwrap().is_empty());
}

#[tokio::test]
async fn a_refused_sign_is_kept_with_its_reason_and_the_item_is_unsigned_again() {
    let server = FakeServer::new();
    // 王五 is not a 收文员: the server refuses his 签收.
    server.grant("wang", INBOX);
    server.deliver(
        INBOX,
        SENDER,
        item(&server, "in-1", "关于春耕备耕的通知", 2, &[]),
    );
    let wang = Node::new(&server, "wang", 3, 0);
    settle(&wang).await;
    wang.client.sign_incoming("in-1").unwrap();
    settle(&wang).await;
    let d = wang.client.incoming_detail("in-1").unwrap();
    assert_eq!(d.item.status, IncomingStatus::Unsigned);
    assert!(
        d.sign_rejected.as_deref().unwrap().contains("收文员"),
        "{:?}",
        d.sign_rejected
    );
    let rejected = wang.client.rejected_actions().unwrap();
    assert_eq!(rejected.len(), 1);
    assert_eq!(rejected[0].code, "FORBIDDEN");
    // Signing again replaces the refused command (nothing piles up).
    wang.client.sign_incoming("in-1").unwrap();
    assert!(wang.client.rejected_actions().unwrap().is_empty());
    assert_eq!(wang.client.outbox().unwrap().len(), 1);
    // Registering needs a signed item.
    let fresh = Node::new(&server, "wang", 4, 0);
    settle(&fresh).await;
    let e = fresh
        .client
        .register_incoming("in-1", &RegisterInput::default())
        .unwrap_err();
    assert_eq!(e.code(), "not_signed");
}

/// 孙八 (收文员 of the inbox) has pulled and signed for one item, in-1, still offline.
async fn signed_by_sun() -> (FakeServer, Node) {
    let server = FakeServer::new();
    server.grant("sun", INBOX);
    server.deliver(
        INBOX,
        SENDER,
        item(&server, "in-1", "关于春耕备耕的通知", 2, &[]),
    );
    let sun = Node::new(&server, "sun", 5, 0);
    settle(&sun).await;
    sun.client.sign_incoming("in-1").unwrap();
    (server, sun)
}

#[tokio::test]
async fn the_registrar_chooses_who_handles_the_first_step() {
    let (server, sun) = signed_by_sun().await;
    // The form shows who the template gives the first step to: 王五, the office head.
    let preview = sun.client.first_step_preview("in-1", None).unwrap();
    assert_eq!(preview.route, "收文（一般）");
    assert_eq!(preview.step.as_deref(), Some("初审"));
    let names: Vec<&str> = preview
        .handlers
        .iter()
        .map(|p| p.display_name.as_str())
        .collect();
    assert_eq!(names, ["王五"]);
    assert_eq!(preview.handlers[0].login, "wang");
    // An unknown template is named in the error.
    let e = sun
        .client
        .first_step_preview("in-1", Some("没有这个流程"))
        .unwrap_err();
    assert!(e.to_string().contains("没有这个流程"), "{e}");
    // Someone not in the directory: refused, nothing registered.
    let e = sun
        .client
        .register_incoming(
            "in-1",
            &RegisterInput {
                first_handlers: vec!["nobody".into()],
                ..Default::default()
            },
        )
        .unwrap_err();
    assert_eq!(e.code(), "invalid_argument");
    assert!(e.to_string().contains("通讯录中没有人员“nobody”"), "{e}");
    assert!(sun.client.incoming_registration("in-1").unwrap().is_none());
    // 李四 instead of the template's 王五 (the office head) does 初审.
    let reg = sun
        .client
        .register_incoming(
            "in-1",
            &RegisterInput {
                first_handlers: vec!["li".into()],
                ..Default::default()
            },
        )
        .unwrap();
    assert_eq!(reg.route, "收文（一般）");
    assert!(
        reg.now_at.contains("初审") && reg.now_at.contains("李四"),
        "{}",
        reg.now_at
    );
    // The server starts the flow as sent: 李四's task, not 王五's.
    settle(&sun).await;
    assert!(sun.client.rejected_actions().unwrap().is_empty());
    assert_eq!(server.state().open_tasks_of_flow(&reg.flow_id), ["li"]);
}

#[tokio::test]
async fn registering_starts_the_incoming_flow_and_the_office_head_gets_it() {
    let (server, sun) = signed_by_sun().await;
    // Offline: sign and register in a row; the outbox keeps their order.
    let reg = sun
        .client
        .register_incoming(
            "in-1",
            &RegisterInput {
                urgency: Some("加急".into()),
                copies: Some(3),
                ..Default::default()
            },
        )
        .unwrap();
    assert!(
        reg.receipt_number.starts_with("鹤府办收〔"),
        "{}",
        reg.receipt_number
    );
    assert!(
        reg.receipt_number.ends_with("〕1号"),
        "{}",
        reg.receipt_number
    );
    assert_eq!(reg.route, "收文（一般）");
    assert!(
        reg.now_at.contains("初审") && reg.now_at.contains("王五"),
        "{}",
        reg.now_at
    );
    assert_eq!(reg.outbox_seqs.len(), 3, "start, 签收 step, 登记 step");
    let e = sun
        .client
        .register_incoming("in-1", &RegisterInput::default())
        .unwrap_err();
    assert_eq!(e.code(), "already_registered");
    let r = sun.client.incoming_registration("in-1").unwrap().unwrap();
    assert_eq!((r.copies, r.urgency.as_deref()), (3, Some("加急")));
    assert_eq!(r.from_organ, "鹤山镇人民政府");
    let listed = &sun
        .client
        .incoming(&IncomingFilter::default(), 0, 5)
        .unwrap()
        .items[0];
    assert_eq!(
        listed.receipt_number.as_deref(),
        Some(reg.receipt_number.as_str())
    );
    settle(&sun).await;
    assert!(sun.client.outbox().unwrap().is_empty());
    assert!(sun.client.rejected_actions().unwrap().is_empty());
    assert_eq!(server.state().open_tasks_of_flow(&reg.flow_id), ["wang"]);

    // The office head's device gets the task (初审).
    let wang = Node::new(&server, "wang", 6, 0);
    settle(&wang).await;
    let view = wang.client.flow_view(&reg.flow_id).unwrap();
    assert!(view.now_at.contains("初审"), "{}", view.now_at);
    assert!(wang.act_on_first("approve", Some("同意")).is_some());
    settle(&wang).await;
}

#[tokio::test]
async fn revocation_removes_incoming_rows_registrations_and_cached_files() {
    let server = FakeServer::new();
    server.grant("sun", INBOX);
    server.deliver(
        INBOX,
        SENDER,
        item(
            &server,
            "in-1",
            "关于春耕备耕的通知",
            2,
            &[b"pdf of in-1", b"attachment of in-1"],
        ),
    );
    server.deliver(
        INBOX,
        SENDER,
        item(&server, "in-2", "关于防汛工作的请示", 5, &[b"pdf of in-2"]),
    );
    let sun = Node::new(&server, "sun", 7, 0);
    settle(&sun).await;
    sun.client.sign_incoming("in-1").unwrap();
    sun.client
        .register_incoming("in-1", &RegisterInput::default())
        .unwrap();
    settle(&sun).await;
    let blob_files = |node: &Node| -> usize { walk(&node.dir.path().join("blobs")) };
    assert_eq!(blob_files(&sun), 3);

    // The sender withdraws in-2: its row and file go, in-1 stays.
    server.withdraw_incoming("in-2");
    settle(&sun).await;
    assert_eq!(
        sun.client
            .incoming(&IncomingFilter::default(), 0, 10)
            .unwrap()
            .total,
        1
    );
    assert_eq!(blob_files(&sun), 2);

    // The clerk leaves the office: the whole inbox goes.
    server.revoke("sun", INBOX);
    settle(&sun).await;
    assert_eq!(
        sun.client
            .incoming(&IncomingFilter::default(), 0, 10)
            .unwrap()
            .total,
        0
    );
    assert!(sun.client.incoming_registration("in-1").unwrap().is_none());
    assert_eq!(
        sun.count("SELECT count(*) FROM entity_blobs WHERE kind = 'incoming'"),
        0
    );
    assert_eq!(
        sun.count(
            "SELECT count(*) FROM blob_transfers WHERE direction = 'down' AND state = 'pending'"
        ),
        0
    );
    assert_eq!(blob_files(&sun), 0, "no cached attachment is left behind");
}

/// Files under `dir` (recursively), partial downloads included.
fn walk(dir: &std::path::Path) -> usize {
    let Ok(entries) = std::fs::read_dir(dir) else {
        return 0;
    };
    entries
        .flatten()
        .map(|e| {
            let p = e.path();
            if p.is_dir() { walk(&p) } else { 1 }
        })
        .sum()
}

#[tokio::test]
async fn a_server_flow_wins_the_document_over_a_local_only_submission_and_keeps_the_users_work() {
    let server = FakeServer::new();
    let first = Node::new(&server, "zhang", 8, 0);
    settle(&first).await;
    let draft = first
        .client
        .create_draft(document("关于做好春耕工作的通知", "正文。"))
        .unwrap();
    settle(&first).await;
    // The same user's second device has the draft too, and both submit offline.
    let second = Node::new(&server, "zhang", 9, 0);
    settle(&second).await;
    let on_first = first.client.submit_draft(&draft.draft_id, None).unwrap();
    let on_second = second.client.submit_draft(&draft.draft_id, None).unwrap();
    settle(&first).await;
    // The pull brings the first device's flow for the same document: the second
    // device's own flow yields (no unique-index failure), its commands are kept.
    second
        .sync()
        .await
        .expect("the pull applies despite the local flow");
    let view = second.client.flow_view(&on_first.flow_id).unwrap();
    assert_eq!(view.flow_id, on_first.flow_id);
    assert!(second.client.flow_view(&on_second.flow_id).is_err());
    let rejected = second.client.rejected_actions().unwrap();
    assert!(!rejected.is_empty());
    assert_eq!(rejected[0].code, "ALREADY_SUBMITTED");
    assert!(
        rejected[0].reason.contains("已保留"),
        "{}",
        rejected[0].reason
    );
    // The server ran one flow for the document.
    let s = server.state();
    let flows: Vec<_> = s
        .flows
        .values()
        .filter(|f| f.document_id == draft.draft_id)
        .collect();
    assert_eq!(flows.len(), 1);
}

//! Blobs and 公文交换 against a real PostgreSQL: resumable uploads (wrong
//! offset, oversized chunk, wrong hash, resume), ranged and authorized
//! downloads, delivery to other organs' inboxes (classified documents and
//! unknown organs refused), 签收 and its 回执, the outgoing/incoming lists, and
//! two server instances sharing one database.

#[allow(dead_code)]
#[path = "support/mod.rs"]
mod common;

#[path = "exchange/blobs.rs"]
mod blobs;
#[path = "exchange/two_instances.rs"]
mod two_instances;

use std::net::SocketAddr;

use axum::http::{HeaderMap, Method, Request, StatusCode, header};
use common::{Resp, TestServer};
use gongwen_protocol::directory::Role;
use gongwen_protocol::exchange::{
    DeliverRequest, Delivered, FileRef, Incoming, ItemState, Outgoing, Receipt,
};
use gongwen_protocol::sync::{
    AlreadyHandled, BlobAnnounce, BlobStatus, BlobUpload, ExchangeSign, OpKind,
    UPLOAD_CONTENT_TYPE, UPLOAD_OFFSET_HEADER, kinds,
};
use gongwen_server::Settings;
use gongwen_server::exchange::{self, ExchangeError, codes};
use gongwen_server::sync::buckets;
use http_body_util::{BodyExt, Full};
use hyper::body::Bytes;
use hyper_util::client::legacy::Client;
use hyper_util::rt::TokioExecutor;
use serde_json::{Value, json};
use sha2::{Digest, Sha256};

/// Use a fresh blob directory for the server.
fn blob_dir(dir: &std::path::Path) -> impl FnOnce(&mut Settings) + use<> {
    let dir = dir.to_owned();
    move |s: &mut Settings| {
        s.blob_store = gongwen_server::config::BlobStoreConfig::Local { dir };
    }
}

/// The seeded directory plus: 鹤山镇 收文员 `town_receiver` (张收文), 鹤山镇
/// 办公室文书 `town_clerk`, 鹤山镇 拟稿人 `drafter` (seeded), 邻县 收文员
/// `far_receiver`.
async fn exchange_server(dir: &std::path::Path) -> TestServer {
    let server = TestServer::start_with(blob_dir(dir)).await;
    server.seed().await;
    add_users(&server).await;
    server
}

async fn add_users(server: &TestServer) {
    server
        .add_users(&[
            ("town_receiver", "张收文", "鹤山镇", vec![Role::Receiver]),
            ("town_clerk", "李文书", "鹤山镇", vec![Role::Clerk]),
            ("far_receiver", "王收文", "邻县", vec![Role::Receiver]),
        ])
        .await;
}

/// An HTTP request with any headers.
async fn send(
    addr: SocketAddr,
    method: Method,
    path: &str,
    token: Option<&str>,
    headers: &[(&str, String)],
    body: Vec<u8>,
) -> Resp {
    let client = Client::builder(TokioExecutor::new()).build_http::<Full<Bytes>>();
    let mut req = Request::builder()
        .method(method)
        .uri(format!("http://{addr}{path}"));
    if let Some(t) = token {
        req = req.header(header::AUTHORIZATION, format!("Bearer {t}"));
    }
    for (k, v) in headers {
        req = req.header(*k, v);
    }
    let res = client
        .request(req.body(Full::new(Bytes::from(body))).unwrap())
        .await
        .unwrap();
    let status = res.status();
    let headers: HeaderMap = res.headers().clone();
    let body = res.into_body().collect().await.unwrap().to_bytes();
    Resp {
        status,
        headers,
        body,
    }
}

fn blob_id(data: &[u8]) -> String {
    format!("sha256:{}", hex::encode(Sha256::digest(data)))
}

async fn announce(addr: SocketAddr, token: &str, id: &str, size: u64) -> Resp {
    send(
        addr,
        Method::POST,
        "/v1/blobs",
        Some(token),
        &[("content-type", "application/json".into())],
        serde_json::to_vec(&BlobAnnounce {
            id: id.into(),
            size,
        })
        .unwrap(),
    )
    .await
}

async fn patch(addr: SocketAddr, token: &str, url: &str, offset: u64, chunk: &[u8]) -> Resp {
    send(
        addr,
        Method::PATCH,
        url,
        Some(token),
        &[
            ("content-type", UPLOAD_CONTENT_TYPE.into()),
            (UPLOAD_OFFSET_HEADER, offset.to_string()),
        ],
        chunk.to_vec(),
    )
    .await
}

fn offset_of(r: &Resp) -> u64 {
    r.headers[UPLOAD_OFFSET_HEADER]
        .to_str()
        .unwrap()
        .parse()
        .unwrap()
}

/// Upload `data` whole (in chunks of `chunk`), returning its id.
async fn upload(addr: SocketAddr, token: &str, data: &[u8], chunk: usize) -> String {
    let id = blob_id(data);
    let r = announce(addr, token, &id, data.len() as u64).await;
    let answer: BlobUpload = r.json();
    if answer.status == BlobStatus::Present {
        return id;
    }
    let url = answer.upload_url.unwrap();
    let mut offset = answer.offset as usize;
    while offset < data.len() {
        let end = (offset + chunk).min(data.len());
        let r = patch(addr, token, &url, offset as u64, &data[offset..end]).await;
        assert!(r.status.is_success(), "{}: {}", r.status, r.text());
        offset = end;
    }
    id
}

fn document(title: &str) -> Value {
    json!({
        "doc_type": "通知",
        "issuers": [{"name": "鹤山市人民政府办公室", "mark": "鹤山市人民政府办公室文件"}],
        "doc_number": {"prefix": "鹤府办", "year": 2025, "seq": 7},
        "title": title,
        "main_recipients": ["鹤山镇人民政府"],
        "body": "现将有关事项通知如下。",
        "signatures": ["鹤山市人民政府办公室"],
        "date": "2025-03-01"
    })
}

fn deliver_request(document_id: &str, recipients: &[&str]) -> DeliverRequest {
    DeliverRequest {
        document_id: document_id.into(),
        document: document("关于做好春季森林防火工作的通知"),
        content_hash: Some("sha256:abc".into()),
        pdf: None,
        attachments: vec![],
        recipients: recipients.iter().map(|s| s.to_string()).collect(),
    }
}

async fn bucket_ops(server: &TestServer, bucket: &str) -> Vec<gongwen_protocol::sync::Op> {
    let pool = server.pool().await;
    let client = pool.get().await.unwrap();
    buckets::page(&client, bucket, 0, 1000).await.unwrap().0
}

#[tokio::test]
async fn deliver_sign_and_receipt() {
    let dir = tempfile::tempdir().unwrap();
    let server = exchange_server(dir.path()).await;
    let clerk = server.token("clerk").await;
    let receiver = server.token("town_receiver").await;

    // The PDF and an attachment are uploaded first.
    let pdf_bytes = b"%PDF-1.7 issued document".repeat(100);
    let att_bytes = "附件一：防火责任分工表".repeat(50).into_bytes();
    let pdf = upload(server.addr, &clerk, &pdf_bytes, 1000).await;
    let att = upload(server.addr, &clerk, &att_bytes, 700).await;

    let mut req = deliver_request("D-2025-0007", &["鹤山镇", "邻县人民政府", "鹤府办"]);
    req.pdf = Some(FileRef {
        name: "正文.pdf".into(),
        blob: pdf.clone(),
    });
    req.attachments = vec![FileRef {
        name: "附件1.xlsx".into(),
        blob: att.clone(),
    }];
    let r = server
        .post("/v1/exchange/deliver", Some(&clerk), &req)
        .await;
    assert_eq!(r.status, StatusCode::CREATED, "{}", r.text());
    let delivered: Delivered = r.json();
    // The sender itself is skipped; both other organs get an item.
    let organs: Vec<&str> = delivered
        .items
        .iter()
        .map(|i| i.organ.code.as_str())
        .collect();
    assert_eq!(organs, ["邻县", "鹤山镇"]);
    let town_item = delivered
        .items
        .iter()
        .find(|i| i.organ.code == "鹤山镇")
        .unwrap()
        .incoming_id
        .clone();

    // Delivering the same document again is idempotent.
    let again: Delivered = server
        .post("/v1/exchange/deliver", Some(&clerk), &req)
        .await
        .json();
    assert_eq!(again, delivered);

    // An `incoming` PUT landed in each recipient's organ bucket, once.
    let ops = bucket_ops(&server, "organ:鹤山镇").await;
    let incoming_ops: Vec<_> = ops.iter().filter(|o| o.kind == kinds::INCOMING).collect();
    assert_eq!(incoming_ops.len(), 1);
    assert_eq!(incoming_ops[0].op, OpKind::Put);
    assert_eq!(incoming_ops[0].version, 1);
    let item: Incoming =
        serde_json::from_value(incoming_ops[0].parse_data::<serde_json::Value>().unwrap()).unwrap();
    assert_eq!(item.id, town_item);
    assert_eq!(item.from.code, "鹤府办");
    assert_eq!(item.doc_number.as_deref(), Some("鹤府办〔2025〕7号"));
    assert_eq!(item.pdf.as_ref().unwrap().size, pdf_bytes.len() as u64);
    assert_eq!(item.attachments[0].name, "附件1.xlsx");
    assert_eq!(item.state, ItemState::Delivered);
    assert_eq!(
        bucket_ops(&server, "organ:邻县")
            .await
            .iter()
            .filter(|o| o.kind == kinds::INCOMING)
            .count(),
        1
    );

    // The recipient's users may now download the PDF; users elsewhere may not.
    let r = send(
        server.addr,
        Method::GET,
        &format!("/v1/blobs/{pdf}"),
        Some(&receiver),
        &[],
        vec![],
    )
    .await;
    assert_eq!(r.status, StatusCode::OK);
    assert_eq!(&r.body[..], &pdf_bytes[..]);
    // 鹤府 (the parent organ) is neither sender nor recipient.
    let outsider = server.token("city_admin").await;
    let r = send(
        server.addr,
        Method::GET,
        &format!("/v1/blobs/{pdf}"),
        Some(&outsider),
        &[],
        vec![],
    )
    .await;
    r.assert_error(StatusCode::NOT_FOUND, "not_found");

    // The recipient's inbox lists it, pending.
    let inbox: Vec<Incoming> = server
        .get("/v1/exchange/incoming?pending=true", Some(&receiver))
        .await
        .json();
    assert_eq!(inbox.len(), 1);
    assert_eq!(inbox[0].title, "关于做好春季森林防火工作的通知");

    // The sender's clerk sees both recipients unsigned.
    let out: Vec<Outgoing> = server
        .get("/v1/exchange/outgoing?pending=true", Some(&clerk))
        .await
        .json();
    assert_eq!(out.len(), 1);
    assert_eq!(out[0].recipients.len(), 2);

    // A drafter of the recipient organ may not sign; nor may another organ.
    let drafter = server.token("drafter").await;
    let path = format!("/v1/exchange/incoming/{town_item}/sign");
    server
        .post(&path, Some(&drafter), &json!({}))
        .await
        .assert_error(StatusCode::FORBIDDEN, "forbidden");
    let far = server.token("far_receiver").await;
    server
        .post(&path, Some(&far), &json!({}))
        .await
        .assert_error(StatusCode::NOT_FOUND, "not_found");

    // 签收.
    let r = server.post(&path, Some(&receiver), &json!({})).await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.text());
    let receipt: Receipt = r.json();
    assert_eq!(receipt.incoming_id, town_item);
    assert_eq!(receipt.signed_by.display_name, "张收文");
    assert_eq!(receipt.recipient.code, "鹤山镇");
    // Again by the same person: the same 回执.
    let again: Receipt = server.post(&path, Some(&receiver), &json!({})).await.json();
    assert_eq!(again, receipt);

    // The 回执 went to the sender's bucket; the signed item to the recipient's.
    let sender_ops = bucket_ops(&server, "organ:鹤府办").await;
    let receipts: Vec<_> = sender_ops
        .iter()
        .filter(|o| o.kind == kinds::RECEIPT)
        .collect();
    assert_eq!(receipts.len(), 1);
    let sent: Receipt =
        serde_json::from_value(receipts[0].parse_data::<serde_json::Value>().unwrap()).unwrap();
    assert_eq!(sent, receipt);
    let town_ops = bucket_ops(&server, "organ:鹤山镇").await;
    let last = town_ops
        .iter()
        .rfind(|o| o.kind == kinds::INCOMING)
        .unwrap();
    assert_eq!(last.version, 2);
    let signed: Incoming =
        serde_json::from_value(last.parse_data::<serde_json::Value>().unwrap()).unwrap();
    assert_eq!(signed.state, ItemState::Signed);
    assert_eq!(signed.signed_by.unwrap().login, "town_receiver");

    // Sender: 邻县 still unsigned, 鹤山镇 signed with who and when.
    let out: Vec<Outgoing> = server
        .get("/v1/exchange/outgoing", Some(&clerk))
        .await
        .json();
    let town = out[0]
        .recipients
        .iter()
        .find(|r| r.organ.code == "鹤山镇")
        .unwrap();
    assert_eq!(town.state, ItemState::Signed);
    assert_eq!(town.signed_at.as_deref(), Some(receipt.signed_at.as_str()));
    let pending: Vec<Outgoing> = server
        .get("/v1/exchange/outgoing?pending=true", Some(&clerk))
        .await
        .json();
    assert_eq!(pending[0].recipients.len(), 1);
    assert_eq!(pending[0].recipients[0].organ.code, "邻县");

    // Another clerk of 鹤山镇 comes second: ALREADY_HANDLED with who and when.
    let town_clerk = server.token("town_clerk").await;
    let r = server.post(&path, Some(&town_clerk), &json!({})).await;
    let e = r.assert_error(StatusCode::CONFLICT, "ALREADY_HANDLED");
    assert!(e.message.contains("张收文"), "{}", e.message);

    // The lists are role-checked.
    server
        .get("/v1/exchange/outgoing", Some(&drafter))
        .await
        .assert_error(StatusCode::FORBIDDEN, "forbidden");
    server
        .get("/v1/exchange/incoming", None)
        .await
        .assert_error(StatusCode::UNAUTHORIZED, "unauthorized");

    // Every online command went through the server's audit chain, as pushes do:
    // the effects, the repeats, and the terminal refusals (each with who and why).
    let pool = server.pool().await;
    let client = pool.get().await.unwrap();
    let records: Vec<(String, String, String)> = client
        .query(
            "SELECT action, actor, detail_json FROM audit_log
              WHERE action LIKE 'exchange.%' ORDER BY seq",
            &[],
        )
        .await
        .unwrap()
        .iter()
        .map(|r| (r.get(0), r.get(1), r.get(2)))
        .collect();
    let actions: Vec<(&str, &str)> = records
        .iter()
        .map(|(a, who, _)| (a.as_str(), who.as_str()))
        .collect();
    assert_eq!(
        actions,
        [
            ("exchange.delivered", "clerk"),
            ("exchange.redelivered", "clerk"),
            ("exchange.rejected", "drafter"),
            ("exchange.rejected", "far_receiver"),
            ("exchange.signed", "town_receiver"),
            ("exchange.resigned", "town_receiver"),
            ("exchange.rejected", "town_clerk"),
        ]
    );
    let delivered_detail: Value = serde_json::from_str(&records[0].2).unwrap();
    assert_eq!(delivered_detail["recipients"], json!(["邻县", "鹤山镇"]));
    let refused: Value = serde_json::from_str(&records[6].2).unwrap();
    assert_eq!(refused["code"], "ALREADY_HANDLED");
    assert_eq!(refused["command"], "sign");
    assert!(
        gongwen_server::audit::verify(&client)
            .await
            .unwrap()
            .is_ok()
    );
}

#[tokio::test]
async fn classified_documents_and_unknown_organs_are_refused() {
    let dir = tempfile::tempdir().unwrap();
    let server = exchange_server(dir.path()).await;
    let clerk = server.token("clerk").await;

    for level in ["秘密", "机密", "绝密"] {
        let mut req = deliver_request(&format!("D-{level}"), &["鹤山镇"]);
        req.document["secrecy"] = json!({"level": level, "term": "1年"});
        let e = server
            .post("/v1/exchange/deliver", Some(&clerk), &req)
            .await
            .assert_error(StatusCode::UNPROCESSABLE_ENTITY, codes::CLASSIFIED);
        assert!(e.message.contains(level), "{}", e.message);
        assert!(e.message.contains("严禁"), "{}", e.message);
    }

    let req = deliver_request("D-1", &["鹤山镇", "不存在县", "'; DROP TABLE organs; --"]);
    let e = server
        .post("/v1/exchange/deliver", Some(&clerk), &req)
        .await
        .assert_error(StatusCode::UNPROCESSABLE_ENTITY, codes::UNKNOWN_ORGAN);
    assert!(e.message.contains("不存在县"), "{}", e.message);
    assert!(e.message.contains("DROP TABLE"), "{}", e.message);

    server
        .post(
            "/v1/exchange/deliver",
            Some(&clerk),
            &deliver_request("D-2", &["鹤府办", " "]),
        )
        .await
        .assert_error(StatusCode::UNPROCESSABLE_ENTITY, codes::NO_RECIPIENTS);

    let mut untitled = deliver_request("D-3", &["鹤山镇"]);
    untitled.document["title"] = json!("");
    server
        .post("/v1/exchange/deliver", Some(&clerk), &untitled)
        .await
        .assert_error(StatusCode::UNPROCESSABLE_ENTITY, codes::BAD_DOCUMENT);
    let mut garbage = deliver_request("D-4", &["鹤山镇"]);
    garbage.document = json!({"not_a_field": 1});
    server
        .post("/v1/exchange/deliver", Some(&clerk), &garbage)
        .await
        .assert_error(StatusCode::UNPROCESSABLE_ENTITY, codes::BAD_DOCUMENT);

    // A PDF that is not uploaded: retryable BLOB_MISSING.
    let mut missing = deliver_request("D-5", &["鹤山镇"]);
    missing.pdf = Some(FileRef {
        name: "正文.pdf".into(),
        blob: blob_id(b"never uploaded"),
    });
    server
        .post("/v1/exchange/deliver", Some(&clerk), &missing)
        .await
        .assert_error(StatusCode::CONFLICT, "BLOB_MISSING");

    // Only a clerk delivers.
    let leader = server.token("leader").await;
    server
        .post(
            "/v1/exchange/deliver",
            Some(&leader),
            &deliver_request("D-6", &["鹤山镇"]),
        )
        .await
        .assert_error(StatusCode::FORBIDDEN, "forbidden");

    // Nothing was half-written.
    let pool = server.pool().await;
    let client = pool.get().await.unwrap();
    let n: i64 = client
        .query_one("SELECT count(*) FROM exchange_documents", &[])
        .await
        .unwrap()
        .get(0);
    assert_eq!(n, 0);
    assert!(bucket_ops(&server, "organ:鹤山镇").await.is_empty());
}

/// The functions the sync push calls, directly: rejections are typed, not
/// internal errors, and a retryable one leaves nothing behind.
#[tokio::test]
async fn deliver_and_sign_in_the_callers_transaction() {
    let dir = tempfile::tempdir().unwrap();
    let server = exchange_server(dir.path()).await;
    let clerk = server.caller(&server.token("clerk").await).await;
    let receiver = server.caller(&server.token("town_receiver").await).await;
    let pool = server.pool().await;
    let mut client = pool.get().await.unwrap();
    let now = time::OffsetDateTime::now_utc();

    let tx = client.transaction().await.unwrap();
    let mut req = deliver_request("D-9", &["鹤山镇"]);
    req.document["secrecy"] = json!({"level": "机密"});
    match exchange::deliver(&tx, &clerk, &req, now).await {
        Err(ExchangeError::Rejected(r)) => {
            assert_eq!(r.code, codes::CLASSIFIED);
            assert!(!r.retryable);
        }
        other => panic!("expected a rejection, got {other:?}"),
    }
    drop(tx);

    let tx = client.transaction().await.unwrap();
    let delivered = exchange::deliver(&tx, &clerk, &deliver_request("D-9", &["鹤山镇"]), now)
        .await
        .unwrap();
    tx.commit().await.unwrap();
    let item = delivered.items[0].incoming_id.clone();

    let tx = client.transaction().await.unwrap();
    match exchange::sign(
        &tx,
        &receiver,
        &ExchangeSign {
            incoming_id: "IN-nope".into(),
        },
        now,
    )
    .await
    {
        Err(ExchangeError::Rejected(r)) => assert_eq!(r.code, codes::NOT_FOUND),
        other => panic!("expected NOT_FOUND, got {other:?}"),
    }
    drop(tx);

    let tx = client.transaction().await.unwrap();
    let receipt = exchange::sign(
        &tx,
        &receiver,
        &ExchangeSign {
            incoming_id: item.clone(),
        },
        now,
    )
    .await
    .unwrap();
    tx.commit().await.unwrap();
    assert_eq!(receipt.incoming_id, item);

    let town_clerk = server.caller(&server.token("town_clerk").await).await;
    let tx = client.transaction().await.unwrap();
    match exchange::sign(
        &tx,
        &town_clerk,
        &ExchangeSign {
            incoming_id: item.clone(),
        },
        now,
    )
    .await
    {
        Err(ExchangeError::Rejected(r)) => {
            assert_eq!(r.code, "ALREADY_HANDLED");
            let detail: AlreadyHandled = serde_json::from_value(r.detail.unwrap()).unwrap();
            assert_eq!(detail.by, "张收文");
            assert_eq!(detail.action, "签收");
        }
        other => panic!("expected ALREADY_HANDLED, got {other:?}"),
    }
}

//! Two server instances against one database and one blob directory: an
//! upload started on one finishes on the other (and survives the first one
//! stopping), and an exchange item delivered through one is signed through the
//! other.

use axum::http::{Method, StatusCode};
use gongwen_protocol::exchange::{Delivered, FileRef, Incoming, ItemState, Outgoing, Receipt};
use gongwen_protocol::sync::{BlobStatus, BlobUpload};
use serde_json::json;

use super::common::TestServer;
use super::{add_users, announce, blob_dir, blob_id, deliver_request, offset_of, patch, send};

#[tokio::test]
async fn two_instances_share_uploads_and_exchange() {
    let dir = tempfile::tempdir().unwrap();
    let a = TestServer::start_with(blob_dir(dir.path())).await;
    a.seed().await;
    add_users(&a).await;
    let b = TestServer::start_on(a.db_url.clone(), blob_dir(dir.path())).await;
    assert_ne!(a.addr, b.addr);

    // Tokens are shared too: log in on A, use on B.
    let clerk = a.token("clerk").await;
    let data: Vec<u8> = (0..250_000u32).map(|i| (i % 199) as u8).collect();
    let id = blob_id(&data);

    // Half through A…
    let up: BlobUpload = announce(a.addr, &clerk, &id, data.len() as u64)
        .await
        .json();
    let url = up.upload_url.unwrap();
    let r = patch(a.addr, &clerk, &url, 0, &data[..125_000]).await;
    assert_eq!(r.status, StatusCode::NO_CONTENT, "{}", r.text());
    // …A goes away; B knows where the upload stands…
    a.stop().await.unwrap();
    let r = send(b.addr, Method::HEAD, &url, Some(&clerk), &[], vec![]).await;
    assert_eq!(r.status, StatusCode::OK);
    assert_eq!(offset_of(&r), 125_000);
    // …refuses a stale offset…
    patch(b.addr, &clerk, &url, 0, &data[..10])
        .await
        .assert_error(StatusCode::CONFLICT, "OFFSET_MISMATCH");
    // …and finishes it, verified.
    let r = patch(b.addr, &clerk, &url, 125_000, &data[125_000..]).await;
    assert_eq!(r.status, StatusCode::CREATED, "{}", r.text());
    assert_eq!(r.json::<BlobUpload>().status, BlobStatus::Present);

    // A comes back (a restart) and serves the blob B finished.
    let a = TestServer::start_on(b.db_url.clone(), blob_dir(dir.path())).await;
    let r = send(
        a.addr,
        Method::GET,
        &format!("/v1/blobs/{id}"),
        Some(&clerk),
        &[("range", "bytes=124990-125009".into())],
        vec![],
    )
    .await;
    assert_eq!(r.status, StatusCode::PARTIAL_CONTENT);
    assert_eq!(&r.body[..], &data[124_990..125_010]);

    // Delivered through A, with the PDF uploaded through both…
    let mut req = deliver_request("D-2025-0100", &["鹤山镇"]);
    req.pdf = Some(FileRef {
        name: "正文.pdf".into(),
        blob: id.clone(),
    });
    let r = a.post("/v1/exchange/deliver", Some(&clerk), &req).await;
    assert_eq!(r.status, StatusCode::CREATED, "{}", r.text());
    let delivered: Delivered = r.json();
    let item = &delivered.items[0].incoming_id;

    // …seen and signed through B.
    let receiver = b.token("town_receiver").await;
    let inbox: Vec<Incoming> = b.get("/v1/exchange/incoming", Some(&receiver)).await.json();
    assert_eq!(inbox.len(), 1);
    assert_eq!(&inbox[0].id, item);
    let r = send(
        b.addr,
        Method::GET,
        &format!("/v1/blobs/{id}"),
        Some(&receiver),
        &[],
        vec![],
    )
    .await;
    assert_eq!(r.status, StatusCode::OK);
    assert_eq!(&r.body[..], &data[..]);
    let r = b
        .post(
            &format!("/v1/exchange/incoming/{item}/sign"),
            Some(&receiver),
            &json!({}),
        )
        .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.text());
    let receipt: Receipt = r.json();

    // The sender's clerk sees the 回执 through A.
    let out: Vec<Outgoing> = a.get("/v1/exchange/outgoing", Some(&clerk)).await.json();
    assert_eq!(out[0].recipients[0].state, ItemState::Signed);
    assert_eq!(
        out[0].recipients[0].signed_by.as_ref().unwrap().login,
        "town_receiver"
    );
    assert_eq!(
        out[0].recipients[0].signed_at.as_deref(),
        Some(receipt.signed_at.as_str())
    );
}

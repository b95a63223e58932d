//! `/v1/blobs`: announce, resumable PATCH, ranged and authorized GET.

use axum::http::{Method, StatusCode};
use gongwen_protocol::sync::{BlobStatus, BlobUpload, MAX_CHUNK, UPLOAD_CONTENT_TYPE};

use super::{announce, blob_id, exchange_server, offset_of, patch, send, upload};

#[tokio::test]
async fn upload_resume_and_bad_chunks() {
    let dir = tempfile::tempdir().unwrap();
    let server = exchange_server(dir.path()).await;
    let addr = server.addr;
    let clerk = server.token("clerk").await;
    let data: Vec<u8> = (0..300_000u32).map(|i| (i * 7 % 256) as u8).collect();
    let id = blob_id(&data);

    let r = announce(addr, &clerk, &id, data.len() as u64).await;
    assert_eq!(r.status, StatusCode::CREATED, "{}", r.text());
    let answer: BlobUpload = r.json();
    assert_eq!(answer.status, BlobStatus::Upload);
    assert_eq!(answer.offset, 0);
    let url = answer.upload_url.unwrap();
    assert!(url.starts_with("/v1/blobs/uploads/"));

    // First chunk.
    let r = patch(addr, &clerk, &url, 0, &data[..100_000]).await;
    assert_eq!(r.status, StatusCode::NO_CONTENT, "{}", r.text());
    assert_eq!(offset_of(&r), 100_000);

    // Wrong offset: 409 with the server's offset; nothing written.
    let r = patch(addr, &clerk, &url, 50_000, &data[50_000..60_000]).await;
    r.assert_error(StatusCode::CONFLICT, "OFFSET_MISMATCH");
    assert_eq!(offset_of(&r), 100_000);
    let r = patch(addr, &clerk, &url, 0, &data[..10]).await;
    r.assert_error(StatusCode::CONFLICT, "OFFSET_MISMATCH");

    // HEAD tells where to resume; announcing again resumes the same upload.
    let r = send(addr, Method::HEAD, &url, Some(&clerk), &[], vec![]).await;
    assert_eq!(r.status, StatusCode::OK);
    assert_eq!(offset_of(&r), 100_000);
    assert_eq!(r.headers["Upload-Length"], "300000");
    let again: BlobUpload = announce(addr, &clerk, &id, data.len() as u64).await.json();
    assert_eq!(again.upload_url.as_deref(), Some(url.as_str()));
    assert_eq!(again.offset, 100_000);

    // Someone else's upload does not exist for them.
    let leader = server.token("leader").await;
    let r = send(addr, Method::HEAD, &url, Some(&leader), &[], vec![]).await;
    assert_eq!(r.status, StatusCode::NOT_FOUND);
    patch(addr, &leader, &url, 100_000, &data[100_000..110_000])
        .await
        .assert_error(StatusCode::NOT_FOUND, "not_found");

    // Oversized chunk: 413, offset unchanged.
    let big = vec![0u8; MAX_CHUNK as usize + 1];
    patch(addr, &clerk, &url, 100_000, &big)
        .await
        .assert_error(StatusCode::PAYLOAD_TOO_LARGE, "payload_too_large");
    // Past the announced size: 400.
    let past = vec![0u8; 200_001];
    patch(addr, &clerk, &url, 100_000, &past)
        .await
        .assert_error(StatusCode::BAD_REQUEST, "bad_request");
    // Wrong content type, missing offset.
    let r = send(
        addr,
        Method::PATCH,
        &url,
        Some(&clerk),
        &[
            ("content-type", "application/json".into()),
            ("Upload-Offset", "100000".into()),
        ],
        b"{}".to_vec(),
    )
    .await;
    r.assert_error(StatusCode::UNSUPPORTED_MEDIA_TYPE, "unsupported_media_type");
    let r = send(
        addr,
        Method::PATCH,
        &url,
        Some(&clerk),
        &[("content-type", UPLOAD_CONTENT_TYPE.into())],
        b"x".to_vec(),
    )
    .await;
    r.assert_error(StatusCode::BAD_REQUEST, "bad_request");
    assert_eq!(
        offset_of(&send(addr, Method::HEAD, &url, Some(&clerk), &[], vec![]).await),
        100_000
    );

    // The rest, then the blob is present.
    let r = patch(addr, &clerk, &url, 100_000, &data[100_000..]).await;
    assert_eq!(r.status, StatusCode::CREATED, "{}", r.text());
    let done: BlobUpload = r.json();
    assert_eq!(done.status, BlobStatus::Present);
    assert_eq!(r.headers["location"], format!("/v1/blobs/{id}"));
    // The upload is gone.
    let r = send(addr, Method::HEAD, &url, Some(&clerk), &[], vec![]).await;
    assert_eq!(r.status, StatusCode::NOT_FOUND);

    // Dedup: announcing it again (anyone) says present.
    let r = announce(addr, &leader, &id, data.len() as u64).await;
    assert_eq!(r.status, StatusCode::OK);
    assert_eq!(r.json::<BlobUpload>().status, BlobStatus::Present);
    // …with the wrong size it is refused.
    announce(addr, &leader, &id, 5)
        .await
        .assert_error(StatusCode::UNPROCESSABLE_ENTITY, "BLOB_HASH_MISMATCH");

    // Download: whole, ranges, ETag.
    let path = format!("/v1/blobs/{id}");
    let r = send(addr, Method::GET, &path, Some(&clerk), &[], vec![]).await;
    assert_eq!(r.status, StatusCode::OK);
    assert_eq!(&r.body[..], &data[..]);
    let etag = r.headers["etag"].to_str().unwrap().to_owned();
    assert_eq!(etag, format!("\"{id}\""));
    assert_eq!(r.headers["accept-ranges"], "bytes");
    let r = send(
        addr,
        Method::GET,
        &path,
        Some(&clerk),
        &[("range", "bytes=1000-1999".into())],
        vec![],
    )
    .await;
    assert_eq!(r.status, StatusCode::PARTIAL_CONTENT);
    assert_eq!(&r.body[..], &data[1000..2000]);
    assert_eq!(r.headers["content-range"], "bytes 1000-1999/300000");
    let r = send(
        addr,
        Method::GET,
        &path,
        Some(&clerk),
        &[("range", "bytes=299990-".into())],
        vec![],
    )
    .await;
    assert_eq!(&r.body[..], &data[299_990..]);
    let r = send(
        addr,
        Method::GET,
        &path,
        Some(&clerk),
        &[("range", "bytes=300000-".into())],
        vec![],
    )
    .await;
    assert_eq!(r.status, StatusCode::RANGE_NOT_SATISFIABLE);
    assert_eq!(r.headers["content-range"], "bytes */300000");
    let r = send(
        addr,
        Method::GET,
        &path,
        Some(&clerk),
        &[("if-none-match", etag.clone())],
        vec![],
    )
    .await;
    assert_eq!(r.status, StatusCode::NOT_MODIFIED);
    // A stale If-Range gets the whole blob.
    let r = send(
        addr,
        Method::GET,
        &path,
        Some(&clerk),
        &[
            ("range", "bytes=0-9".into()),
            ("if-range", "\"sha256:other\"".into()),
        ],
        vec![],
    )
    .await;
    assert_eq!(r.status, StatusCode::OK);
    assert_eq!(r.body.len(), data.len());

    // Unauthorized GET: another user (no referencing entity) gets 404, as for
    // a blob that does not exist; no token is 401; a malformed id is 400.
    send(addr, Method::GET, &path, Some(&leader), &[], vec![])
        .await
        .assert_error(StatusCode::NOT_FOUND, "not_found");
    let unknown = format!("/v1/blobs/{}", blob_id(b"unknown"));
    send(addr, Method::GET, &unknown, Some(&clerk), &[], vec![])
        .await
        .assert_error(StatusCode::NOT_FOUND, "not_found");
    send(addr, Method::GET, &path, None, &[], vec![])
        .await
        .assert_error(StatusCode::UNAUTHORIZED, "unauthorized");
    send(
        addr,
        Method::GET,
        "/v1/blobs/sha256:xyz",
        Some(&clerk),
        &[],
        vec![],
    )
    .await
    .assert_error(StatusCode::BAD_REQUEST, "bad_request");
}

#[tokio::test]
async fn a_wrong_hash_is_refused_and_discarded() {
    let dir = tempfile::tempdir().unwrap();
    let server = exchange_server(dir.path()).await;
    let addr = server.addr;
    let clerk = server.token("clerk").await;
    let claimed = blob_id(b"the real content!!");
    let r = announce(addr, &clerk, &claimed, 18).await;
    let url = r.json::<BlobUpload>().upload_url.unwrap();
    let r = patch(addr, &clerk, &url, 0, b"forged content!!!!").await;
    r.assert_error(StatusCode::UNPROCESSABLE_ENTITY, "BLOB_HASH_MISMATCH");
    // Not stored, not downloadable, and the upload starts over.
    send(
        addr,
        Method::GET,
        &format!("/v1/blobs/{claimed}"),
        Some(&clerk),
        &[],
        vec![],
    )
    .await
    .assert_error(StatusCode::NOT_FOUND, "not_found");
    let r = send(addr, Method::HEAD, &url, Some(&clerk), &[], vec![]).await;
    assert_eq!(r.status, StatusCode::NOT_FOUND);
    let fresh: BlobUpload = announce(addr, &clerk, &claimed, 18).await.json();
    assert_eq!(fresh.offset, 0);
    // Nothing is left in the upload area.
    let uploads = dir.path().join("uploads");
    let left = std::fs::read_dir(&uploads).map(|d| d.count()).unwrap_or(0);
    assert_eq!(left, 0);

    // The right bytes then succeed.
    let r = patch(
        addr,
        &clerk,
        fresh.upload_url.as_deref().unwrap(),
        0,
        b"the real content!!",
    )
    .await;
    assert_eq!(r.status, StatusCode::CREATED, "{}", r.text());
}

#[tokio::test]
async fn announce_checks_ids_sizes_and_login() {
    let dir = tempfile::tempdir().unwrap();
    let server = exchange_server(dir.path()).await;
    let addr = server.addr;
    let clerk = server.token("clerk").await;
    announce(addr, &clerk, "sha256:1234", 10)
        .await
        .assert_error(StatusCode::BAD_REQUEST, "bad_request");
    announce(addr, &clerk, "'; DROP TABLE blobs; --", 10)
        .await
        .assert_error(StatusCode::BAD_REQUEST, "bad_request");
    announce(addr, &clerk, &blob_id(b"x"), 1 << 40)
        .await
        .assert_error(StatusCode::PAYLOAD_TOO_LARGE, "payload_too_large");
    let r = send(
        addr,
        Method::POST,
        "/v1/blobs",
        None,
        &[("content-type", "application/json".into())],
        br#"{"id":"sha256:00","size":1}"#.to_vec(),
    )
    .await;
    r.assert_error(StatusCode::UNAUTHORIZED, "unauthorized");
    let r = send(
        addr,
        Method::POST,
        "/v1/blobs",
        Some(&clerk),
        &[("content-type", "application/json".into())],
        b"{not json".to_vec(),
    )
    .await;
    r.assert_error(StatusCode::BAD_REQUEST, "invalid_json");

    // An empty blob needs no PATCH.
    let r = announce(addr, &clerk, &blob_id(b""), 0).await;
    assert_eq!(r.status, StatusCode::CREATED, "{}", r.text());
    assert_eq!(r.json::<BlobUpload>().status, BlobStatus::Present);

    // A blob uploaded by one chunk, then used: exists() sees it.
    let id = upload(addr, &clerk, b"tiny", 4).await;
    let pool = server.pool().await;
    let client = pool.get().await.unwrap();
    assert!(gongwen_server::blobs::exists(&client, &id).await.unwrap());
    assert!(
        !gongwen_server::blobs::exists(&client, &blob_id(b"nope"))
            .await
            .unwrap()
    );
    assert!(
        !gongwen_server::blobs::exists(&client, "garbage")
            .await
            .unwrap()
    );
}

#[tokio::test]
async fn abandoned_uploads_are_purged() {
    let dir = tempfile::tempdir().unwrap();
    let server = exchange_server(dir.path()).await;
    let addr = server.addr;
    let clerk = server.token("clerk").await;
    let data = vec![1u8; 1000];
    let up: BlobUpload = announce(addr, &clerk, &blob_id(&data), 1000).await.json();
    let url = up.upload_url.unwrap();
    assert_eq!(
        patch(addr, &clerk, &url, 0, &data[..400]).await.status,
        StatusCode::NO_CONTENT
    );
    let store = gongwen_server::blobs::LocalDirStore::new(dir.path());
    let pool = server.pool().await;
    let client = pool.get().await.unwrap();
    let now = time::OffsetDateTime::now_utc();
    // Not stale yet.
    let n =
        gongwen_server::blobs::purge_stale_uploads(&client, &store, now - time::Duration::days(7))
            .await
            .unwrap();
    assert_eq!(n, 0);
    // Eight days later it is.
    let n =
        gongwen_server::blobs::purge_stale_uploads(&client, &store, now + time::Duration::days(1))
            .await
            .unwrap();
    assert_eq!(n, 1);
    let r = send(addr, Method::HEAD, &url, Some(&clerk), &[], vec![]).await;
    assert_eq!(r.status, StatusCode::NOT_FOUND);
    assert_eq!(
        std::fs::read_dir(dir.path().join("uploads"))
            .unwrap()
            .count(),
        0
    );
}

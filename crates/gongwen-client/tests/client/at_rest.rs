//! Attachments are encrypted at rest like the database: the files under `blobs/` never
//! hold the plaintext, reading them detects tampering, and a store written before
//! sealing existed is converted when it opens.

use std::io::Read;

use crate::common::open;

const SECRET: &str = "机密附件：防汛物资储备清单，不得外传。";

fn import_with_attachment(client: &gongwen_client::Client, files: &std::path::Path) -> String {
    std::fs::write(files.join("清单.txt"), SECRET.repeat(2000)).unwrap();
    std::fs::write(
        files.join("d.json"),
        r#"{"title": "关于防汛物资的通知", "attachments": [{"name": "物资清单", "file": "清单.txt"}]}"#,
    )
    .unwrap();
    let saved = client.import_document(&files.join("d.json")).unwrap();
    client
        .open_draft(&saved.draft_id)
        .unwrap()
        .document
        .attachments[0]
        .file
        .clone()
        .unwrap()
}

fn blob_file(dir: &std::path::Path, reference: &str) -> std::path::PathBuf {
    let hash = reference.strip_prefix("sha256:").unwrap();
    dir.join("blobs").join(&hash[..2]).join(hash)
}

fn contains(haystack: &[u8], needle: &str) -> bool {
    haystack
        .windows(needle.len())
        .any(|w| w == needle.as_bytes())
}

#[test]
fn blob_files_do_not_hold_the_plaintext_and_reads_decrypt() {
    let dir = tempfile::tempdir().unwrap();
    let files = tempfile::tempdir().unwrap();
    let client = open(dir.path());
    let reference = import_with_attachment(&client, files.path());
    let raw = std::fs::read(blob_file(dir.path(), &reference)).unwrap();
    assert!(!contains(&raw, "防汛物资储备清单"), "plaintext on disk");
    // Nothing else under blobs/ holds it either (no leftover temp files).
    for entry in walk(&dir.path().join("blobs")) {
        assert!(
            !contains(&std::fs::read(&entry).unwrap(), "防汛物资储备清单"),
            "{entry:?}"
        );
    }

    let mut text = String::new();
    client
        .open_attachment(&reference)
        .unwrap()
        .read_to_string(&mut text)
        .unwrap();
    assert_eq!(text, SECRET.repeat(2000));
    let copy = client.attachment_path(&reference).unwrap();
    assert_eq!(std::fs::read_to_string(&copy).unwrap(), SECRET.repeat(2000));
    let saved_as = files.path().join("另存.txt");
    assert_eq!(
        client.save_attachment_as(&reference, &saved_as).unwrap(),
        (SECRET.len() * 2000) as u64
    );
    assert_eq!(
        std::fs::read_to_string(&saved_as).unwrap(),
        SECRET.repeat(2000)
    );
    // The decrypted copy for viewing goes when the client closes.
    drop(client);
    assert!(!copy.exists(), "{copy:?} outlived the session");
}

#[test]
fn tampering_is_detected() {
    let dir = tempfile::tempdir().unwrap();
    let files = tempfile::tempdir().unwrap();
    let client = open(dir.path());
    let reference = import_with_attachment(&client, files.path());
    let path = blob_file(dir.path(), &reference);
    let mut raw = std::fs::read(&path).unwrap();
    let middle = raw.len() / 2;
    raw[middle] ^= 0x01;
    std::fs::write(&path, &raw).unwrap();

    let e = client.attachment_path(&reference).unwrap_err();
    assert_eq!(e.code(), "blob_corrupt", "{e}");
    assert!(e.to_string().contains("篡改"), "{e}");
    let out = files.path().join("export.json");
    let e = client
        .export_draft(&client.list_drafts(10, 0).unwrap()[0].id, &out)
        .unwrap_err();
    assert_eq!(
        e.code(),
        "blob_corrupt",
        "export refuses a damaged attachment: {e}"
    );
    let mut sink = Vec::new();
    let e = client
        .open_attachment(&reference)
        .unwrap()
        .read_to_end(&mut sink)
        .unwrap_err();
    assert_eq!(e.kind(), std::io::ErrorKind::InvalidData);
}

#[test]
fn a_plaintext_store_is_sealed_on_open() {
    let dir = tempfile::tempdir().unwrap();
    let files = tempfile::tempdir().unwrap();
    let reference = {
        let client = open(dir.path());
        import_with_attachment(&client, files.path())
    };
    // Make the store look like one written by the previous version: a plaintext blob
    // file and no record of the conversion.
    let path = blob_file(dir.path(), &reference);
    std::fs::write(&path, SECRET.repeat(2000)).unwrap();
    let c = gongwen_client::store::connect_raw(
        &dir.path().join(gongwen_client::store::DB_FILE),
        &gongwen_client::key::Key::from_bytes([42u8; 32]),
    )
    .unwrap();
    c.execute("DELETE FROM meta WHERE key = 'blob_format'", [])
        .unwrap();
    drop(c);

    let client = open(dir.path());
    let raw = std::fs::read(&path).unwrap();
    assert!(
        !contains(&raw, "防汛物资储备清单"),
        "still plaintext after open"
    );
    let copy = client.attachment_path(&reference).unwrap();
    assert_eq!(std::fs::read_to_string(copy).unwrap(), SECRET.repeat(2000));
}

fn walk(dir: &std::path::Path) -> Vec<std::path::PathBuf> {
    let mut out = Vec::new();
    for e in std::fs::read_dir(dir).into_iter().flatten().flatten() {
        if e.path().is_dir() {
            out.extend(walk(&e.path()));
        } else {
            out.push(e.path());
        }
    }
    out
}

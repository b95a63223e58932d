//! Against a real Secret Service. These fail (never skip) without one: run them with
//! `scripts/with-keyring.sh cargo test -p gongwen-client`.

use gongwen_client::Client;
use gongwen_client::api::OpenOptions;
use gongwen_client::key::{KeyProvider, KeychainKeys, StoreIdentity};

fn require_secret_service() {
    if let Err(e) = KeychainKeys::probe() {
        panic!(
            "no Secret Service is reachable ({e}). Keychain tests need one: run them with \
             scripts/with-keyring.sh cargo test -p gongwen-client (make test does this)"
        );
    }
}

fn identity(dir: &std::path::Path) -> StoreIdentity {
    serde_json::from_str(&std::fs::read_to_string(dir.join("store.json")).unwrap()).unwrap()
}

#[test]
fn first_run_creates_a_key_in_the_keychain_and_reopens_with_it() {
    require_secret_service();
    let dir = tempfile::tempdir().unwrap();
    let client = Client::open(dir.path()).unwrap();
    let saved = client
        .create_draft(gongwen_domain::Document {
            title: "钥匙串测试".into(),
            ..Default::default()
        })
        .unwrap();
    drop(client);
    let id = identity(dir.path());
    let key = KeychainKeys
        .load(&id)
        .unwrap()
        .expect("the key is in the keychain");
    assert_eq!(key.as_bytes().len(), 32);
    let client = Client::open(dir.path()).unwrap();
    assert_eq!(
        client.open_draft(&saved.draft_id).unwrap().document.title,
        "钥匙串测试"
    );
    assert_eq!(
        client.store_about().unwrap().key_source,
        gongwen_client::key::KeySource::Keychain
    );
    drop(client);
    KeychainKeys.forget(&id).unwrap();
}

#[test]
fn without_its_key_the_store_does_not_open_and_is_not_touched() {
    require_secret_service();
    let dir = tempfile::tempdir().unwrap();
    drop(Client::open(dir.path()).unwrap());
    let id = identity(dir.path());
    KeychainKeys.forget(&id).unwrap();
    let db = dir.path().join("gongwen.db");
    let before = std::fs::read(&db).unwrap();
    let e = Client::open(dir.path()).unwrap_err();
    assert_eq!(e.code(), "key_missing", "{e}");
    assert!(e.to_string().contains("钥匙串"), "{e}");
    assert!(
        std::fs::read(&db).unwrap() == before,
        "the database changed"
    );
    // Not even a new key is created for an existing database.
    assert!(KeychainKeys.load(&id).unwrap().is_none());
}

#[test]
fn keys_of_different_stores_are_different() {
    require_secret_service();
    let (a, b) = (tempfile::tempdir().unwrap(), tempfile::tempdir().unwrap());
    drop(OpenOptions::new(a.path()).create(true).open().unwrap());
    drop(OpenOptions::new(b.path()).create(true).open().unwrap());
    let (ia, ib) = (identity(a.path()), identity(b.path()));
    assert_ne!(
        KeychainKeys.load(&ia).unwrap().unwrap(),
        KeychainKeys.load(&ib).unwrap().unwrap()
    );
    KeychainKeys.forget(&ia).unwrap();
    KeychainKeys.forget(&ib).unwrap();
}

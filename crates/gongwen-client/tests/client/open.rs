use gongwen_client::api::OpenOptions;
use gongwen_client::store::migrations;

use crate::common::{open, test_key};

#[test]
fn first_open_creates_an_empty_store() {
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().join("nested").join("data");
    let client = open(&data);
    let counts = client.queue_counts().unwrap();
    assert_eq!(
        (counts.todo, counts.done, counts.toread, counts.drafts),
        (0, 0, 0, 0)
    );
    let sync = client.sync_status().unwrap();
    assert!(!sync.online);
    assert_eq!(sync.pending, 0);
    assert_eq!(sync.last_sync, None);
    let info = client.store_info().unwrap();
    assert_eq!(info.about.schema_version, migrations::LATEST);
    assert_eq!(info.about.data_dir, data);
    assert!(info.about.db_path.starts_with(&data));
    assert!(data.join("store.json").exists());
    // The cheap form the window asks at start-up says the same about the store.
    assert_eq!(client.store_about().unwrap(), info.about);
}

#[test]
fn ui_types_serialize_in_camel_case() {
    let dir = tempfile::tempdir().unwrap();
    let client = open(dir.path());
    let sync = serde_json::to_value(client.sync_status().unwrap()).unwrap();
    assert!(sync.get("lastSync").is_some(), "{sync}");
    let info = serde_json::to_value(client.store_info().unwrap()).unwrap();
    assert!(info.get("schemaVersion").is_some(), "{info}");
}

#[test]
fn reopening_keeps_the_store_identity() {
    let dir = tempfile::tempdir().unwrap();
    let id = open(dir.path()).store_about().unwrap().store_id;
    assert_eq!(open(dir.path()).store_about().unwrap().store_id, id);
}

#[test]
fn opening_a_missing_store_without_create_says_init() {
    let dir = tempfile::tempdir().unwrap();
    let e = OpenOptions::new(dir.path().join("none"))
        .keys(test_key())
        .open()
        .unwrap_err();
    assert_eq!(e.code(), "not_initialized");
    assert!(e.to_string().contains("gongwen init"), "{e}");
}

#[test]
fn unwritable_data_folder_is_a_clear_error() {
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("a-file");
    std::fs::write(&file, "x").unwrap();
    // A path below a regular file can never be created, even as root.
    let e = OpenOptions::new(file.join("data"))
        .create(true)
        .keys(test_key())
        .open()
        .unwrap_err();
    assert_eq!(e.code(), "data_dir_unwritable", "{e}");
    assert!(e.to_string().contains("GONGWEN_DATA_DIR"), "{e}");
}

#[test]
fn wrong_key_is_refused_and_the_store_still_opens_with_the_right_one() {
    use gongwen_client::key::{Key, StaticKey};
    use std::sync::Arc;
    let dir = tempfile::tempdir().unwrap();
    drop(open(dir.path()));
    let wrong = Arc::new(StaticKey(Key::from_bytes([1; 32])));
    let e = OpenOptions::new(dir.path()).keys(wrong).open().unwrap_err();
    assert_eq!(e.code(), "wrong_key");
    open(dir.path()).queue_counts().unwrap();
}

#[test]
fn passphrase_store_asks_for_the_passphrase() {
    use gongwen_client::key::{KdfParams, PassphraseKeys};
    use std::sync::Arc;
    let dir = tempfile::tempdir().unwrap();
    let cheap = KdfParams {
        m_cost: 1024,
        t_cost: 1,
        p_cost: 1,
    };
    let keys = Arc::new(PassphraseKeys::with_params("一二三四五六七八", cheap).unwrap());
    drop(
        OpenOptions::new(dir.path())
            .create(true)
            .keys(keys)
            .open()
            .unwrap(),
    );
    // Default open (keychain) is told a passphrase is needed, before touching the keychain.
    let e = OpenOptions::new(dir.path()).open().unwrap_err();
    assert_eq!(e.code(), "passphrase_required");
    let wrong = Arc::new(PassphraseKeys::with_params("八七六五四三二一", cheap).unwrap());
    assert_eq!(
        OpenOptions::new(dir.path())
            .keys(wrong)
            .open()
            .unwrap_err()
            .code(),
        "wrong_key"
    );
    let right = Arc::new(PassphraseKeys::with_params("一二三四五六七八", cheap).unwrap());
    OpenOptions::new(dir.path()).keys(right).open().unwrap();
}

/// A keychain that is not there: what a bare desktop session (no Secret Service) gives.
struct NoKeychain;

impl gongwen_client::key::KeyProvider for NoKeychain {
    fn source(&self) -> gongwen_client::key::KeySource {
        gongwen_client::key::KeySource::Keychain
    }
    fn load(
        &self,
        _: &gongwen_client::key::StoreIdentity,
    ) -> gongwen_client::Result<Option<gongwen_client::key::Key>> {
        Err(gongwen_client::Error::KeychainUnavailable {
            reason: "no dbus".into(),
        })
    }
    fn create(
        &self,
        _: &gongwen_client::key::StoreIdentity,
    ) -> gongwen_client::Result<gongwen_client::key::Key> {
        Err(gongwen_client::Error::KeychainUnavailable {
            reason: "no dbus".into(),
        })
    }
}

#[test]
fn without_a_keychain_a_new_store_can_still_be_protected_by_a_passphrase() {
    use gongwen_client::Client;
    use gongwen_client::key::{KdfParams, KeySource, PassphraseKeys};
    use std::sync::Arc;
    let dir = tempfile::tempdir().unwrap();
    assert_eq!(Client::existing_key_source(dir.path()).unwrap(), None);
    // The first open fails for want of a keychain, after writing store.json.
    let e = OpenOptions::new(dir.path())
        .create(true)
        .keys(Arc::new(NoKeychain))
        .open()
        .unwrap_err();
    assert_eq!(e.code(), "keychain_unavailable");
    // No database was created: still no store, so the app offers a passphrase.
    assert_eq!(Client::existing_key_source(dir.path()).unwrap(), None);
    let cheap = KdfParams {
        m_cost: 1024,
        t_cost: 1,
        p_cost: 1,
    };
    let keys = Arc::new(PassphraseKeys::with_params("一二三四五六七八", cheap).unwrap());
    let client = OpenOptions::new(dir.path())
        .create(true)
        .keys(keys)
        .open()
        .unwrap();
    assert_eq!(
        client.store_about().unwrap().key_source,
        KeySource::Passphrase
    );
    drop(client);
    assert_eq!(
        Client::existing_key_source(dir.path()).unwrap(),
        Some(KeySource::Passphrase)
    );
    // Once the database exists, its key source is kept: the keychain is not offered.
    let e = OpenOptions::new(dir.path())
        .create(true)
        .keys(Arc::new(NoKeychain))
        .open()
        .unwrap_err();
    assert_eq!(e.code(), "passphrase_required");
}

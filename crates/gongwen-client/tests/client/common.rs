use std::path::Path;
use std::sync::Arc;

use gongwen_client::Client;
use gongwen_client::api::OpenOptions;
use gongwen_client::key::{Key, StaticKey};

pub fn test_key() -> Arc<StaticKey> {
    Arc::new(StaticKey(Key::from_bytes([42; 32])))
}

/// Opens (creating) a store with a fixed key and user 张三.
pub fn open(dir: &Path) -> Client {
    OpenOptions::new(dir)
        .create(true)
        .keys(test_key())
        .user("张三")
        .open()
        .unwrap()
}

pub fn example(name: &str) -> String {
    let path = format!("{}/../../docs/examples/{name}", env!("CARGO_MANIFEST_DIR"));
    std::fs::read_to_string(path).unwrap()
}

pub fn doc(json: &str) -> gongwen_domain::Document {
    gongwen_domain::Document::from_json(json).unwrap()
}

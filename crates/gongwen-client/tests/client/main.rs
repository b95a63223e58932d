//! Integration tests of `gongwen_client::api`, against real encrypted stores in temp
//! folders. Keychain tests need a Secret Service: run them through
//! `scripts/with-keyring.sh cargo test -p gongwen-client`.

mod at_rest;
mod autosave;
mod common;
mod drafts;
mod keychain;
mod open;
mod search;

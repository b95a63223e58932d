//! Drives the real `gongwen` binary. The store key lives in the OS keychain, so these
//! need a Secret Service: run them with `scripts/with-keyring.sh cargo test -p gongwen-cli`
//! (make test does). Without one they fail with a message saying so.

mod autosave;
mod commands;
mod support;

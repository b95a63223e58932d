//! Integration tests: the real server on 127.0.0.1:0 against a fresh
//! PostgreSQL database from gongwen-testkit, and the real binary for the
//! command line. One test binary; one module per area.

mod admin;
mod auth;
mod cli;
// Shared with tests/exchange.rs and tests/sync_server.rs; each uses part of it.
#[allow(dead_code)]
#[path = "../support/mod.rs"]
mod common;
mod health;
mod password;
mod registry;
mod templates;
mod tls;

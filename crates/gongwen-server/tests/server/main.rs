//! Integration tests: the real server on 127.0.0.1:0 against a fresh
//! PostgreSQL database from gongwen-testkit, and the real binary for the
//! command line. One test binary; one module per area.

mod admin;
mod auth;
mod cli;
mod common;
mod health;
mod registry;
mod templates;
mod tls;

//! Gongwen's HTTP wire types, shared by the client and the server.
//!
//! Every request carries [`PROTOCOL_VERSION`]; fields that older peers do not send
//! are `#[serde(default)]`. See `../shared/design/SYNC.md` for the sync design.

use serde::{Deserialize, Serialize};

/// The wire protocol version. Bump on any incompatible change.
pub const PROTOCOL_VERSION: u32 = 1;

/// `GET /v1/health`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Health {
    /// `"ok"` when the server and its database answer.
    pub status: String,
    /// The server's version (its crate version).
    pub version: String,
    pub protocol: u32,
    /// `"ok"`, or the reason the database is not usable.
    pub database: String,
    /// The server schema version applied to the database.
    #[serde(default)]
    pub schema_version: i64,
}

/// Every error the server returns: a stable code the client branches on, and a
/// message for people (zh-CN).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ApiError {
    pub code: String,
    pub message: String,
}

pub mod auth;
pub mod directory;
pub mod exchange;
pub mod registry;
pub mod sync;

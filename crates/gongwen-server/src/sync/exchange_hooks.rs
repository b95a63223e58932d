//! Where sync meets the 公文交换 and the blob store: `exchange.sign.v1`, the delivery
//! at 核发 and the `BLOB_MISSING` check of a mutation's declared blobs.
//!
//! The exchange and blob modules are not part of this build yet, so: a declared blob
//! is present only if the `blobs` table lists it (no table: not present, the mutation
//! waits), `exchange.sign.v1` is refused as unknown, and 核发 delivers nothing.

use deadpool_postgres::GenericClient;
use gongwen_protocol::sync::codes;

use super::flows::FlowRow;
use super::{Applying, Failure, Rejection};
use crate::error::Result;

/// Whether a complete blob is on the server.
pub(super) async fn blob_present(c: &impl GenericClient, blob: &str) -> Result<bool> {
    let table: bool = c
        .query_one("SELECT to_regclass('blobs') IS NOT NULL", &[])
        .await?
        .get(0);
    if !table {
        return Ok(false);
    }
    Ok(c.query_opt("SELECT 1 FROM blobs WHERE id = $1", &[&blob])
        .await?
        .is_some())
}

/// `exchange.sign.v1`: not available in this build.
pub(super) async fn sign(
    _tx: &deadpool_postgres::Transaction<'_>,
    _a: &mut Applying<'_>,
    _args: &serde_json::Value,
) -> std::result::Result<Option<serde_json::Value>, Failure> {
    Err(Failure::Rejected(Rejection::new(
        codes::UNKNOWN_MUTATION,
        "本服务器尚不支持公文交换的签收，请联系管理员升级服务器",
    )))
}

/// 核发 completed: no exchange in this build, nothing is delivered.
pub(super) async fn deliver(
    _tx: &deadpool_postgres::Transaction<'_>,
    _a: &mut Applying<'_>,
    _flow: &FlowRow,
    _args: &serde_json::Value,
) -> std::result::Result<Option<serde_json::Value>, Failure> {
    Ok(None)
}

//! Offline-first sync, server side (SYNC.md): `POST /v1/sync/push` applies each
//! client's command log exactly once and in order, `POST /v1/sync/pull` serves the
//! per-bucket op logs the caller may see.
//!
//! See [`buckets`] for the buckets that exist and who may pull them.

pub mod buckets;

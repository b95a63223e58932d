//! Authentication and authorization.
//!
//! * Passwords: Argon2id ([`password`]).
//! * Tokens: opaque random strings, stored as SHA-256 ([`tokens`]), because
//!   revocation must be immediate (logout, reuse detection, a disabled user)
//!   and server instances share nothing but the database: a lookup per request
//!   is cheap next to the work the request does, and there is no signing key to
//!   distribute or rotate. Access tokens live minutes, refresh tokens weeks and
//!   are single-use; see [`session`].
//! * One's own password: [`account`] (change, and an administrator's reset; both end
//!   every session of the user).
//! * Authorization: one pure function, [`authorize`], that every handler calls.

pub mod account;
pub mod authz;
pub mod password;
pub mod session;
pub mod tokens;

pub use authz::{Action, Caller, Resource, authorize};

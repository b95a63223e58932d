//! Opaque bearer tokens: a prefix saying what the token is, then 32 random
//! bytes in hex. Only the SHA-256 of a token is stored.
//!
//! The pair a refresh issues is not drawn at random but derived ([`successors`]) from
//! the presented refresh token, the device that presented it and a secret only the
//! server holds: presenting the same token from the same device again (within the
//! grace of [`crate::auth::session::refresh`]) finds the same pair, still stored only
//! as hashes, and the holder of a refresh token cannot compute its successors.

use sha2::{Digest, Sha256};

use crate::error::{Error, Result};

pub const ACCESS_PREFIX: &str = "gwa_";
pub const REFRESH_PREFIX: &str = "gwr_";

pub fn generate(prefix: &str) -> Result<String> {
    let mut bytes = [0u8; 32];
    getrandom::fill(&mut bytes).map_err(|e| Error::Invalid(format!("无法生成随机数：{e}")))?;
    Ok(format!("{prefix}{}", hex::encode(bytes)))
}

pub fn digest(token: &str) -> Vec<u8> {
    Sha256::digest(token.as_bytes()).to_vec()
}

/// The access and refresh tokens a rotation of `refresh_token` by `device` issues:
/// HKDF-SHA256 with `secret` as the salt and the token as the input keying material,
/// one 32-byte output per kind, bound to the device id.
pub fn successors(secret: &[u8], refresh_token: &str, device: &str) -> (String, String) {
    let hk = hkdf::Hkdf::<Sha256>::new(Some(secret), refresh_token.as_bytes());
    let derive = |kind: &str, prefix: &str| {
        let mut info = Vec::with_capacity(40 + device.len());
        info.extend_from_slice(b"gongwen refresh rotation v1\0");
        info.extend_from_slice(kind.as_bytes());
        info.push(0);
        info.extend_from_slice(device.as_bytes());
        let mut out = [0u8; 32];
        hk.expand(&info, &mut out)
            .expect("32 bytes is a valid HKDF-SHA256 output length");
        format!("{prefix}{}", hex::encode(out))
    };
    (
        derive("access", ACCESS_PREFIX),
        derive("refresh", REFRESH_PREFIX),
    )
}

/// A syntactically plausible token of the given kind (cheap rejection of junk
/// before touching the database).
pub fn well_formed(token: &str, prefix: &str) -> bool {
    token.len() == prefix.len() + 64
        && token.starts_with(prefix)
        && token[prefix.len()..].bytes().all(|b| b.is_ascii_hexdigit())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tokens_are_random_and_well_formed() {
        let a = generate(ACCESS_PREFIX).unwrap();
        let b = generate(ACCESS_PREFIX).unwrap();
        assert_ne!(a, b);
        assert!(well_formed(&a, ACCESS_PREFIX));
        assert!(!well_formed(&a, REFRESH_PREFIX));
        assert!(!well_formed("gwa_' OR 1=1 --", ACCESS_PREFIX));
        assert_eq!(digest(&a).len(), 32);
    }

    #[test]
    fn successors_are_stable_per_device_and_secret() {
        let r = generate(REFRESH_PREFIX).unwrap();
        let (a1, r1) = successors(b"secret", &r, "dev-1");
        assert!(well_formed(&a1, ACCESS_PREFIX));
        assert!(well_formed(&r1, REFRESH_PREFIX));
        assert_eq!(successors(b"secret", &r, "dev-1"), (a1.clone(), r1.clone()));
        assert_ne!(successors(b"secret", &r, "dev-2").1, r1);
        assert_ne!(successors(b"other", &r, "dev-1").1, r1);
        let other = generate(REFRESH_PREFIX).unwrap();
        assert_ne!(successors(b"secret", &other, "dev-1").1, r1);
        assert_ne!(a1[ACCESS_PREFIX.len()..], r1[REFRESH_PREFIX.len()..]);
    }
}

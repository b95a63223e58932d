//! Opaque bearer tokens: a prefix saying what the token is, then 32 random
//! bytes in hex. Only the SHA-256 of a token is stored.

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
}

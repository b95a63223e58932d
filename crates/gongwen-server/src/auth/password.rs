//! Argon2id password hashing (the `argon2` crate's defaults: Argon2id v19,
//! m = 19 MiB, t = 2, p = 1, as OWASP recommends). Hashing is CPU-bound, so the
//! async wrappers run it on the blocking pool.

use std::sync::OnceLock;

use argon2::password_hash::SaltString;
use argon2::{Argon2, PasswordHash, PasswordHasher, PasswordVerifier};

use crate::error::{Error, Result};

pub const MIN_LEN: usize = 8;
pub const MAX_LEN: usize = 256;

/// Check the password policy.
pub fn check_policy(password: &str) -> Result<()> {
    let n = password.chars().count();
    if n < MIN_LEN {
        return Err(Error::Invalid(format!(
            "密码太短：至少需要 {MIN_LEN} 个字符"
        )));
    }
    if n > MAX_LEN {
        return Err(Error::Invalid(format!("密码太长：最多 {MAX_LEN} 个字符")));
    }
    Ok(())
}

/// Hash a password (after checking the policy).
pub fn hash(password: &str) -> Result<String> {
    check_policy(password)?;
    let mut salt = [0u8; 16];
    getrandom::fill(&mut salt).map_err(|e| Error::Invalid(format!("无法生成随机数：{e}")))?;
    let salt = SaltString::encode_b64(&salt).map_err(|e| Error::Invalid(e.to_string()))?;
    Argon2::default()
        .hash_password(password.as_bytes(), &salt)
        .map(|h| h.to_string())
        .map_err(|e| Error::Invalid(format!("无法计算密码摘要：{e}")))
}

/// Verify a password against a stored PHC string. A missing hash verifies
/// against a dummy one so that unknown users take as long as known ones.
pub fn verify(password: &str, stored: Option<&str>) -> bool {
    let stored = match stored {
        Some(s) => s,
        None => {
            let _ = verify(password, Some(dummy_hash()));
            return false;
        }
    };
    match PasswordHash::new(stored) {
        Ok(parsed) => Argon2::default()
            .verify_password(password.as_bytes(), &parsed)
            .is_ok(),
        Err(_) => false,
    }
}

fn dummy_hash() -> &'static str {
    static DUMMY: OnceLock<String> = OnceLock::new();
    DUMMY.get_or_init(|| hash("gongwen-dummy-password").unwrap_or_default())
}

pub async fn hash_blocking(password: String) -> Result<String> {
    tokio::task::spawn_blocking(move || hash(&password))
        .await
        .map_err(|e| Error::Invalid(format!("密码处理失败：{e}")))?
}

pub async fn verify_blocking(password: String, stored: Option<String>) -> bool {
    tokio::task::spawn_blocking(move || verify(&password, stored.as_deref()))
        .await
        .unwrap_or(false)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hash_and_verify() {
        let h = hash("正确的密码123").unwrap();
        assert!(h.starts_with("$argon2id$"));
        assert!(verify("正确的密码123", Some(&h)));
        assert!(!verify("错误的密码123", Some(&h)));
        assert!(!verify("正确的密码123", None));
        assert!(!verify("x", Some("not a phc string")));
        assert_ne!(hash("正确的密码123").unwrap(), h, "salted");
    }

    #[test]
    fn policy() {
        assert!(hash("short").unwrap_err().to_string().contains("太短"));
        assert!(check_policy(&"x".repeat(MAX_LEN + 1)).is_err());
    }
}

//! Keys for the encrypted store (SQLCipher).
//!
//! The database is encrypted with a random 256-bit raw key (`PRAGMA key = "x'…'"`,
//! which also skips SQLCipher's own KDF, so opening is fast). Where the key comes from
//! is a [`KeyProvider`]:
//!
//! - [`KeychainKeys`]: the OS keychain through `keyring` (Secret Service on Linux,
//!   Credential Manager on Windows, Keychain on macOS). The key is created on first run
//!   and stored under service `gongwen`, user `store-key:<store id>`.
//! - [`PassphraseKeys`]: where no keychain is available, a key derived from a passphrase
//!   with Argon2id. The salt and cost parameters live in the data folder's `store.json`;
//!   the derivation runs once per session (the provider caches the derived key).
//! - [`StaticKey`]: a fixed key, for tests and tools.
//!
//! Which kind a store uses is recorded in `store.json` ([`StoreIdentity`]), so a later
//! open knows whether to ask the keychain or the user.

use std::path::Path;
use std::sync::Mutex;

use serde::{Deserialize, Serialize};
use zeroize::Zeroize;

use crate::error::{Error, Result};

/// The keychain service name.
pub const KEYCHAIN_SERVICE: &str = "gongwen";

/// A 256-bit database key. Wiped from memory when dropped.
#[derive(Clone, PartialEq, Eq)]
pub struct Key([u8; 32]);

impl Drop for Key {
    fn drop(&mut self) {
        self.0.zeroize();
    }
}

impl Key {
    pub fn from_bytes(bytes: [u8; 32]) -> Key {
        Key(bytes)
    }

    /// A fresh random key from the OS random source.
    pub fn random() -> Result<Key> {
        let mut b = [0u8; 32];
        getrandom::fill(&mut b).map_err(|e| Error::Keychain(format!("无法生成随机密钥：{e}")))?;
        Ok(Key(b))
    }

    pub fn as_bytes(&self) -> &[u8; 32] {
        &self.0
    }

    /// The SQLCipher pragma value: `x'…'` (raw key, no KDF).
    pub(crate) fn pragma_value(&self) -> String {
        format!("\"x'{}'\"", hex::encode_upper(self.0))
    }
}

impl std::fmt::Debug for Key {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("Key(…)")
    }
}

/// Where a store's key comes from.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub enum KeySource {
    /// The OS keychain.
    Keychain,
    /// A passphrase, through Argon2id.
    Passphrase,
    /// A key given by the caller (tests, tools).
    Static,
}

impl KeySource {
    pub fn label(self) -> &'static str {
        match self {
            KeySource::Keychain => "系统钥匙串",
            KeySource::Passphrase => "口令",
            KeySource::Static => "指定密钥",
        }
    }
}

/// Argon2id cost parameters, kept with the salt in `store.json`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct KdfParams {
    /// Memory in KiB.
    pub m_cost: u32,
    pub t_cost: u32,
    pub p_cost: u32,
}

impl Default for KdfParams {
    /// OWASP's recommended Argon2id setting: 64 MiB, 3 passes, 1 lane.
    fn default() -> KdfParams {
        KdfParams {
            m_cost: 64 * 1024,
            t_cost: 3,
            p_cost: 1,
        }
    }
}

/// The passphrase derivation's salt and parameters.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct KdfSettings {
    pub algorithm: String,
    /// Hex of 16 random bytes.
    pub salt: String,
    pub params: KdfParams,
}

/// The identity of a store, kept in `<data dir>/store.json` (not secret).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct StoreIdentity {
    /// A UUIDv7 naming this store (the keychain entry is keyed by it).
    pub store_id: String,
    pub key_source: KeySource,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub kdf: Option<KdfSettings>,
}

impl StoreIdentity {
    pub(crate) const FILE: &'static str = "store.json";

    pub(crate) fn load(data_dir: &Path) -> Result<Option<StoreIdentity>> {
        let path = data_dir.join(Self::FILE);
        match std::fs::read_to_string(&path) {
            Ok(s) => serde_json::from_str(&s)
                .map(Some)
                .map_err(|e| Error::Corrupt(format!("{} 无法读取：{e}", path.display()))),
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(None),
            Err(e) => Err(Error::io(path, e)),
        }
    }

    /// Writes the file atomically (temp file, fsync, rename).
    pub(crate) fn save(&self, data_dir: &Path) -> Result<()> {
        let path = data_dir.join(Self::FILE);
        let json = serde_json::to_string_pretty(self).expect("identity serializes");
        crate::fsutil::write_atomic(&path, json.as_bytes())
    }
}

/// Supplies the key of a store.
pub trait KeyProvider: Send + Sync {
    /// The kind recorded in `store.json` for stores created with this provider.
    fn source(&self) -> KeySource;

    /// Settings to record for a new store (the passphrase provider's salt).
    fn new_identity(&self, store_id: String) -> Result<StoreIdentity> {
        Ok(StoreIdentity {
            store_id,
            key_source: self.source(),
            kdf: None,
        })
    }

    /// The key of an existing store, or `None` when this provider has none for it.
    fn load(&self, identity: &StoreIdentity) -> Result<Option<Key>>;

    /// Creates (and remembers, where the provider stores keys) the key of a new store.
    fn create(&self, identity: &StoreIdentity) -> Result<Key>;

    /// Forgets the key of a store (the store becomes unreadable). Used when a store is
    /// deleted.
    fn forget(&self, _identity: &StoreIdentity) -> Result<()> {
        Ok(())
    }
}

/// Keys kept in the OS keychain.
#[derive(Debug, Default, Clone, Copy)]
pub struct KeychainKeys;

impl KeychainKeys {
    fn entry(identity: &StoreIdentity) -> Result<keyring::Entry> {
        if let Err(e) = keyring::Entry::store_status() {
            return Err(Error::KeychainUnavailable {
                reason: e.to_string(),
            });
        }
        keyring::Entry::new(
            KEYCHAIN_SERVICE,
            &format!("store-key:{}", identity.store_id),
        )
        .map_err(keychain_error)
    }

    /// Checks that a keychain is reachable by writing, reading and deleting a probe
    /// entry.
    pub fn probe() -> Result<()> {
        let id = StoreIdentity {
            store_id: format!("probe-{}", uuid::Uuid::now_v7()),
            key_source: KeySource::Keychain,
            kdf: None,
        };
        let entry = Self::entry(&id)?;
        entry.set_secret(b"probe").map_err(keychain_error)?;
        let back = entry.get_secret().map_err(keychain_error)?;
        entry.delete_credential().map_err(keychain_error)?;
        if back != b"probe" {
            return Err(Error::Keychain("钥匙串读回的内容与写入的不一致".into()));
        }
        Ok(())
    }
}

fn keychain_error(e: keyring::Error) -> Error {
    match e {
        keyring::Error::NoStorageAccess(_)
        | keyring::Error::PlatformFailure(_)
        | keyring::Error::NoDefaultStore => Error::KeychainUnavailable {
            reason: e.to_string(),
        },
        other => Error::Keychain(other.to_string()),
    }
}

impl KeyProvider for KeychainKeys {
    fn source(&self) -> KeySource {
        KeySource::Keychain
    }

    fn load(&self, identity: &StoreIdentity) -> Result<Option<Key>> {
        let entry = Self::entry(identity)?;
        match entry.get_secret() {
            Ok(bytes) => {
                let arr: [u8; 32] = bytes
                    .as_slice()
                    .try_into()
                    .map_err(|_| Error::Keychain("钥匙串中的数据库密钥长度不对".into()))?;
                Ok(Some(Key(arr)))
            }
            Err(keyring::Error::NoEntry) => Ok(None),
            Err(e) => Err(keychain_error(e)),
        }
    }

    fn create(&self, identity: &StoreIdentity) -> Result<Key> {
        let key = Key::random()?;
        let entry = Self::entry(identity)?;
        entry.set_secret(key.as_bytes()).map_err(keychain_error)?;
        // Read it back: a keychain that silently drops writes must not leave us with a
        // database nobody can open.
        match self.load(identity)? {
            Some(k) if k == key => Ok(key),
            _ => Err(Error::Keychain("写入钥匙串的密钥无法读回".into())),
        }
    }

    fn forget(&self, identity: &StoreIdentity) -> Result<()> {
        match Self::entry(identity)?.delete_credential() {
            Ok(()) | Err(keyring::Error::NoEntry) => Ok(()),
            Err(e) => Err(keychain_error(e)),
        }
    }
}

/// A key derived from a passphrase with Argon2id, derived once and cached for the
/// session.
pub struct PassphraseKeys {
    passphrase: zeroize::Zeroizing<String>,
    params: KdfParams,
    cache: Mutex<Option<(String, Key)>>,
}

impl PassphraseKeys {
    /// The shortest passphrase accepted.
    pub const MIN_CHARS: usize = 8;

    pub fn new(passphrase: impl Into<String>) -> Result<PassphraseKeys> {
        PassphraseKeys::with_params(passphrase, KdfParams::default())
    }

    /// With explicit cost parameters for new stores (an existing store's parameters
    /// always come from its `store.json`).
    pub fn with_params(passphrase: impl Into<String>, params: KdfParams) -> Result<PassphraseKeys> {
        let passphrase = zeroize::Zeroizing::new(passphrase.into());
        if passphrase.chars().count() < Self::MIN_CHARS {
            return Err(Error::BadPassphrase("至少需要 8 个字符"));
        }
        Ok(PassphraseKeys {
            passphrase,
            params,
            cache: Mutex::new(None),
        })
    }

    fn derive(&self, identity: &StoreIdentity) -> Result<Key> {
        let mut cache = self.cache.lock().unwrap_or_else(|p| p.into_inner());
        if let Some((id, key)) = cache.as_ref()
            && *id == identity.store_id
        {
            return Ok(key.clone());
        }
        let kdf = identity
            .kdf
            .as_ref()
            .ok_or_else(|| Error::Corrupt("store.json 缺少口令派生参数".into()))?;
        let salt =
            hex::decode(&kdf.salt).map_err(|_| Error::Corrupt("store.json 中的盐值无效".into()))?;
        let params = argon2::Params::new(
            kdf.params.m_cost,
            kdf.params.t_cost,
            kdf.params.p_cost,
            Some(32),
        )
        .map_err(|e| Error::Corrupt(format!("store.json 中的口令派生参数无效：{e}")))?;
        let argon =
            argon2::Argon2::new(argon2::Algorithm::Argon2id, argon2::Version::V0x13, params);
        let mut out = [0u8; 32];
        argon
            .hash_password_into(self.passphrase.as_bytes(), &salt, &mut out)
            .map_err(|e| Error::Corrupt(format!("口令派生失败：{e}")))?;
        let key = Key(out);
        out.zeroize();
        *cache = Some((identity.store_id.clone(), key.clone()));
        Ok(key)
    }
}

impl KeyProvider for PassphraseKeys {
    fn source(&self) -> KeySource {
        KeySource::Passphrase
    }

    fn new_identity(&self, store_id: String) -> Result<StoreIdentity> {
        let mut salt = [0u8; 16];
        getrandom::fill(&mut salt)
            .map_err(|e| Error::Keychain(format!("无法生成随机盐值：{e}")))?;
        Ok(StoreIdentity {
            store_id,
            key_source: KeySource::Passphrase,
            kdf: Some(KdfSettings {
                algorithm: "argon2id".into(),
                salt: hex::encode(salt),
                params: self.params,
            }),
        })
    }

    fn load(&self, identity: &StoreIdentity) -> Result<Option<Key>> {
        self.derive(identity).map(Some)
    }

    fn create(&self, identity: &StoreIdentity) -> Result<Key> {
        self.derive(identity)
    }
}

/// A fixed key (tests, tools, benchmarks).
#[derive(Debug, Clone)]
pub struct StaticKey(pub Key);

impl KeyProvider for StaticKey {
    fn source(&self) -> KeySource {
        KeySource::Static
    }
    fn load(&self, _identity: &StoreIdentity) -> Result<Option<Key>> {
        Ok(Some(self.0.clone()))
    }
    fn create(&self, _identity: &StoreIdentity) -> Result<Key> {
        Ok(self.0.clone())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn cheap() -> KdfParams {
        KdfParams {
            m_cost: 1024,
            t_cost: 1,
            p_cost: 1,
        }
    }

    #[test]
    fn pragma_value_is_raw_hex_key() {
        let k = Key::from_bytes([0xab; 32]);
        let v = k.pragma_value();
        assert!(v.starts_with("\"x'ABAB"));
        assert_eq!(v.len(), 64 + 5);
    }

    #[test]
    fn passphrase_derivation_is_deterministic_per_salt() {
        let p = PassphraseKeys::with_params("正确的口令12345", cheap()).unwrap();
        let id = p.new_identity("s1".into()).unwrap();
        let k1 = p.load(&id).unwrap().unwrap();
        let p2 = PassphraseKeys::with_params("正确的口令12345", cheap()).unwrap();
        assert_eq!(p2.load(&id).unwrap().unwrap(), k1);
        let other = PassphraseKeys::with_params("错误的口令12345", cheap()).unwrap();
        assert_ne!(other.load(&id).unwrap().unwrap(), k1);
        let id2 = p.new_identity("s2".into()).unwrap();
        assert_ne!(
            p.load(&id2).unwrap().unwrap(),
            k1,
            "a different salt gives a different key"
        );
    }

    #[test]
    fn short_passphrase_is_refused() {
        let e = PassphraseKeys::new("1234").err().unwrap();
        assert_eq!(e.code(), "bad_passphrase");
    }

    #[test]
    fn random_keys_differ() {
        assert_ne!(Key::random().unwrap(), Key::random().unwrap());
    }
}

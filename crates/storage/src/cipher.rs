//! The token cipher: AES-256-GCM with key rotation.
//!
//! Stored form (bytes): `b"v1:" ‖ key_id ‖ b":" ‖ nonce (12 bytes) ‖ ciphertext ‖ tag (16 bytes)`.
//! The key id names the key that encrypted the value, so any configured key can decrypt and
//! keys can rotate: encrypt with the primary key, keep old keys for decryption until every row
//! has been rewritten (each token refresh rewrites the row). The prefix and key id are also the
//! AEAD's associated data, so they cannot be altered without the tag failing.

use std::fmt;

use aes_gcm::aead::{Aead, KeyInit, OsRng, Payload};
use aes_gcm::{AeadCore, Aes256Gcm, Key, Nonce};
use base64::Engine as _;
use base64::engine::general_purpose::STANDARD;
use secrecy::{ExposeSecret, SecretString};

/// Format marker of the stored form.
const VERSION_PREFIX: &[u8] = b"v1:";
/// AES-GCM nonce length (96 bits).
const NONCE_LEN: usize = 12;
/// Key length of AES-256.
const KEY_LEN: usize = 32;

/// Errors of the token cipher. None of them carries key material or plaintext.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum CryptoError {
    /// A key id is empty or contains `:` or characters outside `[A-Za-z0-9_-]`.
    #[error("invalid key id {0:?}: use 1 to 32 of [A-Za-z0-9_-]")]
    InvalidKeyId(String),
    /// A key is not 32 bytes of standard base64.
    #[error("key {0:?} is not 32 bytes of base64")]
    InvalidKey(String),
    /// No key was configured.
    #[error("no encryption key configured")]
    NoKeys,
    /// Two keys share an id.
    #[error("duplicate key id {0:?}")]
    DuplicateKeyId(String),
    /// The stored value does not have the `v1:<key id>:` layout.
    #[error("stored ciphertext is malformed")]
    Malformed,
    /// The stored value names a key that is not configured.
    #[error("ciphertext was encrypted with unknown key {0:?}")]
    UnknownKey(String),
    /// Authentication failed: wrong key material under that id, or tampered bytes.
    #[error("ciphertext failed authentication (wrong key or tampered)")]
    Authentication,
    /// Encryption failed (does not happen with valid keys; kept typed rather than panicking).
    #[error("encryption failed")]
    Encryption,
    /// The decrypted bytes are not UTF-8 (the cipher only stores text).
    #[error("decrypted value is not UTF-8")]
    NotUtf8,
}

/// One AES-256 key and the id stored beside what it encrypts.
#[derive(Clone)]
pub struct TokenKey {
    id: String,
    cipher: Aes256Gcm,
}

impl fmt::Debug for TokenKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("TokenKey")
            .field("id", &self.id)
            .field("key", &"[redacted]")
            .finish()
    }
}

impl TokenKey {
    /// A key from its id and 32 raw bytes.
    pub fn new(id: &str, key: &[u8; KEY_LEN]) -> Result<Self, CryptoError> {
        let valid_id = (1..=32).contains(&id.len())
            && id
                .chars()
                .all(|c| c.is_ascii_alphanumeric() || c == '_' || c == '-');
        if !valid_id {
            return Err(CryptoError::InvalidKeyId(id.to_owned()));
        }
        Ok(Self {
            id: id.to_owned(),
            cipher: Aes256Gcm::new(Key::<Aes256Gcm>::from_slice(key)),
        })
    }

    /// A key from its id and standard base64 of 32 bytes (`openssl rand -base64 32`).
    pub fn from_base64(id: &str, key: &SecretString) -> Result<Self, CryptoError> {
        let bytes = STANDARD
            .decode(key.expose_secret().trim())
            .map_err(|_| CryptoError::InvalidKey(id.to_owned()))?;
        let bytes: [u8; KEY_LEN] = bytes
            .try_into()
            .map_err(|_| CryptoError::InvalidKey(id.to_owned()))?;
        Self::new(id, &bytes)
    }

    /// Parses `id:base64`, the form of one entry in `TOKEN_ENCRYPTION_KEY`.
    pub fn parse(entry: &SecretString) -> Result<Self, CryptoError> {
        let (id, key) = entry
            .expose_secret()
            .trim()
            .split_once(':')
            .ok_or_else(|| CryptoError::InvalidKeyId(String::new()))?;
        Self::from_base64(id, &SecretString::from(key.to_owned()))
    }

    /// A fresh random key (for sandbox mode and tests).
    pub fn generate(id: &str) -> Result<Self, CryptoError> {
        let key = Aes256Gcm::generate_key(OsRng);
        let mut bytes = [0_u8; KEY_LEN];
        bytes.copy_from_slice(&key);
        Self::new(id, &bytes)
    }

    /// The key's id.
    pub fn id(&self) -> &str {
        &self.id
    }
}

/// Encrypts with the primary key, decrypts with any configured key.
#[derive(Clone)]
pub struct TokenCipher {
    primary: TokenKey,
    others: Vec<TokenKey>,
}

impl fmt::Debug for TokenCipher {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("TokenCipher")
            .field("primary", &self.primary.id)
            .field(
                "others",
                &self.others.iter().map(TokenKey::id).collect::<Vec<_>>(),
            )
            .finish()
    }
}

impl TokenCipher {
    /// A cipher encrypting with `primary` and also decrypting with `others` (older keys).
    pub fn new(primary: TokenKey, others: Vec<TokenKey>) -> Result<Self, CryptoError> {
        let mut seen = vec![primary.id.as_str()];
        for key in &others {
            if seen.contains(&key.id.as_str()) {
                return Err(CryptoError::DuplicateKeyId(key.id.clone()));
            }
            seen.push(&key.id);
        }
        Ok(Self { primary, others })
    }

    /// Parses a comma-separated list of `id:base64` keys; the first one is the primary.
    pub fn parse(keys: &SecretString) -> Result<Self, CryptoError> {
        let mut parsed = keys
            .expose_secret()
            .split(',')
            .filter(|entry| !entry.trim().is_empty())
            .map(|entry| TokenKey::parse(&SecretString::from(entry.to_owned())));
        let primary = parsed.next().ok_or(CryptoError::NoKeys)??;
        let others = parsed.collect::<Result<Vec<_>, _>>()?;
        Self::new(primary, others)
    }

    /// Encrypts `plaintext` with the primary key and a fresh random 96-bit nonce.
    pub fn encrypt(&self, plaintext: &SecretString) -> Result<Vec<u8>, CryptoError> {
        let header = header(&self.primary.id);
        let nonce = Aes256Gcm::generate_nonce(&mut OsRng);
        let ciphertext = self
            .primary
            .cipher
            .encrypt(
                &nonce,
                Payload {
                    msg: plaintext.expose_secret().as_bytes(),
                    aad: &header,
                },
            )
            .map_err(|_| CryptoError::Encryption)?;
        let mut stored = header;
        stored.extend_from_slice(&nonce);
        stored.extend_from_slice(&ciphertext);
        Ok(stored)
    }

    /// Decrypts a value produced by [`TokenCipher::encrypt`] with this or an older key.
    pub fn decrypt(&self, stored: &[u8]) -> Result<SecretString, CryptoError> {
        let rest = stored
            .strip_prefix(VERSION_PREFIX)
            .ok_or(CryptoError::Malformed)?;
        let separator = rest
            .iter()
            .position(|&b| b == b':')
            .ok_or(CryptoError::Malformed)?;
        let (key_id, rest) = rest.split_at(separator);
        let key_id = std::str::from_utf8(key_id).map_err(|_| CryptoError::Malformed)?;
        let body = rest.get(1..).ok_or(CryptoError::Malformed)?;
        if body.len() < NONCE_LEN {
            return Err(CryptoError::Malformed);
        }
        let (nonce, ciphertext) = body.split_at(NONCE_LEN);
        let key = std::iter::once(&self.primary)
            .chain(&self.others)
            .find(|key| key.id == key_id)
            .ok_or_else(|| CryptoError::UnknownKey(key_id.to_owned()))?;
        let plaintext = key
            .cipher
            .decrypt(
                Nonce::from_slice(nonce),
                Payload {
                    msg: ciphertext,
                    aad: &header(key_id),
                },
            )
            .map_err(|_| CryptoError::Authentication)?;
        String::from_utf8(plaintext)
            .map(SecretString::from)
            .map_err(|_| CryptoError::NotUtf8)
    }

    /// The id of the key new values are encrypted with.
    pub fn primary_key_id(&self) -> &str {
        &self.primary.id
    }
}

/// `v1:<key id>:`, the stored prefix and the associated data.
fn header(key_id: &str) -> Vec<u8> {
    let mut header = Vec::with_capacity(VERSION_PREFIX.len() + key_id.len() + 1);
    header.extend_from_slice(VERSION_PREFIX);
    header.extend_from_slice(key_id.as_bytes());
    header.push(b':');
    header
}

#[cfg(test)]
mod tests {
    use super::*;

    fn secret(text: &str) -> SecretString {
        SecretString::from(text.to_owned())
    }

    fn cipher(id: &str) -> TokenCipher {
        TokenCipher::new(TokenKey::generate(id).expect("valid id"), Vec::new()).expect("one key")
    }

    #[test]
    fn round_trips_with_a_fresh_nonce_each_time() {
        let cipher = cipher("k1");
        let a = cipher.encrypt(&secret("act.token")).expect("encrypts");
        let b = cipher.encrypt(&secret("act.token")).expect("encrypts");
        assert_ne!(a, b, "nonce must differ per encryption");
        assert!(a.starts_with(b"v1:k1:"));
        assert_eq!(
            cipher.decrypt(&a).expect("decrypts").expose_secret(),
            "act.token"
        );
    }

    #[test]
    fn old_keys_still_decrypt_after_rotation() {
        let old = TokenKey::generate("old").expect("valid id");
        let before = TokenCipher::new(old.clone(), Vec::new()).expect("one key");
        let stored = before.encrypt(&secret("rft.token")).expect("encrypts");
        let after = TokenCipher::new(TokenKey::generate("new").expect("valid id"), vec![old])
            .expect("two keys");
        assert_eq!(
            after.decrypt(&stored).expect("decrypts").expose_secret(),
            "rft.token"
        );
        assert!(
            after
                .encrypt(&secret("x"))
                .expect("encrypts")
                .starts_with(b"v1:new:")
        );
    }

    #[test]
    fn wrong_key_and_tampering_are_errors() {
        let stored = cipher("k1")
            .encrypt(&secret("act.token"))
            .expect("encrypts");
        assert_eq!(
            cipher("k1").decrypt(&stored).map(|_| ()),
            Err(CryptoError::Authentication)
        );
        assert_eq!(
            cipher("k2").decrypt(&stored).map(|_| ()),
            Err(CryptoError::UnknownKey("k1".into()))
        );
        let right = cipher("k1");
        let stored = right.encrypt(&secret("act.token")).expect("encrypts");
        for index in 0..stored.len() {
            let mut tampered = stored.clone();
            if let Some(byte) = tampered.get_mut(index) {
                *byte ^= 0x01;
            }
            assert!(right.decrypt(&tampered).is_err(), "byte {index}");
        }
        assert_eq!(
            right.decrypt(b"v1:k1:short").map(|_| ()),
            Err(CryptoError::Malformed)
        );
        assert_eq!(
            right.decrypt(b"plain").map(|_| ()),
            Err(CryptoError::Malformed)
        );
    }

    #[test]
    fn parses_configured_keys_and_redacts_debug() {
        let key = STANDARD.encode([7_u8; 32]);
        let cipher = TokenCipher::parse(&secret(&format!("new:{key}, old:{key}"))).expect("parses");
        assert_eq!(cipher.primary_key_id(), "new");
        let debug = format!("{cipher:?}");
        assert!(!debug.contains(&key), "{debug}");
        assert!(TokenCipher::parse(&secret("")).is_err());
        assert!(TokenCipher::parse(&secret("k1:c2hvcnQ=")).is_err());
        assert!(TokenCipher::parse(&secret(&format!("a:{key},a:{key}"))).is_err());
    }
}

//! `TOKEN_ENCRYPTION_KEY`: one key, or several with ids so keys can rotate.
//!
//! Accepted forms:
//! - `BASE64` (32 bytes once decoded): one key whose id is [`DEFAULT_KEY_ID`];
//! - `id1:BASE64,id2:BASE64,...`: the first key encrypts, every key decrypts what was encrypted
//!   under its id. To rotate, put a new key first and keep the old ones until no stored token
//!   uses them.

use base64::Engine as _;
use base64::engine::general_purpose::STANDARD;
use secrecy::{ExposeSecret, SecretBox};

/// Id given to a key written without one.
pub const DEFAULT_KEY_ID: &str = "default";
/// Length of an AES-256 key in bytes.
pub const KEY_LEN: usize = 32;

/// One AES-256 key and the id stored beside what it encrypts.
#[derive(Debug)]
pub struct EncryptionKey {
    id: String,
    bytes: SecretBox<[u8; KEY_LEN]>,
}

impl Clone for EncryptionKey {
    fn clone(&self) -> Self {
        Self::new(self.id.clone(), *self.bytes.expose_secret())
    }
}

impl EncryptionKey {
    /// Wraps raw key bytes.
    pub fn new(id: impl Into<String>, bytes: [u8; KEY_LEN]) -> Self {
        Self {
            id: id.into(),
            bytes: SecretBox::new(Box::new(bytes)),
        }
    }

    /// The key's id.
    pub fn id(&self) -> &str {
        &self.id
    }

    /// The key bytes, for the cipher at the point of use.
    pub fn bytes(&self) -> &SecretBox<[u8; KEY_LEN]> {
        &self.bytes
    }

    /// The key bytes as standard base64 (used to persist sandbox keys).
    pub(super) fn to_base64(&self) -> String {
        STANDARD.encode(self.bytes.expose_secret())
    }
}

/// The keys of `TOKEN_ENCRYPTION_KEY`: an active one and older ones kept for decryption.
#[derive(Debug, Clone)]
pub struct EncryptionKeys {
    active: EncryptionKey,
    previous: Vec<EncryptionKey>,
}

impl EncryptionKeys {
    /// A key set with a single key.
    pub fn single(key: EncryptionKey) -> Self {
        Self {
            active: key,
            previous: Vec::new(),
        }
    }

    /// The key that encrypts new tokens.
    pub fn active(&self) -> &EncryptionKey {
        &self.active
    }

    /// Every key, the active one first.
    pub fn all(&self) -> impl Iterator<Item = &EncryptionKey> {
        std::iter::once(&self.active).chain(self.previous.iter())
    }

    /// Parses either accepted form (see the module docs). The reason never quotes key material.
    pub(super) fn parse(raw: &str) -> Result<Self, String> {
        if !raw.contains(':') {
            return Ok(Self::single(decode_key(DEFAULT_KEY_ID, raw)?));
        }
        let mut keys = Vec::new();
        for (position, entry) in raw.split(',').map(str::trim).enumerate() {
            let Some((id, encoded)) = entry.split_once(':') else {
                return Err(format!(
                    "entry {} has no id (expected `id:base64` entries separated by commas)",
                    position + 1
                ));
            };
            let id = id.trim();
            if id.is_empty()
                || id.len() > 32
                || !id
                    .chars()
                    .all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '_')
            {
                return Err(format!(
                    "entry {} has an invalid id (1 to 32 letters, digits, `-` or `_`)",
                    position + 1
                ));
            }
            if keys.iter().any(|key: &EncryptionKey| key.id == id) {
                return Err(format!("the key id `{id}` appears twice"));
            }
            keys.push(decode_key(id, encoded.trim())?);
        }
        let mut keys = keys.into_iter();
        let active = keys.next().ok_or_else(|| "lists no key".to_owned())?;
        Ok(Self {
            active,
            previous: keys.collect(),
        })
    }
}

fn decode_key(id: &str, encoded: &str) -> Result<EncryptionKey, String> {
    let decoded = STANDARD
        .decode(encoded)
        .map_err(|_| format!("key `{id}` is not valid base64"))?;
    let bytes: [u8; KEY_LEN] = decoded.as_slice().try_into().map_err(|_| {
        format!(
            "key `{id}` decodes to {} bytes; it must be {KEY_LEN} (for example `openssl rand -base64 32`)",
            decoded.len()
        )
    })?;
    Ok(EncryptionKey::new(id, bytes))
}

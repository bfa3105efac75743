//! Sandbox mode's development secrets: generated on the first start, kept in a file readable by
//! the owner only, and reused afterwards so tokens encrypted yesterday still decrypt today.

use std::fs;
use std::io::{ErrorKind, Write as _};
use std::path::Path;

use base64::Engine as _;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use rand::RngCore as _;
use secrecy::{ExposeSecret, SecretString};
use serde::{Deserialize, Serialize};

use super::ConfigError;
use super::encryption_keys::{EncryptionKey, EncryptionKeys, KEY_LEN};

/// Id of the generated token encryption key.
const DEV_KEY_ID: &str = "dev";

/// The generated secrets of sandbox mode.
#[derive(Debug, Clone)]
pub struct DevSecrets {
    /// Encrypts tokens at rest.
    pub token_encryption_keys: EncryptionKeys,
    /// Signs and verifies bearer tokens.
    pub jwt_secret: SecretString,
    /// The client secret the TikTok emulator expects.
    pub tiktok_client_secret: SecretString,
    /// The app secret the Instagram emulator expects (and signs its callbacks with).
    pub instagram_app_secret: SecretString,
    /// The OAuth client secret the YouTube (Google) emulator expects.
    pub youtube_client_secret: SecretString,
}

/// The file's format.
#[derive(Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
struct DevSecretsFile {
    token_encryption_key: String,
    jwt_secret: String,
    tiktok_client_secret: String,
    /// Absent from files written before Instagram was added: generated then, and the file
    /// rewritten with it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    instagram_app_secret: Option<String>,
    /// Absent from files written before YouTube was added: generated then, and the file
    /// rewritten with it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    youtube_client_secret: Option<String>,
}

impl DevSecrets {
    /// Reads the secrets from `path`, or generates them and writes the file (mode 0600, in a
    /// folder created if needed) when it does not exist yet.
    ///
    /// # Errors
    /// [`ConfigError::DevSecrets`] when the file cannot be read, parsed or written.
    pub fn load_or_create(path: &Path) -> Result<Self, ConfigError> {
        let fail = |reason: String| ConfigError::DevSecrets {
            path: path.to_owned(),
            reason,
        };
        match fs::read_to_string(path) {
            Ok(text) => {
                let (secrets, complete) = Self::from_file_text(&text).map_err(fail)?;
                if !complete {
                    secrets.replace(path).map_err(|e| fail(e.to_string()))?;
                }
                Ok(secrets)
            }
            Err(error) if error.kind() == ErrorKind::NotFound => {
                let secrets = Self::generate();
                match secrets.write_new(path) {
                    Ok(()) => Ok(secrets),
                    // Another process created it between our read and our write: use theirs.
                    Err(error) if error.kind() == ErrorKind::AlreadyExists => {
                        let text = fs::read_to_string(path).map_err(|e| fail(e.to_string()))?;
                        Ok(Self::from_file_text(&text).map_err(fail)?.0)
                    }
                    Err(error) => Err(fail(error.to_string())),
                }
            }
            Err(error) => Err(fail(error.to_string())),
        }
    }

    fn generate() -> Self {
        let mut rng = rand::thread_rng();
        let mut key = [0_u8; KEY_LEN];
        rng.fill_bytes(&mut key);
        let mut random_text = || {
            let mut bytes = [0_u8; 48];
            rng.fill_bytes(&mut bytes);
            URL_SAFE_NO_PAD.encode(bytes)
        };
        Self {
            token_encryption_keys: EncryptionKeys::single(EncryptionKey::new(DEV_KEY_ID, key)),
            jwt_secret: SecretString::from(random_text()),
            tiktok_client_secret: SecretString::from(random_text()),
            instagram_app_secret: SecretString::from(random_text()),
            youtube_client_secret: SecretString::from(random_text()),
        }
    }

    /// The secrets in a file's text, and whether the file held all of them.
    fn from_file_text(text: &str) -> Result<(Self, bool), String> {
        let file: DevSecretsFile =
            serde_json::from_str(text).map_err(|error| format!("is not valid: {error}"))?;
        let token_encryption_keys = EncryptionKeys::parse(&file.token_encryption_key)
            .map_err(|reason| format!("tokenEncryptionKey: {reason}"))?;
        let complete = file.instagram_app_secret.is_some() && file.youtube_client_secret.is_some();
        let instagram_app_secret = file
            .instagram_app_secret
            .map_or_else(|| Self::generate().instagram_app_secret, SecretString::from);
        let youtube_client_secret = file.youtube_client_secret.map_or_else(
            || Self::generate().youtube_client_secret,
            SecretString::from,
        );
        Ok((
            Self {
                token_encryption_keys,
                jwt_secret: SecretString::from(file.jwt_secret),
                tiktok_client_secret: SecretString::from(file.tiktok_client_secret),
                instagram_app_secret,
                youtube_client_secret,
            },
            complete,
        ))
    }

    /// Rewrites an existing file with every secret (through a new file renamed over it, so a
    /// crash leaves the old file or the new one, never half of one).
    fn replace(&self, path: &Path) -> std::io::Result<()> {
        let staged = path.with_extension("json.new");
        // A stale staged file from an interrupted rewrite is ours to replace.
        match fs::remove_file(&staged) {
            Err(error) if error.kind() != ErrorKind::NotFound => return Err(error),
            _ => {}
        }
        self.write_new(&staged)?;
        fs::rename(&staged, path)
    }

    /// Writes a new file, failing with `AlreadyExists` rather than replacing one.
    fn write_new(&self, path: &Path) -> std::io::Result<()> {
        if let Some(parent) = path.parent() {
            fs::create_dir_all(parent)?;
        }
        let active = self.token_encryption_keys.active();
        let file = DevSecretsFile {
            token_encryption_key: format!("{}:{}", active.id(), active.to_base64()),
            jwt_secret: self.jwt_secret.expose_secret().to_owned(),
            tiktok_client_secret: self.tiktok_client_secret.expose_secret().to_owned(),
            instagram_app_secret: Some(self.instagram_app_secret.expose_secret().to_owned()),
            youtube_client_secret: Some(self.youtube_client_secret.expose_secret().to_owned()),
        };
        let text = serde_json::to_string_pretty(&file).map_err(std::io::Error::other)?;
        let mut options = fs::OpenOptions::new();
        options.write(true).create_new(true);
        #[cfg(unix)]
        {
            use std::os::unix::fs::OpenOptionsExt as _;
            options.mode(0o600);
        }
        let mut handle = options.open(path)?;
        handle.write_all(text.as_bytes())?;
        handle.write_all(b"\n")?;
        handle.sync_all()
    }
}

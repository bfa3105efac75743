//! The benchmark's fixed secrets: derived from the seed so runs are repeatable. They protect
//! nothing (generated data on a local machine) and must never be used elsewhere.

use base64::Engine as _;
use base64::engine::general_purpose::STANDARD;
use rand::{RngCore as _, SeedableRng as _};
use rand_chacha::ChaCha8Rng;
use secrecy::SecretString;
use storage::{TokenCipher, TokenKey};

use crate::error::BenchResult;

/// The key id `TOKEN_ENCRYPTION_KEY` gives a key written without one (the api-server's
/// `DEFAULT_KEY_ID`).
const KEY_ID: &str = "default";

/// The token-encryption key and JWT secret of a benchmark run.
pub struct BenchSecrets {
    key: [u8; 32],
    jwt_secret: SecretString,
}

impl std::fmt::Debug for BenchSecrets {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("BenchSecrets").finish_non_exhaustive()
    }
}

impl BenchSecrets {
    /// The secrets of seed `seed`.
    pub fn from_seed(seed: u64) -> Self {
        let mut rng = ChaCha8Rng::seed_from_u64(seed ^ 0x6b65_7973);
        let mut key = [0_u8; 32];
        rng.fill_bytes(&mut key);
        let mut jwt = [0_u8; 48];
        rng.fill_bytes(&mut jwt);
        Self {
            key,
            jwt_secret: SecretString::from(STANDARD.encode(jwt)),
        }
    }

    /// The cipher the generators write tokens with.
    pub fn cipher(&self) -> BenchResult<TokenCipher> {
        Ok(TokenCipher::new(
            TokenKey::new(KEY_ID, &self.key)?,
            Vec::new(),
        )?)
    }

    /// The same key as `TOKEN_ENCRYPTION_KEY` for a server or worker process.
    pub fn encryption_key_env(&self) -> String {
        STANDARD.encode(self.key)
    }

    /// The `JWT_SECRET` bearer tokens are signed with.
    pub fn jwt_secret(&self) -> &SecretString {
        &self.jwt_secret
    }
}

#[cfg(test)]
mod tests {
    use secrecy::ExposeSecret as _;

    use super::*;

    #[test]
    fn same_seed_same_secrets_and_a_usable_cipher() {
        let (a, b) = (BenchSecrets::from_seed(1), BenchSecrets::from_seed(1));
        assert_eq!(a.encryption_key_env(), b.encryption_key_env());
        assert_eq!(
            a.jwt_secret().expose_secret(),
            b.jwt_secret().expose_secret()
        );
        assert_ne!(
            a.encryption_key_env(),
            BenchSecrets::from_seed(2).encryption_key_env()
        );
        let cipher = a.cipher().expect("valid key");
        let sealed = cipher
            .encrypt(&SecretString::from("token"))
            .expect("encrypts");
        assert_eq!(
            cipher.decrypt(&sealed).expect("decrypts").expose_secret(),
            "token"
        );
    }

    #[test]
    fn debug_shows_no_secret() {
        let secrets = BenchSecrets::from_seed(3);
        let debug = format!("{secrets:?}");
        assert!(!debug.contains(&secrets.encryption_key_env()));
        assert!(!debug.contains(secrets.jwt_secret().expose_secret()));
    }
}

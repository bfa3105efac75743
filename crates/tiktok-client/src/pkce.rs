//! State and PKCE generation for the authorize URL.

use base64::Engine as _;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use oauth2::{CsrfToken, PkceCodeChallenge};
use secrecy::SecretString;
use sha2::{Digest as _, Sha256};
use url::Url;

use crate::PkceEncoding;

/// Bytes of randomness in a generated `state`: 256 bits, twice the 128-bit
/// minimum the design asks for.
const STATE_BYTES: u32 = 32;

/// What [`TikTokClient::authorization_request`](crate::TikTokClient::authorization_request)
/// returns: the URL to send the browser to, and the two values to store
/// server-side until the callback.
#[derive(Debug)]
pub struct AuthorizationRequest {
    /// The authorize URL.
    pub url: Url,
    /// The anti-CSRF state (URL-safe, 256 random bits), also in the URL.
    pub state: String,
    /// The PKCE verifier to send with the code exchange. Secret: never in the
    /// URL, never logged.
    pub pkce_verifier: SecretString,
}

/// A fresh random state.
pub(crate) fn new_state() -> String {
    CsrfToken::new_random_len(STATE_BYTES).into_secret()
}

/// A fresh random PKCE verifier (43 URL-safe characters, 256 bits).
pub(crate) fn new_verifier() -> String {
    let (_, verifier) = PkceCodeChallenge::new_random_sha256();
    verifier.into_secret()
}

/// The S256 `code_challenge` of `verifier` in the given encoding: unpadded
/// base64url per RFC 7636, or lower-case hex per TikTok's desktop docs.
pub fn pkce_challenge(verifier: &str, encoding: PkceEncoding) -> String {
    let digest = Sha256::digest(verifier.as_bytes());
    match encoding {
        PkceEncoding::Base64Url => URL_SAFE_NO_PAD.encode(digest),
        PkceEncoding::Hex => hex::encode(digest),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// RFC 7636, appendix B.
    const RFC_VERIFIER: &str = "dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk";

    #[test]
    fn matches_the_rfc_7636_test_vector() {
        assert_eq!(
            pkce_challenge(RFC_VERIFIER, PkceEncoding::Base64Url),
            "E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM"
        );
        assert_eq!(
            pkce_challenge(RFC_VERIFIER, PkceEncoding::Hex),
            "13d31e961a1ad8ec2f16b10c4c982e0876a878ad6df144566ee1894acb70f9c3"
        );
    }

    #[test]
    fn generated_values_are_long_fresh_and_url_safe() {
        let (a, b) = (new_state(), new_state());
        assert_ne!(a, b);
        assert!(a.len() >= 43);
        let verifier = new_verifier();
        assert!((43..=128).contains(&verifier.len()));
        assert!(
            verifier
                .chars()
                .chain(a.chars())
                .all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '_')
        );
    }
}

//! PKCE (RFC 7636) verification, in both encodings TikTok's docs describe.

use base64::Engine as _;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use sha2::{Digest, Sha256};

/// Why a code verifier was refused.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PkceFailure {
    /// The verifier is not 43 to 128 characters of `[A-Za-z0-9-._~]` (RFC 7636 section 4.1).
    MalformedVerifier,
    /// The verifier does not hash to the challenge.
    Mismatch,
}

/// Whether `verifier` is well-formed per RFC 7636.
pub fn is_well_formed_verifier(verifier: &str) -> bool {
    (43..=128).contains(&verifier.len())
        && verifier
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'-' | b'.' | b'_' | b'~'))
}

/// Checks an S256 challenge: `BASE64URL(SHA256(verifier))` as RFC 7636 says, or the
/// lowercase or uppercase hex of `SHA256(verifier)` as TikTok's desktop docs say.
pub fn verify_s256(challenge: &str, verifier: &str) -> Result<(), PkceFailure> {
    if !is_well_formed_verifier(verifier) {
        return Err(PkceFailure::MalformedVerifier);
    }
    let digest = Sha256::digest(verifier.as_bytes());
    let base64url = URL_SAFE_NO_PAD.encode(digest);
    let hex_form = hex::encode(digest);
    if challenge == base64url || challenge.eq_ignore_ascii_case(&hex_form) {
        Ok(())
    } else {
        Err(PkceFailure::Mismatch)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    // RFC 7636 appendix B.
    const RFC_VERIFIER: &str = "dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk";
    const RFC_CHALLENGE: &str = "E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM";

    #[test]
    fn accepts_the_rfc_example() {
        assert_eq!(verify_s256(RFC_CHALLENGE, RFC_VERIFIER), Ok(()));
    }

    #[test]
    fn accepts_the_hex_form() {
        let hex_challenge = hex::encode(Sha256::digest(RFC_VERIFIER.as_bytes()));
        assert_eq!(verify_s256(&hex_challenge, RFC_VERIFIER), Ok(()));
        assert_eq!(
            verify_s256(&hex_challenge.to_uppercase(), RFC_VERIFIER),
            Ok(())
        );
    }

    #[test]
    fn rejects_another_verifier() {
        let other = "eBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk";
        assert_eq!(
            verify_s256(RFC_CHALLENGE, other),
            Err(PkceFailure::Mismatch)
        );
    }

    #[test]
    fn rejects_short_or_odd_verifiers() {
        assert_eq!(
            verify_s256(RFC_CHALLENGE, "short"),
            Err(PkceFailure::MalformedVerifier)
        );
        let with_space = format!("{} ", &RFC_VERIFIER[..43]);
        assert_eq!(
            verify_s256(RFC_CHALLENGE, &with_space),
            Err(PkceFailure::MalformedVerifier)
        );
    }
}

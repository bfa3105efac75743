//! The `id_token` of a grant with `openid`: a JWT with Google's claims. Google signs with
//! RS256 keys published at its JWKS URL; the sandbox signs with HS256 over the client secret
//! (a client receiving the token straight from the token endpoint need not verify it, and
//! the sandbox publishes no keys).

use base64::Engine as _;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use chrono::{DateTime, Utc};
use hmac::{Hmac, Mac as _};
use serde_json::json;
use sha2::Sha256;

/// Who the token is about and for whom.
pub(crate) struct IdTokenClaims<'a> {
    pub(crate) issuer: &'a str,
    pub(crate) client_id: &'a str,
    pub(crate) sub: &'a str,
    /// The email, when the `email` scope was granted.
    pub(crate) email: Option<&'a str>,
    pub(crate) name: Option<&'a str>,
    pub(crate) issued_at: DateTime<Utc>,
    pub(crate) lifetime_secs: u64,
}

/// The signed token.
pub(crate) fn sign(claims: &IdTokenClaims<'_>, secret: &str) -> String {
    let header = json!({ "alg": "HS256", "kid": "sandbox", "typ": "JWT" });
    let issued = claims.issued_at.timestamp();
    let mut payload = json!({
        "iss": claims.issuer,
        "azp": claims.client_id,
        "aud": claims.client_id,
        "sub": claims.sub,
        "iat": issued,
        "exp": issued + i64::try_from(claims.lifetime_secs).unwrap_or(3_600),
    });
    if let Some(email) = claims.email {
        payload["email"] = json!(email);
        payload["email_verified"] = json!(true);
    }
    if let Some(name) = claims.name {
        payload["name"] = json!(name);
    }
    let signing_input = format!(
        "{}.{}",
        URL_SAFE_NO_PAD.encode(header.to_string()),
        URL_SAFE_NO_PAD.encode(payload.to_string())
    );
    let signature = match Hmac::<Sha256>::new_from_slice(secret.as_bytes()) {
        Ok(mut mac) => {
            mac.update(signing_input.as_bytes());
            URL_SAFE_NO_PAD.encode(mac.finalize().into_bytes())
        }
        Err(_) => String::new(),
    };
    format!("{signing_input}.{signature}")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_payload_carries_the_claims() {
        let token = sign(
            &IdTokenClaims {
                issuer: "http://127.0.0.1:1/",
                client_id: "c",
                sub: "112233",
                email: Some("maya@sandbox.test"),
                name: None,
                issued_at: DateTime::from_timestamp(1_000, 0).expect("valid"),
                lifetime_secs: 3_599,
            },
            "secret",
        );
        let parts: Vec<&str> = token.split('.').collect();
        assert_eq!(parts.len(), 3);
        let payload: serde_json::Value =
            serde_json::from_slice(&URL_SAFE_NO_PAD.decode(parts[1]).expect("base64"))
                .expect("json");
        assert_eq!(payload["sub"], "112233");
        assert_eq!(payload["email"], "maya@sandbox.test");
        assert_eq!(payload["exp"], 4_599);
    }
}

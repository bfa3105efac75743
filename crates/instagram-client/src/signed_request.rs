//! Meta's `signed_request`, as POSTed to the deauthorize and data-deletion callbacks
//! (reference section 11): `base64url(HMAC-SHA256(secret, payload)) "." payload`, both
//! halves base64url without padding, the HMAC over the *encoded* payload.

use base64::Engine as _;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use hmac::{Hmac, Mac};
use secrecy::{ExposeSecret as _, SecretString};
use serde::{Deserialize, Serialize};
use serde_json::{Map, Value, json};
use sha2::Sha256;

use crate::InstagramClient;

/// The only algorithm accepted.
pub const SIGNED_REQUEST_ALGORITHM: &str = "HMAC-SHA256";

/// A verified `signed_request` payload.
#[derive(Clone, Debug, PartialEq, Deserialize, Serialize)]
#[non_exhaustive]
pub struct SignedRequest {
    /// `algorithm` (always `HMAC-SHA256` once verified).
    pub algorithm: String,
    /// `user_id`: an app-scoped id (or the Instagram user id: unconfirmed, so match both),
    /// as a string whatever its JSON type.
    #[serde(deserialize_with = "crate::ids::string_or_number")]
    pub user_id: String,
    /// `issued_at`, Unix seconds.
    #[serde(default)]
    pub issued_at: Option<i64>,
    /// `expires`, Unix seconds.
    #[serde(default)]
    pub expires: Option<i64>,
    /// Other fields.
    #[serde(flatten)]
    pub extra: Map<String, Value>,
}

/// Why a `signed_request` was refused. Never quotes the request.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum SignedRequestError {
    /// Not `<signature>.<payload>`.
    #[error("the signed request is not <signature>.<payload>")]
    Malformed,
    /// A half is not base64url.
    #[error("the signed request is not base64url")]
    BadEncoding,
    /// The signature does not match (a forgery, another secret, or a truncated request).
    #[error("the signed request's signature does not match")]
    BadSignature,
    /// The payload is not the documented JSON.
    #[error("the signed request's payload is not valid: {0}")]
    BadPayload(&'static str),
    /// `algorithm` is not `HMAC-SHA256`.
    #[error("the signed request uses an unsupported algorithm")]
    UnsupportedAlgorithm,
    /// The callback body has no `signed_request` field.
    #[error("the callback body has no signed_request")]
    Missing,
}

/// Verifies `signed_request` against any of `secrets` (constant-time comparison), then
/// checks the algorithm and reads the payload.
pub fn verify_signed_request(
    signed_request: &str,
    secrets: &[&SecretString],
) -> Result<SignedRequest, SignedRequestError> {
    let (signature, payload) = signed_request
        .trim()
        .split_once('.')
        .ok_or(SignedRequestError::Malformed)?;
    if signature.is_empty() || payload.is_empty() {
        return Err(SignedRequestError::Malformed);
    }
    let signature = decode(signature)?;
    let verified = secrets.iter().any(|secret| {
        let Ok(mut mac) = <Hmac<Sha256> as Mac>::new_from_slice(secret.expose_secret().as_bytes())
        else {
            return false;
        };
        mac.update(payload.as_bytes());
        // `verify_slice` compares in constant time.
        mac.verify_slice(&signature).is_ok()
    });
    if !verified {
        return Err(SignedRequestError::BadSignature);
    }
    let json = decode(payload)?;
    let value: Value =
        serde_json::from_slice(&json).map_err(|_| SignedRequestError::BadPayload("not JSON"))?;
    let algorithm = value
        .get("algorithm")
        .and_then(Value::as_str)
        .unwrap_or_default();
    if !algorithm.eq_ignore_ascii_case(SIGNED_REQUEST_ALGORITHM) {
        return Err(SignedRequestError::UnsupportedAlgorithm);
    }
    serde_json::from_value(value)
        .map_err(|_| SignedRequestError::BadPayload("user_id is missing or not an id"))
}

/// Decodes base64url with or without padding.
fn decode(text: &str) -> Result<Vec<u8>, SignedRequestError> {
    URL_SAFE_NO_PAD
        .decode(text.trim_end_matches('='))
        .map_err(|_| SignedRequestError::BadEncoding)
}

/// The `signed_request` field of a callback's form-encoded body.
pub fn signed_request_from_form(body: &[u8]) -> Result<String, SignedRequestError> {
    url::form_urlencoded::parse(body)
        .find(|(key, _)| key == "signed_request")
        .map(|(_, value)| value.into_owned())
        .filter(|value| !value.is_empty())
        .ok_or(SignedRequestError::Missing)
}

/// The JSON a data-deletion callback answers: `{"url", "confirmation_code"}`.
pub fn deletion_response(status_url: &url::Url, confirmation_code: &str) -> Value {
    json!({ "url": status_url.as_str(), "confirmation_code": confirmation_code })
}

impl InstagramClient {
    /// Verifies a callback's `signed_request` with the app secret or any
    /// [`extra_signing_secrets`](crate::InstagramConfig::extra_signing_secrets).
    pub fn verify_signed_request(
        &self,
        signed_request: &str,
    ) -> Result<SignedRequest, SignedRequestError> {
        let config = &self.inner.config;
        let secrets: Vec<&SecretString> = std::iter::once(&config.app_secret)
            .chain(config.extra_signing_secrets.iter())
            .collect();
        verify_signed_request(signed_request, &secrets)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn sign(secret: &str, payload: &Value) -> String {
        let encoded = URL_SAFE_NO_PAD.encode(payload.to_string());
        let mut mac = <Hmac<Sha256> as Mac>::new_from_slice(secret.as_bytes()).expect("any key");
        mac.update(encoded.as_bytes());
        format!(
            "{}.{encoded}",
            URL_SAFE_NO_PAD.encode(mac.finalize().into_bytes())
        )
    }

    fn secret(text: &str) -> SecretString {
        SecretString::from(text.to_owned())
    }

    #[test]
    fn valid_forged_wrong_algorithm_and_truncated() {
        let payload = json!({"algorithm":"HMAC-SHA256","issued_at":1291836800,"user_id":218471});
        let signed = sign("app-secret", &payload);
        let verified = verify_signed_request(&signed, &[&secret("app-secret")]).expect("valid");
        assert_eq!(verified.user_id, "218471");
        assert_eq!(verified.issued_at, Some(1_291_836_800));
        assert_eq!(
            verify_signed_request(&signed, &[&secret("other")]),
            Err(SignedRequestError::BadSignature)
        );
        assert!(verify_signed_request(&signed, &[&secret("other"), &secret("app-secret")]).is_ok());
        let wrong = sign(
            "app-secret",
            &json!({"algorithm":"HMAC-SHA1","user_id":"1"}),
        );
        assert_eq!(
            verify_signed_request(&wrong, &[&secret("app-secret")]),
            Err(SignedRequestError::UnsupportedAlgorithm)
        );
        let truncated = &signed[..signed.len() - 4];
        assert!(verify_signed_request(truncated, &[&secret("app-secret")]).is_err());
        assert_eq!(
            verify_signed_request("no-dot", &[&secret("s")]),
            Err(SignedRequestError::Malformed)
        );
        assert_eq!(
            verify_signed_request("***.***", &[&secret("s")]),
            Err(SignedRequestError::BadEncoding)
        );
    }

    #[test]
    fn the_form_field_is_read_and_the_deletion_reply_shaped() {
        assert_eq!(
            signed_request_from_form(b"signed_request=a.b&x=1"),
            Ok("a.b".into())
        );
        assert_eq!(
            signed_request_from_form(b"x=1"),
            Err(SignedRequestError::Missing)
        );
        let url = url::Url::parse("https://app.example/deletion?id=abc").expect("url");
        assert_eq!(
            deletion_response(&url, "abc"),
            json!({"url": "https://app.example/deletion?id=abc", "confirmation_code": "abc"})
        );
    }
}

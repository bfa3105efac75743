//! Meta's `signed_request` (reference section 11.3) and the two callbacks that carry it: the
//! deauthorize callback and the data-deletion request.

use std::sync::{Mutex, PoisonError};
use std::time::Duration;

use base64::Engine as _;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use chrono::{DateTime, Utc};
use hmac::{Hmac, Mac};
use serde::{Deserialize, Serialize};
use serde_json::{Value, json};
use sha2::Sha256;
use url::Url;

/// `base64url(HMAC-SHA256(secret, encoded_payload)) + "." + encoded_payload`, both halves
/// base64url without padding, the payload being `payload` as JSON.
pub fn sign_request(secret: &str, payload: &Value) -> String {
    let encoded = URL_SAFE_NO_PAD.encode(payload.to_string());
    let mut mac = <Hmac<Sha256> as Mac>::new_from_slice(secret.as_bytes())
        .expect("HMAC accepts keys of any length");
    mac.update(encoded.as_bytes());
    let signature = URL_SAFE_NO_PAD.encode(mac.finalize().into_bytes());
    format!("{signature}.{encoded}")
}

/// The payload Meta signs: algorithm, issue time and the user's id.
pub(crate) fn payload(user_id: &str, issued_at: DateTime<Utc>) -> Value {
    json!({
        "algorithm": "HMAC-SHA256",
        "issued_at": issued_at.timestamp(),
        "expires": issued_at.timestamp() + 3_600,
        "user_id": user_id,
    })
}

/// Which callback a delivery was.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum CallbackKind {
    /// The user removed the app.
    Deauthorize,
    /// The user asked for their data to be deleted.
    DataDeletion,
}

/// One callback the sandbox sent (or tried to).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CallbackDelivery {
    /// Deauthorize or data deletion.
    pub kind: CallbackKind,
    /// The app it was sent to.
    pub app_id: String,
    /// The `user_id` the signed request carried.
    pub user_id: String,
    /// The URL it was POSTed to.
    pub url: String,
    /// The exact `signed_request` sent.
    pub signed_request: String,
    /// Whether the signature was deliberately broken.
    pub tampered: bool,
    /// The HTTP status received, if any answer came.
    pub status: Option<u16>,
    /// The answer's body (at most 2,000 characters).
    pub response_body: Option<String>,
    /// For data deletion: the `url` of a valid `{url, confirmation_code}` reply.
    pub status_url: Option<String>,
    /// For data deletion: the `confirmation_code` of a valid reply.
    pub confirmation_code: Option<String>,
    /// Whether the app answered as Meta expects (2xx; for data deletion also a JSON object
    /// with a `url` and a non-empty `confirmation_code`).
    pub accepted: bool,
}

/// Sends callbacks and remembers every delivery.
#[derive(Debug)]
pub(crate) struct CallbackSender {
    http: reqwest::Client,
    deliveries: Mutex<Vec<CallbackDelivery>>,
}

impl CallbackSender {
    pub(crate) fn new() -> Self {
        // No idle pool: deliveries may run on different runtimes, which must not share sockets.
        let http = reqwest::Client::builder()
            .pool_max_idle_per_host(0)
            .timeout(Duration::from_secs(10))
            .redirect(reqwest::redirect::Policy::none())
            .build()
            .unwrap_or_default();
        Self {
            http,
            deliveries: Mutex::new(Vec::new()),
        }
    }

    pub(crate) fn deliveries(&self) -> Vec<CallbackDelivery> {
        self.deliveries
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .clone()
    }

    /// POSTs `signed_request=<signed>` to `url` and records what came back.
    #[allow(clippy::too_many_arguments)]
    pub(crate) async fn send(
        &self,
        kind: CallbackKind,
        app_id: &str,
        secret: &str,
        user_id: &str,
        url: &Url,
        issued_at: DateTime<Utc>,
        tampered: bool,
    ) -> CallbackDelivery {
        let mut signed_request = sign_request(secret, &payload(user_id, issued_at));
        if tampered {
            signed_request = tamper(&signed_request);
        }
        let mut delivery = CallbackDelivery {
            kind,
            app_id: app_id.to_owned(),
            user_id: user_id.to_owned(),
            url: url.to_string(),
            signed_request: signed_request.clone(),
            tampered,
            status: None,
            response_body: None,
            status_url: None,
            confirmation_code: None,
            accepted: false,
        };
        let sent = self
            .http
            .post(url.clone())
            .form(&[("signed_request", signed_request.as_str())])
            .send()
            .await;
        match sent {
            Ok(response) => {
                let status = response.status();
                delivery.status = Some(status.as_u16());
                let body = response.text().await.unwrap_or_default();
                delivery.accepted = status.is_success();
                if kind == CallbackKind::DataDeletion {
                    let reply = serde_json::from_str::<Value>(&body).ok();
                    let field = |name: &str| {
                        reply
                            .as_ref()
                            .and_then(|reply| reply.get(name))
                            .and_then(Value::as_str)
                            .filter(|value| !value.is_empty())
                            .map(str::to_owned)
                    };
                    delivery.status_url = field("url").filter(|url| Url::parse(url).is_ok());
                    delivery.confirmation_code = field("confirmation_code");
                    delivery.accepted &=
                        delivery.status_url.is_some() && delivery.confirmation_code.is_some();
                }
                delivery.response_body = Some(body.chars().take(2_000).collect());
            }
            Err(error) => tracing::info!(%error, %url, "callback delivery failed"),
        }
        tracing::info!(?kind, app_id, accepted = delivery.accepted, "callback sent");
        self.deliveries
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .push(delivery.clone());
        delivery
    }
}

/// The same request with one character of the signature changed.
fn tamper(signed_request: &str) -> String {
    let mut chars: Vec<char> = signed_request.chars().collect();
    if let Some(first) = chars.first_mut() {
        *first = if *first == 'A' { 'B' } else { 'A' };
    }
    chars.into_iter().collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn signs_the_encoded_payload_with_the_secret() {
        let payload = json!({"algorithm": "HMAC-SHA256", "user_id": "218471"});
        let signed = sign_request("secret", &payload);
        let (signature, encoded) = signed.split_once('.').expect("two halves");
        assert!(!signed.contains('='), "no padding");
        let decoded = URL_SAFE_NO_PAD.decode(encoded).expect("base64url");
        assert_eq!(
            serde_json::from_slice::<Value>(&decoded).expect("JSON"),
            payload
        );
        let mut mac = <Hmac<Sha256> as Mac>::new_from_slice(b"secret").expect("any key");
        mac.update(encoded.as_bytes());
        assert_eq!(
            URL_SAFE_NO_PAD.decode(signature).expect("base64url"),
            mac.finalize().into_bytes().to_vec()
        );
        assert_ne!(tamper(&signed), signed);
    }
}

//! TikTok -> app webhooks (reference section 13): the sandbox tells the app when a grant is
//! removed, signed as TikTok signs (`TikTok-Signature: t=<unix>,s=<hex HMAC-SHA256>` keyed
//! with the client secret over `<t>.<body>`).

use std::sync::{Mutex, PoisonError};
use std::time::Duration;

use chrono::{DateTime, Utc};
use hmac::{Hmac, Mac};
use serde::{Deserialize, Serialize};
use serde_json::json;
use sha2::Sha256;
use url::Url;

use crate::config::{RegisteredClient, WebhookRetry};

/// Why a grant was removed: TikTok's `reason` values. The control API takes the name
/// (`"account_banned"`) or TikTok's number (`4`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum RemovalReason {
    /// 0: unknown.
    Unknown,
    /// 1: the user disconnected the app in TikTok.
    UserDisconnected,
    /// 2: the account was deleted.
    AccountDeleted,
    /// 3: the user's age changed.
    AgeChanged,
    /// 4: the account was banned.
    AccountBanned,
    /// 5: the developer revoked the grant (the app's own revoke call).
    DeveloperRevoked,
}

impl RemovalReason {
    /// The number TikTok sends in `content.reason`.
    pub fn code(self) -> u8 {
        match self {
            RemovalReason::Unknown => 0,
            RemovalReason::UserDisconnected => 1,
            RemovalReason::AccountDeleted => 2,
            RemovalReason::AgeChanged => 3,
            RemovalReason::AccountBanned => 4,
            RemovalReason::DeveloperRevoked => 5,
        }
    }
}

impl RemovalReason {
    /// Every reason, by TikTok's number.
    pub const ALL: [RemovalReason; 6] = [
        RemovalReason::Unknown,
        RemovalReason::UserDisconnected,
        RemovalReason::AccountDeleted,
        RemovalReason::AgeChanged,
        RemovalReason::AccountBanned,
        RemovalReason::DeveloperRevoked,
    ];

    /// The reason for TikTok's number, if it is one (0 to 5).
    pub fn from_code(code: u64) -> Option<Self> {
        Self::ALL
            .into_iter()
            .find(|reason| u64::from(reason.code()) == code)
    }

    fn from_name(name: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|reason| {
            serde_json::to_value(reason).is_ok_and(|value| value.as_str() == Some(name))
        })
    }
}

impl<'de> Deserialize<'de> for RemovalReason {
    fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        #[derive(Deserialize)]
        #[serde(untagged)]
        enum Raw {
            Code(u64),
            Name(String),
        }
        let invalid = || {
            serde::de::Error::custom(
                "reason must be 0 to 5 or one of unknown, user_disconnected, account_deleted, \
                 age_changed, account_banned, developer_revoked",
            )
        };
        match Raw::deserialize(deserializer)? {
            Raw::Code(code) => Self::from_code(code).ok_or_else(invalid),
            Raw::Name(name) => Self::from_name(&name).ok_or_else(invalid),
        }
    }
}

/// One webhook event the sandbox sent (or tried to).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct WebhookDelivery {
    /// The event name, e.g. `authorization.removed`.
    pub event: String,
    /// The app it was sent to.
    pub client_key: String,
    /// The creator it is about.
    pub open_id: String,
    /// The exact body sent.
    pub body: String,
    /// The last HTTP status received, if any answer came.
    pub status: Option<u16>,
    /// Attempts made.
    pub attempts: u32,
    /// Whether the app answered 2xx.
    pub delivered: bool,
}

/// The `TikTok-Signature` header value for `body` signed at `timestamp`.
pub fn sign_webhook(client_secret: &str, timestamp: i64, body: &str) -> String {
    let mut mac = <Hmac<Sha256> as Mac>::new_from_slice(client_secret.as_bytes())
        .expect("HMAC accepts keys of any length");
    mac.update(format!("{timestamp}.{body}").as_bytes());
    format!(
        "t={timestamp},s={}",
        hex::encode(mac.finalize().into_bytes())
    )
}

/// Sends webhooks to the configured URL and remembers every delivery.
#[derive(Debug)]
pub(crate) struct WebhookSender {
    url: Option<Url>,
    retry: WebhookRetry,
    http: reqwest::Client,
    deliveries: Mutex<Vec<WebhookDelivery>>,
}

impl WebhookSender {
    pub(crate) fn new(url: Option<Url>, retry: WebhookRetry) -> Self {
        // No idle pool: deliveries run on different runtimes, which must not share sockets.
        let http = reqwest::Client::builder()
            .pool_max_idle_per_host(0)
            .timeout(Duration::from_secs(10))
            .build()
            .unwrap_or_default();
        Self {
            url,
            retry,
            http,
            deliveries: Mutex::new(Vec::new()),
        }
    }

    pub(crate) fn is_enabled(&self) -> bool {
        self.url.is_some()
    }

    pub(crate) fn deliveries(&self) -> Vec<WebhookDelivery> {
        self.deliveries
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .clone()
    }

    /// Sends `authorization.removed` for `open_id` to `client`'s webhook URL and records the
    /// outcome. `create_time` is sandbox time; the signature's `t` is the real time, which is
    /// what a receiver checks for staleness.
    pub(crate) async fn authorization_removed(
        &self,
        client: &RegisteredClient,
        open_id: &str,
        reason: RemovalReason,
        create_time: DateTime<Utc>,
    ) -> Option<WebhookDelivery> {
        let url = self.url.clone()?;
        let content = json!({ "reason": reason.code() }).to_string();
        let body = json!({
            "client_key": client.client_key,
            "event": "authorization.removed",
            "create_time": create_time.timestamp(),
            "user_openid": open_id,
            "content": content,
        })
        .to_string();
        let mut delivery = WebhookDelivery {
            event: "authorization.removed".into(),
            client_key: client.client_key.clone(),
            open_id: open_id.to_owned(),
            body: body.clone(),
            status: None,
            attempts: 0,
            delivered: false,
        };
        let mut backoff = self.retry.first_backoff;
        while delivery.attempts < self.retry.attempts.max(1) && !delivery.delivered {
            if delivery.attempts > 0 {
                tokio::time::sleep(backoff).await;
                backoff = (backoff * 2).min(self.retry.max_backoff);
            }
            delivery.attempts += 1;
            let signature = sign_webhook(&client.client_secret, Utc::now().timestamp(), &body);
            let sent = self
                .http
                .post(url.clone())
                .header("content-type", "application/json")
                .header("TikTok-Signature", signature)
                .body(body.clone())
                .send()
                .await;
            match sent {
                Ok(response) => {
                    delivery.status = Some(response.status().as_u16());
                    delivery.delivered = response.status().is_success();
                }
                Err(error) => {
                    tracing::info!(%error, url = %url, "webhook delivery failed");
                }
            }
        }
        tracing::info!(
            open_id,
            delivered = delivery.delivered,
            attempts = delivery.attempts,
            "authorization.removed webhook sent"
        );
        self.deliveries
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .push(delivery.clone());
        Some(delivery)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn signs_timestamp_dot_body_with_the_client_secret() {
        let header = sign_webhook("secret", 1_764_050_000, "{\"a\":1}");
        let mut mac =
            <Hmac<Sha256> as Mac>::new_from_slice(b"secret").expect("any key length works");
        mac.update(b"1764050000.{\"a\":1}");
        let expected = hex::encode(mac.finalize().into_bytes());
        assert_eq!(header, format!("t=1764050000,s={expected}"));
        assert_ne!(sign_webhook("other", 1_764_050_000, "{\"a\":1}"), header);
    }

    #[test]
    fn reasons_use_tiktoks_numbers() {
        assert_eq!(RemovalReason::UserDisconnected.code(), 1);
        assert_eq!(RemovalReason::DeveloperRevoked.code(), 5);
    }

    #[test]
    fn reasons_are_read_from_numbers_or_names() {
        for (code, reason) in RemovalReason::ALL.into_iter().enumerate() {
            let by_code: RemovalReason = serde_json::from_value(json!(code)).unwrap();
            assert_eq!(by_code, reason);
            let name = serde_json::to_value(reason).unwrap();
            let by_name: RemovalReason = serde_json::from_value(name).unwrap();
            assert_eq!(by_name, reason);
        }
        assert!(serde_json::from_value::<RemovalReason>(json!(6)).is_err());
        assert!(serde_json::from_value::<RemovalReason>(json!("gone")).is_err());
    }
}

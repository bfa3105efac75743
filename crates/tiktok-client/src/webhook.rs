//! TikTok's webhooks (reference section 13): verifying the `TikTok-Signature` header on the
//! raw body, and reading the event, whose `content` is a JSON document inside a string.
//!
//! The signature is checked before anything of the body is parsed, in constant time, and its
//! timestamp must be within a tolerance of now, so a captured delivery cannot be replayed
//! later. Errors name what is wrong, never the body or the secret.

use std::time::Duration;

use chrono::{DateTime, Utc};
use hmac::{Hmac, Mac};
use secrecy::ExposeSecret;
use serde::Deserialize;
use sha2::Sha256;

use crate::TikTokClient;

/// The header TikTok signs its webhooks with: `t=<unix seconds>,s=<hex HMAC-SHA256>`.
pub const SIGNATURE_HEADER: &str = "TikTok-Signature";

/// How far a signature's timestamp may be from now by default. TikTok's docs leave the
/// window to the receiver; 5 minutes is the common choice.
pub const DEFAULT_SIGNATURE_TOLERANCE: Duration = Duration::from_secs(5 * 60);

/// The event that tells an app a creator's grant is gone.
pub const AUTHORIZATION_REMOVED: &str = "authorization.removed";

/// Why a webhook was refused.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum WebhookError {
    /// No `TikTok-Signature` header.
    #[error("the TikTok-Signature header is missing")]
    MissingSignature,
    /// The header is not `t=<unix seconds>,s=<hex>`.
    #[error("the TikTok-Signature header is malformed: {0}")]
    MalformedSignature(&'static str),
    /// The HMAC does not match the body (wrong secret, or the body was altered).
    #[error("the signature does not match the body")]
    BadSignature,
    /// The signature's timestamp is too far from now (a replay, or clocks far apart).
    #[error(
        "the signature's timestamp is {age_seconds} s from now; at most {tolerance_seconds} s is accepted"
    )]
    StaleTimestamp {
        /// Distance between the timestamp and now, in seconds.
        age_seconds: i64,
        /// The accepted distance, in seconds.
        tolerance_seconds: u64,
    },
    /// The body is not a JSON webhook of TikTok's shape.
    #[error("the body is not a TikTok webhook: {0}")]
    MalformedBody(String),
    /// `content` is not a JSON document (TikTok sends it as a JSON string to decode again).
    #[error("the webhook's `content` is not JSON: {0}")]
    MalformedContent(String),
    /// The webhook is addressed to another app.
    #[error("the webhook is for another app (client_key `{0}`)")]
    UnknownClientKey(String),
}

impl WebhookError {
    /// Whether the sender failed to prove it is TikTok (answer 401), as opposed to a signed
    /// body we cannot read (answer 400).
    pub fn is_authentication_failure(&self) -> bool {
        matches!(
            self,
            Self::MissingSignature
                | Self::MalformedSignature(_)
                | Self::BadSignature
                | Self::StaleTimestamp { .. }
                | Self::UnknownClientKey(_)
        )
    }

    /// A stable label for logs and metrics.
    pub fn kind(&self) -> &'static str {
        match self {
            Self::MissingSignature => "missing_signature",
            Self::MalformedSignature(_) => "malformed_signature",
            Self::BadSignature => "bad_signature",
            Self::StaleTimestamp { .. } => "stale_timestamp",
            Self::MalformedBody(_) => "malformed_body",
            Self::MalformedContent(_) => "malformed_content",
            Self::UnknownClientKey(_) => "unknown_client_key",
        }
    }
}

/// Why TikTok removed a grant: `content.reason` of `authorization.removed`.
///
/// Non-exhaustive; a number this crate does not know decodes to
/// [`RemovalReason::Other`] rather than failing.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub enum RemovalReason {
    /// 0: not said.
    Unknown,
    /// 1: the creator disconnected the app in the TikTok app.
    UserDisconnected,
    /// 2: the account was deleted.
    AccountDeleted,
    /// 3: the creator's age changed.
    AgeChanged,
    /// 4: the account was banned.
    AccountBanned,
    /// 5: the app revoked the grant itself (our own revoke call comes back as an event).
    DeveloperRevoked,
    /// A number this client does not know yet.
    Other(i64),
}

impl RemovalReason {
    /// The reason for TikTok's number.
    pub fn from_code(code: i64) -> Self {
        match code {
            0 => Self::Unknown,
            1 => Self::UserDisconnected,
            2 => Self::AccountDeleted,
            3 => Self::AgeChanged,
            4 => Self::AccountBanned,
            5 => Self::DeveloperRevoked,
            other => Self::Other(other),
        }
    }

    /// TikTok's number.
    pub fn code(self) -> i64 {
        match self {
            Self::Unknown => 0,
            Self::UserDisconnected => 1,
            Self::AccountDeleted => 2,
            Self::AgeChanged => 3,
            Self::AccountBanned => 4,
            Self::DeveloperRevoked => 5,
            Self::Other(code) => code,
        }
    }

    /// A short human description, e.g. "creator removed the app in TikTok".
    pub fn describe(self) -> &'static str {
        match self {
            Self::Unknown | Self::Other(_) => "TikTok removed the authorization",
            Self::UserDisconnected => "creator removed the app in TikTok",
            Self::AccountDeleted => "the TikTok account was deleted",
            Self::AgeChanged => "the creator's age changed",
            Self::AccountBanned => "the TikTok account was banned",
            Self::DeveloperRevoked => "the app revoked the authorization",
        }
    }
}

impl<'de> Deserialize<'de> for RemovalReason {
    fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        i64::deserialize(deserializer).map(Self::from_code)
    }
}

impl serde::Serialize for RemovalReason {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.serialize_i64(self.code())
    }
}

/// The kind of a webhook event (`event`).
///
/// Non-exhaustive; an event name this crate does not know decodes to
/// [`WebhookEventKind::Other`] rather than failing (TikTok subscribes apps to
/// every event by default and adds events).
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum WebhookEventKind {
    /// `authorization.removed`: the creator's grant is gone.
    AuthorizationRemoved,
    /// `video.upload.failed` (Content Posting API).
    VideoUploadFailed,
    /// `video.publish.completed` (Content Posting API).
    VideoPublishCompleted,
    /// `portability.download.ready` (Data Portability API).
    PortabilityDownloadReady,
    /// An event name this crate does not know.
    Other(String),
}

impl WebhookEventKind {
    /// The kind of the event named `name`.
    pub fn from_name(name: &str) -> Self {
        match name {
            AUTHORIZATION_REMOVED => Self::AuthorizationRemoved,
            "video.upload.failed" => Self::VideoUploadFailed,
            "video.publish.completed" => Self::VideoPublishCompleted,
            "portability.download.ready" => Self::PortabilityDownloadReady,
            other => Self::Other(other.to_owned()),
        }
    }

    /// The event name, as TikTok sends it.
    pub fn as_str(&self) -> &str {
        match self {
            Self::AuthorizationRemoved => AUTHORIZATION_REMOVED,
            Self::VideoUploadFailed => "video.upload.failed",
            Self::VideoPublishCompleted => "video.publish.completed",
            Self::PortabilityDownloadReady => "portability.download.ready",
            Self::Other(name) => name,
        }
    }
}

impl<'de> Deserialize<'de> for WebhookEventKind {
    fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        String::deserialize(deserializer).map(|name| Self::from_name(&name))
    }
}

impl serde::Serialize for WebhookEventKind {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.serialize_str(self.as_str())
    }
}

/// What a webhook says, after its signature was checked.
///
/// Non-exhaustive; top-level fields this crate does not model are kept in
/// [`extra`](Self::extra).
#[derive(Debug, Clone, PartialEq)]
#[non_exhaustive]
pub struct WebhookEvent {
    /// The app it is addressed to.
    pub client_key: String,
    /// The event name, e.g. [`AUTHORIZATION_REMOVED`].
    pub event: String,
    /// When TikTok created the event.
    pub create_time: DateTime<Utc>,
    /// The creator concerned (`user_openid`), when the event has one.
    pub user_open_id: Option<String>,
    /// `content`, decoded from its string.
    pub content: serde_json::Value,
    /// Top-level fields this crate does not model, as TikTok sent them.
    pub extra: serde_json::Map<String, serde_json::Value>,
}

impl WebhookEvent {
    /// The kind of event, from [`event`](Self::event).
    pub fn kind(&self) -> WebhookEventKind {
        WebhookEventKind::from_name(&self.event)
    }

    /// For `authorization.removed`, the reason (missing counts as unknown); `None` for other
    /// events.
    ///
    /// # Errors
    /// [`WebhookError::MalformedContent`] if `reason` is there but not an integer.
    pub fn removal_reason(&self) -> Result<Option<RemovalReason>, WebhookError> {
        if self.event != AUTHORIZATION_REMOVED {
            return Ok(None);
        }
        match self.content.get("reason") {
            None | Some(serde_json::Value::Null) => Ok(Some(RemovalReason::Unknown)),
            Some(value) => value
                .as_i64()
                .map(|code| Some(RemovalReason::from_code(code)))
                .ok_or_else(|| WebhookError::MalformedContent("`reason` is not an integer".into())),
        }
    }
}

/// The body as TikTok sends it.
#[derive(Deserialize)]
struct WireWebhook {
    client_key: String,
    event: String,
    create_time: i64,
    #[serde(default)]
    user_openid: Option<String>,
    #[serde(default)]
    content: Option<String>,
    #[serde(flatten)]
    extra: serde_json::Map<String, serde_json::Value>,
}

/// Checks `header` (the `TikTok-Signature` value) against the raw `body`, keyed with
/// `secret`, and that its timestamp is within `tolerance` of `now`.
///
/// # Errors
/// [`WebhookError::MalformedSignature`], [`WebhookError::BadSignature`] or
/// [`WebhookError::StaleTimestamp`].
pub fn verify_signature(
    secret: &[u8],
    header: &str,
    body: &[u8],
    now: DateTime<Utc>,
    tolerance: Duration,
) -> Result<(), WebhookError> {
    let mut timestamp = None;
    let mut signatures = Vec::new();
    for part in header.split(',') {
        match part.trim().split_once('=') {
            Some(("t", value)) => timestamp = Some(value.trim()),
            Some(("s", value)) => signatures.push(value.trim()),
            _ => {}
        }
    }
    let timestamp = timestamp.ok_or(WebhookError::MalformedSignature("no `t=` timestamp"))?;
    if signatures.is_empty() {
        return Err(WebhookError::MalformedSignature("no `s=` signature"));
    }
    let seconds: i64 = timestamp
        .parse()
        .map_err(|_| WebhookError::MalformedSignature("`t` is not unix seconds"))?;
    let age_seconds = now.timestamp().saturating_sub(seconds).saturating_abs();
    if age_seconds.unsigned_abs() > tolerance.as_secs() {
        return Err(WebhookError::StaleTimestamp {
            age_seconds,
            tolerance_seconds: tolerance.as_secs(),
        });
    }
    let mut mac =
        <Hmac<Sha256> as Mac>::new_from_slice(secret).map_err(|_| WebhookError::BadSignature)?;
    mac.update(timestamp.as_bytes());
    mac.update(b".");
    mac.update(body);
    // Several `s=` values may be present while a secret rotates: one match is enough.
    let matched = signatures.iter().any(|signature| {
        hex::decode(signature).is_ok_and(|bytes| mac.clone().verify_slice(&bytes).is_ok())
    });
    if matched {
        Ok(())
    } else if signatures
        .iter()
        .all(|signature| hex::decode(signature).is_err())
    {
        Err(WebhookError::MalformedSignature("`s` is not hexadecimal"))
    } else {
        Err(WebhookError::BadSignature)
    }
}

/// Reads a webhook body (its signature already checked), decoding `content` from its string.
///
/// # Errors
/// [`WebhookError::MalformedBody`] or [`WebhookError::MalformedContent`].
pub fn parse_webhook(body: &[u8]) -> Result<WebhookEvent, WebhookError> {
    let wire: WireWebhook = serde_json::from_slice(body)
        .map_err(|error| WebhookError::MalformedBody(describe_json_error(&error)))?;
    let create_time = DateTime::from_timestamp(wire.create_time, 0).ok_or_else(|| {
        WebhookError::MalformedBody("`create_time` is not a unix timestamp".into())
    })?;
    let content = match wire.content.as_deref() {
        None | Some("") => serde_json::Value::Object(serde_json::Map::new()),
        Some(text) => serde_json::from_str(text)
            .map_err(|error| WebhookError::MalformedContent(describe_json_error(&error)))?,
    };
    if wire.event.trim().is_empty() {
        return Err(WebhookError::MalformedBody("`event` is empty".into()));
    }
    Ok(WebhookEvent {
        client_key: wire.client_key,
        event: wire.event,
        create_time,
        user_open_id: wire.user_openid.filter(|open_id| !open_id.is_empty()),
        content,
        extra: wire.extra,
    })
}

/// What is wrong with a JSON text, and where, without quoting it: serde's own message can
/// repeat a value from the body, and the message is logged and answered.
fn describe_json_error(error: &serde_json::Error) -> String {
    let what = match error.classify() {
        serde_json::error::Category::Syntax => "a JSON syntax error",
        serde_json::error::Category::Eof => "the JSON ends early",
        serde_json::error::Category::Data => "a field missing or of the wrong type",
        serde_json::error::Category::Io => "a read error",
    };
    format!("{what} at line {}, column {}", error.line(), error.column())
}

impl TikTokClient {
    /// Verifies a webhook delivery for this app: the signature (keyed with the client
    /// secret) over the raw body, its timestamp within `tolerance` of `now`, then the body,
    /// which must be addressed to this app's client key.
    ///
    /// # Errors
    /// A [`WebhookError`]; [`WebhookError::is_authentication_failure`] tells 401 from 400.
    pub fn verify_webhook(
        &self,
        signature_header: Option<&str>,
        body: &[u8],
        now: DateTime<Utc>,
        tolerance: Duration,
    ) -> Result<WebhookEvent, WebhookError> {
        let config = self.config();
        let header = signature_header.ok_or(WebhookError::MissingSignature)?;
        verify_signature(
            config.client_secret.expose_secret().as_bytes(),
            header,
            body,
            now,
            tolerance,
        )?;
        let event = parse_webhook(body)?;
        if event.client_key != config.client_key {
            return Err(WebhookError::UnknownClientKey(event.client_key));
        }
        Ok(event)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const SECRET: &[u8] = b"test-client-secret";
    const BODY: &str = r#"{"client_key":"abc123","event":"authorization.removed","create_time":1764050000,"user_openid":"-000aBcD","content":"{\"reason\": 1}"}"#;
    /// Computed outside this code: Python's `hmac.new(b"test-client-secret",
    /// b"1764050000." + BODY, hashlib.sha256).hexdigest()`.
    const EXPECTED: &str = "ccb04de9ea8fada86a293db13fdc55f6bc74d6d0e8387d2c2e601c539edc70cc";

    fn at(seconds: i64) -> DateTime<Utc> {
        DateTime::from_timestamp(seconds, 0).expect("valid time")
    }

    #[test]
    fn accepts_a_signature_computed_independently() {
        let header = format!("t=1764050000,s={EXPECTED}");
        verify_signature(
            SECRET,
            &header,
            BODY.as_bytes(),
            at(1_764_050_010),
            DEFAULT_SIGNATURE_TOLERANCE,
        )
        .expect("the independently computed signature verifies");
        // Order and spaces do not matter.
        let header = format!("s={EXPECTED}, t=1764050000");
        verify_signature(
            SECRET,
            &header,
            BODY.as_bytes(),
            at(1_764_050_000),
            DEFAULT_SIGNATURE_TOLERANCE,
        )
        .expect("reordered header verifies");
    }

    #[test]
    fn refuses_another_secret_an_altered_body_or_timestamp() {
        let header = format!("t=1764050000,s={EXPECTED}");
        let now = at(1_764_050_000);
        let tolerance = DEFAULT_SIGNATURE_TOLERANCE;
        assert_eq!(
            verify_signature(b"other", &header, BODY.as_bytes(), now, tolerance),
            Err(WebhookError::BadSignature)
        );
        let altered = BODY.replace("-000aBcD", "-000aBcE");
        assert_eq!(
            verify_signature(SECRET, &header, altered.as_bytes(), now, tolerance),
            Err(WebhookError::BadSignature)
        );
        let shifted = format!("t=1764050001,s={EXPECTED}");
        assert_eq!(
            verify_signature(SECRET, &shifted, BODY.as_bytes(), now, tolerance),
            Err(WebhookError::BadSignature)
        );
    }

    #[test]
    fn refuses_stale_and_future_timestamps() {
        let header = format!("t=1764050000,s={EXPECTED}");
        let tolerance = Duration::from_secs(300);
        assert_eq!(
            verify_signature(
                SECRET,
                &header,
                BODY.as_bytes(),
                at(1_764_050_301),
                tolerance
            ),
            Err(WebhookError::StaleTimestamp {
                age_seconds: 301,
                tolerance_seconds: 300
            })
        );
        assert!(matches!(
            verify_signature(
                SECRET,
                &header,
                BODY.as_bytes(),
                at(1_764_049_000),
                tolerance
            ),
            Err(WebhookError::StaleTimestamp {
                age_seconds: 1000,
                ..
            })
        ));
        verify_signature(
            SECRET,
            &header,
            BODY.as_bytes(),
            at(1_764_050_300),
            tolerance,
        )
        .expect("exactly at the tolerance is accepted");
    }

    #[test]
    fn a_malformed_body_is_described_without_quoting_it() {
        let body = br#"{"client_key":"abc123","event":"authorization.removed","create_time":"act.secret-value"}"#;
        let error = parse_webhook(body).unwrap_err();
        let message = error.to_string();
        assert!(matches!(error, WebhookError::MalformedBody(_)), "{error:?}");
        assert!(!message.contains("secret-value"), "{message}");
        assert!(
            message.contains("a field missing or of the wrong type at line 1, column"),
            "{message}"
        );
        let content =
            r#"{"client_key":"k","event":"e","create_time":1,"content":"{\"reason\": act.hidden"}"#;
        let message = parse_webhook(content.as_bytes()).unwrap_err().to_string();
        assert!(!message.contains("hidden"), "{message}");
        assert!(message.contains("a JSON syntax error"), "{message}");
    }

    #[test]
    fn refuses_malformed_headers() {
        let now = at(1_764_050_000);
        let tolerance = DEFAULT_SIGNATURE_TOLERANCE;
        for header in [
            "",
            "s=00",
            "t=1764050000",
            "t=soon,s=00",
            "t=1764050000,s=zz",
        ] {
            assert!(
                matches!(
                    verify_signature(SECRET, header, BODY.as_bytes(), now, tolerance),
                    Err(WebhookError::MalformedSignature(_))
                ),
                "{header:?} is malformed"
            );
        }
    }

    #[test]
    fn parses_the_documented_body_and_its_content_string() {
        let event = parse_webhook(BODY.as_bytes()).expect("documented body parses");
        assert_eq!(event.client_key, "abc123");
        assert_eq!(event.event, AUTHORIZATION_REMOVED);
        assert_eq!(event.create_time, at(1_764_050_000));
        assert_eq!(event.user_open_id.as_deref(), Some("-000aBcD"));
        assert_eq!(
            event.removal_reason(),
            Ok(Some(RemovalReason::UserDisconnected))
        );
        assert_eq!(
            RemovalReason::UserDisconnected.describe(),
            "creator removed the app in TikTok"
        );
    }

    #[test]
    fn refuses_bodies_it_cannot_read() {
        assert!(matches!(
            parse_webhook(b"not json"),
            Err(WebhookError::MalformedBody(_))
        ));
        assert!(matches!(
            parse_webhook(br#"{"event":"x","create_time":1}"#),
            Err(WebhookError::MalformedBody(_))
        ));
        let not_json_content = r#"{"client_key":"k","event":"authorization.removed","create_time":1,"user_openid":"o","content":"reason=1"}"#;
        assert!(matches!(
            parse_webhook(not_json_content.as_bytes()),
            Err(WebhookError::MalformedContent(_))
        ));
        let bad_reason = r#"{"client_key":"k","event":"authorization.removed","create_time":1,"content":"{\"reason\":\"one\"}"}"#;
        let event = parse_webhook(bad_reason.as_bytes()).expect("content is JSON");
        assert!(matches!(
            event.removal_reason(),
            Err(WebhookError::MalformedContent(_))
        ));
    }

    #[test]
    fn reasons_round_trip_through_their_codes() {
        for code in -1..=7 {
            assert_eq!(RemovalReason::from_code(code).code(), code);
        }
        let other = r#"{"client_key":"k","event":"video.publish.completed","create_time":1,"content":"{}"}"#;
        let event = parse_webhook(other.as_bytes()).expect("other events parse");
        assert_eq!(event.removal_reason(), Ok(None));
        assert_eq!(event.user_open_id, None);
    }
}

//! Turning a raw HTTP response into a value or a [`YouTubeError`].
//!
//! Errors are read from the body whatever the HTTP status. Two shapes exist: Google's
//! envelope `{"error": {code, message, errors, status}}` (Data API, Analytics) and the OAuth
//! `{"error": "…", "error_description": "…"}`; the type of `error` tells them apart. Decode
//! errors never quote a value: token bodies hold tokens.

use std::time::Duration;

use chrono::{DateTime, Utc};
use serde::de::DeserializeOwned;
use serde_json::{Map, Value};

use crate::error::{ErrorDetail, GoogleErrorBody};
use crate::{Endpoint, QuotaBucket, YouTubeError};

/// What one HTTP attempt brought back, before interpretation.
pub(crate) struct RawResponse {
    pub(crate) status: u16,
    pub(crate) retry_after: Option<Duration>,
    /// The scope named by `WWW-Authenticate: … error="insufficient_scope", scope="…"`.
    pub(crate) missing_scope: Option<String>,
    pub(crate) body: Vec<u8>,
}

impl RawResponse {
    pub(crate) fn is_success(&self) -> bool {
        (200..=299).contains(&self.status)
    }
}

/// What a parser knows about the call besides the response.
#[derive(Clone, Copy, Debug)]
pub(crate) struct CallContext {
    pub(crate) endpoint: Endpoint,
    /// When the request was sent: token lifetimes count from here, so a computed expiry is
    /// never later than Google's.
    pub(crate) sent_at: DateTime<Utc>,
    /// When the answer arrived: quota resets are computed from here.
    pub(crate) received_at: DateTime<Utc>,
    pub(crate) bucket: Option<QuotaBucket>,
}

pub(crate) fn decode(
    context: CallContext,
    raw: &RawResponse,
    reason: impl Into<String>,
) -> YouTubeError {
    YouTubeError::Decode {
        endpoint: context.endpoint,
        http_status: raw.status,
        reason: reason.into(),
    }
}

/// serde's message without any quoted value: only a missing field's name is kept.
pub(crate) fn safe_reason(error: &serde_json::Error) -> String {
    let message = error.to_string();
    if message.starts_with("missing field") {
        message
            .split(" at line")
            .next()
            .unwrap_or("a field is missing")
            .to_owned()
    } else {
        "a field has an unexpected type or value".to_owned()
    }
}

fn text(object: &Map<String, Value>, name: &str) -> Option<String> {
    match object.get(name)? {
        Value::String(text) if !text.is_empty() => Some(text.clone()),
        _ => None,
    }
}

/// The envelope a body describes, if any.
fn google_error(body: &Map<String, Value>) -> Option<GoogleErrorBody> {
    let Value::Object(error) = body.get("error")? else {
        return None;
    };
    let errors = match error.get("errors") {
        Some(Value::Array(entries)) => entries
            .iter()
            .filter_map(Value::as_object)
            .map(|entry| ErrorDetail {
                domain: text(entry, "domain"),
                reason: text(entry, "reason"),
                message: text(entry, "message"),
                location: text(entry, "location"),
                location_type: text(entry, "locationType"),
            })
            .collect(),
        _ => Vec::new(),
    };
    Some(GoogleErrorBody {
        code: error
            .get("code")
            .and_then(Value::as_u64)
            .and_then(|code| u16::try_from(code).ok())
            .unwrap_or_default(),
        message: text(error, "message").unwrap_or_default(),
        status: text(error, "status"),
        errors,
    })
}

/// The body as a JSON object when it carries no error and the status is a success.
pub(crate) fn checked_body(
    context: CallContext,
    raw: &RawResponse,
) -> Result<Map<String, Value>, YouTubeError> {
    let body = match serde_json::from_slice::<Value>(&raw.body) {
        Ok(Value::Object(map)) => Some(map),
        _ => None,
    };
    let Some(body) = body else {
        return Err(if raw.is_success() {
            decode(context, raw, "the body is not a JSON object")
        } else {
            YouTubeError::Http {
                endpoint: context.endpoint,
                status: raw.status,
                retry_after: raw.retry_after,
                received_at: context.received_at,
            }
        });
    };
    if let Some(error) = google_error(&body) {
        return Err(YouTubeError::Api {
            endpoint: context.endpoint,
            http_status: raw.status,
            error: Box::new(error),
            retry_after: raw.retry_after,
            received_at: context.received_at,
            bucket: context.bucket,
            missing_scope: raw.missing_scope.clone(),
        });
    }
    if let Some(Value::String(error)) = body.get("error") {
        return Err(YouTubeError::OAuth {
            endpoint: context.endpoint,
            http_status: raw.status,
            error: error.clone(),
            description: text(&body, "error_description"),
        });
    }
    if !raw.is_success() {
        return Err(YouTubeError::Http {
            endpoint: context.endpoint,
            status: raw.status,
            retry_after: raw.retry_after,
            received_at: context.received_at,
        });
    }
    Ok(body)
}

/// A JSON read: the whole body decoded as `T`.
pub(crate) fn parse_json<T: DeserializeOwned>(
    context: CallContext,
    raw: &RawResponse,
) -> Result<T, YouTubeError> {
    let body = checked_body(context, raw)?;
    serde_json::from_value(Value::Object(body))
        .map_err(|error| decode(context, raw, safe_reason(&error)))
}

/// The scope of a `WWW-Authenticate: Bearer …, error="insufficient_scope", scope="…"`.
pub(crate) fn insufficient_scope(header: &str) -> Option<String> {
    if !header.contains("insufficient_scope") {
        return None;
    }
    let start = header.find("scope=\"")? + "scope=\"".len();
    let rest = header.get(start..)?;
    Some(rest.get(..rest.find('"')?)?.to_owned())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn raw(status: u16, body: &str) -> RawResponse {
        RawResponse {
            status,
            retry_after: None,
            missing_scope: None,
            body: body.as_bytes().to_vec(),
        }
    }

    fn context() -> CallContext {
        CallContext {
            endpoint: Endpoint::Videos,
            sent_at: Utc::now(),
            received_at: Utc::now(),
            bucket: Some(QuotaBucket::General),
        }
    }

    #[test]
    fn both_error_shapes_are_read_whatever_the_status() {
        let envelope = r#"{"error":{"code":403,"message":"m","errors":[{"domain":"youtube.quota","reason":"quotaExceeded","message":"m"}],"status":"PERMISSION_DENIED"}}"#;
        let error = parse_json::<Value>(context(), &raw(403, envelope)).expect_err("quota");
        assert_eq!(error.reason(), Some("quotaExceeded"));
        assert!(error.quota_resets_at().is_some());
        let oauth =
            r#"{"error":"invalid_grant","error_description":"Token has been expired or revoked."}"#;
        let error = parse_json::<Value>(context(), &raw(400, oauth)).expect_err("oauth");
        assert!(error.needs_reauth());
        let error = parse_json::<Value>(context(), &raw(502, "<html>")).expect_err("502");
        assert!(matches!(error, YouTubeError::Http { status: 502, .. }));
        let error = parse_json::<Value>(context(), &raw(200, "{\"items\":")).expect_err("cut");
        assert!(matches!(error, YouTubeError::Decode { .. }));
    }

    #[test]
    fn decode_errors_do_not_quote_values() {
        #[derive(serde::Deserialize, Debug)]
        struct Token {
            #[allow(dead_code)]
            expires_in: u64,
        }
        let error = parse_json::<Token>(context(), &raw(200, r#"{"expires_in":"ya29.SECRET"}"#))
            .expect_err("bad type");
        assert!(!format!("{error} {error:?}").contains("SECRET"));
    }

    #[test]
    fn the_missing_scope_is_read_from_www_authenticate() {
        assert_eq!(
            insufficient_scope(
                "Bearer realm=\"https://accounts.google.com/\", error=\"insufficient_scope\", scope=\"https://www.googleapis.com/auth/youtube.readonly\""
            )
            .as_deref(),
            Some("https://www.googleapis.com/auth/youtube.readonly")
        );
        assert_eq!(
            insufficient_scope("Bearer realm=\"x\", error=\"invalid_token\""),
            None
        );
    }
}

//! Turning a raw HTTP response into a value or a [`TikTokError`].
//!
//! TikTok's errors are read from the body whatever the HTTP status (the token
//! endpoint has answered 200 with an error body). Two error shapes exist:
//! Login Kit's `{"error": "invalid_grant", "error_description", "log_id"}` and
//! the Display API's envelope `{"data", "error": {"code", "message",
//! "log_id"}}`; both are recognised on every endpoint, defensively.

use std::time::Duration;

use chrono::{DateTime, Utc};
use serde::de::DeserializeOwned;
use serde_json::{Map, Value};

use crate::token::{TokenResponse, TokenSet};
use crate::{Endpoint, TikTokError};

/// What one HTTP attempt brought back, before interpretation.
pub(crate) struct RawResponse {
    /// HTTP status.
    pub(crate) status: u16,
    /// The `x-tt-logid` header.
    pub(crate) header_log_id: Option<String>,
    /// The `Retry-After` header, parsed.
    pub(crate) retry_after: Option<Duration>,
    /// The whole body.
    pub(crate) body: Vec<u8>,
}

impl RawResponse {
    fn is_success(&self) -> bool {
        (200..=299).contains(&self.status)
    }
}

/// How an OAuth `invalid_grant` is to be read.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Grant {
    /// Not a token call (revoke, Display API).
    None,
    /// A code exchange: the code is invalid, expired or reused.
    AuthorizationCode,
    /// A refresh: the refresh token is dead and the user must reconnect.
    RefreshToken,
}

/// The TikTok error code carried by an error, for the call hook.
pub(crate) fn error_label(error: &TikTokError) -> &str {
    error.tiktok_code().unwrap_or_else(|| error.kind())
}

/// Checks a Display API envelope and decodes its `data`.
pub(crate) fn parse_envelope<T: DeserializeOwned>(
    endpoint: Endpoint,
    raw: &RawResponse,
) -> Result<T, TikTokError> {
    let mut body = checked_body(endpoint, raw, Grant::None)?;
    let log_id = envelope_log_id(&body).or_else(|| raw.header_log_id.clone());
    let Some(data) = body.remove("data") else {
        return Err(decode(endpoint, raw, "the envelope has no `data`", log_id));
    };
    serde_json::from_value(data).map_err(|error| {
        decode(
            endpoint,
            raw,
            &format!("unexpected `data`: {error}"),
            log_id,
        )
    })
}

/// Decodes a token endpoint success body into a token set.
pub(crate) fn parse_token(
    raw: &RawResponse,
    grant: Grant,
    issued_at: DateTime<Utc>,
) -> Result<TokenSet, TikTokError> {
    let endpoint = Endpoint::Token;
    let body = checked_body(endpoint, raw, grant)?;
    let log_id = string_field(&body, "log_id").or_else(|| raw.header_log_id.clone());
    // serde's messages can quote the offending value, and this body holds
    // tokens: only a missing field's name is kept.
    let parsed: TokenResponse = serde_json::from_value(Value::Object(body)).map_err(|error| {
        let message = error.to_string();
        let reason = if message.starts_with("missing field") {
            format!("token response: {message}")
        } else {
            "token response: a field has an unexpected type".to_owned()
        };
        decode(endpoint, raw, &reason, log_id.clone())
    })?;
    parsed
        .into_token_set(issued_at)
        .ok_or_else(|| decode(endpoint, raw, "token response: empty access_token", log_id))
}

/// Checks a revoke response: any success status without an error body.
pub(crate) fn parse_revoke(raw: &RawResponse) -> Result<(), TikTokError> {
    if raw.is_success() && raw.body.iter().all(u8::is_ascii_whitespace) {
        return Ok(());
    }
    checked_body(Endpoint::Revoke, raw, Grant::None).map(|_| ())
}

/// Returns the body as a JSON object when it carries no error and the status
/// is a success; otherwise the error it describes.
fn checked_body(
    endpoint: Endpoint,
    raw: &RawResponse,
    grant: Grant,
) -> Result<Map<String, Value>, TikTokError> {
    let body = match serde_json::from_slice::<Value>(&raw.body) {
        Ok(Value::Object(map)) => Some(map),
        _ => None,
    };
    if raw.status == 429 {
        let log_id = body
            .as_ref()
            .and_then(|b| envelope_log_id(b).or_else(|| string_field(b, "log_id")))
            .or_else(|| raw.header_log_id.clone());
        return Err(TikTokError::RateLimited {
            retry_after: raw.retry_after,
            log_id,
        });
    }
    let Some(body) = body else {
        return Err(if raw.is_success() {
            decode(
                endpoint,
                raw,
                "the body is not a JSON object",
                raw.header_log_id.clone(),
            )
        } else {
            TikTokError::Http {
                endpoint,
                status: raw.status,
                log_id: raw.header_log_id.clone(),
            }
        });
    };
    if let Some(error) = body_error(&body, raw, grant) {
        return Err(error);
    }
    if !raw.is_success() {
        return Err(TikTokError::Http {
            endpoint,
            status: raw.status,
            log_id: envelope_log_id(&body)
                .or_else(|| string_field(&body, "log_id"))
                .or_else(|| raw.header_log_id.clone()),
        });
    }
    Ok(body)
}

/// The error a JSON body describes, in either of TikTok's shapes.
fn body_error(body: &Map<String, Value>, raw: &RawResponse, grant: Grant) -> Option<TikTokError> {
    match body.get("error")? {
        Value::String(code) if !code.is_empty() => Some(oauth_error(
            code,
            string_field(body, "error_description"),
            string_field(body, "log_id").or_else(|| raw.header_log_id.clone()),
            raw.status,
            grant,
        )),
        Value::Object(error) => {
            let code = string_field(error, "code")?;
            if code == "ok" {
                return None;
            }
            Some(envelope_error(
                code,
                string_field(error, "message").unwrap_or_default(),
                string_field(error, "log_id").or_else(|| raw.header_log_id.clone()),
                raw,
            ))
        }
        _ => None,
    }
}

/// Maps a Login Kit error.
fn oauth_error(
    code: &str,
    description: Option<String>,
    log_id: Option<String>,
    http_status: u16,
    grant: Grant,
) -> TikTokError {
    match code {
        "invalid_grant" if grant == Grant::RefreshToken => TikTokError::RefreshRejected {
            description,
            log_id,
        },
        "invalid_client" => TikTokError::InvalidClient {
            description,
            log_id,
        },
        _ => TikTokError::OAuth {
            error: code.to_owned(),
            description,
            log_id,
            http_status,
        },
    }
}

/// Maps a Display API `error.code`.
fn envelope_error(
    code: String,
    message: String,
    log_id: Option<String>,
    raw: &RawResponse,
) -> TikTokError {
    match code.as_str() {
        "access_token_invalid" => TikTokError::AccessTokenInvalid { message, log_id },
        "scope_not_authorized" => TikTokError::ScopeNotAuthorized { message, log_id },
        "scope_permission_missed" => TikTokError::ScopePermissionMissed { message, log_id },
        "rate_limit_exceeded" => TikTokError::RateLimited {
            retry_after: raw.retry_after,
            log_id,
        },
        _ => TikTokError::Api {
            code,
            message,
            log_id,
            http_status: raw.status,
        },
    }
}

fn decode(
    endpoint: Endpoint,
    raw: &RawResponse,
    reason: &str,
    log_id: Option<String>,
) -> TikTokError {
    TikTokError::Decode {
        endpoint,
        http_status: raw.status,
        reason: reason.to_owned(),
        log_id,
    }
}

/// `error.log_id` of an envelope.
fn envelope_log_id(body: &Map<String, Value>) -> Option<String> {
    match body.get("error")? {
        Value::Object(error) => string_field(error, "log_id"),
        _ => None,
    }
}

/// A non-empty string field.
fn string_field(object: &Map<String, Value>, name: &str) -> Option<String> {
    match object.get(name)? {
        Value::String(text) if !text.is_empty() => Some(text.clone()),
        _ => None,
    }
}

/// Parses `Retry-After`: delay seconds, or an HTTP date (a date in the past
/// means no wait).
pub(crate) fn parse_retry_after(value: &str, now: DateTime<Utc>) -> Option<Duration> {
    let value = value.trim();
    if let Ok(seconds) = value.parse::<u64>() {
        return Some(Duration::from_secs(seconds));
    }
    let date = DateTime::parse_from_rfc2822(value).ok()?;
    Some(
        (date.with_timezone(&Utc) - now)
            .to_std()
            .unwrap_or(Duration::ZERO),
    )
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::user::UserInfoData;

    fn raw(status: u16, body: &str) -> RawResponse {
        RawResponse {
            status,
            header_log_id: Some("header-log".to_owned()),
            retry_after: None,
            body: body.as_bytes().to_vec(),
        }
    }

    #[test]
    fn envelope_ok_decodes_data() {
        let body = r#"{"data":{"user":{"open_id":"-000a"}},"error":{"code":"ok","message":"","log_id":"L1"}}"#;
        let data: UserInfoData = parse_envelope(Endpoint::UserInfo, &raw(200, body)).expect("ok");
        assert_eq!(data.user.open_id, "-000a");
    }

    #[test]
    fn envelope_error_on_200_is_an_error() {
        let body =
            r#"{"data":{},"error":{"code":"scope_not_authorized","message":"no","log_id":"L2"}}"#;
        let error = parse_envelope::<UserInfoData>(Endpoint::UserInfo, &raw(200, body))
            .expect_err("error body");
        assert!(matches!(error, TikTokError::ScopeNotAuthorized { .. }));
        assert_eq!(error.log_id(), Some("L2"));
    }

    #[test]
    fn rate_limit_code_is_rate_limited_whatever_the_status() {
        let body = r#"{"error":{"code":"rate_limit_exceeded","message":"","log_id":"L5"}}"#;
        let error = parse_envelope::<UserInfoData>(Endpoint::VideoList, &raw(200, body))
            .expect_err("error body");
        assert!(
            matches!(error, TikTokError::RateLimited { .. }),
            "{error:?}"
        );
        assert_eq!(error.log_id(), Some("L5"));
        let error = parse_envelope::<UserInfoData>(Endpoint::VideoList, &raw(429, ""))
            .expect_err("bare 429");
        assert!(
            matches!(error, TikTokError::RateLimited { .. }),
            "{error:?}"
        );
        assert_eq!(error.log_id(), Some("header-log"));
    }

    #[test]
    fn unknown_code_keeps_code_message_and_status() {
        let body = r#"{"error":{"code":"invalid_params","message":"bad field","log_id":"L3"}}"#;
        let error = parse_envelope::<UserInfoData>(Endpoint::UserInfo, &raw(400, body))
            .expect_err("error body");
        match error {
            TikTokError::Api {
                code,
                message,
                http_status,
                log_id,
            } => {
                assert_eq!(code, "invalid_params");
                assert_eq!(message, "bad field");
                assert_eq!(http_status, 400);
                assert_eq!(log_id.as_deref(), Some("L3"));
            }
            other => panic!("unexpected {other:?}"),
        }
    }

    #[test]
    fn non_json_error_is_http_and_non_json_success_is_decode() {
        let error = parse_envelope::<UserInfoData>(Endpoint::UserInfo, &raw(502, "<html>"))
            .expect_err("502");
        assert!(matches!(error, TikTokError::Http { status: 502, .. }));
        assert_eq!(error.log_id(), Some("header-log"));
        let error = parse_envelope::<UserInfoData>(Endpoint::UserInfo, &raw(200, "{\"data\":"))
            .expect_err("truncated");
        assert!(matches!(error, TikTokError::Decode { .. }));
    }

    #[test]
    fn oauth_invalid_grant_depends_on_the_grant() {
        let body = r#"{"error":"invalid_grant","error_description":"expired","log_id":"L4"}"#;
        let refresh =
            parse_token(&raw(400, body), Grant::RefreshToken, Utc::now()).expect_err("error body");
        assert!(matches!(refresh, TikTokError::RefreshRejected { .. }));
        let exchange = parse_token(&raw(200, body), Grant::AuthorizationCode, Utc::now())
            .expect_err("error body");
        assert!(
            matches!(exchange, TikTokError::OAuth { ref error, http_status: 200, .. } if error == "invalid_grant")
        );
    }

    #[test]
    fn token_decode_errors_do_not_quote_values() {
        let body = r#"{"access_token":"act.SECRET","expires_in":"act.SECRET","open_id":"x"}"#;
        let error =
            parse_token(&raw(200, body), Grant::AuthorizationCode, Utc::now()).expect_err("bad");
        assert!(!format!("{error} {error:?}").contains("SECRET"));
        let missing = parse_token(&raw(200, r#"{"open_id":"x"}"#), Grant::None, Utc::now())
            .expect_err("missing");
        assert!(missing.to_string().contains("access_token"));
    }

    #[test]
    fn revoke_accepts_empty_object_and_empty_body() {
        assert!(parse_revoke(&raw(200, "{}")).is_ok());
        assert!(parse_revoke(&raw(200, "")).is_ok());
        assert!(parse_revoke(&raw(200, r#"{"error":"invalid_request"}"#)).is_err());
    }

    #[test]
    fn retry_after_seconds_and_dates() {
        let now = DateTime::parse_from_rfc2822("Wed, 25 Nov 2026 12:00:00 GMT")
            .expect("valid date")
            .with_timezone(&Utc);
        assert_eq!(parse_retry_after("3", now), Some(Duration::from_secs(3)));
        assert_eq!(
            parse_retry_after("Wed, 25 Nov 2026 12:00:10 GMT", now),
            Some(Duration::from_secs(10))
        );
        assert_eq!(
            parse_retry_after("Wed, 25 Nov 2026 11:00:00 GMT", now),
            Some(Duration::ZERO)
        );
        assert_eq!(parse_retry_after("soon", now), None);
    }
}

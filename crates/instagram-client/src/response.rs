//! Turning a raw HTTP response into a value or an [`InstagramError`].
//!
//! Errors are read from the body whatever the HTTP status. Two error shapes exist: the Graph
//! envelope `{"error": {message, type, code, error_subcode, fbtrace_id}}`, and the code
//! exchange's flat `{"error_type", "code", "error_message"}`; both are recognised on the
//! token endpoints. Decode errors never quote a value: bodies hold tokens, and `paging.next`
//! URLs carry the token.

use chrono::{DateTime, Utc};
use serde::de::DeserializeOwned;
use serde_json::{Map, Value};

use crate::error::GraphErrorBody;
use crate::token::{LongLivedResponse, ShortLivedResponse};
use crate::{AccessToken, Endpoint, InstagramError, LongLivedToken, ShortLivedToken, Usage};

/// What one HTTP attempt brought back, before interpretation.
pub(crate) struct RawResponse {
    pub(crate) status: u16,
    pub(crate) usage: Option<Usage>,
    pub(crate) body: Vec<u8>,
}

impl RawResponse {
    fn is_success(&self) -> bool {
        (200..=299).contains(&self.status)
    }
}

fn decode(endpoint: Endpoint, raw: &RawResponse, reason: impl Into<String>) -> InstagramError {
    InstagramError::Decode {
        endpoint,
        http_status: raw.status,
        reason: reason.into(),
    }
}

/// serde's message without any quoted value: only a missing field's name is kept.
fn safe_reason(error: &serde_json::Error) -> String {
    let message = error.to_string();
    if message.starts_with("missing field") {
        message
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

fn integer(object: &Map<String, Value>, name: &str) -> Option<i64> {
    match object.get(name)? {
        Value::Number(number) => number.as_i64(),
        Value::String(text) => text.parse().ok(),
        _ => None,
    }
}

/// The Graph error a body describes, if any.
fn graph_error(body: &Map<String, Value>) -> Option<GraphErrorBody> {
    let Value::Object(error) = body.get("error")? else {
        return None;
    };
    Some(GraphErrorBody {
        message: text(error, "message").unwrap_or_default(),
        error_type: text(error, "type"),
        code: integer(error, "code").unwrap_or_default(),
        subcode: integer(error, "error_subcode"),
        user_title: text(error, "error_user_title"),
        user_message: text(error, "error_user_msg"),
        is_transient: error.get("is_transient").and_then(Value::as_bool),
        fbtrace_id: text(error, "fbtrace_id"),
    })
}

/// The body as a JSON object when it carries no error and the status is a success.
fn checked_body(
    endpoint: Endpoint,
    raw: &RawResponse,
) -> Result<Map<String, Value>, InstagramError> {
    let body = match serde_json::from_slice::<Value>(&raw.body) {
        Ok(Value::Object(map)) => Some(map),
        _ => None,
    };
    let Some(body) = body else {
        return Err(if raw.is_success() {
            decode(endpoint, raw, "the body is not a JSON object")
        } else {
            InstagramError::Http {
                endpoint,
                status: raw.status,
            }
        });
    };
    if let Some(error) = graph_error(&body) {
        return Err(InstagramError::Graph {
            endpoint,
            http_status: raw.status,
            error: Box::new(error),
            usage: raw.usage.clone(),
        });
    }
    if body.contains_key("error_message") || body.contains_key("error_type") {
        return Err(InstagramError::TokenEndpoint {
            http_status: raw.status,
            error_type: text(&body, "error_type"),
            code: integer(&body, "code"),
            message: text(&body, "error_message").unwrap_or_default(),
        });
    }
    if !raw.is_success() {
        return Err(InstagramError::Http {
            endpoint,
            status: raw.status,
        });
    }
    Ok(body)
}

/// A Graph read: the whole body decoded as `T`.
pub(crate) fn parse_graph<T: DeserializeOwned>(
    endpoint: Endpoint,
    raw: &RawResponse,
) -> Result<T, InstagramError> {
    let body = checked_body(endpoint, raw)?;
    serde_json::from_value(Value::Object(body))
        .map_err(|error| decode(endpoint, raw, safe_reason(&error)))
}

/// The code exchange: `data[]`-wrapped or flat, `user_id` a string or a number.
pub(crate) fn parse_short_lived(
    raw: &RawResponse,
    obtained_at: DateTime<Utc>,
    assumed_lifetime: std::time::Duration,
) -> Result<ShortLivedToken, InstagramError> {
    let endpoint = Endpoint::CodeExchange;
    let mut body = checked_body(endpoint, raw)?;
    let entry = match body.remove("data") {
        Some(Value::Array(entries)) => entries
            .into_iter()
            .next()
            .ok_or_else(|| decode(endpoint, raw, "`data` is empty"))?,
        Some(_) => return Err(decode(endpoint, raw, "`data` is not an array")),
        None => Value::Object(body),
    };
    let parsed: ShortLivedResponse = serde_json::from_value(entry)
        .map_err(|error| decode(endpoint, raw, safe_reason(&error)))?;
    if parsed.access_token.is_empty() {
        return Err(decode(endpoint, raw, "empty access_token"));
    }
    Ok(ShortLivedToken {
        access_token: AccessToken::new(parsed.access_token),
        user_id: parsed.user_id,
        permissions: parsed.permissions.map(|p| p.into_vec()).unwrap_or_default(),
        obtained_at,
        assumed_lifetime,
        extra: parsed.extra,
    })
}

/// The long-lived exchange and refresh: `{access_token, token_type, expires_in}`.
pub(crate) fn parse_long_lived(
    endpoint: Endpoint,
    raw: &RawResponse,
    issued_at: DateTime<Utc>,
) -> Result<LongLivedToken, InstagramError> {
    let body = checked_body(endpoint, raw)?;
    let parsed: LongLivedResponse = serde_json::from_value(Value::Object(body))
        .map_err(|error| decode(endpoint, raw, safe_reason(&error)))?;
    if parsed.access_token.is_empty() {
        return Err(decode(endpoint, raw, "empty access_token"));
    }
    Ok(LongLivedToken {
        access_token: AccessToken::new(parsed.access_token),
        token_type: parsed.token_type.unwrap_or_else(|| "bearer".to_owned()),
        expires_in: std::time::Duration::from_secs(parsed.expires_in),
        issued_at,
        extra: parsed.extra,
    })
}

#[cfg(test)]
mod tests {
    use std::time::Duration;

    use super::*;

    fn raw(status: u16, body: &str) -> RawResponse {
        RawResponse {
            status,
            usage: None,
            body: body.as_bytes().to_vec(),
        }
    }

    #[test]
    fn both_exchange_shapes_and_both_id_types() {
        let wrapped = r#"{"data":[{"access_token":"IGAA1","user_id":"9123456789012345","permissions":"instagram_business_basic,instagram_business_manage_insights"}]}"#;
        let token = parse_short_lived(&raw(200, wrapped), Utc::now(), Duration::from_secs(3600))
            .expect("wrapped");
        assert_eq!(token.user_id, "9123456789012345");
        assert_eq!(token.permissions.len(), 2);
        let flat = r#"{"access_token":"IGAA2","user_id":17841405793187218,"permissions":"instagram_business_basic"}"#;
        let token = parse_short_lived(&raw(200, flat), Utc::now(), Duration::from_secs(3600))
            .expect("flat");
        assert_eq!(token.user_id, "17841405793187218");
    }

    #[test]
    fn flat_and_graph_errors_are_read_whatever_the_status() {
        let flat = r#"{"error_type":"OAuthException","code":400,"error_message":"Matching code was not found or was already used"}"#;
        let error =
            parse_short_lived(&raw(400, flat), Utc::now(), Duration::ZERO).expect_err("flat");
        assert!(matches!(
            error,
            InstagramError::TokenEndpoint {
                code: Some(400),
                ..
            }
        ));
        let graph = r#"{"error":{"message":"m","type":"OAuthException","code":190,"error_subcode":463,"fbtrace_id":"T1"}}"#;
        let error = parse_graph::<Value>(Endpoint::Profile, &raw(200, graph)).expect_err("graph");
        assert!(error.needs_reauth());
        assert_eq!(error.fbtrace_id(), Some("T1"));
        let error = parse_graph::<Value>(Endpoint::Profile, &raw(502, "<html>")).expect_err("502");
        assert!(matches!(error, InstagramError::Http { status: 502, .. }));
        let error =
            parse_graph::<Value>(Endpoint::Profile, &raw(200, "{\"data\":")).expect_err("cut");
        assert!(matches!(error, InstagramError::Decode { .. }));
    }

    #[test]
    fn decode_errors_do_not_quote_values() {
        let body = r#"{"access_token":"IGAA-SECRET","expires_in":"IGAA-SECRET"}"#;
        let error =
            parse_long_lived(Endpoint::Refresh, &raw(200, body), Utc::now()).expect_err("bad type");
        assert!(!format!("{error} {error:?}").contains("SECRET"));
    }
}

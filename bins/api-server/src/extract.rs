//! Extractor configuration and a query extractor that names the bad parameter.
//!
//! actix's own extractors answer malformed input in plain text; the configs here turn those
//! failures into [`ApiError`]s, and set small body limits (the API takes small JSON bodies
//! only; TikTok's webhooks are small too).

use std::future::{Ready, ready};
use std::ops::Deref;

use actix_web::error::{JsonPayloadError, PayloadError, QueryPayloadError};
use actix_web::{FromRequest, HttpRequest, dev::Payload, web};
use serde::de::DeserializeOwned;
use url::form_urlencoded;

use crate::error::{ApiError, ErrorCode};

/// Largest JSON body accepted, in bytes.
pub const JSON_LIMIT: usize = 16 * 1024;
/// Largest raw body (`web::Bytes`, `String`) accepted, in bytes.
pub const PAYLOAD_LIMIT: usize = 64 * 1024;

/// `web::Json` settings: a small limit and JSON errors.
pub fn json_config() -> web::JsonConfig {
    web::JsonConfig::default()
        .limit(JSON_LIMIT)
        .error_handler(|error, _request| json_error(error).into())
}

/// `web::Bytes` / `String` settings: a small limit.
pub fn payload_config() -> web::PayloadConfig {
    web::PayloadConfig::new(PAYLOAD_LIMIT)
}

/// `web::Query` settings: JSON errors naming what serde could tell.
pub fn query_config() -> web::QueryConfig {
    web::QueryConfig::default().error_handler(|error, _request| query_error(error).into())
}

/// Maps a JSON body failure to the API's error.
fn json_error(error: JsonPayloadError) -> ApiError {
    match error {
        JsonPayloadError::Overflow { limit }
        | JsonPayloadError::OverflowKnownLength { limit, .. } => {
            ApiError::PayloadTooLarge { limit }
        }
        JsonPayloadError::Payload(PayloadError::Overflow) => {
            ApiError::PayloadTooLarge { limit: JSON_LIMIT }
        }
        JsonPayloadError::ContentType => ApiError::new(
            ErrorCode::UnsupportedMediaType,
            "expected Content-Type: application/json",
        ),
        JsonPayloadError::Deserialize(error) => ApiError::invalid_body(error.to_string()),
        other => ApiError::invalid_body(other.to_string()),
    }
}

/// Maps a `web::Query` failure; serde names the field only for missing ones.
fn query_error(error: QueryPayloadError) -> ApiError {
    let reason = match &error {
        QueryPayloadError::Deserialize(error) => error.to_string(),
        other => other.to_string(),
    };
    let parameter = reason
        .strip_prefix("missing field `")
        .and_then(|rest| rest.split('`').next())
        .unwrap_or_default()
        .to_owned();
    ApiError::InvalidQuery { parameter, reason }
}

/// Like `web::Query<T>`, but a bad value is answered with `invalid_query` naming the parameter
/// (`invalid query parameter `days`: invalid digit found in string`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ApiQuery<T>(pub T);

impl<T> ApiQuery<T> {
    /// The parsed query.
    pub fn into_inner(self) -> T {
        self.0
    }
}

impl<T> Deref for ApiQuery<T> {
    type Target = T;

    fn deref(&self) -> &T {
        &self.0
    }
}

impl<T: DeserializeOwned> ApiQuery<T> {
    /// Parses a raw query string (without the leading `?`).
    ///
    /// # Errors
    /// [`ApiError::InvalidQuery`] naming the offending parameter.
    pub fn parse(query: &str) -> Result<Self, ApiError> {
        let deserializer =
            serde_urlencoded::Deserializer::new(form_urlencoded::parse(query.as_bytes()));
        serde_path_to_error::deserialize(deserializer)
            .map(Self)
            .map_err(|error| {
                let path = error.path().to_string();
                let reason = error.into_inner().to_string();
                let parameter = if path == "." {
                    reason
                        .strip_prefix("missing field `")
                        .and_then(|rest| rest.split('`').next())
                        .unwrap_or_default()
                        .to_owned()
                } else {
                    path
                };
                ApiError::InvalidQuery { parameter, reason }
            })
    }
}

impl<T: DeserializeOwned> FromRequest for ApiQuery<T> {
    type Error = ApiError;
    type Future = Ready<Result<Self, ApiError>>;

    fn from_request(request: &HttpRequest, _payload: &mut Payload) -> Self::Future {
        ready(Self::parse(request.query_string()))
    }
}

#[cfg(test)]
mod tests {
    use serde::Deserialize;

    use super::*;

    #[derive(Debug, Deserialize, PartialEq)]
    #[serde(rename_all = "lowercase")]
    enum Sort {
        Views,
        Likes,
    }

    #[derive(Debug, Deserialize, PartialEq)]
    struct Videos {
        sort: Option<Sort>,
        limit: Option<u32>,
        days: u32,
    }

    fn refused(query: &str) -> (String, String) {
        match ApiQuery::<Videos>::parse(query) {
            Err(ApiError::InvalidQuery { parameter, reason }) => (parameter, reason),
            other => panic!("expected invalid_query, got {other:?}"),
        }
    }

    #[test]
    fn parses_a_good_query() {
        let query = ApiQuery::<Videos>::parse("sort=likes&days=7").expect("valid");
        assert_eq!(
            query.into_inner(),
            Videos {
                sort: Some(Sort::Likes),
                limit: None,
                days: 7
            }
        );
    }

    #[test]
    fn names_a_bad_number() {
        let (parameter, reason) = refused("days=7&limit=ten");
        assert_eq!(parameter, "limit");
        assert!(reason.contains("invalid digit"), "{reason}");
    }

    #[test]
    fn names_a_bad_variant() {
        let (parameter, reason) = refused("days=7&sort=plays");
        assert_eq!(parameter, "sort");
        assert!(reason.contains("unknown variant `plays`"), "{reason}");
    }

    #[test]
    fn a_page_limit_out_of_bounds_names_the_parameter() {
        #[derive(Debug, Deserialize)]
        struct Paged {
            limit: Option<domain::PageLimit>,
        }
        for query in ["limit=0", "limit=101"] {
            match ApiQuery::<Paged>::parse(query) {
                Err(ApiError::InvalidQuery { parameter, reason }) => {
                    assert_eq!(parameter, "limit");
                    assert_eq!(reason, "must be between 1 and 100");
                }
                other => panic!("{query}: expected invalid_query, got {other:?}"),
            }
        }
        let fine = ApiQuery::<Paged>::parse("limit=100").expect("in bounds");
        assert_eq!(fine.limit.map(domain::PageLimit::get), Some(100));
    }

    #[test]
    fn names_a_missing_parameter() {
        let (parameter, _) = refused("sort=views");
        assert_eq!(parameter, "days");
    }

    #[test]
    fn json_overflow_is_payload_too_large() {
        let error = json_error(JsonPayloadError::Overflow { limit: 10 });
        assert!(matches!(error, ApiError::PayloadTooLarge { limit: 10 }));
    }

    #[test]
    fn query_error_names_missing_fields() {
        let error = query_error(QueryPayloadError::Deserialize(
            serde::de::Error::missing_field("days"),
        ));
        assert!(matches!(error, ApiError::InvalidQuery { parameter, .. } if parameter == "days"));
    }
}

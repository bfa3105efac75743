//! The error answers in the document, built from [`ErrorCode`]s: each route lists the codes it
//! can answer ([`error_responses!`]), and gets one response per status, with the body's schema
//! (`ErrorBody`), the codes in words, and the codes themselves under [`CODES_EXTENSION`] for
//! tools (and the tests) to read without parsing prose. The errors the framework raises on
//! any route (an unknown path, a wrong method...) are reusable responses of the components
//! ([`framework_responses`]).

use std::collections::BTreeMap;

use utoipa::openapi::extensions::Extensions;
use utoipa::openapi::header::HeaderBuilder;
use utoipa::openapi::{ContentBuilder, Ref, RefOr, Response, ResponseBuilder};

use crate::error::ErrorCode;

/// The extension of an error response listing the codes its body can carry.
pub const CODES_EXTENSION: &str = "x-error-codes";

/// The extension of the OAuth callback's page listing the codes its `postMessage` can carry.
pub const CALLBACK_CODES_EXTENSION: &str = "x-callback-codes";

/// Codes that the framework answers on any route, before or instead of a handler: kept as
/// reusable responses of the components rather than repeated on every operation.
pub const FRAMEWORK_CODES: [ErrorCode; 8] = [
    ErrorCode::BadRequest,
    ErrorCode::Forbidden,
    ErrorCode::NotFound,
    ErrorCode::MethodNotAllowed,
    ErrorCode::UnsupportedMediaType,
    ErrorCode::TooManyRequests,
    ErrorCode::BadGateway,
    ErrorCode::ServiceUnavailable,
];

/// The codes the OAuth callback page can post to its opener (its HTTP status is always 200).
pub const CALLBACK_CODES: [ErrorCode; 15] = [
    ErrorCode::Cancelled,
    ErrorCode::AccessDenied,
    ErrorCode::InvalidCallback,
    ErrorCode::InvalidState,
    ErrorCode::StateExpired,
    ErrorCode::StateUsed,
    ErrorCode::OtherBrowser,
    ErrorCode::SyncCooldown,
    ErrorCode::ExchangeFailed,
    ErrorCode::NotEligible,
    ErrorCode::DifferentAccount,
    ErrorCode::AccountInUse,
    ErrorCode::TiktokUnavailable,
    ErrorCode::Misconfigured,
    ErrorCode::Internal,
];

/// One response per status of `codes`, keyed by the status.
pub fn responses(codes: &[ErrorCode]) -> BTreeMap<String, RefOr<Response>> {
    let mut by_status: BTreeMap<u16, Vec<ErrorCode>> = BTreeMap::new();
    for code in codes {
        by_status
            .entry(code.status().as_u16())
            .or_default()
            .push(*code);
    }
    by_status
        .into_iter()
        .map(|(status, codes)| (status.to_string(), RefOr::T(response(&codes))))
        .collect()
}

/// The response whose body carries one of `codes` (all of one status).
pub fn response(codes: &[ErrorCode]) -> Response {
    let description = codes
        .iter()
        .map(|code| format!("`{code}`: {}", code.meaning()))
        .collect::<Vec<_>>()
        .join("; ");
    let mut builder = ResponseBuilder::new()
        .description(description)
        .content(
            "application/json",
            ContentBuilder::new()
                .schema(Some(Ref::from_schema_name("ErrorBody")))
                .build(),
        )
        .extensions(Some(codes_extension(CODES_EXTENSION, codes)));
    // The headers that come with some codes (error.rs sets them).
    if codes.contains(&ErrorCode::Unauthorized) {
        builder = builder.header(
            "WWW-Authenticate",
            HeaderBuilder::new()
                .description(Some("`Bearer` (with `unauthorized`)"))
                .build(),
        );
    }
    if codes
        .iter()
        .any(|code| matches!(code, ErrorCode::SyncCooldown | ErrorCode::TooManyRequests))
    {
        builder = builder.header(
            "Retry-After",
            HeaderBuilder::new()
                .schema(
                    utoipa::openapi::ObjectBuilder::new()
                        .schema_type(utoipa::openapi::schema::Type::Integer),
                )
                .description(Some("Seconds to wait before trying again"))
                .build(),
        );
    }
    builder.build()
}

/// The OAuth callback's answer: always a 200 page, whose `postMessage` carries one of
/// [`CALLBACK_CODES`] when the connection failed.
pub fn callback_page_response() -> Response {
    let codes = CALLBACK_CODES
        .iter()
        .map(|code| format!("`{code}`"))
        .collect::<Vec<_>>()
        .join(", ");
    ResponseBuilder::new()
        .description(format!(
            "An HTML page that posts the outcome to its opener (target origin `APP_ORIGIN`) and \
             closes itself: `{{\"type\": \"<platform>:connected\", \"handle\", \"displayName\"}}`, \
             or `{{\"type\": \"<platform>:error\", \"code\", \"message\"}}` with one of {codes}"
        ))
        .content(
            "text/html",
            ContentBuilder::new()
                .schema(Some(
                    utoipa::openapi::ObjectBuilder::new()
                        .schema_type(utoipa::openapi::schema::Type::String),
                ))
                .build(),
        )
        .extensions(Some(codes_extension(
            CALLBACK_CODES_EXTENSION,
            &CALLBACK_CODES,
        )))
        .build()
}

/// `{name: [codes...]}` as an extension.
pub fn codes_extension(name: &str, codes: &[ErrorCode]) -> Extensions {
    let codes: Vec<&str> = codes.iter().map(|code| code.as_str()).collect();
    [(name.to_owned(), serde_json::json!(codes))]
        .into_iter()
        .collect()
}

/// The reusable responses of [`FRAMEWORK_CODES`], one per code, named by its code.
pub fn framework_responses() -> impl Iterator<Item = (String, Response)> {
    FRAMEWORK_CODES
        .into_iter()
        .map(|code| (code.as_str().to_owned(), response(&[code])))
}

/// Declares a type whose responses (`utoipa::IntoResponses`) are the error answers of a
/// route, from the codes it can answer: `responses((status = 200, body = X), XErrors)` in the
/// route's `#[utoipa::path]`.
macro_rules! error_responses {
    ($(#[$doc:meta])* $name:ident: $($code:ident),+ $(,)?) => {
        $(#[$doc])*
        pub struct $name;

        impl $name {
            /// The codes, in the order declared.
            pub const CODES: &'static [$crate::error::ErrorCode] =
                &[$($crate::error::ErrorCode::$code),+];
        }

        impl utoipa::IntoResponses for $name {
            fn responses() -> std::collections::BTreeMap<
                String,
                utoipa::openapi::RefOr<utoipa::openapi::response::Response>,
            > {
                $crate::openapi::errors::responses(Self::CODES)
            }
        }
    };
}
pub(crate) use error_responses;

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn one_response_per_status_naming_its_codes() {
        let responses = responses(&[
            ErrorCode::NotConnected,
            ErrorCode::SyncInProgress,
            ErrorCode::NeedsReauth,
            ErrorCode::SyncCooldown,
        ]);
        let json = serde_json::to_value(&responses).expect("serialises");
        assert_eq!(
            json.as_object().expect("map").keys().collect::<Vec<_>>(),
            ["404", "409", "429"]
        );
        assert_eq!(
            json["409"][CODES_EXTENSION],
            serde_json::json!(["sync_in_progress", "needs_reauth"])
        );
        assert!(
            json["409"]["description"]
                .as_str()
                .expect("text")
                .contains("`needs_reauth`: ")
        );
        assert_eq!(
            json["404"]["content"]["application/json"]["schema"]["$ref"],
            "#/components/schemas/ErrorBody"
        );
        assert!(json["429"]["headers"].get("Retry-After").is_some());
        assert!(json["404"].get("headers").is_none());
    }
}

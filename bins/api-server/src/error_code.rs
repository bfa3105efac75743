//! Every error code a client of this API can see, in one list: the `code` of every JSON error
//! body (the framework's own 404/405/413 included) and of the OAuth callback page's
//! `postMessage`. docs/api.md lists the same codes; a test keeps the two in step.

use actix_web::http::StatusCode;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

/// A stable, machine-readable error code, serialised in snake_case.
///
/// New codes may be added (clients should treat an unknown code by its HTTP status); a code
/// is never renamed or given another meaning.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
#[non_exhaustive]
pub enum ErrorCode {
    /// 400: the request is malformed (the framework's own refusal).
    BadRequest,
    /// 400: a query parameter is missing or has a bad value.
    InvalidQuery,
    /// 400: the body cannot be read as the expected JSON.
    InvalidBody,
    /// 400: `POST /api/dev/token` was given an unusable `userId`.
    InvalidUserId,
    /// 400: a signed webhook's body is not TikTok's envelope.
    MalformedBody,
    /// 400: a signed webhook's `content` cannot be read.
    MalformedContent,
    /// 401: no valid bearer token (with `WWW-Authenticate: Bearer`).
    Unauthorized,
    /// 401: a webhook for another TikTok app.
    UnknownClientKey,
    /// 401: a webhook without its signature header.
    MissingSignature,
    /// 401: a webhook signature header that cannot be read.
    MalformedSignature,
    /// 401: a webhook signature that does not match its body.
    BadSignature,
    /// 401: a webhook signed too long ago (or in the future).
    StaleTimestamp,
    /// 403: authenticated, but not allowed.
    Forbidden,
    /// 404: nothing here (or nothing that belongs to the caller).
    NotFound,
    /// 404: the user has no connection to this platform.
    NotConnected,
    /// 405: the route exists, the method does not.
    MethodNotAllowed,
    /// 409: the platform no longer accepts the connection; the creator must reconnect.
    NeedsReauth,
    /// 409: a sync of this connection is running (here or in a worker).
    SyncInProgress,
    /// 413: the body is larger than the route accepts.
    PayloadTooLarge,
    /// 415: the body is not JSON.
    UnsupportedMediaType,
    /// 429: too many requests (with `Retry-After`).
    TooManyRequests,
    /// 429: a manual sync inside its cooldown (with `Retry-After`).
    SyncCooldown,
    /// 429: the user's share of the platform's manual reserve is spent for today
    /// (`Retry-After` says until midnight UTC).
    ManualShareSpent,
    /// 500: a bug or an unexpected failure; the cause is logged, not sent.
    Internal,
    /// 502: an upstream failure (the framework's own).
    BadGateway,
    /// 502: the platform failed, timed out or answered nonsense (on TikTok's routes the code
    /// is `tiktok_unavailable`, kept for the first platform's clients).
    PlatformUnavailable,
    /// 502: TikTok failed, timed out or answered nonsense.
    TiktokUnavailable,
    /// 503: the service cannot answer now (the framework's own).
    ServiceUnavailable,
    /// 503: the database cannot be reached or could not save.
    DatabaseUnavailable,
    /// Callback page: the creator pressed Cancel on the platform's consent page.
    Cancelled,
    /// Callback page: the platform refused the authorization for another reason.
    AccessDenied,
    /// Callback page: the callback is missing its `state` or `code`.
    InvalidCallback,
    /// Callback page: the state was never issued (possibly a forged request).
    InvalidState,
    /// Callback page: the state is older than its lifetime.
    StateExpired,
    /// Callback page: the state was used already (a replayed callback).
    StateUsed,
    /// Callback page: the callback came to a browser other than the one that began the
    /// connect (no connect cookie, or another one); nothing was exchanged.
    OtherBrowser,
    /// Callback page: the platform did not accept the code exchange.
    ExchangeFailed,
    /// Callback page: the account cannot be connected (a personal Instagram account, a Google
    /// account without a YouTube channel).
    NotEligible,
    /// Callback page: another account of this platform is connected to the user.
    DifferentAccount,
    /// Callback page: this account is connected to another user.
    AccountInUse,
    /// Callback page: the platform app's credentials are wrong (an operator problem).
    Misconfigured,
}

impl ErrorCode {
    /// Every code, in the order docs/api.md lists them.
    pub const ALL: [Self; 41] = [
        Self::BadRequest,
        Self::InvalidQuery,
        Self::InvalidBody,
        Self::InvalidUserId,
        Self::MalformedBody,
        Self::MalformedContent,
        Self::Unauthorized,
        Self::UnknownClientKey,
        Self::MissingSignature,
        Self::MalformedSignature,
        Self::BadSignature,
        Self::StaleTimestamp,
        Self::Forbidden,
        Self::NotFound,
        Self::NotConnected,
        Self::MethodNotAllowed,
        Self::NeedsReauth,
        Self::SyncInProgress,
        Self::PayloadTooLarge,
        Self::UnsupportedMediaType,
        Self::TooManyRequests,
        Self::SyncCooldown,
        Self::ManualShareSpent,
        Self::Internal,
        Self::BadGateway,
        Self::PlatformUnavailable,
        Self::TiktokUnavailable,
        Self::ServiceUnavailable,
        Self::DatabaseUnavailable,
        Self::Cancelled,
        Self::AccessDenied,
        Self::InvalidCallback,
        Self::InvalidState,
        Self::StateExpired,
        Self::StateUsed,
        Self::OtherBrowser,
        Self::ExchangeFailed,
        Self::NotEligible,
        Self::DifferentAccount,
        Self::AccountInUse,
        Self::Misconfigured,
    ];

    /// The code as sent.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::BadRequest => "bad_request",
            Self::InvalidQuery => "invalid_query",
            Self::InvalidBody => "invalid_body",
            Self::InvalidUserId => "invalid_user_id",
            Self::MalformedBody => "malformed_body",
            Self::MalformedContent => "malformed_content",
            Self::UnknownClientKey => "unknown_client_key",
            Self::Unauthorized => "unauthorized",
            Self::MissingSignature => "missing_signature",
            Self::MalformedSignature => "malformed_signature",
            Self::BadSignature => "bad_signature",
            Self::StaleTimestamp => "stale_timestamp",
            Self::Forbidden => "forbidden",
            Self::NotFound => "not_found",
            Self::NotConnected => "not_connected",
            Self::MethodNotAllowed => "method_not_allowed",
            Self::NeedsReauth => "needs_reauth",
            Self::SyncInProgress => "sync_in_progress",
            Self::PayloadTooLarge => "payload_too_large",
            Self::UnsupportedMediaType => "unsupported_media_type",
            Self::TooManyRequests => "too_many_requests",
            Self::SyncCooldown => "sync_cooldown",
            Self::ManualShareSpent => "manual_share_spent",
            Self::Internal => "internal",
            Self::BadGateway => "bad_gateway",
            Self::PlatformUnavailable => "platform_unavailable",
            Self::TiktokUnavailable => "tiktok_unavailable",
            Self::ServiceUnavailable => "service_unavailable",
            Self::DatabaseUnavailable => "database_unavailable",
            Self::Cancelled => "cancelled",
            Self::AccessDenied => "access_denied",
            Self::InvalidCallback => "invalid_callback",
            Self::InvalidState => "invalid_state",
            Self::StateExpired => "state_expired",
            Self::StateUsed => "state_used",
            Self::OtherBrowser => "other_browser",
            Self::ExchangeFailed => "exchange_failed",
            Self::NotEligible => "not_eligible",
            Self::DifferentAccount => "different_account",
            Self::AccountInUse => "account_in_use",
            Self::Misconfigured => "misconfigured",
        }
    }

    /// When a client sees it, in a few words (the OpenAPI document's descriptions; docs/api.md
    /// says the same at more length).
    pub fn meaning(self) -> &'static str {
        match self {
            Self::BadRequest => "the framework refused the request before a route ran",
            Self::InvalidQuery => "a query parameter is missing or has a bad value",
            Self::InvalidBody => "the body cannot be read as the expected JSON",
            Self::InvalidUserId => "an unusable `userId`",
            Self::MalformedBody => "a signed webhook whose body is not the platform's envelope",
            Self::MalformedContent => "a signed callback whose content cannot be read",
            Self::Unauthorized => "bearer token missing, malformed, expired or wrongly signed",
            Self::UnknownClientKey => "a webhook for another app",
            Self::MissingSignature => "the signature is missing",
            Self::MalformedSignature => "the signature cannot be read",
            Self::BadSignature => "the signature does not match the body",
            Self::StaleTimestamp => "the signature is too old (or from the future)",
            Self::Forbidden => "authenticated, but not allowed",
            Self::NotFound => "nothing here, or nothing that belongs to the caller",
            Self::NotConnected => "no connection to this platform for this user",
            Self::MethodNotAllowed => "the route exists, the method does not",
            Self::NeedsReauth => "the platform rejected the connection's tokens; reconnect",
            Self::SyncInProgress => "a sync of this connection is running",
            Self::PayloadTooLarge => "the body is larger than the route accepts",
            Self::UnsupportedMediaType => "the body is not JSON",
            Self::TooManyRequests => "too many requests (see `Retry-After`)",
            Self::SyncCooldown => "manual sync or connect inside its cooldown (see `Retry-After`)",
            Self::ManualShareSpent => {
                "the user's share of the day's manual reserve is spent (see `Retry-After`)"
            }
            Self::Internal => "anything else (details only in the server log)",
            Self::BadGateway => "an upstream failure the framework reports",
            Self::PlatformUnavailable => "the platform failed or timed out",
            Self::TiktokUnavailable => "TikTok failed or timed out",
            Self::ServiceUnavailable => "the service cannot answer now",
            Self::DatabaseUnavailable => "the database cannot be reached, or could not save",
            Self::Cancelled => "the creator pressed Cancel on the consent page",
            Self::AccessDenied => "the platform refused the authorization",
            Self::InvalidCallback => "the callback is missing its `state` or `code`",
            Self::InvalidState => "the state was never issued",
            Self::StateExpired => "the state is older than 10 minutes",
            Self::StateUsed => "the state was used already",
            Self::OtherBrowser => {
                "the callback reached another browser than the one that began the connect"
            }
            Self::ExchangeFailed => "the platform did not accept the code exchange",
            Self::NotEligible => "the account cannot be connected",
            Self::DifferentAccount => "another account of this platform is connected",
            Self::AccountInUse => "this account is connected to another user",
            Self::Misconfigured => "the platform app's credentials are wrong",
        }
    }

    /// The HTTP status an API answer with this code has. The callback page's codes arrive in
    /// a `200` page; their status is what the same refusal would be as an API answer.
    pub fn status(self) -> StatusCode {
        match self {
            Self::BadRequest
            | Self::InvalidQuery
            | Self::InvalidBody
            | Self::InvalidUserId
            | Self::MalformedBody
            | Self::MalformedContent
            | Self::Cancelled
            | Self::AccessDenied
            | Self::InvalidCallback
            | Self::InvalidState
            | Self::StateExpired
            | Self::StateUsed
            | Self::OtherBrowser
            | Self::ExchangeFailed
            | Self::NotEligible => StatusCode::BAD_REQUEST,
            Self::Unauthorized
            | Self::UnknownClientKey
            | Self::MissingSignature
            | Self::MalformedSignature
            | Self::BadSignature
            | Self::StaleTimestamp => StatusCode::UNAUTHORIZED,
            Self::Forbidden => StatusCode::FORBIDDEN,
            Self::NotFound | Self::NotConnected => StatusCode::NOT_FOUND,
            Self::MethodNotAllowed => StatusCode::METHOD_NOT_ALLOWED,
            Self::NeedsReauth
            | Self::SyncInProgress
            | Self::DifferentAccount
            | Self::AccountInUse => StatusCode::CONFLICT,
            Self::PayloadTooLarge => StatusCode::PAYLOAD_TOO_LARGE,
            Self::UnsupportedMediaType => StatusCode::UNSUPPORTED_MEDIA_TYPE,
            Self::TooManyRequests | Self::SyncCooldown | Self::ManualShareSpent => {
                StatusCode::TOO_MANY_REQUESTS
            }
            Self::Internal | Self::Misconfigured => StatusCode::INTERNAL_SERVER_ERROR,
            Self::BadGateway | Self::PlatformUnavailable | Self::TiktokUnavailable => {
                StatusCode::BAD_GATEWAY
            }
            Self::ServiceUnavailable | Self::DatabaseUnavailable => StatusCode::SERVICE_UNAVAILABLE,
        }
    }

    /// The code a framework error of `status` is answered with.
    pub fn for_framework_status(status: StatusCode) -> Self {
        match status {
            StatusCode::UNAUTHORIZED => Self::Unauthorized,
            StatusCode::FORBIDDEN => Self::Forbidden,
            StatusCode::NOT_FOUND => Self::NotFound,
            StatusCode::METHOD_NOT_ALLOWED => Self::MethodNotAllowed,
            StatusCode::PAYLOAD_TOO_LARGE => Self::PayloadTooLarge,
            StatusCode::UNSUPPORTED_MEDIA_TYPE => Self::UnsupportedMediaType,
            StatusCode::TOO_MANY_REQUESTS => Self::TooManyRequests,
            StatusCode::SERVICE_UNAVAILABLE => Self::ServiceUnavailable,
            StatusCode::BAD_GATEWAY => Self::BadGateway,
            status if status.is_client_error() => Self::BadRequest,
            _ => Self::Internal,
        }
    }
}

impl ErrorCode {
    /// The code of a platform outage on `platform`'s routes: `tiktok_unavailable` on TikTok's
    /// (the code its clients were given first), `platform_unavailable` on every other.
    pub fn platform_unavailable(platform: domain::Platform) -> Self {
        if platform == services::platforms::tiktok::TIKTOK {
            Self::TiktokUnavailable
        } else {
            Self::PlatformUnavailable
        }
    }
}

impl std::fmt::Display for ErrorCode {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

#[cfg(test)]
mod tests {
    use std::collections::HashSet;

    use super::*;

    #[test]
    fn serialises_as_the_code_it_sends() {
        for code in ErrorCode::ALL {
            assert_eq!(
                serde_json::to_value(code).expect("serialises"),
                serde_json::Value::from(code.as_str()),
            );
        }
    }

    #[test]
    fn every_code_is_listed_once() {
        let unique: HashSet<&str> = ErrorCode::ALL.iter().map(|code| code.as_str()).collect();
        assert_eq!(unique.len(), ErrorCode::ALL.len());
    }

    #[test]
    fn pins_the_codes_and_their_statuses() {
        let pinned: Vec<(&str, u16)> = ErrorCode::ALL
            .iter()
            .map(|code| (code.as_str(), code.status().as_u16()))
            .collect();
        assert_eq!(
            pinned,
            [
                ("bad_request", 400),
                ("invalid_query", 400),
                ("invalid_body", 400),
                ("invalid_user_id", 400),
                ("malformed_body", 400),
                ("malformed_content", 400),
                ("unauthorized", 401),
                ("unknown_client_key", 401),
                ("missing_signature", 401),
                ("malformed_signature", 401),
                ("bad_signature", 401),
                ("stale_timestamp", 401),
                ("forbidden", 403),
                ("not_found", 404),
                ("not_connected", 404),
                ("method_not_allowed", 405),
                ("needs_reauth", 409),
                ("sync_in_progress", 409),
                ("payload_too_large", 413),
                ("unsupported_media_type", 415),
                ("too_many_requests", 429),
                ("sync_cooldown", 429),
                ("manual_share_spent", 429),
                ("internal", 500),
                ("bad_gateway", 502),
                ("platform_unavailable", 502),
                ("tiktok_unavailable", 502),
                ("service_unavailable", 503),
                ("database_unavailable", 503),
                ("cancelled", 400),
                ("access_denied", 400),
                ("invalid_callback", 400),
                ("invalid_state", 400),
                ("state_expired", 400),
                ("state_used", 400),
                ("other_browser", 400),
                ("exchange_failed", 400),
                ("not_eligible", 400),
                ("different_account", 409),
                ("account_in_use", 409),
                ("misconfigured", 500),
            ]
        );
    }

    #[test]
    fn docs_api_md_lists_every_code() {
        let docs = include_str!("../../../docs/api.md");
        let missing: Vec<&str> = ErrorCode::ALL
            .iter()
            .map(|code| code.as_str())
            .filter(|code| !docs.contains(&format!("| `{code}` |")))
            .collect();
        assert!(missing.is_empty(), "docs/api.md does not list {missing:?}");
    }
}

//! The one error type of every call, and its classification (reference sections 3.3 and
//! 5.4).

use std::time::Duration;

use chrono::{DateTime, Utc};

use crate::quota::next_quota_reset;
use crate::{Endpoint, QuotaBucket};

/// One entry of `error.errors[]`.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
#[non_exhaustive]
pub struct ErrorDetail {
    /// `domain` (`youtube.quota`, `usageLimits`, `global`, ...).
    pub domain: Option<String>,
    /// `reason` (`quotaExceeded`, `authError`, ...): what the classification reads first.
    pub reason: Option<String>,
    /// `message` (may hold HTML: never render it raw).
    pub message: Option<String>,
    /// `location` (`Authorization`, `pageToken`, ...).
    pub location: Option<String>,
    /// `locationType` (`header`, `parameter`).
    pub location_type: Option<String>,
}

/// Google's error envelope: `{"error": {code, message, errors: [...], status}}`.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
#[non_exhaustive]
pub struct GoogleErrorBody {
    /// `code` (the HTTP status, as Google wrote it).
    pub code: u16,
    /// `message` (may hold HTML anchors: never render it raw; see
    /// [`GoogleErrorBody::plain_message`]).
    pub message: String,
    /// `status`, the canonical gRPC-style status (`PERMISSION_DENIED`, ...), when sent.
    pub status: Option<String>,
    /// `errors[]`.
    pub errors: Vec<ErrorDetail>,
}

impl GoogleErrorBody {
    /// The first `reason`.
    pub fn reason(&self) -> Option<&str> {
        self.errors
            .iter()
            .find_map(|detail| detail.reason.as_deref())
    }

    /// The message with any HTML tags removed.
    pub fn plain_message(&self) -> String {
        strip_tags(&self.message)
    }

    /// Whether any message names a daily limit ("per day", "Daily Limit").
    fn names_a_daily_limit(&self) -> bool {
        std::iter::once(self.message.as_str())
            .chain(
                self.errors
                    .iter()
                    .filter_map(|detail| detail.message.as_deref()),
            )
            .any(|message| {
                let message = message.to_ascii_lowercase();
                message.contains("per day") || message.contains("daily limit")
            })
    }
}

fn strip_tags(text: &str) -> String {
    let mut plain = String::with_capacity(text.len());
    let mut in_tag = false;
    for c in text.chars() {
        match c {
            '<' => in_tag = true,
            '>' if in_tag => in_tag = false,
            c if !in_tag => plain.push(c),
            _ => {}
        }
    }
    plain
}

/// What a caller should do about an error.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub enum ErrorClass {
    /// The grant is dead (`invalid_grant`: revoked, unused six months, a Testing app's seven
    /// days, too many tokens, time-based access over): the user must connect again.
    Reauth,
    /// The access token was refused (401 `authError`): refresh once and retry; if the refresh
    /// answers `invalid_grant`, that is [`ErrorClass::Reauth`].
    AccessTokenRejected,
    /// The Google account has no YouTube channel (401 `youtubeSignupRequired`).
    NoChannel,
    /// A daily bucket is spent (403 `quotaExceeded`/`dailyLimitExceeded`, or a
    /// `rateLimitExceeded` whose message names a "per day" limit, usually a 429): do not call
    /// it again before `resets_at`.
    QuotaExhausted {
        /// The next midnight Pacific time after the answer.
        resets_at: DateTime<Utc>,
    },
    /// A per-minute or per-user rate limit (`rateLimitExceeded`, `userRateLimitExceeded`, a
    /// 429 without "per day"): retried with backoff by the client; retry later.
    RateLimited {
        /// The `Retry-After` Google sent, if any.
        retry_after: Option<Duration>,
    },
    /// A scope the call needs was not granted (403 `insufficientPermissions`): ask for it.
    PermissionMissing,
    /// The user's YouTube account is closed or suspended: treat as disconnected.
    AccountUnavailable,
    /// Forbidden for another reason (`forbidden`, `accountDelegationForbidden`,
    /// `playlistItemsNotAccessible`, monetary metrics of a non-Partner channel).
    Forbidden,
    /// The resource does not exist (`channelNotFound`, `playlistNotFound`, ...).
    NotFound,
    /// Worth retrying soon: timeouts, connection failures, 5xx (`backendError`).
    Transient,
    /// The app's setup is wrong (`invalid_client`, `unauthorized_client`,
    /// `redirect_uri_mismatch`, `accessNotConfigured`, `keyInvalid`): alert an operator.
    Misconfigured,
    /// The request is wrong (400s such as `invalidPageToken`, 401 `required`): fix it.
    Invalid,
    /// The [`CallHook`](crate::CallHook) refused the call; nothing was sent.
    Rejected {
        /// When the hook said a call may be allowed again.
        retry_after: Option<Duration>,
    },
    /// Something else.
    Unknown,
}

/// Everything that can go wrong calling Google.
///
/// Errors are read from the body whatever the HTTP status. No variant ever holds a token, a
/// code, the client secret, or a URL carrying one.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum YouTubeError {
    /// A Data API or Analytics API error envelope.
    #[error(
        "YouTube {endpoint} error {http_status} {}: {}",
        .error.reason().unwrap_or("(no reason)"),
        .error.plain_message()
    )]
    Api {
        /// The endpoint called.
        endpoint: Endpoint,
        /// The HTTP status.
        http_status: u16,
        /// The envelope (boxed: it is large, and errors travel in `Result`s).
        error: Box<GoogleErrorBody>,
        /// `Retry-After`, if sent.
        retry_after: Option<Duration>,
        /// When the answer arrived (by the client's clock): quota resets are computed from it.
        received_at: DateTime<Utc>,
        /// The bucket the call spends, when it spends quota.
        bucket: Option<QuotaBucket>,
        /// The scope named by `WWW-Authenticate: … error="insufficient_scope", scope="…"`.
        missing_scope: Option<String>,
    },
    /// An OAuth endpoint error: `{"error": "invalid_grant", "error_description": …}`.
    #[error("Google {endpoint} refused: {error}{}", .description.as_deref().map(|d| format!(" ({d})")).unwrap_or_default())]
    OAuth {
        /// The endpoint called.
        endpoint: Endpoint,
        /// The HTTP status.
        http_status: u16,
        /// `error`.
        error: String,
        /// `error_description` (Google says not to depend on its text).
        description: Option<String>,
    },
    /// A non-success status without a readable error body (a proxy's page, an empty 502).
    #[error("HTTP {status} from Google {endpoint} without an error body")]
    Http {
        /// The endpoint called.
        endpoint: Endpoint,
        /// The HTTP status.
        status: u16,
        /// `Retry-After`, if sent.
        retry_after: Option<Duration>,
        /// When the answer arrived.
        received_at: DateTime<Utc>,
    },
    /// No response: connection refused or reset, DNS, TLS, or a timeout.
    #[error("no response from Google {endpoint}{}", if *.timeout { " (timed out)" } else { "" })]
    Transport {
        /// The endpoint called.
        endpoint: Endpoint,
        /// Whether the attempt timed out.
        timeout: bool,
        /// Whether it failed while connecting (Google cannot have acted on it).
        connect: bool,
        /// The underlying error, without the URL.
        #[source]
        source: reqwest::Error,
    },
    /// A body that is not what Google documents. Never a panic; never quotes a value.
    #[error("unexpected body from Google {endpoint} (HTTP {http_status}): {reason}")]
    Decode {
        /// The endpoint called.
        endpoint: Endpoint,
        /// The HTTP status.
        http_status: u16,
        /// What was wrong.
        reason: String,
    },
    /// The [`CallHook`](crate::CallHook) refused the call; nothing was sent.
    #[error("call to Google {endpoint} rejected before sending: {reason}")]
    CallRejected {
        /// The endpoint that was not called.
        endpoint: Endpoint,
        /// The hook's reason.
        reason: String,
        /// When the hook said a call may be allowed again.
        retry_after: Option<Duration>,
    },
    /// The caller passed an argument Google would refuse; nothing was sent.
    #[error("invalid argument: {0}")]
    InvalidArgument(String),
}

impl YouTubeError {
    /// What to do about it.
    pub fn class(&self) -> ErrorClass {
        match self {
            YouTubeError::Api {
                http_status,
                error,
                retry_after,
                received_at,
                ..
            } => classify(*http_status, error, *retry_after, *received_at),
            YouTubeError::OAuth {
                http_status, error, ..
            } => classify_oauth(*http_status, error),
            YouTubeError::Http {
                status,
                retry_after,
                ..
            } => match status {
                429 => ErrorClass::RateLimited {
                    retry_after: *retry_after,
                },
                401 => ErrorClass::AccessTokenRejected,
                403 => ErrorClass::Forbidden,
                404 => ErrorClass::NotFound,
                500..=599 => ErrorClass::Transient,
                _ => ErrorClass::Unknown,
            },
            YouTubeError::Transport { .. } => ErrorClass::Transient,
            YouTubeError::Decode { .. } => ErrorClass::Unknown,
            YouTubeError::CallRejected { retry_after, .. } => ErrorClass::Rejected {
                retry_after: *retry_after,
            },
            YouTubeError::InvalidArgument(_) => ErrorClass::Invalid,
        }
    }

    /// Whether the client retries it (with backoff and jitter): transient failures and
    /// per-minute rate limits.
    pub fn is_retryable(&self) -> bool {
        matches!(
            self.class(),
            ErrorClass::Transient | ErrorClass::RateLimited { .. }
        )
    }

    /// Whether the user must authorize again (the grant is dead).
    pub fn needs_reauth(&self) -> bool {
        self.class() == ErrorClass::Reauth
    }

    /// Whether the access token was refused (refreshing may help).
    pub fn is_access_token_rejected(&self) -> bool {
        self.class() == ErrorClass::AccessTokenRejected
    }

    /// When the spent daily quota resets, if this is a quota error.
    pub fn quota_resets_at(&self) -> Option<DateTime<Utc>> {
        match self.class() {
            ErrorClass::QuotaExhausted { resets_at } => Some(resets_at),
            _ => None,
        }
    }

    /// The bucket the refused call spends, when it spends quota.
    pub fn quota_bucket(&self) -> Option<QuotaBucket> {
        match self {
            YouTubeError::Api { bucket, .. } => *bucket,
            _ => None,
        }
    }

    /// The wait Google (or the call hook) stated, if any.
    pub fn retry_after(&self) -> Option<Duration> {
        match self.class() {
            ErrorClass::RateLimited { retry_after } | ErrorClass::Rejected { retry_after } => {
                retry_after
            }
            _ => match self {
                YouTubeError::Api { retry_after, .. } | YouTubeError::Http { retry_after, .. } => {
                    *retry_after
                }
                _ => None,
            },
        }
    }

    /// Google's `reason` (Data API) or `error` (OAuth).
    pub fn reason(&self) -> Option<&str> {
        match self {
            YouTubeError::Api { error, .. } => error.reason(),
            YouTubeError::OAuth { error, .. } => Some(error),
            _ => None,
        }
    }

    /// Whether a page token was refused (restart the listing from its first page).
    pub fn is_invalid_page_token(&self) -> bool {
        self.reason() == Some("invalidPageToken")
    }

    /// The scope Google said is missing, when it named one.
    pub fn missing_scope(&self) -> Option<&str> {
        match self {
            YouTubeError::Api { missing_scope, .. } => missing_scope.as_deref(),
            _ => None,
        }
    }

    /// Whether the attempt timed out.
    pub fn is_timeout(&self) -> bool {
        matches!(self, YouTubeError::Transport { timeout: true, .. })
    }

    /// The HTTP status of the response behind this error, when there was one.
    pub fn http_status(&self) -> Option<u16> {
        match self {
            YouTubeError::Api { http_status, .. }
            | YouTubeError::OAuth { http_status, .. }
            | YouTubeError::Decode { http_status, .. } => Some(*http_status),
            YouTubeError::Http { status, .. } => Some(*status),
            _ => None,
        }
    }

    /// The endpoint, when a call was made or refused.
    pub fn endpoint(&self) -> Option<Endpoint> {
        match self {
            YouTubeError::Api { endpoint, .. }
            | YouTubeError::OAuth { endpoint, .. }
            | YouTubeError::Http { endpoint, .. }
            | YouTubeError::Transport { endpoint, .. }
            | YouTubeError::Decode { endpoint, .. }
            | YouTubeError::CallRejected { endpoint, .. } => Some(*endpoint),
            YouTubeError::InvalidArgument(_) => None,
        }
    }

    /// A stable snake-case label of the error kind, for metrics.
    pub fn kind(&self) -> &'static str {
        match self.class() {
            ErrorClass::Reauth => "reauth",
            ErrorClass::AccessTokenRejected => "access_token_rejected",
            ErrorClass::NoChannel => "no_channel",
            ErrorClass::QuotaExhausted { .. } => "quota_exhausted",
            ErrorClass::RateLimited { .. } => "rate_limited",
            ErrorClass::PermissionMissing => "permission_missing",
            ErrorClass::AccountUnavailable => "account_unavailable",
            ErrorClass::Forbidden => "forbidden",
            ErrorClass::NotFound => "not_found",
            ErrorClass::Transient if self.is_timeout() => "timeout",
            ErrorClass::Transient => "transient",
            ErrorClass::Misconfigured => "misconfigured",
            ErrorClass::Invalid if matches!(self, YouTubeError::InvalidArgument(_)) => {
                "invalid_argument"
            }
            ErrorClass::Invalid => "invalid",
            ErrorClass::Rejected { .. } => "call_rejected",
            ErrorClass::Unknown if matches!(self, YouTubeError::Decode { .. }) => "decode",
            ErrorClass::Unknown => "unknown",
        }
    }
}

/// The classification of a Data API envelope (reference section 5.4's table).
pub(crate) fn classify(
    http_status: u16,
    error: &GoogleErrorBody,
    retry_after: Option<Duration>,
    received_at: DateTime<Utc>,
) -> ErrorClass {
    let quota = ErrorClass::QuotaExhausted {
        resets_at: next_quota_reset(received_at),
    };
    if matches!(
        error.reason(),
        Some("quotaExceeded" | "dailyLimitExceeded" | "dailyLimitExceededUnreg")
    ) {
        return quota;
    }
    let rate_limit = matches!(
        error.reason(),
        Some("rateLimitExceeded" | "userRateLimitExceeded")
    );
    // The 2026 per-method buckets answer `rateLimitExceeded`, usually as a 429, naming a
    // daily limit: despite the reason, it lasts until midnight Pacific.
    if rate_limit || http_status == 429 {
        return if error.names_a_daily_limit() {
            quota
        } else {
            ErrorClass::RateLimited { retry_after }
        };
    }
    match error.reason() {
        Some("youtubeSignupRequired") => ErrorClass::NoChannel,
        Some("required") => ErrorClass::Invalid,
        Some("insufficientPermissions") => ErrorClass::PermissionMissing,
        Some("authenticatedUserAccountClosed" | "authenticatedUserAccountSuspended") => {
            ErrorClass::AccountUnavailable
        }
        Some("accessNotConfigured" | "keyInvalid" | "keyExpired" | "ipRefererBlocked") => {
            ErrorClass::Misconfigured
        }
        Some("backendError" | "internalError" | "serviceUnavailable") => ErrorClass::Transient,
        Some("authError") => ErrorClass::AccessTokenRejected,
        // Then the canonical status, then the code (the envelope's, which a 200 may carry).
        _ => match error.status.as_deref() {
            Some("UNAUTHENTICATED") => ErrorClass::AccessTokenRejected,
            Some("PERMISSION_DENIED") => ErrorClass::Forbidden,
            Some("NOT_FOUND") => ErrorClass::NotFound,
            Some("INVALID_ARGUMENT" | "FAILED_PRECONDITION" | "OUT_OF_RANGE") => {
                ErrorClass::Invalid
            }
            Some("INTERNAL" | "UNAVAILABLE" | "DEADLINE_EXCEEDED") => ErrorClass::Transient,
            _ => match if error.code >= 400 {
                error.code
            } else {
                http_status
            } {
                401 => ErrorClass::AccessTokenRejected,
                403 => ErrorClass::Forbidden,
                404 => ErrorClass::NotFound,
                400 | 409 | 412 => ErrorClass::Invalid,
                500..=599 => ErrorClass::Transient,
                _ => ErrorClass::Unknown,
            },
        },
    }
}

/// The classification of an OAuth error (reference section 3.3): every `invalid_grant` means
/// the user must authorize again (Google says not to read the description).
pub(crate) fn classify_oauth(http_status: u16, error: &str) -> ErrorClass {
    match error {
        "invalid_grant" => ErrorClass::Reauth,
        "invalid_client"
        | "unauthorized_client"
        | "redirect_uri_mismatch"
        | "org_internal"
        | "admin_policy_enforced" => ErrorClass::Misconfigured,
        "invalid_request" | "unsupported_grant_type" | "invalid_scope" | "invalid_token" => {
            ErrorClass::Invalid
        }
        _ if http_status >= 500 => ErrorClass::Transient,
        _ if http_status == 429 => ErrorClass::RateLimited { retry_after: None },
        _ => ErrorClass::Unknown,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn at() -> DateTime<Utc> {
        DateTime::parse_from_rfc3339("2026-12-05T12:00:00Z")
            .expect("valid")
            .with_timezone(&Utc)
    }

    fn api(status: u16, reason: &str, message: &str) -> YouTubeError {
        YouTubeError::Api {
            endpoint: Endpoint::Videos,
            http_status: status,
            error: Box::new(GoogleErrorBody {
                code: status,
                message: message.to_owned(),
                status: None,
                errors: vec![ErrorDetail {
                    reason: (!reason.is_empty()).then(|| reason.to_owned()),
                    message: Some(message.to_owned()),
                    ..ErrorDetail::default()
                }],
            }),
            retry_after: None,
            received_at: at(),
            bucket: Some(QuotaBucket::General),
            missing_scope: None,
        }
    }

    #[test]
    fn the_reference_table_classifies() {
        let reset = DateTime::parse_from_rfc3339("2026-12-06T08:00:00Z")
            .expect("valid")
            .with_timezone(&Utc);
        assert_eq!(api(403, "quotaExceeded", "").quota_resets_at(), Some(reset));
        assert_eq!(
            api(403, "dailyLimitExceeded", "Daily Limit Exceeded.").quota_resets_at(),
            Some(reset)
        );
        let per_day = api(
            429,
            "rateLimitExceeded",
            "Quota exceeded for quota metric 'Search' and limit 'Search per day' of service",
        );
        assert_eq!(per_day.quota_resets_at(), Some(reset));
        assert!(!per_day.is_retryable());
        let per_minute = api(429, "rateLimitExceeded", "limit 'Queries per minute'");
        assert_eq!(
            per_minute.class(),
            ErrorClass::RateLimited { retry_after: None }
        );
        assert!(per_minute.is_retryable());
        assert!(api(403, "userRateLimitExceeded", "").is_retryable());
        assert_eq!(
            api(401, "authError", "Invalid Credentials").class(),
            ErrorClass::AccessTokenRejected
        );
        assert_eq!(api(401, "required", "").class(), ErrorClass::Invalid);
        assert_eq!(
            api(401, "youtubeSignupRequired", "").class(),
            ErrorClass::NoChannel
        );
        assert_eq!(
            api(403, "insufficientPermissions", "").class(),
            ErrorClass::PermissionMissing
        );
        assert_eq!(api(403, "forbidden", "").class(), ErrorClass::Forbidden);
        assert_eq!(
            api(403, "accessNotConfigured", "").class(),
            ErrorClass::Misconfigured
        );
        assert_eq!(
            api(403, "authenticatedUserAccountClosed", "").class(),
            ErrorClass::AccountUnavailable
        );
        assert_eq!(
            api(404, "playlistNotFound", "").class(),
            ErrorClass::NotFound
        );
        assert!(api(400, "invalidPageToken", "").is_invalid_page_token());
        assert_eq!(
            api(400, "invalidPageToken", "").class(),
            ErrorClass::Invalid
        );
        assert_eq!(api(500, "backendError", "").class(), ErrorClass::Transient);
        assert_eq!(api(503, "", "").class(), ErrorClass::Transient);
        assert_eq!(classify_oauth(400, "invalid_grant"), ErrorClass::Reauth);
        assert_eq!(
            classify_oauth(401, "invalid_client"),
            ErrorClass::Misconfigured
        );
        assert_eq!(classify_oauth(503, "temporarily"), ErrorClass::Transient);
    }

    #[test]
    fn messages_lose_their_html() {
        let error = api(
            403,
            "quotaExceeded",
            "exceeded your <a href=\"/youtube/v3/getting-started#quota\">quota</a>.",
        );
        assert_eq!(
            error.to_string(),
            "YouTube videos error 403 quotaExceeded: exceeded your quota."
        );
        assert_eq!(error.kind(), "quota_exhausted");
    }
}

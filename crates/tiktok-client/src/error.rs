//! The one error type of every call.

use std::time::Duration;

use crate::Endpoint;

/// Everything that can go wrong calling TikTok.
///
/// Errors are read from the body whatever the HTTP status: a 200 carrying an
/// error body is an error. No variant ever holds a token, secret,
/// authorization code or PKCE verifier.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum TikTokError {
    /// `access_token_invalid`: the access token expired, was revoked or was
    /// rotated. Refresh once and retry once; never retried by the client.
    #[error("TikTok access token is invalid or expired (log_id {})", shown(.log_id))]
    AccessTokenInvalid {
        /// TikTok's message.
        message: String,
        /// TikTok's log id.
        log_id: Option<String>,
    },
    /// `invalid_grant` answering a refresh: the refresh token is invalid or
    /// expired, the user must reconnect (re-read storage first: another
    /// process may have rotated it).
    #[error("TikTok rejected the refresh token: re-authorization needed (log_id {})", shown(.log_id))]
    RefreshRejected {
        /// TikTok's `error_description`.
        description: Option<String>,
        /// TikTok's log id.
        log_id: Option<String>,
    },
    /// `invalid_client`: our client key or secret is wrong. A configuration
    /// problem, never the user's.
    #[error("TikTok rejected the client credentials (invalid_client, log_id {})", shown(.log_id))]
    InvalidClient {
        /// TikTok's `error_description`.
        description: Option<String>,
        /// TikTok's log id.
        log_id: Option<String>,
    },
    /// `scope_not_authorized`: the user did not grant the scope this call needs.
    #[error("TikTok scope not authorized: {message} (log_id {})", shown(.log_id))]
    ScopeNotAuthorized {
        /// TikTok's message.
        message: String,
        /// TikTok's log id.
        log_id: Option<String>,
    },
    /// `scope_permission_missed`: some requested fields need scopes that were
    /// not granted; request fewer fields.
    #[error("TikTok scope permission missed: {message} (log_id {})", shown(.log_id))]
    ScopePermissionMissed {
        /// TikTok's message.
        message: String,
        /// TikTok's log id.
        log_id: Option<String>,
    },
    /// HTTP 429 or `rate_limit_exceeded`.
    #[error(
        "TikTok rate limit exceeded (retry after {}, log_id {})",
        shown_wait(.retry_after),
        shown(.log_id)
    )]
    RateLimited {
        /// The `Retry-After` TikTok sent, when it sent one.
        retry_after: Option<Duration>,
        /// TikTok's log id.
        log_id: Option<String>,
    },
    /// Another Display API error code (`invalid_params`, `internal_error`, or
    /// an undocumented one).
    #[error(
        "TikTok API error {code}: {message} (HTTP {http_status}, log_id {})",
        shown(.log_id)
    )]
    Api {
        /// TikTok's `error.code`.
        code: String,
        /// TikTok's `error.message`.
        message: String,
        /// TikTok's log id.
        log_id: Option<String>,
        /// The HTTP status of the response.
        http_status: u16,
    },
    /// Another OAuth error (`invalid_request`, `invalid_grant` on a code
    /// exchange, `server_error`, or an undocumented one).
    #[error(
        "TikTok OAuth error {error}: {} (HTTP {http_status}, log_id {})",
        shown(.description),
        shown(.log_id)
    )]
    OAuth {
        /// TikTok's `error`.
        error: String,
        /// TikTok's `error_description`.
        description: Option<String>,
        /// TikTok's log id.
        log_id: Option<String>,
        /// The HTTP status of the response.
        http_status: u16,
    },
    /// A non-success HTTP status without a TikTok error body (a proxy's HTML
    /// page, an empty 502).
    #[error("HTTP {status} from TikTok {endpoint} without a TikTok error body")]
    Http {
        /// The endpoint called.
        endpoint: Endpoint,
        /// The HTTP status.
        status: u16,
        /// The `x-tt-logid` header, when present.
        log_id: Option<String>,
    },
    /// No response: connection refused or reset, DNS, TLS, or a timeout.
    #[error(
        "no response from TikTok {endpoint}{}",
        if *.timeout { " (timed out)" } else { "" }
    )]
    Transport {
        /// The endpoint called.
        endpoint: Endpoint,
        /// Whether the attempt timed out.
        timeout: bool,
        /// Whether the failure happened before the request was sent
        /// (connecting), so TikTok cannot have acted on it.
        connect: bool,
        /// The underlying error, without the URL.
        #[source]
        source: reqwest::Error,
    },
    /// A body that is not what TikTok documents (invalid JSON, missing
    /// fields, wrong types). Never a panic.
    #[error("unexpected body from TikTok {endpoint} (HTTP {http_status}): {reason}")]
    Decode {
        /// The endpoint called.
        endpoint: Endpoint,
        /// The HTTP status.
        http_status: u16,
        /// What was wrong, without any token.
        reason: String,
        /// TikTok's log id, when one could be read.
        log_id: Option<String>,
    },
    /// The [`CallHook`](crate::CallHook) refused the call (quota spent); no
    /// request was sent.
    #[error("call to TikTok {endpoint} rejected before sending: {reason}")]
    CallRejected {
        /// The endpoint that was not called.
        endpoint: Endpoint,
        /// The hook's reason.
        reason: String,
        /// When the hook said a call may be allowed again.
        retry_after: Option<Duration>,
    },
    /// The caller passed an argument TikTok would refuse; no request was sent.
    #[error("invalid argument: {0}")]
    InvalidArgument(String),
}

impl TikTokError {
    /// Whether the same call may succeed later without any change on our side:
    /// transport failures, 5xx, 429 / `rate_limit_exceeded`, `internal_error`,
    /// `server_error`, `temporarily_unavailable`, and a quota rejection by the
    /// call hook. Never true for a token, scope, argument or decode problem.
    pub fn is_retryable(&self) -> bool {
        match self {
            TikTokError::Transport { .. }
            | TikTokError::RateLimited { .. }
            | TikTokError::CallRejected { .. } => true,
            TikTokError::Http { status, .. } => is_transient_status(*status),
            TikTokError::Api {
                code, http_status, ..
            } => code == "internal_error" || is_transient_status(*http_status),
            TikTokError::OAuth {
                error, http_status, ..
            } => {
                matches!(error.as_str(), "server_error" | "temporarily_unavailable")
                    || is_transient_status(*http_status)
            }
            TikTokError::AccessTokenInvalid { .. }
            | TikTokError::RefreshRejected { .. }
            | TikTokError::InvalidClient { .. }
            | TikTokError::ScopeNotAuthorized { .. }
            | TikTokError::ScopePermissionMissed { .. }
            | TikTokError::Decode { .. }
            | TikTokError::InvalidArgument(_) => false,
        }
    }

    /// Whether the user must connect again: TikTok rejected the refresh token
    /// ([`TikTokError::RefreshRejected`]). Re-read a shared store first: a
    /// refresh token rotated by another process is rejected the same way.
    pub fn needs_reauth(&self) -> bool {
        matches!(self, TikTokError::RefreshRejected { .. })
    }

    /// The wait TikTok (`Retry-After` on a 429) or the call hook stated
    /// before the call may succeed, when one was stated.
    pub fn retry_after(&self) -> Option<Duration> {
        match self {
            TikTokError::RateLimited { retry_after, .. }
            | TikTokError::CallRejected { retry_after, .. } => *retry_after,
            _ => None,
        }
    }

    /// Whether the attempt timed out.
    pub fn is_timeout(&self) -> bool {
        matches!(self, TikTokError::Transport { timeout: true, .. })
    }

    /// TikTok's log id (from the body, else the `x-tt-logid` header): give it
    /// to TikTok support.
    pub fn log_id(&self) -> Option<&str> {
        match self {
            TikTokError::AccessTokenInvalid { log_id, .. }
            | TikTokError::RefreshRejected { log_id, .. }
            | TikTokError::InvalidClient { log_id, .. }
            | TikTokError::ScopeNotAuthorized { log_id, .. }
            | TikTokError::ScopePermissionMissed { log_id, .. }
            | TikTokError::RateLimited { log_id, .. }
            | TikTokError::Api { log_id, .. }
            | TikTokError::OAuth { log_id, .. }
            | TikTokError::Http { log_id, .. }
            | TikTokError::Decode { log_id, .. } => log_id.as_deref(),
            TikTokError::Transport { .. }
            | TikTokError::CallRejected { .. }
            | TikTokError::InvalidArgument(_) => None,
        }
    }

    /// The HTTP status of the response behind this error, when there was one.
    pub fn http_status(&self) -> Option<u16> {
        match self {
            TikTokError::Api { http_status, .. }
            | TikTokError::OAuth { http_status, .. }
            | TikTokError::Decode { http_status, .. } => Some(*http_status),
            TikTokError::Http { status, .. } => Some(*status),
            TikTokError::RateLimited { .. } => Some(429),
            _ => None,
        }
    }

    /// A stable snake-case label of the error kind, for metrics.
    pub fn kind(&self) -> &'static str {
        match self {
            TikTokError::AccessTokenInvalid { .. } => "access_token_invalid",
            TikTokError::RefreshRejected { .. } => "refresh_rejected",
            TikTokError::InvalidClient { .. } => "invalid_client",
            TikTokError::ScopeNotAuthorized { .. } => "scope_not_authorized",
            TikTokError::ScopePermissionMissed { .. } => "scope_permission_missed",
            TikTokError::RateLimited { .. } => "rate_limited",
            TikTokError::Api { .. } => "api",
            TikTokError::OAuth { .. } => "oauth",
            TikTokError::Http { .. } => "http",
            TikTokError::Transport { timeout: true, .. } => "timeout",
            TikTokError::Transport { .. } => "transport",
            TikTokError::Decode { .. } => "decode",
            TikTokError::CallRejected { .. } => "call_rejected",
            TikTokError::InvalidArgument(_) => "invalid_argument",
        }
    }

    /// TikTok's own error code, when the response carried one
    /// (`error.code` of the Display API, `error` of OAuth).
    pub fn tiktok_code(&self) -> Option<&str> {
        match self {
            TikTokError::AccessTokenInvalid { .. } => Some("access_token_invalid"),
            TikTokError::RefreshRejected { .. } => Some("invalid_grant"),
            TikTokError::InvalidClient { .. } => Some("invalid_client"),
            TikTokError::ScopeNotAuthorized { .. } => Some("scope_not_authorized"),
            TikTokError::ScopePermissionMissed { .. } => Some("scope_permission_missed"),
            TikTokError::Api { code, .. } => Some(code),
            TikTokError::OAuth { error, .. } => Some(error),
            _ => None,
        }
    }
}

/// An optional text for messages.
fn shown(value: &Option<String>) -> &str {
    value.as_deref().unwrap_or("none")
}

/// An optional wait for messages, in seconds.
fn shown_wait(wait: &Option<Duration>) -> String {
    wait.map_or_else(
        || "unspecified".to_owned(),
        |wait| format!("{} s", wait.as_secs_f64()),
    )
}

/// 5xx and 429 are worth retrying; other statuses are the caller's problem.
fn is_transient_status(status: u16) -> bool {
    status == 429 || (500..=599).contains(&status)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn retryable_only_for_transient_failures() {
        let api = |code: &str, http_status| TikTokError::Api {
            code: code.to_owned(),
            message: String::new(),
            log_id: None,
            http_status,
        };
        assert!(api("internal_error", 500).is_retryable());
        assert!(api("internal_error", 200).is_retryable());
        assert!(!api("invalid_params", 400).is_retryable());
        assert!(api("something_new", 503).is_retryable());
        assert!(!api("something_new", 403).is_retryable());
        assert!(
            TikTokError::RateLimited {
                retry_after: None,
                log_id: None
            }
            .is_retryable()
        );
        assert!(
            !TikTokError::AccessTokenInvalid {
                message: String::new(),
                log_id: None
            }
            .is_retryable()
        );
        assert!(
            TikTokError::OAuth {
                error: "temporarily_unavailable".into(),
                description: None,
                log_id: None,
                http_status: 200
            }
            .is_retryable()
        );
        assert!(
            !TikTokError::OAuth {
                error: "invalid_request".into(),
                description: None,
                log_id: None,
                http_status: 400
            }
            .is_retryable()
        );
        assert!(
            TikTokError::Http {
                endpoint: Endpoint::UserInfo,
                status: 502,
                log_id: None
            }
            .is_retryable()
        );
        assert!(!TikTokError::InvalidArgument("x".into()).is_retryable());
    }

    #[test]
    fn log_id_is_exposed() {
        let error = TikTokError::ScopeNotAuthorized {
            message: "m".into(),
            log_id: Some("2026".into()),
        };
        assert_eq!(error.log_id(), Some("2026"));
        assert_eq!(error.kind(), "scope_not_authorized");
        assert_eq!(error.tiktok_code(), Some("scope_not_authorized"));
    }
}

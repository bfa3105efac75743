//! The one error type of every call, and its classification (reference section 5.4).

use std::time::Duration;

use chrono::{DateTime, Utc};

use crate::{Endpoint, Usage};

/// A Graph API error body: `{"error": {message, type, code, error_subcode, ...}}`.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
#[non_exhaustive]
pub struct GraphErrorBody {
    /// `message`.
    pub message: String,
    /// `type`, e.g. `OAuthException`.
    pub error_type: Option<String>,
    /// `code`.
    pub code: i64,
    /// `error_subcode`.
    pub subcode: Option<i64>,
    /// `error_user_title`.
    pub user_title: Option<String>,
    /// `error_user_msg`.
    pub user_message: Option<String>,
    /// `is_transient`.
    pub is_transient: Option<bool>,
    /// `fbtrace_id`: give it to Meta support.
    pub fbtrace_id: Option<String>,
}

/// What a caller should do about an error.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub enum ErrorClass {
    /// The token is dead (190 and its subcodes, 102, an expired token): the user must
    /// connect again; refreshing cannot help.
    Reauth,
    /// Rate limited (4, 17, 32, 613, 341, 80002, 368, or the call hook's refusal): pause the
    /// account, for `retry_after` when Meta said.
    Throttled {
        /// The wait Meta announced (`estimated_time_to_regain_access`), if any.
        retry_after: Option<Duration>,
    },
    /// Worth retrying soon: timeouts, connection failures, 5xx, codes 1 and 2,
    /// `is_transient`, 100/33.
    Transient,
    /// A permission is missing (10 without "viewers", 200-299): ask the user to consent again.
    PermissionMissing,
    /// Not enough data for insights (code 10 "Not enough viewers"): a per-media state.
    NotEnoughData,
    /// Insights unavailable for this media (4/2108006, posted before the professional
    /// conversion): a per-media state, not a throttle.
    InsightsUnavailable,
    /// The request is wrong (code 100, a bad argument, a refused code exchange): fix it.
    Invalid,
    /// Something else.
    Unknown,
}

/// Why a refresh was not even attempted (reference section 3.3).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub enum RefreshRefusal {
    /// The token is younger than the minimum age; it may be refreshed from `refreshable_at`.
    TooNew {
        /// When it becomes refreshable.
        refreshable_at: DateTime<Utc>,
    },
    /// The token has expired; only a new authorization helps.
    Expired {
        /// When it expired.
        expired_at: DateTime<Utc>,
    },
}

/// Everything that can go wrong calling Instagram.
///
/// Errors are read from the body whatever the HTTP status. No variant ever holds a token,
/// the app secret, a code, or a URL (a `paging.next` URL carries the token).
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum InstagramError {
    /// A Graph API error body.
    #[error(
        "Instagram {endpoint} error {} (subcode {}): {} (HTTP {http_status}, fbtrace_id {})",
        .error.code,
        shown_number(.error.subcode),
        .error.message,
        shown(&.error.fbtrace_id)
    )]
    Graph {
        /// The endpoint called.
        endpoint: Endpoint,
        /// The HTTP status.
        http_status: u16,
        /// The error body (boxed: it is large, and errors travel in `Result`s).
        error: Box<GraphErrorBody>,
        /// The usage headers of the response.
        usage: Option<Usage>,
    },
    /// The code exchange's flat error `{"error_type", "code", "error_message"}`.
    #[error("Instagram refused the code exchange: {message} (code {}, HTTP {http_status})", shown_number(*.code))]
    TokenEndpoint {
        /// The HTTP status.
        http_status: u16,
        /// `error_type`.
        error_type: Option<String>,
        /// `code`.
        code: Option<i64>,
        /// `error_message`.
        message: String,
    },
    /// A non-success status without an error body (a proxy's page, an empty 502).
    #[error("HTTP {status} from Instagram {endpoint} without an error body")]
    Http {
        /// The endpoint called.
        endpoint: Endpoint,
        /// The HTTP status.
        status: u16,
    },
    /// No response: connection refused or reset, DNS, TLS, or a timeout.
    #[error("no response from Instagram {endpoint}{}", if *.timeout { " (timed out)" } else { "" })]
    Transport {
        /// The endpoint called.
        endpoint: Endpoint,
        /// Whether the attempt timed out.
        timeout: bool,
        /// Whether it failed while connecting (Instagram cannot have acted on it).
        connect: bool,
        /// The underlying error, without the URL.
        #[source]
        source: reqwest::Error,
    },
    /// A body that is not what Meta documents. Never a panic; never quotes a value.
    #[error("unexpected body from Instagram {endpoint} (HTTP {http_status}): {reason}")]
    Decode {
        /// The endpoint called.
        endpoint: Endpoint,
        /// The HTTP status.
        http_status: u16,
        /// What was wrong.
        reason: String,
    },
    /// The [`CallHook`](crate::CallHook) refused the call; nothing was sent.
    #[error("call to Instagram {endpoint} rejected before sending: {reason}")]
    CallRejected {
        /// The endpoint that was not called.
        endpoint: Endpoint,
        /// The hook's reason.
        reason: String,
        /// When the hook said a call may be allowed again.
        retry_after: Option<Duration>,
    },
    /// A refresh that Meta would refuse was not sent.
    #[error("the long-lived token cannot be refreshed now: {0:?}")]
    RefreshNotAllowed(RefreshRefusal),
    /// The caller passed an argument Instagram would refuse; nothing was sent.
    #[error("invalid argument: {0}")]
    InvalidArgument(String),
}

impl InstagramError {
    /// What to do about it.
    pub fn class(&self) -> ErrorClass {
        match self {
            InstagramError::Graph { error, usage, .. } => classify(error, usage.as_ref()),
            InstagramError::TokenEndpoint {
                http_status, code, ..
            } => {
                if *http_status >= 500 || code.is_some_and(|c| c >= 500) {
                    ErrorClass::Transient
                } else {
                    ErrorClass::Invalid
                }
            }
            InstagramError::Http { status, .. } if *status == 429 => {
                ErrorClass::Throttled { retry_after: None }
            }
            InstagramError::Http { status, .. } if *status >= 500 => ErrorClass::Transient,
            InstagramError::Http { .. } => ErrorClass::Unknown,
            InstagramError::Transport { .. } => ErrorClass::Transient,
            InstagramError::Decode { .. } => ErrorClass::Unknown,
            InstagramError::CallRejected { retry_after, .. } => ErrorClass::Throttled {
                retry_after: *retry_after,
            },
            InstagramError::RefreshNotAllowed(RefreshRefusal::Expired { .. }) => ErrorClass::Reauth,
            InstagramError::RefreshNotAllowed(_) | InstagramError::InvalidArgument(_) => {
                ErrorClass::Invalid
            }
        }
    }

    /// Whether the same call may succeed later without any change: transient failures and
    /// throttles.
    pub fn is_retryable(&self) -> bool {
        matches!(
            self.class(),
            ErrorClass::Transient | ErrorClass::Throttled { .. }
        )
    }

    /// Whether the user must authorize again (the token is dead).
    pub fn needs_reauth(&self) -> bool {
        self.class() == ErrorClass::Reauth
    }

    /// The wait Meta (or the call hook) stated, if any.
    pub fn retry_after(&self) -> Option<Duration> {
        match self.class() {
            ErrorClass::Throttled { retry_after } => retry_after,
            _ => None,
        }
    }

    /// Whether the attempt timed out.
    pub fn is_timeout(&self) -> bool {
        matches!(self, InstagramError::Transport { timeout: true, .. })
    }

    /// Meta's trace id, for support.
    pub fn fbtrace_id(&self) -> Option<&str> {
        match self {
            InstagramError::Graph { error, .. } => error.fbtrace_id.as_deref(),
            _ => None,
        }
    }

    /// Meta's error code (Graph `code`, or the flat shape's `code`).
    pub fn code(&self) -> Option<i64> {
        match self {
            InstagramError::Graph { error, .. } => Some(error.code),
            InstagramError::TokenEndpoint { code, .. } => *code,
            _ => None,
        }
    }

    /// Meta's error subcode.
    pub fn subcode(&self) -> Option<i64> {
        match self {
            InstagramError::Graph { error, .. } => error.subcode,
            _ => None,
        }
    }

    /// The HTTP status of the response behind this error, when there was one.
    pub fn http_status(&self) -> Option<u16> {
        match self {
            InstagramError::Graph { http_status, .. }
            | InstagramError::TokenEndpoint { http_status, .. }
            | InstagramError::Decode { http_status, .. } => Some(*http_status),
            InstagramError::Http { status, .. } => Some(*status),
            _ => None,
        }
    }

    /// The usage headers of the response, when the error carried them.
    pub fn usage(&self) -> Option<&Usage> {
        match self {
            InstagramError::Graph { usage, .. } => usage.as_ref(),
            _ => None,
        }
    }

    /// A stable snake-case label of the error kind, for metrics.
    pub fn kind(&self) -> &'static str {
        match self {
            InstagramError::Graph { .. } => match self.class() {
                ErrorClass::Reauth => "reauth",
                ErrorClass::Throttled { .. } => "throttled",
                ErrorClass::Transient => "transient",
                ErrorClass::PermissionMissing => "permission_missing",
                ErrorClass::NotEnoughData => "not_enough_data",
                ErrorClass::InsightsUnavailable => "insights_unavailable",
                ErrorClass::Invalid => "invalid",
                ErrorClass::Unknown => "graph_error",
            },
            InstagramError::TokenEndpoint { .. } => "token_endpoint",
            InstagramError::Http { .. } => "http",
            InstagramError::Transport { timeout: true, .. } => "timeout",
            InstagramError::Transport { .. } => "transport",
            InstagramError::Decode { .. } => "decode",
            InstagramError::CallRejected { .. } => "call_rejected",
            InstagramError::RefreshNotAllowed(_) => "refresh_not_allowed",
            InstagramError::InvalidArgument(_) => "invalid_argument",
        }
    }
}

/// The classification of a Graph error body (reference section 5.4's table).
pub(crate) fn classify(error: &GraphErrorBody, usage: Option<&Usage>) -> ErrorClass {
    let message = error.message.to_ascii_lowercase();
    match (error.code, error.subcode) {
        (190 | 102, _) => ErrorClass::Reauth,
        (4, Some(2_108_006)) => ErrorClass::InsightsUnavailable,
        (4 | 17 | 32 | 613 | 341 | 368 | 80_001..=80_014, _) => ErrorClass::Throttled {
            retry_after: usage.and_then(Usage::regain_access_after),
        },
        (10, _) if message.contains("viewers") || message.contains("not enough") => {
            ErrorClass::NotEnoughData
        }
        (10 | 200..=299, _) => ErrorClass::PermissionMissing,
        (1 | 2, _) => ErrorClass::Transient,
        (100, Some(33)) => ErrorClass::Transient,
        _ if error.is_transient == Some(true) => ErrorClass::Transient,
        (100, _) => ErrorClass::Invalid,
        _ => ErrorClass::Unknown,
    }
}

fn shown(value: &Option<String>) -> &str {
    value.as_deref().unwrap_or("none")
}

fn shown_number(value: Option<i64>) -> String {
    value.map_or_else(|| "none".to_owned(), |n| n.to_string())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn graph(code: i64, subcode: Option<i64>, message: &str) -> InstagramError {
        InstagramError::Graph {
            endpoint: Endpoint::MediaInsights,
            http_status: 400,
            error: Box::new(GraphErrorBody {
                message: message.into(),
                code,
                subcode,
                ..GraphErrorBody::default()
            }),
            usage: None,
        }
    }

    #[test]
    fn the_reference_table_classifies() {
        assert_eq!(graph(190, None, "").class(), ErrorClass::Reauth);
        for subcode in [458, 459, 460, 463, 464, 467] {
            assert!(graph(190, Some(subcode), "").needs_reauth());
        }
        assert_eq!(
            graph(4, Some(2_108_006), "").class(),
            ErrorClass::InsightsUnavailable
        );
        for code in [4, 17, 32, 613, 80_002] {
            assert_eq!(
                graph(code, None, "").class(),
                ErrorClass::Throttled { retry_after: None }
            );
        }
        assert_eq!(
            graph(
                10,
                None,
                "(#10) Not enough viewers for the media to show insights"
            )
            .class(),
            ErrorClass::NotEnoughData
        );
        assert_eq!(
            graph(10, None, "(#10) Application does not have permission").class(),
            ErrorClass::PermissionMissing
        );
        assert_eq!(graph(200, None, "").class(), ErrorClass::PermissionMissing);
        assert_eq!(graph(1, None, "").class(), ErrorClass::Transient);
        assert_eq!(graph(2, None, "").class(), ErrorClass::Transient);
        assert_eq!(graph(100, None, "").class(), ErrorClass::Invalid);
        assert_eq!(graph(100, Some(33), "").class(), ErrorClass::Transient);
        assert!(!graph(100, None, "").is_retryable());
        assert!(graph(2, None, "").is_retryable());
    }

    #[test]
    fn a_throttle_carries_the_announced_wait() {
        let usage = Usage::from_headers(
            None,
            Some(
                r#"{"1":[{"type":"instagram","call_count":100,"estimated_time_to_regain_access":7}]}"#,
            ),
        );
        let error = InstagramError::Graph {
            endpoint: Endpoint::Profile,
            http_status: 400,
            error: Box::new(GraphErrorBody {
                code: 80_002,
                ..GraphErrorBody::default()
            }),
            usage,
        };
        assert_eq!(error.retry_after(), Some(Duration::from_secs(420)));
        assert_eq!(error.kind(), "throttled");
    }
}

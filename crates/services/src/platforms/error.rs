//! A platform's failure, classified the same way for every platform.

use std::time::Duration;

/// A boxed error kept as the cause.
pub type BoxError = Box<dyn std::error::Error + Send + Sync + 'static>;

/// What kind of failure a platform call ended in: what the use cases act on.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub enum PlatformErrorKind {
    /// Our shared call budget refused the call before it was made: nothing failed at the
    /// platform, the work waits for the budget.
    BudgetRefused,
    /// The platform throttled us; wait the time it states.
    RateLimited,
    /// The access token is not accepted (revoked, rotated elsewhere, clocks apart): refresh
    /// once and try again.
    AccessTokenInvalid,
    /// The platform will never accept this grant again (refresh rejected, Graph error 190):
    /// the creator must reconnect.
    NeedsReauth,
    /// A permission the call needs was not granted, or was withdrawn after consent.
    ScopeMissing,
    /// The app's own credentials or settings are wrong (an operator problem).
    Misconfigured,
    /// The account cannot be connected (a personal Instagram account, a Google account
    /// without a channel): the message says why.
    NotEligible,
    /// The code exchange was refused (expired or reused code, PKCE mismatch).
    ExchangeRefused,
    /// Anything else: an outage, a timeout, an answer we cannot read. Transient.
    Unavailable,
}

/// A platform's failure: its kind, the platform's own code for logs and the sync log, how
/// long the platform asked us to wait, and the client's error as the cause.
#[derive(Debug, thiserror::Error)]
#[error("{source}")]
pub struct PlatformError {
    /// What kind of failure.
    pub kind: PlatformErrorKind,
    /// The platform's code (`rate_limit_exceeded`, `190`, `quotaExceeded`), or the client's
    /// kind of error.
    pub code: String,
    /// How long to wait, when the platform (or our budget) said.
    pub retry_after: Option<Duration>,
    /// The scope that is missing, for [`PlatformErrorKind::ScopeMissing`].
    pub scope: Option<String>,
    /// The cause (never holding a token).
    #[source]
    pub source: BoxError,
}

impl PlatformError {
    /// A failure of `kind` with the platform's `code` and its `source`.
    pub fn new(
        kind: PlatformErrorKind,
        code: impl Into<String>,
        source: impl Into<BoxError>,
    ) -> Self {
        Self {
            kind,
            code: code.into(),
            retry_after: None,
            scope: None,
            source: source.into(),
        }
    }

    /// The same, with the wait the platform asked for.
    #[must_use]
    pub fn with_retry_after(mut self, retry_after: Option<Duration>) -> Self {
        self.retry_after = retry_after;
        self
    }

    /// The same, naming the missing scope.
    #[must_use]
    pub fn with_scope(mut self, scope: impl Into<String>) -> Self {
        self.scope = Some(scope.into());
        self
    }

    /// A failure with only a message (no client error behind it).
    pub fn message(kind: PlatformErrorKind, code: &str, message: impl Into<String>) -> Self {
        Self::new(kind, code, message.into())
    }

    /// Whether it is `kind`.
    pub fn is(&self, kind: PlatformErrorKind) -> bool {
        self.kind == kind
    }
}

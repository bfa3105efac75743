//! Typed errors of the use cases. The api-server maps each variant to one of its error codes
//! (and so to an HTTP status); none of their messages holds a token or a secret.

use std::time::Duration;

use storage::StorageError;
use tiktok_client::TikTokError;

/// Why the OAuth callback could not complete a connection. Nothing is stored in any case.
#[derive(Debug, thiserror::Error)]
pub enum ConnectError {
    /// The creator pressed Cancel on TikTok's page (`error=access_denied`).
    #[error("Connection cancelled")]
    Cancelled,
    /// TikTok redirected back with another error.
    #[error("TikTok refused the authorization: {description}")]
    Denied {
        /// TikTok's `error` value.
        error: String,
        /// TikTok's `error_description`, or a generic text.
        description: String,
    },
    /// The callback carried no `state`, or no `code`.
    #[error("The TikTok callback is missing its {0} parameter; please try connecting again")]
    MissingParameter(&'static str),
    /// The state was never issued (or was purged): possibly a forged request.
    #[error("This connection link is not valid; please try connecting again")]
    UnknownState,
    /// The state is older than its lifetime.
    #[error("This connection link has expired; please try connecting again")]
    StateExpired,
    /// The state was used already (a replayed callback).
    #[error("This connection link was already used; please try connecting again")]
    StateUsed,
    /// TikTok refused the code exchange (expired or reused code, PKCE mismatch...).
    #[error("TikTok did not accept the authorization: {0}")]
    ExchangeFailed(String),
    /// The user already has another TikTok account connected.
    #[error(
        "Another TikTok account (@{connected}) is connected; disconnect it first to connect a different one"
    )]
    DifferentAccount {
        /// The handle (or id) of the account already connected.
        connected: String,
    },
    /// This TikTok account is connected to another user of the host product.
    #[error("This TikTok account is already connected to another user")]
    AccountInUse,
    /// TikTok failed or timed out.
    #[error("TikTok is unavailable right now; please try again in a moment")]
    TikTokUnavailable(#[source] TikTokError),
    /// The TikTok app's credentials are wrong (an operator problem, not the user's).
    #[error("The TikTok app is misconfigured; the operator has been told")]
    Misconfigured(#[source] TikTokError),
    /// The database failed.
    #[error(transparent)]
    Storage(#[from] StorageError),
}

/// Why a use case other than the callback failed.
#[derive(Debug, thiserror::Error)]
pub enum ServiceError {
    /// The user has no connection to this platform.
    #[error("No TikTok account is connected")]
    NotConnected,
    /// TikTok rejected the refresh token: the user must reconnect.
    #[error("TikTok no longer accepts this connection; please reconnect your account")]
    NeedsReauth,
    /// A sync of this connection is running (here or in a worker).
    #[error("A sync of this account is already running")]
    SyncInProgress,
    /// A manual sync inside the cooldown.
    #[error("You can sync again in {} seconds", retry_after.as_secs())]
    Cooldown {
        /// How long until the next manual sync is allowed.
        retry_after: Duration,
    },
    /// A sync ran and failed; the previous data is intact and the run is recorded.
    #[error("The sync failed: {message}")]
    SyncFailed {
        /// Where the failure came from (the part callers act on).
        origin: crate::sync::FailureSource,
        /// TikTok's error code, this crate's error kind, or `storage`: for people and logs.
        code: String,
        /// What went wrong, in words (no secrets).
        message: String,
    },
    /// TikTok failed or timed out; nothing was lost and the failure is recorded.
    #[error("TikTok is unavailable right now: {0}")]
    TikTokUnavailable(#[source] TikTokError),
    /// The TikTok app's credentials are wrong.
    #[error("The TikTok app is misconfigured")]
    Misconfigured(#[source] TikTokError),
    /// A request argument is out of range.
    #[error("{0}")]
    InvalidArgument(String),
    /// The database failed.
    #[error(transparent)]
    Storage(#[from] StorageError),
}

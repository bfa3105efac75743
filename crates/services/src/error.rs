//! Typed errors of the use cases. The api-server maps each variant to one of its error codes
//! (and so to an HTTP status); none of their messages holds a token or a secret.

use std::time::Duration;

use domain::Platform;
use storage::StorageError;

use crate::platforms::PlatformError;

/// Why the OAuth callback could not complete a connection. Nothing is stored in any case.
#[derive(Debug, thiserror::Error)]
pub enum ConnectError {
    /// The creator pressed Cancel on the platform's page (`error=access_denied`).
    #[error("Connection cancelled")]
    Cancelled,
    /// The platform redirected back with another error.
    #[error("{platform} refused the authorization: {description}")]
    Denied {
        /// The platform's name, as shown.
        platform: &'static str,
        /// The platform's `error` value.
        error: String,
        /// The platform's `error_description`, or a generic text.
        description: String,
    },
    /// The callback carried no `state`, or no `code`.
    #[error(
        "The {platform} callback is missing its {parameter} parameter; please try connecting again"
    )]
    MissingParameter {
        /// The platform's name, as shown.
        platform: &'static str,
        /// The missing parameter.
        parameter: &'static str,
    },
    /// The state was never issued (or was purged): possibly a forged request.
    #[error("This connection link is not valid; please try connecting again")]
    UnknownState,
    /// The state is older than its lifetime.
    #[error("This connection link has expired; please try connecting again")]
    StateExpired,
    /// The state was used already (a replayed callback).
    #[error("This connection link was already used; please try connecting again")]
    StateUsed,
    /// The user connected (or synced) this platform less than the cooldown ago: a connect
    /// syncs, so connect/disconnect loops are under the manual sync's cooldown.
    #[error("You can connect again in {} seconds", retry_after.as_secs())]
    Cooldown {
        /// How long until a connect is allowed.
        retry_after: Duration,
    },
    /// The callback came to a browser other than the one that began the connect (a link
    /// sent to someone else, or opened without the connect popup): refused before any
    /// code exchange.
    #[error(
        "This connection was started in another browser; please press Connect again in this one"
    )]
    OtherBrowser,
    /// The platform refused the code exchange (expired or reused code, PKCE mismatch...).
    #[error("{platform} did not accept the authorization: {reason}")]
    ExchangeFailed {
        /// The platform's name, as shown.
        platform: &'static str,
        /// Why, in the platform's words.
        reason: String,
    },
    /// The account cannot be connected (a personal Instagram account, a Google account
    /// without a YouTube channel).
    #[error("{0}")]
    NotEligible(String),
    /// The user already has another account of this platform connected.
    #[error(
        "Another {platform} account (@{connected}) is connected; disconnect it first to connect a different one"
    )]
    DifferentAccount {
        /// The platform's name, as shown.
        platform: &'static str,
        /// The handle (or id) of the account already connected.
        connected: String,
    },
    /// This account is connected to another user of the host product.
    #[error("This {platform} account is already connected to another user")]
    AccountInUse {
        /// The platform's name, as shown.
        platform: &'static str,
    },
    /// The platform failed or timed out.
    #[error("{platform} is unavailable right now; please try again in a moment")]
    PlatformUnavailable {
        /// The platform's name, as shown.
        platform: &'static str,
        /// The platform's failure.
        #[source]
        source: PlatformError,
    },
    /// The platform app's credentials are wrong (an operator problem, not the user's).
    #[error("The {platform} app is misconfigured; the operator has been told")]
    Misconfigured {
        /// The platform's name, as shown.
        platform: &'static str,
        /// The platform's failure.
        #[source]
        source: PlatformError,
    },
    /// The callback names a platform this service does not run.
    #[error("{0} is not a platform this service connects")]
    UnknownPlatform(Platform),
    /// The database failed.
    #[error(transparent)]
    Storage(#[from] StorageError),
}

/// Why a use case other than the callback failed.
#[derive(Debug, thiserror::Error)]
pub enum ServiceError {
    /// The user has no connection to this platform.
    #[error("No {platform} account is connected")]
    NotConnected {
        /// The platform's name, as shown.
        platform: &'static str,
    },
    /// The platform rejected the refresh token: the user must reconnect.
    #[error("{platform} no longer accepts this connection; please reconnect your account")]
    NeedsReauth {
        /// The platform's name, as shown.
        platform: &'static str,
    },
    /// A sync of this connection is running (here or in a worker).
    #[error("A sync of this account is already running")]
    SyncInProgress,
    /// A manual sync or a connect inside the cooldown of the user's last one on that
    /// platform.
    #[error("You can sync again in {} seconds", retry_after.as_secs())]
    Cooldown {
        /// How long until the next manual sync is allowed.
        retry_after: Duration,
    },
    /// The user's share of the platform's daily budget is spent for today.
    #[error(
        "Your share of today's {platform} budget for manual syncs and connects is spent; it \
         resets at {} UTC",
        resets_at.format("%Y-%m-%d %H:%M")
    )]
    ShareSpent {
        /// The platform's name, as shown.
        platform: &'static str,
        /// When the share is given again (the platform's midnight).
        resets_at: chrono::DateTime<chrono::Utc>,
        /// How long until then.
        retry_after: Duration,
    },
    /// A sync ran and failed; the previous data is intact and the run is recorded.
    #[error("The sync failed: {message}")]
    SyncFailed {
        /// The platform's name, as shown.
        platform: &'static str,
        /// Where the failure came from (the part callers act on).
        origin: crate::sync::FailureSource,
        /// The platform's error code, this crate's error kind, or `storage`: for people and
        /// logs.
        code: String,
        /// What went wrong, in words (no secrets).
        message: String,
    },
    /// The platform failed or timed out; nothing was lost and the failure is recorded.
    #[error("{platform} is unavailable right now: {source}")]
    PlatformUnavailable {
        /// The platform's name, as shown.
        platform: &'static str,
        /// The platform's failure.
        #[source]
        source: PlatformError,
    },
    /// The platform app's credentials are wrong.
    #[error("The {platform} app is misconfigured")]
    Misconfigured {
        /// The platform's name, as shown.
        platform: &'static str,
        /// The platform's failure.
        #[source]
        source: PlatformError,
    },
    /// The service does not run this platform.
    #[error("{0} is not a platform this service connects")]
    UnknownPlatform(Platform),
    /// A request argument is out of range.
    #[error("{0}")]
    InvalidArgument(String),
    /// The database failed.
    #[error(transparent)]
    Storage(#[from] StorageError),
}

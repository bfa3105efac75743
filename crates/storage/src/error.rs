//! Typed errors of the storage crate.

use chrono::{DateTime, Utc};

use crate::cipher::CryptoError;

/// Why a stored OAuth state was refused by [`crate::Database::consume_oauth_state`].
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub enum OAuthStateRejection {
    /// No such state was ever issued (or it was purged).
    #[error("unknown OAuth state")]
    Unknown,
    /// The state exists but its lifetime is over.
    #[error("expired OAuth state")]
    Expired,
    /// The state was already consumed by an earlier callback.
    #[error("OAuth state already used")]
    AlreadyUsed,
    /// The state was begun in another browser (or never opened through the start route).
    #[error("OAuth state of another browser")]
    OtherBrowser,
    /// The start route was opened for this state already (or too late after it was issued).
    #[error("OAuth state already started")]
    AlreadyStarted,
}

/// Errors of the storage layer.
///
/// Messages never include tokens, keys or other secrets.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum StorageError {
    /// The row asked for does not exist.
    #[error("{0} not found")]
    NotFound(&'static str),
    /// A uniqueness rule was broken (e.g. the platform account is connected to another user).
    #[error("conflict: {0}")]
    Conflict(String),
    /// The database could not be reached, the pool is exhausted or closed, or SQLite stayed
    /// locked past its busy timeout. Transient: the API maps it to 503.
    #[error("database unavailable: {0}")]
    Unavailable(String),
    /// The connection was lost during the call (its server backend terminated, the server
    /// restarted, the network cut): the pool discards it. A read may be run again at once
    /// on a fresh connection; the API maps it to 503 like [`StorageError::Unavailable`].
    #[error("database connection lost: {0}")]
    ConnectionLost(String),
    /// The quota window is spent; the call may be retried at `retry_at`.
    #[error("API quota exceeded for {bucket} until {retry_at}")]
    QuotaExceeded {
        /// The bucket that is spent.
        bucket: String,
        /// The start of the next window.
        retry_at: DateTime<Utc>,
    },
    /// The OAuth state was unknown, expired or already used.
    #[error(transparent)]
    OAuthState(#[from] OAuthStateRejection),
    /// Encrypting or decrypting a token failed (wrong key, tampered ciphertext).
    #[error(transparent)]
    Crypto(#[from] CryptoError),
    /// The database URL (or path) is not usable.
    #[error("invalid database URL: {0}")]
    InvalidUrl(String),
    /// Running the embedded migrations failed.
    #[error("migrations failed: {0}")]
    Migration(String),
    /// A stored value does not parse (e.g. an unknown status name).
    #[error("corrupt data: {0}")]
    CorruptData(String),
    /// A request argument is out of range (e.g. a limit of zero, a malformed cursor).
    #[error("invalid argument: {0}")]
    InvalidArgument(String),
    /// Any other database error.
    #[error("database error")]
    Query(#[source] diesel::result::Error),
}

impl StorageError {
    /// Whether the database was unreachable, locked or lost mid-call (transient: a 503).
    pub fn is_unavailable(&self) -> bool {
        matches!(self, Self::Unavailable(_) | Self::ConnectionLost(_))
    }
}

impl From<diesel::result::Error> for StorageError {
    fn from(error: diesel::result::Error) -> Self {
        use diesel::result::{DatabaseErrorKind, Error};
        match error {
            Error::NotFound => Self::NotFound("row"),
            Error::DatabaseError(DatabaseErrorKind::UniqueViolation, info) => {
                Self::Conflict(info.message().to_owned())
            }
            Error::DatabaseError(
                DatabaseErrorKind::ClosedConnection | DatabaseErrorKind::UnableToSendCommand,
                info,
            ) => Self::ConnectionLost(info.message().to_owned()),
            // SQLite reports SQLITE_BUSY / SQLITE_LOCKED past busy_timeout with these messages.
            Error::DatabaseError(_, ref info)
                if info.message().contains("database is locked")
                    || info.message().contains("database table is locked") =>
            {
                Self::Unavailable(info.message().to_owned())
            }
            other => Self::Query(other),
        }
    }
}

impl From<diesel_async::pooled_connection::deadpool::PoolError> for StorageError {
    fn from(error: diesel_async::pooled_connection::deadpool::PoolError) -> Self {
        Self::Unavailable(error.to_string())
    }
}

impl From<domain::ParseEnumError> for StorageError {
    fn from(error: domain::ParseEnumError) -> Self {
        Self::CorruptData(error.to_string())
    }
}

impl From<domain::InvalidPlatformName> for StorageError {
    fn from(error: domain::InvalidPlatformName) -> Self {
        Self::CorruptData(error.to_string())
    }
}

/// Result alias of this crate.
pub type StorageResult<T> = Result<T, StorageError>;

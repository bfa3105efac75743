//! A failure inside a sync, before it is turned into an outcome, a code and a source.

use std::time::Duration;

use domain::SyncOutcome;
use storage::StorageError;

use super::FailureSource;
use crate::platforms::{PlatformError, PlatformErrorKind};
use crate::tokens::TokenError;

/// A failure inside a sync, before it is turned into an outcome.
#[derive(Debug, thiserror::Error)]
pub(super) enum SyncFailure {
    #[error(transparent)]
    Token(#[from] TokenError),
    #[error(transparent)]
    Platform(#[from] PlatformError),
    #[error(transparent)]
    Storage(#[from] StorageError),
    #[error("the platform returned another account ({0}) for this connection's token")]
    AccountMismatch(String),
}

impl SyncFailure {
    /// The platform's failure, wherever it surfaced.
    fn platform_error(&self) -> Option<&PlatformError> {
        match self {
            Self::Platform(error) | Self::Token(TokenError::Platform(error)) => Some(error),
            _ => None,
        }
    }

    pub(super) fn outcome(&self) -> SyncOutcome {
        match (self, self.platform_error().map(|error| error.kind)) {
            (Self::Token(TokenError::NeedsReauth), _) => SyncOutcome::NeedsReauth,
            (_, Some(PlatformErrorKind::NeedsReauth)) => SyncOutcome::NeedsReauth,
            (_, Some(PlatformErrorKind::BudgetRefused | PlatformErrorKind::RateLimited)) => {
                SyncOutcome::RateLimited
            }
            _ => SyncOutcome::Failed,
        }
    }

    pub(super) fn code(&self) -> String {
        match self {
            Self::Token(TokenError::NeedsReauth) => "needs_reauth".into(),
            Self::Token(TokenError::Missing) => "no_token".into(),
            Self::Token(TokenError::Platform(error)) | Self::Platform(error) => error.code.clone(),
            Self::Token(TokenError::Storage(_)) | Self::Storage(_) => "storage".into(),
            Self::AccountMismatch(_) => "account_mismatch".into(),
        }
    }

    pub(super) fn source(&self) -> FailureSource {
        match self {
            Self::Token(TokenError::NeedsReauth | TokenError::Missing) => {
                FailureSource::Authorization
            }
            Self::Token(TokenError::Platform(error)) | Self::Platform(error) => match error.kind {
                PlatformErrorKind::BudgetRefused => FailureSource::Budget,
                PlatformErrorKind::NeedsReauth => FailureSource::Authorization,
                _ => FailureSource::Platform,
            },
            Self::Token(TokenError::Storage(_)) | Self::Storage(_) => FailureSource::Storage,
            Self::AccountMismatch(_) => FailureSource::AccountMismatch,
        }
    }

    pub(super) fn retry_after(&self) -> Option<Duration> {
        self.platform_error().and_then(|error| match error.kind {
            PlatformErrorKind::BudgetRefused | PlatformErrorKind::RateLimited => error.retry_after,
            _ => None,
        })
    }
}

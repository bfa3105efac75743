//! A failure inside a sync, before it is turned into an outcome, a code and a source.

use std::time::Duration;

use domain::SyncOutcome;
use storage::StorageError;
use tiktok_client::TikTokError;

use super::FailureSource;
use crate::tokens::TokenError;

/// A failure inside a sync, before it is turned into an outcome.
#[derive(Debug, thiserror::Error)]
pub(super) enum SyncFailure {
    #[error(transparent)]
    Token(#[from] TokenError),
    #[error(transparent)]
    TikTok(#[from] TikTokError),
    #[error(transparent)]
    Storage(#[from] StorageError),
    #[error("TikTok returned another account ({0}) for this connection's token")]
    AccountMismatch(String),
}

impl SyncFailure {
    pub(super) fn outcome(&self) -> SyncOutcome {
        match self {
            Self::Token(TokenError::NeedsReauth) => SyncOutcome::NeedsReauth,
            Self::TikTok(TikTokError::CallRejected { .. } | TikTokError::RateLimited { .. })
            | Self::Token(TokenError::TikTok(
                TikTokError::CallRejected { .. } | TikTokError::RateLimited { .. },
            )) => SyncOutcome::RateLimited,
            _ => SyncOutcome::Failed,
        }
    }

    pub(super) fn code(&self) -> String {
        match self {
            Self::Token(TokenError::NeedsReauth) => "needs_reauth".into(),
            Self::Token(TokenError::Missing) => "no_token".into(),
            Self::Token(TokenError::TikTok(error)) | Self::TikTok(error) => {
                error.tiktok_code().unwrap_or(error.kind()).to_owned()
            }
            Self::Token(TokenError::Storage(_)) | Self::Storage(_) => "storage".into(),
            Self::AccountMismatch(_) => "account_mismatch".into(),
        }
    }

    pub(super) fn source(&self) -> FailureSource {
        match self {
            Self::Token(TokenError::NeedsReauth | TokenError::Missing) => {
                FailureSource::Authorization
            }
            Self::Token(TokenError::TikTok(TikTokError::CallRejected { .. }))
            | Self::TikTok(TikTokError::CallRejected { .. }) => FailureSource::Budget,
            Self::Token(TokenError::TikTok(_)) | Self::TikTok(_) => FailureSource::Platform,
            Self::Token(TokenError::Storage(_)) | Self::Storage(_) => FailureSource::Storage,
            Self::AccountMismatch(_) => FailureSource::AccountMismatch,
        }
    }

    pub(super) fn retry_after(&self) -> Option<Duration> {
        match self {
            Self::TikTok(
                TikTokError::CallRejected { retry_after, .. }
                | TikTokError::RateLimited { retry_after, .. },
            )
            | Self::Token(TokenError::TikTok(
                TikTokError::CallRejected { retry_after, .. }
                | TikTokError::RateLimited { retry_after, .. },
            )) => *retry_after,
            _ => None,
        }
    }
}

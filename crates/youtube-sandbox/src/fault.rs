//! Injected faults: what an endpoint answers instead of its normal answer. Every error of the
//! reference (sections 3.3, 4 and 5.4) can be injected by name, or any envelope raw.

use std::collections::HashMap;
use std::sync::{Mutex, PoisonError};
use std::time::Duration;

use actix_web::http::StatusCode;
use serde::{Deserialize, Serialize};

use crate::endpoint::Endpoint;
use crate::wire::{GoogleError, OAuthError};

/// A failure to inject on one endpoint. In the control API it is JSON tagged by `kind`, e.g.
/// `{"kind": "rate_limit_exceeded", "status": 429}`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum Fault {
    /// Answer normally, after this many milliseconds.
    Latency {
        /// Added delay.
        millis: u64,
    },
    /// Never answer (the client times out).
    Hang,
    /// HTTP 200 with a truncated JSON body.
    MalformedBody,
    /// 401 `authError` "Invalid Credentials".
    AuthError,
    /// 401 `required` "Login Required.".
    LoginRequired,
    /// 401 `youtubeSignupRequired`: the account has no channel.
    YoutubeSignupRequired,
    /// 403 `forbidden`.
    Forbidden,
    /// 403 `quotaExceeded` (`youtube.quota`), the daily general quota.
    QuotaExceeded,
    /// 403 `dailyLimitExceeded` (`usageLimits`), the older wording.
    DailyLimitExceeded,
    /// `rateLimitExceeded` whose message names a daily limit: a per-method bucket is spent.
    PerDayLimit {
        /// The quota metric named (default `Queries`).
        #[serde(default)]
        metric: Option<String>,
        /// The HTTP status (default 429).
        #[serde(default)]
        status: Option<u16>,
    },
    /// `rateLimitExceeded` per minute: 403 (`usageLimits`, the default) or 429 (`global`).
    RateLimitExceeded {
        /// The HTTP status (default 403).
        #[serde(default)]
        status: Option<u16>,
        /// A `Retry-After` header, in seconds.
        #[serde(default)]
        retry_after_secs: Option<u64>,
    },
    /// 403 `userRateLimitExceeded`.
    UserRateLimitExceeded,
    /// 403 `insufficientPermissions` with its `WWW-Authenticate` header.
    InsufficientPermissions {
        /// The scope named in the header (default `youtube.readonly`).
        #[serde(default)]
        scope: Option<String>,
    },
    /// 403 `accessNotConfigured`: the API is not enabled in the project.
    AccessNotConfigured,
    /// 403 `authenticatedUserAccountClosed`.
    AccountClosed,
    /// 403 `authenticatedUserAccountSuspended`.
    AccountSuspended,
    /// 403 `accountDelegationForbidden`.
    AccountDelegationForbidden,
    /// 403 `playlistItemsNotAccessible`.
    PlaylistItemsNotAccessible,
    /// 400 `invalidPageToken`.
    InvalidPageToken,
    /// 404 `playlistNotFound`.
    PlaylistNotFound,
    /// 404 `channelNotFound`.
    ChannelNotFound,
    /// 404 `videoNotFound`.
    VideoNotFound,
    /// 500 `backendError`.
    BackendError,
    /// 503 `backendError` "The service is currently unavailable.".
    ServiceUnavailable {
        /// A `Retry-After` header, in seconds.
        #[serde(default)]
        retry_after_secs: Option<u64>,
    },
    /// Any Data API envelope.
    GoogleError {
        /// The HTTP status.
        status: u16,
        /// `errors[0].reason`.
        reason: String,
        /// `errors[0].domain` (default `global`).
        #[serde(default)]
        domain: Option<String>,
        /// `message` (default "Injected error").
        #[serde(default)]
        message: Option<String>,
    },
    /// OAuth 400 `invalid_grant` (default "Token has been expired or revoked.").
    InvalidGrant {
        /// `error_description`.
        #[serde(default)]
        description: Option<String>,
    },
    /// OAuth 401 `invalid_client` "The OAuth client was not found.".
    InvalidClient,
    /// Any OAuth error body `{"error", "error_description"}`.
    OauthError {
        /// The HTTP status.
        status: u16,
        /// `error`.
        error: String,
        /// `error_description`.
        #[serde(default)]
        description: Option<String>,
    },
}

/// What a fault makes the endpoint answer.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum FaultAnswer {
    /// Answer normally after a delay.
    Delay(Duration),
    /// Never answer.
    Hang,
    /// A cut JSON body.
    Malformed,
    /// A Data API envelope.
    Google(GoogleError),
    /// An OAuth error body.
    OAuth(OAuthError),
}

fn status_or(status: Option<u16>, default: StatusCode) -> StatusCode {
    status
        .and_then(|s| StatusCode::from_u16(s).ok())
        .unwrap_or(default)
}

impl Fault {
    /// The answer, given the project number errors may name.
    pub(crate) fn answer(&self, project_number: &str) -> FaultAnswer {
        let google = |error: GoogleError| FaultAnswer::Google(error);
        match self {
            Fault::Latency { millis } => FaultAnswer::Delay(Duration::from_millis(*millis)),
            Fault::Hang => FaultAnswer::Hang,
            Fault::MalformedBody => FaultAnswer::Malformed,
            Fault::AuthError => google(GoogleError::auth_error()),
            Fault::LoginRequired => google(GoogleError::login_required()),
            Fault::YoutubeSignupRequired => google(GoogleError::youtube_signup_required()),
            Fault::Forbidden => google(GoogleError::forbidden()),
            Fault::QuotaExceeded => google(GoogleError::quota_exceeded()),
            Fault::DailyLimitExceeded => google(GoogleError::daily_limit_exceeded(project_number)),
            Fault::PerDayLimit { metric, status } => google(GoogleError::per_day_limit(
                metric.as_deref().unwrap_or("Queries"),
                project_number,
                status_or(*status, StatusCode::TOO_MANY_REQUESTS),
            )),
            Fault::RateLimitExceeded {
                status,
                retry_after_secs,
            } => {
                let mut error = GoogleError::rate_limited(
                    status_or(*status, StatusCode::FORBIDDEN),
                    project_number,
                );
                error.retry_after = *retry_after_secs;
                google(error)
            }
            Fault::UserRateLimitExceeded => google(GoogleError::user_rate_limited()),
            Fault::InsufficientPermissions { scope } => {
                google(GoogleError::insufficient_permissions(
                    scope.as_deref().unwrap_or(crate::scope::YOUTUBE_READONLY),
                ))
            }
            Fault::AccessNotConfigured => {
                google(GoogleError::access_not_configured(project_number))
            }
            Fault::AccountClosed => google(GoogleError::account_closed()),
            Fault::AccountSuspended => google(GoogleError::account_suspended()),
            Fault::AccountDelegationForbidden => {
                google(GoogleError::account_delegation_forbidden())
            }
            Fault::PlaylistItemsNotAccessible => {
                google(GoogleError::playlist_items_not_accessible())
            }
            Fault::InvalidPageToken => google(GoogleError::invalid_page_token()),
            Fault::PlaylistNotFound => google(GoogleError::playlist_not_found()),
            Fault::ChannelNotFound => google(GoogleError::channel_not_found()),
            Fault::VideoNotFound => google(GoogleError::video_not_found()),
            Fault::BackendError => google(GoogleError::backend_error()),
            Fault::ServiceUnavailable { retry_after_secs } => {
                let mut error = GoogleError::service_unavailable();
                error.retry_after = *retry_after_secs;
                google(error)
            }
            Fault::GoogleError {
                status,
                reason,
                domain,
                message,
            } => google(GoogleError::new(
                status_or(Some(*status), StatusCode::BAD_REQUEST),
                domain.as_deref().unwrap_or("global"),
                reason,
                message
                    .clone()
                    .unwrap_or_else(|| "Injected error".to_owned()),
            )),
            Fault::InvalidGrant { description } => FaultAnswer::OAuth(OAuthError::invalid_grant(
                description
                    .clone()
                    .unwrap_or_else(|| "Token has been expired or revoked.".to_owned()),
            )),
            Fault::InvalidClient => FaultAnswer::OAuth(OAuthError::invalid_client(
                "The OAuth client was not found.",
            )),
            Fault::OauthError {
                status,
                error,
                description,
            } => FaultAnswer::OAuth(OAuthError::new(
                status_or(Some(*status), StatusCode::BAD_REQUEST),
                error,
                description.clone().unwrap_or_default(),
            )),
        }
    }
}

/// A fault set on an endpoint, for every call or the next `remaining` calls.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ActiveFault {
    /// The endpoint it is set on.
    pub endpoint: Endpoint,
    /// What happens.
    pub fault: Fault,
    /// How many more calls it affects; none means until cleared.
    pub remaining: Option<u32>,
}

/// The faults currently set, at most one per endpoint.
#[derive(Debug, Default)]
pub(crate) struct FaultTable {
    faults: Mutex<HashMap<Endpoint, ActiveFault>>,
}

impl FaultTable {
    fn lock(&self) -> std::sync::MutexGuard<'_, HashMap<Endpoint, ActiveFault>> {
        self.faults.lock().unwrap_or_else(PoisonError::into_inner)
    }

    pub(crate) fn set(&self, endpoint: Endpoint, fault: Fault, times: Option<u32>) {
        let mut faults = self.lock();
        if times == Some(0) {
            faults.remove(&endpoint);
            return;
        }
        faults.insert(
            endpoint,
            ActiveFault {
                endpoint,
                fault,
                remaining: times,
            },
        );
    }

    pub(crate) fn clear(&self, endpoint: Endpoint) {
        self.lock().remove(&endpoint);
    }

    pub(crate) fn clear_all(&self) {
        self.lock().clear();
    }

    pub(crate) fn list(&self) -> Vec<ActiveFault> {
        let mut list: Vec<ActiveFault> = self.lock().values().cloned().collect();
        list.sort_by_key(|active| active.endpoint);
        list
    }

    /// Takes the fault for this call, counting it against `remaining`.
    pub(crate) fn take(&self, endpoint: Endpoint) -> Option<Fault> {
        let mut faults = self.lock();
        let active = faults.get_mut(&endpoint)?;
        let fault = active.fault.clone();
        if let Some(remaining) = active.remaining.as_mut() {
            *remaining = remaining.saturating_sub(1);
            if *remaining == 0 {
                faults.remove(&endpoint);
            }
        }
        Some(fault)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_counted_fault_clears_itself() {
        let table = FaultTable::default();
        table.set(Endpoint::Videos, Fault::Hang, Some(2));
        assert_eq!(table.take(Endpoint::Videos), Some(Fault::Hang));
        assert_eq!(table.take(Endpoint::Channels), None);
        assert_eq!(table.take(Endpoint::Videos), Some(Fault::Hang));
        assert_eq!(table.take(Endpoint::Videos), None);
    }

    #[test]
    fn faults_read_from_tagged_json() {
        let fault: Fault =
            serde_json::from_str(r#"{"kind":"rate_limit_exceeded","status":429}"#).expect("valid");
        let FaultAnswer::Google(error) = fault.answer("1") else {
            panic!("a Google error");
        };
        assert_eq!(error.status, StatusCode::TOO_MANY_REQUESTS);
        assert!(error.message.contains("per minute"));
        let fault: Fault =
            serde_json::from_str(r#"{"kind":"per_day_limit","metric":"Search"}"#).expect("valid");
        let FaultAnswer::Google(error) = fault.answer("1") else {
            panic!("a Google error");
        };
        assert!(error.message.contains("'Search per day'"));
        let fault: Fault = serde_json::from_str(r#"{"kind":"invalid_grant"}"#).expect("valid");
        assert!(matches!(fault.answer("1"), FaultAnswer::OAuth(e) if e.error == "invalid_grant"));
    }
}

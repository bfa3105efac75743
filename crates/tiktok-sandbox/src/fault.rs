//! Injected faults: what an endpoint does instead of (or before) its normal answer.

use std::collections::HashMap;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Mutex, PoisonError};
use std::time::Duration;

use serde::{Deserialize, Serialize};
use tokio::sync::watch;

use crate::endpoint::Endpoint;

/// A failure to inject on one endpoint. In the control API it is JSON tagged by `kind`,
/// e.g. `{"kind": "rate_limited", "retry_after_secs": 5}`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum Fault {
    /// Answer normally, but only after this many milliseconds.
    Latency {
        /// Added delay in milliseconds.
        millis: u64,
    },
    /// HTTP 429 with `rate_limit_exceeded` (Display API envelope, or the OAuth error shape on
    /// the token and revoke endpoints), optionally with a `Retry-After` header.
    RateLimited {
        /// Seconds to put in `Retry-After`; none sends no header.
        #[serde(default)]
        retry_after_secs: Option<u64>,
    },
    /// A 5xx with `internal_error` (Display API) or `server_error` (OAuth endpoints).
    ServerError {
        /// The HTTP status, 500 to 599 (anything else becomes 500).
        #[serde(default = "default_server_error_status")]
        status: u16,
    },
    /// An arbitrary error code with an arbitrary status: HTTP 200 with an error body (seen
    /// from TikTok's token endpoint), or a code no client knows. Display API endpoints answer
    /// the envelope with `error.code = code`; OAuth endpoints `{"error": code, ...}`.
    CustomError {
        /// The HTTP status (an invalid one becomes 200).
        status: u16,
        /// The error code to send.
        code: String,
    },
    /// Never answer (the request hangs until the client gives up or the sandbox stops).
    Hang,
    /// Answer normally, but only once the calls held so far are released
    /// ([`crate::SandboxHandle::release_held_calls`], `POST /sandbox/faults/release`, or
    /// clearing the faults): a test holds a call inside the endpoint for exactly as long as
    /// it needs, without waiting for time to pass.
    Held,
    /// HTTP 200 with a truncated, unparseable JSON body.
    MalformedBody,
    /// Display API: `access_token_invalid` although the token is good.
    AccessTokenInvalid,
    /// Token endpoint, refresh grant: `invalid_grant` although the refresh token is good
    /// (the token is not consumed).
    RefreshInvalidGrant,
    /// Token endpoint, refresh grant: a success whose body omits `refresh_token`; the refresh
    /// token that was sent stays valid.
    RefreshWithoutRefreshToken,
    /// Token endpoint, refresh grant: the refresh is made (the refresh token rotates, the
    /// new pair is issued), then its answer is held until released, as [`Fault::Held`]
    /// holds: a client that dies meanwhile never learns the tokens TikTok now expects.
    RefreshAnswerHeld,
}

fn default_server_error_status() -> u16 {
    500
}

impl Fault {
    /// Whether the fault applies to a call of `endpoint` (a refresh fault only to refresh
    /// grants, a token fault only to the Display API); faults that do not apply are neither
    /// triggered nor used up.
    pub(crate) fn applies_to(&self, endpoint: Endpoint, is_refresh_grant: bool) -> bool {
        match self {
            Fault::AccessTokenInvalid => endpoint.is_display_api(),
            Fault::RefreshInvalidGrant
            | Fault::RefreshWithoutRefreshToken
            | Fault::RefreshAnswerHeld => endpoint == Endpoint::Token && is_refresh_grant,
            _ => true,
        }
    }

    /// The latency to add, if this is a latency fault.
    pub(crate) fn latency(&self) -> Option<Duration> {
        match self {
            Fault::Latency { millis } => Some(Duration::from_millis(*millis)),
            _ => None,
        }
    }
}

/// A fault set on an endpoint, for every call or the next `remaining` calls it applies to.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ActiveFault {
    /// The endpoint it is set on.
    pub endpoint: Endpoint,
    /// What happens.
    pub fault: Fault,
    /// How many more calls it affects; none means until cleared.
    pub remaining: Option<u32>,
}

/// The faults currently set, at most one per endpoint, and the calls [`Fault::Held`] holds.
#[derive(Debug)]
pub(crate) struct FaultTable {
    faults: Mutex<HashMap<Endpoint, ActiveFault>>,
    /// Counts releases; a held call waits for the count to move past the one it saw.
    releases: watch::Sender<u64>,
    /// Calls waiting for a release.
    held: AtomicUsize,
}

impl Default for FaultTable {
    fn default() -> Self {
        Self {
            faults: Mutex::default(),
            releases: watch::Sender::new(0),
            held: AtomicUsize::new(0),
        }
    }
}

impl FaultTable {
    /// Holds the calling request until the next release.
    pub(crate) async fn hold(&self) {
        let mut releases = self.releases.subscribe();
        let seen = *releases.borrow_and_update();
        self.held.fetch_add(1, Ordering::SeqCst);
        // The sender lives as long as the table, so this ends only with a release.
        let _ = releases.wait_for(|count| *count > seen).await;
        self.held.fetch_sub(1, Ordering::SeqCst);
    }

    /// Lets every held call go on.
    pub(crate) fn release_held(&self) {
        self.releases.send_modify(|count| *count += 1);
    }

    /// How many calls are held now.
    pub(crate) fn held(&self) -> usize {
        self.held.load(Ordering::SeqCst)
    }

    pub(crate) fn set(&self, endpoint: Endpoint, fault: Fault, times: Option<u32>) {
        let mut faults = self.faults.lock().unwrap_or_else(PoisonError::into_inner);
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
        self.faults
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .remove(&endpoint);
    }

    /// Clears every fault and releases the held calls (nothing stays held by a fault that
    /// no longer exists).
    pub(crate) fn clear_all(&self) {
        self.faults
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .clear();
        self.release_held();
    }

    pub(crate) fn list(&self) -> Vec<ActiveFault> {
        let mut list: Vec<ActiveFault> = self
            .faults
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .values()
            .cloned()
            .collect();
        list.sort_by_key(|active| active.endpoint);
        list
    }

    /// Takes the fault for this call, if one applies, counting it against `remaining`.
    pub(crate) fn take(&self, endpoint: Endpoint, is_refresh_grant: bool) -> Option<Fault> {
        let mut faults = self.faults.lock().unwrap_or_else(PoisonError::into_inner);
        let active = faults.get_mut(&endpoint)?;
        if !active.fault.applies_to(endpoint, is_refresh_grant) {
            return None;
        }
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
        table.set(Endpoint::VideoList, Fault::Hang, Some(2));
        assert_eq!(table.take(Endpoint::VideoList, false), Some(Fault::Hang));
        assert_eq!(table.take(Endpoint::UserInfo, false), None);
        assert_eq!(table.take(Endpoint::VideoList, false), Some(Fault::Hang));
        assert_eq!(table.take(Endpoint::VideoList, false), None);
    }

    #[test]
    fn a_refresh_fault_skips_code_exchanges_without_using_itself_up() {
        let table = FaultTable::default();
        table.set(Endpoint::Token, Fault::RefreshInvalidGrant, Some(1));
        assert_eq!(table.take(Endpoint::Token, false), None);
        assert_eq!(
            table.take(Endpoint::Token, true),
            Some(Fault::RefreshInvalidGrant)
        );
        assert!(table.list().is_empty());
        table.set(Endpoint::Token, Fault::RefreshAnswerHeld, Some(1));
        assert_eq!(table.take(Endpoint::Token, false), None);
        assert_eq!(
            table.take(Endpoint::Token, true),
            Some(Fault::RefreshAnswerHeld)
        );
    }

    #[test]
    fn faults_read_from_tagged_json() {
        let fault: Fault = serde_json::from_str(r#"{"kind":"rate_limited","retry_after_secs":3}"#)
            .expect("valid fault JSON");
        assert_eq!(
            fault,
            Fault::RateLimited {
                retry_after_secs: Some(3)
            }
        );
        let fault: Fault =
            serde_json::from_str(r#"{"kind":"server_error"}"#).expect("valid fault JSON");
        assert_eq!(fault, Fault::ServerError { status: 500 });
    }
}

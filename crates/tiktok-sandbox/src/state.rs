//! The state every handler shares.

use std::collections::BTreeMap;
use std::sync::Mutex;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::Instant;

use url::Url;

use crate::clock::SandboxClock;
use crate::config::{RegisteredClient, SandboxConfig};
use crate::data::Catalog;
use crate::data::UrlContext;
use crate::endpoint::Endpoint;
use crate::fault::FaultTable;
use crate::grants::{AuthStore, Revocation};
use crate::rate_limit::RateLimiter;
use crate::secrets::new_log_id;
use crate::webhook::{RemovalReason, WebhookDelivery, WebhookSender};

/// Calls received per endpoint, whatever their outcome; and, while it is switched on, when
/// each arrived (for measuring a client's pacing).
#[derive(Debug, Default)]
pub(crate) struct CallCounter {
    counts: [AtomicU64; Endpoint::ALL.len()],
    /// `Some` while call times are recorded.
    times: Mutex<Option<Vec<(Endpoint, Instant)>>>,
}

impl CallCounter {
    fn slot(&self, endpoint: Endpoint) -> &AtomicU64 {
        let index = Endpoint::ALL
            .iter()
            .position(|&candidate| candidate == endpoint)
            .unwrap_or_default();
        &self.counts[index]
    }

    pub(crate) fn record(&self, endpoint: Endpoint) {
        self.slot(endpoint).fetch_add(1, Ordering::Relaxed);
        if let Some(times) = self.times().as_mut() {
            times.push((endpoint, Instant::now()));
        }
    }

    fn times(&self) -> std::sync::MutexGuard<'_, Option<Vec<(Endpoint, Instant)>>> {
        // A panic while pushing cannot leave the list half-written: keep using it.
        self.times
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
    }

    /// Starts recording call times (forgetting earlier ones), or stops and forgets them.
    pub(crate) fn record_times(&self, on: bool) {
        *self.times() = on.then(Vec::new);
    }

    /// The arrival times of an endpoint's calls since recording started, in order.
    pub(crate) fn times_of(&self, endpoint: Endpoint) -> Vec<Instant> {
        self.times()
            .iter()
            .flatten()
            .filter(|(called, _)| *called == endpoint)
            .map(|(_, at)| *at)
            .collect()
    }

    pub(crate) fn get(&self, endpoint: Endpoint) -> u64 {
        self.slot(endpoint).load(Ordering::Relaxed)
    }

    pub(crate) fn all(&self) -> BTreeMap<Endpoint, u64> {
        Endpoint::ALL
            .iter()
            .map(|&endpoint| (endpoint, self.get(endpoint)))
            .collect()
    }
}

/// Everything one sandbox holds.
#[derive(Debug)]
pub(crate) struct SandboxState {
    pub(crate) config: SandboxConfig,
    pub(crate) base_url: Url,
    pub(crate) clock: SandboxClock,
    pub(crate) catalog: Catalog,
    pub(crate) auth: AuthStore,
    pub(crate) faults: FaultTable,
    pub(crate) calls: CallCounter,
    pub(crate) limits: RateLimiter,
    pub(crate) webhooks: WebhookSender,
}

impl SandboxState {
    pub(crate) fn client(&self, client_key: &str) -> Option<&RegisteredClient> {
        self.config
            .clients
            .iter()
            .find(|client| client.client_key == client_key)
    }

    /// Sends `authorization.removed` for a revocation, if webhooks are configured.
    pub(crate) async fn notify_removed(
        &self,
        revocation: &Revocation,
        reason: RemovalReason,
    ) -> Option<WebhookDelivery> {
        let client = self.client(&revocation.client_key)?;
        self.webhooks
            .authorization_removed(client, &revocation.open_id, reason, revocation.revoked_at)
            .await
    }

    pub(crate) fn log_id(&self) -> String {
        new_log_id(self.clock.now())
    }

    pub(crate) fn urls(&self) -> UrlContext {
        UrlContext {
            base_url: self.base_url.clone(),
            now: self.clock.now(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn call_times_are_kept_only_while_recording() {
        let calls = CallCounter::default();
        calls.record(Endpoint::VideoList);
        assert!(
            calls.times_of(Endpoint::VideoList).is_empty(),
            "off by default"
        );

        calls.record_times(true);
        calls.record(Endpoint::VideoList);
        calls.record(Endpoint::UserInfo);
        calls.record(Endpoint::VideoList);
        let list = calls.times_of(Endpoint::VideoList);
        assert_eq!(list.len(), 2);
        assert!(list[0] <= list[1], "in arrival order");
        assert_eq!(calls.times_of(Endpoint::UserInfo).len(), 1);
        assert_eq!(calls.get(Endpoint::VideoList), 3, "counting never stops");

        calls.record_times(false);
        assert!(calls.times_of(Endpoint::VideoList).is_empty(), "forgotten");
    }
}

//! The state every handler shares.

use std::collections::BTreeMap;
use std::sync::atomic::{AtomicU64, Ordering};

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

/// Calls received per endpoint, whatever their outcome.
#[derive(Debug, Default)]
pub(crate) struct CallCounter {
    counts: [AtomicU64; Endpoint::ALL.len()],
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

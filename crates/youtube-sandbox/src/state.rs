//! The state every handler shares.

use std::collections::BTreeMap;
use std::sync::{Mutex, PoisonError};

use url::Url;

use crate::catalog::Catalog;
use crate::clock::SandboxClock;
use crate::config::{RegisteredClient, SandboxConfig};
use crate::endpoint::Endpoint;
use crate::fault::FaultTable;
use crate::grants::AuthStore;
use crate::quota::QuotaEngine;

/// Calls received per endpoint, whatever their outcome.
#[derive(Debug, Default)]
pub(crate) struct CallCounter {
    counts: Mutex<BTreeMap<Endpoint, u64>>,
}

impl CallCounter {
    pub(crate) fn record(&self, endpoint: Endpoint) {
        *self
            .counts
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .entry(endpoint)
            .or_default() += 1;
    }

    pub(crate) fn get(&self, endpoint: Endpoint) -> u64 {
        self.all().get(&endpoint).copied().unwrap_or_default()
    }

    pub(crate) fn all(&self) -> BTreeMap<Endpoint, u64> {
        let counts = self.counts.lock().unwrap_or_else(PoisonError::into_inner);
        Endpoint::ALL
            .iter()
            .map(|endpoint| (*endpoint, counts.get(endpoint).copied().unwrap_or_default()))
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
    pub(crate) quota: QuotaEngine,
    pub(crate) faults: FaultTable,
    pub(crate) calls: CallCounter,
}

impl SandboxState {
    pub(crate) fn client(&self, client_id: &str) -> Option<&RegisteredClient> {
        self.config
            .clients
            .iter()
            .find(|client| client.client_id == client_id)
    }

    /// The client whose project owns this API key.
    pub(crate) fn client_by_key(&self, key: &str) -> Option<&RegisteredClient> {
        self.config
            .clients
            .iter()
            .find(|client| client.api_key.as_deref() == Some(key))
    }

    /// The project number errors name for a client (or the first client's).
    pub(crate) fn project_number(&self, client_id: Option<&str>) -> String {
        client_id
            .and_then(|id| self.client(id))
            .or_else(|| self.config.clients.first())
            .map(|client| client.project_number.clone())
            .unwrap_or_default()
    }

    /// The account with this email, `sub`, channel id or handle.
    pub(crate) fn account_index(&self, key: &str) -> Option<usize> {
        self.catalog.accounts.iter().position(|account| {
            account.spec.email == key
                || account.sub == key
                || account
                    .channel
                    .as_ref()
                    .is_some_and(|channel| channel.id == key)
                || account
                    .channel_spec()
                    .is_some_and(|spec| spec.handle.eq_ignore_ascii_case(key))
        })
    }

    /// A number that keys page tokens to this sandbox.
    pub(crate) fn page_secret(&self) -> u64 {
        self.config.seed ^ 0x005E_ED0F_7A6E
    }

    /// The base URL as an issuer string (no trailing slash).
    pub(crate) fn issuer(&self) -> String {
        self.base_url.as_str().trim_end_matches('/').to_owned()
    }
}

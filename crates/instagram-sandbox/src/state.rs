//! The state every handler shares.

use std::collections::BTreeMap;
use std::sync::{Mutex, PoisonError};

use url::Url;

use crate::accounts::Catalog;
use crate::clock::SandboxClock;
use crate::config::{RegisteredApp, SandboxConfig};
use crate::endpoint::Endpoint;
use crate::fault::FaultTable;
use crate::grants::AuthStore;
use crate::rate_limit::RateLimiter;
use crate::signed::CallbackSender;

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
    pub(crate) faults: FaultTable,
    pub(crate) calls: CallCounter,
    pub(crate) limits: RateLimiter,
    pub(crate) callbacks: CallbackSender,
}

impl SandboxState {
    pub(crate) fn app(&self, app_id: &str) -> Option<&RegisteredApp> {
        self.config.apps.iter().find(|app| app.app_id == app_id)
    }

    /// The app whose secret this is (the long-lived exchange sends only the secret).
    pub(crate) fn app_by_secret(&self, secret: &str) -> Option<&RegisteredApp> {
        self.config.apps.iter().find(|app| app.app_secret == secret)
    }
}

//! Starting, driving and stopping a sandbox.

use std::collections::BTreeMap;
use std::net::{IpAddr, Ipv4Addr, SocketAddr, TcpListener};
use std::sync::Arc;
use std::time::Duration;

use actix_web::dev::ServerHandle;
use actix_web::{App, HttpServer, web};
use chrono::{DateTime, Utc};
use url::Url;

use crate::catalog::Catalog;
use crate::clock::SandboxClock;
use crate::config::{QuotaBucket, SandboxConfig};
use crate::endpoint::Endpoint;
use crate::error::SandboxError;
use crate::fault::{ActiveFault, Fault};
use crate::grants::{AuthStore, GrantSummary, RefreshDeath, TokenPolicy};
use crate::quota::{QuotaEngine, QuotaUsage};
use crate::routes;
use crate::state::{CallCounter, SandboxState};
use crate::views::{AccountDetails, AccountSummary};

/// Entry point: `Sandbox::start(config).await`.
#[derive(Debug)]
pub struct Sandbox;

impl Sandbox {
    /// Binds the configured address (port 0: a random free port), generates the accounts and
    /// serves the sandbox on the caller's tokio runtime. Returns once the socket listens.
    pub async fn start(config: SandboxConfig) -> Result<SandboxHandle, SandboxError> {
        config.validate()?;
        let listener = TcpListener::bind(config.bind).map_err(|source| SandboxError::Bind {
            addr: config.bind,
            source,
        })?;
        listener
            .set_nonblocking(true)
            .map_err(SandboxError::Server)?;
        let local_addr = listener.local_addr().map_err(SandboxError::Server)?;
        let base_url = match &config.public_base_url {
            Some(url) => with_trailing_slash(url.clone()),
            None => base_url_for(local_addr)?,
        };
        let clock = if config.frozen_clock {
            SandboxClock::frozen(config.initial_time)
        } else {
            SandboxClock::ticking(config.initial_time)
        };
        let catalog = Catalog::generate(config.seed, &config.accounts, config.initial_time);
        let state = Arc::new(SandboxState {
            auth: AuthStore::new(TokenPolicy {
                access_lifetime: config.access_token_lifetime,
                rotate: config.rotate_refresh_tokens,
                max_refresh_tokens: config.max_refresh_tokens,
                idle_limit: config.refresh_idle_limit,
                testing_lifetime: config.testing_refresh_lifetime,
                revoke_whole_grant: config.revoke_whole_grant,
            }),
            quota: QuotaEngine::new(config.quota.clone()),
            faults: Default::default(),
            calls: CallCounter::default(),
            base_url: base_url.clone(),
            clock,
            catalog,
            config,
        });
        let data = web::Data::from(Arc::clone(&state));
        let server = HttpServer::new(move || {
            App::new()
                // The consent page is a login form: never framed (clickjacking), and nothing
                // is read as another type than it says.
                .wrap(
                    actix_web::middleware::DefaultHeaders::new()
                        .add(("X-Content-Type-Options", "nosniff"))
                        .add(("X-Frame-Options", "DENY"))
                        .add(("Content-Security-Policy", "frame-ancestors 'none'"))
                        .add(("Referrer-Policy", "no-referrer")),
                )
                .app_data(data.clone())
                .app_data(web::PayloadConfig::new(64 * 1024))
                .configure(routes::configure)
        })
        .workers(state.config.workers)
        .disable_signals()
        .shutdown_timeout(1)
        .listen(listener)
        .map_err(SandboxError::Server)?
        .run();
        let server_handle = server.handle();
        let task = tokio::spawn(server);
        tracing::info!(%base_url, accounts = state.catalog.accounts.len(), "YouTube sandbox listening");
        Ok(SandboxHandle {
            state,
            local_addr,
            base_url,
            server: server_handle,
            task: Some(task),
        })
    }
}

fn with_trailing_slash(mut url: Url) -> Url {
    if !url.path().ends_with('/') {
        let path = format!("{}/", url.path());
        url.set_path(&path);
    }
    url
}

fn base_url_for(addr: SocketAddr) -> Result<Url, SandboxError> {
    // A wildcard bind is reachable on loopback; a URL must name a concrete host.
    let ip = match addr.ip() {
        ip if ip.is_unspecified() && ip.is_ipv4() => IpAddr::V4(Ipv4Addr::LOCALHOST),
        ip if ip.is_unspecified() => IpAddr::V6(std::net::Ipv6Addr::LOCALHOST),
        ip => ip,
    };
    Ok(Url::parse(&format!(
        "http://{}/",
        SocketAddr::new(ip, addr.port())
    ))?)
}

/// A running sandbox. Dropping it stops the server (without waiting); call
/// [`SandboxHandle::stop`] to wait for that.
#[derive(Debug)]
pub struct SandboxHandle {
    state: Arc<SandboxState>,
    local_addr: SocketAddr,
    base_url: Url,
    server: ServerHandle,
    task: Option<tokio::task::JoinHandle<std::io::Result<()>>>,
}

impl SandboxHandle {
    /// The sandbox's root URL, e.g. `http://127.0.0.1:41234/`. Google's hosts do not share
    /// paths, so this one root stands in for all of them (the methods below say which).
    pub fn base_url(&self) -> Url {
        self.base_url.clone()
    }

    /// Stands in for `https://accounts.google.com/` (`o/oauth2/v2/auth` below it).
    pub fn auth_base_url(&self) -> Url {
        self.base_url()
    }

    /// Stands in for `https://oauth2.googleapis.com/` (`token`, `revoke`, `tokeninfo`).
    pub fn token_base_url(&self) -> Url {
        self.base_url()
    }

    /// Stands in for `https://www.googleapis.com/` (`youtube/v3/...`).
    pub fn data_base_url(&self) -> Url {
        self.base_url()
    }

    /// Stands in for `https://youtubeanalytics.googleapis.com/` (`v2/reports`).
    pub fn analytics_base_url(&self) -> Url {
        self.base_url()
    }

    /// The socket address the sandbox listens on.
    pub fn local_addr(&self) -> SocketAddr {
        self.local_addr
    }

    /// The sandbox clock (shared: advancing a clone advances the sandbox).
    pub fn clock(&self) -> SandboxClock {
        self.state.clock.clone()
    }

    /// The sandbox's current time.
    pub fn now(&self) -> DateTime<Utc> {
        self.state.clock.now()
    }

    /// Moves the clock forward: codes and tokens expire, refresh tokens idle, statistics
    /// grow, Analytics days settle, the quota day turns over at midnight Pacific. Returns the
    /// new time.
    pub fn advance_clock(&self, by: Duration) -> DateTime<Utc> {
        self.state.clock.advance(by)
    }

    /// Sets a fault on an endpoint until cleared (replacing that endpoint's fault).
    pub fn set_fault(&self, endpoint: Endpoint, fault: Fault) {
        self.state.faults.set(endpoint, fault, None);
    }

    /// Sets a fault for the next `calls` calls of an endpoint; then it clears itself.
    pub fn set_fault_for_calls(&self, endpoint: Endpoint, fault: Fault, calls: u32) {
        self.state.faults.set(endpoint, fault, Some(calls));
    }

    /// Clears one endpoint's fault.
    pub fn clear_fault(&self, endpoint: Endpoint) {
        self.state.faults.clear(endpoint);
    }

    /// Clears every fault.
    pub fn clear_faults(&self) {
        self.state.faults.clear_all();
    }

    /// The faults currently set.
    pub fn faults(&self) -> Vec<ActiveFault> {
        self.state.faults.list()
    }

    /// Calls received by an endpoint so far, whatever their outcome.
    pub fn call_count(&self, endpoint: Endpoint) -> u64 {
        self.state.calls.get(endpoint)
    }

    /// Calls received by every endpoint.
    pub fn call_counts(&self) -> BTreeMap<Endpoint, u64> {
        self.state.calls.all()
    }

    /// Every Google account as of now.
    pub fn accounts(&self) -> Vec<AccountSummary> {
        let now = self.now();
        self.state
            .catalog
            .accounts
            .iter()
            .map(|account| account.summary(self.state.catalog.start, now))
            .collect()
    }

    /// One account (by email, `sub`, channel id or handle) with its uploads.
    pub fn account(&self, key: &str) -> Option<AccountDetails> {
        let index = self.state.account_index(key)?;
        Some(self.state.catalog.accounts[index].details(self.state.catalog.start, self.now()))
    }

    /// Every grant (consent), with its refresh tokens' state (never their values).
    pub fn grants(&self) -> Vec<GrantSummary> {
        self.state.grants()
    }

    /// "The user removed the app's access" on their Google Account page: the account's grants
    /// to `client_id` (or every client) end, with every token. Nothing is sent to the app: it
    /// learns it from `invalid_grant` or a 401. Returns how many grants ended.
    pub fn revoke_grant(&self, account: &str, client_id: Option<&str>) -> usize {
        let Some(index) = self.state.account_index(account) else {
            return 0;
        };
        self.state.auth.revoke_account(index, client_id, self.now())
    }

    /// Kills the account's live refresh tokens (for `client_id`, or every client) as one of
    /// Google's rules would (`Idle`, `TestingExpiry`, `TooManyTokens`, `TimeLimit`,
    /// `AdminPolicy`, ...): the next refresh answers `invalid_grant`; access tokens live on
    /// until they expire. Returns how many died.
    pub fn expire_refresh_tokens(
        &self,
        account: &str,
        client_id: Option<&str>,
        cause: RefreshDeath,
    ) -> usize {
        let Some(index) = self.state.account_index(account) else {
            return 0;
        };
        self.state
            .auth
            .expire_refresh_tokens(index, client_id, cause, self.now())
    }

    /// "The user removed one scope" in their account settings, without revoking: later
    /// tokens and refreshes carry the other scopes. Returns whether a grant changed.
    pub fn remove_scope(&self, account: &str, client_id: Option<&str>, scope: &str) -> bool {
        let Some(index) = self.state.account_index(account) else {
            return false;
        };
        self.state.auth.remove_scope(index, client_id, scope)
    }

    /// The quota of `client_id`'s project today.
    pub fn quota_usage(&self, client_id: &str) -> QuotaUsage {
        self.state.quota.usage(client_id, self.now())
    }

    /// Sets what a bucket of `client_id`'s project has spent today (e.g. just under the limit).
    pub fn set_quota_used(&self, client_id: &str, bucket: QuotaBucket, units: u64) {
        self.state
            .quota
            .set_used(client_id, bucket, units, self.now());
    }

    /// Stops the server and waits for it to finish.
    pub async fn stop(mut self) {
        self.server.stop(false).await;
        let Some(task) = self.task.take() else {
            return;
        };
        match task.await {
            Ok(Ok(())) => {}
            Ok(Err(error)) => tracing::warn!(%error, "sandbox server stopped with an error"),
            Err(error) => tracing::warn!(%error, "sandbox server task failed"),
        }
    }
}

impl Drop for SandboxHandle {
    fn drop(&mut self) {
        if self.task.is_some() {
            // The stop command is sent at once; nobody waits for it here.
            drop(self.server.stop(false));
        }
    }
}

impl SandboxState {
    pub(crate) fn grants(&self) -> Vec<GrantSummary> {
        self.auth.grants(self.clock.now(), |index| {
            self.catalog.accounts[index].spec.email.clone()
        })
    }
}

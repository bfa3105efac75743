//! Starting, driving and stopping a sandbox.

use std::collections::BTreeMap;
use std::net::{IpAddr, Ipv4Addr, SocketAddr, TcpListener};
use std::sync::Arc;
use std::time::Duration;

use actix_web::dev::ServerHandle;
use actix_web::{App, HttpServer, web};
use chrono::{DateTime, Utc};
use url::Url;

use crate::accounts::Catalog;
use crate::clock::SandboxClock;
use crate::config::{SandboxConfig, SignedUserId};
use crate::endpoint::Endpoint;
use crate::error::SandboxError;
use crate::fault::{ActiveFault, Fault};
use crate::grants::{AuthStore, GrantEnd, GrantSummary, TokenPolicy};
use crate::rate_limit::RateLimiter;
use crate::routes;
use crate::signed::{CallbackDelivery, CallbackKind, CallbackSender};
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
                short_lifetime: config.short_token_lifetime,
                long_lifetime: config.long_token_lifetime,
                refresh_min_age: config.refresh_min_age,
                refresh_issues_new_token: config.refresh_issues_new_token,
                old_token_survives_refresh: config.old_token_survives_refresh,
                early_refresh_error: config.early_refresh_error,
            }),
            limits: RateLimiter::new(config.call_budget, 200 * config.accounts.len() as u64),
            faults: Default::default(),
            calls: CallCounter::default(),
            callbacks: CallbackSender::new(),
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
        tracing::info!(%base_url, accounts = state.catalog.accounts.len(), "Instagram sandbox listening");
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
    /// The sandbox's root URL, e.g. `http://127.0.0.1:41234/`.
    pub fn base_url(&self) -> Url {
        self.base_url.clone()
    }

    fn join(&self, prefix: &str) -> Url {
        self.base_url
            .join(prefix)
            .unwrap_or_else(|_| self.base_url.clone())
    }

    /// Stands in for `https://www.instagram.com/`: `<base>/www/` (`oauth/authorize` below it).
    pub fn authorize_base_url(&self) -> Url {
        self.join("www/")
    }

    /// Stands in for `https://api.instagram.com/`: `<base>/api/` (`oauth/access_token`).
    pub fn api_base_url(&self) -> Url {
        self.join("api/")
    }

    /// Stands in for `https://graph.instagram.com/`: `<base>/graph/`.
    pub fn graph_base_url(&self) -> Url {
        self.join("graph/")
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

    /// Moves the clock forward: codes and tokens expire, insights grow, stories expire,
    /// rate-limit windows slide. Returns the new time.
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

    /// Every account as of now (the personal one included).
    pub fn accounts(&self) -> Vec<AccountSummary> {
        let now = self.now();
        self.state
            .catalog
            .accounts
            .iter()
            .map(|account| account.summary(self.state.catalog.start, now))
            .collect()
    }

    /// One account (by Instagram user id, app-scoped id or username) with its media.
    pub fn account(&self, id_or_username: &str) -> Option<AccountDetails> {
        let index = self.state.account_index(id_or_username)?;
        Some(self.state.catalog.accounts[index].details(self.state.catalog.start, self.now()))
    }

    /// Every grant (consent), with how many of its tokens are alive.
    pub fn grants(&self) -> Vec<GrantSummary> {
        self.state.grants()
    }

    /// "The user removed the app" for `app_id`, or for every app when `None`: the account's
    /// grants end (their tokens answer 190/458) and each app with a deauthorize URL is sent a
    /// signed request (broken on purpose when `tampered`). Returns the deliveries, awaited.
    pub async fn remove_app(
        &self,
        account: &str,
        app_id: Option<&str>,
        tampered: bool,
    ) -> Vec<CallbackDelivery> {
        self.state.remove_app(account, app_id, tampered).await
    }

    /// "The user asked for their data to be deleted": each app (or `app_id`) with a deletion
    /// URL is sent a signed request, whose reply must be `{url, confirmation_code}`. Returns
    /// the deliveries, awaited.
    pub async fn request_deletion(
        &self,
        account: &str,
        app_id: Option<&str>,
        tampered: bool,
    ) -> Vec<CallbackDelivery> {
        self.state.request_deletion(account, app_id, tampered).await
    }

    /// "The user changed their password": every token of the account answers 190/460.
    /// Returns the apps whose grants ended.
    pub fn change_password(&self, account: &str) -> Vec<String> {
        let Some(index) = self.state.account_index(account) else {
            return Vec::new();
        };
        self.state
            .auth
            .end_grants(index, None, GrantEnd::PasswordChanged, self.now())
    }

    /// Throttles an (app, account) pair for `minutes` of sandbox time, as an exhausted budget
    /// would; calls answer the configured throttle error until the clock passes it.
    pub fn throttle(&self, app_id: &str, account: &str, minutes: u64) -> bool {
        let Some(index) = self.state.account_index(account) else {
            return false;
        };
        self.state
            .limits
            .throttle(app_id, index, minutes, self.now());
        true
    }

    /// Every callback sent (or tried), oldest first.
    pub fn callback_deliveries(&self) -> Vec<CallbackDelivery> {
        self.state.callbacks.deliveries()
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
    /// The index of the account with this Instagram user id, app-scoped id or username.
    pub(crate) fn account_index(&self, id_or_username: &str) -> Option<usize> {
        self.catalog.accounts.iter().position(|account| {
            account.ig_user_id == id_or_username
                || account.app_scoped_id == id_or_username
                || account.spec.username == id_or_username
        })
    }

    pub(crate) fn grants(&self) -> Vec<GrantSummary> {
        self.auth.grants(self.clock.now(), |index| {
            self.catalog.accounts[index].ig_user_id.clone()
        })
    }

    fn signed_user_id(&self, index: usize) -> String {
        let account = &self.catalog.accounts[index];
        match self.config.signed_user_id {
            SignedUserId::AppScoped => account.app_scoped_id.clone(),
            SignedUserId::InstagramUserId => account.ig_user_id.clone(),
        }
    }

    pub(crate) async fn remove_app(
        &self,
        account: &str,
        app_id: Option<&str>,
        tampered: bool,
    ) -> Vec<CallbackDelivery> {
        let Some(index) = self.account_index(account) else {
            return Vec::new();
        };
        let now = self.clock.now();
        let apps = self
            .auth
            .end_grants(index, app_id, GrantEnd::AppRemoved, now);
        let mut deliveries = Vec::new();
        for app in apps.iter().filter_map(|app_id| self.app(app_id)) {
            if let Some(url) = &app.deauthorize_url {
                let user_id = self.signed_user_id(index);
                deliveries.push(
                    self.callbacks
                        .send(
                            CallbackKind::Deauthorize,
                            &app.app_id,
                            &app.app_secret,
                            &user_id,
                            url,
                            now,
                            tampered,
                        )
                        .await,
                );
            }
        }
        deliveries
    }

    pub(crate) async fn request_deletion(
        &self,
        account: &str,
        app_id: Option<&str>,
        tampered: bool,
    ) -> Vec<CallbackDelivery> {
        let Some(index) = self.account_index(account) else {
            return Vec::new();
        };
        let now = self.clock.now();
        let mut deliveries = Vec::new();
        let apps = self
            .config
            .apps
            .iter()
            .filter(|app| app_id.is_none_or(|wanted| wanted == app.app_id));
        for app in apps {
            if let Some(url) = &app.deletion_url {
                let user_id = self.signed_user_id(index);
                deliveries.push(
                    self.callbacks
                        .send(
                            CallbackKind::DataDeletion,
                            &app.app_id,
                            &app.app_secret,
                            &user_id,
                            url,
                            now,
                            tampered,
                        )
                        .await,
                );
            }
        }
        deliveries
    }
}

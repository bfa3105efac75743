//! Starting, driving and stopping a sandbox.

use std::collections::BTreeMap;
use std::net::{IpAddr, Ipv4Addr, SocketAddr, TcpListener};
use std::sync::Arc;
use std::time::Duration;

use actix_web::dev::ServerHandle;
use actix_web::{App, HttpServer, web};
use chrono::{DateTime, Utc};
use url::Url;

use crate::clock::SandboxClock;
use crate::config::SandboxConfig;
use crate::data::{Catalog, CreatorDetails, CreatorSummary};
use crate::endpoint::Endpoint;
use crate::error::SandboxError;
use crate::fault::{ActiveFault, Fault};
use crate::grants::{AuthStore, Revocation, TokenPolicy};
use crate::rate_limit::RateLimiter;
use crate::routes;
use crate::state::{CallCounter, SandboxState};
use crate::webhook::{RemovalReason, WebhookDelivery, WebhookSender};

/// Entry point: `Sandbox::start(config).await`.
#[derive(Debug)]
pub struct Sandbox;

impl Sandbox {
    /// Binds the configured address, generates the creators and serves the sandbox on the
    /// caller's tokio runtime. Returns once the socket is listening.
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
            Some(url) => url.clone(),
            None => base_url_for(local_addr)?,
        };
        let clock = if config.frozen_clock {
            SandboxClock::frozen(config.initial_time)
        } else {
            SandboxClock::ticking(config.initial_time)
        };
        let catalog = Catalog::generate(
            config.seed,
            config.creator_count,
            &config.videos_per_creator,
            config.initial_time,
        );
        let state = Arc::new(SandboxState {
            auth: AuthStore::new(TokenPolicy {
                access_lifetime: config.access_token_lifetime,
                refresh_lifetime: config.refresh_token_lifetime,
                rotate_refresh_tokens: config.rotate_refresh_tokens,
            }),
            limits: RateLimiter::new(config.rate_limit_per_minute, config.daily_quota),
            faults: Default::default(),
            calls: CallCounter::default(),
            webhooks: WebhookSender::new(config.webhook_url.clone(), config.webhook_retry),
            base_url: base_url.clone(),
            clock,
            catalog,
            config,
        });

        let data = web::Data::from(Arc::clone(&state));
        let server = HttpServer::new(move || {
            App::new()
                // The consent page is a login-like form: never framed (clickjacking), and
                // nothing is read as another type than it says.
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
        tracing::info!(%base_url, creators = state.catalog.creators.len(), "TikTok sandbox listening");
        Ok(SandboxHandle {
            state,
            local_addr,
            base_url,
            server: server_handle,
            task: Some(task),
        })
    }
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
    /// The base URL of both the authorize page and the API, e.g. `http://127.0.0.1:41234/`:
    /// join `v2/auth/authorize/`, `v2/oauth/token/`, ... to it.
    pub fn base_url(&self) -> Url {
        self.base_url.clone()
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

    /// Moves the sandbox clock forward (expires codes and tokens, moves metric days).
    pub fn advance_clock(&self, by: Duration) -> DateTime<Utc> {
        self.state.clock.advance(by)
    }

    /// Sets a fault on an endpoint until cleared (replaces that endpoint's fault).
    pub fn set_fault(&self, endpoint: Endpoint, fault: Fault) {
        self.state.faults.set(endpoint, fault, None);
    }

    /// Sets a fault for the next `calls` calls it applies to; then it clears itself.
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

    /// Lets every call a [`Fault::Held`] holds go on (answered normally).
    pub fn release_held_calls(&self) {
        self.state.faults.release_held();
    }

    /// How many calls a [`Fault::Held`] holds now.
    pub fn held_calls(&self) -> usize {
        self.state.faults.held()
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

    /// Starts recording when each call arrives (`true`, forgetting earlier times), or stops
    /// and forgets them (`false`). Off by default: the list grows by one entry per call.
    pub fn record_call_times(&self, on: bool) {
        self.state.calls.record_times(on);
    }

    /// When each call to `endpoint` arrived since [`Self::record_call_times`] was switched
    /// on, in arrival order (empty when it is off). For measuring a client's pacing.
    pub fn call_times(&self, endpoint: Endpoint) -> Vec<std::time::Instant> {
        self.state.calls.times_of(endpoint)
    }

    /// Every creator as of the sandbox's current day.
    pub fn creators(&self) -> Vec<CreatorSummary> {
        let (day, urls) = (self.state.clock.day(), self.state.urls());
        self.state
            .catalog
            .creators
            .iter()
            .map(|creator| creator.summary(day, self.state.catalog.anchor_day, &urls))
            .collect()
    }

    /// One creator with all current videos (newest first), as of the current day.
    pub fn creator(&self, open_id: &str) -> Option<CreatorDetails> {
        let creator = self.state.catalog.creator(open_id)?;
        Some(creator.details(
            self.state.clock.day(),
            self.state.catalog.anchor_day,
            &self.state.urls(),
        ))
    }

    /// Every revocation so far, oldest first.
    pub fn revoked_grants(&self) -> Vec<Revocation> {
        self.state.auth.revocations()
    }

    /// Removes every live grant of a creator on "TikTok's side" (the creator disconnects the
    /// app, the account is deleted or banned, ...): their tokens die at once and, when a
    /// webhook URL is configured, each app is sent a signed `authorization.removed` event
    /// (awaited, retried as [`crate::WebhookRetry`] says). Returns the revocations made.
    pub async fn remove_authorization(
        &self,
        open_id: &str,
        reason: RemovalReason,
    ) -> Vec<Revocation> {
        let revocations = self
            .state
            .auth
            .revoke_creator(open_id, self.state.clock.now());
        for revocation in &revocations {
            self.state.notify_removed(revocation, reason).await;
        }
        revocations
    }

    /// Every webhook the sandbox sent (or tried to), oldest first.
    pub fn webhook_deliveries(&self) -> Vec<WebhookDelivery> {
        self.state.webhooks.deliveries()
    }

    /// How many grants were revoked.
    pub fn revocation_count(&self) -> usize {
        self.state.auth.revocations().len()
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

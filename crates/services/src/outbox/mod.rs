//! Delivering the outbox to the host product (`HOST_WEBHOOK_URL`): signed POSTs, at least
//! once, in order per connection, with exponential backoff until the event's retry window is
//! spent.
//!
//! Every process that runs a [`Deliverer`] (api-server, sync-worker) may deliver; storage's
//! claim hands each event to one of them at a time and only the oldest undelivered event of
//! a connection. Delivery runs in its own task, so a slow or dead receiver never holds up a
//! sync or a request: those only write a row.

use std::future::Future;
use std::sync::Arc;
use std::time::Duration;

use chrono::{DateTime, TimeDelta, Utc};
use futures::StreamExt as _;
use secrecy::ExposeSecret;
use storage::{Database, OutboundEvent, StorageError};
use tracing::{debug, info, warn};

use crate::Services;
use crate::clock::Clock;
use crate::observer::ServiceObserver;

mod config;
mod signing;

pub use config::HostWebhookConfig;
pub use signing::{EVENT_ID_HEADER, SIGNATURE_HEADER, envelope, event_id, sign};

/// What one pass over the outbox did.
#[derive(Debug, Default, Clone, Copy, PartialEq, Eq)]
pub struct DeliveryReport {
    /// Events the host acknowledged.
    pub delivered: u32,
    /// Failed attempts that will be retried.
    pub failed: u32,
    /// Events whose retry window is spent: left undelivered, not tried again.
    pub gave_up: u32,
}

/// The HTTP client could not be built.
#[derive(Debug, thiserror::Error)]
#[error("the host webhook client could not be built: {0}")]
pub struct DelivererError(String);

/// Delivers the outbox to the host product.
#[derive(Clone)]
pub struct Deliverer {
    db: Database,
    http: reqwest::Client,
    config: HostWebhookConfig,
    clock: Arc<dyn Clock>,
    observer: Arc<dyn ServiceObserver>,
    wake: Arc<tokio::sync::Notify>,
}

impl std::fmt::Debug for Deliverer {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Deliverer")
            .field("config", &self.config)
            .finish_non_exhaustive()
    }
}

/// At most this many claims per pass, so a flood of events cannot keep a pass going forever.
const MAX_CLAIMS_PER_PASS: usize = 1000;

impl Deliverer {
    /// A deliverer sharing `services`' database, clock and observer, woken whenever they
    /// queue a notification.
    pub fn new(services: &Services, config: HostWebhookConfig) -> Result<Self, DelivererError> {
        let http = reqwest::Client::builder()
            .timeout(config.timeout)
            // A receiver that redirects has not acknowledged anything.
            .redirect(reqwest::redirect::Policy::none())
            .build()
            .map_err(|error| DelivererError(error.without_url().to_string()))?;
        Ok(Self {
            db: services.inner.db.clone(),
            http,
            config,
            clock: Arc::clone(&services.inner.clock),
            observer: Arc::clone(&services.inner.observer),
            wake: services.outbox_signal(),
        })
    }

    /// Delivers every event due now: each connection's oldest pending event, again and again
    /// until none is due (a failed one waits for its backoff).
    pub async fn deliver_due(&self) -> Result<DeliveryReport, StorageError> {
        let mut report = DeliveryReport::default();
        // One claim is one wave of sends, all at once, so every event of it is sent before
        // its claim can lapse (the send's timeout, plus time to record the result); a larger
        // claim, sent a wave at a time, could lapse for its last events while they wait,
        // and another process would send them too.
        let claim_for = self.config.timeout + Duration::from_secs(30);
        let concurrency = self.config.concurrency.max(1);
        let batch = i64::try_from(concurrency).unwrap_or(i64::MAX);
        for _ in 0..MAX_CLAIMS_PER_PASS {
            let events = self
                .db
                .claim_outbound_events(self.clock.now(), claim_for, batch)
                .await?;
            if events.is_empty() {
                break;
            }
            let results: Vec<Result<Attempt, StorageError>> = futures::stream::iter(events)
                .map(|event| self.deliver(event))
                .buffer_unordered(concurrency)
                .collect()
                .await;
            for result in results {
                match result? {
                    Attempt::Delivered => report.delivered += 1,
                    Attempt::Failed => report.failed += 1,
                    Attempt::GaveUp => report.gave_up += 1,
                }
            }
        }
        Ok(report)
    }

    /// Delivers until `stop` completes: at once when a change signals a new event, and every
    /// poll interval otherwise (events of other processes, retries that became due).
    pub async fn run_until(self, stop: impl Future<Output = ()>) {
        info!(host = %self.config.url.origin().ascii_serialization(), "host webhook delivery started");
        tokio::pin!(stop);
        loop {
            // A stop does not wait for a pass to end: an attempt cut short leaves its event
            // claimed until the claim lapses, then any process sends it (at least once).
            let passed = tokio::select! {
                () = &mut stop => break,
                passed = self.deliver_due() => passed,
            };
            let pause = match passed {
                Ok(report) => {
                    if report != DeliveryReport::default() {
                        debug!(?report, "outbox pass");
                    }
                    // A failed event may be due again before the next poll.
                    if report.failed > 0 {
                        self.config.poll_interval.min(self.config.first_retry)
                    } else {
                        self.config.poll_interval
                    }
                }
                Err(error) => {
                    warn!(%error, "outbox pass failed; trying again later");
                    self.config.poll_interval
                }
            };
            tokio::select! {
                () = &mut stop => break,
                () = self.wake.notified() => {}
                () = tokio::time::sleep(pause) => {}
            }
        }
        info!("host webhook delivery stopped");
    }

    /// One attempt at one event, its result recorded.
    async fn deliver(&self, event: OutboundEvent) -> Result<Attempt, StorageError> {
        let body = envelope(&event).to_string();
        let signature = sign(
            self.config.secret.expose_secret().as_bytes(),
            Utc::now().timestamp(),
            body.as_bytes(),
        );
        let sent = self
            .http
            .post(self.config.url.clone())
            .header(reqwest::header::CONTENT_TYPE, "application/json")
            .header(SIGNATURE_HEADER, signature)
            .header(EVENT_ID_HEADER, event_id(event.id))
            .body(body)
            .send()
            .await;
        let failure = match sent {
            Ok(response) if response.status().is_success() => None,
            Ok(response) => Some(format!(
                "the host answered HTTP {}",
                response.status().as_u16()
            )),
            // The URL may carry a credential in its query: never in an error or a log.
            Err(error) => Some(describe(&error.without_url())),
        };
        let now = self.clock.now();
        let Some(failure) = failure else {
            self.db.mark_outbound_delivered(event.id, now).await?;
            self.observer.host_delivery("delivered");
            debug!(event_id = event.id, event = %event.event, "host notification delivered");
            return Ok(Attempt::Delivered);
        };
        let failed = u32::try_from(event.attempts)
            .unwrap_or(u32::MAX)
            .saturating_add(1);
        let next = now + delta(self.config.backoff(failed));
        if next > event.created_at + delta(self.config.max_age) {
            warn!(event_id = event.id, event = %event.event, attempts = failed, %failure, "host notification given up: its retry window is spent");
            self.db
                .mark_outbound_gave_up(event.id, &failure, now)
                .await?;
            self.observer.host_delivery("gave_up");
            return Ok(Attempt::GaveUp);
        }
        info!(event_id = event.id, event = %event.event, attempts = failed, %failure, retry_at = %next, "host notification not delivered; will retry");
        self.db
            .mark_outbound_failed(event.id, &failure, round_up(next))
            .await?;
        self.observer.host_delivery("failed");
        Ok(Attempt::Failed)
    }
}

enum Attempt {
    Delivered,
    Failed,
    GaveUp,
}

fn describe(error: &reqwest::Error) -> String {
    if error.is_timeout() {
        "the host did not answer in time".into()
    } else if error.is_connect() {
        "the host could not be reached".into()
    } else {
        format!("the request failed: {error}")
    }
}

fn delta(duration: Duration) -> TimeDelta {
    TimeDelta::from_std(duration).unwrap_or(TimeDelta::MAX)
}

/// Storage keeps whole seconds: round a retry time up so it is never earlier than asked.
fn round_up(time: DateTime<Utc>) -> DateTime<Utc> {
    if time.timestamp_subsec_nanos() == 0 {
        time
    } else {
        DateTime::from_timestamp(time.timestamp().saturating_add(1), 0).unwrap_or(time)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn retry_times_round_up_to_whole_seconds() {
        let time = DateTime::from_timestamp(100, 1).unwrap();
        assert_eq!(round_up(time).timestamp(), 101);
        let whole = DateTime::from_timestamp(100, 0).unwrap();
        assert_eq!(round_up(whole), whole);
    }
}

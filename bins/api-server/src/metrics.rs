//! Prometheus metrics, served in text format at `GET /metrics`.
//!
//! [`Metrics`] is cheap to clone (the collectors are shared handles), so the services wiring
//! can hold a copy and record sync runs, TikTok calls, quota and token refreshes. Labels are
//! bounded sets: route *patterns* (never raw paths), outcomes, endpoints, status codes.

use std::time::Duration;

use prometheus::{
    Encoder as _, HistogramOpts, HistogramVec, IntCounterVec, IntGaugeVec, Opts, Registry,
    TextEncoder,
};

/// Label used for requests that matched no route, so unknown paths cannot grow the series set.
pub const UNMATCHED_ROUTE: &str = "unmatched";

/// Registering or encoding metrics failed.
#[derive(Debug, thiserror::Error)]
#[error("metrics: {0}")]
pub struct MetricsError(#[from] prometheus::Error);

/// The service's metrics and their registry.
#[derive(Clone)]
pub struct Metrics {
    registry: Registry,
    http_requests: IntCounterVec,
    http_duration: HistogramVec,
    sync_runs: IntCounterVec,
    platform_calls: IntCounterVec,
    quota_left: IntGaugeVec,
    token_refreshes: IntCounterVec,
    revocations: IntCounterVec,
    webhooks_received: IntCounterVec,
    webhooks_refused: IntCounterVec,
    host_deliveries: IntCounterVec,
}

impl std::fmt::Debug for Metrics {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Metrics").finish_non_exhaustive()
    }
}

impl Metrics {
    /// Creates the collectors in a fresh registry.
    ///
    /// # Errors
    /// [`MetricsError`] if a collector is invalid or registered twice (a bug).
    pub fn new() -> Result<Self, MetricsError> {
        let registry = Registry::new();
        let http_requests = IntCounterVec::new(
            Opts::new(
                "http_requests_total",
                "HTTP requests by route pattern, method and status",
            ),
            &["route", "method", "status"],
        )?;
        let http_duration = HistogramVec::new(
            HistogramOpts::new(
                "http_request_duration_seconds",
                "HTTP request latency by route pattern and method",
            ),
            &["route", "method"],
        )?;
        let sync_runs = IntCounterVec::new(
            Opts::new("sync_runs_total", "Account syncs by outcome"),
            &["outcome"],
        )?;
        let platform_calls = IntCounterVec::new(
            Opts::new(
                "platform_api_calls_total",
                "Platform API calls by platform, endpoint and HTTP status",
            ),
            &["platform", "endpoint", "status"],
        )?;
        let quota_left = IntGaugeVec::new(
            Opts::new(
                "platform_quota_remaining",
                "Platform API calls (or units) left in the current window, by platform",
            ),
            &["platform", "window"],
        )?;
        let token_refreshes = IntCounterVec::new(
            Opts::new("token_refreshes_total", "Token refreshes by outcome"),
            &["outcome"],
        )?;
        let revocations = IntCounterVec::new(
            Opts::new(
                "revocations_total",
                "Revocations at the platform on disconnect, by outcome",
            ),
            &["outcome"],
        )?;
        let webhooks_received = IntCounterVec::new(
            Opts::new(
                "webhooks_received_total",
                "Verified platform webhooks by event and what handling did",
            ),
            &["event", "outcome"],
        )?;
        let webhooks_refused = IntCounterVec::new(
            Opts::new(
                "webhooks_refused_total",
                "Platform webhooks refused, by reason (bad signature, stale timestamp, ...)",
            ),
            &["reason"],
        )?;
        let host_deliveries = IntCounterVec::new(
            Opts::new(
                "host_webhook_deliveries_total",
                "Attempts to deliver host notifications, by result (delivered, failed, gave_up)",
            ),
            &["result"],
        )?;
        registry.register(Box::new(webhooks_received.clone()))?;
        registry.register(Box::new(webhooks_refused.clone()))?;
        registry.register(Box::new(host_deliveries.clone()))?;
        registry.register(Box::new(http_requests.clone()))?;
        registry.register(Box::new(revocations.clone()))?;
        registry.register(Box::new(http_duration.clone()))?;
        registry.register(Box::new(sync_runs.clone()))?;
        registry.register(Box::new(platform_calls.clone()))?;
        registry.register(Box::new(quota_left.clone()))?;
        registry.register(Box::new(token_refreshes.clone()))?;
        Ok(Self {
            registry,
            http_requests,
            http_duration,
            sync_runs,
            platform_calls,
            quota_left,
            token_refreshes,
            revocations,
            webhooks_received,
            webhooks_refused,
            host_deliveries,
        })
    }

    /// Counts one HTTP request (called by the request middleware).
    pub fn record_http_request(&self, route: &str, method: &str, status: u16, latency: Duration) {
        self.http_requests
            .with_label_values(&[route, method, &status.to_string()])
            .inc();
        self.http_duration
            .with_label_values(&[route, method])
            .observe(latency.as_secs_f64());
    }

    /// Counts one sync run by outcome (`success`, `partial`, `failed`, `rate_limited`,
    /// `needs_reauth`).
    pub fn record_sync_run(&self, outcome: &str) {
        self.sync_runs.with_label_values(&[outcome]).inc();
    }

    /// Counts one platform call by platform, endpoint (e.g. `user_info`, `video_list`,
    /// `token`) and HTTP status (0 when no response arrived).
    pub fn record_platform_call(&self, platform: &str, endpoint: &str, status: u16) {
        self.platform_calls
            .with_label_values(&[platform, endpoint, &status.to_string()])
            .inc();
    }

    /// Sets the calls left in one of `platform`'s quota windows (e.g. `minute:video_list`,
    /// `day`).
    pub fn set_quota_left(&self, platform: &str, window: &str, left: i64) {
        self.quota_left
            .with_label_values(&[platform, window])
            .set(left);
    }

    /// Counts one token refresh by outcome (`success`, `rejected`, `transient_failure`).
    pub fn record_token_refresh(&self, outcome: &str) {
        self.token_refreshes.with_label_values(&[outcome]).inc();
    }

    /// Counts one revocation at the platform on disconnect by outcome (`revoked`, `failed`,
    /// `not_supported`).
    pub fn record_revocation(&self, outcome: &str) {
        self.revocations.with_label_values(&[outcome]).inc();
    }

    /// Counts one verified webhook by event and outcome (`disconnected`, `unknown_account`,
    /// `ignored`, `duplicate`).
    pub fn record_webhook(&self, event: &str, outcome: &str) {
        self.webhooks_received
            .with_label_values(&[event, outcome])
            .inc();
    }

    /// Counts one refused webhook by reason (`bad_signature`, `stale_timestamp`, ...).
    pub fn record_webhook_refused(&self, reason: &str) {
        self.webhooks_refused.with_label_values(&[reason]).inc();
    }

    /// Counts one delivery attempt of a host notification by result.
    pub fn record_host_delivery(&self, result: &str) {
        self.host_deliveries.with_label_values(&[result]).inc();
    }

    /// The registry, to add collectors of other components.
    pub fn registry(&self) -> &Registry {
        &self.registry
    }

    /// Every metric in Prometheus' text exposition format.
    ///
    /// # Errors
    /// [`MetricsError`] if encoding fails.
    pub fn render(&self) -> Result<String, MetricsError> {
        let mut buffer = Vec::new();
        TextEncoder::new().encode(&self.registry.gather(), &mut buffer)?;
        String::from_utf8(buffer).map_err(|error| {
            MetricsError(prometheus::Error::Msg(format!("non-UTF-8 output: {error}")))
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn renders_every_family_once_used() {
        let metrics = Metrics::new().expect("metrics");
        metrics.record_http_request("/healthz", "GET", 200, Duration::from_millis(3));
        metrics.record_sync_run("success");
        metrics.record_platform_call("tiktok", "video_list", 200);
        metrics.set_quota_left("tiktok", "day", 997);
        metrics.record_token_refresh("rejected");
        metrics.record_token_refresh("rejected");
        let text = metrics.render().expect("render");
        assert!(
            text.contains(r#"http_requests_total{method="GET",route="/healthz",status="200"} 1"#)
        );
        assert!(text.contains("http_request_duration_seconds_bucket"));
        assert!(text.contains(r#"sync_runs_total{outcome="success"} 1"#));
        assert!(text.contains(
            r#"platform_api_calls_total{endpoint="video_list",platform="tiktok",status="200"} 1"#
        ));
        assert!(text.contains(r#"platform_quota_remaining{platform="tiktok",window="day"} 997"#));
        assert!(text.contains(r#"token_refreshes_total{outcome="rejected"} 2"#));
    }
}

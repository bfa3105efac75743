//! How notifications reach the host product: where, signed with what, retried how.

use std::time::Duration;

use secrecy::SecretString;
use url::Url;

/// How notifications reach the host product.
#[derive(Clone)]
pub struct HostWebhookConfig {
    /// Where to POST (`HOST_WEBHOOK_URL`).
    pub url: Url,
    /// The signing key (`HOST_WEBHOOK_SECRET`).
    pub secret: SecretString,
    /// How long after its creation an event is still tried (`HOST_WEBHOOK_MAX_AGE_SECS`).
    pub max_age: Duration,
    /// The pause after the first failed attempt, doubled after each further one
    /// (`HOST_WEBHOOK_FIRST_RETRY_SECS`).
    pub first_retry: Duration,
    /// The longest pause between two attempts (`HOST_WEBHOOK_MAX_RETRY_SECS`).
    pub max_retry: Duration,
    /// How long one attempt may take (`HOST_WEBHOOK_TIMEOUT_SECS`).
    pub timeout: Duration,
    /// How often the outbox is looked at when nothing signals new events.
    pub poll_interval: Duration,
    /// Events delivered at once (each to a different connection).
    pub concurrency: usize,
}

impl HostWebhookConfig {
    /// Defaults: tried for 72 hours (TikTok's own retry window), first retry after 10 s,
    /// pauses up to an hour, 10 s per attempt, a look every 5 s, 8 at once.
    pub fn new(url: Url, secret: SecretString) -> Self {
        Self {
            url,
            secret,
            max_age: Duration::from_secs(72 * 3600),
            first_retry: Duration::from_secs(10),
            max_retry: Duration::from_secs(3600),
            timeout: Duration::from_secs(10),
            poll_interval: Duration::from_secs(5),
            concurrency: 8,
        }
    }

    /// The pause before the next attempt after `failed` failed attempts (counting the one
    /// that just failed): `first_retry * 2^(failed - 1)`, at most `max_retry`.
    pub fn backoff(&self, failed: u32) -> Duration {
        let doublings = failed.saturating_sub(1).min(30);
        self.first_retry
            .saturating_mul(1 << doublings)
            .min(self.max_retry)
    }
}

impl std::fmt::Debug for HostWebhookConfig {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("HostWebhookConfig")
            .field("url", &self.url.origin().ascii_serialization())
            .field("secret", &"[redacted]")
            .field("max_age", &self.max_age)
            .field("first_retry", &self.first_retry)
            .field("max_retry", &self.max_retry)
            .field("timeout", &self.timeout)
            .finish_non_exhaustive()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn backoff_doubles_up_to_the_cap() {
        let mut config = HostWebhookConfig::new(
            Url::parse("http://host.test/hook").unwrap(),
            SecretString::from("s"),
        );
        config.first_retry = Duration::from_secs(10);
        config.max_retry = Duration::from_secs(60);
        let pauses: Vec<u64> = (1..=5).map(|n| config.backoff(n).as_secs()).collect();
        assert_eq!(pauses, [10, 20, 40, 60, 60]);
        assert_eq!(config.backoff(u32::MAX).as_secs(), 60);
    }

    #[test]
    fn the_config_debug_hides_the_secret_and_the_path() {
        let config = HostWebhookConfig::new(
            Url::parse("https://host.test/hook?token=abc").unwrap(),
            SecretString::from("very-secret"),
        );
        let shown = format!("{config:?}");
        assert!(
            !shown.contains("very-secret") && !shown.contains("abc"),
            "{shown}"
        );
    }
}

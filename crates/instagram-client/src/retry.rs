//! Which failures are retried, and after how long.

use std::time::Duration;

use rand::Rng as _;

use crate::{ErrorClass, InstagramError, RetryPolicy};

/// Whether an endpoint may be re-sent after Instagram may have acted on it.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum RetrySafety {
    /// Reads and the long-lived exchange: repeating is harmless.
    Idempotent,
    /// The code exchange (a code is single-use) and the refresh (the old token may die):
    /// re-sent only when Instagram certainly did not act (a failure to connect, a 429, a
    /// 5xx), never after a timeout.
    NotIdempotent,
}

/// The wait before retry number `attempt` (1-based) of a call that failed with `error`, or
/// `None` when the error is returned instead.
pub(crate) fn retry_delay(
    policy: &RetryPolicy,
    safety: RetrySafety,
    error: &InstagramError,
    attempt: u32,
) -> Option<Duration> {
    if attempt > policy.max_retries || matches!(error, InstagramError::CallRejected { .. }) {
        return None;
    }
    if safety == RetrySafety::NotIdempotent {
        let not_processed = match error {
            InstagramError::Transport { connect, .. } => *connect,
            _ => error
                .http_status()
                .is_some_and(|status| status == 429 || (500..=599).contains(&status)),
        };
        if !not_processed {
            return None;
        }
    }
    match error.class() {
        ErrorClass::Transient => Some(jittered_backoff(policy, attempt)),
        // Meta said how long: wait that long (plus a little, so clients told the same thing
        // spread out), unless it is longer than we block for; then the caller pauses.
        ErrorClass::Throttled {
            retry_after: Some(wait),
        } if wait <= policy.max_throttle_wait => Some(with_spread(wait)),
        _ => None,
    }
}

fn with_spread(wait: Duration) -> Duration {
    let spread = wait / 10;
    if spread.is_zero() {
        return wait;
    }
    wait + rand::thread_rng().gen_range(Duration::ZERO..=spread)
}

/// `initial_backoff * 2^(attempt-1)`, capped, then drawn uniformly from its upper half so
/// concurrent clients spread out.
fn jittered_backoff(policy: &RetryPolicy, attempt: u32) -> Duration {
    let exponent = attempt.saturating_sub(1).min(31);
    let base = policy
        .initial_backoff
        .saturating_mul(1u32 << exponent)
        .min(policy.max_backoff);
    let half = base / 2;
    if half.is_zero() {
        return base;
    }
    rand::thread_rng().gen_range(half..=base)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::error::GraphErrorBody;
    use crate::{Endpoint, Usage};

    fn policy() -> RetryPolicy {
        RetryPolicy {
            max_retries: 3,
            initial_backoff: Duration::from_millis(100),
            max_backoff: Duration::from_millis(300),
            max_throttle_wait: Duration::from_secs(120),
        }
    }

    fn graph(code: i64, status: u16, usage: Option<Usage>) -> InstagramError {
        InstagramError::Graph {
            endpoint: Endpoint::Profile,
            http_status: status,
            error: Box::new(GraphErrorBody {
                code,
                ..GraphErrorBody::default()
            }),
            usage,
        }
    }

    #[test]
    fn backoff_grows_is_capped_and_jittered() {
        for _ in 0..50 {
            let first = jittered_backoff(&policy(), 1);
            assert!(first >= Duration::from_millis(50) && first <= Duration::from_millis(100));
        }
        assert!(jittered_backoff(&policy(), 40) <= Duration::from_millis(300));
    }

    #[test]
    fn only_transient_errors_and_short_stated_waits_are_retried() {
        assert!(retry_delay(&policy(), RetrySafety::Idempotent, &graph(2, 503, None), 1).is_some());
        assert!(retry_delay(&policy(), RetrySafety::Idempotent, &graph(2, 503, None), 4).is_none());
        assert!(
            retry_delay(
                &policy(),
                RetrySafety::Idempotent,
                &graph(100, 400, None),
                1
            )
            .is_none()
        );
        assert!(
            retry_delay(
                &policy(),
                RetrySafety::Idempotent,
                &graph(190, 400, None),
                1
            )
            .is_none()
        );
        assert!(retry_delay(&policy(), RetrySafety::Idempotent, &graph(4, 400, None), 1).is_none());
        let one_minute = Usage::from_headers(
            None,
            Some(r#"{"1":[{"estimated_time_to_regain_access":1}]}"#),
        );
        let wait = retry_delay(
            &policy(),
            RetrySafety::Idempotent,
            &graph(4, 400, one_minute),
            1,
        )
        .expect("a short stated wait is sat out");
        assert!(wait >= Duration::from_secs(60) && wait <= Duration::from_secs(66));
        let long = Usage::from_headers(
            None,
            Some(r#"{"1":[{"estimated_time_to_regain_access":30}]}"#),
        );
        assert!(retry_delay(&policy(), RetrySafety::Idempotent, &graph(4, 400, long), 1).is_none());
    }

    #[test]
    fn single_use_calls_are_retried_only_when_not_processed() {
        let flat_400 = InstagramError::TokenEndpoint {
            http_status: 400,
            error_type: None,
            code: Some(400),
            message: String::new(),
        };
        assert!(retry_delay(&policy(), RetrySafety::NotIdempotent, &flat_400, 1).is_none());
        assert!(
            retry_delay(
                &policy(),
                RetrySafety::NotIdempotent,
                &graph(2, 503, None),
                1
            )
            .is_some()
        );
        let transient_200 = graph(1, 200, None);
        assert!(retry_delay(&policy(), RetrySafety::Idempotent, &transient_200, 1).is_some());
        assert!(retry_delay(&policy(), RetrySafety::NotIdempotent, &transient_200, 1).is_none());
    }
}

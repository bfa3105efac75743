//! Exponential backoff, shared by failed syncs, failed token refreshes and `429` answers.

use std::time::Duration;

use chrono::TimeDelta;

/// The first delay after a `429` without `Retry-After` (TikTok's reference: "back off from
/// 1 s with jitter").
pub const RATE_LIMIT_BASE_DELAY: Duration = Duration::from_secs(1);

/// The longest delay after a `429` without `Retry-After`.
pub const RATE_LIMIT_MAX_DELAY: Duration = Duration::from_secs(60);

/// The delay before retry number `attempt`, where attempt 1 is the retry after the first
/// failure: `base × 2^(attempt − 1)`, capped at `max`, and never shorter than `base` (so a
/// `max` below `base` still waits `base`). Attempt 0 is treated as attempt 1.
pub fn exponential_backoff(attempt: u32, base: TimeDelta, max: TimeDelta) -> TimeDelta {
    // 2^30 is far past any cap we use; clamping the exponent keeps the shift in range.
    let exponent = attempt.saturating_sub(1).min(30);
    let factor = 1_i32 << exponent;
    let delay = base.checked_mul(factor).unwrap_or(max);
    delay.min(max).max(base)
}

/// How long to wait after TikTok answered `429` (`rate_limit_exceeded`) to attempt number
/// `attempt` of a call.
///
/// `Retry-After` is honoured when TikTok sends it. Otherwise the delay doubles from
/// [`RATE_LIMIT_BASE_DELAY`] up to [`RATE_LIMIT_MAX_DELAY`], and `jitter` (a random number in
/// `0.0..=1.0` drawn by the caller, out of range values are clamped) picks a point in its
/// upper half, so workers that were throttled together do not retry together.
pub fn rate_limited_delay(retry_after: Option<Duration>, attempt: u32, jitter: f64) -> Duration {
    if let Some(retry_after) = retry_after {
        return retry_after;
    }
    let exponent = attempt.saturating_sub(1).min(16);
    let delay = RATE_LIMIT_BASE_DELAY
        .saturating_mul(1_u32 << exponent)
        .min(RATE_LIMIT_MAX_DELAY);
    let jitter = if jitter.is_finite() {
        jitter.clamp(0.0, 1.0)
    } else {
        0.0
    };
    delay.mul_f64(0.5 + jitter / 2.0)
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn doubles_from_the_base_up_to_the_cap() {
        let base = TimeDelta::minutes(15);
        let max = TimeDelta::hours(6);
        let delays: Vec<i64> = (1..=7)
            .map(|attempt| exponential_backoff(attempt, base, max).num_minutes())
            .collect();
        assert_eq!(delays, vec![15, 30, 60, 120, 240, 360, 360]);
        assert_eq!(exponential_backoff(0, base, max), base);
        assert_eq!(exponential_backoff(u32::MAX, base, max), max);
    }

    #[test]
    fn never_below_the_base_even_with_a_smaller_cap() {
        let base = TimeDelta::minutes(15);
        assert_eq!(exponential_backoff(5, base, TimeDelta::minutes(1)), base);
    }

    #[test]
    fn retry_after_is_honoured() {
        let delay = rate_limited_delay(Some(Duration::from_secs(42)), 3, 0.9);
        assert_eq!(delay, Duration::from_secs(42));
    }

    #[test]
    fn rate_limit_backoff_without_retry_after() {
        assert_eq!(rate_limited_delay(None, 1, 1.0), Duration::from_secs(1));
        assert_eq!(rate_limited_delay(None, 1, 0.0), Duration::from_millis(500));
        assert_eq!(rate_limited_delay(None, 3, 1.0), Duration::from_secs(4));
        assert_eq!(rate_limited_delay(None, 50, 1.0), RATE_LIMIT_MAX_DELAY);
        assert_eq!(
            rate_limited_delay(None, 1, f64::NAN),
            Duration::from_millis(500)
        );
    }

    proptest! {
        #[test]
        fn backoff_is_bounded_and_monotonic(attempt in 0_u32..100, base_s in 1_i64..10_000, max_s in 1_i64..100_000) {
            let base = TimeDelta::seconds(base_s);
            let max = TimeDelta::seconds(max_s);
            let delay = exponential_backoff(attempt, base, max);
            prop_assert!(delay >= base);
            prop_assert!(delay <= max.max(base));
            prop_assert!(exponential_backoff(attempt + 1, base, max) >= delay);
        }

        #[test]
        fn rate_limit_delay_stays_in_range(attempt in 0_u32..1000, jitter in -1.0_f64..2.0) {
            let delay = rate_limited_delay(None, attempt, jitter);
            prop_assert!(delay >= RATE_LIMIT_BASE_DELAY / 2);
            prop_assert!(delay <= RATE_LIMIT_MAX_DELAY);
        }
    }
}

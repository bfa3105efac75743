//! Pacing inside the per-minute limit: calls spread evenly over the window rather than
//! bursting at its start, and enough accounts synced at once that the limit, not one
//! account's round trips, sets the pace.

use std::num::NonZeroU32;
use std::time::Duration;

use governor::Quota;

/// The window TikTok's per-endpoint limit is counted over.
const WINDOW: Duration = Duration::from_secs(60);

/// The largest burst the pacing allows, whatever the limit.
pub const MAX_BURST: u32 = 10;

/// The most accounts synced at once by one worker.
pub const MAX_CONCURRENCY: usize = 32;

/// A `governor` quota for one endpoint limited to `per_minute` calls per sliding minute.
///
/// Calls are spread evenly: 600 a minute gives one call every ~102 ms, with a small burst
/// (a second's worth, at most [`MAX_BURST`]) to absorb scheduling jitter. The interval is
/// chosen so that the burst plus the steady rate still fit in one window: a limiter that
/// allows `burst` at once then one call per interval lets through at most
/// `burst + 60 s / interval` calls in any minute, so the interval is `60 s / (per_minute −
/// burst)`.
///
/// This paces one process; the shared call counter in storage keeps several processes
/// together under the limit.
pub fn pacing_quota(per_minute: NonZeroU32) -> Quota {
    let per_minute = per_minute.get();
    let burst = (per_minute / 60).clamp(1, MAX_BURST);
    let steady = per_minute.saturating_sub(burst).max(1);
    let interval = WINDOW / steady;
    let burst = NonZeroU32::new(burst).unwrap_or(NonZeroU32::MIN);
    // `interval` is at least 60 s / u32::MAX, about 14 ns: never zero, so `with_period`
    // always returns a quota; the fallback is only there to avoid a panic path.
    Quota::with_period(interval)
        .unwrap_or_else(|| Quota::per_minute(burst))
        .allow_burst(burst)
}

/// How many accounts to sync at once so that `per_minute` calls a minute on one endpoint are
/// actually reached when each call takes about `expected_latency`.
///
/// Each account makes its calls one after another, so one account reaches at most
/// `1 / latency` calls a second. Little's law gives the number in flight needed for the
/// limit's rate: `rate × latency`; one more keeps the pipe full while an account is between
/// calls (writing to the database). Bounded to `1..=MAX_CONCURRENCY`.
pub fn concurrency_for(per_minute: u32, expected_latency: Duration) -> usize {
    let calls_per_second = f64::from(per_minute) / WINDOW.as_secs_f64();
    let in_flight = (calls_per_second * expected_latency.as_secs_f64()).ceil();
    // `in_flight` is finite and non-negative; the cast saturates for huge values.
    #[allow(clippy::cast_possible_truncation, clippy::cast_sign_loss)]
    let in_flight = in_flight as usize;
    in_flight.saturating_add(1).clamp(1, MAX_CONCURRENCY)
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn quota(per_minute: u32) -> Quota {
        pacing_quota(NonZeroU32::new(per_minute).expect("non-zero limit"))
    }

    #[test]
    fn six_hundred_a_minute_is_about_one_call_every_hundred_milliseconds() {
        let quota = quota(600);
        assert_eq!(quota.burst_size().get(), 10);
        assert_eq!(quota.replenish_interval(), Duration::from_secs(60) / 590);
        assert!(quota.replenish_interval() > Duration::from_millis(100));
        assert!(quota.replenish_interval() < Duration::from_millis(102));
    }

    #[test]
    fn small_limits_have_a_burst_of_one() {
        let quota = quota(30);
        assert_eq!(quota.burst_size().get(), 1);
        assert_eq!(quota.replenish_interval(), Duration::from_secs(60) / 29);
        let one = super::pacing_quota(NonZeroU32::MIN);
        assert_eq!(one.burst_size().get(), 1);
        assert_eq!(one.replenish_interval(), Duration::from_secs(60));
    }

    #[test]
    fn concurrency_follows_littles_law() {
        // 10 calls a second at 500 ms each: 5 in flight, plus one.
        assert_eq!(concurrency_for(600, Duration::from_millis(500)), 6);
        assert_eq!(concurrency_for(600, Duration::from_millis(100)), 2);
        assert_eq!(concurrency_for(600, Duration::ZERO), 1);
        assert_eq!(concurrency_for(0, Duration::from_secs(1)), 1);
        assert_eq!(
            concurrency_for(600, Duration::from_secs(60)),
            MAX_CONCURRENCY
        );
    }

    /// Drives a real `governor` limiter on a fake clock, taking every call it allows, and
    /// returns the instants (in ms) of the calls made during `minutes`.
    fn greedy_calls(per_minute: u32, minutes: u64) -> Vec<u64> {
        use governor::RateLimiter;
        use governor::clock::FakeRelativeClock;

        let clock = FakeRelativeClock::default();
        let limiter = RateLimiter::direct_with_clock(quota(per_minute), clock.clone());
        let mut calls = Vec::new();
        for ms in 0..minutes * 60_000 {
            while limiter.check().is_ok() {
                calls.push(ms);
            }
            clock.advance(Duration::from_millis(1));
        }
        calls
    }

    #[test]
    fn a_greedy_caller_stays_under_the_limit_in_every_sliding_minute() {
        for per_minute in [1, 30, 600, 6000] {
            let calls = greedy_calls(per_minute, 3);
            let mut window_start = 0;
            let mut busiest = 0;
            for (end, at) in calls.iter().enumerate() {
                while calls[window_start] + 60_000 <= *at {
                    window_start += 1;
                }
                busiest = busiest.max(end + 1 - window_start);
            }
            let limit = usize::try_from(per_minute).expect("small");
            assert!(
                busiest <= limit.max(1),
                "{per_minute}/min: {busiest} in a minute"
            );
            // And the pacing does not waste the limit: the last minute is nearly full.
            let last_minute = calls.iter().filter(|at| **at >= 120_000).count();
            assert!(
                last_minute + limit / 50 + 1 >= limit,
                "{per_minute}/min: {last_minute}"
            );
        }
    }

    proptest! {
        #[test]
        fn a_minute_never_holds_more_than_the_limit(per_minute in 1_u32..100_000) {
            let quota = quota(per_minute);
            let burst = u128::from(quota.burst_size().get());
            let steady = Duration::from_secs(60).as_nanos() / quota.replenish_interval().as_nanos();
            prop_assert!(burst + steady <= u128::from(per_minute.max(2)));
        }

        #[test]
        fn concurrency_is_bounded(per_minute in 0_u32..1_000_000, latency_ms in 0_u64..100_000) {
            let concurrency = concurrency_for(per_minute, Duration::from_millis(latency_ms));
            prop_assert!((1..=MAX_CONCURRENCY).contains(&concurrency));
        }
    }
}

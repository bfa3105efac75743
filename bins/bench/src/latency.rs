//! Latency percentiles from every sample (exact: the samples are kept and sorted, which at a
//! few hundred thousand requests costs a few MB).

use std::time::Duration;

/// Summary of a set of latencies.
#[derive(Debug, Clone, Copy, PartialEq, Default)]
pub struct LatencySummary {
    /// Samples.
    pub count: usize,
    /// Mean, in milliseconds.
    pub mean_ms: f64,
    /// Median.
    pub p50_ms: f64,
    /// 90th percentile.
    pub p90_ms: f64,
    /// 99th percentile.
    pub p99_ms: f64,
    /// 99.9th percentile.
    pub p999_ms: f64,
    /// Slowest.
    pub max_ms: f64,
}

/// A latency in whole microseconds (saturating at about 71 minutes).
pub fn micros(duration: Duration) -> u32 {
    u32::try_from(duration.as_micros()).unwrap_or(u32::MAX)
}

fn ms(micros: u32) -> f64 {
    f64::from(micros) / 1000.0
}

/// The nearest-rank percentile `p` (0 < p <= 1) of sorted samples.
fn percentile(sorted: &[u32], p: f64) -> u32 {
    if sorted.is_empty() {
        return 0;
    }
    #[allow(
        clippy::cast_precision_loss,
        clippy::cast_possible_truncation,
        clippy::cast_sign_loss
    )]
    let rank = (p * sorted.len() as f64).ceil() as usize;
    sorted
        .get(rank.clamp(1, sorted.len()) - 1)
        .copied()
        .unwrap_or_default()
}

/// Summarises `samples` (microseconds); sorts them in place.
pub fn summarise(samples: &mut [u32]) -> LatencySummary {
    samples.sort_unstable();
    let total: u64 = samples.iter().map(|&s| u64::from(s)).sum();
    #[allow(clippy::cast_precision_loss)]
    let mean_ms = if samples.is_empty() {
        0.0
    } else {
        total as f64 / samples.len() as f64 / 1000.0
    };
    LatencySummary {
        count: samples.len(),
        mean_ms,
        p50_ms: ms(percentile(samples, 0.50)),
        p90_ms: ms(percentile(samples, 0.90)),
        p99_ms: ms(percentile(samples, 0.99)),
        p999_ms: ms(percentile(samples, 0.999)),
        max_ms: ms(samples.last().copied().unwrap_or_default()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn nearest_rank_percentiles_of_one_to_a_hundred_ms() {
        let mut samples: Vec<u32> = (1..=100).rev().map(|ms| ms * 1000).collect();
        let summary = summarise(&mut samples);
        assert_eq!(summary.count, 100);
        assert!((summary.p50_ms - 50.0).abs() < 1e-9);
        assert!((summary.p90_ms - 90.0).abs() < 1e-9);
        assert!((summary.p99_ms - 99.0).abs() < 1e-9);
        assert!((summary.p999_ms - 100.0).abs() < 1e-9);
        assert!((summary.max_ms - 100.0).abs() < 1e-9);
        assert!((summary.mean_ms - 50.5).abs() < 1e-9);
    }

    #[test]
    fn no_samples_gives_zeros() {
        assert_eq!(summarise(&mut []), LatencySummary::default());
    }

    #[test]
    fn one_sample_is_every_percentile() {
        let summary = summarise(&mut [1500]);
        assert!((summary.p50_ms - 1.5).abs() < 1e-9 && (summary.p999_ms - 1.5).abs() < 1e-9);
    }
}

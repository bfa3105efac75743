//! Pacing measured from when each call reached the sandbox: the rate an endpoint got in its
//! steady state, and the most calls any 60-second window saw.
//!
//! A pass's average (calls / wall time) understates a paced client: the pass also holds the
//! token refreshes before the first sync and the syncs' other calls, during which an
//! endpoint is idle. Between an endpoint's first and last call it is busy, so that is the
//! window its rate is taken over; the sliding window checks the ceiling.

use std::time::{Duration, Instant};

use tiktok_sandbox::Endpoint;

/// The length of TikTok's rate-limit window.
pub const WINDOW: Duration = Duration::from_secs(60);

/// The pacing one endpoint got during a pass.
#[derive(Debug, Clone, PartialEq)]
pub struct EndpointPacing {
    /// The endpoint.
    pub endpoint: Endpoint,
    /// Calls it received.
    pub calls: u64,
    /// From its first to its last call.
    pub busy: Duration,
    /// Calls per minute between its first and last call: `(calls - 1) / busy` (the first
    /// call opens the window, each later one took an interval). `None` below two calls.
    pub steady_per_minute: Option<f64>,
    /// The most calls inside any window of [`WINDOW`] (sliding, starting at a call).
    pub busiest_window: u64,
}

impl EndpointPacing {
    /// Measures one endpoint from its calls' arrival times (in order).
    pub fn of(endpoint: Endpoint, times: &[Instant]) -> Self {
        let offsets: Vec<Duration> = match times.first() {
            Some(&first) => times.iter().map(|&at| at.duration_since(first)).collect(),
            None => Vec::new(),
        };
        let busy = offsets.last().copied().unwrap_or_default();
        Self {
            endpoint,
            calls: u64::try_from(offsets.len()).unwrap_or(u64::MAX),
            busy,
            steady_per_minute: steady_per_minute(&offsets),
            busiest_window: busiest_window(&offsets, WINDOW),
        }
    }

    /// The steady rate as a share of `configured` per minute.
    pub fn share_of(&self, configured: u32) -> Option<f64> {
        self.steady_per_minute
            .map(|rate| rate / f64::from(configured.max(1)))
    }
}

/// Calls per minute over the intervals between the first and the last of `offsets`
/// (sorted times since the first call).
pub fn steady_per_minute(offsets: &[Duration]) -> Option<f64> {
    let (Some(first), Some(last)) = (offsets.first(), offsets.last()) else {
        return None;
    };
    let busy = last.saturating_sub(*first).as_secs_f64();
    if offsets.len() < 2 || busy <= 0.0 {
        return None;
    }
    #[allow(clippy::cast_precision_loss)]
    let intervals = (offsets.len() - 1) as f64;
    Some(intervals / busy * 60.0)
}

/// The most of `offsets` (sorted) inside any half-open window `[t, t + window)` that starts
/// at one of them: the largest count a sliding window of that length can hold.
pub fn busiest_window(offsets: &[Duration], window: Duration) -> u64 {
    let mut busiest = 0;
    let mut end = 0;
    for (start, &opened) in offsets.iter().enumerate() {
        while end < offsets.len() && offsets[end] < opened + window {
            end += 1;
        }
        busiest = busiest.max(end - start);
    }
    u64::try_from(busiest).unwrap_or(u64::MAX)
}

/// The pacing section of a worker report, as Markdown.
pub fn render(configured: u32, endpoints: &[EndpointPacing]) -> String {
    let mut out = format!(
        "\nPacing (configured {configured}/min per endpoint), from each call's arrival at the sandbox:\n\n| endpoint | calls | first to last call s | steady rate /min | % of configured | busiest 60 s window | within the limit |\n|---|---:|---:|---:|---:|---:|---|\n"
    );
    for pacing in endpoints {
        let (rate, share) = match (pacing.steady_per_minute, pacing.share_of(configured)) {
            (Some(rate), Some(share)) => (format!("{rate:.1}"), format!("{:.1}", share * 100.0)),
            _ => ("–".to_owned(), "–".to_owned()),
        };
        let within = if pacing.busiest_window <= u64::from(configured) {
            "yes"
        } else {
            "NO"
        };
        out.push_str(&format!(
            "| {} | {} | {:.1} | {rate} | {share} | {} | {within} |\n",
            pacing.endpoint.name(),
            pacing.calls,
            pacing.busy.as_secs_f64(),
            pacing.busiest_window,
        ));
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn seconds(values: &[f64]) -> Vec<Duration> {
        values.iter().map(|&s| Duration::from_secs_f64(s)).collect()
    }

    #[test]
    fn the_steady_rate_counts_intervals_between_first_and_last_call() {
        // 11 calls a second apart: 10 intervals in 10 s, 60 per minute.
        let even: Vec<f64> = (0..=10).map(f64::from).collect();
        let rate = steady_per_minute(&seconds(&even)).expect("a rate");
        assert!((rate - 60.0).abs() < 1e-9, "{rate}");
        assert_eq!(steady_per_minute(&seconds(&[3.0])), None);
        assert_eq!(steady_per_minute(&[]), None);
        assert_eq!(steady_per_minute(&seconds(&[1.0, 1.0])), None);
    }

    #[test]
    fn the_busiest_window_slides_over_every_call() {
        let window = Duration::from_secs(60);
        // The minute from 0 s holds 6 calls; the one from 10 s, sliding over the burst
        // around 60 s, holds 8.
        let offsets = seconds(&[0.0, 10.0, 20.0, 30.0, 40.0, 59.0, 60.0, 61.0, 62.0]);
        assert_eq!(busiest_window(&offsets, window), 8);
        // Half-open: a call exactly one window later is not in the first window.
        assert_eq!(busiest_window(&seconds(&[0.0, 60.0]), window), 1);
        assert_eq!(busiest_window(&[], window), 0);
    }

    #[test]
    fn a_report_flags_a_window_above_the_limit() {
        let now = Instant::now();
        let times: Vec<Instant> = (0..5).map(|i| now + Duration::from_secs(i)).collect();
        let pacing = EndpointPacing::of(Endpoint::VideoList, &times);
        assert_eq!(pacing.calls, 5);
        assert_eq!(pacing.busy, Duration::from_secs(4));
        assert_eq!(pacing.busiest_window, 5);
        let share = pacing.share_of(120).expect("a share");
        assert!((share - 0.5).abs() < 1e-9, "{share}");
        assert!(render(4, std::slice::from_ref(&pacing)).contains("| NO |"));
        assert!(render(5, &[pacing]).contains("| yes |"));
    }
}

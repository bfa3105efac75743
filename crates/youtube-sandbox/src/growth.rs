//! How statistics grow on the sandbox clock: a video's views approach their settled value
//! and keep a slow tail; likes and comments follow views; subscribers grow by a daily rate.
//! Analytics days are differences of the same curves over Pacific days, so the Data API
//! totals and the Analytics series agree.

use chrono::{DateTime, Datelike as _, NaiveDate, Utc};

use crate::catalog::{ChannelRecord, VideoKind, VideoRecord, mix, unit};
use crate::pacific::pacific_midnight;

/// A video's counters at one instant.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub(crate) struct Counters {
    pub(crate) views: u64,
    pub(crate) likes: u64,
    pub(crate) dislikes: u64,
    pub(crate) comments: u64,
}

/// Whether the video has any views at `time`: published, not deleted, not still upcoming.
fn is_watchable(video: &VideoRecord, time: DateTime<Utc>) -> bool {
    !video.deleted && video.kind != VideoKind::Upcoming && time > video.published_at
}

fn views_value(video: &VideoRecord, time: DateTime<Utc>) -> f64 {
    if !is_watchable(video, time) {
        return 0.0;
    }
    let age_days = (time - video.published_at).num_seconds() as f64 / 86_400.0;
    let settled = video.final_views * (1.0 - (-age_days / video.tau_days).exp());
    let tail = video.final_views * 0.0015 * age_days;
    settled + tail
}

/// The counters of `video` at `time`.
pub(crate) fn counters_at(video: &VideoRecord, time: DateTime<Utc>) -> Counters {
    let views = views_value(video, time);
    let likes = views * video.like_rate;
    Counters {
        views: views.floor() as u64,
        likes: likes.floor() as u64,
        dislikes: (likes * 0.03).floor() as u64,
        comments: (views * video.comment_rate).floor() as u64,
    }
}

/// A channel's total views at `time` (every upload that still exists).
pub(crate) fn channel_views(channel: &ChannelRecord, time: DateTime<Utc>) -> u64 {
    channel
        .videos
        .iter()
        .map(|video| counters_at(video, time).views)
        .sum()
}

/// Subscribers at `time`: the configured count at the start, plus the daily rate since.
pub(crate) fn subscribers_at(
    base: u64,
    channel: &ChannelRecord,
    start: DateTime<Utc>,
    time: DateTime<Utc>,
) -> u64 {
    let days = (time - start).num_seconds() as f64 / 86_400.0;
    (base as f64 + channel.subscriber_rate * days)
        .max(0.0)
        .floor() as u64
}

/// Rounds down to three significant figures, as the Data API shows subscriber counts
/// (12,345 -> 12,300; 1,987,654 -> 1,980,000).
pub(crate) fn three_significant_figures(count: u64) -> u64 {
    let mut factor = 1;
    while count / factor >= 1_000 {
        factor *= 10;
    }
    count / factor * factor
}

/// One Pacific day of a channel (or one of its videos) in Analytics terms.
#[derive(Debug, Clone, Copy, Default, PartialEq)]
pub(crate) struct AnalyticsDay {
    pub(crate) views: u64,
    pub(crate) engaged_views: u64,
    pub(crate) estimated_minutes_watched: u64,
    pub(crate) likes: u64,
    pub(crate) dislikes: u64,
    pub(crate) comments: u64,
    pub(crate) shares: u64,
    pub(crate) subscribers_gained: u64,
    pub(crate) subscribers_lost: u64,
}

impl AnalyticsDay {
    /// Whether nothing happened: Analytics leaves such days out.
    pub(crate) fn is_empty(&self) -> bool {
        self.views == 0 && self.subscribers_gained == 0 && self.subscribers_lost == 0
    }

    /// `averageViewDuration` in seconds.
    pub(crate) fn average_view_duration(&self) -> u64 {
        (self.estimated_minutes_watched * 60)
            .checked_div(self.views)
            .unwrap_or_default()
    }
}

/// A number standing for a channel in random draws.
fn channel_key(channel_id: &str) -> u64 {
    let bytes: Vec<u64> = channel_id.bytes().map(u64::from).collect();
    mix(&bytes)
}

/// The Analytics figures of `day` (a Pacific calendar day) for a channel, or for the videos
/// whose ids `videos` names. Subscribers come from the channel's daily rate with some
/// day-to-day noise; a video filter attributes a small share of them.
pub(crate) fn analytics_day(
    seed: u64,
    channel: &ChannelRecord,
    videos: Option<&[String]>,
    day: NaiveDate,
) -> AnalyticsDay {
    let from = pacific_midnight(day);
    let to = day.succ_opt().map_or(from, pacific_midnight);
    let mut total = AnalyticsDay::default();
    for video in &channel.videos {
        if videos.is_some_and(|ids| !ids.contains(&video.id)) {
            continue;
        }
        let (before, after) = (counters_at(video, from), counters_at(video, to));
        let views = after.views.saturating_sub(before.views);
        total.views += views;
        total.likes += after.likes.saturating_sub(before.likes);
        total.dislikes += after.dislikes.saturating_sub(before.dislikes);
        total.comments += after.comments.saturating_sub(before.comments);
        total.shares += (views as f64 * 0.004).round() as u64;
        total.estimated_minutes_watched +=
            (views as f64 * video.duration_secs as f64 * video.watch_fraction / 60.0).round()
                as u64;
        let engaged = if video.kind == VideoKind::Short {
            0.7
        } else {
            0.95
        };
        total.engaged_views += (views as f64 * engaged).round() as u64;
    }
    let day_number = u64::try_from(day.num_days_from_ce()).unwrap_or_default();
    let key = channel_key(&channel.id);
    let noise = |purpose: u64| 0.6 + 0.8 * unit(&[seed, key, day_number, purpose]);
    let share = if videos.is_some() { 0.05 } else { 1.0 };
    if total.views > 0 || videos.is_none() {
        total.subscribers_gained =
            (channel.subscriber_rate * 1.25 * noise(1) * share).round() as u64;
        total.subscribers_lost = (channel.subscriber_rate * 0.25 * noise(2) * share).round() as u64;
    }
    total
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::catalog::{AccountSpec, Catalog, test_start};
    use crate::pacific::pacific_day;

    #[test]
    fn views_grow_and_likes_follow() {
        let catalog = Catalog::generate(42, &AccountSpec::defaults(), test_start());
        let channel = catalog.accounts[0].channel.as_ref().expect("a channel");
        let video = &channel.videos[3];
        let now = counters_at(video, test_start());
        let later = counters_at(video, test_start() + chrono::Duration::days(30));
        assert!(later.views > now.views);
        assert!(later.likes >= now.likes);
        assert!(now.likes <= now.views);
        assert!(channel_views(channel, test_start()) > 0);
    }

    #[test]
    fn upcoming_and_deleted_uploads_have_no_views() {
        let catalog = Catalog::generate(42, &AccountSpec::defaults(), test_start());
        let live = catalog.accounts[3].channel.as_ref().expect("a channel");
        assert_eq!(counters_at(&live.videos[0], test_start()).views, 0);
        let deleted = live
            .videos
            .iter()
            .find(|video| video.deleted)
            .expect("a deleted upload");
        assert_eq!(counters_at(deleted, test_start()).views, 0);
        assert!(
            counters_at(&live.videos[1], test_start()).views > 0,
            "live now"
        );
    }

    #[test]
    fn subscriber_counts_round_down_to_three_figures() {
        assert_eq!(three_significant_figures(987), 987);
        assert_eq!(three_significant_figures(12_345), 12_300);
        assert_eq!(three_significant_figures(1_987_654), 1_980_000);
        assert_eq!(three_significant_figures(0), 0);
    }

    #[test]
    fn an_analytics_day_adds_up_its_videos() {
        let catalog = Catalog::generate(42, &AccountSpec::defaults(), test_start());
        let channel = catalog.accounts[0].channel.as_ref().expect("a channel");
        let day = pacific_day(test_start()).pred_opt().expect("a day");
        let whole = analytics_day(42, channel, None, day);
        assert!(whole.views > 0);
        assert!(whole.subscribers_gained > whole.subscribers_lost);
        let ids: Vec<String> = channel
            .videos
            .iter()
            .map(|video| video.id.clone())
            .collect();
        let (first, rest) = ids.split_at(5);
        let part = analytics_day(42, channel, Some(first), day).views
            + analytics_day(42, channel, Some(rest), day).views;
        assert_eq!(part, whole.views);
        assert!(whole.average_view_duration() > 0);
    }
}

//! The read benchmark's data: `connections` users, each connected to one TikTok account with
//! `videos` videos and `history_days` days of profile snapshots, generated from a seed
//! (the same seed gives the same rows) and written through storage's own repository methods
//! (`upsert_connection`, then `apply_sync` once per day), as the services write them.

use chrono::{DateTime, TimeDelta, Utc};
use domain::{ConnectionId, Platform, Profile, SyncOutcome, SyncedVideo, VideoCounts};
use rand::{Rng as _, SeedableRng as _};
use rand_chacha::ChaCha8Rng;
use secrecy::SecretString;
use storage::{Database, NewConnection, ReceivedTokens, SyncWrite};

use crate::error::{BenchError, BenchResult};
use crate::sandbox_flow::SCOPES;

/// The size and shape of a generated data set.
#[derive(Debug, Clone, Copy)]
pub struct DatasetSpec {
    /// Users, each with one connection.
    pub connections: u32,
    /// Videos per connection.
    pub videos: u32,
    /// Days of profile history per connection (1 = today only).
    pub history_days: u32,
    /// Seed of every generated value.
    pub seed: u64,
}

/// The host product's user id of user `index` (what the bearer tokens name).
pub fn user_id(index: u32) -> String {
    format!("bench-user-{index:06}")
}

/// A generator of one connection's rows (a seed per connection, so the rows do not depend on
/// the order in which concurrent writers reach them).
struct AccountGenerator {
    index: u32,
    rng: ChaCha8Rng,
}

impl AccountGenerator {
    fn new(seed: u64, index: u32) -> Self {
        Self {
            index,
            rng: ChaCha8Rng::seed_from_u64(
                seed.wrapping_mul(0x9e37_79b9_7f4a_7c15) ^ u64::from(index),
            ),
        }
    }

    fn profile(&mut self) -> Profile {
        let index = self.index;
        let username = format!("bench_creator_{index:06}");
        Profile {
            platform_account_id: format!("bench-open-{index:06}"),
            union_id: Some(format!("bench-union-{index:06}")),
            profile_deep_link: Some(format!("https://www.tiktok.com/@{username}")),
            username: Some(username),
            display_name: Some(format!("Bench Creator {index}")),
            avatar_url: Some(format!("https://p16.example.invalid/avatar/{index}.jpeg")),
            bio: Some("Generated for the read benchmark".into()),
            is_verified: self.rng.gen_bool(0.1),
            follower_count: Some(self.rng.gen_range(100..2_000_000)),
            following_count: Some(self.rng.gen_range(0..2_000)),
            likes_count: Some(self.rng.gen_range(0..50_000_000)),
            video_count: None,
        }
    }

    fn videos(&mut self, count: u32, now: DateTime<Utc>) -> Vec<SyncedVideo> {
        (0..count)
            .map(|n| {
                let views = self.rng.gen_range(0..5_000_000_i64);
                let likes = self.rng.gen_range(0..=views / 5 + 1);
                // 19 digits, like TikTok's ids, unique per (connection, video).
                let id =
                    7_300_000_000_000_000_000_u64 + u64::from(self.index) * 100_000 + u64::from(n);
                SyncedVideo {
                    platform_video_id: id.to_string(),
                    title: Some(format!("Video {n} of creator {}", self.index)),
                    description: Some(format!("#bench #video{n} generated description")),
                    duration_seconds: Some(self.rng.gen_range(5..180)),
                    cover_image_url: Some(format!("https://p16.example.invalid/cover/{id}.jpeg")),
                    share_url: Some(format!("https://www.tiktok.com/@bench/video/{id}")),
                    embed_link: Some(format!("https://www.tiktok.com/embed/v2/{id}")),
                    posted_at: Some(now - TimeDelta::hours(self.rng.gen_range(1..24 * 365))),
                    media_type: None,
                    counts: VideoCounts::views_likes_comments_shares(
                        views,
                        likes,
                        self.rng.gen_range(0..=likes / 10 + 1),
                        self.rng.gen_range(0..=likes / 20 + 1),
                    ),
                    counters_read: true,
                }
            })
            .collect()
    }

    fn tokens(&self, now: DateTime<Utc>) -> ReceivedTokens {
        ReceivedTokens {
            access_token: SecretString::from(format!("bench-access-{}", self.index)),
            access_token_expires_at: now + TimeDelta::hours(24),
            refresh_token: Some(SecretString::from(format!("bench-refresh-{}", self.index))),
            refresh_token_expires_at: Some(now + TimeDelta::days(365)),
            scopes: Some(SCOPES.iter().map(|&s| s.to_owned()).collect()),
            obtained_at: now,
        }
    }
}

/// Writes one connection and its history: the oldest day with every video, one
/// profile-only sync per later day (followers growing), and today with every video again.
async fn write_account(
    db: &Database,
    spec: &DatasetSpec,
    index: u32,
    now: DateTime<Utc>,
) -> BenchResult<()> {
    let mut generator = AccountGenerator::new(spec.seed, index);
    let mut profile = generator.profile();
    let videos = generator.videos(spec.videos, now);
    profile.video_count = Some(i64::from(spec.videos));
    let user_id = user_id(index);
    let tokens = generator.tokens(now);
    let first_day = now - TimeDelta::days(i64::from(spec.history_days.saturating_sub(1)));
    let connection = db
        .upsert_connection(
            &NewConnection {
                user_id: &user_id,
                platform: Platform::new("tiktok"),
                profile: &profile,
                tokens: &tokens,
                notify: None,
            },
            first_day,
        )
        .await?;
    let final_followers = profile.follower_count.unwrap_or(0);
    for days_ago in (0..spec.history_days.max(1)).rev() {
        let synced_at = now - TimeDelta::days(i64::from(days_ago));
        // Followers grow by about 0.2% a day towards today's count.
        let shrink = 1.0 - 0.002 * f64::from(days_ago);
        #[allow(clippy::cast_possible_truncation, clippy::cast_precision_loss)]
        let followers = (final_followers as f64 * shrink) as i64;
        let day_profile = Profile {
            follower_count: Some(followers),
            ..profile.clone()
        };
        let with_videos = days_ago == 0 || days_ago + 1 == spec.history_days;
        apply(
            db,
            connection.id,
            &day_profile,
            if with_videos { &videos } else { &[] },
            synced_at,
        )
        .await?;
    }
    Ok(())
}

async fn apply(
    db: &Database,
    connection_id: ConnectionId,
    profile: &Profile,
    videos: &[SyncedVideo],
    synced_at: DateTime<Utc>,
) -> BenchResult<()> {
    db.apply_sync(&SyncWrite {
        connection_id,
        profile: Some(profile),
        videos,
        engagement: domain::EngagementBasis::Views,
        daily: &[],
        outcome: SyncOutcome::Success,
        error: None,
        synced_at,
        notify: None,
    })
    .await?;
    Ok(())
}

/// Fills `db` with the data set of `spec` using `writers` concurrent writers; reports progress
/// on stderr every 1,000 connections.
pub async fn fill(db: &Database, spec: DatasetSpec, writers: u32) -> BenchResult<()> {
    let now = Utc::now();
    let writers = writers.max(1);
    let done = std::sync::Arc::new(std::sync::atomic::AtomicU32::new(0));
    let mut tasks = tokio::task::JoinSet::new();
    for writer in 0..writers {
        let (db, done) = (db.clone(), std::sync::Arc::clone(&done));
        tasks.spawn(async move {
            let mut index = writer;
            while index < spec.connections {
                write_account(&db, &spec, index, now).await?;
                let finished = done.fetch_add(1, std::sync::atomic::Ordering::Relaxed) + 1;
                if finished % 1_000 == 0 {
                    eprintln!("  {finished} / {} connections written", spec.connections);
                }
                index += writers;
            }
            Ok::<_, BenchError>(())
        });
    }
    while let Some(joined) = tasks.join_next().await {
        joined.map_err(|error| BenchError::Setup(format!("a writer panicked: {error}")))??;
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_same_seed_gives_the_same_rows() {
        let now = DateTime::from_timestamp(1_764_061_200, 0).expect("valid time");
        let (mut a, mut b) = (AccountGenerator::new(7, 3), AccountGenerator::new(7, 3));
        assert_eq!(a.profile(), b.profile());
        assert_eq!(a.videos(5, now), b.videos(5, now));
        let mut other = AccountGenerator::new(8, 3);
        assert_ne!(
            other.videos(5, now),
            AccountGenerator::new(7, 3).videos(5, now)
        );
    }

    #[test]
    fn video_ids_are_nineteen_digits_and_unique_per_connection() {
        let now = DateTime::from_timestamp(1_764_061_200, 0).expect("valid time");
        let videos = AccountGenerator::new(1, 9_999).videos(50, now);
        let ids: std::collections::BTreeSet<_> =
            videos.iter().map(|v| v.platform_video_id.clone()).collect();
        assert_eq!(ids.len(), 50);
        assert!(ids.iter().all(|id| id.len() == 19));
        assert!(
            videos
                .iter()
                .all(|v| v.counts.likes.unwrap_or(0) <= v.counts.views.unwrap_or(0) + 1)
        );
    }
}

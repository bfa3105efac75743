//! Generated media (images, reels, carousels with children, stories) and their insights, which
//! grow as a pure function of the media's age: they settle over the first 48 hours, then keep
//! growing slowly.

use chrono::{DateTime, Duration, Utc};

use crate::accounts::{AccountSpec, digits_id, impressions_cutoff, mix};

/// `media_type` on the wire.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum MediaType {
    Image,
    Video,
    CarouselAlbum,
}

impl MediaType {
    pub(crate) fn wire(self) -> &'static str {
        match self {
            MediaType::Image => "IMAGE",
            MediaType::Video => "VIDEO",
            MediaType::CarouselAlbum => "CAROUSEL_ALBUM",
        }
    }
}

/// `media_product_type` on the wire.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Product {
    Feed,
    Reels,
    Story,
}

impl Product {
    pub(crate) fn wire(self) -> &'static str {
        match self {
            Product::Feed => "FEED",
            Product::Reels => "REELS",
            Product::Story => "STORY",
        }
    }
}

/// One media object.
#[derive(Debug, Clone)]
pub(crate) struct MediaRecord {
    pub(crate) id: String,
    pub(crate) owner_id: String,
    pub(crate) username: String,
    pub(crate) media_type: MediaType,
    pub(crate) product: Product,
    pub(crate) created_at: DateTime<Utc>,
    pub(crate) caption: Option<String>,
    pub(crate) shortcode: String,
    /// Copyrighted audio: `media_url` is omitted.
    pub(crate) copyrighted: bool,
    /// The owner hid like counts: `like_count` is omitted.
    pub(crate) hidden_likes: bool,
    pub(crate) shared_to_feed: bool,
    pub(crate) alt_text: Option<String>,
    /// A carousel's items (never themselves carousels).
    pub(crate) children: Vec<MediaRecord>,
    pub(crate) is_child: bool,
    /// Lifetime views once settled (48 h), before the slow tail.
    pub(crate) settled_views: u64,
    /// Views added per day after settling.
    pub(crate) tail_per_day: u64,
    pub(crate) seed: u64,
}

const CAPTIONS: [&str; 6] = [
    "New reel! 🎬",
    "Behind the scenes <3 & more",
    "Swipe for the \"before\" →",
    "Sunday market haul",
    "5 tips for better light",
    "Café test shot",
];

/// Media of one account, newest first, one every ~2.3 days before `start`.
pub(crate) fn generate_media(
    seed: u64,
    account: u64,
    owner_id: &str,
    spec: &AccountSpec,
    start: DateTime<Utc>,
) -> Vec<MediaRecord> {
    let scale = (spec.followers / 10).max(20);
    (0..u64::from(spec.media))
        .map(|index| {
            let value = mix(&[seed, account, 100, index]);
            let created_at = start - Duration::hours(2 + index as i64 * 55 + (value % 13) as i64);
            let (media_type, product) = match index % 5 {
                0 | 3 => (MediaType::Video, Product::Reels),
                1 => (MediaType::Image, Product::Feed),
                2 => (MediaType::CarouselAlbum, Product::Feed),
                _ => (MediaType::Video, Product::Feed),
            };
            let id = digits_id("179", mix(&[seed, account, 101, index]), 17);
            let children = if media_type == MediaType::CarouselAlbum {
                (0..(2 + value % 3))
                    .map(|child| {
                        let child_type = if child % 2 == 0 {
                            MediaType::Image
                        } else {
                            MediaType::Video
                        };
                        MediaRecord {
                            id: digits_id("180", mix(&[seed, account, 102, index, child]), 17),
                            media_type: child_type,
                            children: Vec::new(),
                            is_child: true,
                            caption: None,
                            alt_text: None,
                            ..base_record(owner_id, spec, created_at, value, scale)
                        }
                    })
                    .collect()
            } else {
                Vec::new()
            };
            MediaRecord {
                id,
                media_type,
                product,
                caption: (!value.is_multiple_of(9))
                    .then(|| CAPTIONS[(value % 6) as usize].to_owned()),
                copyrighted: product == Product::Reels && index % 7 == 3,
                hidden_likes: index % 11 == 4,
                shared_to_feed: product == Product::Reels && !value.is_multiple_of(4),
                alt_text: (media_type == MediaType::Image).then(|| "A photo".to_owned()),
                children,
                ..base_record(owner_id, spec, created_at, value, scale)
            }
        })
        .collect()
}

fn base_record(
    owner_id: &str,
    spec: &AccountSpec,
    created_at: DateTime<Utc>,
    value: u64,
    scale: u64,
) -> MediaRecord {
    MediaRecord {
        id: String::new(),
        owner_id: owner_id.to_owned(),
        username: spec.username.clone(),
        media_type: MediaType::Image,
        product: Product::Feed,
        created_at,
        caption: None,
        shortcode: shortcode(value),
        copyrighted: false,
        hidden_likes: false,
        shared_to_feed: false,
        alt_text: None,
        children: Vec::new(),
        is_child: false,
        settled_views: scale * (5 + value % 20),
        tail_per_day: (scale / 20).max(1) + value % 7,
        seed: value,
    }
}

/// Live stories of one account, created in the hours before `start`. Stories of accounts
/// under 100 followers get fewer than 5 viewers (their insights are refused).
pub(crate) fn generate_stories(
    seed: u64,
    account: u64,
    owner_id: &str,
    spec: &AccountSpec,
    start: DateTime<Utc>,
) -> Vec<MediaRecord> {
    (0..u64::from(spec.stories))
        .map(|index| {
            let value = mix(&[seed, account, 200, index]);
            let created_at = start - Duration::hours(1 + 3 * index as i64);
            let mut story = base_record(
                owner_id,
                spec,
                created_at,
                value,
                (spec.followers / 20).max(1),
            );
            story.id = digits_id("181", mix(&[seed, account, 201, index]), 17);
            story.product = Product::Story;
            story.media_type = if index % 2 == 0 {
                MediaType::Image
            } else {
                MediaType::Video
            };
            if spec.followers < 100 {
                story.settled_views = 3;
                story.tail_per_day = 0;
            }
            story
        })
        .collect()
}

fn shortcode(value: u64) -> String {
    const ALPHABET: &[u8] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789_-";
    (0..11)
        .map(|i| char::from(ALPHABET[((value >> (i * 5)) % 64) as usize]))
        .collect()
}

/// Every current media metric name and the product types it applies to (reference 8.1).
pub(crate) const MEDIA_METRICS: &[(&str, &[Product])] = &[
    ("views", &[Product::Feed, Product::Reels, Product::Story]),
    ("reach", &[Product::Feed, Product::Reels, Product::Story]),
    ("likes", &[Product::Feed, Product::Reels]),
    ("comments", &[Product::Feed, Product::Reels]),
    ("saved", &[Product::Feed, Product::Reels]),
    ("shares", &[Product::Feed, Product::Reels, Product::Story]),
    (
        "total_interactions",
        &[Product::Feed, Product::Reels, Product::Story],
    ),
    ("reposts", &[Product::Feed, Product::Reels, Product::Story]),
    ("follows", &[Product::Feed, Product::Story]),
    ("profile_visits", &[Product::Feed, Product::Story]),
    ("profile_activity", &[Product::Feed, Product::Story]),
    ("replies", &[Product::Story]),
    ("navigation", &[Product::Story]),
    ("ig_reels_avg_watch_time", &[Product::Reels]),
    ("ig_reels_video_view_total_time", &[Product::Reels]),
    ("reels_skip_rate", &[Product::Reels]),
];

/// Metric names Meta deprecated (reference 8.2): always code 100, except `impressions` on old
/// media through v21.0.
pub(crate) const DEPRECATED_MEDIA_METRICS: &[&str] = &[
    "impressions",
    "plays",
    "video_views",
    "clips_replays_count",
    "ig_reels_aggregated_all_plays_count",
    "engagement",
];

/// A metric's value: counts are integers, a rate may be fractional.
#[derive(Debug, Clone, Copy, PartialEq)]
pub(crate) enum MetricValue {
    Count(u64),
    Rate(f64),
}

impl MediaRecord {
    /// This media or one of its children with `id`.
    pub(crate) fn find(&self, id: &str) -> Option<&MediaRecord> {
        if self.id == id {
            return Some(self);
        }
        self.children.iter().find(|child| child.id == id)
    }

    /// Lifetime views at `now`: 0 at publication, `settled_views` after 48 hours, then
    /// `tail_per_day` more each day.
    pub(crate) fn views_at(&self, now: DateTime<Utc>) -> u64 {
        let age = (now - self.created_at).num_minutes().max(0) as u64;
        let settling = 48 * 60;
        if age < settling {
            return self.settled_views * age / settling;
        }
        self.settled_views + self.tail_per_day * ((age - settling) / (24 * 60))
    }

    fn part(&self, views: u64, salt: u64, per_thousand: u64) -> u64 {
        let ppt = per_thousand / 2 + mix(&[self.seed, salt]) % per_thousand.max(1);
        views * ppt / 1000
    }

    /// `like_count` at `now`.
    pub(crate) fn likes_at(&self, now: DateTime<Utc>) -> u64 {
        self.part(self.views_at(now), 1, 80)
    }

    /// `comments_count` at `now`.
    pub(crate) fn comments_at(&self, now: DateTime<Utc>) -> u64 {
        self.part(self.views_at(now), 2, 8)
    }

    /// The value of a current metric at `now`; `None` when Instagram would leave it out
    /// (the first hour: only views, likes and comments are ready).
    pub(crate) fn metric_at(&self, metric: &str, now: DateTime<Utc>) -> Option<MetricValue> {
        let views = self.views_at(now);
        let fresh = now - self.created_at < Duration::hours(1);
        if fresh && !matches!(metric, "views" | "likes" | "comments") {
            return None;
        }
        let likes = self.likes_at(now);
        let comments = self.comments_at(now);
        let saved = self.part(views, 3, 20);
        let shares = self.part(views, 4, 12);
        let count = match metric {
            "views" => views,
            "reach" => views * 3 / 5,
            "likes" => likes,
            "comments" => comments,
            "saved" => saved,
            "shares" => shares,
            "total_interactions" => likes + comments + saved + shares,
            "reposts" => self.part(views, 5, 2),
            "follows" => self.part(views, 6, 4),
            "profile_visits" => self.part(views, 7, 30),
            "profile_activity" => self.part(views, 8, 10),
            "replies" => self.part(views, 9, 10),
            "navigation" => views,
            "ig_reels_avg_watch_time" => 2_000 + mix(&[self.seed, 10]) % 9_000,
            "ig_reels_video_view_total_time" => views * (2_000 + mix(&[self.seed, 10]) % 9_000),
            "reels_skip_rate" => {
                return Some(MetricValue::Rate(
                    (mix(&[self.seed, 11]) % 6_000) as f64 / 100.0,
                ));
            }
            "impressions" => views + views / 3,
            _ => return None,
        };
        Some(MetricValue::Count(count))
    }

    /// Whether `impressions` still answers for this media (created before 2024-07-02, asked
    /// through v21.0 or older).
    pub(crate) fn has_legacy_impressions(&self, version: Option<u32>) -> bool {
        self.created_at < impressions_cutoff() && version.is_some_and(|v| v <= 21)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::accounts::test_start;

    fn media() -> Vec<MediaRecord> {
        generate_media(
            3,
            0,
            "17841400000000001",
            &AccountSpec::business("a", 5_000, 20),
            test_start(),
        )
    }

    #[test]
    fn every_type_is_generated_and_carousels_have_children() {
        let media = media();
        assert!(media.iter().any(|m| m.product == Product::Reels));
        assert!(media.iter().any(|m| m.media_type == MediaType::Image));
        let carousel = media
            .iter()
            .find(|m| m.media_type == MediaType::CarouselAlbum)
            .expect("a carousel");
        assert!(carousel.children.len() >= 2);
        assert!(media.iter().any(|m| m.copyrighted));
        assert!(media.iter().any(|m| m.hidden_likes));
        assert!(
            media.windows(2).all(|w| w[0].created_at > w[1].created_at),
            "newest first"
        );
    }

    #[test]
    fn insights_settle_then_keep_growing() {
        let reel = media().into_iter().next().expect("a media");
        let at = |hours| reel.created_at + Duration::hours(hours);
        assert_eq!(reel.views_at(reel.created_at), 0);
        assert!(reel.views_at(at(24)) < reel.views_at(at(48)));
        assert!(reel.views_at(at(48 + 24)) > reel.views_at(at(48)));
        assert_eq!(reel.metric_at("reach", reel.created_at), None, "processing");
        assert!(reel.metric_at("views", reel.created_at).is_some());
        assert!(matches!(
            reel.metric_at("reels_skip_rate", at(50)),
            Some(MetricValue::Rate(_))
        ));
    }
}

//! The seeded Google accounts and their channels: what is configured ([`AccountSpec`],
//! [`ChannelSpec`]) and what is generated from it (ids, channel, uploads), deterministically
//! from the seed and the start time. How statistics grow with time is in `growth`.

use base64::Engine as _;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use chrono::{DateTime, Duration, Utc};
use serde::{Deserialize, Serialize};

use crate::words;

/// A channel to seed for an account.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ChannelSpec {
    /// The channel title.
    pub title: String,
    /// The handle, with its `@`.
    pub handle: String,
    /// Subscribers at the start time (the API rounds them down to three significant figures).
    pub subscribers: u64,
    /// Whether the subscriber count is hidden.
    pub hide_subscriber_count: bool,
    /// Items of the uploads playlist (every kind, privacy and deleted ones included).
    pub uploads: u32,
    /// Percent of uploads that are Shorts (at most 3 minutes).
    pub shorts_percent: u8,
    /// Whether the channel streams: one live broadcast now, one upcoming premiere, and past
    /// streams among the uploads.
    pub live: bool,
    /// Percent of uploads that are private.
    pub private_percent: u8,
    /// Percent of uploads that are unlisted.
    pub unlisted_percent: u8,
    /// Uploads deleted since: still in the playlist, gone from `videos.list`.
    pub deleted: u32,
    /// In the YouTube Partner Program (monetary Analytics metrics allowed).
    pub partner: bool,
}

impl ChannelSpec {
    /// A public long-form channel.
    pub fn new(
        title: impl Into<String>,
        handle: impl Into<String>,
        subscribers: u64,
        uploads: u32,
    ) -> Self {
        let handle = handle.into();
        Self {
            title: title.into(),
            handle: if handle.starts_with('@') {
                handle
            } else {
                format!("@{handle}")
            },
            subscribers,
            hide_subscriber_count: false,
            uploads,
            shorts_percent: 0,
            live: false,
            private_percent: 0,
            unlisted_percent: 0,
            deleted: 0,
            partner: false,
        }
    }

    /// Hides the subscriber count.
    pub fn with_hidden_subscribers(mut self) -> Self {
        self.hide_subscriber_count = true;
        self
    }

    /// Makes `percent` of the uploads Shorts.
    pub fn with_shorts(mut self, percent: u8) -> Self {
        self.shorts_percent = percent.min(100);
        self
    }

    /// Adds a live broadcast, an upcoming premiere and past streams.
    pub fn with_live(mut self) -> Self {
        self.live = true;
        self
    }

    /// Makes some uploads private and some unlisted.
    pub fn with_privacy_mix(mut self, private_percent: u8, unlisted_percent: u8) -> Self {
        self.private_percent = private_percent.min(100);
        self.unlisted_percent = unlisted_percent.min(100 - self.private_percent);
        self
    }

    /// Marks `count` uploads as deleted since.
    pub fn with_deleted(mut self, count: u32) -> Self {
        self.deleted = count;
        self
    }

    /// Puts the channel in the YouTube Partner Program.
    pub fn partner(mut self) -> Self {
        self.partner = true;
        self
    }
}

/// A Google account to seed, with or without a YouTube channel.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AccountSpec {
    /// The account's email (unique in the sandbox; the consent page's account chooser).
    pub email: String,
    /// The person's name.
    pub name: String,
    /// The channel, if the account has one.
    pub channel: Option<ChannelSpec>,
}

impl AccountSpec {
    /// An account with a channel.
    pub fn with_channel(
        email: impl Into<String>,
        name: impl Into<String>,
        channel: ChannelSpec,
    ) -> Self {
        Self {
            email: email.into(),
            name: name.into(),
            channel: Some(channel),
        }
    }

    /// A Google account with no YouTube channel.
    pub fn without_channel(email: impl Into<String>, name: impl Into<String>) -> Self {
        Self {
            email: email.into(),
            name: name.into(),
            channel: None,
        }
    }

    /// The default accounts: a small long-form channel, a large one (1,250 uploads) whose
    /// subscriber count is hidden, an account with no channel, and a channel of Shorts and
    /// live streams with private, unlisted and deleted uploads.
    pub fn defaults() -> Vec<Self> {
        vec![
            Self::with_channel(
                "maya@sandbox.test",
                "Maya Okafor",
                ChannelSpec::new("Maya Cooks", "@mayacooks", 12_345, 24).with_privacy_mix(4, 4),
            ),
            Self::with_channel(
                "studio@sandbox.test",
                "Nightjar Studio",
                ChannelSpec::new("Nightjar Studio", "@nightjarstudio", 1_987_654, 1_250)
                    .with_hidden_subscribers()
                    .with_deleted(3)
                    .partner(),
            ),
            Self::without_channel("pat@sandbox.test", "Pat Quinn"),
            Self::with_channel(
                "kenji@sandbox.test",
                "Kenji Sato",
                ChannelSpec::new("Kenji Plays <Live> & Shorts", "@kenjiplays", 48_200, 60)
                    .with_shorts(50)
                    .with_live()
                    .with_privacy_mix(10, 5)
                    .with_deleted(2),
            ),
        ]
    }
}

/// What kind of upload a video is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum VideoKind {
    /// A regular video.
    LongForm,
    /// A Short (at most 3 minutes).
    Short,
    /// A finished live stream.
    LiveVod,
    /// A live broadcast going on now (`liveBroadcastContent` `live`).
    LiveNow,
    /// A scheduled premiere or stream (`upcoming`, `P0D`).
    Upcoming,
}

/// `status.privacyStatus`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Privacy {
    /// Everyone.
    Public,
    /// With the link.
    Unlisted,
    /// The owner only.
    Private,
}

impl Privacy {
    pub(crate) fn wire(self) -> &'static str {
        match self {
            Privacy::Public => "public",
            Privacy::Unlisted => "unlisted",
            Privacy::Private => "private",
        }
    }
}

/// A generated upload.
#[derive(Debug, Clone)]
pub(crate) struct VideoRecord {
    pub(crate) id: String,
    pub(crate) playlist_item_id: String,
    pub(crate) kind: VideoKind,
    pub(crate) privacy: Privacy,
    pub(crate) deleted: bool,
    /// When it was (or will be) published; for a live broadcast, when it started.
    pub(crate) published_at: DateTime<Utc>,
    /// When it was added to the uploads playlist (uploaded).
    pub(crate) uploaded_at: DateTime<Utc>,
    pub(crate) duration_secs: u64,
    pub(crate) title: String,
    pub(crate) description: String,
    pub(crate) tags: Vec<String>,
    pub(crate) category_id: &'static str,
    pub(crate) likes_hidden: bool,
    pub(crate) comments_disabled: bool,
    pub(crate) hd: bool,
    pub(crate) captions: bool,
    /// Thumbnails beyond `maxres` (`fhd`, `qhd`, `uhd`), since 2026-09.
    pub(crate) big_thumbnails: bool,
    /// Views it settles towards (before its slow tail).
    pub(crate) final_views: f64,
    /// Days until it reaches about 63 % of `final_views`.
    pub(crate) tau_days: f64,
    pub(crate) like_rate: f64,
    pub(crate) comment_rate: f64,
    /// The share of the video an average view watches.
    pub(crate) watch_fraction: f64,
}

/// A generated channel.
#[derive(Debug, Clone)]
pub(crate) struct ChannelRecord {
    pub(crate) id: String,
    pub(crate) uploads_playlist_id: String,
    pub(crate) description: String,
    pub(crate) country: &'static str,
    pub(crate) published_at: DateTime<Utc>,
    /// Net subscribers gained per day.
    pub(crate) subscriber_rate: f64,
    /// Uploads, newest first.
    pub(crate) videos: Vec<VideoRecord>,
}

/// A generated Google account.
#[derive(Debug, Clone)]
pub(crate) struct AccountRecord {
    pub(crate) spec: AccountSpec,
    /// The OIDC `sub`: a 21-digit string.
    pub(crate) sub: String,
    pub(crate) channel: Option<ChannelRecord>,
}

impl AccountRecord {
    pub(crate) fn channel_spec(&self) -> Option<&ChannelSpec> {
        self.spec.channel.as_ref()
    }
}

/// Every generated account, and when the catalog starts (the sandbox's initial time).
#[derive(Debug)]
pub(crate) struct Catalog {
    pub(crate) start: DateTime<Utc>,
    pub(crate) accounts: Vec<AccountRecord>,
}

/// SplitMix64 over the parts: a well-mixed value per purpose.
pub(crate) fn mix(parts: &[u64]) -> u64 {
    parts
        .iter()
        .fold(0x9E37_79B9_7F4A_7C15_u64, |state, &part| {
            let mut z = state.wrapping_add(part).wrapping_add(0x9E37_79B9_7F4A_7C15);
            z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
            z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
            z ^ (z >> 31)
        })
}

/// A value in `[0, 1)` from mixed parts.
pub(crate) fn unit(parts: &[u64]) -> f64 {
    (mix(parts) >> 11) as f64 / (1u64 << 53) as f64
}

/// `len` characters of the base64url alphabet from mixed parts (ids look like Google's).
fn id_chars(parts: &[u64], len: usize) -> String {
    let mut bytes = Vec::with_capacity(len);
    let mut counter = 0u64;
    while bytes.len() * 4 / 3 < len + 2 {
        let mut with_counter = parts.to_vec();
        with_counter.push(counter);
        bytes.extend_from_slice(&mix(&with_counter).to_le_bytes());
        counter += 1;
    }
    URL_SAFE_NO_PAD.encode(bytes).chars().take(len).collect()
}

fn pick<'a>(list: &[&'a str], value: u64) -> &'a str {
    list.get((value % list.len().max(1) as u64) as usize)
        .copied()
        .unwrap_or_default()
}

fn fill(template: &str, topic: &str, n: u64) -> String {
    template
        .replace("{topic}", topic)
        .replace("{n}", &n.to_string())
}

// Purposes, so each random draw of one thing is independent of the others.
const KIND: u64 = 1;
const PRIVACY: u64 = 2;
const VIEWS: u64 = 3;
const TAU: u64 = 4;
const RATES: u64 = 5;
const TEXT: u64 = 6;
const TIME: u64 = 7;
const FLAGS: u64 = 8;
const DURATION: u64 = 9;
const IDS: u64 = 10;

impl Catalog {
    pub(crate) fn generate(seed: u64, specs: &[AccountSpec], start: DateTime<Utc>) -> Self {
        let accounts = specs
            .iter()
            .enumerate()
            .map(|(index, spec)| {
                let account = index as u64;
                let sub = format!(
                    "1{:020}",
                    mix(&[seed, IDS, account]) % 10_000_000_000_000_000_000
                );
                let channel = spec
                    .channel
                    .as_ref()
                    .map(|channel| generate_channel(seed, account, channel, start));
                AccountRecord {
                    spec: spec.clone(),
                    sub,
                    channel,
                }
            })
            .collect();
        Self { start, accounts }
    }
}

fn generate_channel(
    seed: u64,
    account: u64,
    spec: &ChannelSpec,
    start: DateTime<Utc>,
) -> ChannelRecord {
    let suffix = id_chars(&[seed, IDS, account, 1], 22);
    let id = format!("UC{suffix}");
    let uploads_playlist_id = format!("UU{suffix}");
    let uploads = u64::from(spec.uploads);
    // Uploads spread over up to five years, at least six hours apart and at most a week.
    let spacing_hours = (5 * 365 * 24 / uploads.max(1)).clamp(6, 7 * 24) as i64;
    let deleted_every = if spec.deleted == 0 {
        u64::MAX
    } else {
        (uploads / u64::from(spec.deleted)).max(1)
    };
    let mut videos = Vec::with_capacity(spec.uploads as usize);
    for index in 0..uploads {
        let parts = |purpose: u64| [seed, account, index, purpose];
        let kind = if spec.live && index == 0 {
            VideoKind::Upcoming
        } else if spec.live && index == 1 {
            VideoKind::LiveNow
        } else {
            let roll = unit(&parts(KIND)) * 100.0;
            if roll < f64::from(spec.shorts_percent) {
                VideoKind::Short
            } else if spec.live && roll > 88.0 {
                VideoKind::LiveVod
            } else {
                VideoKind::LongForm
            }
        };
        let privacy_roll = unit(&parts(PRIVACY)) * 100.0;
        let privacy = if matches!(kind, VideoKind::Upcoming | VideoKind::LiveNow) {
            Privacy::Public
        } else if privacy_roll < f64::from(spec.private_percent) {
            Privacy::Private
        } else if privacy_roll < f64::from(spec.private_percent) + f64::from(spec.unlisted_percent)
        {
            Privacy::Unlisted
        } else {
            Privacy::Public
        };
        // Deleted uploads sit among the older ones, never the two newest.
        let deleted = index >= 2 && index % deleted_every == deleted_every / 2;
        let jitter = (unit(&parts(TIME)) * spacing_hours as f64 * 30.0) as i64;
        let uploaded_at =
            start - Duration::hours(spacing_hours * index as i64) - Duration::minutes(jitter + 45);
        let published_at = match kind {
            VideoKind::Upcoming => start + Duration::days(2) + Duration::hours(3),
            VideoKind::LiveNow => start - Duration::minutes(95),
            _ => uploaded_at,
        };
        let duration_secs = match kind {
            VideoKind::Short => 12 + (unit(&parts(DURATION)) * 168.0) as u64,
            VideoKind::LongForm => 181 + (unit(&parts(DURATION)) * 2_400.0) as u64,
            VideoKind::LiveVod => 3_600 + (unit(&parts(DURATION)) * 14_400.0) as u64,
            VideoKind::LiveNow | VideoKind::Upcoming => 0,
        };
        let reach = spec.subscribers.max(50) as f64;
        let mut final_views = reach * (0.02 + unit(&parts(VIEWS)) * 0.5);
        if kind == VideoKind::Short {
            final_views *= 1.6;
        }
        match privacy {
            Privacy::Private => final_views = (unit(&parts(VIEWS)) * 20.0).floor(),
            Privacy::Unlisted => final_views *= 0.04,
            Privacy::Public => {}
        }
        let tau_days = match kind {
            VideoKind::Short => 1.5 + unit(&parts(TAU)) * 4.0,
            VideoKind::LiveNow => 0.1,
            VideoKind::LiveVod => 0.8 + unit(&parts(TAU)) * 3.0,
            _ => 3.0 + unit(&parts(TAU)) * 17.0,
        };
        let text = mix(&parts(TEXT));
        let topic = pick(words::TOPICS, text);
        let template_list = match kind {
            VideoKind::Short => words::SHORT_TITLES,
            VideoKind::LiveVod | VideoKind::LiveNow | VideoKind::Upcoming => words::LIVE_TITLES,
            VideoKind::LongForm => words::LONG_TITLES,
        };
        let title = fill(pick(template_list, text >> 8), topic, 2 + (text >> 16) % 9);
        let description = fill(pick(words::DESCRIPTIONS, text >> 24), topic, 0);
        let tags = (0..(text >> 32) % 4)
            .map(|k| pick(words::TAGS, (text >> 36).wrapping_add(k)).to_owned())
            .collect();
        let flags = mix(&parts(FLAGS));
        let video_id = id_chars(&[seed, IDS, account, 2, index], 11);
        let playlist_item_id = URL_SAFE_NO_PAD.encode(format!("{uploads_playlist_id}.{video_id}"));
        videos.push(VideoRecord {
            id: video_id,
            playlist_item_id,
            kind,
            privacy,
            deleted,
            published_at,
            uploaded_at,
            duration_secs,
            title,
            description,
            tags,
            category_id: pick(&["22", "24", "26", "27", "20", "10"], flags),
            likes_hidden: flags % 17 == 3,
            comments_disabled: flags % 13 == 5,
            hd: !flags.is_multiple_of(5),
            captions: flags.is_multiple_of(3),
            big_thumbnails: flags % 7 == 1,
            final_views,
            tau_days,
            like_rate: 0.01 + unit(&parts(RATES)) * 0.05,
            comment_rate: 0.001 + unit(&[seed, account, index, RATES, 1]) * 0.004,
            watch_fraction: 0.25 + unit(&[seed, account, index, RATES, 2]) * 0.5,
        });
    }
    let oldest = videos
        .last()
        .map_or(start - Duration::days(400), |video| video.uploaded_at);
    let channel_text = mix(&[seed, account, TEXT]);
    ChannelRecord {
        id,
        uploads_playlist_id,
        description: format!(
            "{} — new videos every week. Business: hello@{}.example",
            spec.title,
            spec.handle.trim_start_matches('@')
        ),
        country: pick(words::COUNTRIES, channel_text),
        published_at: oldest - Duration::days(30 + (channel_text % 200) as i64),
        subscriber_rate: spec.subscribers as f64 * 0.0012,
        videos,
    }
}

/// A thumbnail URL of the sandbox's stand-in image host.
pub(crate) fn thumbnail_url(base: &url::Url, path: &str) -> String {
    format!("{base}sandbox/cdn/{path}")
}

/// A test start time.
#[cfg(test)]
pub(crate) fn test_start() -> DateTime<Utc> {
    DateTime::parse_from_rfc3339("2026-12-05T12:00:00Z")
        .map(|time| time.with_timezone(&Utc))
        .unwrap_or_default()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn generation_is_deterministic_and_ids_look_like_googles() {
        let a = Catalog::generate(7, &AccountSpec::defaults(), test_start());
        let b = Catalog::generate(7, &AccountSpec::defaults(), test_start());
        let channel = a.accounts[0].channel.as_ref().expect("a channel");
        let again = b.accounts[0].channel.as_ref().expect("a channel");
        assert_eq!(channel.id, again.id);
        assert_eq!(channel.id.len(), 24);
        assert!(channel.id.starts_with("UC"));
        assert_eq!(channel.uploads_playlist_id[2..], channel.id[2..]);
        assert_eq!(channel.videos.len(), 24);
        assert!(channel.videos.iter().all(|video| video.id.len() == 11));
        assert_eq!(a.accounts[0].sub.len(), 21);
        assert!(a.accounts[2].channel.is_none());
        let other = Catalog::generate(8, &AccountSpec::defaults(), test_start());
        assert_ne!(
            other.accounts[0].channel.as_ref().expect("a channel").id,
            channel.id
        );
    }

    #[test]
    fn uploads_are_newest_first_with_every_kind_on_the_live_channel() {
        let catalog = Catalog::generate(42, &AccountSpec::defaults(), test_start());
        let live = catalog.accounts[3].channel.as_ref().expect("a channel");
        let kinds: Vec<VideoKind> = live.videos.iter().map(|video| video.kind).collect();
        assert_eq!(kinds[0], VideoKind::Upcoming);
        assert_eq!(kinds[1], VideoKind::LiveNow);
        for wanted in [VideoKind::Short, VideoKind::LongForm, VideoKind::LiveVod] {
            assert!(kinds.contains(&wanted), "{wanted:?}");
        }
        assert_eq!(live.videos.iter().filter(|video| video.deleted).count(), 2);
        assert!(
            live.videos
                .iter()
                .any(|video| video.privacy == Privacy::Private)
        );
        assert!(
            live.videos
                .iter()
                .any(|video| video.privacy == Privacy::Unlisted)
        );
        assert!(
            live.videos
                .windows(2)
                .all(|pair| pair[0].uploaded_at >= pair[1].uploaded_at)
        );
        assert!(
            live.videos
                .iter()
                .filter(|video| video.kind == VideoKind::Short)
                .all(|video| video.duration_secs <= 180)
        );
        let large = catalog.accounts[1].channel.as_ref().expect("a channel");
        assert_eq!(large.videos.len(), 1_250);
    }
}

//! The seeded accounts: what is configured ([`AccountSpec`]) and what is generated from it
//! (ids, profile, media), deterministically from the seed and the start time.

use chrono::{DateTime, Duration, TimeZone as _, Utc};
use serde::{Deserialize, Serialize};

use crate::media::{MediaRecord, generate_media, generate_stories};

/// The kind of Instagram account.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum AccountKind {
    /// A Business account (`account_type` `BUSINESS`).
    Business,
    /// A Creator account (`account_type` `MEDIA_CREATOR`).
    Creator,
    /// A personal account: shown on the consent page, but it cannot log in.
    Personal,
}

impl AccountKind {
    /// The `account_type` value on the wire.
    pub fn wire(self) -> &'static str {
        match self {
            AccountKind::Business => "BUSINESS",
            AccountKind::Creator => "MEDIA_CREATOR",
            AccountKind::Personal => "PERSONAL",
        }
    }
}

/// One account to seed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AccountSpec {
    /// The username (unique in the sandbox).
    pub username: String,
    /// Business, Creator or personal.
    pub kind: AccountKind,
    /// Followers on the first day (under 100, some insights are unavailable).
    pub followers: u64,
    /// Media on the account (feed posts, reels, carousels), newest first.
    pub media: u32,
    /// Live stories (at most 24 hours old at the start).
    pub stories: u32,
}

impl AccountSpec {
    /// A Business account.
    pub fn business(username: impl Into<String>, followers: u64, media: u32) -> Self {
        Self::of(AccountKind::Business, username, followers, media)
    }

    /// A Creator account.
    pub fn creator(username: impl Into<String>, followers: u64, media: u32) -> Self {
        Self::of(AccountKind::Creator, username, followers, media)
    }

    /// A personal account (cannot log in).
    pub fn personal(username: impl Into<String>, followers: u64, media: u32) -> Self {
        Self::of(AccountKind::Personal, username, followers, media)
    }

    fn of(kind: AccountKind, username: impl Into<String>, followers: u64, media: u32) -> Self {
        Self {
            username: username.into(),
            kind,
            followers,
            media,
            stories: 0,
        }
    }

    /// Sets the number of live stories.
    pub fn with_stories(mut self, stories: u32) -> Self {
        self.stories = stories;
        self
    }

    /// The default accounts: a large Business account, a small Creator account (under 100
    /// followers), a large Creator account, and a personal account.
    pub fn defaults() -> Vec<Self> {
        vec![
            Self::business("metricsaurus", 12_034, 40).with_stories(2),
            Self::creator("tiny.studio", 85, 8).with_stories(1),
            Self::creator("ana.makes", 250_000, 120).with_stories(1),
            Self::personal("personal.pat", 40, 5),
        ]
    }
}

/// A generated account.
#[derive(Debug, Clone)]
pub(crate) struct AccountRecord {
    pub(crate) spec: AccountSpec,
    /// The Instagram professional account id (17 digits).
    pub(crate) ig_user_id: String,
    /// The app-scoped user id (16 digits).
    pub(crate) app_scoped_id: String,
    pub(crate) name: String,
    pub(crate) biography: String,
    pub(crate) website: Option<String>,
    pub(crate) follows: u64,
    pub(crate) daily_followers: u64,
    /// Impressions of the last 24 hours (drives the call budget).
    pub(crate) daily_impressions: u64,
    /// When the account became professional: insights of older media are unavailable.
    pub(crate) professional_since: DateTime<Utc>,
    /// Media, newest first.
    pub(crate) media: Vec<MediaRecord>,
    pub(crate) stories: Vec<MediaRecord>,
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

/// A decimal id of `digits` digits (the first never 0) from a mixed value.
pub(crate) fn digits_id(prefix: &str, value: u64, digits: usize) -> String {
    let body = format!("{:020}", value);
    let needed = digits.saturating_sub(prefix.len());
    format!("{prefix}{}", &body[body.len() - needed..])
}

const NAMES: [&str; 8] = [
    "Metricsaurus",
    "Tiny Studio",
    "Ana Makes Things",
    "Pat",
    "Lumen & Co",
    "Café Ørsted",
    "Nightjar Prints",
    "Juno \"JJ\" Park",
];

const BIOS: [&str; 4] = [
    "Dino data crunching app 🦖",
    "Small studio, <big> ideas & coffee",
    "",
    "Making things by hand. Links below 👇",
];

/// All accounts of a sandbox.
#[derive(Debug)]
pub(crate) struct Catalog {
    pub(crate) accounts: Vec<AccountRecord>,
    /// The start time: follower growth and the "professional since" dates count from it.
    pub(crate) start: DateTime<Utc>,
}

impl Catalog {
    pub(crate) fn generate(seed: u64, specs: &[AccountSpec], start: DateTime<Utc>) -> Self {
        let accounts = specs
            .iter()
            .enumerate()
            .map(|(index, spec)| generate_account(seed, index as u64, spec, start))
            .collect();
        Self { accounts, start }
    }

    /// The account with this Instagram user id or app-scoped id.
    pub(crate) fn account(&self, id: &str) -> Option<(usize, &AccountRecord)> {
        self.accounts
            .iter()
            .enumerate()
            .find(|(_, account)| account.ig_user_id == id || account.app_scoped_id == id)
    }

    /// The media (or story, or carousel child) with this id, and its owner's index.
    pub(crate) fn media(&self, id: &str) -> Option<(usize, &MediaRecord)> {
        self.accounts
            .iter()
            .enumerate()
            .find_map(|(index, account)| {
                account
                    .media
                    .iter()
                    .chain(account.stories.iter())
                    .find_map(|media| media.find(id))
                    .map(|media| (index, media))
            })
    }
}

fn generate_account(
    seed: u64,
    index: u64,
    spec: &AccountSpec,
    start: DateTime<Utc>,
) -> AccountRecord {
    let value = |purpose: u64| mix(&[seed, index, purpose]);
    let ig_user_id = digits_id("17841", value(1), 17);
    let app_scoped_id = digits_id("9", value(2), 16);
    let name = NAMES[(index as usize) % NAMES.len()].to_owned();
    let biography = BIOS[(value(3) % BIOS.len() as u64) as usize].to_owned();
    let website = (value(4) % 2 == 0)
        .then(|| format!("https://{}.example/", spec.username.replace('.', "-")));
    let daily_followers = (spec.followers / 500).max(1);
    // Media are spread over the past, one every ~2.3 days; the oldest tenth predate the
    // account's switch to a professional account.
    let span_hours = i64::from(spec.media) * 55;
    let professional_since = start - Duration::hours(span_hours * 9 / 10);
    let media = generate_media(seed, index, &ig_user_id, spec, start);
    let stories = generate_stories(seed, index, &ig_user_id, spec, start);
    AccountRecord {
        spec: spec.clone(),
        ig_user_id,
        app_scoped_id,
        name,
        biography,
        website,
        follows: 50 + value(5) % 900,
        daily_followers,
        daily_impressions: (spec.followers / 4).max(1),
        professional_since,
        media,
        stories,
    }
}

impl AccountRecord {
    /// Followers at `now`: grows by about `daily_followers` a day from the start.
    pub(crate) fn followers_at(&self, start: DateTime<Utc>, now: DateTime<Utc>) -> u64 {
        let days = u64::try_from((now - start).num_days()).unwrap_or(0);
        self.spec.followers + self.daily_followers * days
    }

    /// New followers on the day ending at `day_end` (for `follower_count`).
    pub(crate) fn new_followers_on(&self, day_end: DateTime<Utc>) -> u64 {
        let jitter =
            mix(&[self.daily_followers, day_end.timestamp() as u64]) % self.daily_followers.max(1);
        self.daily_followers / 2 + jitter
    }

    /// Media published on or before `now`.
    pub(crate) fn media_at(&self, now: DateTime<Utc>) -> impl Iterator<Item = &MediaRecord> {
        self.media
            .iter()
            .filter(move |media| media.created_at <= now)
    }

    /// Stories live at `now` (published, under 24 hours old).
    pub(crate) fn live_stories(&self, now: DateTime<Utc>) -> impl Iterator<Item = &MediaRecord> {
        self.stories.iter().filter(move |story| {
            story.created_at <= now && now - story.created_at < Duration::hours(24)
        })
    }

    pub(crate) fn is_small(&self) -> bool {
        self.spec.followers < 100
    }
}

/// A fixed instant, for tests.
#[cfg(test)]
pub(crate) fn test_start() -> DateTime<Utc> {
    Utc.with_ymd_and_hms(2026, 11, 25, 12, 0, 0)
        .single()
        .unwrap_or_default()
}

/// 2024-07-02 00:00 UTC: `impressions` is gone for media created from then on.
pub(crate) fn impressions_cutoff() -> DateTime<Utc> {
    Utc.with_ymd_and_hms(2024, 7, 2, 0, 0, 0)
        .single()
        .unwrap_or_default()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn generation_is_deterministic_and_ids_are_long_strings() {
        let first = Catalog::generate(7, &AccountSpec::defaults(), test_start());
        let again = Catalog::generate(7, &AccountSpec::defaults(), test_start());
        for (a, b) in first.accounts.iter().zip(&again.accounts) {
            assert_eq!(a.ig_user_id, b.ig_user_id);
            assert_eq!(a.ig_user_id.len(), 17);
            assert!(a.ig_user_id.starts_with("17841"));
            assert_eq!(a.app_scoped_id.len(), 16);
            assert_ne!(a.ig_user_id, a.app_scoped_id);
            assert_eq!(a.media.len(), a.spec.media as usize);
        }
        let other = Catalog::generate(8, &AccountSpec::defaults(), test_start());
        assert_ne!(first.accounts[0].ig_user_id, other.accounts[0].ig_user_id);
    }

    #[test]
    fn followers_grow_daily() {
        let catalog = Catalog::generate(7, &AccountSpec::defaults(), test_start());
        let account = &catalog.accounts[0];
        let later = test_start() + Duration::days(3);
        assert!(
            account.followers_at(test_start(), later)
                > account.followers_at(test_start(), test_start())
        );
    }
}

//! Deterministic generation of creators and their videos from the seed.

use std::collections::{HashMap, HashSet};

use chrono::{DateTime, Utc};
use rand::seq::SliceRandom;
use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;

use super::words::{FIRST_NAMES, LAST_NAMES, NICHES, Niche};
use crate::clock::day_of;
use crate::config::VideosPerCreator;

/// Characters of an open_id after its `-000` prefix (TikTok's look URL-safe base64).
const OPEN_ID_ALPHABET: &[u8] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";

/// Stream ids that keep the per-purpose random streams apart.
const STREAM_CREATOR: u64 = 1;
const STREAM_VIDEO_COUNT: u64 = 2;

/// SplitMix64: turns (seed, parts...) into a well-mixed 64-bit value.
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

/// One generated video: its fixed attributes and the parameters of its metric growth.
#[derive(Debug, Clone)]
pub(crate) struct VideoRecord {
    pub(crate) id: String,
    pub(crate) create_time: i64,
    pub(crate) title: String,
    pub(crate) description: String,
    pub(crate) duration: u32,
    pub(crate) width: u32,
    pub(crate) height: u32,
    pub(crate) base_views: u64,
    pub(crate) daily_views: u64,
    pub(crate) like_ppm: u64,
    pub(crate) comment_ppm: u64,
    pub(crate) share_ppm: u64,
    pub(crate) metric_seed: u64,
}

/// One generated creator and their videos, newest first.
#[derive(Debug, Clone)]
pub(crate) struct CreatorRecord {
    pub(crate) open_id: String,
    pub(crate) union_id: String,
    pub(crate) username: String,
    pub(crate) display_name: String,
    pub(crate) bio: String,
    pub(crate) is_verified: bool,
    pub(crate) deep_link_query: String,
    pub(crate) avatar_hue: u16,
    pub(crate) base_followers: u64,
    pub(crate) daily_followers: u64,
    pub(crate) base_following: u64,
    pub(crate) base_likes: u64,
    pub(crate) metric_seed: u64,
    pub(crate) videos: Vec<VideoRecord>,
}

/// All creators of a sandbox, with lookups by open_id and video id.
#[derive(Debug)]
pub(crate) struct Catalog {
    pub(crate) creators: Vec<CreatorRecord>,
    /// The day creator metrics grow from (the initial clock's day).
    pub(crate) anchor_day: i64,
    by_open_id: HashMap<String, usize>,
}

impl Catalog {
    /// Generates the creators for `seed`; the same seed and start day give the same data.
    pub(crate) fn generate(
        seed: u64,
        creator_count: u32,
        videos: &VideosPerCreator,
        start: DateTime<Utc>,
    ) -> Self {
        let anchor_day = day_of(start);
        let counts = video_counts(seed, creator_count, videos);
        let mut used_handles = HashSet::new();
        let creators: Vec<CreatorRecord> = counts
            .iter()
            .enumerate()
            .map(|(index, &count)| {
                generate_creator(seed, index as u64, count, anchor_day, &mut used_handles)
            })
            .collect();
        let by_open_id = creators
            .iter()
            .enumerate()
            .map(|(index, creator)| (creator.open_id.clone(), index))
            .collect();
        Self {
            creators,
            anchor_day,
            by_open_id,
        }
    }

    pub(crate) fn creator(&self, open_id: &str) -> Option<&CreatorRecord> {
        self.by_open_id
            .get(open_id)
            .and_then(|&index| self.creators.get(index))
    }
}

fn video_counts(seed: u64, creator_count: u32, videos: &VideosPerCreator) -> Vec<u32> {
    match videos {
        VideosPerCreator::Fixed(count) => vec![*count; creator_count as usize],
        VideosPerCreator::List(counts) => counts.clone(),
        VideosPerCreator::Range(range) => (0..u64::from(creator_count))
            .map(|index| {
                let mut rng = ChaCha8Rng::seed_from_u64(mix(&[seed, STREAM_VIDEO_COUNT, index]));
                rng.gen_range(range.clone())
            })
            .collect(),
    }
}

fn pick<'a, T>(rng: &mut ChaCha8Rng, items: &'a [T]) -> &'a T {
    items
        .choose(rng)
        .expect("the word lists are non-empty constants")
}

fn random_string(rng: &mut ChaCha8Rng, alphabet: &[u8], len: usize) -> String {
    (0..len).map(|_| char::from(*pick(rng, alphabet))).collect()
}

/// Lowercase ASCII letters of a name, for handles (`Chloé` -> `chlo`, `O'Brien` -> `obrien`).
fn handle_part(name: &str) -> String {
    name.chars()
        .filter(char::is_ascii_alphabetic)
        .map(|c| c.to_ascii_lowercase())
        .collect()
}

fn fill_number(template: &str, rng: &mut ChaCha8Rng) -> String {
    template.replace("{n}", &rng.gen_range(2..60).to_string())
}

fn generate_creator(
    seed: u64,
    index: u64,
    video_count: u32,
    anchor_day: i64,
    used_handles: &mut HashSet<String>,
) -> CreatorRecord {
    let mut rng = ChaCha8Rng::seed_from_u64(mix(&[seed, STREAM_CREATOR, index]));
    let first = *pick(&mut rng, FIRST_NAMES);
    let last = *pick(&mut rng, LAST_NAMES);
    let niche = pick(&mut rng, NICHES);

    let base_handle = match rng.gen_range(0..4) {
        0 => format!("{}.{}", handle_part(first), handle_part(last)),
        1 => format!("{}_{}", handle_part(first), niche.handle_word),
        2 => format!("{}{}", handle_part(first), handle_part(last)),
        _ => format!("the.{}.{}", handle_part(first), niche.handle_word),
    };
    let mut username = base_handle.clone();
    let mut suffix = 2;
    while !used_handles.insert(username.clone()) {
        username = format!("{base_handle}{suffix}");
        suffix += 1;
    }

    let display_name = match rng.gen_range(0..3) {
        0 => format!("{first} {last}"),
        1 => format!("{first} {last} {}", niche.emoji),
        _ => format!("{first} | {}", capitalise(niche.handle_word)),
    };
    let bio = fill_number(pick::<&str>(&mut rng, niche.bios), &mut rng);
    let is_verified = rng.gen_bool(0.3);
    let open_id = format!("-000{}", random_string(&mut rng, OPEN_ID_ALPHABET, 36));
    let union_id = format!("-000{}", random_string(&mut rng, OPEN_ID_ALPHABET, 36));
    let deep_link_query = format!(
        "_t=8{}&_r=1",
        random_string(
            &mut rng,
            b"abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789",
            10
        )
    );
    let avatar_hue = rng.gen_range(0..360);

    // Follower counts spread over orders of magnitude, like real creators.
    let base_followers = 10_f64.powf(rng.gen_range(2.5..6.5)) as u64;
    let daily_followers = (base_followers / rng.gen_range(200..2_000)).max(1);
    let base_following = rng.gen_range(20..900);
    let base_likes = rng.gen_range(0..5_000);
    let metric_seed = rng.r#gen();

    let videos = generate_videos(&mut rng, niche, video_count, anchor_day, base_followers);

    CreatorRecord {
        open_id,
        union_id,
        username,
        display_name,
        bio,
        is_verified,
        deep_link_query,
        avatar_hue,
        base_followers,
        daily_followers,
        base_following,
        base_likes,
        metric_seed,
        videos,
    }
}

fn capitalise(word: &str) -> String {
    let mut chars = word.chars();
    match chars.next() {
        Some(first) => first.to_uppercase().chain(chars).collect(),
        None => String::new(),
    }
}

/// Videos newest first, with distinct create times (whole seconds) so a millisecond cursor
/// never skips or repeats one.
fn generate_videos(
    rng: &mut ChaCha8Rng,
    niche: &Niche,
    count: u32,
    anchor_day: i64,
    followers: u64,
) -> Vec<VideoRecord> {
    let day_start = anchor_day * 86_400;
    // Spread the back catalogue over up to about three years.
    let span = (i64::from(count) * 2 * 86_400).min(3 * 365 * 86_400);
    let mean_gap = (span / i64::from(count.max(1))).max(120);
    let mut create_time = day_start - rng.gen_range(3_600..3 * 86_400);
    let mut videos = Vec::with_capacity(count as usize);
    for _ in 0..count {
        let title = fill_number(pick::<&str>(rng, niche.titles), rng);
        let description = if title.is_empty() {
            niche.hashtags.to_owned()
        } else {
            format!("{title} {}", niche.hashtags)
        };
        let (width, height) = *pick(rng, &[(576_u32, 1024_u32), (720, 1280), (1080, 1920)]);
        // Views follow the audience: from a sixth of the followers to three times as many, so
        // engagement over followers lands in the few-percent range real creators see.
        let base_views = ((followers as f64) * 10_f64.powf(rng.gen_range(-0.8..0.5))) as u64 + 50;
        // Video ids are snowflakes: the create time in the high bits, like TikTok's 19-digit ids.
        let id = ((create_time as u64) << 32) | u64::from(rng.r#gen::<u32>());
        videos.push(VideoRecord {
            id: id.to_string(),
            create_time,
            title,
            description,
            duration: rng.gen_range(7..180),
            width,
            height,
            base_views,
            daily_views: (base_views / rng.gen_range(20..400)).max(1),
            like_ppm: rng.gen_range(20_000..120_000),
            comment_ppm: rng.gen_range(1_000..10_000),
            share_ppm: rng.gen_range(500..5_000),
            metric_seed: rng.r#gen(),
        });
        create_time -= rng.gen_range(mean_gap / 2..=mean_gap * 3 / 2).max(1);
    }
    videos
}

#[cfg(test)]
mod tests {
    use super::*;

    fn start() -> DateTime<Utc> {
        DateTime::from_timestamp(1_764_061_200, 0).expect("valid time")
    }

    #[test]
    fn same_seed_gives_the_same_creators() {
        let first = Catalog::generate(7, 4, &VideosPerCreator::Range(0..=50), start());
        let second = Catalog::generate(7, 4, &VideosPerCreator::Range(0..=50), start());
        let ids = |catalog: &Catalog| -> Vec<(String, String, usize)> {
            catalog
                .creators
                .iter()
                .map(|c| (c.open_id.clone(), c.username.clone(), c.videos.len()))
                .collect()
        };
        assert_eq!(ids(&first), ids(&second));
        let other = Catalog::generate(8, 4, &VideosPerCreator::Range(0..=50), start());
        assert_ne!(ids(&first), ids(&other));
    }

    #[test]
    fn explicit_counts_give_one_creator_each() {
        let catalog = Catalog::generate(1, 99, &VideosPerCreator::List(vec![95, 0, 120]), start());
        let counts: Vec<usize> = catalog.creators.iter().map(|c| c.videos.len()).collect();
        assert_eq!(counts, vec![95, 0, 120]);
    }

    #[test]
    fn videos_are_newest_first_with_distinct_times_and_19_digit_ids() {
        let catalog = Catalog::generate(3, 2, &VideosPerCreator::Fixed(1_000), start());
        for creator in &catalog.creators {
            assert!(creator.videos.windows(2).all(|pair| {
                pair.first().map(|v| v.create_time) > pair.get(1).map(|v| v.create_time)
            }));
            for video in &creator.videos {
                assert_eq!(video.id.len(), 19, "{}", video.id);
                assert!(video.id.parse::<u64>().is_ok_and(|id| id > 1 << 53));
                assert!(video.create_time < start().timestamp());
            }
        }
    }

    #[test]
    fn handles_are_unique_and_open_ids_look_like_tiktoks() {
        let catalog = Catalog::generate(11, 200, &VideosPerCreator::Fixed(0), start());
        let handles: HashSet<&str> = catalog
            .creators
            .iter()
            .map(|c| c.username.as_str())
            .collect();
        assert_eq!(handles.len(), 200);
        for creator in &catalog.creators {
            assert!(creator.open_id.starts_with("-000"));
            assert!(catalog.creator(&creator.open_id).is_some());
            assert!(
                creator
                    .username
                    .chars()
                    .all(|c| c.is_ascii_alphanumeric() || c == '.' || c == '_')
            );
        }
    }

    #[test]
    fn some_bios_need_escaping() {
        let catalog = Catalog::generate(5, 200, &VideosPerCreator::Fixed(0), start());
        assert!(catalog.creators.iter().any(|c| c.bio.contains('<')));
        assert!(catalog.creators.iter().any(|c| c.bio.contains('&')));
        assert!(catalog.creators.iter().any(|c| c.bio.contains('"')));
        assert!(catalog.creators.iter().any(|c| c.is_verified));
    }
}

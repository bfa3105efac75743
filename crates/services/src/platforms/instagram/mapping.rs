//! Translation from Instagram's wire types (instagram-client) to the platform-neutral domain
//! types. A counter Instagram did not give is `None`, never 0.

use domain::{Profile, SyncedVideo, VideoCounts};
use instagram_client::{Media, MediaInsights, MediaMetric, MediaProductType, MediaType};

/// The domain profile of an Instagram professional account. The account is keyed on its
/// Instagram user id (`user_id`, the id of `/{ig-user-id}` paths and of Meta's callbacks);
/// the app-scoped id (`id`) is kept beside it, for callbacks that name that one.
pub(super) fn profile_from(profile: instagram_client::Profile) -> Profile {
    let (account_id, other_id) = match profile.user_id {
        Some(user_id) if user_id != profile.id => (user_id, Some(profile.id)),
        Some(user_id) => (user_id, None),
        None => (profile.id, None),
    };
    let count = |value: Option<u64>| value.and_then(|value| i64::try_from(value).ok());
    Profile {
        platform_account_id: account_id,
        union_id: other_id,
        profile_deep_link: profile
            .username
            .as_deref()
            .map(|username| format!("https://www.instagram.com/{username}/")),
        username: profile.username,
        display_name: profile.name,
        avatar_url: profile.profile_picture_url,
        bio: profile.biography,
        is_verified: false,
        follower_count: count(profile.followers_count),
        following_count: count(profile.follows_count),
        // Instagram has no account-wide likes total.
        likes_count: None,
        video_count: count(profile.media_count),
    }
}

/// What kind of post a media is, in Instagram's words: `REELS` and `STORY` by product,
/// else the media type (`IMAGE`, `VIDEO`, `CAROUSEL_ALBUM`).
pub(super) fn media_type(media: &Media) -> String {
    match media.product_type() {
        MediaProductType::Reels => "REELS".to_owned(),
        MediaProductType::Story => "STORY".to_owned(),
        _ => match &media.media_type {
            Some(MediaType::Image) => "IMAGE".to_owned(),
            Some(MediaType::Video) => "VIDEO".to_owned(),
            Some(MediaType::CarouselAlbum) => "CAROUSEL_ALBUM".to_owned(),
            Some(MediaType::Other(other)) => other.clone(),
            Some(_) | None => "FEED".to_owned(),
        },
    }
}

/// The domain post of a media and (when read) its insights: likes and comments from the
/// media's own fields (absent when the owner hides likes), views, reach, saves and shares
/// from insights.
pub(super) fn post_from(media: Media, insights: Option<&MediaInsights>) -> SyncedVideo {
    let metric = |which: MediaMetric| {
        insights
            .and_then(|insights| insights.get(which))
            .and_then(|value| value.as_i64())
    };
    let count = |value: Option<u64>| value.and_then(|value| i64::try_from(value).ok());
    SyncedVideo {
        media_type: Some(media_type(&media)),
        counts: VideoCounts {
            views: metric(MediaMetric::Views),
            likes: count(media.like_count).or_else(|| metric(MediaMetric::Likes)),
            comments: count(media.comments_count).or_else(|| metric(MediaMetric::Comments)),
            shares: metric(MediaMetric::Shares),
            reach: metric(MediaMetric::Reach),
            saves: metric(MediaMetric::Saved),
        },
        cover_image_url: media.thumbnail_url.or(media.media_url),
        platform_video_id: media.id,
        title: None,
        description: media.caption,
        duration_seconds: None,
        share_url: media.permalink,
        embed_link: None,
        posted_at: media.timestamp,
        // The caller says whether the insights were read.
        counters_read: true,
    }
}

//! Translation from TikTok's wire types (tiktok-client) to the platform-neutral domain types.

use domain::{Profile, SyncedVideo, VideoCounts};
use tiktok_client::{UserInfo, Video as TikTokVideo};

use super::deep_link::username_from_profile_deep_link;

/// The domain profile of a TikTok user. The username comes from `username` when the granted
/// scope returned it, else from the path of `profile_deep_link`.
pub fn profile_from_user_info(user: UserInfo) -> Profile {
    let username = user.username.filter(|name| !name.is_empty()).or_else(|| {
        user.profile_deep_link
            .as_deref()
            .and_then(username_from_profile_deep_link)
    });
    Profile {
        platform_account_id: user.open_id,
        union_id: user.union_id,
        username,
        display_name: user.display_name,
        avatar_url: user
            .avatar_url
            .or(user.avatar_url_100)
            .or(user.avatar_large_url),
        bio: user.bio_description,
        is_verified: user.is_verified.unwrap_or(false),
        profile_deep_link: user.profile_deep_link,
        follower_count: user.follower_count,
        following_count: user.following_count,
        likes_count: user.likes_count,
        video_count: user.video_count,
    }
}

/// The domain video of a TikTok video. A counter TikTok left out is unknown (`None`), never
/// taken for 0; TikTok has no reach or saves.
pub fn video_from_tiktok(video: TikTokVideo) -> SyncedVideo {
    let posted_at = video.created_at();
    SyncedVideo {
        platform_video_id: video.id,
        title: video.title,
        description: video.video_description,
        duration_seconds: video.duration.map(i64::from),
        cover_image_url: video.cover_image_url,
        share_url: video.share_url,
        embed_link: video.embed_link,
        posted_at,
        media_type: None,
        counts: VideoCounts {
            views: video.view_count,
            likes: video.like_count,
            comments: video.comment_count,
            shares: video.share_count,
            reach: None,
            saves: None,
        },
        // Every counter comes with the list.
        counters_read: true,
    }
}

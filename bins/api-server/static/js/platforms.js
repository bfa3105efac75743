// What the UI knows about each platform: its name, logo, button colours, what its scopes
// govern, its profile links, the stats and table columns it has, and its attribution. Adding a
// platform to the UI means adding its entry here (and a logo module); the components and the
// dashboard read everything else from the API.

import { createInstagramLogo } from './components/instagram-logo.js';
import { createTikTokLogo } from './components/tiktok-logo.js';
import { createYouTubeLogo } from './components/youtube-logo.js';

/** Table columns every platform has, in display order (`sort` is the API's sort key). */
const COMMON_COLUMNS = {
  views: { id: 'views', label: 'Views', sort: 'views', field: 'viewCount' },
  likes: { id: 'likes', label: 'Likes', sort: 'likes', field: 'likeCount' },
  comments: { id: 'comments', label: 'Comments', sort: 'comments', field: 'commentCount' },
  shares: { id: 'shares', label: 'Shares', sort: 'shares', field: 'shareCount' },
  reach: { id: 'reach', label: 'Reach', field: 'reachCount' },
  saves: { id: 'saves', label: 'Saves', field: 'saveCount' },
};

export const PLATFORMS = {
  tiktok: {
    id: 'tiktok',
    name: 'TikTok',
    // `button`: on the black button and badge; `brand`: on a light background.
    logo: ({ size, variant }) => {
      const map = { button: 'brand', brand: 'brand-light', mono: 'mono' };
      return createTikTokLogo({ size, variant: map[variant] || 'brand-light' });
    },
    button: { background: '#000', color: '#fff', hover: '#1f1f1f', active: '#333' },
    postNoun: ['video', 'videos'],
    postsRoute: 'videos',
    profileUrl: (handle) => `https://www.tiktok.com/@${encodeURIComponent(handle)}`,
    revokesOnDisconnect: true,
    scopes: {
      'user.info.basic': 'your display name and avatar',
      'user.info.profile': 'your @handle, bio, profile link and verified badge',
      'user.info.stats': 'follower, following, like and video counts (and the growth charts)',
      'video.list': 'your videos and their views, likes, comments and shares',
    },
    stats: [
      { id: 'followers', label: 'Followers', field: 'followerCount' },
      { id: 'following', label: 'Following', field: 'followingCount' },
      { id: 'likes', label: 'Likes', field: 'likesCount' },
      { id: 'videos', label: 'Videos', field: 'videoCount' },
    ],
    engagementNote: 'interactions per video ÷ followers',
    columns: [COMMON_COLUMNS.views, COMMON_COLUMNS.likes, COMMON_COLUMNS.comments, COMMON_COLUMNS.shares],
    withheldNote: 'Not available: the user.info.stats permission was not granted',
    attribution: 'Data from TikTok',
    trademark: 'TikTok and the TikTok logo are trademarks of ByteDance Ltd.',
    pitch: 'Connect your account to see followers, views and engagement for every video.',
  },
  instagram: {
    id: 'instagram',
    name: 'Instagram',
    logo: ({ size, variant }) => createInstagramLogo({ size, variant: variant === 'button' ? 'white' : variant }),
    button: {
      background: 'linear-gradient(45deg, #F58529 0%, #DD2A7B 45%, #8134AF 75%, #515BD4 100%)',
      color: '#fff',
      hover: 'linear-gradient(45deg, #e0781f 0%, #c8226d 45%, #722c9c 75%, #4650bf 100%)',
      active: 'linear-gradient(45deg, #c96a19 0%, #b31d61 45%, #63268a 75%, #3d46aa 100%)',
    },
    postNoun: ['post', 'posts'],
    postsRoute: 'media',
    profileUrl: (handle) => `https://www.instagram.com/${encodeURIComponent(handle)}/`,
    revokesOnDisconnect: false,
    scopes: {
      instagram_business_basic: 'your profile and your posts',
      instagram_business_manage_insights: 'views, reach, saves and shares of each post',
    },
    stats: [
      { id: 'followers', label: 'Followers', field: 'followerCount' },
      { id: 'following', label: 'Following', field: 'followingCount' },
      { id: 'videos', label: 'Posts', field: 'videoCount' },
    ],
    engagementNote: 'interactions per post ÷ reach (followers without insights)',
    columns: [
      COMMON_COLUMNS.views,
      COMMON_COLUMNS.reach,
      COMMON_COLUMNS.likes,
      COMMON_COLUMNS.comments,
      COMMON_COLUMNS.saves,
      COMMON_COLUMNS.shares,
    ],
    withheldNote: 'Not available from Instagram for this account',
    attribution: 'Data from Instagram',
    trademark: 'Instagram and the Instagram logo are trademarks of Meta Platforms, Inc.',
    pitch: 'Connect a professional (Business or Creator) account to see followers, reach and engagement for every post.',
  },
  youtube: {
    id: 'youtube',
    name: 'YouTube',
    // `button`: white glyph on the red button; `brand`: the red glyph on a light background.
    logo: ({ size, variant }) => createYouTubeLogo({ size, variant: variant === 'button' ? 'white' : variant }),
    button: { background: '#FF0000', color: '#fff', hover: '#e00000', active: '#cc0000' },
    postNoun: ['video', 'videos'],
    followerNoun: 'subscribers',
    postsRoute: 'videos',
    profileUrl: (handle) => `https://www.youtube.com/@${encodeURIComponent(handle)}`,
    revokesOnDisconnect: true,
    scopes: {
      'https://www.googleapis.com/auth/youtube.readonly': 'your channel and your videos with their views, likes and comments',
      'https://www.googleapis.com/auth/yt-analytics.readonly': 'daily views, watch time and subscribers gained (YouTube Analytics)',
    },
    stats: [
      { id: 'followers', label: 'Subscribers', field: 'followerCount' },
      { id: 'videos', label: 'Videos', field: 'videoCount' },
    ],
    engagementNote: 'interactions per video ÷ views',
    columns: [COMMON_COLUMNS.views, COMMON_COLUMNS.likes, COMMON_COLUMNS.comments],
    withheldNote: 'Not available: hidden by the channel, or not granted',
    attribution: 'Data from YouTube (YouTube API Services)',
    trademark: 'YouTube and the YouTube logo are trademarks of Google LLC.',
    pitch: 'Connect your channel to see subscribers, views and engagement for every video, and daily YouTube Analytics.',
  },
};

/** The UI's entry for `id`, or a plain one for a platform the UI has no entry for yet. */
export function platformInfo(id) {
  if (PLATFORMS[id]) return PLATFORMS[id];
  const name = String(id).charAt(0).toUpperCase() + String(id).slice(1);
  return {
    ...PLATFORMS.tiktok,
    id,
    name,
    logo: ({ size }) => {
      const mark = document.createElement('span');
      mark.textContent = name.charAt(0);
      mark.style.fontSize = `${size * 0.7}px`;
      return mark;
    },
    scopes: {},
    profileUrl: () => null,
    attribution: `Data from ${name}`,
    trademark: '',
    pitch: `Connect your ${name} account.`,
  };
}

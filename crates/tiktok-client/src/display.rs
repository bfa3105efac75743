//! The Display API: user info, video list and video query.

use serde::de::DeserializeOwned;
use url::Url;

use crate::response::parse_envelope;
use crate::retry::RetrySafety;
use crate::user::{UserInfoData, fields_query};
use crate::video::{
    MAX_VIDEOS_PER_CALL, VideoListRequest, VideoQueryData, VideoQueryFilters, VideoQueryRequest,
    fields_query as video_fields_query,
};
use crate::{
    AccessToken, Endpoint, TikTokClient, TikTokError, UserField, UserInfo, Video, VideoField,
    VideoPage,
};

impl TikTokClient {
    /// `GET /v2/user/info/` with `fields` (plus `open_id`, always requested).
    ///
    /// Ask only for fields whose scope was granted
    /// ([`UserField::allowed_by`]): TikTok fails the whole call otherwise
    /// ([`TikTokError::ScopePermissionMissed`]).
    pub async fn user_info(
        &self,
        token: &AccessToken,
        fields: &[UserField],
    ) -> Result<UserInfo, TikTokError> {
        let url = with_fields(self.inner.url(Endpoint::UserInfo), &fields_query(fields));
        let data: UserInfoData = self
            .display_call(Endpoint::UserInfo, |http| {
                http.get(url.clone()).bearer_auth(token.expose_secret())
            })
            .await?;
        Ok(data.user)
    }

    /// One page of `POST /v2/video/list/`, newest first, every documented
    /// field requested ([`VideoField::ALL`]). `cursor` is `None` for the first
    /// page, then the previous page's cursor. `max_count` must be 1 to 20
    /// ([`TikTokError::InvalidArgument`] otherwise, without a call).
    pub async fn list_videos(
        &self,
        token: &AccessToken,
        cursor: Option<i64>,
        max_count: u8,
    ) -> Result<VideoPage, TikTokError> {
        self.list_videos_with_fields(token, cursor, max_count, &VideoField::ALL)
            .await
    }

    /// [`list_videos`](Self::list_videos) requesting only `fields` (plus
    /// `id`, always requested): smaller answers, and a field TikTok added
    /// can be asked for with [`VideoField::Other`].
    pub async fn list_videos_with_fields(
        &self,
        token: &AccessToken,
        cursor: Option<i64>,
        max_count: u8,
        fields: &[VideoField],
    ) -> Result<VideoPage, TikTokError> {
        if max_count == 0 || usize::from(max_count) > MAX_VIDEOS_PER_CALL {
            return Err(TikTokError::InvalidArgument(format!(
                "max_count must be 1 to {MAX_VIDEOS_PER_CALL}, got {max_count}"
            )));
        }
        let url = with_fields(
            self.inner.url(Endpoint::VideoList),
            &video_fields_query(fields),
        );
        let body = VideoListRequest { max_count, cursor };
        self.display_call(Endpoint::VideoList, |http| {
            http.post(url.clone())
                .bearer_auth(token.expose_secret())
                .json(&body)
        })
        .await
    }

    /// `POST /v2/video/query/` for 1 to 20 video ids
    /// ([`TikTokError::InvalidArgument`] otherwise, without a call), every
    /// documented field requested. Ids that are not the user's public videos
    /// are simply missing from the result.
    pub async fn query_videos(
        &self,
        token: &AccessToken,
        ids: &[String],
    ) -> Result<Vec<Video>, TikTokError> {
        self.query_videos_with_fields(token, ids, &VideoField::ALL)
            .await
    }

    /// [`query_videos`](Self::query_videos) requesting only `fields` (plus
    /// `id`, always requested), e.g. just the counts to refresh metrics, or
    /// `cover_image_url` to renew expired covers.
    pub async fn query_videos_with_fields(
        &self,
        token: &AccessToken,
        ids: &[String],
        fields: &[VideoField],
    ) -> Result<Vec<Video>, TikTokError> {
        if ids.is_empty() || ids.len() > MAX_VIDEOS_PER_CALL {
            return Err(TikTokError::InvalidArgument(format!(
                "video query takes 1 to {MAX_VIDEOS_PER_CALL} ids, got {}",
                ids.len()
            )));
        }
        let url = with_fields(
            self.inner.url(Endpoint::VideoQuery),
            &video_fields_query(fields),
        );
        let body = VideoQueryRequest {
            filters: VideoQueryFilters { video_ids: ids },
        };
        let data: VideoQueryData = self
            .display_call(Endpoint::VideoQuery, |http| {
                http.post(url.clone())
                    .bearer_auth(token.expose_secret())
                    .json(&body)
            })
            .await?;
        Ok(data.videos)
    }

    /// A Display API call: idempotent, answered with the envelope.
    async fn display_call<T: DeserializeOwned>(
        &self,
        endpoint: Endpoint,
        build: impl Fn(&reqwest::Client) -> reqwest::RequestBuilder,
    ) -> Result<T, TikTokError> {
        self.inner
            .execute(endpoint, RetrySafety::Idempotent, build, |raw, _| {
                parse_envelope(endpoint, raw)
            })
            .await
    }
}

/// `url` with the required `fields` query parameter.
pub(crate) fn with_fields(mut url: Url, fields: &str) -> Url {
    url.query_pairs_mut().append_pair("fields", fields);
    url
}

//! Walking every page of the video list as a `Stream`.

use futures::stream::{self, Stream, TryStreamExt as _};

use crate::{AccessToken, TikTokClient, TikTokError, Video, VideoField, VideoPage};

/// Videos asked for per page: TikTok's maximum, so a walk costs the fewest calls.
const PAGE_SIZE: u8 = 20;

/// Where the walk stands between pages.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Walk {
    /// No page fetched yet.
    Start,
    /// Fetch the page at this cursor.
    At(i64),
    /// Nothing more to fetch.
    Done,
}

impl TikTokClient {
    /// Every public video of the user, newest first, walking
    /// `POST /v2/video/list/` pages of 20 until `has_more` is false:
    /// `ceil(videos / 20)` calls, at least one.
    ///
    /// The walk also stops (instead of looping) when a page says `has_more`
    /// but is empty, carries no cursor, or repeats the cursor it was asked
    /// for. The stream ends after its first error. It owns clones of the
    /// client and token, so it can be moved into a task. Every documented
    /// field is requested ([`VideoField::ALL`]).
    pub fn videos(
        &self,
        token: &AccessToken,
    ) -> impl Stream<Item = Result<Video, TikTokError>> + Send + 'static {
        self.videos_with_fields(token, &VideoField::ALL)
    }

    /// [`videos`](Self::videos) requesting only `fields` (plus `id`, always
    /// requested) on every page.
    pub fn videos_with_fields(
        &self,
        token: &AccessToken,
        fields: &[VideoField],
    ) -> impl Stream<Item = Result<Video, TikTokError>> + Send + 'static {
        let client = self.clone();
        let token = token.clone();
        let fields: Vec<VideoField> = fields.to_vec();
        stream::try_unfold(Walk::Start, move |walk| {
            let client = client.clone();
            let token = token.clone();
            let fields = fields.clone();
            async move {
                let cursor = match walk {
                    Walk::Done => return Ok(None),
                    Walk::Start => None,
                    Walk::At(cursor) => Some(cursor),
                };
                let page = client
                    .list_videos_with_fields(&token, cursor, PAGE_SIZE, &fields)
                    .await?;
                let next = next_walk(cursor, &page);
                let videos = stream::iter(page.videos.into_iter().map(Ok::<_, TikTokError>));
                Ok(Some((videos, next)))
            }
        })
        .try_flatten()
    }
}

/// What to fetch after `page`, obtained at `asked`.
fn next_walk(asked: Option<i64>, page: &VideoPage) -> Walk {
    if !page.has_more {
        return Walk::Done;
    }
    let reason = match page.cursor {
        _ if page.videos.is_empty() => "an empty page claims more",
        None => "a page claims more without a cursor",
        Some(cursor) if Some(cursor) == asked => "the cursor stopped moving",
        Some(cursor) => return Walk::At(cursor),
    };
    tracing::warn!(cursor = ?page.cursor, "stopping the video walk: {reason}");
    Walk::Done
}

#[cfg(test)]
mod tests {
    use super::*;

    fn page(videos: usize, cursor: Option<i64>, has_more: bool) -> VideoPage {
        VideoPage::new(
            (0..videos).map(|i| Video::new(i.to_string())).collect(),
            cursor,
            has_more,
        )
    }

    #[test]
    fn walk_follows_the_cursor_until_has_more_is_false() {
        assert_eq!(next_walk(None, &page(20, Some(5), true)), Walk::At(5));
        assert_eq!(next_walk(Some(5), &page(3, Some(4), false)), Walk::Done);
    }

    #[test]
    fn walk_stops_on_pages_that_would_loop() {
        assert_eq!(next_walk(None, &page(0, Some(5), true)), Walk::Done);
        assert_eq!(next_walk(Some(5), &page(2, Some(5), true)), Walk::Done);
        assert_eq!(next_walk(None, &page(2, None, true)), Walk::Done);
    }
}

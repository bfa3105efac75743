//! Walking every item of a playlist as a `Stream`: page after page until `nextPageToken` is
//! absent, never looping on a repeated token, and starting over when Google says a page
//! token is invalid (reference section 7.1).

use std::collections::HashSet;

use futures::stream::{self, Stream, TryStreamExt as _};

use crate::{AccessToken, PageToken, PlaylistItem, PlaylistItemPart, YouTubeClient, YouTubeError};

/// How often a walk starts over after `invalidPageToken` before it gives up.
const MAX_RESTARTS: u32 = 2;

/// Where the walk stands between pages.
#[derive(Debug, Default)]
struct Walk {
    /// The page to fetch (`None`: the first).
    page: Option<PageToken>,
    /// Tokens already followed: a repeated one would loop.
    followed: HashSet<PageToken>,
    /// Items already yielded: a restart skips them.
    yielded: HashSet<String>,
    restarts: u32,
    done: bool,
}

impl YouTubeClient {
    /// Every item of a playlist (the uploads playlist: newest first), one
    /// `playlistItems.list` call (1 unit) per page of the configured size. The walk ends on a
    /// page without `nextPageToken`; it also stops, instead of looping, when a token repeats.
    /// An `invalidPageToken` mid-walk starts it over from the first page (at most twice),
    /// skipping items already yielded. The stream ends after its first error; it owns clones,
    /// so it can move into a task.
    pub fn playlist_items(
        &self,
        token: &AccessToken,
        playlist_id: &str,
        parts: &[PlaylistItemPart],
    ) -> impl Stream<Item = Result<PlaylistItem, YouTubeError>> + Send + 'static {
        let client = self.clone();
        let token = token.clone();
        let playlist_id = playlist_id.to_owned();
        let parts = parts.to_vec();
        stream::try_unfold(Walk::default(), move |mut walk| {
            let (client, token, playlist_id, parts) = (
                client.clone(),
                token.clone(),
                playlist_id.clone(),
                parts.clone(),
            );
            async move {
                if walk.done {
                    return Ok(None);
                }
                let page = match client
                    .playlist_items_page(&token, &playlist_id, walk.page.as_ref(), &parts)
                    .await
                {
                    Ok(page) => page,
                    Err(error)
                        if error.is_invalid_page_token()
                            && walk.page.is_some()
                            && walk.restarts < MAX_RESTARTS =>
                    {
                        tracing::warn!("page token refused; listing the playlist again");
                        walk.restarts += 1;
                        walk.page = None;
                        walk.followed.clear();
                        return Ok(Some((Vec::new(), walk)));
                    }
                    Err(error) => return Err(error),
                };
                let fresh: Vec<PlaylistItem> = page
                    .items
                    .into_iter()
                    .filter(|item| walk.yielded.insert(item.id.clone()))
                    .collect();
                match page.next_page_token {
                    None => walk.done = true,
                    Some(next) if !walk.followed.insert(next.clone()) => {
                        tracing::warn!("stopping the playlist walk: a page token repeated");
                        walk.done = true;
                    }
                    Some(next) => walk.page = Some(next),
                }
                Ok(Some((fresh, walk)))
            }
        })
        .map_ok(|items| stream::iter(items.into_iter().map(Ok::<_, YouTubeError>)))
        .try_flatten()
    }
}

//! Walking every page of `/media` as a `Stream`.

use futures::stream::{self, Stream, TryStreamExt as _};

use crate::{AccessToken, InstagramClient, InstagramError, Media, MediaQuery, PageCursor};

/// Empty pages in a row after which a walk stops (Meta sends an occasional empty page that
/// still has `next`; an endless run of them is a loop).
const MAX_EMPTY_PAGES_IN_A_ROW: u32 = 5;

/// Where the walk stands between pages.
#[derive(Clone, Debug, PartialEq, Eq)]
enum Walk {
    /// Fetch the page at this cursor (`None`: the first page).
    At {
        cursor: Option<PageCursor>,
        empty_in_a_row: u32,
    },
    /// Nothing more to fetch.
    Done,
}

impl InstagramClient {
    /// Every media of `user` (an Instagram user id or `me`), newest first, following
    /// `paging.next` until it is absent (Meta's only reliable end signal: an empty page with
    /// `next` does not end the walk). The walk also stops, instead of looping, when a page
    /// repeats the cursor it was asked for or after a run of empty pages. The stream ends
    /// after its first error; it owns clones, so it can move into a task.
    pub fn media(
        &self,
        token: &AccessToken,
        user: &str,
        query: MediaQuery,
    ) -> impl Stream<Item = Result<Media, InstagramError>> + Send + 'static {
        let client = self.clone();
        let token = token.clone();
        let user = user.to_owned();
        let start = Walk::At {
            cursor: None,
            empty_in_a_row: 0,
        };
        stream::try_unfold(start, move |walk| {
            let (client, token, user, query) =
                (client.clone(), token.clone(), user.clone(), query.clone());
            async move {
                let Walk::At {
                    cursor,
                    empty_in_a_row,
                } = walk
                else {
                    return Ok(None);
                };
                let page = client
                    .media_page(&token, &user, &query, cursor.as_ref())
                    .await?;
                let empty_in_a_row = if page.media.is_empty() {
                    empty_in_a_row + 1
                } else {
                    0
                };
                let next = next_walk(cursor.as_ref(), page.next.clone(), empty_in_a_row);
                let items = stream::iter(page.media.into_iter().map(Ok::<_, InstagramError>));
                Ok(Some((items, next)))
            }
        })
        .try_flatten()
    }
}

/// What to fetch after a page obtained at `asked` that announced `next`.
fn next_walk(asked: Option<&PageCursor>, next: Option<PageCursor>, empty_in_a_row: u32) -> Walk {
    let reason = match next {
        None => return Walk::Done,
        Some(ref cursor) if Some(cursor) == asked => "the cursor stopped moving",
        Some(_) if empty_in_a_row >= MAX_EMPTY_PAGES_IN_A_ROW => "too many empty pages in a row",
        Some(cursor) => {
            return Walk::At {
                cursor: Some(cursor),
                empty_in_a_row,
            };
        }
    };
    tracing::warn!("stopping the media walk: {reason}");
    Walk::Done
}

#[cfg(test)]
mod tests {
    use super::*;

    fn cursor(text: &str) -> PageCursor {
        PageCursor::new(text)
    }

    #[test]
    fn the_walk_follows_next_through_empty_pages_until_it_is_absent() {
        assert_eq!(
            next_walk(None, Some(cursor("a")), 1),
            Walk::At {
                cursor: Some(cursor("a")),
                empty_in_a_row: 1
            }
        );
        assert_eq!(next_walk(Some(&cursor("a")), None, 0), Walk::Done);
    }

    #[test]
    fn the_walk_never_loops() {
        assert_eq!(
            next_walk(Some(&cursor("a")), Some(cursor("a")), 0),
            Walk::Done
        );
        assert_eq!(
            next_walk(
                Some(&cursor("a")),
                Some(cursor("b")),
                MAX_EMPTY_PAGES_IN_A_ROW
            ),
            Walk::Done
        );
    }
}

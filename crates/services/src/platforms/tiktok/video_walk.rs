//! Walking a creator's video list to the planned depth: every page, or only the newest pages
//! down to the first video older than the sync depth's window.

use chrono::{DateTime, Utc};
use futures::TryStreamExt as _;
use scheduler::{PlannedDepth, VIDEOS_PER_PAGE};
use tiktok_client::{AccessToken, TikTokClient, TikTokError, VideoPage};
use tracing::warn;

use super::mapping::video_from_tiktok;

/// Videos asked for per page: TikTok's maximum, the page size the scheduler's estimates
/// assume.
const PAGE_SIZE: u8 = 20;
const _: () = assert!(PAGE_SIZE as u64 == VIDEOS_PER_PAGE);

/// The videos a walk fetched.
#[derive(Debug)]
pub(crate) struct WalkedVideos {
    /// Every video of every page fetched, newest first.
    pub(crate) videos: Vec<domain::SyncedVideo>,
    /// Whether the walk reached the end of the list (a full walk, or a shallow one on an
    /// account whose videos are all recent).
    pub(crate) reached_end: bool,
}

/// What to do after one page of a shallow walk.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum AfterPage {
    /// Fetch the page at this cursor.
    Next(i64),
    /// The page reached a video created before the window: every later one is older.
    ReachedOlder,
    /// The list has no more pages (or claims more in a way that would loop).
    End,
}

/// Walks the video list of `token`'s user at `depth`.
///
/// [`PlannedDepth::Full`] walks every page. [`PlannedDepth::Recent`] walks pages newest first
/// and stops after the first page that holds a video created before `created_after` (or whose
/// cursor, the creation time of its last video, is before it): `floor(recent / 20) + 1` calls
/// for `recent` videos inside the window, never more than the full walk. The older videos of
/// that last page are kept: they were fetched anyway.
pub(crate) async fn walk_videos(
    client: &TikTokClient,
    token: &AccessToken,
    depth: PlannedDepth,
) -> Result<WalkedVideos, TikTokError> {
    let created_after = match depth {
        PlannedDepth::Full => {
            let videos = client
                .videos(token)
                .map_ok(video_from_tiktok)
                .try_collect()
                .await?;
            return Ok(WalkedVideos {
                videos,
                reached_end: true,
            });
        }
        PlannedDepth::Recent { created_after } => created_after,
    };
    let mut videos = Vec::new();
    let mut cursor = None;
    loop {
        let page = client.list_videos(token, cursor, PAGE_SIZE).await?;
        let after = after_page(cursor, &page, created_after);
        videos.extend(page.videos.into_iter().map(video_from_tiktok));
        match after {
            AfterPage::Next(next) => cursor = Some(next),
            AfterPage::ReachedOlder => {
                return Ok(WalkedVideos {
                    videos,
                    reached_end: false,
                });
            }
            AfterPage::End => {
                return Ok(WalkedVideos {
                    videos,
                    reached_end: true,
                });
            }
        }
    }
}

/// The step after `page`, fetched at cursor `asked`, of a walk that stops at videos created
/// before `created_after`. A video without a create time does not stop the walk (it cannot
/// be placed, so it is not taken for an old one).
fn after_page(asked: Option<i64>, page: &VideoPage, created_after: DateTime<Utc>) -> AfterPage {
    let reached_older = page
        .videos
        .iter()
        .any(|video| video.created_at().is_some_and(|at| at < created_after))
        // The cursor is the creation time (ms) of the page's last video: what comes next is
        // older than it.
        || page
            .cursor
            .is_some_and(|cursor| cursor < created_after.timestamp_millis());
    if !page.has_more {
        return AfterPage::End;
    }
    if reached_older {
        return AfterPage::ReachedOlder;
    }
    // The same guards as the full walk's stream: a page that claims more but cannot lead
    // anywhere new ends the walk instead of looping.
    let reason = match page.cursor {
        _ if page.videos.is_empty() => "an empty page claims more",
        None => "a page claims more without a cursor",
        Some(cursor) if Some(cursor) == asked => "the cursor stopped moving",
        Some(cursor) => return AfterPage::Next(cursor),
    };
    warn!(cursor = ?page.cursor, "stopping the video walk: {reason}");
    AfterPage::End
}

#[cfg(test)]
mod tests {
    use super::*;
    use tiktok_client::Video;

    fn cutoff() -> DateTime<Utc> {
        DateTime::from_timestamp(1_800_000_000, 0).expect("valid timestamp")
    }

    /// A page of videos created at these seconds relative to the cutoff, with TikTok's cursor
    /// (the last one's time in ms).
    fn page(created: &[i64], has_more: bool) -> VideoPage {
        let base = cutoff().timestamp();
        VideoPage::new(
            created
                .iter()
                .map(|offset| {
                    let mut video = Video::new(offset.to_string());
                    video.create_time = Some(base + offset);
                    video
                })
                .collect(),
            created.last().map(|offset| (base + offset) * 1_000),
            has_more,
        )
    }

    #[test]
    fn a_page_of_recent_videos_leads_to_the_next() {
        let recent = page(&[500, 400, 0], true);
        let cursor = (cutoff().timestamp()) * 1_000;
        assert_eq!(after_page(None, &recent, cutoff()), AfterPage::Next(cursor));
    }

    #[test]
    fn a_page_reaching_an_older_video_ends_the_walk() {
        let mixed = page(&[500, 10, -1], true);
        assert_eq!(after_page(None, &mixed, cutoff()), AfterPage::ReachedOlder);
        let old = page(&[-100, -200], true);
        assert_eq!(after_page(Some(9), &old, cutoff()), AfterPage::ReachedOlder);
    }

    #[test]
    fn a_cursor_before_the_window_ends_the_walk() {
        let mut recent = page(&[500, 400], true);
        recent.cursor = Some(cutoff().timestamp_millis() - 1);
        assert_eq!(after_page(None, &recent, cutoff()), AfterPage::ReachedOlder);
    }

    #[test]
    fn the_last_page_is_the_end_whatever_it_holds() {
        assert_eq!(
            after_page(None, &page(&[500, -5], false), cutoff()),
            AfterPage::End
        );
        assert_eq!(
            after_page(None, &page(&[500], false), cutoff()),
            AfterPage::End
        );
        assert_eq!(
            after_page(None, &page(&[], false), cutoff()),
            AfterPage::End
        );
    }

    #[test]
    fn videos_without_a_create_time_do_not_stop_the_walk() {
        let mut unknown = page(&[500, 400], true);
        for video in &mut unknown.videos {
            video.create_time = None;
        }
        let cursor = unknown.cursor.expect("a cursor");
        assert_eq!(
            after_page(None, &unknown, cutoff()),
            AfterPage::Next(cursor)
        );
    }

    #[test]
    fn pages_that_would_loop_end_the_walk() {
        assert_eq!(after_page(None, &page(&[], true), cutoff()), AfterPage::End);
        let mut stuck = page(&[500], true);
        let asked = stuck.cursor;
        assert_eq!(after_page(asked, &stuck, cutoff()), AfterPage::End);
        stuck.cursor = None;
        assert_eq!(after_page(None, &stuck, cutoff()), AfterPage::End);
    }
}

//! Reads for the API: videos sorted and paginated, daily time series, totals.

use std::collections::HashMap;

use base64::Engine as _;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use chrono::{DateTime, NaiveDate, TimeDelta, Utc};
use diesel::prelude::*;
use diesel::sql_types::{BigInt, Nullable};
use domain::{
    ConnectionId, PageLimit, Platform, ProfileSnapshot, SyncedVideo, VideoCounts, VideoSnapshot,
};

use crate::db::{Database, load_optional, load_rows};
use crate::error::{StorageError, StorageResult};
use crate::limit::{LiteralLimit, page_rows};
use crate::schema::{connections, profile_snapshots, video_snapshots, videos};
use crate::time::{from_unix, from_unix_opt};

diesel::define_sql_function! {
    /// SQL `COALESCE` of a nullable and a non-null integer.
    fn coalesce(value: Nullable<BigInt>, fallback: BigInt) -> BigInt;
}

diesel::define_sql_function! {
    /// SQL `COALESCE` of a nullable and a non-null float.
    #[sql_name = "coalesce"]
    fn coalesce_float(
        value: Nullable<diesel::sql_types::Double>,
        fallback: diesel::sql_types::Double,
    ) -> diesel::sql_types::Double;
}

/// Where an unknown counter sorts: below every known one (counts are never negative). The
/// migrations index exactly `coalesce(counter, -1)`, so the value is written into the SQL
/// text (a bound value would not match the index).
const UNKNOWN_COUNT: i64 = -1;
/// Where an unknown engagement rate sorts (rates are never negative).
const UNKNOWN_RATE: f64 = -1.0;

/// A nullable counter as it sorts: `coalesce(counter, -1)`.
macro_rules! ranked {
    ($column:expr) => {
        coalesce($column, diesel::dsl::sql::<BigInt>("-1"))
    };
}

/// A nullable rate as it sorts: `coalesce(rate, -1.0)`.
macro_rules! ranked_rate {
    ($column:expr) => {
        coalesce_float(
            $column,
            diesel::dsl::sql::<diesel::sql_types::Double>("-1.0"),
        )
    };
}

/// What to sort videos by.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum VideoSort {
    /// View count.
    Views,
    /// Like count.
    Likes,
    /// Comment count.
    Comments,
    /// Share count.
    Shares,
    /// Engagement rate `(likes + comments + shares) / views` (videos without views count as 0).
    Engagement,
    /// Posting time (first-seen time when the platform did not say).
    Created,
}

impl VideoSort {
    const fn code(self) -> &'static str {
        match self {
            Self::Views => "views",
            Self::Likes => "likes",
            Self::Comments => "comments",
            Self::Shares => "shares",
            Self::Engagement => "engagement",
            Self::Created => "created",
        }
    }
}

/// Sort direction.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SortDirection {
    /// Smallest first.
    Asc,
    /// Largest first.
    Desc,
}

impl SortDirection {
    const fn code(self) -> &'static str {
        match self {
            Self::Asc => "asc",
            Self::Desc => "desc",
        }
    }
}

/// A page request for [`Database::list_videos`].
#[derive(Debug, Clone)]
pub struct VideoQuery {
    /// Sort key.
    pub sort: VideoSort,
    /// Direction.
    pub direction: SortDirection,
    /// Page size.
    pub limit: PageLimit,
    /// The `next_cursor` of the previous page, or `None` for the first page.
    pub cursor: Option<String>,
}

/// A stored video.
#[derive(Debug, Clone, PartialEq)]
pub struct StoredVideo {
    /// Database id.
    pub id: i64,
    /// Owning connection.
    pub connection_id: ConnectionId,
    /// The video.
    pub video: SyncedVideo,
    /// Engagement rate (on the platform's basis, as stored by the sync); `None` when its
    /// divisor is unknown or zero.
    pub engagement_rate: Option<f64>,
    /// When the video was first synced.
    pub first_seen_at: DateTime<Utc>,
    /// When its row was last updated.
    pub updated_at: DateTime<Utc>,
}

/// One page of videos.
#[derive(Debug, Clone, PartialEq)]
pub struct StoredVideoPage {
    /// The videos, in the requested order.
    pub videos: Vec<StoredVideo>,
    /// Opaque cursor of the next page; `None` on the last page.
    pub next_cursor: Option<String>,
}

/// Totals over a connection's stored videos (sums saturate at `i64::MAX`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct TotalsOfVideos {
    /// Number of videos.
    pub videos: i64,
    /// Sum of each counter over the videos where it is known; `None` for a counter no
    /// stored video has.
    pub counts: VideoCounts,
}

#[derive(Queryable, Selectable)]
#[diesel(table_name = videos)]
struct VideoRow {
    id: i64,
    connection_id: i64,
    platform_video_id: String,
    title: Option<String>,
    description: Option<String>,
    duration_seconds: Option<i64>,
    cover_image_url: Option<String>,
    share_url: Option<String>,
    embed_link: Option<String>,
    posted_at: Option<i64>,
    media_type: Option<String>,
    view_count: Option<i64>,
    like_count: Option<i64>,
    comment_count: Option<i64>,
    share_count: Option<i64>,
    reach_count: Option<i64>,
    save_count: Option<i64>,
    engagement_rate: Option<f64>,
    first_seen_at: i64,
    updated_at: i64,
}

impl VideoRow {
    fn into_domain(self) -> StorageResult<StoredVideo> {
        let counts = VideoCounts {
            views: self.view_count,
            likes: self.like_count,
            comments: self.comment_count,
            shares: self.share_count,
            reach: self.reach_count,
            saves: self.save_count,
        };
        Ok(StoredVideo {
            id: self.id,
            connection_id: ConnectionId(self.connection_id),
            engagement_rate: self.engagement_rate,
            video: SyncedVideo {
                platform_video_id: self.platform_video_id,
                title: self.title,
                description: self.description,
                duration_seconds: self.duration_seconds,
                cover_image_url: self.cover_image_url,
                share_url: self.share_url,
                embed_link: self.embed_link,
                posted_at: from_unix_opt(self.posted_at)?,
                media_type: self.media_type,
                counts,
                // Stored counters are the last read of each (a flag of the sync that read them).
                counters_read: true,
            },
            first_seen_at: from_unix(self.first_seen_at)?,
            updated_at: from_unix(self.updated_at)?,
        })
    }

    /// The sort value of this row, as the cursor stores it.
    fn sort_value(&self, sort: VideoSort) -> SortValue {
        match sort {
            VideoSort::Views => SortValue::Int(self.view_count.unwrap_or(UNKNOWN_COUNT)),
            VideoSort::Likes => SortValue::Int(self.like_count.unwrap_or(UNKNOWN_COUNT)),
            VideoSort::Comments => SortValue::Int(self.comment_count.unwrap_or(UNKNOWN_COUNT)),
            VideoSort::Shares => SortValue::Int(self.share_count.unwrap_or(UNKNOWN_COUNT)),
            VideoSort::Engagement => SortValue::Float(self.engagement_rate.unwrap_or(UNKNOWN_RATE)),
            VideoSort::Created => SortValue::Int(self.posted_at.unwrap_or(self.first_seen_at)),
        }
    }
}

/// A keyset position: the last row's sort value and id.
#[derive(Debug, Clone, Copy, PartialEq)]
enum SortValue {
    Int(i64),
    Float(f64),
}

/// The cursor is `base64url("<sort>:<direction>:<value>:<id>")`, the keyset of the last row
/// of the page (floats as their exact bit pattern). It is opaque to clients and stable: a
/// page continues after (value, id) whatever was inserted meanwhile, with no offset drift.
#[derive(Debug, Clone, Copy, PartialEq)]
struct Cursor {
    value: SortValue,
    id: i64,
}

impl Cursor {
    fn encode(self, sort: VideoSort, direction: SortDirection) -> String {
        let value = match self.value {
            SortValue::Int(value) => value.to_string(),
            SortValue::Float(value) => format!("f{}", value.to_bits()),
        };
        let text = format!("{}:{}:{value}:{}", sort.code(), direction.code(), self.id);
        URL_SAFE_NO_PAD.encode(text)
    }

    fn decode(cursor: &str, sort: VideoSort, direction: SortDirection) -> StorageResult<Self> {
        let invalid = || StorageError::InvalidArgument("malformed video cursor".into());
        let bytes = URL_SAFE_NO_PAD.decode(cursor).map_err(|_| invalid())?;
        let text = String::from_utf8(bytes).map_err(|_| invalid())?;
        let mut parts = text.split(':');
        let (Some(s), Some(d), Some(value), Some(id), None) = (
            parts.next(),
            parts.next(),
            parts.next(),
            parts.next(),
            parts.next(),
        ) else {
            return Err(invalid());
        };
        if s != sort.code() || d != direction.code() {
            return Err(StorageError::InvalidArgument(
                "the cursor belongs to another sort order".into(),
            ));
        }
        let value = match (sort, value.strip_prefix('f')) {
            (VideoSort::Engagement, Some(bits)) => {
                SortValue::Float(f64::from_bits(bits.parse().map_err(|_| invalid())?))
            }
            (VideoSort::Engagement, None) | (_, Some(_)) => return Err(invalid()),
            (_, None) => SortValue::Int(value.parse().map_err(|_| invalid())?),
        };
        Ok(Self {
            value,
            id: id.parse().map_err(|_| invalid())?,
        })
    }

    fn int(self) -> StorageResult<(i64, i64)> {
        match self.value {
            SortValue::Int(value) => Ok((value, self.id)),
            SortValue::Float(_) => Err(StorageError::InvalidArgument(
                "malformed video cursor".into(),
            )),
        }
    }

    fn float(self) -> StorageResult<(f64, i64)> {
        match self.value {
            SortValue::Float(value) => Ok((value, self.id)),
            SortValue::Int(_) => Err(StorageError::InvalidArgument(
                "malformed video cursor".into(),
            )),
        }
    }
}

/// Orders a boxed video query by `(expr, id)` in `direction`, continuing after `after`.
macro_rules! keyset {
    ($query:ident, $expr:expr, $direction:expr, $after:expr) => {{
        let after = $after;
        match $direction {
            SortDirection::Desc => {
                if let Some((value, id)) = after {
                    $query =
                        $query.filter($expr.lt(value).or($expr.eq(value).and(videos::id.lt(id))));
                }
                $query.order(($expr.desc(), videos::id.desc()))
            }
            SortDirection::Asc => {
                if let Some((value, id)) = after {
                    $query =
                        $query.filter($expr.gt(value).or($expr.eq(value).and(videos::id.gt(id))));
                }
                $query.order(($expr.asc(), videos::id.asc()))
            }
        }
    }};
}

/// The query of one page: `$boxed` (a boxed query selecting [`VideoRow`]s, already filtered
/// to one connection) in the keyset order and after the position of `$page`, with a
/// [`LiteralLimit`] of [`page_rows`] rows. `?` on a cursor of the wrong kind.
///
/// The query stays boxed (one code path for twelve orders): Diesel still caches its prepared
/// statement, by SQL text, so each order is prepared once per pooled connection.
macro_rules! page_query {
    ($boxed:ident, $page:expr) => {{
        let page: &PageRequest = $page;
        let int_after = || page.cursor.map(Cursor::int).transpose();
        let ordered = match page.sort {
            VideoSort::Views => {
                keyset!(
                    $boxed,
                    ranked!(videos::view_count),
                    page.direction,
                    int_after()?
                )
            }
            VideoSort::Likes => {
                keyset!(
                    $boxed,
                    ranked!(videos::like_count),
                    page.direction,
                    int_after()?
                )
            }
            VideoSort::Comments => {
                keyset!(
                    $boxed,
                    ranked!(videos::comment_count),
                    page.direction,
                    int_after()?
                )
            }
            VideoSort::Shares => {
                keyset!(
                    $boxed,
                    ranked!(videos::share_count),
                    page.direction,
                    int_after()?
                )
            }
            VideoSort::Engagement => keyset!(
                $boxed,
                ranked_rate!(videos::engagement_rate),
                page.direction,
                page.cursor.map(Cursor::float).transpose()?
            ),
            VideoSort::Created => keyset!(
                $boxed,
                coalesce(videos::posted_at, videos::first_seen_at),
                page.direction,
                int_after()?
            ),
        };
        LiteralLimit::new(ordered, page.rows)
    }};
}

/// A validated [`VideoQuery`]: the decoded cursor and the rows to fetch.
struct PageRequest {
    sort: VideoSort,
    direction: SortDirection,
    limit: usize,
    cursor: Option<Cursor>,
    rows: u32,
}

impl PageRequest {
    fn of(query: &VideoQuery) -> StorageResult<Self> {
        let (sort, direction) = (query.sort, query.direction);
        let cursor = query
            .cursor
            .as_deref()
            .map(|cursor| Cursor::decode(cursor, sort, direction))
            .transpose()?;
        Ok(Self {
            sort,
            direction,
            limit: usize::try_from(query.limit.get()).unwrap_or(usize::MAX),
            cursor,
            rows: page_rows(query.limit.rows()),
        })
    }

    /// The page of `rows` (fetched in order, possibly more than `limit + 1`).
    fn page(&self, mut rows: Vec<VideoRow>) -> StorageResult<StoredVideoPage> {
        let has_more = rows.len() > self.limit;
        rows.truncate(self.limit);
        let next_cursor = has_more
            .then(|| rows.last())
            .flatten()
            .map(|last| Cursor {
                value: last.sort_value(self.sort),
                id: last.id,
            })
            .map(|cursor| cursor.encode(self.sort, self.direction));
        let videos = rows
            .into_iter()
            .map(VideoRow::into_domain)
            .collect::<StorageResult<_>>()?;
        Ok(StoredVideoPage {
            videos,
            next_cursor,
        })
    }
}

impl Database {
    /// A page of a connection's videos, sorted by `query.sort` then by id (so equal values
    /// have a stable order), continuing after `query.cursor`.
    pub async fn list_videos(
        &self,
        connection_id: ConnectionId,
        query: &VideoQuery,
    ) -> StorageResult<StoredVideoPage> {
        let page = PageRequest::of(query)?;
        let mut conn = self.conn().await?;
        let rows: Vec<VideoRow> = load_rows!(&mut conn, {
            let mut boxed = videos::table
                .filter(videos::connection_id.eq(connection_id.0))
                .select(VideoRow::as_select())
                .into_boxed();
            page_query!(boxed, &page)
        });
        page.page(rows)
    }

    /// [`Database::list_videos`] of the user's connection to `platform`, found and read in
    /// one query (the API's videos endpoint needs nothing else of the connection). `None`
    /// when the user has no connection to the platform.
    pub async fn list_user_videos(
        &self,
        user_id: &str,
        platform: Platform,
        query: &VideoQuery,
    ) -> StorageResult<Option<StoredVideoPage>> {
        let page = PageRequest::of(query)?;
        let user_id = user_id.to_owned();
        let mut conn = self.conn().await?;
        let rows: Vec<VideoRow> = load_rows!(&mut conn, {
            let mut boxed = videos::table
                .inner_join(connections::table)
                .filter(connections::user_id.eq(user_id.clone()))
                .filter(connections::platform.eq(platform.to_string()))
                .select(VideoRow::as_select())
                .into_boxed();
            page_query!(boxed, &page)
        });
        // No rows: no videos (on this page), or no connection at all. Only this rare case
        // pays a second query.
        if rows.is_empty() {
            let connected: Option<i64> = load_optional!(
                &mut conn,
                connections::table
                    .filter(connections::user_id.eq(user_id.clone()))
                    .filter(connections::platform.eq(platform.to_string()))
                    .select(connections::id)
            );
            if connected.is_none() {
                return Ok(None);
            }
        }
        page.page(rows).map(Some)
    }

    /// The daily profile snapshots (followers, total views, …) of the `days` UTC days ending
    /// with `today`, oldest first. Days without a sync are absent.
    pub async fn profile_history(
        &self,
        connection_id: ConnectionId,
        today: NaiveDate,
        days: u32,
    ) -> StorageResult<Vec<ProfileSnapshot>> {
        use profile_snapshots::dsl as ps;
        let since = today - TimeDelta::days(i64::from(days.saturating_sub(1)));
        type SnapshotColumns = (
            NaiveDate,
            Option<i64>,
            Option<i64>,
            Option<i64>,
            Option<i64>,
            Option<i64>,
            i64,
            Option<i64>,
        );
        let mut conn = self.conn().await?;
        let rows: Vec<SnapshotColumns> = load_rows!(
            &mut conn,
            ps::profile_snapshots
                .filter(ps::connection_id.eq(connection_id.0))
                .filter(ps::day.ge(since))
                .filter(ps::day.le(today))
                .order(ps::day.asc())
                .select((
                    ps::day,
                    ps::follower_count,
                    ps::following_count,
                    ps::likes_count,
                    ps::video_count,
                    ps::total_video_views,
                    ps::captured_at,
                    ps::total_interactions,
                ))
        );
        rows.into_iter()
            .map(
                |(day, followers, following, likes, video_count, views, captured, interactions)| {
                    Ok(ProfileSnapshot {
                        day,
                        follower_count: followers,
                        following_count: following,
                        likes_count: likes,
                        video_count,
                        total_video_views: views,
                        total_interactions: interactions,
                        captured_at: from_unix(captured)?,
                    })
                },
            )
            .collect()
    }

    /// The daily counters of one video (by platform id) over the `days` UTC days ending with
    /// `today`, oldest first.
    pub async fn video_history(
        &self,
        connection_id: ConnectionId,
        platform_video_id: &str,
        today: NaiveDate,
        days: u32,
    ) -> StorageResult<Vec<VideoSnapshot>> {
        let since = today - TimeDelta::days(i64::from(days.saturating_sub(1)));
        type Columns = (
            NaiveDate,
            Option<i64>,
            Option<i64>,
            Option<i64>,
            Option<i64>,
            Option<i64>,
            Option<i64>,
            i64,
        );
        let mut conn = self.conn().await?;
        let rows: Vec<Columns> = load_rows!(
            &mut conn,
            video_snapshots::table
                .inner_join(videos::table)
                .filter(videos::connection_id.eq(connection_id.0))
                .filter(videos::platform_video_id.eq(platform_video_id.to_owned()))
                .filter(video_snapshots::day.ge(since))
                .filter(video_snapshots::day.le(today))
                .order(video_snapshots::day.asc())
                .select((
                    video_snapshots::day,
                    video_snapshots::view_count,
                    video_snapshots::like_count,
                    video_snapshots::comment_count,
                    video_snapshots::share_count,
                    video_snapshots::reach_count,
                    video_snapshots::save_count,
                    video_snapshots::captured_at,
                ))
        );
        rows.into_iter()
            .map(
                |(day, views, likes, comments, shares, reach, saves, captured)| {
                    Ok(VideoSnapshot {
                        platform_video_id: platform_video_id.to_owned(),
                        day,
                        counts: VideoCounts {
                            views,
                            likes,
                            comments,
                            shares,
                            reach,
                            saves,
                        },
                        captured_at: from_unix(captured)?,
                    })
                },
            )
            .collect()
    }

    /// Totals over a connection's stored videos, for analytics, summed by the database in
    /// one statement (no video is read into the server). A counter no video knows is `None`
    /// (unknown, not 0); with no videos at all every total is 0.
    pub async fn video_totals(&self, connection_id: ConnectionId) -> StorageResult<TotalsOfVideos> {
        use diesel::dsl::{count_star, sql};
        use diesel::sql_types::{BigInt, Nullable};
        // `SUM` of a BIGINT is NUMERIC on PostgreSQL and INTEGER on SQLite: cast back to
        // BIGINT on both. No rows sum to 0; rows whose counter is never known sum to NULL.
        macro_rules! total {
            ($column:literal) => {
                sql::<Nullable<BigInt>>(concat!(
                    "CASE WHEN COUNT(*) = 0 THEN 0 ELSE CAST(SUM(",
                    $column,
                    ") AS BIGINT) END"
                ))
            };
        }
        type Totals = (
            i64,
            Option<i64>,
            Option<i64>,
            Option<i64>,
            Option<i64>,
            Option<i64>,
            Option<i64>,
        );
        let mut conn = self.conn().await?;
        let row: Option<Totals> = load_optional!(
            &mut conn,
            videos::table
                .filter(videos::connection_id.eq(connection_id.0))
                .select((
                    count_star(),
                    total!("view_count"),
                    total!("like_count"),
                    total!("comment_count"),
                    total!("share_count"),
                    total!("reach_count"),
                    total!("save_count"),
                ))
        );
        let (videos, views, likes, comments, shares, reach, saves) =
            row.unwrap_or((0, Some(0), Some(0), Some(0), Some(0), Some(0), Some(0)));
        Ok(TotalsOfVideos {
            videos,
            counts: VideoCounts {
                views,
                likes,
                comments,
                shares,
                reach,
                saves,
            },
        })
    }
}

impl Database {
    /// Each stored video's counters and when they were last all read, by its platform id:
    /// a sync that did not read some counters keeps these, and a platform that re-reads
    /// counters periodically picks the stalest.
    pub async fn stored_video_counts(
        &self,
        connection_id: ConnectionId,
    ) -> StorageResult<HashMap<String, StoredCounters>> {
        let mut conn = self.conn().await?;
        let rows: Vec<(String, CounterColumns, Option<i64>)> = load_rows!(
            &mut conn,
            videos::table
                .filter(videos::connection_id.eq(connection_id.0))
                .select((
                    videos::platform_video_id,
                    (
                        videos::view_count,
                        videos::like_count,
                        videos::comment_count,
                        videos::share_count,
                        videos::reach_count,
                        videos::save_count,
                    ),
                    videos::counters_read_at,
                ))
        );
        rows.into_iter()
            .map(
                |(id, (views, likes, comments, shares, reach, saves), read_at)| {
                    let counts = VideoCounts {
                        views,
                        likes,
                        comments,
                        shares,
                        reach,
                        saves,
                    };
                    Ok((
                        id,
                        StoredCounters {
                            counts,
                            read_at: from_unix_opt(read_at)?,
                        },
                    ))
                },
            )
            .collect()
    }
}

/// A stored post's counters and when they were last all read.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct StoredCounters {
    /// The counters.
    pub counts: VideoCounts,
    /// When every counter was last read; `None` for posts stored before this was recorded,
    /// or never read in full.
    pub read_at: Option<DateTime<Utc>>,
}

/// A video's six counters as selected.
type CounterColumns = (
    Option<i64>,
    Option<i64>,
    Option<i64>,
    Option<i64>,
    Option<i64>,
    Option<i64>,
);

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cursors_round_trip_and_are_bound_to_their_order() {
        let cursor = Cursor {
            value: SortValue::Int(-42),
            id: 7,
        };
        let text = cursor.encode(VideoSort::Views, SortDirection::Desc);
        assert_eq!(
            Cursor::decode(&text, VideoSort::Views, SortDirection::Desc).ok(),
            Some(cursor)
        );
        assert!(Cursor::decode(&text, VideoSort::Likes, SortDirection::Desc).is_err());
        assert!(Cursor::decode(&text, VideoSort::Views, SortDirection::Asc).is_err());

        let float = Cursor {
            value: SortValue::Float(0.1 + 0.2),
            id: 3,
        };
        let text = float.encode(VideoSort::Engagement, SortDirection::Asc);
        assert_eq!(
            Cursor::decode(&text, VideoSort::Engagement, SortDirection::Asc).ok(),
            Some(float)
        );
        assert!(Cursor::decode("not base64!", VideoSort::Views, SortDirection::Asc).is_err());
        let junk = URL_SAFE_NO_PAD.encode("views:asc:1");
        assert!(Cursor::decode(&junk, VideoSort::Views, SortDirection::Asc).is_err());
    }
}

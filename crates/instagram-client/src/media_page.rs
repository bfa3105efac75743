//! Pages of `GET /{v}/{ig-user-id}/media` (reference sections 5.3 and 7.1): the query, the
//! cursor taken from `paging.next`, and one page.

use std::fmt;

use chrono::{DateTime, Utc};
use serde::Deserialize;
use url::Url;

use crate::client::path_id;
use crate::execute::Target;
use crate::profile::fields_query;
use crate::response::parse_graph;
use crate::retry::RetrySafety;
use crate::{AccessToken, Endpoint, InstagramClient, InstagramError, Media, MediaField};

/// What a `/media` call asks for.
#[derive(Clone, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub struct MediaQuery {
    /// The fields.
    pub fields: Vec<MediaField>,
    /// Items per page; `None` takes the configured `page_limit`.
    pub limit: Option<u32>,
    /// Only media created at or after (`since`, Unix seconds).
    pub since: Option<DateTime<Utc>>,
    /// Only media created at or before (`until`).
    pub until: Option<DateTime<Utc>>,
}

impl Default for MediaQuery {
    /// Every field, the configured page size, no time bounds.
    fn default() -> Self {
        Self {
            fields: MediaField::ALL.to_vec(),
            limit: None,
            since: None,
            until: None,
        }
    }
}

impl MediaQuery {
    /// Sets the fields.
    pub fn with_fields(mut self, fields: impl IntoIterator<Item = MediaField>) -> Self {
        self.fields = fields.into_iter().collect();
        self
    }

    /// Sets the page size.
    pub fn with_limit(mut self, limit: u32) -> Self {
        self.limit = Some(limit);
        self
    }

    /// Sets the time bounds.
    pub fn with_range(
        mut self,
        since: Option<DateTime<Utc>>,
        until: Option<DateTime<Utc>>,
    ) -> Self {
        self.since = since;
        self.until = until;
        self
    }
}

/// Where the next page starts: the `after` cursor of `paging.next`. The `next` URL itself
/// (which carries the token) is never kept: the next request is built against the configured
/// Graph host.
#[derive(Clone, PartialEq, Eq)]
pub struct PageCursor(pub(crate) String);

impl PageCursor {
    /// A cursor from its text (e.g. persisted by a caller, though Meta advises against it).
    pub fn new(after: impl Into<String>) -> Self {
        Self(after.into())
    }

    /// The cursor text.
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl fmt::Debug for PageCursor {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "PageCursor({:?})", self.0)
    }
}

/// One page of media.
#[derive(Clone, Debug, Default, PartialEq)]
#[non_exhaustive]
pub struct MediaPage {
    /// The items (a page may be empty and still have a next page).
    pub media: Vec<Media>,
    /// The next page; `None` when `paging.next` is absent, the only reliable end signal.
    pub next: Option<PageCursor>,
}

#[derive(Deserialize)]
struct RawPage {
    #[serde(default)]
    data: Vec<Media>,
    #[serde(default)]
    paging: Option<RawPaging>,
}

#[derive(Deserialize)]
struct RawPaging {
    #[serde(default)]
    cursors: Option<RawCursors>,
    #[serde(default)]
    next: Option<String>,
}

#[derive(Deserialize)]
struct RawCursors {
    #[serde(default)]
    after: Option<String>,
}

impl RawPage {
    fn into_page(self) -> MediaPage {
        let next = self.paging.and_then(|paging| {
            let next = paging.next?;
            let from_url = Url::parse(&next).ok().and_then(|url| {
                url.query_pairs()
                    .find(|(key, _)| key == "after")
                    .map(|(_, value)| value.into_owned())
            });
            from_url
                .or_else(|| paging.cursors.and_then(|cursors| cursors.after))
                .filter(|after| !after.is_empty())
                .map(PageCursor)
        });
        MediaPage {
            media: self.data,
            next,
        }
    }
}

impl InstagramClient {
    /// One page of `GET /{v}/{user}/media` (`user` an Instagram user id or `me`), newest
    /// first; `cursor` is `None` for the first page, then the previous page's `next`.
    pub async fn media_page(
        &self,
        token: &AccessToken,
        user: &str,
        query: &MediaQuery,
        cursor: Option<&PageCursor>,
    ) -> Result<MediaPage, InstagramError> {
        let user = path_id(user)?;
        let limit = query.limit.unwrap_or(self.inner.config.page_limit);
        if limit == 0 {
            return Err(InstagramError::InvalidArgument(
                "limit must be at least 1".into(),
            ));
        }
        let url = self.inner.graph_versioned(&format!("{user}/media"));
        let mut params = vec![
            (
                "fields",
                fields_query(query.fields.iter().map(|f| f.as_str())),
            ),
            ("limit", limit.to_string()),
        ];
        if let Some(since) = query.since {
            params.push(("since", since.timestamp().to_string()));
        }
        if let Some(until) = query.until {
            params.push(("until", until.timestamp().to_string()));
        }
        if let Some(cursor) = cursor {
            params.push(("after", cursor.0.clone()));
        }
        let target = Target {
            endpoint: Endpoint::MediaList,
            account: Some(user),
        };
        let page: RawPage = self
            .inner
            .execute(
                target,
                RetrySafety::Idempotent,
                |http| self.inner.graph_get(http, &url, &params, token),
                |raw, _| parse_graph(Endpoint::MediaList, raw),
            )
            .await?;
        Ok(page.into_page())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::MediaProductType;

    #[test]
    fn a_page_reads_the_after_cursor_of_next_and_drops_the_url() {
        let raw: RawPage = serde_json::from_str(
            r#"{"data":[{"id":"17918920912340654","media_type":"VIDEO","is_shared_to_feed":true,
            "timestamp":"2026-11-30T18:04:11+0000","like_count":912,
            "children":{"data":[{"id":"17900000000000001","media_type":"IMAGE"}]}}],
            "paging":{"cursors":{"before":"B","after":"A1"},
            "next":"https://graph.instagram.com/v25.0/1/media?access_token=IGAA-SECRET&limit=25&after=A2"}}"#,
        )
        .expect("valid");
        let page = raw.into_page();
        assert_eq!(page.next, Some(PageCursor("A2".into())));
        assert!(!format!("{page:?}").contains("SECRET"));
        let media = &page.media[0];
        assert_eq!(media.product_type(), MediaProductType::Reels);
        assert_eq!(media.children.len(), 1);
        assert_eq!(media.timestamp.map(|t| t.timestamp()), Some(1_796_061_851));
        assert_eq!(media.comments_count, None);
    }

    #[test]
    fn no_next_means_the_end_whatever_the_cursors_say() {
        let raw: RawPage =
            serde_json::from_str(r#"{"data":[],"paging":{"cursors":{"after":"A"}}}"#)
                .expect("valid");
        assert_eq!(raw.into_page().next, None);
        let raw: RawPage = serde_json::from_str(r#"{"data":[]}"#).expect("valid");
        assert_eq!(raw.into_page().next, None);
    }
}

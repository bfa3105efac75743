//! The Data API over real HTTP: channels (with and without one, hidden subscribers), the
//! uploads playlist and its paging, videos by id, batchGetStats, search, ETags.
#![allow(clippy::unwrap_used)]

mod common;

use std::collections::HashSet;
use std::time::Duration;

use common::*;
use reqwest::StatusCode;
use serde_json::Value;
use youtube_sandbox::{
    DEFAULT_API_KEY, DEFAULT_CLIENT_ID, HiddenSubscribers, NumberEncoding, Privacy, QuotaBucket,
    VideoKind,
};

/// Query pairs of a request.
type Query<'a> = &'a [(&'a str, &'a str)];

async fn token_of(browser: &Browser, email: &str) -> String {
    text(
        &browser.connect(email, &[YOUTUBE, ANALYTICS]).await,
        "access_token",
    )
    .to_owned()
}

async fn my_channel(browser: &Browser, token: &str) -> (StatusCode, Value) {
    let (status, _, body) = browser
        .get(
            "youtube/v3/channels",
            Some(token),
            &[
                ("part", "snippet,contentDetails,statistics"),
                ("mine", "true"),
            ],
        )
        .await;
    (status, body)
}

/// Every item of a playlist, following `nextPageToken`; returns the items and the pages.
async fn walk(browser: &Browser, auth: (&str, &str), playlist: &str) -> (Vec<Value>, usize) {
    let mut items = Vec::new();
    let mut pages = 0;
    let mut page_token: Option<String> = None;
    loop {
        let mut query = vec![
            ("part", "contentDetails,snippet".to_owned()),
            ("playlistId", playlist.to_owned()),
            ("maxResults", "50".to_owned()),
            auth_pair(auth),
        ];
        if let Some(token) = &page_token {
            query.push(("pageToken", token.clone()));
        }
        let query: Vec<(&str, &str)> = query.iter().map(|(k, v)| (*k, v.as_str())).collect();
        let bearer = (auth.0 == "bearer").then_some(auth.1);
        let (status, _, body) = browser
            .get("youtube/v3/playlistItems", bearer, &query)
            .await;
        assert_eq!(status, StatusCode::OK, "{body}");
        pages += 1;
        items.extend(body["items"].as_array().unwrap().iter().cloned());
        match body["nextPageToken"].as_str() {
            Some(next) => page_token = Some(next.to_owned()),
            None => return (items, pages),
        }
    }
}

fn auth_pair(auth: (&str, &str)) -> (&'static str, String) {
    match auth.0 {
        "key" => ("key", auth.1.to_owned()),
        _ => ("prettyPrint", "false".to_owned()),
    }
}

#[tokio::test]
async fn my_channel_has_string_counters_rounded_subscribers_and_the_uploads_playlist() {
    let browser = Browser::start(config()).await;
    let token = token_of(&browser, MAYA).await;
    let (status, body) = my_channel(&browser, &token).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(body["kind"], "youtube#channelListResponse");
    assert!(body["etag"].is_string());
    let channel = &body["items"][0];
    let truth = browser
        .sandbox
        .account(MAYA)
        .unwrap()
        .summary
        .channel
        .unwrap();
    assert_eq!(channel["id"], truth.channel_id);
    assert_eq!(channel["snippet"]["customUrl"], "@mayacooks");
    assert_eq!(
        channel["contentDetails"]["relatedPlaylists"]["uploads"],
        truth.uploads_playlist_id
    );
    assert_eq!(channel["contentDetails"]["relatedPlaylists"]["likes"], "LL");
    let statistics = &channel["statistics"];
    assert_eq!(
        statistics["subscriberCount"], "12300",
        "12,345 rounded down to three figures"
    );
    assert_eq!(statistics["hiddenSubscriberCount"], false);
    assert_eq!(statistics["videoCount"], truth.public_videos.to_string());
    assert_eq!(statistics["viewCount"], truth.view_count.to_string());
    assert!(
        truth.public_videos < truth.uploads,
        "private and unlisted are not counted"
    );
    for key in ["default", "medium", "high"] {
        assert!(channel["snippet"]["thumbnails"][key]["url"].is_string());
    }
}

#[tokio::test]
async fn a_hidden_subscriber_count_takes_the_configured_shape() {
    for (shape, expected) in [
        (HiddenSubscribers::Omit, Value::Null),
        (HiddenSubscribers::Zero, Value::from("0")),
        (HiddenSubscribers::Shown, Value::from("1980000")),
    ] {
        let browser = Browser::start(config().hidden_subscribers(shape)).await;
        let token = token_of(&browser, STUDIO).await;
        let statistics = my_channel(&browser, &token).await.1["items"][0]["statistics"].clone();
        assert_eq!(statistics["subscriberCount"], expected, "{shape:?}");
        assert_eq!(statistics["hiddenSubscriberCount"], true);
    }
    let browser = Browser::start(
        config()
            .hidden_subscriber_flag(false)
            .round_owner_subscribers(false),
    )
    .await;
    let statistics = my_channel(&browser, &token_of(&browser, STUDIO).await)
        .await
        .1["items"][0]["statistics"]
        .clone();
    assert!(statistics.get("hiddenSubscriberCount").is_none());
    let maya = my_channel(&browser, &token_of(&browser, MAYA).await)
        .await
        .1;
    assert_eq!(
        maya["items"][0]["statistics"]["subscriberCount"], "12345",
        "the owner's exact count when configured"
    );
}

#[tokio::test]
async fn an_account_without_a_channel_gets_no_items_and_youtube_signup_required_elsewhere() {
    let browser = Browser::start(config()).await;
    let token = token_of(&browser, PAT).await;
    let (status, body) = my_channel(&browser, &token).await;
    assert_eq!(status, StatusCode::OK);
    assert!(body.get("items").is_none());
    assert_eq!(body["pageInfo"]["totalResults"], 0);
    let (status, _, body) = browser
        .get(
            "youtube/v3/playlistItems",
            Some(&token),
            &[
                ("part", "contentDetails"),
                ("playlistId", "UUxxxxxxxxxxxxxxxxxxxxxx"),
            ],
        )
        .await;
    assert_eq!(status, StatusCode::UNAUTHORIZED);
    assert_eq!(Browser::reason(&body), "youtubeSignupRequired");
    assert_eq!(body["error"]["errors"][0]["domain"], "youtube.header");
}

#[tokio::test]
async fn request_errors_take_googles_envelope() {
    let browser = Browser::start(config()).await;
    let token = token_of(&browser, MAYA).await;
    let cases: [(Query, StatusCode, &str); 5] = [
        (&[("mine", "true")], StatusCode::BAD_REQUEST, "required"),
        (
            &[("part", "snippet,gossip"), ("mine", "true")],
            StatusCode::BAD_REQUEST,
            "unknownPart",
        ),
        (
            &[("part", "id")],
            StatusCode::BAD_REQUEST,
            "missingRequiredParameter",
        ),
        (
            &[("part", "id"), ("mine", "true"), ("id", "UCx")],
            StatusCode::BAD_REQUEST,
            "incompatibleParameters",
        ),
        (
            &[("part", "id"), ("id", "UCnotAChannelAtAllxxxxxx")],
            StatusCode::NOT_FOUND,
            "channelNotFound",
        ),
    ];
    for (query, status, reason) in cases {
        let (got, _, body) = browser
            .get("youtube/v3/channels", Some(&token), query)
            .await;
        assert_eq!((got, Browser::reason(&body)), (status, reason), "{query:?}");
        assert_eq!(body["error"]["code"], status.as_u16());
        assert!(body["error"]["status"].is_string());
    }
    // Analytics only: channels.list?mine=true needs youtube.readonly.
    let analytics_only =
        text(&browser.connect(KENJI, &[ANALYTICS]).await, "access_token").to_owned();
    let (status, headers, body) = browser
        .get(
            "youtube/v3/channels",
            Some(&analytics_only),
            &[("part", "id"), ("mine", "true")],
        )
        .await;
    assert_eq!(
        (status, Browser::reason(&body)),
        (StatusCode::FORBIDDEN, "insufficientPermissions")
    );
    assert!(
        headers["www-authenticate"]
            .to_str()
            .unwrap()
            .contains("insufficient_scope")
    );
    let (status, _, body) = browser
        .get(
            "youtube/v3/channels",
            None,
            &[("part", "id"), ("mine", "true")],
        )
        .await;
    assert_eq!(
        (status, Browser::reason(&body)),
        (StatusCode::UNAUTHORIZED, "required")
    );
    let (status, _, body) = browser
        .get(
            "youtube/v3/channels",
            None,
            &[("part", "id"), ("mine", "true"), ("key", "nope")],
        )
        .await;
    assert_eq!(
        (status, Browser::reason(&body)),
        (StatusCode::BAD_REQUEST, "keyInvalid")
    );
    let quiet = Browser::start(config().error_status_field(false)).await;
    let (_, _, body) = quiet
        .get(
            "youtube/v3/channels",
            Some(&token_of(&quiet, MAYA).await),
            &[("mine", "true")],
        )
        .await;
    assert!(body["error"].get("status").is_none());
}

#[tokio::test]
async fn the_uploads_playlist_pages_by_fifty_newest_first_with_opaque_tokens() {
    let browser = Browser::start(config()).await;
    let token = token_of(&browser, STUDIO).await;
    let truth = browser.sandbox.account(STUDIO).unwrap();
    let playlist = truth
        .summary
        .channel
        .as_ref()
        .unwrap()
        .uploads_playlist_id
        .clone();
    let (items, pages) = walk(&browser, ("bearer", &token), &playlist).await;
    assert_eq!(pages, 25);
    assert_eq!(items.len(), 1_250);
    let ids: Vec<&str> = items
        .iter()
        .map(|item| item["contentDetails"]["videoId"].as_str().unwrap())
        .collect();
    let unique: HashSet<&str> = ids.iter().copied().collect();
    assert_eq!(unique.len(), 1_250);
    let expected: Vec<&str> = truth.videos.iter().map(|video| video.id.as_str()).collect();
    assert_eq!(ids, expected, "newest first");
    assert_eq!(items[51]["snippet"]["position"], 51);
    // A token is opaque and bound to its listing.
    let (_, _, first) = browser
        .get(
            "youtube/v3/playlistItems",
            Some(&token),
            &[
                ("part", "id"),
                ("playlistId", &playlist),
                ("maxResults", "50"),
            ],
        )
        .await;
    let next = first["nextPageToken"].as_str().unwrap();
    assert!(next.starts_with("EAAa"));
    let tampered = format!("{next}x");
    let cases = [
        (
            vec![("pageToken", tampered.as_str())],
            StatusCode::BAD_REQUEST,
            "invalidPageToken",
        ),
        (
            vec![("maxResults", "51")],
            StatusCode::BAD_REQUEST,
            "invalidValue",
        ),
    ];
    for (extra, status, reason) in cases {
        let mut query = vec![("part", "id"), ("playlistId", playlist.as_str())];
        query.extend(extra);
        let (got, _, body) = browser
            .get("youtube/v3/playlistItems", Some(&token), &query)
            .await;
        assert_eq!((got, Browser::reason(&body)), (status, reason));
    }
    let (status, _, body) = browser
        .get(
            "youtube/v3/playlistItems",
            Some(&token),
            &[("part", "id"), ("playlistId", "UUnotAPlaylistxxxxxxxxxx")],
        )
        .await;
    assert_eq!(
        (status, Browser::reason(&body)),
        (StatusCode::NOT_FOUND, "playlistNotFound")
    );
    let (_, _, default_page) = browser
        .get(
            "youtube/v3/playlistItems",
            Some(&token),
            &[("part", "id"), ("playlistId", &playlist)],
        )
        .await;
    assert_eq!(
        default_page["items"].as_array().unwrap().len(),
        5,
        "maxResults defaults to 5"
    );
}

#[tokio::test]
async fn the_owner_sees_private_upcoming_and_deleted_items_others_only_public_ones() {
    let browser = Browser::start(config()).await;
    let token = token_of(&browser, KENJI).await;
    let truth = browser.sandbox.account(KENJI).unwrap();
    let playlist = truth
        .summary
        .channel
        .as_ref()
        .unwrap()
        .uploads_playlist_id
        .clone();
    let (items, _) = walk(&browser, ("bearer", &token), &playlist).await;
    assert_eq!(items.len(), truth.videos.len());
    for (item, video) in items.iter().zip(&truth.videos) {
        let published = item["contentDetails"].get("videoPublishedAt").is_some();
        let expected = !video.deleted
            && video.privacy != Privacy::Private
            && video.kind != VideoKind::Upcoming;
        assert_eq!(published, expected, "{video:?}");
        if video.deleted {
            assert_eq!(item["snippet"]["title"], "Deleted video");
        }
    }
    let (public, _) = walk(&browser, ("key", DEFAULT_API_KEY), &playlist).await;
    let expected = truth
        .videos
        .iter()
        .filter(|v| !v.deleted && v.privacy == Privacy::Public)
        .count();
    assert_eq!(public.len(), expected);
}

#[tokio::test]
async fn videos_list_omits_what_the_caller_cannot_see_and_shows_live_states() {
    let browser = Browser::start(config()).await;
    let token = token_of(&browser, KENJI).await;
    let truth = browser.sandbox.account(KENJI).unwrap();
    // The two live uploads, every private one, a deleted one, then others up to 50.
    let mut picked: Vec<&youtube_sandbox::VideoSummary> = truth.videos[..2].iter().collect();
    picked.extend(
        truth
            .videos
            .iter()
            .filter(|v| v.privacy == Privacy::Private && !v.deleted),
    );
    picked.extend(truth.videos.iter().filter(|v| v.deleted).take(1));
    for video in &truth.videos {
        if picked.len() == 50 {
            break;
        }
        if !video.deleted && !picked.iter().any(|p| p.id == video.id) {
            picked.push(video);
        }
    }
    assert!(
        picked
            .iter()
            .any(|v| v.privacy == Privacy::Private && !v.deleted)
    );
    let ids: Vec<&str> = picked.iter().map(|video| video.id.as_str()).collect();
    let joined = ids.join(",");
    let parts = "snippet,contentDetails,statistics,status,liveStreamingDetails";
    let (status, _, body) = browser
        .get(
            "youtube/v3/videos",
            Some(&token),
            &[("part", parts), ("id", &joined), ("maxResults", "50")],
        )
        .await;
    assert_eq!(status, StatusCode::OK);
    let items = body["items"].as_array().unwrap();
    assert_eq!(items.len(), 49, "the deleted id is silently left out");
    let upcoming = &items[0];
    assert_eq!(upcoming["snippet"]["liveBroadcastContent"], "upcoming");
    assert_eq!(upcoming["contentDetails"]["duration"], "P0D");
    assert!(upcoming["liveStreamingDetails"]["scheduledStartTime"].is_string());
    let live = &items[1];
    assert_eq!(live["snippet"]["liveBroadcastContent"], "live");
    assert!(live["liveStreamingDetails"]["concurrentViewers"].is_string());
    for item in items {
        let statistics = &item["statistics"];
        assert!(statistics["viewCount"].is_string());
        assert_eq!(statistics["favoriteCount"], "0");
        assert!(
            statistics["dislikeCount"].is_string(),
            "the owner sees dislikes"
        );
        assert_eq!(
            item["contentDetails"]["caption"]
                .as_str()
                .map(|c| c == "true" || c == "false"),
            Some(true)
        );
    }
    assert!(
        items
            .iter()
            .any(|item| item["status"]["privacyStatus"] == "private")
    );
    // Someone else: no private videos, no dislikes.
    let (_, _, public) = browser
        .get(
            "youtube/v3/videos",
            None,
            &[("part", parts), ("id", &joined), ("key", DEFAULT_API_KEY)],
        )
        .await;
    let public = public["items"].as_array().unwrap();
    assert!(
        public
            .iter()
            .all(|item| item["status"]["privacyStatus"] != "private")
    );
    assert!(
        public
            .iter()
            .all(|item| item["statistics"].get("dislikeCount").is_none())
    );
    let too_many: Vec<String> = (0..51).map(|n| format!("v{n:010}")).collect();
    let (status, _, body) = browser
        .get(
            "youtube/v3/videos",
            Some(&token),
            &[("part", "id"), ("id", &too_many.join(","))],
        )
        .await;
    assert_eq!(
        (status, Browser::reason(&body)),
        (StatusCode::BAD_REQUEST, "invalidValue")
    );
}

#[tokio::test]
async fn likes_can_be_hidden_comments_off_and_statistics_grow_with_the_clock() {
    let browser = Browser::start(config()).await;
    let token = token_of(&browser, STUDIO).await;
    let truth = browser.sandbox.account(STUDIO).unwrap();
    let ids: Vec<&str> = truth
        .videos
        .iter()
        .filter(|v| !v.deleted)
        .take(50)
        .map(|v| v.id.as_str())
        .collect();
    let joined = ids.join(",");
    let query = [("part", "statistics"), ("id", joined.as_str())];
    let (_, _, before) = browser.get("youtube/v3/videos", Some(&token), &query).await;
    let items = before["items"].as_array().unwrap();
    assert!(
        items
            .iter()
            .any(|item| item["statistics"].get("likeCount").is_none()),
        "hidden likes"
    );
    assert!(
        items
            .iter()
            .any(|item| item["statistics"].get("commentCount").is_none()),
        "comments off"
    );
    let views = |body: &Value| -> Vec<u64> {
        body["items"]
            .as_array()
            .unwrap()
            .iter()
            .map(|item| {
                item["statistics"]["viewCount"]
                    .as_str()
                    .unwrap()
                    .parse()
                    .unwrap()
            })
            .collect()
    };
    let first = views(&before);
    assert_eq!(
        first[0],
        truth.videos.iter().find(|v| v.id == ids[0]).unwrap().views
    );
    browser
        .sandbox
        .advance_clock(Duration::from_secs(7 * 86_400));
    let token = token_of(&browser, STUDIO).await;
    let (_, _, after) = browser
        .get(
            "youtube/v3/videos",
            Some(&token),
            &[("part", "statistics"), ("id", &joined)],
        )
        .await;
    let later = views(&after);
    assert!(first.iter().zip(&later).all(|(a, b)| b >= a));
    assert!(first.iter().zip(&later).any(|(a, b)| b > a));
}

#[tokio::test]
async fn batch_get_stats_is_cheap_non_atomic_when_configured_and_takes_both_encodings() {
    let browser = Browser::start(config()).await;
    let token = token_of(&browser, MAYA).await;
    let truth = browser.sandbox.account(MAYA).unwrap();
    let ids: Vec<&str> = truth.videos.iter().map(|v| v.id.as_str()).collect();
    let joined = ids.join(",");
    let (status, _, body) = browser
        .get(
            "youtube/v3/videos:batchGetStats",
            Some(&token),
            &[
                ("part", "statistics,contentDetails,snippet"),
                ("id", &joined),
            ],
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{body}");
    assert_eq!(body["kind"], "youtube#batchGetStatsResponse");
    let item = &body["items"][0];
    assert_eq!(item["kind"], "youtube#videoStats");
    assert!(item["statistics"]["viewCount"].is_string());
    assert!(item["contentDetails"]["durationMillis"].is_string());
    assert!(item["snippet"]["publishTime"].is_string());
    assert_eq!(body["summary"]["requestedCount"], ids.len());
    let usage = browser.sandbox.quota_usage(DEFAULT_CLIENT_ID);
    assert_eq!(usage.used(QuotaBucket::BatchGetStats), 1);
    assert_eq!(usage.used(QuotaBucket::General), 0);
    let (status, _, body) = browser
        .get(
            "youtube/v3/videos:batchGetStats",
            Some(&token),
            &[("part", "status"), ("id", ids[0])],
        )
        .await;
    assert_eq!(
        (status, Browser::reason(&body)),
        (StatusCode::BAD_REQUEST, "unknownPart")
    );

    let other = Browser::start(
        config()
            .batch_numbers(NumberEncoding::Numbers)
            .batch_drop_every(Some(4))
            .batch_summary(false),
    )
    .await;
    let token = token_of(&other, MAYA).await;
    let (_, _, body) = other
        .get(
            "youtube/v3/videos:batchGetStats",
            Some(&token),
            &[("part", "statistics"), ("id", &joined)],
        )
        .await;
    let items = body["items"].as_array().unwrap();
    assert!(items[0]["statistics"]["viewCount"].is_u64());
    assert!(body.get("summary").is_none());
    assert_eq!(
        items.len(),
        ids.len() - ids.len() / 4,
        "every fourth id left out"
    );
}

#[tokio::test]
async fn search_reaches_a_channels_public_videos_and_spends_its_own_bucket() {
    let browser = Browser::start(config()).await;
    let token = token_of(&browser, MAYA).await;
    let truth = browser.sandbox.account(MAYA).unwrap();
    let channel = truth.summary.channel.unwrap().channel_id;
    let (status, _, body) = browser
        .get(
            "youtube/v3/search",
            Some(&token),
            &[
                ("part", "snippet"),
                ("channelId", &channel),
                ("type", "video"),
                ("maxResults", "50"),
            ],
        )
        .await;
    assert_eq!(status, StatusCode::OK);
    let public = truth
        .videos
        .iter()
        .filter(|v| !v.deleted && v.privacy == Privacy::Public)
        .count();
    assert_eq!(body["items"].as_array().unwrap().len(), public);
    assert_eq!(
        browser
            .sandbox
            .quota_usage(DEFAULT_CLIENT_ID)
            .used(QuotaBucket::Search),
        1
    );
}

#[tokio::test]
async fn an_etag_answers_304_at_the_configured_cost() {
    let browser = Browser::start(config()).await;
    let token = token_of(&browser, MAYA).await;
    let query = [("part", "statistics"), ("mine", "true")];
    let (_, headers, body) = browser
        .get("youtube/v3/channels", Some(&token), &query)
        .await;
    let etag = headers["etag"].to_str().unwrap().to_owned();
    assert_eq!(etag.trim_matches('"'), body["etag"].as_str().unwrap());
    let conditional = || {
        browser
            .http
            .get(browser.url("youtube/v3/channels"))
            .query(&query)
            .bearer_auth(&token)
            .header("If-None-Match", &etag)
            .send()
    };
    assert_eq!(
        conditional().await.unwrap().status(),
        StatusCode::NOT_MODIFIED
    );
    assert_eq!(
        browser
            .sandbox
            .quota_usage(DEFAULT_CLIENT_ID)
            .used(QuotaBucket::General),
        2,
        "a 304 costs 1 by default"
    );
    browser.sandbox.advance_clock(Duration::from_secs(86_400));
    assert_eq!(
        conditional().await.unwrap().status(),
        StatusCode::UNAUTHORIZED,
        "the token expired meanwhile"
    );
    let free = Browser::start(
        config().quota(youtube_sandbox::QuotaSettings::current().with_not_modified_units(0)),
    )
    .await;
    let token = token_of(&free, MAYA).await;
    let (_, headers, _) = free.get("youtube/v3/channels", Some(&token), &query).await;
    let response = free
        .http
        .get(free.url("youtube/v3/channels"))
        .query(&query)
        .bearer_auth(&token)
        .header("If-None-Match", headers["etag"].to_str().unwrap())
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), StatusCode::NOT_MODIFIED);
    assert_eq!(
        free.sandbox
            .quota_usage(DEFAULT_CLIENT_ID)
            .used(QuotaBucket::General),
        1
    );
}

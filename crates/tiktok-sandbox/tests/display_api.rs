//! The Display API over real HTTP: envelopes, fields, pagination and query, checked against
//! the reference's examples (sections 5 to 8).
#![allow(clippy::unwrap_used)]

mod common;

use common::*;
use reqwest::StatusCode;
use serde_json::{Value, json};
use tiktok_sandbox::Endpoint;

const ALL_USER_FIELDS: &str = "open_id,union_id,avatar_url,avatar_url_100,avatar_large_url,\
display_name,bio_description,profile_deep_link,is_verified,username,follower_count,\
following_count,likes_count,video_count";
const ALL_VIDEO_FIELDS: &str = "id,create_time,cover_image_url,share_url,video_description,\
duration,height,width,title,embed_html,embed_link,like_count,comment_count,share_count,view_count";

/// Connects the creator at `index` (the consent page's select order).
async fn connect_creator(browser: &Browser, index: usize) -> String {
    let page = browser
        .consent_page(browser.authorize_url(ALL_SCOPES, Some(&s256_base64url(VERIFIER))))
        .await;
    let boxes: Vec<&str> = page.scope_boxes.iter().map(String::as_str).collect();
    let creator = page.creators[index].clone();
    let callback = browser.submit(&page, &creator, &boxes, "authorize").await;
    let (status, tokens) = browser
        .exchange(&callback.param("code").unwrap(), VERIFIER)
        .await;
    assert_eq!(status, StatusCode::OK);
    access_token(&tokens)
}

/// Walks the whole list with `max_count` 20; returns the ids in order.
async fn walk(browser: &Browser, token: &str) -> Vec<String> {
    let mut ids = Vec::new();
    let mut cursor: Option<i64> = None;
    loop {
        let body = match cursor {
            None => json!({ "max_count": 20 }),
            Some(cursor) => json!({ "max_count": 20, "cursor": cursor }),
        };
        let (status, page) = browser.video_list(token, &body).await;
        assert_eq!(status, StatusCode::OK, "{page}");
        assert_eq!(envelope_code(&page), "ok");
        let videos = page["data"]["videos"].as_array().unwrap();
        assert!(videos.len() <= 20);
        ids.extend(
            videos
                .iter()
                .map(|video| video["id"].as_str().unwrap().to_owned()),
        );
        let next = page["data"]["cursor"].as_i64().unwrap();
        if let Some(last) = videos.last() {
            assert_eq!(next, last["create_time"].as_i64().unwrap() * 1_000);
        }
        cursor = Some(next);
        if !page["data"]["has_more"].as_bool().unwrap() {
            return ids;
        }
    }
}

#[tokio::test]
async fn pagination_takes_ceil_videos_over_20_calls_at_least_one() {
    let counts = [0_u32, 1, 20, 21, 95];
    let (sandbox, browser) = start(config().creator_videos(counts)).await;
    let creators = sandbox.creators();
    for (index, &count) in counts.iter().enumerate() {
        let token = connect_creator(&browser, index).await;
        let before = sandbox.call_count(Endpoint::VideoList);
        let ids = walk(&browser, &token).await;
        let calls = sandbox.call_count(Endpoint::VideoList) - before;
        assert_eq!(ids.len(), count as usize);
        assert_eq!(
            calls,
            u64::from(count.div_ceil(20).max(1)),
            "{count} videos"
        );
        // The sandbox's truth, newest first, matches what was walked.
        let truth = sandbox.creator(&creators[index].open_id).unwrap();
        let truth_ids: Vec<String> = truth.videos.iter().map(|video| video.id.clone()).collect();
        assert_eq!(ids, truth_ids);
    }
}

#[tokio::test]
async fn user_info_returns_the_documented_fields_in_the_envelope() {
    let (sandbox, browser) = start(config()).await;
    let token = connect_creator(&browser, 0).await;
    let (status, body) = browser.user_info(&token, ALL_USER_FIELDS).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(envelope_code(&body), "ok");
    assert_eq!(body["error"]["message"], json!(""));
    let user = body["data"]["user"].as_object().unwrap();
    let mut keys: Vec<&str> = user.keys().map(String::as_str).collect();
    keys.sort_unstable();
    let mut expected: Vec<&str> = ALL_USER_FIELDS.split(',').collect();
    expected.sort_unstable();
    assert_eq!(keys, expected);
    let truth = &sandbox.creators()[0];
    assert_eq!(user["open_id"], json!(truth.open_id));
    assert_eq!(user["username"], json!(truth.username));
    assert_eq!(user["bio_description"], json!(truth.bio_description));
    assert_eq!(user["follower_count"], json!(truth.follower_count));
    assert!(user["is_verified"].is_boolean());
    let deep_link = user["profile_deep_link"].as_str().unwrap();
    assert!(deep_link.starts_with(&format!("https://www.tiktok.com/@{}?", truth.username)));
    for count in [
        "follower_count",
        "following_count",
        "likes_count",
        "video_count",
    ] {
        assert!(user[count].is_u64(), "{count}");
    }
    // The avatar is served by the sandbox itself.
    let avatar = browser
        .http
        .get(user["avatar_url"].as_str().unwrap())
        .send()
        .await
        .unwrap();
    assert_eq!(avatar.status(), StatusCode::OK);
    assert_eq!(avatar.headers()["content-type"], "image/svg+xml");

    // Only the requested fields come back.
    let (_, body) = browser.user_info(&token, "open_id,display_name").await;
    let keys: Vec<&String> = body["data"]["user"].as_object().unwrap().keys().collect();
    assert_eq!(keys, ["display_name", "open_id"]);
    // The log id is in the header too.
    let mut url = browser.url("/v2/user/info/");
    url.query_pairs_mut().append_pair("fields", "open_id");
    let response = browser
        .http
        .get(url)
        .bearer_auth(&token)
        .send()
        .await
        .unwrap();
    let header = response.headers()["x-tt-logid"]
        .to_str()
        .unwrap()
        .to_owned();
    let body: Value = response.json().await.unwrap();
    assert_eq!(body["error"]["log_id"], json!(header));
}

#[tokio::test]
async fn bad_parameters_are_invalid_params() {
    let (_sandbox, browser) = start(config().creator_videos([30])).await;
    let token = connect_creator(&browser, 0).await;
    for fields in ["", "open_id,shoe_size"] {
        let (status, body) = browser.user_info(&token, fields).await;
        assert_eq!(status, StatusCode::BAD_REQUEST, "{fields:?}");
        assert_eq!(envelope_code(&body), "invalid_params");
    }
    for body in [
        json!({ "max_count": 0 }),
        json!({ "max_count": 21 }),
        json!({ "max_count": "ten" }),
    ] {
        let (status, response) = browser.video_list(&token, &body).await;
        assert_eq!(status, StatusCode::BAD_REQUEST, "{body}");
        assert_eq!(envelope_code(&response), "invalid_params");
    }
    let (status, body) = browser
        .video_post("/v2/video/list/", &token, "id,plays", &json!({}))
        .await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    assert_eq!(envelope_code(&body), "invalid_params");
    // No max_count: the documented default of 10.
    let (status, body) = browser.video_list(&token, &json!({})).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(body["data"]["videos"].as_array().unwrap().len(), 10);
    assert_eq!(body["data"]["has_more"], json!(true));
    // No bearer token at all.
    let mut url = browser.url("/v2/user/info/");
    url.query_pairs_mut().append_pair("fields", "open_id");
    let response = browser.http.get(url).send().await.unwrap();
    assert_eq!(response.status(), StatusCode::UNAUTHORIZED);
    assert_eq!(
        envelope_code(&response.json().await.unwrap()),
        "access_token_invalid"
    );
}

#[tokio::test]
async fn videos_have_the_documented_shape() {
    let (sandbox, browser) = start(config().creator_videos([5])).await;
    let token = connect_creator(&browser, 0).await;
    let (status, body) = browser
        .video_post(
            "/v2/video/list/",
            &token,
            ALL_VIDEO_FIELDS,
            &json!({ "max_count": 20 }),
        )
        .await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(body["data"]["has_more"], json!(false));
    let videos = body["data"]["videos"].as_array().unwrap();
    assert_eq!(videos.len(), 5);
    let username = &sandbox.creators()[0].username;
    for video in videos {
        let id = video["id"].as_str().expect("ids are strings");
        assert_eq!(id.len(), 19);
        assert!(id.parse::<u64>().unwrap() > 1 << 53);
        assert!(video["create_time"].as_i64().unwrap() < start_time().timestamp());
        for text in [
            "title",
            "video_description",
            "cover_image_url",
            "embed_html",
            "embed_link",
        ] {
            assert!(video[text].is_string(), "{text}");
        }
        for number in [
            "duration",
            "height",
            "width",
            "like_count",
            "comment_count",
            "share_count",
            "view_count",
        ] {
            assert!(video[number].is_u64(), "{number}");
        }
        assert_eq!(
            video["share_url"],
            json!(format!("https://www.tiktok.com/@{username}/video/{id}"))
        );
        assert!(
            !video["embed_html"]
                .as_str()
                .unwrap()
                .contains("<script>alert")
        );
    }
}

#[tokio::test]
async fn video_query_returns_only_the_callers_own_videos() {
    let (sandbox, browser) = start(config().creator_videos([25, 10])).await;
    let token = connect_creator(&browser, 0).await;
    let creators = sandbox.creators();
    let mine = sandbox.creator(&creators[0].open_id).unwrap().videos;
    let theirs = sandbox.creator(&creators[1].open_id).unwrap().videos;
    let ids = json!([mine[3].id, theirs[0].id, "7000000000000000000", mine[0].id]);
    let (status, body) = browser
        .video_post(
            "/v2/video/query/",
            &token,
            "id,view_count",
            &json!({ "filters": { "video_ids": ids } }),
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{body}");
    assert_eq!(envelope_code(&body), "ok");
    let returned: Vec<&str> = body["data"]["videos"]
        .as_array()
        .unwrap()
        .iter()
        .map(|video| video["id"].as_str().unwrap())
        .collect();
    assert_eq!(returned, [mine[3].id.as_str(), mine[0].id.as_str()]);
    assert_eq!(
        body["data"]["videos"][0]["view_count"],
        json!(mine[3].view_count)
    );

    let too_many: Vec<&str> = mine
        .iter()
        .take(21)
        .map(|video| video.id.as_str())
        .collect();
    for ids in [
        json!([]),
        json!(too_many),
        json!([7_300_000_000_000_000_000_u64]),
    ] {
        let (status, body) = browser
            .video_post(
                "/v2/video/query/",
                &token,
                "id",
                &json!({ "filters": { "video_ids": ids } }),
            )
            .await;
        assert_eq!(status, StatusCode::BAD_REQUEST);
        assert_eq!(envelope_code(&body), "invalid_params");
    }
}

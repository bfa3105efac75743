//! Profile, media, children, stories, insights, budgets and faults over real HTTP.
#![allow(clippy::unwrap_used)]

mod common;

use std::time::Duration;

use common::*;
use instagram_sandbox::{
    AccountSpec, CallBudget, Endpoint, Fault, ThrottleResponse, UnsupportedMetricError,
};
use serde_json::Value;
use url::Url;

#[tokio::test]
async fn the_profile_answers_the_asked_fields_and_refuses_unknown_ones() {
    let browser = Browser::start(config()).await;
    let token = browser.long_lived_token("metricsaurus").await;
    let truth = browser.sandbox.account("metricsaurus").unwrap().summary;
    let (status, body) = browser
        .read(
            "me",
            &token,
            &[(
                "fields",
                "user_id,username,account_type,followers_count,media_count",
            )],
        )
        .await;
    assert_eq!(status, 200);
    assert_eq!(body["id"], truth.app_scoped_id.as_str());
    assert_eq!(body["user_id"], truth.ig_user_id.as_str());
    assert_eq!(body["account_type"], "BUSINESS");
    assert_eq!(body["followers_count"], truth.followers_count);
    assert!(body.get("biography").is_none(), "not asked for");
    let (status, body) = browser
        .read(&truth.ig_user_id, &token, &[("fields", "username")])
        .await;
    assert_eq!(
        (status.as_u16(), body["username"].as_str()),
        (200, Some("metricsaurus"))
    );
    let (status, body) = browser
        .read("me", &token, &[("fields", "username,impressions")])
        .await;
    assert_eq!(status, 400);
    assert_eq!(codes(&body), (100, None));
    assert!(
        body["error"]["message"]
            .as_str()
            .unwrap()
            .contains("nonexisting field (impressions)")
    );
    assert!(body["error"]["fbtrace_id"].is_string());

    // The token may also come as a bearer header; a bad one is a 190.
    let url = browser.sandbox.graph_base_url().join("v25.0/me").unwrap();
    let response = browser
        .http
        .get(url.clone())
        .bearer_auth(&token)
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 200);
    let (status, body) = browser.read("me", "IGAA-not-a-token", &[]).await;
    assert_eq!((status.as_u16(), codes(&body)), (400, (190, None)));
    // Another account's node is invisible.
    let other = browser.ig_user_id("ana.makes");
    let (_, body) = browser.read(&other, &token, &[]).await;
    assert_eq!(codes(&body), (100, Some(33)));
}

fn next_of(body: &Value) -> Option<Url> {
    body["paging"]["next"]
        .as_str()
        .map(|next| Url::parse(next).unwrap())
}

#[tokio::test]
async fn media_pages_follow_next_to_the_end_newest_first() {
    let browser = Browser::start(config()).await;
    let token = browser.long_lived_token("ana.makes").await;
    let truth = browser.sandbox.account("ana.makes").unwrap();
    let (status, body) = browser.read("me/media", &token, &[]).await;
    assert_eq!(status, 200);
    assert_eq!(
        body["data"].as_array().unwrap().len(),
        25,
        "default page size"
    );
    assert_eq!(
        body["data"][0],
        serde_json::json!({"id": truth.media[0].id}),
        "only ids without fields"
    );
    let mut ids = Vec::new();
    let mut next = Some({
        let mut url = browser
            .sandbox
            .graph_base_url()
            .join("v25.0/me/media")
            .unwrap();
        url.query_pairs_mut()
            .append_pair("access_token", &token)
            .append_pair("fields", "id,media_type,timestamp,children{media_type}")
            .append_pair("limit", "500");
        url
    });
    let mut pages = 0;
    while let Some(url) = next {
        assert_eq!(
            param(&url, "access_token").as_deref(),
            Some(token.as_str()),
            "next carries the token"
        );
        let body: Value = browser
            .http
            .get(url)
            .send()
            .await
            .unwrap()
            .json()
            .await
            .unwrap();
        pages += 1;
        for item in body["data"].as_array().unwrap() {
            assert!(item["timestamp"].as_str().unwrap().ends_with("+0000"));
            ids.push(item["id"].as_str().unwrap().to_owned());
        }
        if pages > 1 {
            assert!(body["paging"]["previous"].is_string());
        }
        next = next_of(&body);
    }
    assert_eq!(
        pages, 2,
        "limit 500 is clamped to 100: 120 media in 2 pages"
    );
    let expected: Vec<_> = truth.media.iter().map(|m| m.id.clone()).collect();
    assert_eq!(ids, expected);
}

#[tokio::test]
async fn a_large_limit_can_be_refused_and_empty_pages_carry_next() {
    let browser = Browser::start(config().clamp_limit(false).empty_pages(true)).await;
    let token = browser.long_lived_token("metricsaurus").await;
    let (status, body) = browser.read("me/media", &token, &[("limit", "101")]).await;
    assert_eq!((status.as_u16(), codes(&body).0), (400, 100));
    let (_, first) = browser.read("me/media", &token, &[("limit", "30")]).await;
    let second: Value = browser
        .http
        .get(next_of(&first).unwrap())
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert!(second["data"].as_array().unwrap().is_empty());
    let third: Value = browser
        .http
        .get(next_of(&second).unwrap())
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(third["data"].as_array().unwrap().len(), 10);
    assert!(third["paging"]["next"].is_null(), "the end: no next");
}

#[tokio::test]
async fn media_fields_children_and_stories() {
    let browser = Browser::start(config().media_product_type(false)).await;
    let token = browser.long_lived_token("metricsaurus").await;
    let truth = browser.sandbox.account("metricsaurus").unwrap();
    let carousel = truth.media.iter().find(|m| !m.children.is_empty()).unwrap();
    let (_, body) = browser
        .read(
            &carousel.id,
            &token,
            &[(
                "fields",
                "media_type,media_product_type,permalink,children{media_type,permalink}",
            )],
        )
        .await;
    assert_eq!(body["media_type"], "CAROUSEL_ALBUM");
    assert!(body.get("media_product_type").is_none(), "switched off");
    let children = body["children"]["data"].as_array().unwrap();
    assert_eq!(children.len(), carousel.children.len());
    assert!(
        children
            .iter()
            .all(|child| child.get("permalink").is_none()),
        "not on children"
    );
    let (_, edge) = browser
        .read(
            &format!("{}/children", carousel.id),
            &token,
            &[("fields", "media_type")],
        )
        .await;
    assert_eq!(
        edge["data"].as_array().unwrap().len(),
        carousel.children.len()
    );
    let copyrighted = truth.media.iter().find(|m| m.copyrighted).unwrap();
    let (_, body) = browser
        .read(
            &copyrighted.id,
            &token,
            &[("fields", "media_url,thumbnail_url")],
        )
        .await;
    assert!(body.get("media_url").is_none());
    assert!(body["thumbnail_url"].is_string());
    let (_, stories) = browser
        .read("me/stories", &token, &[("fields", "media_type,timestamp")])
        .await;
    assert_eq!(stories["data"].as_array().unwrap().len(), 2);
    browser
        .sandbox
        .advance_clock(Duration::from_secs(24 * 3_600));
    let (_, stories) = browser.read("me/stories", &token, &[]).await;
    assert!(
        stories["data"].as_array().unwrap().is_empty(),
        "expired after 24 hours"
    );
}

#[tokio::test]
async fn media_insights_follow_the_product_type_table_and_grow() {
    let browser = Browser::start(config()).await;
    let token = browser.long_lived_token("metricsaurus").await;
    let truth = browser.sandbox.account("metricsaurus").unwrap();
    let reel = truth
        .media
        .iter()
        .find(|m| m.media_product_type == "REELS" && !m.before_conversion)
        .unwrap();
    let metrics = "views,reach,likes,comments,saved,shares,total_interactions,ig_reels_avg_watch_time,reels_skip_rate";
    let (status, body) = browser
        .read(
            &format!("{}/insights", reel.id),
            &token,
            &[("metric", metrics)],
        )
        .await;
    assert_eq!(status, 200, "{body}");
    let data = body["data"].as_array().unwrap();
    assert_eq!(data.len(), 9);
    assert_eq!(data[0]["period"], "lifetime");
    assert_eq!(data[0]["values"][0]["value"], reel.views);
    assert_eq!(
        data[0]["id"],
        format!("{}/insights/views/lifetime", reel.id)
    );
    let (_, body) = browser
        .read(
            &format!("{}/insights", reel.id),
            &token,
            &[("metric", "views,follows")],
        )
        .await;
    assert_eq!(codes(&body), (100, None), "follows is not a reel metric");
    for gone in ["impressions", "plays", "video_views"] {
        let (_, body) = browser
            .read(
                &format!("{}/insights", reel.id),
                &token,
                &[("metric", gone)],
            )
            .await;
        assert_eq!(codes(&body), (100, None), "{gone}");
    }
    let before = truth.media.iter().find(|m| m.before_conversion).unwrap();
    let (_, body) = browser
        .read(
            &format!("{}/insights", before.id),
            &token,
            &[("metric", "views")],
        )
        .await;
    assert_eq!(codes(&body), (4, Some(2_108_006)));
    let child = &truth
        .media
        .iter()
        .find(|m| !m.children.is_empty())
        .unwrap()
        .children[0];
    let (_, body) = browser
        .read(&format!("{child}/insights"), &token, &[("metric", "views")])
        .await;
    assert_eq!(codes(&body).0, 100, "no insights inside albums");
    browser.sandbox.advance_clock(Duration::from_secs(86_400));
    let (_, later) = browser
        .read(
            &format!("{}/insights", reel.id),
            &token,
            &[("metric", "views")],
        )
        .await;
    assert!(
        later["data"][0]["values"][0]["value"].as_u64().unwrap() > reel.views,
        "insights grow"
    );
}

#[tokio::test]
async fn fresh_media_omit_metrics_and_old_ones_fall_out_of_retention() {
    let accounts = [AccountSpec::business("archive", 5_000, 1_000)];
    let browser = Browser::start(
        config()
            .accounts(accounts)
            .unsupported_metric_error(UnsupportedMetricError::UnknownError),
    )
    .await;
    let token = browser.long_lived_token("archive").await;
    let truth = browser.sandbox.account("archive").unwrap();
    // The newest media is two hours old: no longer fresh. Advance nothing, ask an old one:
    // media index 800 is about five years old, after the conversion.
    let old = &truth.media[800];
    assert!(!old.before_conversion);
    let (status, body) = browser
        .read(
            &format!("{}/insights", old.id),
            &token,
            &[("metric", "views")],
        )
        .await;
    assert_eq!(
        (status.as_u16(), body["data"].as_array().unwrap().len()),
        (200, 0),
        "kept two years"
    );
    let (_, body) = browser
        .read(
            &format!("{}/insights", old.id),
            &token,
            &[("metric", "impressions")],
        )
        .await;
    assert_eq!(codes(&body).0, 100, "impressions is gone on v25.0");
    let (status, _) = browser
        .graph(
            &format!("v21.0/{}/insights", old.id),
            &[("access_token", &token), ("metric", "impressions")],
        )
        .await;
    assert_eq!(
        status, 200,
        "but answers for media before 2024-07-02 through v21.0"
    );
    let reel = truth
        .media
        .iter()
        .find(|m| m.media_product_type == "REELS")
        .unwrap();
    let (status, body) = browser
        .read(
            &format!("{}/insights", reel.id),
            &token,
            &[("metric", "views,follows")],
        )
        .await;
    assert_eq!(
        (status.as_u16(), codes(&body).0),
        (500, 1),
        "the unhelpful unknown error, as configured"
    );
}

#[tokio::test]
async fn stories_under_five_viewers_and_account_insights() {
    let browser = Browser::start(config()).await;
    let small = browser.long_lived_token("tiny.studio").await;
    let (_, stories) = browser.read("me/stories", &small, &[]).await;
    let story = stories["data"][0]["id"].as_str().unwrap().to_owned();
    let (_, body) = browser
        .read(&format!("{story}/insights"), &small, &[("metric", "views")])
        .await;
    assert_eq!(codes(&body).0, 10);
    assert!(
        body["error"]["message"]
            .as_str()
            .unwrap()
            .contains("Not enough viewers")
    );

    let now = browser.sandbox.now().timestamp();
    let week = (now - 7 * 86_400).to_string();
    let until = now.to_string();
    let (_, body) = browser
        .read(
            "me/insights",
            &small,
            &[
                ("metric", "follower_count,reach"),
                ("period", "day"),
                ("metric_type", "time_series"),
                ("since", &week),
                ("until", &until),
            ],
        )
        .await;
    let data = body["data"].as_array().unwrap();
    assert_eq!(
        data.len(),
        1,
        "follower_count is left out under 100 followers: {body}"
    );
    assert_eq!(data[0]["name"], "reach");
    let values = data[0]["values"].as_array().unwrap();
    assert_eq!(values.len(), 7);
    assert!(
        values[0]["end_time"]
            .as_str()
            .unwrap()
            .ends_with("T08:00:00+0000"),
        "Pacific days in winter"
    );

    let large = browser.long_lived_token("metricsaurus").await;
    let (_, body) = browser
        .read(
            "me/insights",
            &large,
            &[
                ("metric", "reach,follows_and_unfollows"),
                ("period", "day"),
                ("metric_type", "total_value"),
                ("breakdown", "follow_type"),
                ("since", &week),
                ("until", &until),
            ],
        )
        .await;
    let data = body["data"].as_array().unwrap();
    assert_eq!(data.len(), 2, "{body}");
    let total = &data[0]["total_value"];
    let results = total["breakdowns"][0]["results"].as_array().unwrap();
    let sum: u64 = results.iter().map(|r| r["value"].as_u64().unwrap()).sum();
    assert_eq!(sum, total["value"].as_u64().unwrap());
    let long_ago = (now - 45 * 86_400).to_string();
    let (_, body) = browser
        .read(
            "me/insights",
            &large,
            &[
                ("metric", "reach"),
                ("period", "day"),
                ("since", &long_ago),
                ("until", &until),
            ],
        )
        .await;
    assert_eq!(codes(&body).0, 100, "more than 30 days in one request");
    let too_old = (now - 100 * 86_400).to_string();
    let older_until = (now - 95 * 86_400).to_string();
    let (_, body) = browser
        .read(
            "me/insights",
            &large,
            &[
                ("metric", "reach"),
                ("period", "day"),
                ("since", &too_old),
                ("until", &older_until),
            ],
        )
        .await;
    assert_eq!(codes(&body).0, 100, "kept 90 days");
    let (_, body) = browser
        .read(
            "me/insights",
            &large,
            &[
                ("metric", "impressions"),
                ("period", "day"),
                ("metric_type", "total_value"),
            ],
        )
        .await;
    assert_eq!(codes(&body).0, 100);
}

#[tokio::test]
async fn the_budget_is_per_account_with_usage_headers_and_a_wait() {
    let browser = Browser::start(
        config()
            .call_budget(CallBudget::Fixed(3))
            .throttle_response(ThrottleResponse {
                code: 80_002,
                status: 403,
            }),
    )
    .await;
    let token = browser.long_lived_token("metricsaurus").await;
    let other = browser.long_lived_token("ana.makes").await;
    for _ in 0..3 {
        let (status, headers, _) = browser
            .graph_with_headers("v25.0/me", &[("access_token", &token)])
            .await;
        assert_eq!(status, 200);
        assert!(headers.contains_key("x-app-usage"));
        let usage: Value =
            serde_json::from_str(headers["x-business-use-case-usage"].to_str().unwrap()).unwrap();
        let id = browser.ig_user_id("metricsaurus");
        assert_eq!(usage[&id][0]["type"], "instagram");
    }
    let (status, headers, body) = browser
        .graph_with_headers("v25.0/me", &[("access_token", &token)])
        .await;
    assert_eq!((status.as_u16(), codes(&body).0), (403, 80_002));
    assert_eq!(body["error"]["is_transient"], true);
    let usage: Value =
        serde_json::from_str(headers["x-business-use-case-usage"].to_str().unwrap()).unwrap();
    let entry = &usage.as_object().unwrap().values().next().unwrap()[0];
    assert_eq!(entry["call_count"], 100);
    assert_eq!(entry["estimated_time_to_regain_access"], 24 * 60);
    assert_eq!(
        browser.read("me", &other, &[]).await.0,
        200,
        "another account has its own budget"
    );
    browser
        .sandbox
        .advance_clock(Duration::from_secs(24 * 3_600));
    assert_eq!(
        browser.read("me", &token, &[]).await.0,
        200,
        "the window rolled"
    );
}

#[tokio::test]
async fn faults_answer_every_documented_error() {
    let browser = Browser::start(config()).await;
    let token = browser.long_lived_token("metricsaurus").await;
    let cases: Vec<(Fault, u16, (i64, Option<i64>))> = vec![
        (Fault::InvalidToken, 400, (190, None)),
        (Fault::TokenExpired, 400, (190, Some(463))),
        (Fault::AppRemoved, 400, (190, Some(458))),
        (Fault::PasswordChanged, 400, (190, Some(460))),
        (Fault::UnknownError, 500, (1, None)),
        (Fault::ServiceUnavailable, 503, (2, None)),
        (Fault::ReduceData, 500, (1, None)),
        (Fault::PermissionDenied, 403, (10, None)),
        (Fault::PermissionError, 403, (200, None)),
        (Fault::NotEnoughViewers, 400, (10, None)),
        (Fault::BeforeConversion, 400, (4, Some(2_108_006))),
        (Fault::InvalidParameter, 400, (100, None)),
        (Fault::ObjectMissing, 400, (100, Some(33))),
        (Fault::PolicyBlock, 400, (368, None)),
        (
            Fault::GraphError {
                code: 190,
                subcode: Some(464),
                status: Some(400),
                message: None,
                is_transient: None,
            },
            400,
            (190, Some(464)),
        ),
    ];
    for (fault, status, expected) in cases {
        browser
            .sandbox
            .set_fault_for_calls(Endpoint::Profile, fault.clone(), 1);
        let (got, body) = browser.read("me", &token, &[]).await;
        assert_eq!(
            (got.as_u16(), codes(&body)),
            (status, expected),
            "{fault:?}"
        );
        assert_eq!(
            browser.read("me", &token, &[]).await.0,
            200,
            "{fault:?} cleared itself"
        );
    }
    for code in [4, 17, 32, 613, 80_002] {
        browser.sandbox.set_fault_for_calls(
            Endpoint::MediaList,
            Fault::Throttled {
                code,
                regain_minutes: 3,
                status: None,
            },
            1,
        );
        let (_, headers, body) = browser
            .graph_with_headers("v25.0/me/media", &[("access_token", &token)])
            .await;
        assert_eq!(codes(&body).0, i64::from(code));
        assert!(
            headers["x-business-use-case-usage"]
                .to_str()
                .unwrap()
                .contains("\"estimated_time_to_regain_access\":3")
        );
        browser.sandbox.advance_clock(Duration::from_secs(180));
    }
    browser
        .sandbox
        .set_fault_for_calls(Endpoint::Profile, Fault::MalformedBody, 1);
    let (status, body) = browser.read("me", &token, &[]).await;
    assert_eq!(status, 200);
    assert!(body.is_string(), "not JSON");
    browser.sandbox.set_fault_for_calls(
        Endpoint::CodeExchange,
        Fault::FlatError {
            code: 400,
            message: "Invalid platform app".into(),
        },
        1,
    );
    let code = browser.code_for("metricsaurus").await;
    let (_, body) = browser
        .exchange(&code, instagram_sandbox::DEFAULT_APP_SECRET, REDIRECT_URI)
        .await;
    assert_eq!(body["error_message"], "Invalid platform app");
    browser
        .sandbox
        .set_fault_for_calls(Endpoint::CodeExchange, Fault::ServiceUnavailable, 1);
    let (status, body) = browser
        .exchange(&code, instagram_sandbox::DEFAULT_APP_SECRET, REDIRECT_URI)
        .await;
    assert_eq!(
        status, 503,
        "graph faults take the flat shape on the code exchange: {body}"
    );
    assert!(body.get("error_message").is_some());
    assert!(browser.sandbox.call_count(Endpoint::Profile) >= 30);
}

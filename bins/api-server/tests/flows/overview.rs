//! The routes of no single platform: `GET /api/platforms` (what runs here, and why a
//! platform is off) and the combined overview `GET /api/analytics`.

use reqwest::StatusCode;
use serde_json::{Value, json};

use crate::support::{FlowOptions, TestDatabase, error_code, on_both_backends};

on_both_backends!(the_overview_sums_both_platforms_per_day);

const USER: &str = "overview-user";

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn sandbox_mode_runs_every_platform() {
    let flow = FlowOptions::new()
        .spawn(TestDatabase::sqlite("flow.db"))
        .await;
    let token = flow.token(USER);
    let body = flow.get_json("/api/platforms", &token).await;
    let platforms = body["platforms"].as_array().unwrap();
    let names: Vec<&str> = platforms
        .iter()
        .map(|entry| entry["platform"].as_str().unwrap())
        .collect();
    assert_eq!(names, ["tiktok", "instagram", "youtube"]);
    assert_eq!(platforms[2]["displayName"], "YouTube");
    assert_eq!(platforms[2]["revokesOnDisconnect"], true);
    assert!(platforms.iter().all(|entry| entry["state"] == "enabled"));
    assert_eq!(platforms[0]["postsRoute"], "videos");
    assert_eq!(platforms[0]["revokesOnDisconnect"], true);
    assert_eq!(platforms[1]["displayName"], "Instagram");
    assert_eq!(platforms[1]["postsRoute"], "media");
    assert_eq!(platforms[1]["revokesOnDisconnect"], false);
    assert_eq!(
        platforms[1]["requestedScopes"],
        json!([
            "instagram_business_basic",
            "instagram_business_manage_insights"
        ])
    );
    let response = flow
        .client
        .get(flow.url("/api/platforms"))
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), StatusCode::UNAUTHORIZED);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn live_mode_without_instagram_credentials_switches_it_off_and_says_why() {
    let flow = FlowOptions::new()
        .live_tiktok_only()
        .spawn(TestDatabase::sqlite("flow.db"))
        .await;
    let token = flow.token(USER);
    let body = flow.get_json("/api/platforms", &token).await;
    assert_eq!(
        body["platforms"][1],
        json!({
            "platform": "instagram",
            "displayName": "Instagram",
            "state": "off",
            "reason": "INSTAGRAM_APP_ID is not set",
        })
    );
    assert_eq!(body["platforms"][0]["state"], "enabled");
    // Its routes do not exist; TikTok's do.
    let response = flow
        .call("GET", "/api/auth/instagram/connect", &token)
        .await;
    assert_eq!(response.status(), StatusCode::NOT_FOUND);
    assert_eq!(error_code(response).await, "not_found");
    flow.begin_connect(&token).await;
    // The connections list only what runs.
    let connections = flow.get_json("/api/connections", &token).await;
    assert_eq!(connections["connections"].as_array().unwrap().len(), 1);
}

async fn the_overview_sums_both_platforms_per_day(database: TestDatabase) {
    let flow = FlowOptions::new().spawn(database).await;
    let token = flow.token(USER);

    let empty = flow.get_json("/api/analytics", &token).await;
    assert_eq!(
        empty,
        json!({"days": 30, "platforms": [], "current": null, "series": []})
    );

    let creator = flow.creator_with_videos(3);
    flow.connect_ok(&token, &creator.open_id).await;
    let account = flow.instagram_account("tiny.studio");
    flow.connect_instagram_ok(&token, &account.ig_user_id).await;

    let day_one = flow.get_json("/api/analytics?days=7", &token).await;
    assert_eq!(day_one["platforms"], json!(["tiktok", "instagram"]));
    let series = day_one["series"].as_array().unwrap();
    assert_eq!(series.len(), 1);
    let point = &series[0];
    let tiktok = flow.get_json("/api/tiktok/analytics?days=7", &token).await;
    let instagram = flow
        .get_json("/api/instagram/analytics?days=7", &token)
        .await;
    let followers = |analytics: &Value| analytics["summary"]["followerCount"].as_i64().unwrap();
    assert_eq!(
        point["platforms"]["tiktok"]["followers"],
        followers(&tiktok)
    );
    assert_eq!(
        point["platforms"]["instagram"]["followers"],
        followers(&instagram)
    );
    assert_eq!(
        point["combined"]["followers"],
        followers(&tiktok) + followers(&instagram)
    );
    let views = |analytics: &Value| analytics["summary"]["totalViews"].as_i64().unwrap();
    assert_eq!(
        point["combined"]["views"],
        views(&tiktok) + views(&instagram)
    );
    let interactions = point["platforms"]["instagram"]["interactions"]
        .as_i64()
        .unwrap();
    assert!(interactions > 0, "{point}");
    assert_eq!(day_one["current"], *point);

    // The next day, only TikTok syncs: Instagram's values carry over into the sum.
    flow.advance_both_clocks(24);
    let (status, _, body) = flow.sync(&token).await;
    assert_eq!(status, StatusCode::OK, "{body}");
    let day_two = flow.get_json("/api/analytics?days=7", &token).await;
    let series = day_two["series"].as_array().unwrap();
    assert_eq!(series.len(), 2);
    assert_eq!(
        series[1]["platforms"]["instagram"],
        series[0]["platforms"]["instagram"]
    );

    let response = flow.call("GET", "/api/analytics?days=0", &token).await;
    assert_eq!(response.status(), StatusCode::BAD_REQUEST);
    assert_eq!(error_code(response).await, "invalid_query");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_openapi_document_has_every_platforms_routes() {
    let flow = FlowOptions::new()
        .spawn(TestDatabase::sqlite("flow.db"))
        .await;
    let response = flow
        .client
        .get(flow.url("/api/openapi.json"))
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), StatusCode::OK);
    let document: Value = response.json().await.unwrap();
    let paths = &document["paths"];
    for path in [
        "/api/auth/tiktok/connect",
        "/api/tiktok/videos",
        "/api/webhooks/tiktok",
        "/api/auth/instagram/connect",
        "/api/auth/instagram/callback",
        "/api/auth/instagram/disconnect",
        "/api/auth/instagram/sync",
        "/api/instagram/profile",
        "/api/instagram/media",
        "/api/instagram/analytics",
        "/api/instagram/sync-runs",
        "/api/webhooks/instagram/deauthorize",
        "/api/webhooks/instagram/data-deletion",
        "/api/connections",
        "/api/platforms",
        "/api/analytics",
        "/api/data-deletion/{code}",
    ] {
        assert!(paths.get(path).is_some(), "{path} is not documented");
    }
    assert!(paths.get("/api/instagram/videos").is_none());
    // Operation ids stay unique across platforms.
    assert_eq!(
        paths["/api/instagram/media"]["get"]["operationId"],
        "instagram_videos"
    );
    // Meta's callbacks are signed form posts; a deletion request gets its receipt.
    let deletion = &paths["/api/webhooks/instagram/data-deletion"]["post"];
    assert!(
        deletion["requestBody"]["content"]
            .get("application/x-www-form-urlencoded")
            .is_some(),
        "{deletion}"
    );
    assert_eq!(
        deletion["responses"]["200"]["content"]["application/json"]["schema"]["$ref"],
        "#/components/schemas/DeletionAck"
    );
    let summary = paths["/api/instagram/profile"]["get"]["summary"]
        .as_str()
        .unwrap_or_default();
    assert!(!summary.contains("TikTok"), "{summary}");
}

//! The consent page, the code exchange in both shapes, the long-lived exchange, refresh and
//! token death, over real HTTP.
#![allow(clippy::unwrap_used)]

mod common;

use std::time::Duration;

use common::*;
use instagram_sandbox::{
    DEFAULT_APP_ID, DEFAULT_APP_SECRET, EarlyRefreshError, TokenResponseShape,
};
use url::Url;

#[tokio::test]
async fn the_consent_page_is_escaped_unframeable_and_lists_every_account() {
    let browser = Browser::start(config()).await;
    let (status, headers, html) = browser
        .consent_page(browser.default_authorize_url("<script>x</script>"))
        .await;
    assert_eq!(status, 200);
    assert_eq!(headers["x-content-type-options"], "nosniff");
    assert_eq!(headers["x-frame-options"], "DENY");
    assert!(
        headers["content-security-policy"]
            .to_str()
            .unwrap()
            .contains("frame-ancestors 'none'")
    );
    assert!(!html.contains("<script>x"));
    let form = instagram_sandbox::ConsentForm::parse(&html).unwrap();
    assert_eq!(form.accounts.len(), 4);
    assert_eq!(
        form.scopes,
        [
            "instagram_business_basic",
            "instagram_business_manage_insights"
        ]
    );
    // The Basic-Display-era host of the reference page is accepted too.
    let legacy = browser
        .sandbox
        .api_base_url()
        .join("oauth/authorize")
        .unwrap();
    let mut legacy = legacy;
    legacy.set_query(browser.default_authorize_url("s").query());
    assert_eq!(browser.consent_page(legacy).await.0, 200);
}

#[tokio::test]
async fn bad_requests_show_an_error_page_and_never_redirect() {
    let browser = Browser::start(config()).await;
    let cases: [(&[(&str, &str)], &str); 5] = [
        (
            &[
                ("client_id", "1"),
                ("redirect_uri", REDIRECT_URI),
                ("response_type", "code"),
                ("scope", SCOPES),
            ],
            "invalid_client",
        ),
        (
            &[
                ("client_id", DEFAULT_APP_ID),
                ("redirect_uri", "https://evil.example/cb"),
                ("response_type", "code"),
                ("scope", SCOPES),
            ],
            "invalid_request",
        ),
        (
            &[
                ("client_id", DEFAULT_APP_ID),
                ("redirect_uri", REDIRECT_URI),
                ("response_type", "token"),
                ("scope", SCOPES),
            ],
            "unsupported_response_type",
        ),
        (
            &[
                ("client_id", DEFAULT_APP_ID),
                ("redirect_uri", REDIRECT_URI),
                ("response_type", "code"),
                ("scope", "business_basic"),
            ],
            "invalid_scope",
        ),
        (
            &[
                ("client_id", DEFAULT_APP_ID),
                ("redirect_uri", REDIRECT_URI),
                ("response_type", "code"),
                ("scope", SCOPES),
                ("enable_fb_login", "maybe"),
            ],
            "invalid_request",
        ),
    ];
    for (pairs, code) in cases {
        let (status, _, html) = browser.consent_page(browser.authorize_url(pairs)).await;
        assert_eq!(status, 400, "{code}");
        assert!(
            html.contains(&format!("<code id=\"error\">{code}</code>")),
            "{code}: {html}"
        );
    }
    let flags = [
        ("client_id", DEFAULT_APP_ID),
        ("redirect_uri", REDIRECT_URI),
        ("response_type", "code"),
        (
            "scope",
            "instagram_business_basic instagram_business_manage_insights",
        ),
        ("enable_fb_login", "false"),
        ("force_reauth", "true"),
    ];
    assert_eq!(
        browser.consent_page(browser.authorize_url(&flags)).await.0,
        200,
        "space-separated scopes and flags"
    );
}

#[tokio::test]
async fn approve_deny_untick_and_the_personal_account() {
    let browser = Browser::start(config()).await;
    let id = browser.ig_user_id("metricsaurus");
    let (status, location) = browser
        .decide(browser.default_authorize_url("S1"), |form| {
            form.approve_all(&id)
        })
        .await;
    assert_eq!(status, 302);
    assert!(
        location.starts_with(REDIRECT_URI) && location.ends_with("#_"),
        "{location}"
    );
    let url = Url::parse(&location).unwrap();
    assert_eq!(param(&url, "state").as_deref(), Some("S1"));
    assert!(param(&url, "code").unwrap().starts_with("AQB"));

    let (_, location) = browser
        .decide(browser.default_authorize_url("S2"), |form| form.deny())
        .await;
    let url = Url::parse(&location).unwrap();
    assert_eq!(param(&url, "error").as_deref(), Some("access_denied"));
    assert_eq!(param(&url, "error_reason").as_deref(), Some("user_denied"));
    assert_eq!(
        param(&url, "error_description").as_deref(),
        Some("The user denied your request")
    );
    assert_eq!(param(&url, "state").as_deref(), Some("S2"));

    let (_, location) = browser
        .decide(browser.default_authorize_url("S3"), |form| {
            form.approve(&id, &[])
        })
        .await;
    let code = param(&Url::parse(&location).unwrap(), "code").unwrap();
    let (_, body) = browser
        .exchange(&code, DEFAULT_APP_SECRET, REDIRECT_URI)
        .await;
    assert_eq!(
        body["data"][0]["permissions"], "instagram_business_basic",
        "the unticked scope is not granted"
    );

    let personal = browser.ig_user_id("personal.pat");
    let (status, html) = browser
        .decide(browser.default_authorize_url("S4"), |form| {
            form.approve_all(&personal)
        })
        .await;
    assert_eq!(status, 403);
    assert!(html.contains("personal_account"));
}

#[tokio::test]
async fn codes_are_single_use_bound_to_the_redirect_uri_and_live_one_hour() {
    let browser = Browser::start(config()).await;
    let code = browser.code_for("metricsaurus").await;
    let (status, body) = browser.exchange(&code, "wrong-secret", REDIRECT_URI).await;
    assert_eq!(status, 400);
    assert_eq!(body["error_message"], "Error validating client secret.");
    let (status, body) = browser
        .exchange(&code, DEFAULT_APP_SECRET, "https://app.example/other")
        .await;
    assert_eq!(status, 400);
    assert!(
        body["error_message"]
            .as_str()
            .unwrap()
            .contains("redirect_uri")
    );
    let (status, body) = browser
        .exchange(&code, DEFAULT_APP_SECRET, REDIRECT_URI)
        .await;
    assert_eq!(status, 200, "failed attempts did not use the code: {body}");
    let entry = &body["data"][0];
    assert!(entry["user_id"].is_string());
    assert_eq!(entry["permissions"], SCOPES);
    let (status, body) = browser
        .exchange(&code, DEFAULT_APP_SECRET, REDIRECT_URI)
        .await;
    assert_eq!(status, 400);
    assert_eq!(
        body,
        serde_json::json!({"error_type": "OAuthException", "code": 400, "error_message": "Matching code was not found or was already used"})
    );
    let late = browser.code_for("metricsaurus").await;
    browser.sandbox.advance_clock(Duration::from_secs(3_600));
    let (status, _) = browser
        .exchange(&late, DEFAULT_APP_SECRET, REDIRECT_URI)
        .await;
    assert_eq!(status, 400, "expired after an hour");
}

#[tokio::test]
async fn the_flat_shape_sends_the_user_id_as_a_number() {
    let browser = Browser::start(
        config()
            .token_shape(TokenResponseShape::Flat)
            .append_fragment(false),
    )
    .await;
    let id = browser.ig_user_id("metricsaurus");
    let (_, location) = browser
        .decide(browser.default_authorize_url("s"), |form| {
            form.approve_all(&id)
        })
        .await;
    assert!(!location.contains('#'), "the fragment is configurable");
    let code = param(&Url::parse(&location).unwrap(), "code").unwrap();
    let (status, body) = browser
        .exchange(&code, DEFAULT_APP_SECRET, REDIRECT_URI)
        .await;
    assert_eq!(status, 200);
    assert!(body["user_id"].is_number(), "{body}");
    assert!(body.get("data").is_none());
    let expected = browser
        .sandbox
        .account("metricsaurus")
        .unwrap()
        .summary
        .app_scoped_id;
    // Compare the raw digits: a number this long does not survive a double.
    assert!(
        body.to_string()
            .contains(&format!("\"user_id\":{expected}"))
    );
}

#[tokio::test]
async fn long_lived_tokens_refresh_after_24_hours_by_get_only_and_die_after_60_days() {
    let browser = Browser::start(config()).await;
    let token = browser.long_lived_token("metricsaurus").await;
    let (status, body) = browser
        .graph(
            "refresh_access_token",
            &[("grant_type", "ig_refresh_token"), ("access_token", &token)],
        )
        .await;
    assert_eq!(status, 400);
    assert_eq!(codes(&body), (100, None), "too new: {body}");
    browser.sandbox.advance_clock(Duration::from_secs(86_400));
    let posted = browser
        .http
        .post(
            browser
                .sandbox
                .graph_base_url()
                .join("refresh_access_token")
                .unwrap(),
        )
        .form(&[
            ("grant_type", "ig_refresh_token"),
            ("access_token", token.as_str()),
        ])
        .send()
        .await
        .unwrap();
    assert_eq!(posted.status(), 400, "GET only");
    let (status, body) = browser
        .graph(
            "refresh_access_token",
            &[("grant_type", "ig_refresh_token"), ("access_token", &token)],
        )
        .await;
    assert_eq!(status, 200, "{body}");
    assert_eq!(body["expires_in"], 5_184_000);
    assert_eq!(body["token_type"], "bearer");
    let fresh = body["access_token"].as_str().unwrap().to_owned();
    assert_ne!(fresh, token);
    // The versioned form of the exchange path answers too (unconfirmed either way).
    let (status, _) = browser
        .graph(
            "v25.0/refresh_access_token",
            &[("grant_type", "ig_refresh_token"), ("access_token", &token)],
        )
        .await;
    assert_eq!(status, 200);
    browser
        .sandbox
        .advance_clock(Duration::from_secs(60 * 86_400 - 86_400));
    let (status, body) = browser.read("me", &token, &[]).await;
    assert_eq!(
        (status.as_u16(), codes(&body)),
        (400, (190, Some(463))),
        "expired"
    );
    let (status, _) = browser.read("me", &fresh, &[]).await;
    assert_eq!(status, 200, "sixty days from its refresh");
}

#[tokio::test]
async fn the_early_refresh_error_is_configurable_and_short_tokens_cannot_refresh() {
    let browser =
        Browser::start(config().early_refresh_error(EarlyRefreshError::InvalidToken)).await;
    let token = browser.long_lived_token("ana.makes").await;
    let (_, body) = browser
        .graph(
            "refresh_access_token",
            &[("grant_type", "ig_refresh_token"), ("access_token", &token)],
        )
        .await;
    assert_eq!(codes(&body), (190, None));
    let code = browser.code_for("ana.makes").await;
    let (_, body) = browser
        .exchange(&code, DEFAULT_APP_SECRET, REDIRECT_URI)
        .await;
    let short = body["data"][0]["access_token"].as_str().unwrap().to_owned();
    let (_, body) = browser
        .graph(
            "access_token",
            &[
                ("grant_type", "ig_exchange_token"),
                ("client_secret", "wrong"),
                ("access_token", &short),
            ],
        )
        .await;
    assert_eq!(codes(&body).0, 101);
    browser.sandbox.advance_clock(Duration::from_secs(3_600));
    let (_, body) = browser
        .graph(
            "access_token",
            &[
                ("grant_type", "ig_exchange_token"),
                ("client_secret", DEFAULT_APP_SECRET),
                ("access_token", &short),
            ],
        )
        .await;
    assert_eq!(
        codes(&body),
        (190, Some(463)),
        "the short-lived token lived an hour"
    );
}

#[tokio::test]
async fn the_code_exchange_also_takes_multipart_as_in_metas_curl_example() {
    let browser = Browser::start(config()).await;
    let code = browser.code_for("metricsaurus").await;
    let fields = [
        ("client_id", DEFAULT_APP_ID),
        ("client_secret", DEFAULT_APP_SECRET),
        ("grant_type", "authorization_code"),
        ("redirect_uri", REDIRECT_URI),
        ("code", code.as_str()),
    ];
    let mut body = String::new();
    for (name, value) in fields {
        body.push_str(&format!(
            "--b0undary\r\nContent-Disposition: form-data; name=\"{name}\"\r\n\r\n{value}\r\n"
        ));
    }
    body.push_str("--b0undary--\r\n");
    let response = browser
        .http
        .post(
            browser
                .sandbox
                .api_base_url()
                .join("oauth/access_token")
                .unwrap(),
        )
        .header("content-type", "multipart/form-data; boundary=b0undary")
        .body(body)
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 200);
    let body: serde_json::Value = response.json().await.unwrap();
    assert!(body["data"][0]["access_token"].is_string(), "{body}");
}

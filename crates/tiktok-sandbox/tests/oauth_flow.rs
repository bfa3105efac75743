//! The OAuth flow over real HTTP: consent page, code, token, refresh, revoke, and every
//! documented refusal (reference sections 2 to 4).
#![allow(clippy::unwrap_used)]

mod common;

use std::time::Duration;

use common::*;
use reqwest::StatusCode;
use serde_json::json;
use tiktok_sandbox::{Endpoint, RegisteredClient};

#[tokio::test]
async fn the_whole_flow_from_consent_to_revocation() {
    let (sandbox, browser) = start(config().creator_videos([45, 3])).await;
    let challenge = s256_base64url(VERIFIER);

    // Consent page: hidden fields echo the request, one option per creator, one box per scope.
    let page = browser
        .consent_page(browser.authorize_url(ALL_SCOPES, Some(&challenge)))
        .await;
    assert_eq!(page.action, "/v2/auth/authorize/");
    let hidden = |name: &str| {
        page.hidden
            .iter()
            .find(|(key, _)| key == name)
            .map(|(_, value)| value.clone())
            .unwrap()
    };
    assert_eq!(hidden("client_key"), CLIENT_KEY);
    assert_eq!(hidden("redirect_uri"), REDIRECT_URI);
    assert_eq!(hidden("scope"), ALL_SCOPES);
    assert_eq!(hidden("state"), "st&te \"42\"");
    assert_eq!(hidden("code_challenge"), challenge);
    assert_eq!(hidden("code_challenge_method"), "S256");
    assert!(page.html.contains("st&amp;te &quot;42&quot;"));
    assert_eq!(page.creators.len(), 2);
    assert_eq!(page.scope_boxes, ALL_SCOPES.split(',').collect::<Vec<_>>());
    assert!(page.html.contains("value=\"authorize\"") && page.html.contains("value=\"cancel\""));

    // Authorize -> 302 to the redirect URI with code, scopes and state.
    let creator = page.creators[0].clone();
    let boxes: Vec<&str> = page.scope_boxes.iter().map(String::as_str).collect();
    let callback = browser.submit(&page, &creator, &boxes, "authorize").await;
    assert_eq!(callback.param("state").as_deref(), Some("st&te \"42\""));
    assert_eq!(callback.param("scopes").as_deref(), Some(ALL_SCOPES));
    let code = callback.param("code").unwrap();
    assert!(
        code.contains('*') && code.contains('!'),
        "codes carry * and !: {code}"
    );
    let query = callback.url.query().unwrap();
    assert!(query.starts_with("code="), "code comes first: {query}");

    // Exchange: the documented top-level body.
    let (status, tokens) = browser.exchange(&code, VERIFIER).await;
    assert_eq!(status, StatusCode::OK);
    let keys: Vec<&str> = tokens
        .as_object()
        .unwrap()
        .keys()
        .map(String::as_str)
        .collect();
    assert_eq!(
        keys,
        [
            "access_token",
            "expires_in",
            "open_id",
            "refresh_expires_in",
            "refresh_token",
            "scope",
            "token_type"
        ]
    );
    assert!(tokens["access_token"].as_str().unwrap().starts_with("act."));
    assert!(
        tokens["refresh_token"]
            .as_str()
            .unwrap()
            .starts_with("rft.")
    );
    assert_eq!(tokens["expires_in"], json!(7_200));
    assert_eq!(tokens["refresh_expires_in"], json!(15_552_000));
    assert_eq!(tokens["open_id"], json!(creator));
    assert_eq!(tokens["scope"], json!(ALL_SCOPES));
    assert_eq!(tokens["token_type"], json!("Bearer"));
    let access = access_token(&tokens);

    // User info and every page of videos.
    let (status, user) = browser
        .user_info(&access, "open_id,display_name,username")
        .await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(envelope_code(&user), "ok");
    assert_eq!(user["data"]["user"]["open_id"], json!(creator));
    let mut seen = 0;
    let mut cursor = None;
    loop {
        let body = match cursor {
            None => json!({ "max_count": 20 }),
            Some(cursor) => json!({ "max_count": 20, "cursor": cursor }),
        };
        let (status, page) = browser.video_list(&access, &body).await;
        assert_eq!(status, StatusCode::OK, "{page}");
        seen += page["data"]["videos"].as_array().unwrap().len();
        cursor = Some(page["data"]["cursor"].as_i64().unwrap());
        if !page["data"]["has_more"].as_bool().unwrap() {
            break;
        }
    }
    assert_eq!(seen, 45);
    assert_eq!(sandbox.call_count(Endpoint::VideoList), 3);

    // Refresh rotates: the new pair works, the old refresh token is rejected.
    let old_refresh = tokens["refresh_token"].as_str().unwrap();
    let (status, refreshed) = browser.refresh(old_refresh).await;
    assert_eq!(status, StatusCode::OK, "{refreshed}");
    assert_ne!(refreshed["refresh_token"].as_str(), Some(old_refresh));
    assert_eq!(refreshed["scope"], json!(ALL_SCOPES));
    let (status, body) = browser.refresh(old_refresh).await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    assert_eq!(oauth_error(&body), "invalid_grant");
    let new_access = access_token(&refreshed);
    let (status, _) = browser.user_info(&new_access, "open_id").await;
    assert_eq!(status, StatusCode::OK);

    // Revoke: {} then every token of the grant is rejected.
    let (status, body) = browser.revoke(&new_access).await;
    assert_eq!((status, body), (StatusCode::OK, json!({})));
    for token in [&access, &new_access] {
        let (status, body) = browser.user_info(token, "open_id").await;
        assert_eq!(status, StatusCode::UNAUTHORIZED);
        assert_eq!(envelope_code(&body), "access_token_invalid");
    }
    let (status, body) = browser
        .refresh(refreshed["refresh_token"].as_str().unwrap())
        .await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    assert_eq!(oauth_error(&body), "invalid_grant");
    assert_eq!(sandbox.revocation_count(), 1);
    assert_eq!(sandbox.revoked_grants()[0].open_id, creator);
    sandbox.stop().await;
}

#[tokio::test]
async fn pkce_accepts_both_encodings_and_rejects_a_mismatch() {
    let (_sandbox, browser) = start(config()).await;
    // Hex, as TikTok's desktop docs describe.
    let callback = browser.consent(ALL_SCOPES, Some(&s256_hex(VERIFIER))).await;
    let (status, _) = browser
        .exchange(&callback.param("code").unwrap(), VERIFIER)
        .await;
    assert_eq!(status, StatusCode::OK);

    let callback = browser
        .consent(ALL_SCOPES, Some(&s256_base64url(VERIFIER)))
        .await;
    let code = callback.param("code").unwrap();
    let wrong = "x".repeat(43);
    let (status, body) = browser.exchange(&code, &wrong).await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    assert_eq!(oauth_error(&body), "invalid_grant");
    let (status, body) = browser
        .post_form(
            "/v2/oauth/token/",
            &[
                ("client_key", CLIENT_KEY),
                ("client_secret", CLIENT_SECRET),
                ("code", &code),
                ("grant_type", "authorization_code"),
                ("redirect_uri", REDIRECT_URI),
            ],
        )
        .await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    assert_eq!(oauth_error(&body), "invalid_request");
}

#[tokio::test]
async fn a_code_is_single_use_and_expires_on_the_sandbox_clock() {
    let (sandbox, browser) = start(config()).await;
    let challenge = s256_base64url(VERIFIER);
    let code = browser
        .consent(ALL_SCOPES, Some(&challenge))
        .await
        .param("code")
        .unwrap();
    assert_eq!(browser.exchange(&code, VERIFIER).await.0, StatusCode::OK);
    let (status, body) = browser.exchange(&code, VERIFIER).await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    assert_eq!(oauth_error(&body), "invalid_grant");

    let code = browser
        .consent(ALL_SCOPES, Some(&challenge))
        .await
        .param("code")
        .unwrap();
    sandbox.advance_clock(Duration::from_secs(301));
    let (status, body) = browser.exchange(&code, VERIFIER).await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    assert_eq!(oauth_error(&body), "invalid_grant");
}

#[tokio::test]
async fn tokens_expire_on_the_sandbox_clock() {
    let (sandbox, browser) = start(config()).await;
    let tokens = browser.connect(ALL_SCOPES).await;
    let access = access_token(&tokens);
    sandbox.advance_clock(Duration::from_secs(7_199));
    assert_eq!(
        browser.user_info(&access, "open_id").await.0,
        StatusCode::OK
    );
    sandbox.advance_clock(Duration::from_secs(1));
    let (status, body) = browser.user_info(&access, "open_id").await;
    assert_eq!(status, StatusCode::UNAUTHORIZED);
    assert_eq!(envelope_code(&body), "access_token_invalid");
    // The refresh token still works and gives a fresh two hours.
    let (status, refreshed) = browser
        .refresh(tokens["refresh_token"].as_str().unwrap())
        .await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(refreshed["expires_in"], json!(7_200));
}

#[tokio::test]
async fn the_client_must_authenticate_and_match_the_request() {
    let (_sandbox, browser) = start(config()).await;
    let challenge = s256_base64url(VERIFIER);
    let code = browser
        .consent(ALL_SCOPES, Some(&challenge))
        .await
        .param("code")
        .unwrap();
    let form = |secret: &'static str, redirect: &'static str| {
        vec![
            ("client_key", CLIENT_KEY),
            ("client_secret", secret),
            ("grant_type", "authorization_code"),
            ("redirect_uri", redirect),
            ("code_verifier", VERIFIER),
        ]
    };
    let mut wrong_secret = form("not-the-secret", REDIRECT_URI);
    wrong_secret.push(("code", &code));
    let (status, body) = browser.post_form("/v2/oauth/token/", &wrong_secret).await;
    assert_eq!(status, StatusCode::UNAUTHORIZED);
    assert_eq!(oauth_error(&body), "invalid_client");

    let mut wrong_redirect = form(CLIENT_SECRET, "https://app.example/other");
    wrong_redirect.push(("code", &code));
    let (status, body) = browser.post_form("/v2/oauth/token/", &wrong_redirect).await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    assert_eq!(oauth_error(&body), "invalid_grant");

    let (status, body) = browser
        .post_form(
            "/v2/oauth/token/",
            &[
                ("client_key", CLIENT_KEY),
                ("client_secret", CLIENT_SECRET),
                ("grant_type", "password"),
            ],
        )
        .await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    assert_eq!(oauth_error(&body), "unsupported_grant_type");

    // JSON bodies are rejected: the endpoint is form-encoded only.
    let response = browser
        .http
        .post(browser.url("/v2/oauth/token/"))
        .json(&json!({
            "client_key": CLIENT_KEY, "client_secret": CLIENT_SECRET, "code": code,
            "grant_type": "authorization_code", "redirect_uri": REDIRECT_URI,
            "code_verifier": VERIFIER,
        }))
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), StatusCode::BAD_REQUEST);
    let body = response.json().await.unwrap();
    assert_eq!(oauth_error(&body), "invalid_request");

    // After all those refusals the code is still good.
    assert_eq!(browser.exchange(&code, VERIFIER).await.0, StatusCode::OK);
}

#[tokio::test]
async fn a_bad_authorize_request_shows_an_error_page_and_never_redirects() {
    let (sandbox, browser) = start(config()).await;
    let cases = [
        ("client_key", "unknown-app", "invalid_client"),
        (
            "redirect_uri",
            "https://evil.example/steal",
            "invalid_request",
        ),
        ("scope", "user.info.basic,video.upload", "invalid_scope"),
        ("response_type", "token", "unsupported_response_type"),
    ];
    for (name, value, expected) in cases {
        let mut url = browser.url("/v2/auth/authorize/");
        {
            let mut query = url.query_pairs_mut();
            for (key, default) in [
                ("client_key", CLIENT_KEY),
                ("scope", ALL_SCOPES),
                ("response_type", "code"),
                ("redirect_uri", REDIRECT_URI),
                ("state", "s"),
            ] {
                query.append_pair(key, if key == name { value } else { default });
            }
        }
        let response = browser.http.get(url).send().await.unwrap();
        assert_eq!(response.status(), StatusCode::BAD_REQUEST, "{name}");
        assert!(response.headers().get("location").is_none());
        let html = response.text().await.unwrap();
        assert!(
            html.contains(&format!("<code id=\"error\">{expected}</code>")),
            "{name}: {html}"
        );
        assert!(!html.contains("evil.example"));
    }

    // What the error page echoes is escaped.
    let mut url = browser.authorize_url("user.info.basic,<script>alert(1)</script>", None);
    url.set_query(Some(
        &url.query().unwrap().replace("%3C", "<").replace("%3E", ">"),
    ));
    let html = browser
        .http
        .get(url)
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(
        html.contains("&lt;script&gt;alert(1)&lt;/script&gt;"),
        "{html}"
    );
    assert!(!html.contains("<script>"));

    // A forged form post with an unregistered redirect URI is refused the same way.
    let response = browser
        .http
        .post(browser.url("/v2/auth/authorize/"))
        .form(&[
            ("client_key", CLIENT_KEY),
            ("redirect_uri", "https://evil.example/steal"),
            ("response_type", "code"),
            ("scope", ALL_SCOPES),
            ("open_id", sandbox.creators()[0].open_id.as_str()),
            ("decision", "authorize"),
        ])
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), StatusCode::BAD_REQUEST);
    assert!(response.headers().get("location").is_none());
}

#[tokio::test]
async fn cancel_redirects_with_access_denied() {
    let (_sandbox, browser) = start(config()).await;
    let page = browser
        .consent_page(browser.authorize_url(ALL_SCOPES, None))
        .await;
    let creator = page.creators[0].clone();
    let callback = browser.submit(&page, &creator, &[], "cancel").await;
    assert_eq!(callback.param("error").as_deref(), Some("access_denied"));
    assert!(!callback.param("error_description").unwrap().is_empty());
    assert_eq!(callback.param("state").as_deref(), Some("st&te \"42\""));
    assert_eq!(callback.param("code"), None);
}

#[tokio::test]
async fn a_creator_can_grant_fewer_scopes_and_the_api_enforces_them() {
    let (_sandbox, browser) = start(config()).await;
    let page = browser
        .consent_page(browser.authorize_url(ALL_SCOPES, Some(&s256_base64url(VERIFIER))))
        .await;
    let creator = page.creators[0].clone();
    // Only basic (always granted) and stats are left ticked.
    let callback = browser
        .submit(&page, &creator, &["user.info.stats"], "authorize")
        .await;
    assert_eq!(
        callback.param("scopes").as_deref(),
        Some("user.info.basic,user.info.stats")
    );
    let (status, tokens) = browser
        .exchange(&callback.param("code").unwrap(), VERIFIER)
        .await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(tokens["scope"], json!("user.info.basic,user.info.stats"));
    let access = access_token(&tokens);

    let (status, body) = browser
        .user_info(&access, "open_id,display_name,follower_count,video_count")
        .await;
    assert_eq!(status, StatusCode::OK);
    assert!(body["data"]["user"]["follower_count"].is_u64());

    let (status, body) = browser.user_info(&access, "open_id,bio_description").await;
    assert_eq!(status, StatusCode::UNAUTHORIZED);
    assert_eq!(envelope_code(&body), "scope_permission_missed");

    let (status, body) = browser.video_list(&access, &json!({})).await;
    assert_eq!(status, StatusCode::UNAUTHORIZED);
    assert_eq!(envelope_code(&body), "scope_not_authorized");
}

#[tokio::test]
async fn refresh_tokens_can_be_configured_not_to_rotate() {
    let (_sandbox, browser) = start(config().rotate_refresh_tokens(false)).await;
    let tokens = browser.connect(ALL_SCOPES).await;
    let refresh = tokens["refresh_token"].as_str().unwrap();
    let (status, first) = browser.refresh(refresh).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(first["refresh_token"].as_str(), Some(refresh));
    assert_eq!(browser.refresh(refresh).await.0, StatusCode::OK);
}

#[tokio::test]
async fn a_second_registered_client_cannot_use_the_first_ones_tokens() {
    let other = RegisteredClient::new("other-app", "other-secret", [REDIRECT_URI]);
    let (_sandbox, browser) = start(config().client(other)).await;
    let tokens = browser.connect(ALL_SCOPES).await;
    let (status, body) = browser
        .post_form(
            "/v2/oauth/token/",
            &[
                ("client_key", "other-app"),
                ("client_secret", "other-secret"),
                ("grant_type", "refresh_token"),
                ("refresh_token", tokens["refresh_token"].as_str().unwrap()),
            ],
        )
        .await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    assert_eq!(oauth_error(&body), "invalid_grant");
    let (status, body) = browser
        .post_form(
            "/v2/oauth/revoke/",
            &[
                ("client_key", CLIENT_KEY),
                ("client_secret", "wrong"),
                ("token", tokens["access_token"].as_str().unwrap()),
            ],
        )
        .await;
    assert_eq!(status, StatusCode::UNAUTHORIZED);
    assert_eq!(oauth_error(&body), "invalid_client");
}

#[tokio::test]
async fn the_library_form_reader_drives_the_real_page() {
    use tiktok_sandbox::ConsentForm;
    let (sandbox, browser) = start(config()).await;
    let url = browser.authorize_url("user.info.basic,video.list", Some(&s256_hex(VERIFIER)));
    let html = browser
        .http
        .get(url)
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    let form = ConsentForm::parse(&html).unwrap();
    let creator = sandbox.creators()[1].open_id.clone();
    let response = browser
        .http
        .post(browser.url(&form.action))
        .form(&form.authorize(&creator, &["video.list"]))
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), StatusCode::FOUND);
    let callback = Callback {
        url: url::Url::parse(response.headers()["location"].to_str().unwrap()).unwrap(),
    };
    assert_eq!(
        callback.param("scopes").as_deref(),
        Some("user.info.basic,video.list")
    );
    let (status, tokens) = browser
        .exchange(&callback.param("code").unwrap(), VERIFIER)
        .await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(tokens["open_id"], json!(creator));

    let error_page = browser
        .http
        .get(browser.url("/v2/auth/authorize/?client_key=nobody"))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert_eq!(ConsentForm::parse(&error_page), None);
}

//! Google OAuth over real HTTP: the consent page and its errors, granular consent, codes,
//! PKCE, token answers, refresh (no rotation), revoke, and every way a refresh token dies.
#![allow(clippy::unwrap_used)]

mod common;

use std::time::Duration;

use base64::Engine as _;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use common::*;
use reqwest::{Method, StatusCode};
use serde_json::{Value, json};
use youtube_sandbox::{
    DEFAULT_CLIENT_ID, DEFAULT_CLIENT_SECRET, PublishingStatus, RefreshDeath, RegisteredClient,
};

const DAY: Duration = Duration::from_secs(86_400);

#[tokio::test]
async fn the_consent_page_offers_accounts_and_a_checkbox_per_non_sign_in_scope() {
    let browser = Browser::start(config()).await;
    let (status, headers, html) = browser
        .consent_page(browser.default_authorize_url("S1"))
        .await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(headers["x-content-type-options"], "nosniff");
    assert_eq!(headers["x-frame-options"], "DENY");
    assert!(
        headers["content-security-policy"]
            .to_str()
            .unwrap()
            .contains("frame-ancestors 'none'")
    );
    let form = youtube_sandbox::ConsentForm::parse(&html).unwrap();
    assert_eq!(form.accounts, [MAYA, STUDIO, PAT, KENJI]);
    assert_eq!(
        form.scopes,
        [YOUTUBE, ANALYTICS],
        "no checkbox for openid and email"
    );
    assert!(form.access_hours.is_empty());
    assert!(
        html.contains("Kenji Plays &lt;Live&gt; &amp; Shorts"),
        "escaped"
    );
}

#[tokio::test]
async fn a_bad_request_shows_an_error_page_and_never_redirects() {
    let browser = Browser::start(config()).await;
    let good = [
        ("client_id", DEFAULT_CLIENT_ID),
        ("redirect_uri", REDIRECT_URI),
        ("response_type", "code"),
        ("scope", SCOPES),
    ];
    let with = |name: &'static str, value: &'static str| -> Vec<(&'static str, &'static str)> {
        let mut pairs: Vec<(&str, &str)> = good
            .iter()
            .filter(|(key, _)| *key != name)
            .copied()
            .collect();
        pairs.push((name, value));
        pairs
    };
    let cases = [
        (
            with("client_id", "nobody.apps.googleusercontent.com"),
            "invalid_client",
        ),
        (
            with(
                "redirect_uri",
                "https://app.example/api/auth/youtube/callback/",
            ),
            "redirect_uri_mismatch",
        ),
        (with("response_type", "token"), "unsupported_response_type"),
        (
            with("scope", "openid https://www.googleapis.com/auth/drive"),
            "invalid_scope",
        ),
        (with("access_type", "forever"), "invalid_request"),
        (with("prompt", "consent sometimes"), "invalid_request"),
        (with("code_challenge_method", "S512"), "invalid_request"),
    ];
    for (pairs, code) in cases {
        let mut pairs = pairs;
        if pairs.iter().any(|(k, _)| *k == "code_challenge_method") {
            pairs.push((
                "code_challenge",
                "E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM",
            ));
        }
        let (status, headers, html) = browser.consent_page(browser.authorize_url(&pairs)).await;
        assert_eq!(status, StatusCode::BAD_REQUEST, "{code}");
        assert!(headers.get("location").is_none());
        assert!(
            html.contains(&format!("<code id=\"error\">{code}</code>")),
            "{code}: {html}"
        );
    }
}

#[tokio::test]
async fn cancel_redirects_with_access_denied_and_prompt_none_cannot_pass() {
    let browser = Browser::start(config()).await;
    let (status, location) = browser
        .decide(browser.default_authorize_url("S<&>"), |form| form.deny())
        .await;
    assert_eq!(status, StatusCode::FOUND);
    assert!(location.starts_with(REDIRECT_URI));
    let query = query_of(&location);
    assert_eq!(query["error"], "access_denied");
    assert_eq!(query["state"], "S<&>");
    assert!(!query.contains_key("code"));
    let (status, headers, _) = browser
        .consent_page(browser.authorize_url(&[
            ("client_id", DEFAULT_CLIENT_ID),
            ("redirect_uri", REDIRECT_URI),
            ("response_type", "code"),
            ("scope", SCOPES),
            ("state", "S2"),
            ("prompt", "none"),
        ]))
        .await;
    assert_eq!(status, StatusCode::FOUND);
    let location = headers["location"].to_str().unwrap();
    assert_eq!(query_of(location)["error"], "interaction_required");
    assert_eq!(query_of(location)["state"], "S2");
}

#[tokio::test]
async fn an_unticked_scope_is_missing_from_the_redirect_and_the_token() {
    let browser = Browser::start(config()).await;
    let (status, location) = browser
        .decide(browser.default_authorize_url("S1"), |form| {
            form.approve(MAYA, &[YOUTUBE])
        })
        .await;
    assert_eq!(status, StatusCode::FOUND);
    let query = query_of(&location);
    assert_eq!(query["state"], "S1");
    assert!(query["code"].starts_with("4/0A"));
    assert_eq!(query["authuser"], "0");
    assert_eq!(query["prompt"], "consent");
    let granted: Vec<&str> = query["scope"].split(' ').collect();
    assert_eq!(granted, ["openid", EMAIL_LONG, YOUTUBE]);
    let (status, token) = browser.exchange(&query["code"]).await;
    assert_eq!(status, StatusCode::OK);
    assert!(text(&token, "access_token").starts_with("ya29."));
    assert!(text(&token, "refresh_token").starts_with("1//"));
    assert_eq!(token["expires_in"], 3_599);
    assert_eq!(token["token_type"], "Bearer");
    assert_eq!(text(&token, "scope"), query["scope"]);
    assert!(token.get("refresh_token_expires_in").is_none());
    let id_token = text(&token, "id_token");
    let payload = id_token.split('.').nth(1).unwrap();
    let claims: Value = serde_json::from_slice(&URL_SAFE_NO_PAD.decode(payload).unwrap()).unwrap();
    let maya = browser.sandbox.account(MAYA).unwrap();
    assert_eq!(claims["sub"], maya.summary.sub);
    assert_eq!(claims["email"], MAYA);
    assert_eq!(claims["aud"], DEFAULT_CLIENT_ID);
    // Unticking everything still yields a code and a token, with Sign-In scopes only.
    let token = browser.connect(PAT, &[]).await;
    assert_eq!(text(&token, "scope"), format!("openid {EMAIL_LONG}"));
}

#[tokio::test]
async fn codes_are_single_use_short_lived_and_bound_to_client_and_redirect() {
    let browser = Browser::start(config()).await;
    let code = browser.code_for(MAYA, &[YOUTUBE]).await;
    let mismatch = browser
        .post_token(&[
            ("code", &code),
            ("client_id", DEFAULT_CLIENT_ID),
            ("client_secret", DEFAULT_CLIENT_SECRET),
            ("redirect_uri", "https://app.example/other"),
            ("grant_type", "authorization_code"),
        ])
        .await;
    assert_eq!(
        mismatch,
        (
            StatusCode::BAD_REQUEST,
            json!({"error": "redirect_uri_mismatch", "error_description": "Bad Request"})
        )
    );
    let wrong_secret = browser
        .post_token(&[
            ("code", &code),
            ("client_id", DEFAULT_CLIENT_ID),
            ("client_secret", "wrong"),
            ("redirect_uri", REDIRECT_URI),
            ("grant_type", "authorization_code"),
        ])
        .await;
    assert_eq!(wrong_secret.0, StatusCode::UNAUTHORIZED);
    assert_eq!(wrong_secret.1["error"], "invalid_client");
    // Neither failure used the code.
    assert_eq!(browser.exchange(&code).await.0, StatusCode::OK);
    let again = browser.exchange(&code).await;
    assert_eq!(again.1["error"], "invalid_grant");
    assert_eq!(again.1["error_description"], "Code was already redeemed.");
    assert_eq!(
        browser.exchange("4/0Aforged").await.1["error_description"],
        "Malformed auth code."
    );
    let late = browser.code_for(MAYA, &[YOUTUBE]).await;
    browser.sandbox.advance_clock(Duration::from_secs(601));
    assert_eq!(browser.exchange(&late).await.1["error"], "invalid_grant");
    let unsupported = browser
        .post_token(&[
            ("grant_type", "password"),
            ("client_id", DEFAULT_CLIENT_ID),
            ("client_secret", DEFAULT_CLIENT_SECRET),
        ])
        .await;
    assert_eq!(unsupported.1["error"], "unsupported_grant_type");
    let basic = browser
        .http
        .post(browser.url("token"))
        .basic_auth(DEFAULT_CLIENT_ID, Some(DEFAULT_CLIENT_SECRET))
        .form(&[
            ("code", browser.code_for(MAYA, &[]).await.as_str()),
            ("redirect_uri", REDIRECT_URI),
            ("grant_type", "authorization_code"),
        ])
        .send()
        .await
        .unwrap();
    assert_eq!(
        basic.status(),
        StatusCode::OK,
        "client_secret_basic works too"
    );
}

#[tokio::test]
async fn pkce_s256_is_enforced() {
    let browser = Browser::start(config()).await;
    let verifier = "dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk";
    let mut url = browser.default_authorize_url("S");
    url.query_pairs_mut()
        .append_pair(
            "code_challenge",
            "E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM",
        )
        .append_pair("code_challenge_method", "S256");
    let (_, location) = browser.decide(url, |form| form.approve_all(MAYA)).await;
    let code = query_of(&location).remove("code").unwrap();
    let exchange = |verifier: Option<&'static str>| {
        let code = code.clone();
        let browser = &browser;
        async move {
            let mut form = vec![
                ("code", code.clone()),
                ("client_id", DEFAULT_CLIENT_ID.to_owned()),
                ("client_secret", DEFAULT_CLIENT_SECRET.to_owned()),
                ("redirect_uri", REDIRECT_URI.to_owned()),
                ("grant_type", "authorization_code".to_owned()),
            ];
            if let Some(verifier) = verifier {
                form.push(("code_verifier", verifier.to_owned()));
            }
            let form: Vec<(&str, &str)> = form.iter().map(|(k, v)| (*k, v.as_str())).collect();
            browser.post_token(&form).await
        }
    };
    assert_eq!(
        exchange(None).await.1["error_description"],
        "Missing code verifier."
    );
    assert_eq!(
        exchange(Some("not-the-verifier-at-all-not-the-verifier-at-all"))
            .await
            .1["error_description"],
        "Invalid code verifier."
    );
    assert_eq!(exchange(Some(verifier)).await.0, StatusCode::OK);
}

#[tokio::test]
async fn refresh_does_not_rotate_and_keeps_the_scopes() {
    let browser = Browser::start(config()).await;
    let token = browser.connect(MAYA, &[YOUTUBE, ANALYTICS]).await;
    let refresh_token = text(&token, "refresh_token");
    for _ in 0..3 {
        browser.sandbox.advance_clock(Duration::from_secs(3_600));
        let (status, refreshed) = browser.refresh(refresh_token).await;
        assert_eq!(status, StatusCode::OK);
        assert!(refreshed.get("refresh_token").is_none(), "no rotation");
        assert_eq!(refreshed["scope"], token["scope"]);
        assert!(refreshed.get("id_token").is_some());
    }
    let grants = browser.sandbox.grants();
    assert_eq!(grants[0].live_refresh_tokens(), 1);
}

#[tokio::test]
async fn rotation_when_configured_kills_the_old_refresh_token() {
    let browser = Browser::start(config().rotate_refresh_tokens(true)).await;
    let token = browser.connect(MAYA, &[YOUTUBE]).await;
    let (_, refreshed) = browser.refresh(text(&token, "refresh_token")).await;
    let rotated = text(&refreshed, "refresh_token");
    assert_ne!(rotated, text(&token, "refresh_token"));
    assert_eq!(
        browser.refresh(text(&token, "refresh_token")).await.1["error"],
        "invalid_grant"
    );
    assert_eq!(browser.refresh(rotated).await.0, StatusCode::OK);
}

#[tokio::test]
async fn a_refresh_token_comes_once_unless_consent_is_prompted_and_scopes_accumulate() {
    let browser = Browser::start(config()).await;
    let request = |prompt: &'static str, scope: &'static str| {
        browser.authorize_url(&[
            ("client_id", DEFAULT_CLIENT_ID),
            ("redirect_uri", REDIRECT_URI),
            ("response_type", "code"),
            ("scope", scope),
            ("state", "S"),
            ("access_type", "offline"),
            ("prompt", prompt),
            ("include_granted_scopes", "true"),
        ])
    };
    let first = browser
        .decide(request("", YOUTUBE), |f| f.approve_all(MAYA))
        .await
        .1;
    let (_, first) = browser.exchange(&query_of(&first)["code"]).await;
    assert!(first.get("refresh_token").is_some());
    let second = browser
        .decide(request("", ANALYTICS), |f| f.approve_all(MAYA))
        .await
        .1;
    let granted = query_of(&second)["scope"].clone();
    assert!(
        granted.contains(YOUTUBE) && granted.contains(ANALYTICS),
        "incremental: {granted}"
    );
    let (_, second) = browser.exchange(&query_of(&second)["code"]).await;
    assert!(
        second.get("refresh_token").is_none(),
        "not the first time, no prompt=consent"
    );
    let third = browser
        .decide(request("consent", YOUTUBE), |f| f.approve_all(MAYA))
        .await
        .1;
    let (_, third) = browser.exchange(&query_of(&third)["code"]).await;
    assert!(third.get("refresh_token").is_some());
}

#[tokio::test]
async fn refresh_tokens_die_by_every_rule() {
    // Six months unused.
    let browser = Browser::start(config()).await;
    let token = browser.connect(MAYA, &[YOUTUBE]).await;
    browser.sandbox.advance_clock(182 * DAY);
    assert_eq!(
        browser.refresh(text(&token, "refresh_token")).await.0,
        StatusCode::OK
    );
    browser.sandbox.advance_clock(183 * DAY);
    let (status, body) = browser.refresh(text(&token, "refresh_token")).await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    assert_eq!(
        body,
        json!({"error": "invalid_grant", "error_description": "Token has been expired or revoked."})
    );

    // A Testing client: seven days, unless only Sign-In scopes.
    let testing = RegisteredClient::new(DEFAULT_CLIENT_ID, DEFAULT_CLIENT_SECRET, [REDIRECT_URI])
        .with_publishing_status(PublishingStatus::Testing);
    let browser = Browser::start(config().client(testing)).await;
    let (_, _, html) = browser
        .consent_page(browser.default_authorize_url("S"))
        .await;
    assert!(html.contains("hasn't verified this app"));
    let token = browser.connect(MAYA, &[YOUTUBE]).await;
    let sign_in_only = browser.connect(KENJI, &[]).await;
    browser
        .sandbox
        .advance_clock(7 * DAY - Duration::from_secs(1));
    assert_eq!(
        browser.refresh(text(&token, "refresh_token")).await.0,
        StatusCode::OK
    );
    browser.sandbox.advance_clock(Duration::from_secs(1));
    assert_eq!(
        browser.refresh(text(&token, "refresh_token")).await.1["error"],
        "invalid_grant"
    );
    assert_eq!(
        browser
            .refresh(text(&sign_in_only, "refresh_token"))
            .await
            .0,
        StatusCode::OK
    );

    // Past the per-client limit, the oldest dies silently.
    let browser = Browser::start(config().max_refresh_tokens(2)).await;
    let oldest = browser.connect(MAYA, &[YOUTUBE]).await;
    let middle = browser.connect(MAYA, &[YOUTUBE]).await;
    let newest = browser.connect(MAYA, &[YOUTUBE]).await;
    assert_eq!(
        browser.refresh(text(&oldest, "refresh_token")).await.1["error"],
        "invalid_grant"
    );
    assert_eq!(
        browser.refresh(text(&middle, "refresh_token")).await.0,
        StatusCode::OK
    );
    assert_eq!(
        browser.refresh(text(&newest, "refresh_token")).await.0,
        StatusCode::OK
    );
    let deaths: Vec<_> = browser.sandbox.grants()[0]
        .refresh_tokens
        .iter()
        .map(|t| t.dead)
        .collect();
    assert_eq!(deaths, [Some(RefreshDeath::TooManyTokens), None, None]);

    // Time-based access.
    let browser = Browser::start(config().offer_time_based_access(true)).await;
    let (_, location) = browser
        .decide(browser.default_authorize_url("S"), |form| {
            assert_eq!(form.access_hours, [1, 24, 168]);
            form.approve_for_hours(MAYA, &[YOUTUBE], 24)
        })
        .await;
    let (_, token) = browser.exchange(&query_of(&location)["code"]).await;
    assert_eq!(token["refresh_token_expires_in"], 86_400);
    browser.sandbox.advance_clock(DAY);
    assert_eq!(
        browser.refresh(text(&token, "refresh_token")).await.1["error"],
        "invalid_grant"
    );
}

#[tokio::test]
async fn revoke_ends_the_grant_and_a_second_revoke_is_invalid_token() {
    let browser = Browser::start(config()).await;
    let token = browser.connect(MAYA, &[YOUTUBE]).await;
    let access = text(&token, "access_token");
    let mine = [("part", "id"), ("mine", "true")];
    assert_eq!(
        browser
            .get("youtube/v3/channels", Some(access), &mine)
            .await
            .0,
        StatusCode::OK
    );
    let revoke = |token: &str| {
        browser
            .http
            .post(browser.url("revoke"))
            .form(&[("token", token)])
            .send()
    };
    let response = revoke(text(&token, "refresh_token")).await.unwrap();
    assert_eq!(response.status(), StatusCode::OK);
    let (status, headers, body) = browser
        .get("youtube/v3/channels", Some(access), &mine)
        .await;
    assert_eq!(
        status,
        StatusCode::UNAUTHORIZED,
        "the access token died with its grant"
    );
    assert_eq!(Browser::reason(&body), "authError");
    assert!(
        headers["www-authenticate"]
            .to_str()
            .unwrap()
            .contains("invalid_token")
    );
    let again = revoke(text(&token, "refresh_token")).await.unwrap();
    assert_eq!(again.status(), StatusCode::BAD_REQUEST);
    let body: Value = again.json().await.unwrap();
    assert_eq!(body["error"], "invalid_token");
    // The query form of the token works too.
    let other = browser.connect(KENJI, &[YOUTUBE]).await;
    let by_query = browser
        .http
        .post(browser.url("revoke"))
        .query(&[("token", text(&other, "access_token"))])
        .send()
        .await
        .unwrap();
    assert_eq!(by_query.status(), StatusCode::OK);
    assert_eq!(
        browser.refresh(text(&other, "refresh_token")).await.1["error"],
        "invalid_grant",
        "revoking the access token revokes its refresh token"
    );
}

#[tokio::test]
async fn the_control_api_revokes_expires_and_narrows_grants_from_googles_side() {
    let browser = Browser::start(config()).await;
    let token = browser.connect(MAYA, &[YOUTUBE, ANALYTICS]).await;
    let (status, body) = browser
        .control(
            Method::POST,
            &format!("sandbox/accounts/{MAYA}/remove-scope"),
            Some(json!({"scope": ANALYTICS})),
        )
        .await;
    assert_eq!((status, body), (StatusCode::OK, json!({"changed": true})));
    let (_, refreshed) = browser.refresh(text(&token, "refresh_token")).await;
    assert!(!text(&refreshed, "scope").contains(ANALYTICS));

    let (_, body) = browser
        .control(
            Method::POST,
            &format!("sandbox/accounts/{MAYA}/expire-refresh-tokens"),
            Some(json!({"cause": "testing_expiry"})),
        )
        .await;
    assert_eq!(body["refresh_tokens_expired"], 1);
    assert_eq!(
        browser.refresh(text(&token, "refresh_token")).await.1["error"],
        "invalid_grant"
    );
    let (_, grants) = browser.control(Method::GET, "sandbox/grants", None).await;
    assert_eq!(
        grants["grants"][0]["refresh_tokens"][0]["dead"],
        "testing_expiry"
    );
    assert!(
        grants.to_string().find("1//").is_none(),
        "no token in the control API"
    );

    let other = browser.connect(KENJI, &[YOUTUBE]).await;
    let (_, body) = browser
        .control(
            Method::POST,
            &format!("sandbox/accounts/{KENJI}/revoke"),
            None,
        )
        .await;
    assert_eq!(body["grants_ended"], 1);
    let (status, _, _) = browser
        .get(
            "youtube/v3/channels",
            Some(text(&other, "access_token")),
            &[("part", "id"), ("mine", "true")],
        )
        .await;
    assert_eq!(status, StatusCode::UNAUTHORIZED);
    assert_eq!(browser.sandbox.revoke_grant("nobody@sandbox.test", None), 0);
}

#[tokio::test]
async fn access_tokens_last_their_lifetime_and_introspection_tells_who() {
    let browser = Browser::start(config().access_token_lifetime(Duration::from_secs(3_920))).await;
    let token = browser.connect(MAYA, &[YOUTUBE]).await;
    assert_eq!(token["expires_in"], 3_920);
    let access = text(&token, "access_token");
    let (status, _, info) = browser
        .get("tokeninfo", None, &[("access_token", access)])
        .await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(info["aud"], DEFAULT_CLIENT_ID);
    assert_eq!(info["email"], MAYA);
    assert_eq!(info["expires_in"], "3920");
    let (_, _, user) = browser.get("v1/userinfo", Some(access), &[]).await;
    assert_eq!(user["email"], MAYA);
    let (_, _, discovery) = browser
        .get(".well-known/openid-configuration", None, &[])
        .await;
    assert_eq!(
        discovery["token_endpoint"],
        format!("{}token", browser.sandbox.base_url())
    );
    browser.sandbox.advance_clock(Duration::from_secs(3_919));
    let mine = [("part", "id"), ("mine", "true")];
    assert_eq!(
        browser
            .get("youtube/v3/channels", Some(access), &mine)
            .await
            .0,
        StatusCode::OK
    );
    browser.sandbox.advance_clock(Duration::from_secs(1));
    assert_eq!(
        browser
            .get("youtube/v3/channels", Some(access), &mine)
            .await
            .0,
        StatusCode::UNAUTHORIZED
    );
    assert_eq!(
        browser
            .get("tokeninfo", None, &[("access_token", access)])
            .await
            .2["error"],
        "invalid_token"
    );
}

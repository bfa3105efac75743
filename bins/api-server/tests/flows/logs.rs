//! The server's logs through a whole flow (connect, sync, refresh, disconnect; TikTok, then
//! Instagram) hold no secret: no access or refresh token, client or app secret, OAuth code,
//! PKCE verifier, JWT, JWT secret or encryption key.
//!
//! How the secrets are known: the JWTs are ours; the client secret, JWT secret and encryption
//! key come from the server's configuration; the OAuth code is in the sandbox's redirect; the
//! access and refresh tokens are read back (decrypted) from the server's own database after
//! connect and after the refresh, before they change again; the PKCE verifier never leaves the
//! server except towards TikTok, so every verifier-shaped word of the log is hashed and
//! compared with the S256 challenge of the authorization URL.

use base64::Engine as _;
use reqwest::StatusCode;
use secrecy::ExposeSecret as _;
use sha2::{Digest as _, Sha256};

use crate::instagram_support::{ConsentOutcome, INSTAGRAM};
use crate::support::{Consent, FlowOptions, LOGS, TestDatabase, on_both_backends};

on_both_backends!(no_secret_reaches_the_logs_through_a_whole_flow);

const USER: &str = "log-watcher";

async fn no_secret_reaches_the_logs_through_a_whole_flow(database: TestDatabase) {
    let flow = FlowOptions::new().spawn(database).await;
    let dev_jwt = flow.dev_token(USER).await;
    let signed_jwt = flow.token(USER);
    let creator = flow.creator_with_videos(95);
    let mut secrets: Vec<(String, String)> = vec![
        ("development JWT".into(), dev_jwt.clone()),
        ("signed JWT".into(), signed_jwt.clone()),
        (
            "client secret".into(),
            flow.secrets.client_secret.expose_secret().to_owned(),
        ),
        (
            "JWT secret".into(),
            flow.secrets.jwt_secret.expose_secret().to_owned(),
        ),
    ];
    for key in &flow.secrets.encryption_keys {
        secrets.push(("encryption key".into(), key.expose_secret().to_owned()));
    }

    let authorization_url = flow.begin_connect(&dev_jwt).await;
    let challenge = authorization_url
        .query_pairs()
        .find(|(name, _)| name == "code_challenge")
        .map(|(_, value)| value.into_owned())
        .expect("a PKCE challenge");
    let redirect = flow
        .consent(&authorization_url, &creator.open_id, Consent::All)
        .await;
    let code = redirect
        .query_pairs()
        .find(|(name, _)| name == "code")
        .map(|(_, value)| value.into_owned())
        .expect("an authorization code");
    secrets.push(("OAuth code".into(), code));
    let page = flow.follow_callback(&redirect).await;
    assert_eq!(page.kind(), "tiktok:connected", "{}", page.message);
    let (access, refresh) = flow.stored_tokens(USER).await;
    secrets.push(("access token".into(), access));
    secrets.push(("refresh token".into(), refresh.unwrap()));

    // Reads with both tokens, then a sync that must refresh, then disconnect. What the
    // browser and the frontend were sent is kept, to look for secrets in it too.
    let mut responses = vec![page.html.clone()];
    for path in [
        "/api/connections",
        "/api/tiktok/profile",
        "/api/tiktok/videos?limit=5",
        "/api/tiktok/analytics",
        "/api/tiktok/sync-runs",
    ] {
        responses.push(flow.get_json(path, &signed_jwt).await.to_string());
    }
    flow.advance_both_clocks(25);
    let (status, _, body) = flow.sync(&signed_jwt).await;
    assert_eq!(status, StatusCode::OK, "{body}");
    responses.push(body.to_string());
    let (access, refresh) = flow.stored_tokens(USER).await;
    secrets.push(("refreshed access token".into(), access));
    secrets.push(("rotated refresh token".into(), refresh.unwrap()));
    // A failing sync's error message, too.
    flow.clock.advance(chrono::TimeDelta::seconds(301));
    flow.sandbox.set_fault(
        tiktok_sandbox::Endpoint::VideoList,
        tiktok_sandbox::Fault::ServerError { status: 500 },
    );
    let (status, _, body) = flow.sync(&signed_jwt).await;
    flow.sandbox.clear_faults();
    assert_eq!(status, StatusCode::BAD_GATEWAY, "{body}");
    responses.push(body.to_string());
    responses.push(
        flow.get_json("/api/tiktok/sync-runs", &dev_jwt)
            .await
            .to_string(),
    );
    responses.push(flow.metrics().await);
    let response = flow
        .call("DELETE", "/api/auth/tiktok/disconnect", &dev_jwt)
        .await;
    assert_eq!(response.status(), StatusCode::NO_CONTENT);
    assert_eq!(flow.sandbox.revoked_grants().len(), 1);

    // The same through Instagram: its app secret, code, long-lived token and refreshed token.
    secrets.push((
        "Instagram app secret".into(),
        flow.secrets.instagram_app_secret.expose_secret().to_owned(),
    ));
    secrets.push((
        "Google OAuth client secret".into(),
        flow.secrets
            .youtube_client_secret
            .expose_secret()
            .to_owned(),
    ));
    let account = flow.instagram_account("tiny.studio");
    let authorization_url = flow.begin_instagram_connect(&dev_jwt).await;
    let ConsentOutcome::Redirect(redirect) = flow
        .instagram_consent(&authorization_url, &account.ig_user_id, Consent::All)
        .await
    else {
        panic!("the consent page refused the login");
    };
    let code = redirect
        .query_pairs()
        .find(|(name, _)| name == "code")
        .map(|(_, value)| value.into_owned())
        .expect("an authorization code");
    secrets.push(("Instagram OAuth code".into(), code));
    let page = flow.follow_callback_of(INSTAGRAM, &redirect).await;
    assert_eq!(page.kind(), "instagram:connected", "{}", page.message);
    responses.push(page.html.clone());
    secrets.push((
        "Instagram token".into(),
        flow.stored_instagram_token(USER).await,
    ));
    for path in ["/api/instagram/profile", "/api/instagram/media?limit=5"] {
        responses.push(flow.get_json(path, &signed_jwt).await.to_string());
    }
    flow.advance_instagram_clocks(chrono::TimeDelta::days(31));
    let report = flow.services.refresh_expiring_tokens().await.unwrap();
    assert_eq!(report.refreshed, 1, "{report:?}");
    secrets.push((
        "refreshed Instagram token".into(),
        flow.stored_instagram_token(USER).await,
    ));
    let response = flow
        .call("DELETE", "/api/auth/instagram/disconnect", &dev_jwt)
        .await;
    assert_eq!(response.status(), StatusCode::NO_CONTENT);

    let logs = LOGS.contents();
    for expected in [
        "account connected",
        "access token refreshed",
        "account disconnected and its data deleted",
    ] {
        assert!(logs.contains(expected), "the flow did not log {expected:?}");
    }
    for (what, secret) in &secrets {
        assert!(secret.len() >= 8, "{what} is too short to search for");
        assert!(!logs.contains(secret.as_str()), "{what} in the logs");
        for response in &responses {
            assert!(!response.contains(secret.as_str()), "{what} in a response");
        }
    }
    for jwt in [&dev_jwt, &signed_jwt] {
        let signature = jwt.rsplit('.').next().unwrap();
        assert!(!logs.contains(signature), "a JWT signature in the logs");
    }
    assert_no_pkce_verifier(&logs, &challenge);
}

/// No word of the logs is a PKCE verifier whose S256 challenge is `challenge` (verifiers are
/// 43 to 128 characters of `[A-Za-z0-9-._~]`).
fn assert_no_pkce_verifier(logs: &str, challenge: &str) {
    let is_verifier_char =
        |c: char| c.is_ascii_alphanumeric() || matches!(c, '-' | '.' | '_' | '~');
    for word in logs.split(|c: char| !is_verifier_char(c)) {
        if word.len() < 43 {
            continue;
        }
        // A verifier may sit inside a longer run of allowed characters.
        for length in 43..=word.len().min(128) {
            for start in 0..=word.len() - length {
                let candidate = &word[start..start + length];
                let digest = Sha256::digest(candidate.as_bytes());
                let hashed = base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(digest);
                assert_ne!(hashed, challenge, "the PKCE verifier is in the logs");
            }
        }
    }
}

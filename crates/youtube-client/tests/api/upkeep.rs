//! The token keeper: a due refresh saved before use, a fresh token used without a call, a
//! refused access token refreshed once and retried once, a dead grant reported as re-auth.

use std::collections::HashMap;
use std::sync::{Arc, Mutex};

use futures::future::BoxFuture;
use serde_json::json;
use wiremock::matchers::{header, method, path};
use wiremock::{Mock, MockServer, ResponseTemplate};
use youtube_client::{
    AccessToken, ChannelPart, GrantedScopes, RefreshToken, StoreError, StoredTokens, TokenKeeper,
    TokenStore,
};

use crate::helpers::*;

#[derive(Clone, Default)]
struct MemoryStore(Arc<Mutex<HashMap<String, StoredTokens>>>);

impl MemoryStore {
    fn get(&self, account: &str) -> Option<StoredTokens> {
        self.0.lock().unwrap().get(account).cloned()
    }
}

impl TokenStore for MemoryStore {
    fn load<'a>(
        &'a self,
        account: &'a str,
    ) -> BoxFuture<'a, Result<Option<StoredTokens>, StoreError>> {
        Box::pin(async move { Ok(self.get(account)) })
    }

    fn save<'a>(
        &'a self,
        account: &'a str,
        tokens: &'a StoredTokens,
    ) -> BoxFuture<'a, Result<(), StoreError>> {
        Box::pin(async move {
            self.0
                .lock()
                .unwrap()
                .insert(account.to_owned(), tokens.clone());
            Ok(())
        })
    }
}

fn stored(access: &str, expires_in_secs: i64) -> StoredTokens {
    let mut tokens = StoredTokens::new(
        RefreshToken::new(REFRESH_TOKEN),
        GrantedScopes::parse(YOUTUBE),
    );
    tokens.access_token = Some(AccessToken::new(access));
    tokens.access_expires_at = Some(now() + chrono::Duration::seconds(expires_in_secs));
    tokens
}

async fn refresh_answers(server: &MockServer, scope: &str, rotated: Option<&str>) {
    let mut body = token_answer(scope, rotated);
    body["access_token"] = json!("ya29.fresh");
    Mock::given(method("POST"))
        .and(path("/token"))
        .respond_with(ResponseTemplate::new(200).set_body_json(body))
        .mount(server)
        .await;
}

#[tokio::test]
async fn a_due_token_is_refreshed_and_saved_first_a_fresh_one_is_used_as_is() {
    let server = MockServer::start().await;
    refresh_answers(&server, &format!("{YOUTUBE} {ANALYTICS}"), None).await;
    let store = MemoryStore::default();
    store.save("UC1", &stored("ya29.old", 200)).await.unwrap();
    store
        .save("UC2", &stored("ya29.good", 3_000))
        .await
        .unwrap();
    let keeper = TokenKeeper::new(client_for(&server), store.clone());
    let token = keeper.token("UC1", now()).await.unwrap();
    assert_eq!(
        token.expose_secret(),
        "ya29.fresh",
        "200 s left is inside the 5-minute margin"
    );
    let saved = store.get("UC1").unwrap();
    assert_eq!(saved.access_token.unwrap().expose_secret(), "ya29.fresh");
    assert_eq!(
        saved.access_expires_at,
        Some(now() + chrono::Duration::seconds(3_599))
    );
    assert_eq!(
        saved.refresh_token.expose_secret(),
        REFRESH_TOKEN,
        "not rotated: kept"
    );
    assert!(saved.scopes.analytics(), "scopes as they are now");
    assert_eq!(
        keeper.token("UC2", now()).await.unwrap().expose_secret(),
        "ya29.good"
    );
    assert_eq!(requests_to(&server, "/token").await.len(), 1);
    assert!(
        keeper
            .token("nobody", now())
            .await
            .unwrap_err()
            .needs_reauth()
    );
}

#[tokio::test]
async fn a_rotated_refresh_token_is_stored() {
    let server = MockServer::start().await;
    refresh_answers(&server, YOUTUBE, Some("1//0rotated")).await;
    let store = MemoryStore::default();
    store.save("UC1", &stored("ya29.old", 0)).await.unwrap();
    TokenKeeper::new(client_for(&server), store.clone())
        .token("UC1", now())
        .await
        .unwrap();
    assert_eq!(
        store.get("UC1").unwrap().refresh_token.expose_secret(),
        "1//0rotated"
    );
}

#[tokio::test]
async fn a_refused_access_token_is_refreshed_once_and_the_call_retried_once() {
    let server = MockServer::start().await;
    refresh_answers(&server, YOUTUBE, None).await;
    Mock::given(method("GET"))
        .and(path("/youtube/v3/channels"))
        .and(header("authorization", "Bearer ya29.revoked-early"))
        .respond_with(ResponseTemplate::new(401).set_body_json(google_error(
            401,
            "authError",
            "global",
            "Invalid Credentials",
        )))
        .mount(&server)
        .await;
    Mock::given(method("GET"))
        .and(path("/youtube/v3/channels"))
        .and(header("authorization", "Bearer ya29.fresh"))
        .respond_with(ResponseTemplate::new(200).set_body_json(json!({"items": []})))
        .mount(&server)
        .await;
    let store = MemoryStore::default();
    store
        .save("UC1", &stored("ya29.revoked-early", 3_000))
        .await
        .unwrap();
    let client = client_for(&server);
    let keeper = TokenKeeper::new(client.clone(), store.clone());
    let lookup = keeper
        .call("UC1", now(), |token| {
            let client = client.clone();
            async move { client.my_channel(&token, &ChannelPart::DEFAULT).await }
        })
        .await
        .unwrap();
    assert_eq!(lookup, youtube_client::ChannelLookup::NoChannel);
    assert_eq!(requests_to(&server, "/token").await.len(), 1);
    assert_eq!(requests_to(&server, "/youtube/v3/channels").await.len(), 2);
}

#[tokio::test]
async fn a_dead_grant_is_reported_as_reauth_and_nothing_is_saved() {
    let server = MockServer::start().await;
    Mock::given(method("POST"))
        .and(path("/token"))
        .respond_with(ResponseTemplate::new(400).set_body_json(json!({
            "error": "invalid_grant", "error_description": "Token has been expired or revoked."
        })))
        .mount(&server)
        .await;
    let store = MemoryStore::default();
    store.save("UC1", &stored("ya29.old", -10)).await.unwrap();
    let keeper = TokenKeeper::new(client_for(&server), store.clone());
    let error = keeper.token("UC1", now()).await.unwrap_err();
    assert!(error.needs_reauth());
    assert_eq!(
        store
            .get("UC1")
            .unwrap()
            .access_token
            .unwrap()
            .expose_secret(),
        "ya29.old"
    );
}

//! The token keeper: refresh when due, keep the old token when a refresh fails transiently,
//! refuse an expired token without a call.

use std::collections::HashMap;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use futures::future::BoxFuture;
use instagram_client::{
    AccessToken, LongLivedToken, StoreError, TokenKeeper, TokenStore, UpkeepError,
};
use serde_json::json;
use wiremock::matchers::{method, path};
use wiremock::{Mock, MockServer, ResponseTemplate};

use crate::helpers::*;

#[derive(Clone, Default)]
struct Store(Arc<Mutex<HashMap<String, LongLivedToken>>>);

impl TokenStore for Store {
    fn load<'a>(
        &'a self,
        account: &'a str,
    ) -> BoxFuture<'a, Result<Option<LongLivedToken>, StoreError>> {
        Box::pin(async move { Ok(self.0.lock().unwrap().get(account).cloned()) })
    }

    fn save<'a>(
        &'a self,
        account: &'a str,
        token: &'a LongLivedToken,
    ) -> BoxFuture<'a, Result<(), StoreError>> {
        Box::pin(async move {
            self.0
                .lock()
                .unwrap()
                .insert(account.to_owned(), token.clone());
            Ok(())
        })
    }
}

fn stored(days_old: i64) -> LongLivedToken {
    LongLivedToken::new(
        AccessToken::new(ACCESS_TOKEN),
        now() - chrono::Duration::days(days_old),
        Duration::from_secs(60 * 86_400),
    )
}

const REFRESH: &str = "/graph/refresh_access_token";
const MARGIN: Duration = Duration::from_secs(30 * 86_400);

#[tokio::test]
async fn a_due_token_is_refreshed_and_saved_before_it_is_handed_out() {
    let server = MockServer::start().await;
    Mock::given(method("GET"))
        .and(path(REFRESH))
        .respond_with(ResponseTemplate::new(200).set_body_json(
            json!({"access_token": "IGAA-NEW", "token_type": "bearer", "expires_in": 5184000}),
        ))
        .mount(&server)
        .await;
    let store = Store::default();
    store.save("a", &stored(10)).await.unwrap();
    let keeper = TokenKeeper::new(client_for(&server), store.clone(), MARGIN);
    assert_eq!(
        keeper.token("a", now()).await.unwrap().expose_secret(),
        ACCESS_TOKEN,
        "30 days left: not due"
    );
    store.save("a", &stored(31)).await.unwrap();
    assert_eq!(
        keeper.token("a", now()).await.unwrap().expose_secret(),
        "IGAA-NEW"
    );
    assert_eq!(store.load("a").await.unwrap().unwrap().issued_at, now());
    assert_eq!(requests_to(&server, REFRESH).await.len(), 1);
}

#[tokio::test]
async fn a_transient_refresh_failure_keeps_the_current_token() {
    let server = MockServer::start().await;
    Mock::given(method("GET"))
        .and(path(REFRESH))
        .respond_with(ResponseTemplate::new(503).set_body_json(graph_error(2, None, "down")))
        .mount(&server)
        .await;
    let store = Store::default();
    store.save("a", &stored(40)).await.unwrap();
    let keeper = TokenKeeper::new(client_for(&server), store.clone(), MARGIN);
    assert_eq!(
        keeper.token("a", now()).await.unwrap().expose_secret(),
        ACCESS_TOKEN
    );
    assert_eq!(
        store.load("a").await.unwrap().unwrap().issued_at,
        stored(40).issued_at,
        "unchanged"
    );
}

#[tokio::test]
async fn an_expired_or_missing_token_needs_reauth_without_a_call() {
    let server = MockServer::start().await;
    let store = Store::default();
    store.save("a", &stored(61)).await.unwrap();
    let keeper = TokenKeeper::new(client_for(&server), store, MARGIN);
    let error = keeper.token("a", now()).await.unwrap_err();
    assert!(error.needs_reauth(), "{error:?}");
    assert!(matches!(
        keeper.token("b", now()).await,
        Err(UpkeepError::NotConnected)
    ));
    assert!(server.received_requests().await.unwrap().is_empty());
}

//! The token keeper against the sandbox: expiry on the sandbox's clock, rotating refresh
//! tokens, `access_token_invalid`, and ten tasks at once.

use std::collections::HashMap;
use std::sync::Arc;
use std::sync::Mutex;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::Duration;

use futures::future::BoxFuture;
use tiktok_client::{
    StoreError, TikTokClient, TikTokError, TokenKeeper, TokenPair, TokenStore, UpkeepError,
    UserField, UserInfo,
};
use tiktok_sandbox::{Endpoint, Fault, SandboxHandle};

use super::{ACCESS_LIFETIME, connected};

const ACCOUNT: &str = "creator-1";
const CALLERS: usize = 10;

/// Pairs in memory, counting every load and save.
#[derive(Default)]
pub struct CountingStore {
    pairs: Mutex<HashMap<String, TokenPair>>,
    loads: AtomicUsize,
    saves: AtomicUsize,
}

impl CountingStore {
    fn loads(&self) -> usize {
        self.loads.load(Ordering::SeqCst)
    }

    fn saves(&self) -> usize {
        self.saves.load(Ordering::SeqCst)
    }

    fn pair(&self) -> TokenPair {
        self.pairs.lock().unwrap()[ACCOUNT].clone()
    }
}

impl TokenStore for CountingStore {
    fn load<'a>(
        &'a self,
        account: &'a str,
    ) -> BoxFuture<'a, Result<Option<TokenPair>, StoreError>> {
        Box::pin(async move {
            self.loads.fetch_add(1, Ordering::SeqCst);
            Ok(self.pairs.lock().unwrap().get(account).cloned())
        })
    }

    fn save<'a>(
        &'a self,
        account: &'a str,
        tokens: &'a TokenPair,
    ) -> BoxFuture<'a, Result<(), StoreError>> {
        Box::pin(async move {
            self.saves.fetch_add(1, Ordering::SeqCst);
            self.pairs
                .lock()
                .unwrap()
                .insert(account.to_owned(), tokens.clone());
            Ok(())
        })
    }
}

/// A connected creator whose pair the keeper holds (saved once by `insert`).
async fn kept() -> (SandboxHandle, TikTokClient, Arc<TokenKeeper<CountingStore>>) {
    let (sandbox, client, tokens) = connected(3).await;
    let keeper = Arc::new(TokenKeeper::new(client.clone(), CountingStore::default()));
    keeper
        .insert(ACCOUNT, &tokens, sandbox.now())
        .await
        .unwrap();
    assert_eq!(keeper.store().saves(), 1);
    (sandbox, client, keeper)
}

/// `CALLERS` tasks, each reading the profile through the keeper at `now`.
fn spawn_callers(
    client: &TikTokClient,
    keeper: &Arc<TokenKeeper<CountingStore>>,
    now: chrono::DateTime<chrono::Utc>,
) -> Vec<tokio::task::JoinHandle<Result<UserInfo, UpkeepError>>> {
    (0..CALLERS)
        .map(|_| {
            let client = client.clone();
            let keeper = Arc::clone(keeper);
            tokio::spawn(async move {
                keeper
                    .call(ACCOUNT, now, |token| {
                        let client = client.clone();
                        async move { client.user_info(&token, &[UserField::DisplayName]).await }
                    })
                    .await
            })
        })
        .collect()
}

/// Waits until `ready` holds, failing the test after a generous deadline. Between checks the
/// task only yields (the callers and the sandbox run meanwhile): no timed pause.
async fn wait_until(what: &str, ready: impl Fn() -> bool) {
    let polled = async {
        while !ready() {
            tokio::task::yield_now().await;
        }
    };
    tokio::time::timeout(Duration::from_secs(30), polled)
        .await
        .unwrap_or_else(|_| panic!("timed out waiting until {what}"));
}

async fn all_succeed(callers: Vec<tokio::task::JoinHandle<Result<UserInfo, UpkeepError>>>) {
    for caller in callers {
        let user = caller.await.unwrap().unwrap();
        assert!(user.display_name.is_some());
    }
}

#[tokio::test]
async fn ten_callers_with_an_expired_token_cause_one_refresh_and_one_save() {
    let (sandbox, client, keeper) = kept().await;
    let original = keeper.store().pair();
    // Past the access token's lifetime on TikTok's (the sandbox's) clock.
    let now = sandbox.advance_clock(ACCESS_LIFETIME + Duration::from_secs(1));
    let tokens_before = sandbox.call_count(Endpoint::Token);
    let info_before = sandbox.call_count(Endpoint::UserInfo);
    // The one refresh is held inside TikTok until every caller has found the token expired.
    sandbox.set_fault_for_calls(Endpoint::Token, Fault::Held, 1);

    let callers = spawn_callers(&client, &keeper, now);
    // Each caller read the store once and found the token due; one of them read it again
    // under the account's lock and is now refreshing.
    wait_until("all callers wait on the one refresh", || {
        sandbox.held_calls() == 1 && keeper.store().loads() > CALLERS
    })
    .await;
    sandbox.release_held_calls();
    all_succeed(callers).await;

    assert_eq!(
        sandbox.call_count(Endpoint::Token) - tokens_before,
        1,
        "one refresh"
    );
    assert_eq!(
        keeper.store().saves(),
        2,
        "the exchange's pair, then one rotated pair"
    );
    assert_eq!(
        sandbox.call_count(Endpoint::UserInfo) - info_before,
        CALLERS as u64
    );
    let rotated = keeper.store().pair();
    assert_ne!(
        rotated.refresh_token.expose_secret(),
        original.refresh_token.expose_secret(),
        "TikTok rotated the refresh token and the new one was stored"
    );
    assert_eq!(rotated.access_token_expires_at, now + ACCESS_LIFETIME);
    // The refresh token that was sent is dead: a second refresh would have failed.
    let error = client
        .refresh_access_token(&original.refresh_token)
        .await
        .unwrap_err();
    assert!(
        matches!(error, TikTokError::RefreshRejected { .. }),
        "{error:?}"
    );
    sandbox.stop().await;
}

#[tokio::test]
async fn ten_callers_told_access_token_invalid_cause_one_refresh_and_one_save() {
    let (sandbox, client, keeper) = kept().await;
    // The token is not due on the clock, but TikTok says it is dead (revoked, rotated
    // elsewhere, clocks apart).
    let now = sandbox.now();
    let tokens_before = sandbox.call_count(Endpoint::Token);
    let info_before = sandbox.call_count(Endpoint::UserInfo);
    sandbox.set_fault(Endpoint::UserInfo, Fault::AccessTokenInvalid);
    sandbox.set_fault_for_calls(Endpoint::Token, Fault::Held, 1);

    let callers = spawn_callers(&client, &keeper, now);
    // Every caller was refused once (10 calls) and one of them is refreshing.
    wait_until("every caller was refused and one refreshes", || {
        sandbox.call_count(Endpoint::UserInfo) - info_before == CALLERS as u64
            && sandbox.held_calls() == 1
    })
    .await;
    sandbox.clear_fault(Endpoint::UserInfo);
    sandbox.release_held_calls();
    all_succeed(callers).await;

    assert_eq!(
        sandbox.call_count(Endpoint::Token) - tokens_before,
        1,
        "one refresh"
    );
    assert_eq!(
        keeper.store().saves(),
        2,
        "the exchange's pair, then one rotated pair"
    );
    // Each caller retried once, with the new token.
    assert_eq!(
        sandbox.call_count(Endpoint::UserInfo) - info_before,
        2 * CALLERS as u64
    );
    sandbox.stop().await;
}

#[tokio::test]
async fn a_fresh_token_is_handed_out_without_a_refresh() {
    let (sandbox, _client, keeper) = kept().await;
    let before = sandbox.call_count(Endpoint::Token);
    let now = sandbox.advance_clock(ACCESS_LIFETIME / 2);
    let token = keeper.access_token(ACCOUNT, now).await.unwrap();
    assert_eq!(
        token.expose_secret(),
        keeper.store().pair().access_token.expose_secret()
    );
    assert_eq!(sandbox.call_count(Endpoint::Token), before);
    assert_eq!(keeper.store().saves(), 1);
    sandbox.stop().await;
}

#[tokio::test]
async fn a_rejected_refresh_token_needs_reauthorization() {
    let (sandbox, _client, keeper) = kept().await;
    let now = sandbox.advance_clock(ACCESS_LIFETIME);
    sandbox.set_fault_for_calls(Endpoint::Token, Fault::RefreshInvalidGrant, 1);
    let error = keeper.access_token(ACCOUNT, now).await.unwrap_err();
    assert!(error.needs_reauth(), "{error:?}");
    assert_eq!(keeper.store().saves(), 1, "nothing stored");
    assert!(matches!(
        keeper.access_token("someone-else", now).await,
        Err(UpkeepError::NotConnected)
    ));
    sandbox.stop().await;
}

//! Codes, grants and tokens: the sandbox's OAuth bookkeeping (reference sections 2 to 4).
//!
//! A grant is one consent (app, account, scopes). A code becomes a short-lived token; a
//! short-lived token is exchanged for a long-lived one; a long-lived token at least 24 hours
//! old refreshes itself. There is no refresh token. A grant ends when the user removes the
//! app or changes their password: every token of it dies with a 190.

use std::collections::HashMap;
use std::sync::{Mutex, MutexGuard, PoisonError};
use std::time::Duration;

use chrono::{DateTime, Utc};
use rand::Rng as _;
use serde::{Deserialize, Serialize};

use crate::config::EarlyRefreshError;
use crate::wire::{FlatError, GraphError};

/// What a consent produced, waiting to be exchanged.
#[derive(Debug, Clone)]
pub(crate) struct PendingCode {
    pub(crate) app_id: String,
    pub(crate) redirect_uri: String,
    pub(crate) account: usize,
    pub(crate) scopes: Vec<String>,
    pub(crate) expires_at: DateTime<Utc>,
}

/// Short- or long-lived.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum TokenKind {
    /// From the code exchange; one hour.
    ShortLived,
    /// From the exchange or a refresh; 60 days.
    LongLived,
}

/// Why a grant ended.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum GrantEnd {
    /// The user removed the app (190/458).
    AppRemoved,
    /// The user changed their password (190/460).
    PasswordChanged,
}

/// A grant as the control API shows it (no token).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct GrantSummary {
    /// The app.
    pub app_id: String,
    /// The account's Instagram user id.
    pub ig_user_id: String,
    /// Granted scopes.
    pub scopes: Vec<String>,
    /// Tokens that are neither expired nor dead.
    pub live_tokens: usize,
    /// Why it ended, if it did.
    pub ended: Option<GrantEnd>,
    /// When it ended.
    pub ended_at: Option<DateTime<Utc>>,
}

/// Who a valid token speaks for.
#[derive(Debug, Clone)]
pub(crate) struct Bearer {
    pub(crate) grant: usize,
    pub(crate) app_id: String,
    pub(crate) account: usize,
    pub(crate) scopes: Vec<String>,
    pub(crate) kind: TokenKind,
}

impl Bearer {
    pub(crate) fn has_scope(&self, scope: &str) -> bool {
        self.scopes.iter().any(|granted| granted == scope)
    }
}

/// A token issued by an exchange or refresh.
#[derive(Debug, Clone)]
pub(crate) struct Issued {
    pub(crate) token: String,
    pub(crate) expires_in: i64,
}

/// Lifetimes and refresh behaviour, from the configuration.
#[derive(Debug, Clone, Copy)]
pub(crate) struct TokenPolicy {
    pub(crate) short_lifetime: Duration,
    pub(crate) long_lifetime: Duration,
    pub(crate) refresh_min_age: Duration,
    pub(crate) refresh_issues_new_token: bool,
    pub(crate) old_token_survives_refresh: bool,
    pub(crate) early_refresh_error: EarlyRefreshError,
}

#[derive(Debug)]
struct Grant {
    app_id: String,
    account: usize,
    scopes: Vec<String>,
    ended: Option<(GrantEnd, DateTime<Utc>)>,
}

#[derive(Debug, Clone, Copy)]
struct TokenRecord {
    grant: usize,
    kind: TokenKind,
    issued_at: DateTime<Utc>,
    expires_at: DateTime<Utc>,
    /// Killed by a refresh that issued its successor.
    superseded: bool,
}

struct CodeRecord {
    pending: PendingCode,
    used: bool,
}

#[derive(Default)]
struct Books {
    codes: HashMap<String, CodeRecord>,
    grants: Vec<Grant>,
    tokens: HashMap<String, TokenRecord>,
}

/// All OAuth state of one sandbox.
pub(crate) struct AuthStore {
    policy: TokenPolicy,
    books: Mutex<Books>,
}

// Codes and tokens never appear in Debug output: only how many there are.
impl std::fmt::Debug for AuthStore {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let books = self.books();
        f.debug_struct("AuthStore")
            .field("codes", &books.codes.len())
            .field("grants", &books.grants.len())
            .field("tokens", &books.tokens.len())
            .finish()
    }
}

fn span(duration: Duration) -> chrono::Duration {
    chrono::Duration::from_std(duration).unwrap_or(chrono::Duration::MAX)
}

fn random_text(n: usize, alphabet: &[u8]) -> String {
    let mut rng = rand::thread_rng();
    (0..n)
        .map(|_| char::from(alphabet[rng.gen_range(0..alphabet.len())]))
        .collect()
}

const ALNUM: &[u8] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789";

/// An authorization code (`AQB...`, with `-` and `_` as Meta's have).
fn new_code() -> String {
    format!(
        "AQB{}",
        random_text(
            120,
            b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_"
        )
    )
}

/// A user token (`IGAA...`); clients must not rely on the prefix.
fn new_token() -> String {
    format!("IGAA{}", random_text(140, ALNUM))
}

/// `Sunday, 09-Aug-20 01:30:58 UTC`, Meta's format in expiry messages.
fn meta_time(time: DateTime<Utc>) -> String {
    time.format("%A, %d-%b-%y %H:%M:%S UTC").to_string()
}

impl AuthStore {
    pub(crate) fn new(policy: TokenPolicy) -> Self {
        Self {
            policy,
            books: Mutex::new(Books::default()),
        }
    }

    fn books(&self) -> MutexGuard<'_, Books> {
        self.books.lock().unwrap_or_else(PoisonError::into_inner)
    }

    /// Stores a consent and returns its single-use code.
    pub(crate) fn issue_code(&self, pending: PendingCode) -> String {
        let code = new_code();
        self.books().codes.insert(
            code.clone(),
            CodeRecord {
                pending,
                used: false,
            },
        );
        code
    }

    /// Code -> short-lived token. The app is authenticated. A failed attempt leaves the code
    /// usable; a success uses it up. Returns the token, the account and the scopes.
    pub(crate) fn exchange_code(
        &self,
        app_id: &str,
        code: &str,
        redirect_uri: &str,
        now: DateTime<Utc>,
    ) -> Result<(String, usize, Vec<String>), FlatError> {
        let not_found = || FlatError::oauth("Matching code was not found or was already used");
        let mut books = self.books();
        let record = books.codes.get(code).ok_or_else(not_found)?;
        if record.used || record.pending.app_id != app_id {
            return Err(not_found());
        }
        if record.pending.expires_at <= now {
            return Err(FlatError::oauth("This authorization code has expired."));
        }
        if record.pending.redirect_uri != redirect_uri {
            return Err(FlatError::oauth(
                "Error validating verification code. Please make sure your redirect_uri is \
                 identical to the one you used in the OAuth dialog request",
            ));
        }
        let pending = record.pending.clone();
        if let Some(record) = books.codes.get_mut(code) {
            record.used = true;
        }
        books.grants.push(Grant {
            app_id: pending.app_id,
            account: pending.account,
            scopes: pending.scopes.clone(),
            ended: None,
        });
        let grant = books.grants.len() - 1;
        let token = self.insert_token(&mut books, grant, TokenKind::ShortLived, now);
        Ok((token, pending.account, pending.scopes))
    }

    /// Short-lived -> long-lived, for a bearer already checked to be short-lived.
    pub(crate) fn issue_long_lived(&self, grant: usize, now: DateTime<Utc>) -> Issued {
        let mut books = self.books();
        let token = self.insert_token(&mut books, grant, TokenKind::LongLived, now);
        Issued {
            token,
            expires_in: self.policy.long_lifetime.as_secs() as i64,
        }
    }

    /// `ig_refresh_token`: the long-lived token must be alive and at least
    /// `refresh_min_age` old.
    pub(crate) fn refresh(&self, token: &str, now: DateTime<Utc>) -> Result<Issued, GraphError> {
        let mut books = self.books();
        let record = Self::check(&books, token, now)?;
        if record.kind != TokenKind::LongLived {
            return Err(GraphError::invalid_parameter(
                "Only long-lived tokens can be refreshed",
            ));
        }
        if now - record.issued_at < span(self.policy.refresh_min_age) {
            let message = "The access token is too new to be refreshed: tokens can be refreshed once they are at least 24 hours old.";
            return Err(match self.policy.early_refresh_error {
                EarlyRefreshError::InvalidParameter => GraphError::invalid_parameter(message),
                EarlyRefreshError::InvalidToken => {
                    GraphError::new(190, "OAuthException", message.to_owned())
                }
            });
        }
        let expires_at = now + span(self.policy.long_lifetime);
        let token = if self.policy.refresh_issues_new_token {
            let next = self.insert_token(&mut books, record.grant, TokenKind::LongLived, now);
            if !self.policy.old_token_survives_refresh
                && let Some(old) = books.tokens.get_mut(token)
            {
                old.superseded = true;
            }
            next
        } else {
            if let Some(same) = books.tokens.get_mut(token) {
                same.issued_at = now;
                same.expires_at = expires_at;
            }
            token.to_owned()
        };
        Ok(Issued {
            token,
            expires_in: self.policy.long_lifetime.as_secs() as i64,
        })
    }

    /// Who `token` speaks for, or the 190 Meta would answer.
    pub(crate) fn bearer(&self, token: &str, now: DateTime<Utc>) -> Result<Bearer, GraphError> {
        let books = self.books();
        let record = Self::check(&books, token, now)?;
        let grant = &books.grants[record.grant];
        Ok(Bearer {
            grant: record.grant,
            app_id: grant.app_id.clone(),
            account: grant.account,
            scopes: grant.scopes.clone(),
            kind: record.kind,
        })
    }

    fn check(books: &Books, token: &str, now: DateTime<Utc>) -> Result<TokenRecord, GraphError> {
        let record = *books
            .tokens
            .get(token)
            .ok_or_else(GraphError::invalid_token)?;
        let grant = books
            .grants
            .get(record.grant)
            .ok_or_else(GraphError::invalid_token)?;
        match grant.ended {
            Some((GrantEnd::AppRemoved, _)) => return Err(GraphError::app_removed(&grant.app_id)),
            Some((GrantEnd::PasswordChanged, _)) => return Err(GraphError::password_changed()),
            None => {}
        }
        if record.superseded {
            return Err(GraphError::invalid_token());
        }
        if record.expires_at <= now {
            return Err(GraphError::token_expired(
                &meta_time(record.expires_at),
                &meta_time(now),
            ));
        }
        Ok(record)
    }

    /// Ends every live grant of `account` (for `app_id`, or all apps); returns the apps.
    pub(crate) fn end_grants(
        &self,
        account: usize,
        app_id: Option<&str>,
        why: GrantEnd,
        now: DateTime<Utc>,
    ) -> Vec<String> {
        let mut books = self.books();
        let mut apps = Vec::new();
        for grant in books.grants.iter_mut() {
            if grant.account == account
                && grant.ended.is_none()
                && app_id.is_none_or(|app| app == grant.app_id)
            {
                grant.ended = Some((why, now));
                if !apps.contains(&grant.app_id) {
                    apps.push(grant.app_id.clone());
                }
            }
        }
        apps
    }

    /// Every grant, for the control API; `ig_user_id` maps an account index to its id.
    pub(crate) fn grants(
        &self,
        now: DateTime<Utc>,
        ig_user_id: impl Fn(usize) -> String,
    ) -> Vec<GrantSummary> {
        let books = self.books();
        books
            .grants
            .iter()
            .enumerate()
            .map(|(index, grant)| GrantSummary {
                app_id: grant.app_id.clone(),
                ig_user_id: ig_user_id(grant.account),
                scopes: grant.scopes.clone(),
                live_tokens: books
                    .tokens
                    .values()
                    .filter(|token| {
                        token.grant == index
                            && !token.superseded
                            && token.expires_at > now
                            && grant.ended.is_none()
                    })
                    .count(),
                ended: grant.ended.map(|(why, _)| why),
                ended_at: grant.ended.map(|(_, at)| at),
            })
            .collect()
    }

    fn insert_token(
        &self,
        books: &mut Books,
        grant: usize,
        kind: TokenKind,
        now: DateTime<Utc>,
    ) -> String {
        let lifetime = match kind {
            TokenKind::ShortLived => self.policy.short_lifetime,
            TokenKind::LongLived => self.policy.long_lifetime,
        };
        let token = new_token();
        books.tokens.insert(
            token.clone(),
            TokenRecord {
                grant,
                kind,
                issued_at: now,
                expires_at: now + span(lifetime),
                superseded: false,
            },
        );
        token
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::accounts::test_start;

    fn store(new_token: bool, survives: bool) -> AuthStore {
        AuthStore::new(TokenPolicy {
            short_lifetime: Duration::from_secs(3_600),
            long_lifetime: Duration::from_secs(5_184_000),
            refresh_min_age: Duration::from_secs(86_400),
            refresh_issues_new_token: new_token,
            old_token_survives_refresh: survives,
            early_refresh_error: EarlyRefreshError::InvalidParameter,
        })
    }

    fn code(store: &AuthStore) -> String {
        store.issue_code(PendingCode {
            app_id: "app".into(),
            redirect_uri: "https://app.test/cb".into(),
            account: 0,
            scopes: vec!["instagram_business_basic".into()],
            expires_at: test_start() + chrono::Duration::hours(1),
        })
    }

    fn long_lived(store: &AuthStore) -> String {
        let (short, _, _) = store
            .exchange_code("app", &code(store), "https://app.test/cb", test_start())
            .expect("exchange");
        let bearer = store.bearer(&short, test_start()).expect("alive");
        assert_eq!(bearer.kind, TokenKind::ShortLived);
        store.issue_long_lived(bearer.grant, test_start()).token
    }

    #[test]
    fn a_code_works_once_and_only_with_its_redirect_uri() {
        let store = store(true, true);
        let code = code(&store);
        let wrong = store.exchange_code("app", &code, "https://app.test/other", test_start());
        assert!(
            wrong
                .expect_err("mismatch")
                .message
                .contains("redirect_uri")
        );
        assert!(
            store
                .exchange_code("app", &code, "https://app.test/cb", test_start())
                .is_ok()
        );
        let again = store.exchange_code("app", &code, "https://app.test/cb", test_start());
        assert_eq!(
            again.expect_err("reuse").message,
            "Matching code was not found or was already used"
        );
        let late = store.issue_code(PendingCode {
            app_id: "app".into(),
            redirect_uri: "https://app.test/cb".into(),
            account: 0,
            scopes: vec![],
            expires_at: test_start(),
        });
        assert!(
            store
                .exchange_code("app", &late, "https://app.test/cb", test_start())
                .is_err()
        );
    }

    #[test]
    fn refresh_waits_24_hours_and_tokens_die_at_expiry() {
        let store = store(true, true);
        let token = long_lived(&store);
        let early = store.refresh(&token, test_start() + chrono::Duration::hours(23));
        assert_eq!(early.expect_err("too new").code, 100);
        let day = test_start() + chrono::Duration::hours(24);
        let fresh = store.refresh(&token, day).expect("refreshable");
        assert_ne!(fresh.token, token);
        assert!(
            store.bearer(&token, day).is_ok(),
            "the old one survives by default"
        );
        let expired = test_start() + chrono::Duration::days(60);
        assert_eq!(
            store.bearer(&token, expired).expect_err("expired").subcode,
            Some(463)
        );
        assert!(
            store.bearer(&fresh.token, expired).is_ok(),
            "60 days from the refresh"
        );
    }

    #[test]
    fn refresh_can_keep_the_string_or_kill_the_old_token() {
        let same = store(false, true);
        let token = long_lived(&same);
        let day = test_start() + chrono::Duration::hours(25);
        assert_eq!(same.refresh(&token, day).expect("refresh").token, token);
        let strict = store(true, false);
        let token = long_lived(&strict);
        let next = strict.refresh(&token, day).expect("refresh");
        assert!(strict.bearer(&token, day).is_err());
        assert!(strict.bearer(&next.token, day).is_ok());
    }

    #[test]
    fn ended_grants_answer_their_subcode_and_debug_shows_no_token() {
        let store = store(true, true);
        let token = long_lived(&store);
        assert!(!format!("{store:?}").contains(&token));
        assert_eq!(
            store.end_grants(0, None, GrantEnd::AppRemoved, test_start()),
            ["app"]
        );
        assert_eq!(
            store
                .bearer(&token, test_start())
                .expect_err("removed")
                .subcode,
            Some(458)
        );
        assert!(
            store
                .end_grants(0, None, GrantEnd::AppRemoved, test_start())
                .is_empty()
        );
    }
}

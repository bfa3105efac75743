//! Authorization codes, grants and tokens: the sandbox's OAuth bookkeeping.
//!
//! A grant is one consent (creator, client, scopes). Codes become grants; a grant owns its
//! access tokens and its one live refresh token. Revoking a grant kills all of them.

use std::collections::HashMap;
use std::sync::{Mutex, MutexGuard, PoisonError};
use std::time::Duration;

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

use crate::pkce::{PkceFailure, verify_s256};
use crate::scope::ScopeSet;
use crate::secrets::{new_access_token, new_code, new_refresh_token};
use crate::wire::OAuthError;

/// A grant's revocation, as the sandbox recorded it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Revocation {
    /// The creator whose grant was revoked.
    pub open_id: String,
    /// The app that revoked it.
    pub client_key: String,
    /// Sandbox time of the revocation.
    pub revoked_at: DateTime<Utc>,
}

/// What a consent produced, waiting to be exchanged.
#[derive(Debug, Clone)]
pub(crate) struct PendingCode {
    pub(crate) client_key: String,
    pub(crate) redirect_uri: String,
    pub(crate) open_id: String,
    pub(crate) scopes: ScopeSet,
    pub(crate) code_challenge: Option<String>,
    pub(crate) expires_at: DateTime<Utc>,
}

/// Token lifetimes and rotation, from the configuration.
#[derive(Debug, Clone, Copy)]
pub(crate) struct TokenPolicy {
    pub(crate) access_lifetime: Duration,
    pub(crate) refresh_lifetime: Duration,
    pub(crate) rotate_refresh_tokens: bool,
}

/// A successful exchange or refresh, ready to be written as the token response.
#[derive(Debug, Clone)]
pub(crate) struct IssuedTokens {
    pub(crate) access_token: String,
    pub(crate) expires_in: i64,
    /// None when a fault asks for a response without `refresh_token`.
    pub(crate) refresh_token: Option<String>,
    pub(crate) refresh_expires_in: i64,
    pub(crate) open_id: String,
    pub(crate) scopes: ScopeSet,
}

/// Who a valid access token speaks for.
#[derive(Debug, Clone)]
pub(crate) struct Bearer {
    pub(crate) client_key: String,
    pub(crate) open_id: String,
    pub(crate) scopes: ScopeSet,
}

#[derive(Debug)]
struct Grant {
    client_key: String,
    open_id: String,
    scopes: ScopeSet,
    revoked: bool,
}

#[derive(Debug, Clone, Copy)]
struct TokenRecord {
    grant: usize,
    expires_at: DateTime<Utc>,
}

struct CodeRecord {
    pending: PendingCode,
    used: bool,
}

#[derive(Default)]
struct Books {
    codes: HashMap<String, CodeRecord>,
    grants: Vec<Grant>,
    access_tokens: HashMap<String, TokenRecord>,
    refresh_tokens: HashMap<String, TokenRecord>,
    revocations: Vec<Revocation>,
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
            .field("policy", &self.policy)
            .field("codes", &books.codes.len())
            .field("grants", &books.grants.len())
            .field("access_tokens", &books.access_tokens.len())
            .field("refresh_tokens", &books.refresh_tokens.len())
            .field("revocations", &books.revocations.len())
            .finish()
    }
}

fn seconds(duration: Duration) -> chrono::Duration {
    chrono::Duration::from_std(duration).unwrap_or(chrono::Duration::MAX)
}

fn remaining_secs(expires_at: DateTime<Utc>, now: DateTime<Utc>) -> i64 {
    (expires_at - now).num_seconds().max(0)
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

    /// `grant_type=authorization_code`. The client is already authenticated. A failed attempt
    /// does not use the code up; a successful one does.
    pub(crate) fn exchange_code(
        &self,
        client_key: &str,
        code: &str,
        redirect_uri: Option<&str>,
        code_verifier: Option<&str>,
        now: DateTime<Utc>,
    ) -> Result<IssuedTokens, OAuthError> {
        let mut books = self.books();
        let record = books
            .codes
            .get(code)
            .ok_or_else(|| OAuthError::invalid_grant("Authorization code is invalid."))?;
        if record.used {
            return Err(OAuthError::invalid_grant(
                "Authorization code has already been used.",
            ));
        }
        let pending = &record.pending;
        if pending.expires_at <= now {
            return Err(OAuthError::invalid_grant("Authorization code is expired."));
        }
        if pending.client_key != client_key {
            return Err(OAuthError::invalid_grant(
                "Authorization code was issued to another client.",
            ));
        }
        match redirect_uri {
            None => return Err(OAuthError::invalid_request("redirect_uri is required.")),
            Some(uri) if uri != pending.redirect_uri => {
                return Err(OAuthError::invalid_grant(
                    "redirect_uri does not match the authorization request.",
                ));
            }
            Some(_) => {}
        }
        if let Some(challenge) = &pending.code_challenge {
            let verifier = code_verifier
                .ok_or_else(|| OAuthError::invalid_request("code_verifier is required."))?;
            match verify_s256(challenge, verifier) {
                Ok(()) => {}
                Err(PkceFailure::MalformedVerifier) => {
                    return Err(OAuthError::invalid_request(
                        "code_verifier must be 43 to 128 characters of [A-Za-z0-9-._~].",
                    ));
                }
                Err(PkceFailure::Mismatch) => {
                    return Err(OAuthError::invalid_grant(
                        "code_verifier does not match the code_challenge.",
                    ));
                }
            }
        }
        let pending = pending.clone();
        if let Some(record) = books.codes.get_mut(code) {
            record.used = true;
        }
        books.grants.push(Grant {
            client_key: pending.client_key,
            open_id: pending.open_id.clone(),
            scopes: pending.scopes.clone(),
            revoked: false,
        });
        let grant = books.grants.len() - 1;
        let access_token = self.new_access(&mut books, grant, now);
        let (refresh_token, refresh_expires_at) = self.new_refresh(&mut books, grant, now);
        Ok(IssuedTokens {
            access_token,
            expires_in: self.policy.access_lifetime.as_secs() as i64,
            refresh_token: Some(refresh_token),
            refresh_expires_in: remaining_secs(refresh_expires_at, now),
            open_id: pending.open_id,
            scopes: pending.scopes,
        })
    }

    /// `grant_type=refresh_token`. With rotation the sent token dies and a new one is issued;
    /// `omit_refresh_token` (a fault) issues only an access token and keeps the sent one alive.
    pub(crate) fn refresh(
        &self,
        client_key: &str,
        refresh_token: &str,
        now: DateTime<Utc>,
        omit_refresh_token: bool,
    ) -> Result<IssuedTokens, OAuthError> {
        let invalid = || OAuthError::invalid_grant("Refresh token is invalid or expired.");
        let mut books = self.books();
        let record = *books
            .refresh_tokens
            .get(refresh_token)
            .ok_or_else(invalid)?;
        let grant = books.grants.get(record.grant).ok_or_else(invalid)?;
        if grant.revoked || record.expires_at <= now || grant.client_key != client_key {
            return Err(invalid());
        }
        let (open_id, scopes) = (grant.open_id.clone(), grant.scopes.clone());
        let access_token = self.new_access(&mut books, record.grant, now);
        let (refresh_token, refresh_expires_at) =
            if omit_refresh_token || !self.policy.rotate_refresh_tokens {
                (
                    (!omit_refresh_token).then(|| refresh_token.to_owned()),
                    record.expires_at,
                )
            } else {
                books.refresh_tokens.remove(refresh_token);
                let (token, expires_at) = self.new_refresh(&mut books, record.grant, now);
                (Some(token), expires_at)
            };
        Ok(IssuedTokens {
            access_token,
            expires_in: self.policy.access_lifetime.as_secs() as i64,
            refresh_token,
            refresh_expires_in: remaining_secs(refresh_expires_at, now),
            open_id,
            scopes,
        })
    }

    /// Revokes the grant of an access token (reference section 4): every token of it dies.
    pub(crate) fn revoke(
        &self,
        client_key: &str,
        access_token: &str,
        now: DateTime<Utc>,
    ) -> Result<Revocation, OAuthError> {
        let invalid = || OAuthError::invalid_request("The access token is invalid or expired.");
        let mut books = self.books();
        let record = *books.access_tokens.get(access_token).ok_or_else(invalid)?;
        let grant = books.grants.get_mut(record.grant).ok_or_else(invalid)?;
        if grant.revoked || record.expires_at <= now || grant.client_key != client_key {
            return Err(invalid());
        }
        grant.revoked = true;
        let revocation = Revocation {
            open_id: grant.open_id.clone(),
            client_key: grant.client_key.clone(),
            revoked_at: now,
        };
        books
            .access_tokens
            .retain(|_, token| token.grant != record.grant);
        books
            .refresh_tokens
            .retain(|_, token| token.grant != record.grant);
        books.revocations.push(revocation.clone());
        Ok(revocation)
    }

    /// Revokes every live grant of a creator, as when they disconnect the app in TikTok.
    pub(crate) fn revoke_creator(&self, open_id: &str, now: DateTime<Utc>) -> Vec<Revocation> {
        let mut books = self.books();
        let mut revoked_grants = Vec::new();
        let mut revocations = Vec::new();
        for (index, grant) in books.grants.iter_mut().enumerate() {
            if grant.open_id == open_id && !grant.revoked {
                grant.revoked = true;
                revoked_grants.push(index);
                revocations.push(Revocation {
                    open_id: grant.open_id.clone(),
                    client_key: grant.client_key.clone(),
                    revoked_at: now,
                });
            }
        }
        books
            .access_tokens
            .retain(|_, token| !revoked_grants.contains(&token.grant));
        books
            .refresh_tokens
            .retain(|_, token| !revoked_grants.contains(&token.grant));
        books.revocations.extend(revocations.iter().cloned());
        revocations
    }

    /// Who a bearer token speaks for, if it is alive.
    pub(crate) fn bearer(&self, access_token: &str, now: DateTime<Utc>) -> Option<Bearer> {
        let books = self.books();
        let record = books.access_tokens.get(access_token)?;
        let grant = books.grants.get(record.grant)?;
        (record.expires_at > now && !grant.revoked).then(|| Bearer {
            client_key: grant.client_key.clone(),
            open_id: grant.open_id.clone(),
            scopes: grant.scopes.clone(),
        })
    }

    pub(crate) fn revocations(&self) -> Vec<Revocation> {
        self.books().revocations.clone()
    }

    fn new_access(&self, books: &mut Books, grant: usize, now: DateTime<Utc>) -> String {
        let token = new_access_token();
        let expires_at = now + seconds(self.policy.access_lifetime);
        books
            .access_tokens
            .insert(token.clone(), TokenRecord { grant, expires_at });
        token
    }

    fn new_refresh(
        &self,
        books: &mut Books,
        grant: usize,
        now: DateTime<Utc>,
    ) -> (String, DateTime<Utc>) {
        let token = new_refresh_token();
        let expires_at = now + seconds(self.policy.refresh_lifetime);
        books
            .refresh_tokens
            .insert(token.clone(), TokenRecord { grant, expires_at });
        (token, expires_at)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::scope::Scope;

    const VERIFIER: &str = "dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk";
    const CHALLENGE: &str = "E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM";

    fn store(rotate: bool) -> AuthStore {
        AuthStore::new(TokenPolicy {
            access_lifetime: Duration::from_secs(7_200),
            refresh_lifetime: Duration::from_secs(86_400),
            rotate_refresh_tokens: rotate,
        })
    }

    fn now() -> DateTime<Utc> {
        DateTime::from_timestamp(1_764_061_200, 0).expect("valid time")
    }

    fn code(store: &AuthStore) -> String {
        store.issue_code(PendingCode {
            client_key: "app".into(),
            redirect_uri: "https://app.test/cb".into(),
            open_id: "-000abc".into(),
            scopes: [Scope::UserInfoBasic, Scope::VideoList]
                .into_iter()
                .collect(),
            code_challenge: Some(CHALLENGE.into()),
            expires_at: now() + chrono::Duration::minutes(5),
        })
    }

    fn exchange(store: &AuthStore, code: &str) -> Result<IssuedTokens, OAuthError> {
        store.exchange_code(
            "app",
            code,
            Some("https://app.test/cb"),
            Some(VERIFIER),
            now(),
        )
    }

    #[test]
    fn debug_output_shows_no_token() {
        let store = store(true);
        let tokens = exchange(&store, &code(&store)).expect("exchange succeeds");
        let text = format!("{store:?}");
        assert!(!text.contains(&tokens.access_token));
        assert!(text.contains("access_tokens: 1"));
    }

    #[test]
    fn a_code_works_once() {
        let store = store(true);
        let code = code(&store);
        let tokens = exchange(&store, &code).expect("first exchange succeeds");
        assert_eq!(tokens.expires_in, 7_200);
        assert!(store.bearer(&tokens.access_token, now()).is_some());
        assert_eq!(
            exchange(&store, &code).map_err(|e| e.error).err(),
            Some("invalid_grant")
        );
    }

    #[test]
    fn a_failed_pkce_check_keeps_the_code() {
        let store = store(true);
        let code = code(&store);
        let other = "eBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk";
        let failed = store.exchange_code(
            "app",
            &code,
            Some("https://app.test/cb"),
            Some(other),
            now(),
        );
        assert_eq!(failed.map_err(|e| e.error).err(), Some("invalid_grant"));
        assert!(exchange(&store, &code).is_ok());
    }

    #[test]
    fn rotation_kills_the_old_refresh_token() {
        let store = store(true);
        let first = exchange(&store, &code(&store)).expect("exchange succeeds");
        let old = first.refresh_token.expect("a refresh token");
        let second = store
            .refresh("app", &old, now(), false)
            .expect("refresh succeeds");
        assert_ne!(second.refresh_token.as_deref(), Some(old.as_str()));
        assert!(store.refresh("app", &old, now(), false).is_err());
    }

    #[test]
    fn without_rotation_the_refresh_token_stays() {
        let store = store(false);
        let first = exchange(&store, &code(&store)).expect("exchange succeeds");
        let old = first.refresh_token.expect("a refresh token");
        let second = store
            .refresh("app", &old, now(), false)
            .expect("refresh succeeds");
        assert_eq!(second.refresh_token.as_deref(), Some(old.as_str()));
        assert!(store.refresh("app", &old, now(), false).is_ok());
    }

    #[test]
    fn revoking_kills_every_token_of_the_grant() {
        let store = store(true);
        let tokens = exchange(&store, &code(&store)).expect("exchange succeeds");
        store
            .revoke("app", &tokens.access_token, now())
            .expect("revoke succeeds");
        assert!(store.bearer(&tokens.access_token, now()).is_none());
        let refresh = tokens.refresh_token.expect("a refresh token");
        assert!(store.refresh("app", &refresh, now(), false).is_err());
        assert_eq!(store.revocations().len(), 1);
    }

    #[test]
    fn removing_a_creator_revokes_each_live_grant_once() {
        let store = store(true);
        let first = exchange(&store, &code(&store)).expect("exchange succeeds");
        let second = exchange(&store, &code(&store)).expect("exchange succeeds");
        let revoked = store.revoke_creator("-000abc", now());
        assert_eq!(revoked.len(), 2);
        assert!(store.bearer(&first.access_token, now()).is_none());
        assert!(store.bearer(&second.access_token, now()).is_none());
        assert!(store.revoke_creator("-000abc", now()).is_empty());
        assert_eq!(store.revocations().len(), 2);
    }

    #[test]
    fn access_tokens_expire_on_the_given_clock() {
        let store = store(true);
        let tokens = exchange(&store, &code(&store)).expect("exchange succeeds");
        let later = now() + chrono::Duration::seconds(7_200);
        assert!(store.bearer(&tokens.access_token, later).is_none());
    }
}

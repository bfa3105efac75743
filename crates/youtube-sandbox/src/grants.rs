//! Codes, grants, access tokens and refresh tokens: the sandbox's OAuth bookkeeping
//! (reference sections 2 to 4).
//!
//! A grant is one client's consent from one account, with the scopes granted. A code becomes
//! an access token (and, offline, a refresh token); a refresh token mints access tokens and
//! is not rotated (unless configured). Refresh tokens die when revoked, unused for six
//! months, seven days after issue for a Testing client, when the 101st for the same account
//! and client is issued (the oldest, silently), or when a time-based grant lapses.

use std::collections::HashMap;
use std::sync::{Mutex, MutexGuard, PoisonError};
use std::time::Duration;

use chrono::{DateTime, Utc};
use rand::Rng as _;
use serde::{Deserialize, Serialize};
use sha2::{Digest as _, Sha256};

use base64::Engine as _;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;

use crate::config::PublishingStatus;
use crate::scope;
use crate::wire::OAuthError;

/// How a PKCE challenge was sent.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum ChallengeMethod {
    /// `S256`: BASE64URL(SHA256(verifier)).
    S256,
    /// `plain` (also assumed when no method is given).
    Plain,
}

/// What a consent produced, waiting to be exchanged.
#[derive(Debug, Clone)]
pub(crate) struct PendingCode {
    pub(crate) client_id: String,
    pub(crate) redirect_uri: String,
    pub(crate) account: usize,
    /// The scopes of the grant the exchange makes (previous ones included when
    /// `include_granted_scopes=true`).
    pub(crate) scopes: Vec<String>,
    /// `access_type=offline`.
    pub(crate) offline: bool,
    /// `prompt` contained `consent`.
    pub(crate) forced_consent: bool,
    pub(crate) challenge: Option<(String, ChallengeMethod)>,
    /// Time-based access the user chose.
    pub(crate) access_limit: Option<Duration>,
    pub(crate) expires_at: DateTime<Utc>,
}

/// Why a refresh token died.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum RefreshDeath {
    /// Revoked, by the app (`/revoke`) or by the user (their account's permissions page).
    Revoked,
    /// Not used for the idle limit (six months).
    Idle,
    /// Issued to a client in Testing: it lasts seven days.
    TestingExpiry,
    /// The account and client passed the token limit: the oldest was invalidated silently.
    TooManyTokens,
    /// The user granted time-based access, and the time is up.
    TimeLimit,
    /// A Workspace admin policy or a restricted service ended it.
    AdminPolicy,
    /// A refresh rotated it (only with rotation on).
    Rotated,
}

impl RefreshDeath {
    /// Every cause.
    pub const ALL: [RefreshDeath; 7] = [
        RefreshDeath::Revoked,
        RefreshDeath::Idle,
        RefreshDeath::TestingExpiry,
        RefreshDeath::TooManyTokens,
        RefreshDeath::TimeLimit,
        RefreshDeath::AdminPolicy,
        RefreshDeath::Rotated,
    ];
}

/// One refresh token as the control API shows it (never its value).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct RefreshTokenSummary {
    /// When it was issued.
    pub issued_at: DateTime<Utc>,
    /// When it was last used to refresh.
    pub last_used_at: DateTime<Utc>,
    /// When it expires by rule (Testing, time-based access), if it does.
    pub expires_at: Option<DateTime<Utc>>,
    /// Why it died, if it did (idle and expiry are judged at the time of the summary).
    pub dead: Option<RefreshDeath>,
}

/// A grant as the control API shows it (no token).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct GrantSummary {
    /// The OAuth client.
    pub client_id: String,
    /// The account's email.
    pub email: String,
    /// The scopes granted now.
    pub scopes: Vec<String>,
    /// When it was revoked, if it was.
    pub revoked_at: Option<DateTime<Utc>>,
    /// Access tokens neither expired nor dead.
    pub live_access_tokens: usize,
    /// Every refresh token ever issued under it, oldest first.
    pub refresh_tokens: Vec<RefreshTokenSummary>,
}

impl GrantSummary {
    /// Refresh tokens still alive.
    pub fn live_refresh_tokens(&self) -> usize {
        self.refresh_tokens
            .iter()
            .filter(|token| token.dead.is_none())
            .count()
    }
}

/// Who a valid access token speaks for.
#[derive(Debug, Clone)]
pub(crate) struct Bearer {
    pub(crate) client_id: String,
    pub(crate) account: usize,
    pub(crate) scopes: Vec<String>,
    pub(crate) expires_at: DateTime<Utc>,
}

impl Bearer {
    pub(crate) fn has_scope(&self, wanted: &str) -> bool {
        self.scopes.iter().any(|granted| granted == wanted)
    }
}

/// Tokens issued by an exchange or a refresh.
#[derive(Debug, Clone)]
pub(crate) struct Issued {
    pub(crate) access_token: String,
    pub(crate) expires_in: u64,
    pub(crate) refresh_token: Option<String>,
    pub(crate) refresh_expires_in: Option<u64>,
    pub(crate) scopes: Vec<String>,
    pub(crate) account: usize,
}

/// Lifetimes and limits, from the configuration.
#[derive(Debug, Clone, Copy)]
pub(crate) struct TokenPolicy {
    pub(crate) access_lifetime: Duration,
    pub(crate) rotate: bool,
    pub(crate) max_refresh_tokens: usize,
    pub(crate) idle_limit: Duration,
    pub(crate) testing_lifetime: Duration,
    pub(crate) revoke_whole_grant: bool,
}

#[derive(Debug)]
struct Grant {
    client_id: String,
    account: usize,
    scopes: Vec<String>,
    revoked_at: Option<DateTime<Utc>>,
}

#[derive(Debug, Clone)]
struct RefreshRecord {
    grant: usize,
    /// Issue order, to find the oldest.
    serial: u64,
    issued_at: DateTime<Utc>,
    last_used_at: DateTime<Utc>,
    expires_at: Option<DateTime<Utc>>,
    expiry_cause: RefreshDeath,
    dead: Option<RefreshDeath>,
}

#[derive(Debug, Clone)]
struct AccessRecord {
    grant: usize,
    /// The refresh token that minted it (or was minted with it).
    refresh: Option<String>,
    scopes: Vec<String>,
    expires_at: DateTime<Utc>,
    dead: bool,
}

struct CodeRecord {
    pending: PendingCode,
    used: bool,
}

#[derive(Default)]
struct Books {
    codes: HashMap<String, CodeRecord>,
    grants: Vec<Grant>,
    refresh: HashMap<String, RefreshRecord>,
    access: HashMap<String, AccessRecord>,
    serial: u64,
}

/// Why an access token was refused.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum BearerRefusal {
    /// Not a token of this sandbox.
    Unknown,
    /// Past its lifetime.
    Expired,
    /// Revoked (its grant or its line).
    Revoked,
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
            .field("refresh_tokens", &books.refresh.len())
            .field("access_tokens", &books.access.len())
            .finish()
    }
}

fn span(duration: Duration) -> chrono::Duration {
    chrono::Duration::from_std(duration).unwrap_or(chrono::Duration::MAX)
}

fn random_text(n: usize) -> String {
    const ALPHABET: &[u8] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
    let mut rng = rand::thread_rng();
    (0..n)
        .map(|_| char::from(ALPHABET[rng.gen_range(0..ALPHABET.len())]))
        .collect()
}

/// An authorization code: `4/0A…`, opaque.
fn new_code() -> String {
    format!("4/0A{}", random_text(70))
}

/// An access token: `ya29.a0…`, opaque.
fn new_access_token() -> String {
    format!("ya29.a0{}", random_text(150))
}

/// A refresh token: `1//0…`, opaque.
fn new_refresh_token() -> String {
    format!("1//0{}", random_text(100))
}

/// Whether `verifier` answers the challenge.
fn verifier_matches(verifier: &str, challenge: &str, method: ChallengeMethod) -> bool {
    match method {
        ChallengeMethod::Plain => verifier == challenge,
        ChallengeMethod::S256 => {
            URL_SAFE_NO_PAD.encode(Sha256::digest(verifier.as_bytes())) == challenge
        }
    }
}

impl RefreshRecord {
    /// The cause it died of at `now`, judging idleness and expiry too.
    fn death(&self, now: DateTime<Utc>, idle_limit: Duration) -> Option<RefreshDeath> {
        if let Some(dead) = self.dead {
            return Some(dead);
        }
        if self.expires_at.is_some_and(|expires_at| now >= expires_at) {
            return Some(self.expiry_cause);
        }
        if now - self.last_used_at >= span(idle_limit) {
            return Some(RefreshDeath::Idle);
        }
        None
    }
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

    /// The scopes `account` currently grants `client_id` (for `include_granted_scopes`).
    pub(crate) fn granted_scopes(&self, client_id: &str, account: usize) -> Vec<String> {
        let books = self.books();
        live_grant(&books, client_id, account)
            .map(|index| books.grants[index].scopes.clone())
            .unwrap_or_default()
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

    /// `grant_type=authorization_code`. A failed attempt does not use the code.
    pub(crate) fn exchange_code(
        &self,
        client_id: &str,
        code: &str,
        redirect_uri: &str,
        verifier: Option<&str>,
        publishing: PublishingStatus,
        now: DateTime<Utc>,
    ) -> Result<Issued, OAuthError> {
        let mut books = self.books();
        let record = books
            .codes
            .get(code)
            .ok_or_else(|| OAuthError::invalid_grant("Malformed auth code."))?;
        if record.used {
            return Err(OAuthError::invalid_grant("Code was already redeemed."));
        }
        let pending = record.pending.clone();
        if pending.client_id != client_id || now >= pending.expires_at {
            return Err(OAuthError::invalid_grant("Bad Request"));
        }
        if pending.redirect_uri != redirect_uri {
            return Err(OAuthError::new(
                actix_web::http::StatusCode::BAD_REQUEST,
                "redirect_uri_mismatch",
                "Bad Request",
            ));
        }
        if let Some((challenge, method)) = &pending.challenge {
            let verifier =
                verifier.ok_or_else(|| OAuthError::invalid_grant("Missing code verifier."))?;
            if !verifier_matches(verifier, challenge, *method) {
                return Err(OAuthError::invalid_grant("Invalid code verifier."));
            }
        }
        if let Some(record) = books.codes.get_mut(code) {
            record.used = true;
        }
        let grant = match live_grant(&books, client_id, pending.account) {
            Some(index) => {
                books.grants[index].scopes = pending.scopes.clone();
                index
            }
            None => {
                books.grants.push(Grant {
                    client_id: client_id.to_owned(),
                    account: pending.account,
                    scopes: pending.scopes.clone(),
                    revoked_at: None,
                });
                books.grants.len() - 1
            }
        };
        // A refresh token comes with the first offline exchange, or with every one the user
        // was made to consent to again (`prompt=consent`).
        let has_live_refresh = books.refresh.values().any(|record| {
            record.grant == grant && record.death(now, self.policy.idle_limit).is_none()
        });
        let mut refresh_token = None;
        let mut refresh_expires_in = None;
        if pending.offline && (pending.forced_consent || !has_live_refresh) {
            let (expires_at, cause) = match (pending.access_limit, publishing) {
                (Some(limit), _) => {
                    refresh_expires_in = Some(limit.as_secs());
                    (Some(now + span(limit)), RefreshDeath::TimeLimit)
                }
                (None, PublishingStatus::Testing) if scope::beyond_sign_in(&pending.scopes) => (
                    Some(now + span(self.policy.testing_lifetime)),
                    RefreshDeath::TestingExpiry,
                ),
                (None, _) => (None, RefreshDeath::Revoked),
            };
            let token = self.add_refresh(&mut books, grant, now, expires_at, cause);
            refresh_token = Some(token);
        }
        let access_token = self.add_access(&mut books, grant, refresh_token.clone(), now);
        Ok(Issued {
            access_token,
            expires_in: self.policy.access_lifetime.as_secs(),
            refresh_token,
            refresh_expires_in,
            scopes: books.grants[grant].scopes.clone(),
            account: pending.account,
        })
    }

    fn add_refresh(
        &self,
        books: &mut Books,
        grant: usize,
        now: DateTime<Utc>,
        expires_at: Option<DateTime<Utc>>,
        expiry_cause: RefreshDeath,
    ) -> String {
        books.serial += 1;
        let token = new_refresh_token();
        books.refresh.insert(
            token.clone(),
            RefreshRecord {
                grant,
                serial: books.serial,
                issued_at: now,
                last_used_at: now,
                expires_at,
                expiry_cause,
                dead: None,
            },
        );
        // Past the limit per account and client, the oldest live ones die without warning.
        let (client_id, account) = (
            books.grants[grant].client_id.clone(),
            books.grants[grant].account,
        );
        let same_pair: Vec<usize> = books
            .grants
            .iter()
            .enumerate()
            .filter(|(_, g)| g.client_id == client_id && g.account == account)
            .map(|(index, _)| index)
            .collect();
        let mut live: Vec<(u64, String)> = books
            .refresh
            .iter()
            .filter(|(_, record)| {
                same_pair.contains(&record.grant)
                    && record.death(now, self.policy.idle_limit).is_none()
            })
            .map(|(token, record)| (record.serial, token.clone()))
            .collect();
        live.sort_unstable();
        let excess = live.len().saturating_sub(self.policy.max_refresh_tokens);
        for (_, oldest) in live.into_iter().take(excess) {
            kill_refresh_line(books, &oldest, RefreshDeath::TooManyTokens);
        }
        token
    }

    fn add_access(
        &self,
        books: &mut Books,
        grant: usize,
        refresh: Option<String>,
        now: DateTime<Utc>,
    ) -> String {
        let token = new_access_token();
        books.access.insert(
            token.clone(),
            AccessRecord {
                grant,
                refresh,
                scopes: books.grants[grant].scopes.clone(),
                expires_at: now + span(self.policy.access_lifetime),
                dead: false,
            },
        );
        token
    }

    /// `grant_type=refresh_token`.
    pub(crate) fn refresh(
        &self,
        client_id: &str,
        refresh_token: &str,
        now: DateTime<Utc>,
    ) -> Result<Issued, OAuthError> {
        let mut books = self.books();
        let record = books
            .refresh
            .get(refresh_token)
            .cloned()
            .ok_or_else(OAuthError::expired_or_revoked)?;
        if books.grants[record.grant].client_id != client_id {
            return Err(OAuthError::new(
                actix_web::http::StatusCode::UNAUTHORIZED,
                "unauthorized_client",
                "Unauthorized",
            ));
        }
        if let Some(death) = record.death(now, self.policy.idle_limit) {
            if record.dead.is_none() {
                kill_refresh_line(&mut books, refresh_token, death);
            }
            return Err(OAuthError::expired_or_revoked());
        }
        if let Some(live) = books.refresh.get_mut(refresh_token) {
            live.last_used_at = now;
        }
        let mut line = refresh_token.to_owned();
        let mut rotated = None;
        if self.policy.rotate {
            let fresh = self.add_refresh(
                &mut books,
                record.grant,
                now,
                record.expires_at,
                record.expiry_cause,
            );
            if let Some(old) = books.refresh.get_mut(refresh_token) {
                old.dead = Some(RefreshDeath::Rotated);
            }
            line = fresh.clone();
            rotated = Some(fresh);
        }
        let access_token = self.add_access(&mut books, record.grant, Some(line), now);
        let grant = &books.grants[record.grant];
        Ok(Issued {
            access_token,
            expires_in: self.policy.access_lifetime.as_secs(),
            refresh_token: rotated,
            refresh_expires_in: record
                .expires_at
                .filter(|_| record.expiry_cause == RefreshDeath::TimeLimit)
                .map(|at| u64::try_from((at - now).num_seconds()).unwrap_or_default()),
            scopes: grant.scopes.clone(),
            account: grant.account,
        })
    }

    /// Who a bearer access token speaks for, with the scopes its grant still has.
    pub(crate) fn bearer(&self, token: &str, now: DateTime<Utc>) -> Result<Bearer, BearerRefusal> {
        let books = self.books();
        let record = books.access.get(token).ok_or(BearerRefusal::Unknown)?;
        let grant = &books.grants[record.grant];
        if record.dead || grant.revoked_at.is_some() {
            return Err(BearerRefusal::Revoked);
        }
        if now >= record.expires_at {
            return Err(BearerRefusal::Expired);
        }
        Ok(Bearer {
            client_id: grant.client_id.clone(),
            account: grant.account,
            scopes: record
                .scopes
                .iter()
                .filter(|scope| grant.scopes.contains(scope))
                .cloned()
                .collect(),
            expires_at: record.expires_at,
        })
    }

    /// `POST /revoke`: an access or refresh token. Unknown or already dead tokens are an
    /// `invalid_token` error.
    pub(crate) fn revoke(&self, token: &str, now: DateTime<Utc>) -> Result<(), OAuthError> {
        let mut books = self.books();
        let invalid = || {
            OAuthError::new(
                actix_web::http::StatusCode::BAD_REQUEST,
                "invalid_token",
                "Token expired or revoked",
            )
        };
        let (grant, line) = if let Some(access) = books.access.get(token) {
            let alive = !access.dead
                && now < access.expires_at
                && books.grants[access.grant].revoked_at.is_none();
            if !alive {
                return Err(invalid());
            }
            (access.grant, access.refresh.clone())
        } else if let Some(refresh) = books.refresh.get(token) {
            if refresh.death(now, self.policy.idle_limit).is_some()
                || books.grants[refresh.grant].revoked_at.is_some()
            {
                return Err(invalid());
            }
            (refresh.grant, Some(token.to_owned()))
        } else {
            return Err(invalid());
        };
        if self.policy.revoke_whole_grant {
            revoke_grant(&mut books, grant, now);
        } else if let Some(line) = line {
            kill_refresh_line(&mut books, &line, RefreshDeath::Revoked);
        } else if let Some(access) = books.access.get_mut(token) {
            access.dead = true;
        }
        Ok(())
    }

    /// The user removes the app's access from their account: every grant of `account` to
    /// `client_id` (or to every client) ends. Returns how many grants ended.
    pub(crate) fn revoke_account(
        &self,
        account: usize,
        client_id: Option<&str>,
        now: DateTime<Utc>,
    ) -> usize {
        let mut books = self.books();
        let ended: Vec<usize> = books
            .grants
            .iter()
            .enumerate()
            .filter(|(_, grant)| {
                grant.account == account
                    && grant.revoked_at.is_none()
                    && client_id.is_none_or(|id| id == grant.client_id)
            })
            .map(|(index, _)| index)
            .collect();
        for grant in &ended {
            revoke_grant(&mut books, *grant, now);
        }
        ended.len()
    }

    /// Kills every live refresh token of `account` (for `client_id`, or every client) with
    /// `cause`, leaving the grants and their access tokens alone: what Google's expiry rules
    /// do. Returns how many died.
    pub(crate) fn expire_refresh_tokens(
        &self,
        account: usize,
        client_id: Option<&str>,
        cause: RefreshDeath,
        now: DateTime<Utc>,
    ) -> usize {
        let mut books = self.books();
        let grants: Vec<usize> = books
            .grants
            .iter()
            .enumerate()
            .filter(|(_, grant)| {
                grant.account == account && client_id.is_none_or(|id| id == grant.client_id)
            })
            .map(|(index, _)| index)
            .collect();
        let idle_limit = self.policy.idle_limit;
        let mut killed = 0;
        for record in books.refresh.values_mut() {
            if grants.contains(&record.grant) && record.death(now, idle_limit).is_none() {
                record.dead = Some(cause);
                killed += 1;
            }
        }
        killed
    }

    /// The user removes one scope from a grant in their account settings: later tokens and
    /// refreshes carry the rest. Returns whether a grant changed.
    pub(crate) fn remove_scope(
        &self,
        account: usize,
        client_id: Option<&str>,
        scope: &str,
    ) -> bool {
        let scope = scope::normalise(scope);
        let mut books = self.books();
        let mut changed = false;
        for grant in books.grants.iter_mut().filter(|grant| {
            grant.account == account
                && grant.revoked_at.is_none()
                && client_id.is_none_or(|id| id == grant.client_id)
        }) {
            let before = grant.scopes.len();
            grant.scopes.retain(|granted| granted != scope);
            changed |= grant.scopes.len() != before;
        }
        changed
    }

    /// Every grant, with its tokens' state at `now`.
    pub(crate) fn grants(
        &self,
        now: DateTime<Utc>,
        email_of: impl Fn(usize) -> String,
    ) -> Vec<GrantSummary> {
        let books = self.books();
        books
            .grants
            .iter()
            .enumerate()
            .map(|(index, grant)| {
                let mut refresh: Vec<&RefreshRecord> = books
                    .refresh
                    .values()
                    .filter(|record| record.grant == index)
                    .collect();
                refresh.sort_by_key(|record| record.serial);
                GrantSummary {
                    client_id: grant.client_id.clone(),
                    email: email_of(grant.account),
                    scopes: grant.scopes.clone(),
                    revoked_at: grant.revoked_at,
                    live_access_tokens: books
                        .access
                        .values()
                        .filter(|record| {
                            record.grant == index
                                && !record.dead
                                && now < record.expires_at
                                && grant.revoked_at.is_none()
                        })
                        .count(),
                    refresh_tokens: refresh
                        .into_iter()
                        .map(|record| RefreshTokenSummary {
                            issued_at: record.issued_at,
                            last_used_at: record.last_used_at,
                            expires_at: record.expires_at,
                            dead: record.death(now, self.policy.idle_limit),
                        })
                        .collect(),
                }
            })
            .collect()
    }
}

fn live_grant(books: &Books, client_id: &str, account: usize) -> Option<usize> {
    books.grants.iter().rposition(|grant| {
        grant.client_id == client_id && grant.account == account && grant.revoked_at.is_none()
    })
}

fn revoke_grant(books: &mut Books, grant: usize, now: DateTime<Utc>) {
    if let Some(record) = books.grants.get_mut(grant) {
        record.revoked_at = Some(now);
    }
    for record in books.refresh.values_mut().filter(|r| r.grant == grant) {
        record.dead.get_or_insert(RefreshDeath::Revoked);
    }
    for record in books.access.values_mut().filter(|r| r.grant == grant) {
        record.dead = true;
    }
}

/// Kills a refresh token and every access token it minted.
fn kill_refresh_line(books: &mut Books, refresh: &str, cause: RefreshDeath) {
    if let Some(record) = books.refresh.get_mut(refresh) {
        record.dead.get_or_insert(cause);
    }
    if cause == RefreshDeath::Revoked {
        for record in books
            .access
            .values_mut()
            .filter(|record| record.refresh.as_deref() == Some(refresh))
        {
            record.dead = true;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn policy() -> TokenPolicy {
        TokenPolicy {
            access_lifetime: Duration::from_secs(3_599),
            rotate: false,
            max_refresh_tokens: 2,
            idle_limit: Duration::from_secs(183 * 86_400),
            testing_lifetime: Duration::from_secs(7 * 86_400),
            revoke_whole_grant: true,
        }
    }

    fn at(hours: i64) -> DateTime<Utc> {
        DateTime::from_timestamp(1_764_000_000 + hours * 3_600, 0).expect("valid")
    }

    fn pending(offline: bool, forced_consent: bool) -> PendingCode {
        PendingCode {
            client_id: "c".into(),
            redirect_uri: "https://app/cb".into(),
            account: 0,
            scopes: vec![scope::YOUTUBE_READONLY.into()],
            offline,
            forced_consent,
            challenge: None,
            access_limit: None,
            expires_at: at(100_000),
        }
    }

    fn exchange(store: &AuthStore, pending: PendingCode, now: DateTime<Utc>) -> Issued {
        let code = store.issue_code(pending);
        store
            .exchange_code(
                "c",
                &code,
                "https://app/cb",
                None,
                PublishingStatus::Production,
                now,
            )
            .expect("exchanged")
    }

    #[test]
    fn codes_are_single_use_and_a_failed_attempt_keeps_them() {
        let store = AuthStore::new(policy());
        let code = store.issue_code(pending(true, true));
        let wrong = store.exchange_code(
            "c",
            &code,
            "https://app/other",
            None,
            PublishingStatus::Production,
            at(0),
        );
        assert_eq!(wrong.expect_err("mismatch").error, "redirect_uri_mismatch");
        let issued = store
            .exchange_code(
                "c",
                &code,
                "https://app/cb",
                None,
                PublishingStatus::Production,
                at(0),
            )
            .expect("exchanged");
        assert!(issued.access_token.starts_with("ya29."));
        assert!(
            issued
                .refresh_token
                .as_deref()
                .is_some_and(|t| t.starts_with("1//"))
        );
        let again = store
            .exchange_code(
                "c",
                &code,
                "https://app/cb",
                None,
                PublishingStatus::Production,
                at(0),
            )
            .expect_err("used");
        assert_eq!(again.description, "Code was already redeemed.");
    }

    #[test]
    fn pkce_is_checked() {
        let store = AuthStore::new(policy());
        let mut with_challenge = pending(true, true);
        with_challenge.challenge = Some((
            "E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM".into(),
            ChallengeMethod::S256,
        ));
        let code = store.issue_code(with_challenge);
        let exchange = |verifier| {
            store.exchange_code(
                "c",
                &code,
                "https://app/cb",
                verifier,
                PublishingStatus::Production,
                at(0),
            )
        };
        assert_eq!(
            exchange(None).expect_err("missing").description,
            "Missing code verifier."
        );
        assert_eq!(
            exchange(Some("wrong")).expect_err("wrong").description,
            "Invalid code verifier."
        );
        assert!(exchange(Some("dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk")).is_ok());
    }

    #[test]
    fn a_refresh_token_only_the_first_time_unless_consent_is_forced() {
        let store = AuthStore::new(policy());
        assert!(
            exchange(&store, pending(true, false), at(0))
                .refresh_token
                .is_some()
        );
        assert!(
            exchange(&store, pending(true, false), at(0))
                .refresh_token
                .is_none()
        );
        assert!(
            exchange(&store, pending(true, true), at(0))
                .refresh_token
                .is_some()
        );
        assert!(
            exchange(&store, pending(false, true), at(0))
                .refresh_token
                .is_none()
        );
    }

    #[test]
    fn the_oldest_token_dies_past_the_limit_and_idle_tokens_die() {
        let store = AuthStore::new(policy());
        let first = exchange(&store, pending(true, true), at(0));
        let second = exchange(&store, pending(true, true), at(1));
        let _third = exchange(&store, pending(true, true), at(2));
        let first = first.refresh_token.expect("first");
        assert_eq!(
            store.refresh("c", &first, at(3)).expect_err("dead").error,
            "invalid_grant"
        );
        let second = second.refresh_token.expect("second");
        assert!(store.refresh("c", &second, at(3)).is_ok());
        assert!(
            store.refresh("c", &second, at(3 + 183 * 24)).is_err(),
            "idle"
        );
        let summary = store.grants(at(3 + 183 * 24), |_| "a@b".into());
        let deaths: Vec<_> = summary[0]
            .refresh_tokens
            .iter()
            .map(|token| token.dead)
            .collect();
        assert_eq!(
            deaths,
            [
                Some(RefreshDeath::TooManyTokens),
                Some(RefreshDeath::Idle),
                Some(RefreshDeath::Idle)
            ]
        );
    }

    #[test]
    fn testing_clients_get_seven_day_tokens_unless_sign_in_only() {
        let store = AuthStore::new(policy());
        let code = store.issue_code(pending(true, true));
        let issued = store
            .exchange_code(
                "c",
                &code,
                "https://app/cb",
                None,
                PublishingStatus::Testing,
                at(0),
            )
            .expect("exchanged");
        let token = issued.refresh_token.expect("refresh token");
        assert!(store.refresh("c", &token, at(24 * 7 - 1)).is_ok());
        assert!(store.refresh("c", &token, at(24 * 7)).is_err());
        let mut sign_in_only = pending(true, true);
        sign_in_only.scopes = vec![scope::OPENID.into(), scope::EMAIL.into()];
        let code = store.issue_code(sign_in_only);
        let issued = store
            .exchange_code(
                "c",
                &code,
                "https://app/cb",
                None,
                PublishingStatus::Testing,
                at(0),
            )
            .expect("exchanged");
        let token = issued.refresh_token.expect("refresh token");
        assert!(store.refresh("c", &token, at(24 * 30)).is_ok());
    }

    #[test]
    fn revoking_an_access_token_ends_the_grant() {
        let store = AuthStore::new(policy());
        let issued = exchange(&store, pending(true, true), at(0));
        assert!(store.bearer(&issued.access_token, at(0)).is_ok());
        store.revoke(&issued.access_token, at(0)).expect("revoked");
        assert_eq!(
            store.bearer(&issued.access_token, at(0)).err(),
            Some(BearerRefusal::Revoked)
        );
        let refresh = issued.refresh_token.expect("refresh token");
        assert!(store.refresh("c", &refresh, at(0)).is_err());
        assert_eq!(
            store.revoke(&refresh, at(0)).expect_err("again").error,
            "invalid_token"
        );
    }

    #[test]
    fn removing_a_scope_narrows_live_tokens_and_refreshes() {
        let store = AuthStore::new(policy());
        let mut two = pending(true, true);
        two.scopes.push(scope::ANALYTICS_READONLY.into());
        let issued = exchange(&store, two, at(0));
        assert!(store.remove_scope(0, Some("c"), scope::ANALYTICS_READONLY));
        let bearer = store.bearer(&issued.access_token, at(0)).expect("live");
        assert!(!bearer.has_scope(scope::ANALYTICS_READONLY));
        let refreshed = store
            .refresh("c", &issued.refresh_token.expect("refresh token"), at(1))
            .expect("refreshed");
        assert_eq!(refreshed.scopes, [scope::YOUTUBE_READONLY]);
    }
}

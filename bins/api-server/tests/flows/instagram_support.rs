//! Driving the Instagram popup flow against the in-process Instagram emulator, as a browser
//! does: our connect route, the emulator's consent page, the redirect back to our callback.

use domain::{Connection, Platform};
use instagram_sandbox::{AccountSummary, ConsentForm};
use reqwest::StatusCode;
use url::Url;

use crate::support::{CallbackPage, Consent, Flow};

/// Instagram's name in the routes and the database.
pub const INSTAGRAM: Platform = Platform::new("instagram");

/// What the emulator's consent page answered.
pub enum ConsentOutcome {
    /// A redirect to our callback.
    Redirect(Url),
    /// A page refusing the login (a personal account), with its status.
    Refused(StatusCode, String),
}

impl Flow {
    /// The emulator's account named `username`.
    pub fn instagram_account(&self, username: &str) -> AccountSummary {
        self.instagram
            .accounts()
            .into_iter()
            .find(|account| account.username == username)
            .unwrap_or_else(|| panic!("no Instagram sandbox account {username}"))
    }

    /// `GET /api/auth/instagram/connect`: the authorization URL.
    pub async fn begin_instagram_connect(&self, token: &str) -> Url {
        let body = self.get_json("/api/auth/instagram/connect", token).await;
        let start = Url::parse(body["authorizationUrl"].as_str().unwrap()).unwrap();
        self.open_start(INSTAGRAM, &start).await
    }

    /// Opens the emulator's consent page and submits it for the account `ig_user_id`.
    pub async fn instagram_consent(
        &self,
        authorization_url: &Url,
        ig_user_id: &str,
        consent: Consent<'_>,
    ) -> ConsentOutcome {
        let response = self
            .client
            .get(authorization_url.clone())
            .send()
            .await
            .unwrap();
        assert_eq!(response.status(), StatusCode::OK);
        let page = response.text().await.unwrap();
        let form = ConsentForm::parse(&page).expect("a consent form");
        assert!(form.accounts.iter().any(|account| account == ig_user_id));
        let fields = match consent {
            Consent::All => form.approve_all(ig_user_id),
            Consent::Only(scopes) => form.approve(ig_user_id, scopes),
            Consent::Cancel => form.deny(),
        };
        let action = authorization_url.join(&form.action).unwrap();
        let response = self.client.post(action).form(&fields).send().await.unwrap();
        match response.status() {
            StatusCode::FOUND => {
                let location = response.headers()["location"].to_str().unwrap();
                ConsentOutcome::Redirect(Url::parse(location).unwrap())
            }
            status => ConsentOutcome::Refused(status, response.text().await.unwrap()),
        }
    }

    /// The whole Instagram popup: connect, consent, callback.
    pub async fn connect_instagram(
        &self,
        token: &str,
        ig_user_id: &str,
        consent: Consent<'_>,
    ) -> CallbackPage {
        let authorization_url = self.begin_instagram_connect(token).await;
        match self
            .instagram_consent(&authorization_url, ig_user_id, consent)
            .await
        {
            ConsentOutcome::Redirect(redirect) => {
                // Instagram appends `#_`; a browser never sends the fragment.
                assert_eq!(redirect.fragment(), Some("_"));
                self.follow_callback_of(INSTAGRAM, &redirect).await
            }
            ConsentOutcome::Refused(status, page) => {
                panic!("the consent page refused the login ({status}): {page}")
            }
        }
    }

    /// Connects `ig_user_id` for the user of `token` with every permission, and checks it
    /// worked.
    pub async fn connect_instagram_ok(&self, token: &str, ig_user_id: &str) -> CallbackPage {
        let page = self
            .connect_instagram(token, ig_user_id, Consent::All)
            .await;
        assert_eq!(page.kind(), "instagram:connected", "{}", page.message);
        page
    }

    /// The stored Instagram connection of `user_id`.
    pub async fn stored_instagram_connection(&self, user_id: &str) -> Option<Connection> {
        self.services
            .database()
            .find_connection(user_id, INSTAGRAM)
            .await
            .unwrap()
    }

    /// The stored (decrypted) Instagram token of `user_id`'s connection.
    pub async fn stored_instagram_token(&self, user_id: &str) -> String {
        use secrecy::ExposeSecret as _;
        let connection = self.stored_instagram_connection(user_id).await.unwrap();
        let tokens = self
            .services
            .database()
            .connection_tokens(connection.id)
            .await
            .unwrap();
        tokens.access_token.unwrap().expose_secret().to_owned()
    }

    /// Moves our clock and the Instagram emulator's by `by`.
    pub fn advance_instagram_clocks(&self, by: chrono::TimeDelta) {
        self.instagram.advance_clock(by.to_std().unwrap());
        self.clock.advance(by);
    }

    /// `POST /api/auth/instagram/sync`: the status and the JSON body.
    pub async fn sync_instagram(&self, token: &str) -> (StatusCode, serde_json::Value) {
        let response = self.call("POST", "/api/auth/instagram/sync", token).await;
        let status = response.status();
        (status, response.json().await.unwrap())
    }
}

//! Driving the YouTube popup flow against the in-process Google emulator, as a browser does:
//! our connect route, the emulator's account chooser and granular consent, the redirect back
//! to our callback.

use domain::{Connection, Platform};
use reqwest::StatusCode;
use url::Url;
use youtube_sandbox::{AccountSummary, ConsentForm, SandboxHandle};

use crate::support::{CallbackPage, Consent, Flow};

/// YouTube's name in the routes and the database.
pub const YOUTUBE: Platform = Platform::new("youtube");

impl Flow {
    /// The YouTube emulator (every flow here but the live-mode one starts it).
    pub fn yt(&self) -> &SandboxHandle {
        self.youtube
            .as_ref()
            .expect("sandbox mode starts the YouTube emulator")
    }

    /// The emulator's Google account `email`.
    pub fn youtube_account(&self, email: &str) -> AccountSummary {
        self.yt()
            .accounts()
            .into_iter()
            .find(|account| account.email == email)
            .unwrap_or_else(|| panic!("no YouTube sandbox account {email}"))
    }

    /// `GET /api/auth/youtube/connect`, then its start link in this flow's browser (which keeps
    /// the connect cookie): Google's authorization URL.
    pub async fn begin_youtube_connect(&self, token: &str) -> Url {
        let body = self.get_json("/api/auth/youtube/connect", token).await;
        let start = Url::parse(body["authorizationUrl"].as_str().unwrap()).unwrap();
        self.open_start(YOUTUBE, &start).await
    }

    /// Opens the emulator's consent page and submits it as `email`; returns where it
    /// redirects the browser (our callback).
    pub async fn youtube_consent(
        &self,
        authorization_url: &Url,
        email: &str,
        consent: Consent<'_>,
    ) -> Url {
        let response = self
            .client
            .get(authorization_url.clone())
            .send()
            .await
            .unwrap();
        assert_eq!(response.status(), StatusCode::OK);
        let page = response.text().await.unwrap();
        let form = ConsentForm::parse(&page).expect("a consent form");
        assert!(form.accounts.iter().any(|account| account == email));
        let fields = match consent {
            Consent::All => form.approve_all(email),
            Consent::Only(scopes) => form.approve(email, scopes),
            Consent::Cancel => form.deny(),
        };
        let action = authorization_url.join(&form.action).unwrap();
        let response = self.client.post(action).form(&fields).send().await.unwrap();
        assert_eq!(response.status(), StatusCode::FOUND);
        Url::parse(response.headers()["location"].to_str().unwrap()).unwrap()
    }

    /// The whole YouTube popup: connect, consent, callback.
    pub async fn connect_youtube(
        &self,
        token: &str,
        email: &str,
        consent: Consent<'_>,
    ) -> CallbackPage {
        let authorization_url = self.begin_youtube_connect(token).await;
        let redirect = self
            .youtube_consent(&authorization_url, email, consent)
            .await;
        self.follow_callback_of(YOUTUBE, &redirect).await
    }

    /// Connects `email`'s channel for the user of `token` with every scope, and checks it
    /// worked.
    pub async fn connect_youtube_ok(&self, token: &str, email: &str) -> CallbackPage {
        let page = self.connect_youtube(token, email, Consent::All).await;
        assert_eq!(page.kind(), "youtube:connected", "{}", page.message);
        page
    }

    /// The stored YouTube connection of `user_id`.
    pub async fn stored_youtube_connection(&self, user_id: &str) -> Option<Connection> {
        self.services
            .database()
            .find_connection(user_id, YOUTUBE)
            .await
            .unwrap()
    }

    /// Moves our clock and the YouTube emulator's together.
    pub fn advance_youtube_clocks(&self, by: chrono::TimeDelta) {
        self.yt().advance_clock(by.to_std().unwrap());
        self.clock.advance(by);
    }

    /// Data API units the emulator counted for our client today (its Pacific day).
    pub fn youtube_units_used(&self) -> u64 {
        self.yt()
            .quota_usage(SANDBOX_CLIENT_ID)
            .used(youtube_sandbox::QuotaBucket::General)
    }
}

/// The OAuth client id of sandbox mode.
pub const SANDBOX_CLIENT_ID: &str = bootstrap::settings::SANDBOX_YOUTUBE_CLIENT_ID;

//! Security headers on every response, and a per-request CSP nonce for inline scripts.
//!
//! - `X-Content-Type-Options: nosniff`, `Referrer-Policy: no-referrer`;
//! - `X-Frame-Options: DENY` and CSP `frame-ancestors 'none'`: no page of ours is framed;
//! - a strict `Content-Security-Policy`: `default-src 'self'`, images from any https origin
//!   (TikTok's covers and avatars are remote), and inline `<script>`/`<style>` only with this
//!   request's nonce. A handler that renders inline script (the OAuth callback page) takes a
//!   [`CspNonce`] argument and writes `<script nonce="...">`. A handler may also set its own
//!   CSP header, which is then kept.
//!
//! Deliberately absent: `Cross-Origin-Opener-Policy` (the callback page runs in a popup and
//! must keep `window.opener` to post its result to the app, which COOP would sever) and
//! `Cross-Origin-Resource-Policy` (host frontends on another site load the UI's web
//! components from here).

use std::future::{Ready, ready};

use actix_web::body::MessageBody;
use actix_web::dev::{Payload, ServiceRequest, ServiceResponse};
use actix_web::http::header::{self, HeaderMap, HeaderValue};
use actix_web::middleware::Next;
use actix_web::{Error, FromRequest, HttpMessage as _, HttpRequest};
use base64::Engine as _;
use base64::engine::general_purpose::STANDARD;
use rand::RngCore as _;

use crate::error::ApiError;
use crate::state::AppState;

/// A random value, fresh for each request, allowed by the response's CSP for inline
/// `<script>` and `<style>` elements.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CspNonce(String);

impl CspNonce {
    fn generate() -> Self {
        let mut bytes = [0_u8; 16];
        rand::thread_rng().fill_bytes(&mut bytes);
        Self(STANDARD.encode(bytes))
    }

    /// A fixed nonce, for unit tests of pages that render inline scripts.
    #[doc(hidden)]
    pub fn for_tests(value: &str) -> Self {
        Self(value.to_owned())
    }

    /// The nonce, for a `nonce="..."` attribute (base64: no HTML escaping needed).
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl FromRequest for CspNonce {
    type Error = ApiError;
    type Future = Ready<Result<Self, ApiError>>;

    fn from_request(request: &HttpRequest, _payload: &mut Payload) -> Self::Future {
        ready(
            request
                .extensions()
                .get::<CspNonce>()
                .cloned()
                .ok_or_else(|| {
                    ApiError::internal("the security headers middleware is not installed")
                }),
        )
    }
}

/// The policy sent with every response that does not set its own. `extra_img_src` are
/// origins that serve images over plain HTTP (the sandbox emulators' avatars and covers, in
/// sandbox mode only); the platforms' own media is `https:`.
pub fn content_security_policy(nonce: &CspNonce, extra_img_src: &[String]) -> String {
    let nonce = nonce.as_str();
    let extra: String = extra_img_src
        .iter()
        .map(|origin| format!(" {origin}"))
        .collect();
    format!(
        "default-src 'self'; script-src 'self' 'nonce-{nonce}'; style-src 'self' 'nonce-{nonce}'; \
         img-src 'self' https: data:{extra}; connect-src 'self'; object-src 'none'; base-uri 'none'; \
         form-action 'self'; frame-ancestors 'none'"
    )
}

/// The plain-HTTP origins of the emulators' media (covers, avatars) in sandbox mode.
fn sandbox_media_origins(request: &ServiceRequest) -> Vec<String> {
    let Some(state) = request.app_data::<actix_web::web::Data<AppState>>() else {
        return Vec::new();
    };
    let config = &state.config;
    if !config.is_sandbox() {
        return Vec::new();
    }
    let settings = &config.settings;
    let hosts = [
        settings.tiktok.as_ref().map(|tiktok| &tiktok.api_base_url),
        settings
            .instagram
            .as_ref()
            .map(|instagram| &instagram.graph_base_url),
        settings
            .youtube
            .as_ref()
            .map(|youtube| &youtube.data_base_url),
    ];
    let mut origins: Vec<String> = hosts
        .into_iter()
        .flatten()
        .filter(|url| url.scheme() == "http")
        .map(|url| url.origin().ascii_serialization())
        .collect();
    origins.dedup();
    origins
}

/// Middleware function: wrap with `actix_web::middleware::from_fn(security_headers)`.
///
/// # Errors
/// Whatever the inner service returns.
pub async fn security_headers(
    request: ServiceRequest,
    next: Next<impl MessageBody + 'static>,
) -> Result<ServiceResponse<impl MessageBody>, Error> {
    let nonce = CspNonce::generate();
    request.extensions_mut().insert(nonce.clone());
    let media = sandbox_media_origins(&request);
    let policy = HeaderValue::from_str(&content_security_policy(&nonce, &media))
        .map_err(ApiError::internal)?;
    match next.call(request).await {
        Ok(mut response) => {
            add_headers(response.headers_mut(), &policy);
            Ok(response)
        }
        Err(mut error) => {
            error.add_response_mapper(move |mut response| {
                add_headers(response.headers_mut(), &policy);
                response
            });
            Err(error)
        }
    }
}

fn add_headers(headers: &mut HeaderMap, policy: &HeaderValue) {
    headers.insert(
        header::X_CONTENT_TYPE_OPTIONS,
        HeaderValue::from_static("nosniff"),
    );
    headers.insert(header::X_FRAME_OPTIONS, HeaderValue::from_static("DENY"));
    headers.insert(
        header::REFERRER_POLICY,
        HeaderValue::from_static("no-referrer"),
    );
    if !headers.contains_key(header::CONTENT_SECURITY_POLICY) {
        headers.insert(header::CONTENT_SECURITY_POLICY, policy.clone());
    }
}

//! The connect cookie: a connect finishes in the browser that began it (RFC 9700, 4.7).
//!
//! The host product's page gets, from `GET /api/auth/<platform>/connect` (bearer token), the
//! address of this server's start route, and opens it in the popup. The start route binds the
//! OAuth state to that browser with a short-lived `HttpOnly`, `SameSite=Lax` cookie and
//! redirects to the platform; the callback is refused, before any code exchange, when it does
//! not carry the cookie. A link sent to someone else is useless to them once opened by its
//! user, and useless to its user's victim once the start window has passed.
//!
//! The cookie lives on the host of the platform's redirect URI (the callback's), under its
//! folder (`/api/auth/<platform>/`): the start route is derived from the redirect URI, so
//! the two always share host and path, behind any proxy prefix.

use actix_web::HttpRequest;
use domain::Platform;
use url::Url;

/// How long the cookie lives: the state's own lifetime.
const MAX_AGE_SECS: i64 = 600;

/// The cookie's name for `platform` (one per platform, so connecting two at once works).
pub fn name(platform: Platform) -> String {
    format!("connect_{}", platform.as_str())
}

/// The start route's URL for the platform `authorize_url` (read from its `redirect_uri`,
/// whose last path segment `callback` becomes `start`), carrying `state`.
pub fn start_url(authorize_url: &Url) -> Option<Url> {
    let (redirect, state) = redirect_and_state(authorize_url)?;
    let mut start = redirect.clone();
    let path = redirect.path().strip_suffix("callback")?.to_owned();
    start.set_path(&format!("{path}start"));
    start.set_fragment(None);
    start.query_pairs_mut().clear().append_pair("state", &state);
    Some(start)
}

/// The `redirect_uri` and `state` query parameters of an authorize URL.
fn redirect_and_state(authorize_url: &Url) -> Option<(Url, String)> {
    let mut redirect = None;
    let mut state = None;
    for (key, value) in authorize_url.query_pairs() {
        match key.as_ref() {
            "redirect_uri" => redirect = Url::parse(&value).ok(),
            "state" => state = Some(value.into_owned()),
            _ => {}
        }
    }
    Some((redirect?, state?))
}

/// `Set-Cookie` binding the browser, scoped to the folder of the callback of
/// `authorize_url`'s redirect URI (`Secure` when that is `https`).
pub fn set(platform: Platform, value: &str, authorize_url: &Url) -> String {
    attributes(platform, value, MAX_AGE_SECS, authorize_url)
}

/// `Set-Cookie` deleting the cookie (the callback consumed it).
pub fn clear(platform: Platform, request: &HttpRequest) -> String {
    let path = request.path();
    let folder = path.strip_suffix("callback").unwrap_or(path);
    format!(
        "{}=; Path={folder}; Max-Age=0; HttpOnly; SameSite=Lax",
        name(platform)
    )
}

fn attributes(platform: Platform, value: &str, max_age: i64, authorize_url: &Url) -> String {
    let redirect = redirect_and_state(authorize_url).map(|(redirect, _)| redirect);
    let folder = redirect
        .as_ref()
        .and_then(|url| url.path().strip_suffix("callback").map(str::to_owned))
        .unwrap_or_else(|| format!("/api/auth/{}/", platform.as_str()));
    let secure = if redirect.is_some_and(|url| url.scheme() == "https") {
        "; Secure"
    } else {
        ""
    };
    format!(
        "{}={value}; Path={folder}; Max-Age={max_age}; HttpOnly; SameSite=Lax{secure}",
        name(platform)
    )
}

/// The connect cookie of `platform` the request carries.
pub fn read(request: &HttpRequest, platform: Platform) -> Option<String> {
    let wanted = name(platform);
    request
        .headers()
        .get_all(actix_web::http::header::COOKIE)
        .filter_map(|header| header.to_str().ok())
        .flat_map(|header| header.split(';'))
        .filter_map(|pair| pair.trim().split_once('='))
        .find(|(key, value)| *key == wanted && !value.is_empty())
        .map(|(_, value)| value.to_owned())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn authorize(redirect: &str) -> Url {
        let mut url = Url::parse("https://www.tiktok.com/v2/auth/authorize/").unwrap();
        url.query_pairs_mut()
            .append_pair("client_key", "key")
            .append_pair("redirect_uri", redirect)
            .append_pair("state", "s t&ate");
        url
    }

    #[test]
    fn the_start_route_sits_beside_the_callback() {
        let start = start_url(&authorize(
            "https://api.example.com/x/api/auth/tiktok/callback",
        ))
        .unwrap();
        assert_eq!(start.host_str(), Some("api.example.com"));
        assert_eq!(start.path(), "/x/api/auth/tiktok/start");
        let state: Vec<_> = start.query_pairs().collect();
        assert_eq!(state.len(), 1);
        assert_eq!(state[0].1, "s t&ate");
        assert!(start_url(&Url::parse("https://example.com/?state=1").unwrap()).is_none());
    }

    #[test]
    fn the_cookie_is_http_only_lax_and_secure_on_https() {
        let https = set(
            Platform::new("tiktok"),
            "v",
            &authorize("https://api.example.com/api/auth/tiktok/callback"),
        );
        assert_eq!(
            https,
            "connect_tiktok=v; Path=/api/auth/tiktok/; Max-Age=600; HttpOnly; SameSite=Lax; Secure"
        );
        let http = set(
            Platform::new("tiktok"),
            "v",
            &authorize("http://localhost:5001/api/auth/tiktok/callback"),
        );
        assert!(!http.contains("Secure"), "{http}");
    }

    #[test]
    fn the_cookie_is_read_by_its_platforms_name() {
        let request = actix_web::test::TestRequest::default()
            .insert_header(("cookie", "a=1; connect_instagram=x; connect_tiktok=y"))
            .to_http_request();
        assert_eq!(
            read(&request, Platform::new("tiktok")).as_deref(),
            Some("y")
        );
        assert_eq!(read(&request, Platform::new("youtube")), None);
    }
}

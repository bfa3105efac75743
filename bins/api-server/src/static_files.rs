//! The web UI, embedded from `bins/api-server/static/` at build time (read from disk in debug
//! builds, as rust-embed does) and served at `/`.
//!
//! Only files of the embedded set are served: the request path is looked up as a key of that
//! set after refusing `..`, empty, hidden (`.gitkeep`) and backslash segments, so no path can
//! reach outside it. Anything else, and every unknown `/api/` path, is a JSON 404.

use actix_web::http::header::{self, EntityTag, HeaderValue};
use actix_web::http::{Method, StatusCode};
use actix_web::{HttpRequest, HttpResponse, ResponseError as _};
use rust_embed::Embed;

use crate::error::ApiError;

/// The UI's files.
#[derive(Embed)]
#[folder = "static/"]
struct Assets;

/// The file served for `/`.
const INDEX: &str = "index.html";

/// The app's default service: an embedded UI file for `GET`/`HEAD`; otherwise a JSON 405 when
/// a route exists for the path with another method, or a JSON 404.
pub async fn serve_or_not_found(request: HttpRequest) -> HttpResponse {
    let servable = matches!(*request.method(), Method::GET | Method::HEAD)
        && !request.path().starts_with("/api/");
    let asset = if servable {
        asset_key(request.path()).and_then(|key| Assets::get(&key).map(|file| (key, file)))
    } else {
        None
    };
    let Some((key, file)) = asset else {
        // A route matched the path but not the method (routes declared with `#[get]` and
        // friends guard on the method, so a mismatch falls through to here).
        if request.resource_map().has_resource(request.path()) {
            return ApiError::method_not_allowed().error_response();
        }
        return ApiError::not_found("no such resource").error_response();
    };
    let etag = EntityTag::new_strong(hex_digest(&file.metadata.sha256_hash()));
    let cache = if key == INDEX {
        "no-cache"
    } else {
        "public, max-age=300"
    };
    let not_modified = request
        .headers()
        .get(header::IF_NONE_MATCH)
        .and_then(|value| value.to_str().ok())
        .is_some_and(|value| value.split(',').any(|tag| tag.trim() == etag.to_string()));
    let mut response = if not_modified {
        HttpResponse::build(StatusCode::NOT_MODIFIED).finish()
    } else {
        HttpResponse::Ok()
            .insert_header((header::CONTENT_TYPE, file.metadata.mimetype()))
            .body(file.data.into_owned())
    };
    let headers = response.headers_mut();
    if let Ok(value) = HeaderValue::from_str(&etag.to_string()) {
        headers.insert(header::ETAG, value);
    }
    headers.insert(header::CACHE_CONTROL, HeaderValue::from_static(cache));
    response
}

/// The embedded-set key for a request path, or `None` when the path is not a plain relative
/// file name (`..`, hidden or empty segments, backslashes, NUL).
fn asset_key(path: &str) -> Option<String> {
    let relative = path.trim_start_matches('/');
    if relative.is_empty() {
        return Some(INDEX.to_owned());
    }
    let plain = relative.split('/').all(|segment| {
        !segment.is_empty() && !segment.starts_with('.') && !segment.contains(['\\', '\0', ':'])
    });
    plain.then(|| relative.to_owned())
}

fn hex_digest(bytes: &[u8]) -> String {
    bytes.iter().map(|byte| format!("{byte:02x}")).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn root_is_the_index() {
        assert_eq!(asset_key("/").as_deref(), Some("index.html"));
        assert_eq!(asset_key("/app.js").as_deref(), Some("app.js"));
        assert_eq!(asset_key("/js/chart.js").as_deref(), Some("js/chart.js"));
    }

    #[test]
    fn refuses_paths_that_could_escape() {
        for path in [
            "/../Cargo.toml",
            "/js/../../Cargo.toml",
            "/.gitkeep",
            "/js//app.js",
            "/..\\Cargo.toml",
            "/C:/windows",
            "/./index.html",
        ] {
            assert_eq!(asset_key(path), None, "{path}");
        }
    }
}

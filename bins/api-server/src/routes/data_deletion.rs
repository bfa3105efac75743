//! Data deletion requests (Instagram's data deletion callback): the answer the platform
//! expects (`{url, confirmation_code}`) and the status page that URL opens for the person who
//! asked (`GET /api/data-deletion/{code}`, human-readable, no personal data on it).

use actix_web::http::header::ContentType;
use actix_web::{HttpResponse, web};
use serde::Serialize;
use services::{DELETION_DONE, Services};
use storage::DeletionRequest;
use url::Url;
use utoipa::ToSchema;

use crate::error::ApiError;
use crate::middleware::security_headers::CspNonce;
use crate::openapi::errors::error_responses;
use crate::routes::callback_page::escape_html;
use crate::routes::platform::api_error;

/// What a platform's data deletion callback is answered: where the person can follow their
/// request, and its code (Meta's field names, snake_case).
#[derive(Debug, Serialize, ToSchema)]
pub struct DeletionAck {
    /// The status page of this request.
    pub url: String,
    /// The request's confirmation code (also on the status page).
    pub confirmation_code: String,
}

/// The status page's URL for `confirmation_code`: on this service's public address as the
/// platform knows it (the origin of its redirect URI).
pub fn status_url(redirect_uri: &Url, confirmation_code: &str) -> Result<Url, ApiError> {
    redirect_uri
        .join(&format!("/api/data-deletion/{confirmation_code}"))
        .map_err(ApiError::internal)
}

error_responses!(
    /// What `GET /api/data-deletion/{code}` can refuse with.
    DeletionStatusErrors: NotFound, DatabaseUnavailable, Internal
);

/// The status of a data deletion request, as a page for the person who asked.
#[utoipa::path(
    get,
    path = "/api/data-deletion/{code}",
    operation_id = "data_deletion_status",
    tag = "webhooks",
    params(("code" = String, Path, description = "The confirmation code the platform was given")),
    responses(
        (status = 200, description = "An HTML page with the request's status", content_type = "text/html"),
        DeletionStatusErrors,
    )
)]
pub async fn status(
    code: web::Path<String>,
    services: web::Data<Services>,
    nonce: CspNonce,
) -> Result<HttpResponse, ApiError> {
    let code = code.into_inner();
    // Codes are 32 hex digits: anything else was never issued (and is not looked up).
    if code.len() != 32 || !code.bytes().all(|byte| byte.is_ascii_hexdigit()) {
        return Err(ApiError::not_found(
            "no data deletion request has this code",
        ));
    }
    let request = services
        .deletion_request(&code)
        .await
        .map_err(api_error)?
        .ok_or_else(|| ApiError::not_found("no data deletion request has this code"))?;
    let display_name = services.adapter(request.platform).map_or_else(
        |_| request.platform.to_string(),
        |adapter| adapter.traits().display_name.to_owned(),
    );
    Ok(HttpResponse::Ok()
        .content_type(ContentType::html())
        .insert_header((actix_web::http::header::CACHE_CONTROL, "no-store"))
        .body(render(&request, &display_name, &nonce)))
}

/// A sentence saying what became of `request`.
fn describe(request: &DeletionRequest) -> String {
    match (&request.completed_at, request.outcome.as_deref()) {
        (Some(at), Some(DELETION_DONE)) => format!(
            "Done. The connected account and all the data synced from it (profile, posts, \
             metrics and history) were deleted on {} UTC.",
            at.format("%Y-%m-%d at %H:%M")
        ),
        (Some(at), _) => format!(
            "Done. Nothing of this account was held here when the request arrived (it was \
             never connected, or was disconnected and its data deleted before); checked on {} \
             UTC.",
            at.format("%Y-%m-%d at %H:%M")
        ),
        (None, _) => "In progress: the deletion has not finished yet. It is retried until it \
                      does; this page will say when."
            .to_owned(),
    }
}

fn render(request: &DeletionRequest, platform_name: &str, nonce: &CspNonce) -> String {
    let nonce = nonce.as_str();
    let platform = escape_html(platform_name);
    let code = escape_html(&request.confirmation_code);
    let requested = request.requested_at.format("%Y-%m-%d at %H:%M");
    let progress = escape_html(&describe(request));
    format!(
        r#"<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>Data deletion request</title>
<style nonce="{nonce}">
body {{ font: 16px/1.5 system-ui, sans-serif; margin: 0; min-height: 100vh; display: grid; place-items: center; background: #f6f6f7; color: #161823; }}
main {{ background: #fff; padding: 2rem; border-radius: 12px; box-shadow: 0 1px 3px rgba(0,0,0,.12); max-width: 32rem; }}
code {{ font-size: .95em; word-break: break-all; }}
</style>
</head>
<body>
<main>
<h1>Data deletion request</h1>
<p>Asked through {platform} on {requested} UTC.</p>
<p>Confirmation code: <code data-testid="confirmation-code">{code}</code></p>
<p data-testid="deletion-status">{progress}</p>
</main>
</body>
</html>
"#
    )
}

#[cfg(test)]
mod tests {
    use chrono::{TimeZone, Utc};
    use domain::Platform;

    use super::*;

    fn request(completed: bool, outcome: Option<&str>) -> DeletionRequest {
        let at = Utc.with_ymd_and_hms(2026, 12, 5, 10, 30, 0).unwrap();
        DeletionRequest {
            confirmation_code: "0123456789abcdef0123456789abcdef".into(),
            platform: Platform::new("instagram"),
            platform_account_id: "17841400000000001".into(),
            requested_at: at,
            completed_at: completed.then_some(at),
            outcome: outcome.map(str::to_owned),
        }
    }

    #[test]
    fn the_page_says_what_became_of_the_request_and_names_no_account() {
        let nonce = CspNonce::for_tests("bm9uY2U=");
        let done = render(&request(true, Some(DELETION_DONE)), "Instagram", &nonce);
        assert!(
            done.contains("were deleted on 2026-12-05 at 10:30 UTC"),
            "{done}"
        );
        assert!(done.contains("0123456789abcdef0123456789abcdef"));
        assert!(
            !done.contains("17841400000000001"),
            "the account id is not shown"
        );
        let nothing = render(&request(true, Some("no_data")), "Instagram", &nonce);
        assert!(nothing.contains("Nothing of this account was held here"));
        let pending = render(&request(false, None), "<b>", &nonce);
        assert!(pending.contains("In progress"));
        assert!(pending.contains("&lt;b&gt;") && !pending.contains("<b>"));
    }

    #[test]
    fn the_status_url_is_on_the_redirect_uris_origin() {
        let redirect = Url::parse("https://api.example.com/api/auth/instagram/callback").unwrap();
        assert_eq!(
            status_url(&redirect, "abc").unwrap().as_str(),
            "https://api.example.com/api/data-deletion/abc"
        );
    }
}

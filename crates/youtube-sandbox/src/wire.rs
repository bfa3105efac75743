//! Error bodies in Google's documented shapes (reference sections 3.3, 4 and 5.3), built from
//! our own JSON, never from a client's types.

use actix_web::HttpResponse;
use actix_web::http::StatusCode;
use actix_web::http::header::{RETRY_AFTER, WWW_AUTHENTICATE};
use serde_json::{Value, json};

/// The anchor Google puts in the quota message (never render a `message` raw).
const QUOTA_ANCHOR: &str = "<a href=\"/youtube/v3/getting-started#quota\">quota</a>";

/// A JSON response with Google's content type.
pub(crate) fn json_response(status: StatusCode, body: &Value) -> HttpResponse {
    HttpResponse::build(status)
        .content_type("application/json; charset=UTF-8")
        .body(body.to_string())
}

/// A 200 whose JSON is cut short.
pub(crate) fn malformed_body() -> HttpResponse {
    HttpResponse::Ok()
        .content_type("application/json; charset=UTF-8")
        .body("{\"kind\": \"youtube#channelListResponse\", \"items\": [{\"id\": ")
}

/// The gRPC-style canonical status Google adds next to `code`.
fn canonical_status(status: StatusCode) -> &'static str {
    match status.as_u16() {
        400 => "INVALID_ARGUMENT",
        401 => "UNAUTHENTICATED",
        403 => "PERMISSION_DENIED",
        404 => "NOT_FOUND",
        409 => "ABORTED",
        429 => "RESOURCE_EXHAUSTED",
        500 => "INTERNAL",
        503 => "UNAVAILABLE",
        504 => "DEADLINE_EXCEEDED",
        _ => "UNKNOWN",
    }
}

/// A Data API or Analytics API error: `{"error": {code, message, errors: [{message, domain,
/// reason, location?, locationType?}], status?}}`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct GoogleError {
    pub(crate) status: StatusCode,
    pub(crate) domain: String,
    pub(crate) reason: String,
    pub(crate) message: String,
    /// `(location, locationType)`.
    pub(crate) location: Option<(String, String)>,
    /// A `WWW-Authenticate` header to send.
    pub(crate) www_authenticate: Option<String>,
    /// A `Retry-After` header (seconds).
    pub(crate) retry_after: Option<u64>,
}

impl GoogleError {
    pub(crate) fn new(
        status: StatusCode,
        domain: &str,
        reason: &str,
        message: impl Into<String>,
    ) -> Self {
        Self {
            status,
            domain: domain.to_owned(),
            reason: reason.to_owned(),
            message: message.into(),
            location: None,
            www_authenticate: None,
            retry_after: None,
        }
    }

    fn at(mut self, location: &str, location_type: &str) -> Self {
        self.location = Some((location.to_owned(), location_type.to_owned()));
        self
    }

    /// The body; `status_field` adds the canonical `status` string.
    pub(crate) fn body(&self, status_field: bool) -> Value {
        let mut detail = json!({
            "message": self.message,
            "domain": self.domain,
            "reason": self.reason,
        });
        if let Some((location, location_type)) = &self.location {
            detail["location"] = json!(location);
            detail["locationType"] = json!(location_type);
        }
        let mut error = json!({
            "code": self.status.as_u16(),
            "message": self.message,
            "errors": [detail],
        });
        if status_field {
            error["status"] = json!(canonical_status(self.status));
        }
        json!({ "error": error })
    }

    pub(crate) fn to_response(&self, status_field: bool) -> HttpResponse {
        let mut builder = HttpResponse::build(self.status);
        builder.content_type("application/json; charset=UTF-8");
        if let Some(value) = &self.www_authenticate {
            builder.insert_header((WWW_AUTHENTICATE, value.as_str()));
        }
        if let Some(seconds) = self.retry_after {
            builder.insert_header((RETRY_AFTER, seconds.to_string()));
        }
        builder.body(self.body(status_field).to_string())
    }

    /// 403 `quotaExceeded`: the project's daily general quota is spent.
    pub(crate) fn quota_exceeded() -> Self {
        Self::new(
            StatusCode::FORBIDDEN,
            "youtube.quota",
            "quotaExceeded",
            format!(
                "The request cannot be completed because you have exceeded your {QUOTA_ANCHOR}."
            ),
        )
    }

    /// 403 `dailyLimitExceeded`: the older wording of the same.
    pub(crate) fn daily_limit_exceeded(project_number: &str) -> Self {
        Self::new(
            StatusCode::FORBIDDEN,
            "usageLimits",
            "dailyLimitExceeded",
            format!(
                "Daily Limit Exceeded. The quota will be reset at midnight Pacific Time (PT). You \
                 may monitor your quota usage and adjust limits in the API Console: \
                 https://console.developers.google.com/apis/api/youtube.googleapis.com/quotas?project={project_number}"
            ),
        )
    }

    /// 429 (or 403) `rateLimitExceeded` naming a daily limit: a per-method bucket is spent.
    pub(crate) fn per_day_limit(metric: &str, project_number: &str, status: StatusCode) -> Self {
        Self::new(
            status,
            "global",
            "rateLimitExceeded",
            format!(
                "Quota exceeded for quota metric '{metric}' and limit '{metric} per day' of \
                 service 'youtube.googleapis.com' for consumer 'project_number:{project_number}'."
            ),
        )
    }

    /// `rateLimitExceeded` per minute: 403 (`usageLimits`) or 429 (`global`).
    pub(crate) fn rate_limited(status: StatusCode, project_number: &str) -> Self {
        if status == StatusCode::TOO_MANY_REQUESTS {
            Self::new(
                status,
                "global",
                "rateLimitExceeded",
                format!(
                    "Quota exceeded for quota metric 'Queries' and limit 'Queries per minute' of \
                     service 'youtube.googleapis.com' for consumer 'project_number:{project_number}'."
                ),
            )
        } else {
            Self::new(
                status,
                "usageLimits",
                "rateLimitExceeded",
                "Rate Limit Exceeded",
            )
        }
    }

    /// 403 `userRateLimitExceeded`.
    pub(crate) fn user_rate_limited() -> Self {
        Self::new(
            StatusCode::FORBIDDEN,
            "usageLimits",
            "userRateLimitExceeded",
            "User Rate Limit Exceeded",
        )
    }

    /// 401 `authError`: the access token is expired, revoked or unknown.
    pub(crate) fn auth_error() -> Self {
        let mut error = Self::new(
            StatusCode::UNAUTHORIZED,
            "global",
            "authError",
            "Invalid Credentials",
        )
        .at("Authorization", "header");
        error.www_authenticate = Some(
            "Bearer realm=\"https://accounts.google.com/\", error=\"invalid_token\"".to_owned(),
        );
        error
    }

    /// 401 `required`: no credential was sent.
    pub(crate) fn login_required() -> Self {
        Self::new(
            StatusCode::UNAUTHORIZED,
            "global",
            "required",
            "Login Required.",
        )
        .at("Authorization", "header")
    }

    /// 401 `youtubeSignupRequired`: the Google account has no channel.
    pub(crate) fn youtube_signup_required() -> Self {
        Self::new(
            StatusCode::UNAUTHORIZED,
            "youtube.header",
            "youtubeSignupRequired",
            "Unauthorized",
        )
        .at("Authorization", "header")
    }

    /// 403 `forbidden`.
    pub(crate) fn forbidden() -> Self {
        Self::new(
            StatusCode::FORBIDDEN,
            "youtube.common",
            "forbidden",
            "Access forbidden. The request may not be properly authorized.",
        )
    }

    /// 403 `insufficientPermissions`, with the `WWW-Authenticate` header naming the scope.
    pub(crate) fn insufficient_permissions(scope: &str) -> Self {
        let mut error = Self::new(
            StatusCode::FORBIDDEN,
            "global",
            "insufficientPermissions",
            "Insufficient Permission: Request had insufficient authentication scopes.",
        );
        error.www_authenticate = Some(format!(
            "Bearer realm=\"https://accounts.google.com/\", error=\"insufficient_scope\", scope=\"{scope}\""
        ));
        error
    }

    /// 403 `accessNotConfigured`: the API is not enabled in the project.
    pub(crate) fn access_not_configured(project_number: &str) -> Self {
        Self::new(
            StatusCode::FORBIDDEN,
            "usageLimits",
            "accessNotConfigured",
            format!(
                "YouTube Data API v3 has not been used in project {project_number} before or it \
                 is disabled. Enable it by visiting \
                 https://console.developers.google.com/apis/api/youtube.googleapis.com/overview?project={project_number} then retry."
            ),
        )
    }

    /// 403 `authenticatedUserAccountClosed`.
    pub(crate) fn account_closed() -> Self {
        Self::new(
            StatusCode::FORBIDDEN,
            "youtube.common",
            "authenticatedUserAccountClosed",
            "The YouTube account of the authenticated user is closed.",
        )
    }

    /// 403 `authenticatedUserAccountSuspended`.
    pub(crate) fn account_suspended() -> Self {
        Self::new(
            StatusCode::FORBIDDEN,
            "youtube.common",
            "authenticatedUserAccountSuspended",
            "The YouTube account of the authenticated user is suspended.",
        )
    }

    /// 403 `accountDelegationForbidden`.
    pub(crate) fn account_delegation_forbidden() -> Self {
        Self::new(
            StatusCode::FORBIDDEN,
            "youtube.common",
            "accountDelegationForbidden",
            "The authenticated user cannot act on behalf of the specified Google account.",
        )
    }

    /// 403 `playlistItemsNotAccessible`.
    pub(crate) fn playlist_items_not_accessible() -> Self {
        Self::new(
            StatusCode::FORBIDDEN,
            "youtube.playlistItem",
            "playlistItemsNotAccessible",
            "The request is not properly authorized to retrieve the specified playlist.",
        )
    }

    /// 400 `invalidPageToken`.
    pub(crate) fn invalid_page_token() -> Self {
        Self::new(
            StatusCode::BAD_REQUEST,
            "youtube.parameter",
            "invalidPageToken",
            "The request specifies an invalid page token.",
        )
        .at("pageToken", "parameter")
    }

    /// 404 `playlistNotFound`.
    pub(crate) fn playlist_not_found() -> Self {
        Self::new(
            StatusCode::NOT_FOUND,
            "youtube.playlistItem",
            "playlistNotFound",
            "The playlist identified with the request's <code>playlistId</code> parameter cannot be found.",
        )
        .at("playlistId", "parameter")
    }

    /// 404 `channelNotFound`.
    pub(crate) fn channel_not_found() -> Self {
        Self::new(
            StatusCode::NOT_FOUND,
            "youtube.channel",
            "channelNotFound",
            "The channel identified with the request's <code>id</code> parameter cannot be found.",
        )
        .at("id", "parameter")
    }

    /// 404 `videoNotFound`.
    pub(crate) fn video_not_found() -> Self {
        Self::new(
            StatusCode::NOT_FOUND,
            "youtube.video",
            "videoNotFound",
            "The video identified by the <code><a href=\"/youtube/v3/docs/videos/list#id\">id</a></code> parameter could not be found.",
        )
    }

    /// 400 `required`: a required parameter such as `part` is missing.
    pub(crate) fn required_parameter(name: &str) -> Self {
        Self::new(
            StatusCode::BAD_REQUEST,
            "global",
            "required",
            format!("Required parameter: {name}"),
        )
        .at(name, "parameter")
    }

    /// 400 `missingRequiredParameter`: no filter (`mine`, `id`, ...) was given.
    pub(crate) fn missing_filter(expected: &str) -> Self {
        Self::new(
            StatusCode::BAD_REQUEST,
            "youtube.parameter",
            "missingRequiredParameter",
            format!("No filter selected. Expected one of: {expected}"),
        )
    }

    /// 400 `incompatibleParameters`.
    pub(crate) fn incompatible_parameters(message: impl Into<String>) -> Self {
        Self::new(
            StatusCode::BAD_REQUEST,
            "youtube.parameter",
            "incompatibleParameters",
            message,
        )
    }

    /// 400 `invalidValue` for one parameter.
    pub(crate) fn invalid_value(parameter: &str, message: impl Into<String>) -> Self {
        Self::new(
            StatusCode::BAD_REQUEST,
            "youtube.parameter",
            "invalidValue",
            message,
        )
        .at(parameter, "parameter")
    }

    /// 400 `unknownPart`.
    pub(crate) fn unknown_part(part: &str) -> Self {
        Self::new(
            StatusCode::BAD_REQUEST,
            "youtube.part",
            "unknownPart",
            format!("'{part}'"),
        )
        .at("part", "parameter")
    }

    /// 400 `badRequest` of the Analytics API.
    pub(crate) fn analytics_bad_request(message: impl Into<String>) -> Self {
        Self::new(StatusCode::BAD_REQUEST, "global", "badRequest", message)
    }

    /// 400 `invalid` of the Analytics API (an unknown metric or a bad date).
    pub(crate) fn analytics_invalid(message: impl Into<String>) -> Self {
        Self::new(StatusCode::BAD_REQUEST, "global", "invalid", message)
    }

    /// 403 `forbidden` of the Analytics API.
    pub(crate) fn analytics_forbidden() -> Self {
        Self::new(StatusCode::FORBIDDEN, "global", "forbidden", "Forbidden")
    }

    /// 500 `backendError`.
    pub(crate) fn backend_error() -> Self {
        Self::new(
            StatusCode::INTERNAL_SERVER_ERROR,
            "global",
            "backendError",
            "Backend Error",
        )
    }

    /// 503 `backendError`, the service unavailable.
    pub(crate) fn service_unavailable() -> Self {
        Self::new(
            StatusCode::SERVICE_UNAVAILABLE,
            "global",
            "backendError",
            "The service is currently unavailable.",
        )
    }
}

/// An OAuth endpoint error: `{"error": "invalid_grant", "error_description": "..."}`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct OAuthError {
    pub(crate) status: StatusCode,
    pub(crate) error: String,
    pub(crate) description: String,
}

impl OAuthError {
    pub(crate) fn new(status: StatusCode, error: &str, description: impl Into<String>) -> Self {
        Self {
            status,
            error: error.to_owned(),
            description: description.into(),
        }
    }

    /// 400 `invalid_request`.
    pub(crate) fn invalid_request(description: impl Into<String>) -> Self {
        Self::new(StatusCode::BAD_REQUEST, "invalid_request", description)
    }

    /// 400 `invalid_grant`.
    pub(crate) fn invalid_grant(description: impl Into<String>) -> Self {
        Self::new(StatusCode::BAD_REQUEST, "invalid_grant", description)
    }

    /// The refresh of a dead refresh token, in Google's words.
    pub(crate) fn expired_or_revoked() -> Self {
        Self::invalid_grant("Token has been expired or revoked.")
    }

    /// 401 `invalid_client`.
    pub(crate) fn invalid_client(description: impl Into<String>) -> Self {
        Self::new(StatusCode::UNAUTHORIZED, "invalid_client", description)
    }

    pub(crate) fn to_response(&self) -> HttpResponse {
        json_response(
            self.status,
            &json!({ "error": self.error, "error_description": self.description }),
        )
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_envelope_matches_the_reference() {
        let body = GoogleError::quota_exceeded().body(false);
        assert_eq!(body["error"]["code"], 403);
        assert_eq!(body["error"]["errors"][0]["reason"], "quotaExceeded");
        assert_eq!(body["error"]["errors"][0]["domain"], "youtube.quota");
        assert!(
            body["error"]["message"]
                .as_str()
                .is_some_and(|m| m.contains("<a href"))
        );
        assert!(body["error"].get("status").is_none());
        let body = GoogleError::auth_error().body(true);
        assert_eq!(body["error"]["status"], "UNAUTHENTICATED");
        assert_eq!(body["error"]["errors"][0]["locationType"], "header");
        let body =
            GoogleError::per_day_limit("Search", "42", StatusCode::TOO_MANY_REQUESTS).body(true);
        assert_eq!(body["error"]["status"], "RESOURCE_EXHAUSTED");
        assert!(
            body["error"]["message"]
                .as_str()
                .is_some_and(|m| m.contains("'Search per day'"))
        );
    }
}

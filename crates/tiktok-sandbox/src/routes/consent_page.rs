//! The HTML of the consent and error pages. Everything echoed is escaped.

use std::fmt::Write as _;

use super::authorize::AuthorizeRequest;
use crate::data::{CreatorRecord, UrlContext};
use crate::endpoint::Endpoint;
use crate::html::escape_html;
use crate::scope::{Scope, format_scope_list};
use crate::wire::OAuthError;

const STYLE: &str = "body{font-family:system-ui,sans-serif;background:#f1f1f2;margin:0;\
display:flex;justify-content:center;padding:40px 12px;color:#161823}\
main{background:#fff;border-radius:12px;max-width:440px;width:100%;padding:28px;\
box-shadow:0 2px 12px rgba(0,0,0,.08)}h1{font-size:20px;margin:0 0 4px}\
.badge{display:inline-block;font-size:12px;background:#fe2c55;color:#fff;border-radius:4px;\
padding:2px 6px;margin-bottom:16px}label{display:block;margin:8px 0}\
select{width:100%;padding:8px;font-size:15px}fieldset{border:1px solid #e3e3e4;\
border-radius:8px;margin:16px 0;padding:8px 12px}.buttons{display:flex;gap:12px}\
button{flex:1;padding:12px;font-size:16px;border-radius:6px;border:1px solid #e3e3e4;\
cursor:pointer}button[value=authorize]{background:#fe2c55;color:#fff;border:none}\
code{background:#f1f1f2;padding:1px 4px;border-radius:3px}";

fn page(title: &str, body: &str) -> String {
    format!(
        "<!DOCTYPE html><html lang=\"en\"><head><meta charset=\"utf-8\">\
         <meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\
         <title>{title}</title><style>{STYLE}</style></head><body><main>\
         <span class=\"badge\">TikTok sandbox</span>{body}</main></body></html>",
        title = escape_html(title),
    )
}

fn hidden(html: &mut String, name: &str, value: &str) {
    let _ = write!(
        html,
        "<input type=\"hidden\" name=\"{name}\" value=\"{}\">",
        escape_html(value)
    );
}

/// The consent page: who signs in (a select of every creator), which scopes (one checkbox
/// each), and the Authorize / Cancel buttons.
pub(crate) fn render_consent_page(
    request: &AuthorizeRequest,
    creators: &[CreatorRecord],
    urls: &UrlContext,
) -> String {
    let mut body = String::new();
    let _ = write!(
        body,
        "<h1>Log in with TikTok</h1><p><strong>{}</strong> would like to access your TikTok \
         account.</p><form method=\"post\" action=\"{}\">",
        escape_html(&request.client_key),
        Endpoint::Authorize.path(),
    );
    hidden(&mut body, "client_key", &request.client_key);
    hidden(&mut body, "redirect_uri", &request.redirect_uri);
    hidden(&mut body, "response_type", "code");
    hidden(&mut body, "scope", &format_scope_list(&request.scopes));
    hidden(
        &mut body,
        "state",
        request.state.as_deref().unwrap_or_default(),
    );
    hidden(
        &mut body,
        "code_challenge",
        request.code_challenge.as_deref().unwrap_or_default(),
    );
    hidden(
        &mut body,
        "code_challenge_method",
        request.code_challenge_method.as_deref().unwrap_or_default(),
    );

    body.push_str(
        "<label for=\"open_id\">Sign in as</label><select id=\"open_id\" name=\"open_id\">",
    );
    for creator in creators {
        let _ = write!(
            body,
            "<option value=\"{}\">{} (@{})</option>",
            escape_html(&creator.open_id),
            escape_html(&creator.display_name),
            escape_html(&creator.username),
        );
    }
    body.push_str("</select>");
    if let Some(first) = creators.first() {
        let _ = write!(
            body,
            "<p><img src=\"{}\" alt=\"\" width=\"48\" height=\"48\"></p>",
            escape_html(&urls.avatar(&first.open_id, 100))
        );
    }

    body.push_str("<fieldset><legend>This app will be able to</legend>");
    for scope in &request.scopes {
        // user.info.basic is TikTok's default scope: shown, always granted.
        let lock = if *scope == Scope::UserInfoBasic {
            " disabled"
        } else {
            ""
        };
        let _ = write!(
            body,
            "<label><input type=\"checkbox\" name=\"granted_scope\" value=\"{name}\" checked{lock}> \
             {description} <code>{name}</code></label>",
            name = scope.as_str(),
            description = escape_html(scope.description()),
        );
    }
    body.push_str(
        "</fieldset><div class=\"buttons\">\
         <button type=\"submit\" name=\"decision\" value=\"cancel\">Cancel</button>\
         <button type=\"submit\" name=\"decision\" value=\"authorize\">Authorize</button>\
         </div></form>",
    );
    page("Log in with TikTok", &body)
}

/// The page shown instead of a redirect when the request itself is wrong.
pub(crate) fn render_error_page(error: &OAuthError, log_id: &str) -> String {
    let body = format!(
        "<h1>We couldn't log in with TikTok</h1><p>{}</p>\
         <p>Error: <code id=\"error\">{}</code></p><p>Log ID: <code id=\"log_id\">{}</code></p>",
        escape_html(&error.description),
        escape_html(error.error),
        escape_html(log_id),
    );
    page("We couldn't log in with TikTok", &body)
}

#[cfg(test)]
mod tests {
    use chrono::DateTime;

    use super::*;
    use crate::config::VideosPerCreator;
    use crate::data::Catalog;

    #[test]
    fn echoed_values_are_escaped() {
        let start = DateTime::from_timestamp(1_764_061_200, 0).expect("valid time");
        let catalog = Catalog::generate(1, 2, &VideosPerCreator::Fixed(0), start);
        let request = AuthorizeRequest {
            client_key: "key".into(),
            redirect_uri: "https://app.test/cb".into(),
            scopes: [Scope::UserInfoBasic, Scope::VideoList]
                .into_iter()
                .collect(),
            state: Some("\"><script>alert(1)</script>".into()),
            code_challenge: None,
            code_challenge_method: None,
        };
        let urls = UrlContext {
            base_url: url::Url::parse("http://127.0.0.1:1/").expect("valid URL"),
            now: start,
        };
        let html = render_consent_page(&request, &catalog.creators, &urls);
        assert!(!html.contains("<script>"));
        assert!(html.contains("&quot;&gt;&lt;script&gt;"));
        assert!(html.contains("name=\"granted_scope\" value=\"video.list\""));
    }
}

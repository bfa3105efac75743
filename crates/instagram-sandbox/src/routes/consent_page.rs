//! The HTML of the consent and error pages. Everything echoed is escaped.

use std::fmt::Write as _;

use super::authorize::{AuthorizeRequest, PageError};
use crate::accounts::{AccountKind, AccountRecord};
use crate::html::escape_html;
use crate::scope::{BASIC, SCOPES};

const STYLE: &str = "body{font-family:system-ui,sans-serif;background:#fafafa;margin:0;\
display:flex;justify-content:center;padding:40px 12px;color:#262626}\
main{background:#fff;border:1px solid #dbdbdb;border-radius:12px;max-width:440px;width:100%;\
padding:28px}h1{font-size:20px;margin:0 0 4px}.badge{display:inline-block;font-size:12px;\
background:linear-gradient(45deg,#f09433,#dc2743,#bc1888);color:#fff;border-radius:4px;\
padding:2px 6px;margin-bottom:16px}label{display:block;margin:8px 0}select{width:100%;\
padding:8px;font-size:15px}fieldset{border:1px solid #dbdbdb;border-radius:8px;margin:16px 0;\
padding:8px 12px}.buttons{display:flex;gap:12px}button{flex:1;padding:12px;font-size:16px;\
border-radius:8px;border:1px solid #dbdbdb;cursor:pointer}button[value=approve]{\
background:#0095f6;color:#fff;border:none}code{background:#efefef;padding:1px 4px;border-radius:3px}";

fn page(title: &str, body: &str) -> String {
    format!(
        "<!DOCTYPE html><html lang=\"en\"><head><meta charset=\"utf-8\">\
         <meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\
         <title>{title}</title><style>{STYLE}</style></head><body><main>\
         <span class=\"badge\">Instagram sandbox</span>{body}</main></body></html>",
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

/// The consent page: who logs in (every account; a personal one is refused on submit), which
/// permissions (one checkbox each), and the Allow / Cancel buttons.
pub(crate) fn render_consent_page(
    request: &AuthorizeRequest,
    accounts: &[AccountRecord],
) -> String {
    let mut body = String::new();
    let _ = write!(
        body,
        "<h1>Log in with Instagram</h1><p>App <strong>{}</strong> would like to access your \
         Instagram professional account.</p><form method=\"post\" action=\"/www/oauth/authorize\">",
        escape_html(&request.client_id),
    );
    hidden(&mut body, "client_id", &request.client_id);
    hidden(&mut body, "redirect_uri", &request.redirect_uri);
    hidden(&mut body, "response_type", "code");
    hidden(&mut body, "scope", &request.scopes.join(","));
    hidden(
        &mut body,
        "state",
        request.state.as_deref().unwrap_or_default(),
    );
    body.push_str(
        "<label for=\"user_id\">Log in as</label><select id=\"user_id\" name=\"user_id\">",
    );
    for account in accounts {
        let kind = match account.spec.kind {
            AccountKind::Business => "Business",
            AccountKind::Creator => "Creator",
            AccountKind::Personal => "personal: cannot log in",
        };
        let _ = write!(
            body,
            "<option value=\"{}\">@{} ({}, {} followers)</option>",
            escape_html(&account.ig_user_id),
            escape_html(&account.spec.username),
            kind,
            account.spec.followers,
        );
    }
    body.push_str("</select><fieldset><legend>This app will be able to</legend>");
    for scope in &request.scopes {
        let description = SCOPES
            .iter()
            .find(|(name, _)| name == scope)
            .map_or("", |(_, description)| description);
        // instagram_business_basic is required: shown, always granted.
        let lock = if scope == BASIC { " disabled" } else { "" };
        let _ = write!(
            body,
            "<label><input type=\"checkbox\" name=\"granted_scope\" value=\"{name}\" checked{lock}> \
             {description} <code>{name}</code></label>",
            name = escape_html(scope),
            description = escape_html(description),
        );
    }
    body.push_str(
        "</fieldset><div class=\"buttons\">\
         <button type=\"submit\" name=\"decision\" value=\"deny\">Cancel</button>\
         <button type=\"submit\" name=\"decision\" value=\"approve\">Allow</button>\
         </div></form>",
    );
    page("Log in with Instagram", &body)
}

/// The page shown instead of a redirect when the request itself is wrong.
pub(crate) fn render_error_page(error: &PageError) -> String {
    let body = format!(
        "<h1>Sorry, this page isn't available</h1><p>{}</p><p>Error: <code id=\"error\">{}</code></p>",
        escape_html(&error.message),
        escape_html(error.code),
    );
    page("Instagram", &body)
}

/// Renders a consent page without a server, for the form reader's tests.
#[cfg(test)]
pub(crate) fn render_consent_page_for_tests(state: &str, accounts: &[AccountRecord]) -> String {
    let request = AuthorizeRequest {
        client_id: "990602627938098".into(),
        redirect_uri: "https://app.test/cb".into(),
        scopes: vec![BASIC.into(), crate::scope::MANAGE_INSIGHTS.into()],
        state: Some(state.into()),
    };
    render_consent_page(&request, accounts)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::accounts::{AccountSpec, Catalog, test_start};

    #[test]
    fn echoed_values_are_escaped() {
        let catalog = Catalog::generate(1, &AccountSpec::defaults(), test_start());
        let html = render_consent_page_for_tests("\"><script>alert(1)</script>", &catalog.accounts);
        assert!(!html.contains("<script>"));
        assert!(html.contains("&quot;&gt;&lt;script&gt;"));
        let error = render_error_page(&PageError {
            code: "invalid_request",
            message: "<b>bad</b>".into(),
        });
        assert!(error.contains("&lt;b&gt;bad"));
    }
}

//! The HTML of the consent and error pages. Everything echoed is escaped.

use std::fmt::Write as _;

use super::authorize::{ACCESS_HOURS, AuthorizeRequest, PageError};
use crate::catalog::AccountRecord;
use crate::grants::ChallengeMethod;
use crate::html::escape_html;
use crate::scope::{description, is_sign_in};

const STYLE: &str = "body{font-family:'Google Sans',Roboto,system-ui,sans-serif;background:#f0f4f9;\
margin:0;display:flex;justify-content:center;padding:40px 12px;color:#1f1f1f}\
main{background:#fff;border-radius:28px;max-width:480px;width:100%;padding:36px}\
h1{font-size:24px;font-weight:400;margin:0 0 8px}.badge{display:inline-block;font-size:12px;\
background:#e8f0fe;color:#0b57d0;border-radius:4px;padding:2px 6px;margin-bottom:16px}\
.warning{background:#fef7e0;border-radius:8px;padding:10px 12px;margin:12px 0}\
label{display:block;margin:10px 0}select{width:100%;padding:10px;font-size:15px}\
fieldset{border:1px solid #c4c7c5;border-radius:8px;margin:16px 0;padding:8px 14px}\
.buttons{display:flex;gap:12px;justify-content:flex-end}button{padding:10px 24px;font-size:15px;\
border-radius:20px;border:1px solid #747775;background:#fff;cursor:pointer}\
button[value=allow]{background:#0b57d0;color:#fff;border:none}\
code{background:#f1f3f4;padding:1px 4px;border-radius:3px;font-size:12px}";

fn page(title: &str, body: &str) -> String {
    format!(
        "<!DOCTYPE html><html lang=\"en\"><head><meta charset=\"utf-8\">\
         <meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\
         <title>{title}</title><style>{STYLE}</style></head><body><main>\
         <span class=\"badge\">Google sandbox</span>{body}</main></body></html>",
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

/// The consent page: the account chooser (every account, with or without a channel), the
/// Sign-In scopes (granted), one checkbox per other scope, optionally time-based access, and
/// the Allow / Cancel buttons.
pub(crate) fn render_consent_page(
    request: &AuthorizeRequest,
    accounts: &[AccountRecord],
    offer_time_based_access: bool,
) -> String {
    let mut body = String::new();
    let _ = write!(
        body,
        "<h1>Sign in with Google</h1><p><strong>{}</strong> wants access to your Google Account.</p>",
        escape_html(&request.client_id),
    );
    if request.testing {
        body.push_str(
            "<p class=\"warning\">Google hasn't verified this app. It is in testing: access \
             you grant lasts 7 days.</p>",
        );
    }
    body.push_str("<form method=\"post\" action=\"/o/oauth2/v2/auth\">");
    hidden(&mut body, "client_id", &request.client_id);
    hidden(&mut body, "redirect_uri", &request.redirect_uri);
    hidden(&mut body, "response_type", "code");
    hidden(&mut body, "scope", &request.scopes.join(" "));
    hidden(
        &mut body,
        "state",
        request.state.as_deref().unwrap_or_default(),
    );
    hidden(
        &mut body,
        "access_type",
        if request.offline { "offline" } else { "online" },
    );
    hidden(&mut body, "prompt", &request.prompt.join(" "));
    hidden(
        &mut body,
        "include_granted_scopes",
        if request.include_granted_scopes {
            "true"
        } else {
            "false"
        },
    );
    if let Some((challenge, method)) = &request.challenge {
        hidden(&mut body, "code_challenge", challenge);
        hidden(
            &mut body,
            "code_challenge_method",
            match method {
                ChallengeMethod::S256 => "S256",
                ChallengeMethod::Plain => "plain",
            },
        );
    }
    body.push_str(
        "<label for=\"account\">Choose an account</label><select id=\"account\" name=\"account\">",
    );
    for account in accounts {
        let channel = account.channel_spec().map_or_else(
            || "no YouTube channel".to_owned(),
            |spec| spec.title.clone(),
        );
        let selected = if request.login_hint.as_deref() == Some(account.spec.email.as_str()) {
            " selected"
        } else {
            ""
        };
        let _ = write!(
            body,
            "<option value=\"{email}\"{selected}>{name} &lt;{email}&gt; ({channel})</option>",
            email = escape_html(&account.spec.email),
            name = escape_html(&account.spec.name),
            channel = escape_html(&channel),
        );
    }
    body.push_str("</select>");
    let sign_in: Vec<&String> = request
        .scopes
        .iter()
        .filter(|scope| is_sign_in(scope))
        .collect();
    if !sign_in.is_empty() {
        body.push_str("<p>Signing in shares your name, email address and profile picture:</p><ul>");
        for scope in sign_in {
            let _ = write!(
                body,
                "<li>{} <code>{}</code></li>",
                escape_html(description(scope)),
                escape_html(scope)
            );
        }
        body.push_str("</ul>");
    }
    body.push_str("<fieldset><legend>Select what the app can access</legend>");
    for scope in request.scopes.iter().filter(|scope| !is_sign_in(scope)) {
        let _ = write!(
            body,
            "<label><input type=\"checkbox\" name=\"scope_choice\" value=\"{name}\" checked> \
             {description} <code>{name}</code></label>",
            name = escape_html(scope),
            description = escape_html(description(scope)),
        );
    }
    body.push_str("</fieldset>");
    if offer_time_based_access {
        body.push_str(
            "<fieldset><legend>How long</legend><label><input type=\"radio\" \
             name=\"access_hours\" value=\"\" checked> Until I remove access</label>",
        );
        for hours in ACCESS_HOURS {
            let _ = write!(
                body,
                "<label><input type=\"radio\" name=\"access_hours\" value=\"{hours}\"> For {hours} hours</label>"
            );
        }
        body.push_str("</fieldset>");
    }
    body.push_str(
        "<div class=\"buttons\">\
         <button type=\"submit\" name=\"decision\" value=\"deny\">Cancel</button>\
         <button type=\"submit\" name=\"decision\" value=\"allow\">Continue</button>\
         </div></form>",
    );
    page("Sign in - Google Accounts", &body)
}

/// The page shown instead of a redirect when the request itself is wrong.
pub(crate) fn render_error_page(error: &PageError) -> String {
    let body = format!(
        "<h1>Access blocked: this app's request is invalid</h1><p>{}</p>\
         <p>Error 400: <code id=\"error\">{}</code></p>",
        escape_html(&error.message),
        escape_html(error.code),
    );
    page("Error 400", &body)
}

/// Renders a consent page without a server, for the form reader's tests.
#[cfg(test)]
pub(crate) fn render_consent_page_for_tests(
    state: &str,
    accounts: &[AccountRecord],
    time_based: bool,
) -> String {
    let request = AuthorizeRequest {
        client_id: "1234567890-sandbox.apps.googleusercontent.com".into(),
        redirect_uri: "https://app.test/cb".into(),
        scopes: vec![
            crate::scope::OPENID.into(),
            crate::scope::EMAIL.into(),
            crate::scope::YOUTUBE_READONLY.into(),
            crate::scope::ANALYTICS_READONLY.into(),
        ],
        state: Some(state.into()),
        offline: true,
        prompt: vec!["consent".into()],
        include_granted_scopes: true,
        challenge: Some((
            "E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM".into(),
            ChallengeMethod::S256,
        )),
        login_hint: None,
        testing: true,
    };
    render_consent_page(&request, accounts, time_based)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::catalog::{AccountSpec, Catalog, test_start};

    #[test]
    fn echoed_values_are_escaped() {
        let catalog = Catalog::generate(1, &AccountSpec::defaults(), test_start());
        let html =
            render_consent_page_for_tests("\"><script>alert(1)</script>", &catalog.accounts, false);
        assert!(!html.contains("<script>"));
        assert!(html.contains("&quot;&gt;&lt;script&gt;"));
        assert!(html.contains("Kenji Plays &lt;Live&gt; &amp; Shorts"));
        assert!(html.contains("hasn't verified"));
        let error = render_error_page(&PageError {
            code: "invalid_scope",
            message: "<b>bad</b>".into(),
        });
        assert!(error.contains("&lt;b&gt;bad"));
    }
}

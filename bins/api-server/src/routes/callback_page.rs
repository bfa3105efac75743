//! The small HTML page the OAuth callback answers: it tells the window that opened the popup
//! how the connection ended (`postMessage` to `APP_ORIGIN` only), then closes itself. Without
//! an opener (the link was opened in a tab) it shows the outcome and a link back.

use domain::Platform;
use serde::Serialize;

use crate::error::ErrorCode;
use crate::middleware::security_headers::CspNonce;

/// What the page reports to the opener, as `docs/api.md` describes.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct CallbackMessage {
    /// `<platform>:connected` or `<platform>:error` (`tiktok:connected`...).
    #[serde(rename = "type")]
    pub kind: String,
    /// On error, a stable snake_case code (`cancelled`, `invalid_state`, ...).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub code: Option<ErrorCode>,
    /// A sentence for the creator.
    pub message: String,
    /// On success, the creator's handle.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub handle: Option<String>,
    /// On success, the creator's display name.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub display_name: Option<String>,
    /// The platform's name as shown (the page's title), not posted.
    #[serde(skip)]
    pub platform_name: String,
}

impl CallbackMessage {
    /// A successful connection to `platform` (shown as `platform_name`).
    pub fn connected(
        platform: Platform,
        platform_name: &str,
        handle: Option<String>,
        display_name: Option<String>,
    ) -> Self {
        let message = match &handle {
            Some(handle) => format!("{platform_name} account @{handle} connected"),
            None => format!("{platform_name} account connected"),
        };
        Self {
            kind: format!("{platform}:connected"),
            code: None,
            message,
            handle,
            display_name,
            platform_name: platform_name.to_owned(),
        }
    }

    /// A failed connection to `platform` (shown as `platform_name`).
    pub fn error(
        platform: Platform,
        platform_name: &str,
        code: ErrorCode,
        message: String,
    ) -> Self {
        Self {
            kind: format!("{platform}:error"),
            code: Some(code),
            message,
            handle: None,
            display_name: None,
            platform_name: platform_name.to_owned(),
        }
    }

    fn is_success(&self) -> bool {
        self.code.is_none()
    }
}

/// JSON safe to place inside a `<script>` element: `<`, `>` and `&` are escaped so the text
/// can never close the element or open a comment, whatever the strings hold.
fn script_json<T: Serialize>(value: &T) -> String {
    serde_json::to_string(value)
        .unwrap_or_else(|_| "null".to_owned())
        .replace('<', "\\u003c")
        .replace('>', "\\u003e")
        .replace('&', "\\u0026")
}

/// Escapes text for HTML element content and attribute values.
pub(crate) fn escape_html(text: &str) -> String {
    let mut escaped = String::with_capacity(text.len());
    for character in text.chars() {
        match character {
            '&' => escaped.push_str("&amp;"),
            '<' => escaped.push_str("&lt;"),
            '>' => escaped.push_str("&gt;"),
            '"' => escaped.push_str("&quot;"),
            '\'' => escaped.push_str("&#39;"),
            other => escaped.push(other),
        }
    }
    escaped
}

/// Renders the page. The message is posted to the app's origins only (`APP_ORIGIN` first,
/// then the other allowed origins: the browser delivers it to the one the opener has and
/// drops the others); `app_origins[0]` is also where the fallback link points.
pub fn render(message: &CallbackMessage, app_origins: &[&str], nonce: &CspNonce) -> String {
    let app_origin = app_origins.first().copied().unwrap_or("/");
    let name = escape_html(&message.platform_name);
    let title = if message.is_success() {
        format!("{name} connected")
    } else {
        format!("{name} connection failed")
    };
    let nonce = nonce.as_str();
    let payload = script_json(message);
    let targets = script_json(&app_origins);
    let text = escape_html(&message.message);
    let back = escape_html(app_origin);
    format!(
        r#"<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>{title}</title>
<style nonce="{nonce}">
body {{ font: 16px/1.5 system-ui, sans-serif; margin: 0; min-height: 100vh; display: grid; place-items: center; background: #f6f6f7; color: #161823; }}
main {{ background: #fff; padding: 2rem; border-radius: 12px; box-shadow: 0 1px 3px rgba(0,0,0,.12); max-width: 26rem; text-align: center; }}
a {{ color: #161823; font-weight: 600; }}
</style>
</head>
<body>
<main>
<h1>{title}</h1>
<p data-testid="callback-message">{text}</p>
<p id="fallback" hidden>You can close this window, or <a href="{back}">go back to the app</a>.</p>
</main>
<script nonce="{nonce}">
(function () {{
  var message = {payload};
  var targets = {targets};
  if (window.opener && !window.opener.closed) {{
    targets.forEach(function (target) {{ window.opener.postMessage(message, target); }});
    window.close();
  }}
  document.getElementById("fallback").hidden = false;
}})();
</script>
</body>
</html>
"#
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    fn nonce() -> CspNonce {
        CspNonce::for_tests("bm9uY2U=")
    }

    #[test]
    fn hostile_strings_cannot_break_out_of_the_script_or_the_markup() {
        let message = CallbackMessage::connected(
            services::platforms::tiktok::TIKTOK,
            "TikTok",
            Some("</script><script>alert(1)</script>".into()),
            Some("<b>&\"'".into()),
        );
        let page = render(&message, &["https://app.example"], &nonce());
        assert_eq!(page.matches("</script>").count(), 1, "{page}");
        assert!(page.contains("\\u003c/script\\u003e"));
        assert!(page.contains("&lt;/script&gt;"));
        assert!(!page.contains("<b>&"));
    }

    #[test]
    fn posts_to_the_app_origin_only() {
        let page = render(
            &CallbackMessage::error(
                services::platforms::tiktok::TIKTOK,
                "TikTok",
                ErrorCode::Cancelled,
                "Connection cancelled".into(),
            ),
            &["https://app.example", "http://127.0.0.1:5001"],
            &nonce(),
        );
        assert!(page.contains(r#"var targets = ["https://app.example","http://127.0.0.1:5001"];"#));
        assert!(page.contains(r#""type":"tiktok:error""#));
        assert!(page.contains(r#""code":"cancelled""#));
        assert!(page.contains(r#"<script nonce="bm9uY2U=">"#));
        assert!(!page.contains("\"*\""));
        assert!(page.contains("<title>TikTok connection failed</title>"));
    }

    #[test]
    fn the_title_names_the_platform() {
        let message = CallbackMessage::connected(
            services::platforms::instagram::INSTAGRAM,
            "Instagram",
            Some("metricsaurus".into()),
            None,
        );
        let page = render(&message, &["https://app.example"], &nonce());
        assert!(
            page.contains("<title>Instagram connected</title>"),
            "{page}"
        );
        assert!(page.contains(r#""type":"instagram:connected""#));
        assert!(!page.contains("TikTok"), "{page}");
    }
}

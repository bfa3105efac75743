//! `GET /`: a small HTML overview for people who open the sandbox's base URL in a browser.

use std::fmt::Write as _;

use actix_web::{HttpResponse, web};

use crate::html::escape_html;
use crate::state::SandboxState;

/// Registers the index page.
pub(crate) fn configure(config: &mut web::ServiceConfig) {
    config.service(web::resource("/").route(web::get().to(index)));
}

async fn index(state: web::Data<SandboxState>) -> HttpResponse {
    let (day, urls) = (state.clock.day(), state.urls());
    let mut rows = String::new();
    for creator in &state.catalog.creators {
        let summary = creator.summary(day, state.catalog.anchor_day, &urls);
        let _ = write!(
            rows,
            "<tr><td>@{}</td><td>{}</td><td><code>{}</code></td><td>{}</td><td>{}</td><td>{}</td></tr>",
            escape_html(&summary.username),
            escape_html(&summary.display_name),
            escape_html(&summary.open_id),
            summary.follower_count,
            summary.video_count,
            if summary.is_verified { "yes" } else { "" },
        );
    }
    let clients: Vec<String> = state
        .config
        .clients
        .iter()
        .map(|client| format!("<code>{}</code>", escape_html(&client.client_key)))
        .collect();
    let body = format!(
        "<!DOCTYPE html><html lang=\"en\"><head><meta charset=\"utf-8\"><title>TikTok sandbox</title>\
         <style>body{{font-family:system-ui,sans-serif;margin:2em;color:#161823}}\
         td,th{{padding:4px 10px;text-align:left;border-bottom:1px solid #e3e3e4}}</style></head>\
         <body><h1>TikTok API v2 sandbox</h1>\
         <p>Base URL (authorize and API): <code>{base}</code><br>Clock: <code>{now}</code><br>\
         Registered apps: {clients}</p>\
         <p>TikTok paths: <code>/v2/auth/authorize/</code>, <code>/v2/oauth/token/</code>, \
         <code>/v2/oauth/revoke/</code>, <code>/v2/user/info/</code>, <code>/v2/video/list/</code>, \
         <code>/v2/video/query/</code>. Control API: <code>/sandbox/clock</code>, \
         <code>/sandbox/faults</code>, <code>/sandbox/calls</code>, <code>/sandbox/creators</code>, \
         <code>/sandbox/revocations</code>, <code>/sandbox/webhooks</code>.</p>\
         <table><tr><th>Handle</th><th>Name</th><th>open_id</th><th>Followers</th><th>Videos</th>\
         <th>Verified</th></tr>{rows}</table></body></html>",
        base = escape_html(state.base_url.as_str()),
        now = state.clock.now().to_rfc3339(),
        clients = clients.join(", "),
    );
    HttpResponse::Ok()
        .content_type("text/html; charset=utf-8")
        .body(body)
}

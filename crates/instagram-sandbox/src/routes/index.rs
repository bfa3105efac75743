//! `GET /`: a small HTML overview for people who open the sandbox in a browser.

use std::fmt::Write as _;

use actix_web::{HttpResponse, web};

use crate::html::escape_html;
use crate::state::SandboxState;

/// Registers the index page.
pub(crate) fn configure(config: &mut web::ServiceConfig) {
    config.service(web::resource("/").route(web::get().to(index)));
}

async fn index(state: web::Data<SandboxState>) -> HttpResponse {
    let now = state.clock.now();
    let mut rows = String::new();
    for account in &state.catalog.accounts {
        let summary = account.summary(state.catalog.start, now);
        let _ = write!(
            rows,
            "<tr><td>@{}</td><td>{}</td><td><code>{}</code></td><td>{:?}</td><td>{}</td><td>{}</td></tr>",
            escape_html(&summary.username),
            escape_html(&summary.name),
            escape_html(&summary.ig_user_id),
            summary.kind,
            summary.followers_count,
            summary.media_count,
        );
    }
    let apps: Vec<String> = state
        .config
        .apps
        .iter()
        .map(|app| format!("<code>{}</code>", escape_html(&app.app_id)))
        .collect();
    let base = escape_html(state.base_url.as_str());
    let body = format!(
        "<!DOCTYPE html><html lang=\"en\"><head><meta charset=\"utf-8\"><title>Instagram sandbox</title>\
         <style>body{{font-family:system-ui,sans-serif;margin:2em;color:#262626}}\
         td,th{{padding:4px 10px;text-align:left;border-bottom:1px solid #dbdbdb}}</style></head>\
         <body><h1>Instagram API with Instagram Login: sandbox</h1>\
         <p>www.instagram.com: <code>{base}www/</code><br>api.instagram.com: <code>{base}api/</code><br>\
         graph.instagram.com: <code>{base}graph/</code><br>Clock: <code>{now}</code><br>Apps: {apps}</p>\
         <p>Control API under <code>/sandbox/</code>: clock, faults, calls, accounts, grants, callbacks.</p>\
         <table><tr><th>Username</th><th>Name</th><th>ig user id</th><th>Kind</th><th>Followers</th>\
         <th>Media</th></tr>{rows}</table></body></html>",
        now = now.to_rfc3339(),
        apps = apps.join(", "),
    );
    HttpResponse::Ok()
        .content_type("text/html; charset=utf-8")
        .body(body)
}

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
        let (channel, subscribers, uploads) = match &summary.channel {
            Some(channel) => (
                format!("{} {}", channel.title, channel.handle),
                if channel.hidden_subscriber_count {
                    format!("{} (hidden)", channel.subscribers)
                } else {
                    channel.subscribers.to_string()
                },
                channel.uploads.to_string(),
            ),
            None => ("no channel".to_owned(), "-".to_owned(), "-".to_owned()),
        };
        let _ = write!(
            rows,
            "<tr><td>{}</td><td>{}</td><td>{}</td><td>{}</td><td>{}</td></tr>",
            escape_html(&summary.email),
            escape_html(&summary.name),
            escape_html(&channel),
            escape_html(&subscribers),
            escape_html(&uploads),
        );
    }
    let clients: Vec<String> = state
        .config
        .clients
        .iter()
        .map(|client| format!("<code>{}</code>", escape_html(&client.client_id)))
        .collect();
    let base = escape_html(state.base_url.as_str());
    let body = format!(
        "<!DOCTYPE html><html lang=\"en\"><head><meta charset=\"utf-8\"><title>YouTube sandbox</title>\
         <style>body{{font-family:system-ui,sans-serif;margin:2em;color:#1f1f1f}}\
         td,th{{padding:4px 10px;text-align:left;border-bottom:1px solid #ddd}}</style></head>\
         <body><h1>YouTube (Google OAuth, Data API v3, Analytics): sandbox</h1>\
         <p>Every Google host is served from <code>{base}</code>: consent <code>o/oauth2/v2/auth</code>, \
         tokens <code>token</code>, <code>revoke</code>, Data API <code>youtube/v3/</code>, Analytics \
         <code>v2/reports</code>.<br>Clock: <code>{now}</code><br>Clients: {clients}</p>\
         <p>Control API under <code>/sandbox/</code>: clock, faults, calls, accounts, grants, quota.</p>\
         <table><tr><th>Email</th><th>Name</th><th>Channel</th><th>Subscribers</th><th>Uploads</th></tr>\
         {rows}</table></body></html>",
        now = now.to_rfc3339(),
        clients = clients.join(", "),
    );
    HttpResponse::Ok()
        .content_type("text/html; charset=utf-8")
        .body(body)
}

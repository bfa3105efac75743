//! Placeholder images for avatars and covers, so a demo UI shows pictures without reaching
//! TikTok's CDN. Generated SVG, nothing stored.

use actix_web::{HttpResponse, web};

use crate::html::escape_html;
use crate::state::SandboxState;

/// Registers the media routes.
pub(crate) fn configure(config: &mut web::ServiceConfig) {
    config
        .service(web::resource("/sandbox/media/avatar/{file}").route(web::get().to(avatar)))
        .service(web::resource("/sandbox/media/cover/{file}").route(web::get().to(cover)));
}

fn svg(body: String) -> HttpResponse {
    HttpResponse::Ok()
        .content_type("image/svg+xml")
        .insert_header(("cache-control", "public, max-age=3600"))
        .body(body)
}

async fn avatar(state: web::Data<SandboxState>, path: web::Path<String>) -> HttpResponse {
    let open_id = path.trim_end_matches(".svg");
    let Some(creator) = state.catalog.creator(open_id) else {
        return HttpResponse::NotFound().finish();
    };
    let initials: String = creator
        .display_name
        .split_whitespace()
        .filter_map(|word| word.chars().next())
        .filter(|c| c.is_alphabetic())
        .take(2)
        .collect();
    svg(format!(
        "<svg xmlns=\"http://www.w3.org/2000/svg\" viewBox=\"0 0 100 100\">\
         <circle cx=\"50\" cy=\"50\" r=\"50\" fill=\"hsl({hue},60%,55%)\"/>\
         <text x=\"50\" y=\"62\" font-family=\"sans-serif\" font-size=\"36\" fill=\"#fff\" \
         text-anchor=\"middle\">{initials}</text></svg>",
        hue = creator.avatar_hue,
        initials = escape_html(&initials),
    ))
}

async fn cover(path: web::Path<String>) -> HttpResponse {
    let video_id = path.trim_end_matches(".svg");
    if video_id.is_empty() || !video_id.bytes().all(|b| b.is_ascii_digit()) {
        return HttpResponse::NotFound().finish();
    }
    let hue = video_id.bytes().fold(0_u32, |hash, b| {
        hash.wrapping_mul(31).wrapping_add(u32::from(b))
    }) % 360;
    svg(format!(
        "<svg xmlns=\"http://www.w3.org/2000/svg\" viewBox=\"0 0 90 160\">\
         <rect width=\"90\" height=\"160\" fill=\"hsl({hue},45%,35%)\"/>\
         <polygon points=\"35,65 35,95 60,80\" fill=\"#fff\" opacity=\"0.8\"/></svg>"
    ))
}

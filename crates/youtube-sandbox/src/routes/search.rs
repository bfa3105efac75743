//! `GET /youtube/v3/search` (`search.list`): a channel's videos, newest first, at most 500
//! results. Clients should never need it (its own bucket of 100 calls a day, or 100 units a
//! call in the older reading); it is here so that its quota is exercised.

use actix_web::{HttpRequest, HttpResponse, web};
use serde_json::{Value, json};

use super::gate::{Admitted, Rejection, admit, max_results, parts};
use super::{field, query_pairs, render};
use crate::catalog::{Privacy, VideoKind, VideoRecord};
use crate::endpoint::Endpoint;
use crate::page_token;
use crate::state::SandboxState;
use crate::wire::GoogleError;

/// Results `search.list` reaches for one channel.
const MAX_RESULTS: usize = 500;

/// `GET /youtube/v3/search`.
pub(crate) async fn list(state: web::Data<SandboxState>, request: HttpRequest) -> HttpResponse {
    let pairs = query_pairs(&request);
    let admitted = match admit(&state, &request, &pairs, Endpoint::Search).await {
        Ok(admitted) => admitted,
        Err(response) => return response,
    };
    answer(&admitted, &request, &pairs).unwrap_or_else(HttpResponse::from)
}

fn answer(
    admitted: &Admitted<'_>,
    request: &HttpRequest,
    pairs: &[(String, String)],
) -> Result<HttpResponse, Rejection> {
    let state = admitted.state;
    let parts = parts(admitted, pairs, &["id", "snippet"])?;
    admitted.require_channel()?;
    let max = max_results(admitted, pairs, 5)?;
    let owner = if field(pairs, "forMine") == Some("true") {
        admitted.account()
    } else {
        field(pairs, "channelId").and_then(|id| state.account_index(id))
    };
    let Some(owner) = owner else {
        return Err(admitted.error(&GoogleError::missing_filter("channelId, forMine")));
    };
    let record = &state.catalog.accounts[owner];
    let (Some(channel), Some(spec)) = (record.channel.as_ref(), record.channel_spec()) else {
        return Err(admitted.error(&GoogleError::channel_not_found()));
    };
    let found: Vec<&VideoRecord> = channel
        .videos
        .iter()
        .filter(|video| !video.deleted && video.privacy == Privacy::Public)
        .take(MAX_RESULTS)
        .collect();
    let listing = format!("search/{}", channel.id);
    let offset = match field(pairs, "pageToken") {
        None => 0,
        Some(token) => page_token::decode(state.page_secret(), &listing, token)
            .filter(|offset| *offset <= found.len())
            .ok_or_else(|| admitted.error(&GoogleError::invalid_page_token()))?,
    };
    let end = (offset + max).min(found.len());
    let with_snippet = parts.iter().any(|part| part == "snippet");
    let items: Vec<Value> = found[offset..end]
        .iter()
        .map(|video| {
            let mut item = json!({
                "kind": "youtube#searchResult",
                "id": { "kind": "youtube#video", "videoId": video.id },
            });
            if with_snippet {
                item["snippet"] = json!({
                    "publishedAt": render::time(video.published_at),
                    "channelId": channel.id,
                    "title": video.title,
                    "description": video.description,
                    "thumbnails": render::video_thumbnails(state, video),
                    "channelTitle": spec.title,
                    "liveBroadcastContent": match video.kind {
                        VideoKind::LiveNow => "live",
                        VideoKind::Upcoming => "upcoming",
                        _ => "none",
                    },
                    "publishTime": render::time(video.published_at),
                });
            }
            item
        })
        .collect();
    let mut body = json!({
        "kind": "youtube#searchListResponse",
        "regionCode": "US",
        "items": items,
        "pageInfo": { "totalResults": found.len(), "resultsPerPage": max },
    });
    if end < found.len() {
        body["nextPageToken"] = json!(page_token::encode(state.page_secret(), &listing, end));
    }
    Ok(admitted.list(request, body))
}

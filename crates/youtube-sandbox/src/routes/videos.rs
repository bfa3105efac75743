//! `GET /youtube/v3/videos` (`videos.list` by id, reference section 8.1) and
//! `GET /youtube/v3/videos:batchGetStats` (section 8.2). At most 50 ids; unknown, deleted and
//! other people's private videos are left out silently.

use actix_web::{HttpRequest, HttpResponse, web};
use serde_json::{Value, json};

use super::gate::{Admitted, Rejection, admit, parts};
use super::{comma_list, field, query_pairs, render};
use crate::endpoint::Endpoint;
use crate::state::SandboxState;
use crate::wire::GoogleError;

const PARTS: [&str; 12] = [
    "id",
    "snippet",
    "contentDetails",
    "statistics",
    "status",
    "liveStreamingDetails",
    "player",
    "topicDetails",
    "recordingDetails",
    "localizations",
    "paidProductPlacementDetails",
    "brandPartner",
];

const STATS_PARTS: [&str; 4] = ["contentDetails", "id", "snippet", "statistics"];

/// The most ids one call takes.
const MAX_IDS: usize = 50;

/// `GET /youtube/v3/videos`.
pub(crate) async fn list(state: web::Data<SandboxState>, request: HttpRequest) -> HttpResponse {
    let pairs = query_pairs(&request);
    let admitted = match admit(&state, &request, &pairs, Endpoint::Videos).await {
        Ok(admitted) => admitted,
        Err(response) => return response,
    };
    answer_list(&admitted, &request, &pairs).unwrap_or_else(HttpResponse::from)
}

/// The `id` list: present, at most 50.
fn ids(admitted: &Admitted<'_>, pairs: &[(String, String)]) -> Result<Vec<String>, Rejection> {
    let ids = comma_list(field(pairs, "id"));
    if ids.len() > MAX_IDS {
        return Err(admitted.error(&GoogleError::invalid_value(
            "id",
            format!(
                "The request specifies {} ids; at most {MAX_IDS} are allowed.",
                ids.len()
            ),
        )));
    }
    Ok(ids)
}

fn answer_list(
    admitted: &Admitted<'_>,
    request: &HttpRequest,
    pairs: &[(String, String)],
) -> Result<HttpResponse, Rejection> {
    let state = admitted.state;
    let parts = parts(admitted, pairs, &PARTS)?;
    admitted.require_channel()?;
    if field(pairs, "chart").is_some() || field(pairs, "myRating").is_some() {
        return Err(admitted.error(&GoogleError::invalid_value(
            "chart",
            "The sandbox serves videos.list by id only.",
        )));
    }
    if field(pairs, "id").is_none() {
        return Err(admitted.error(&GoogleError::missing_filter("chart, id, myRating")));
    }
    let ids = ids(admitted, pairs)?;
    let now = state.clock.now();
    let viewer = admitted.account();
    let items: Vec<Value> = ids
        .iter()
        .filter_map(|id| render::locate(state, id))
        .filter(|located| render::visible(located, viewer))
        .map(|located| render::video(state, &located, &parts, viewer, now))
        .collect();
    let body = json!({
        "kind": "youtube#videoListResponse",
        "items": items,
        "pageInfo": { "totalResults": items.len(), "resultsPerPage": items.len() },
    });
    Ok(admitted.list(request, body))
}

/// `GET /youtube/v3/videos:batchGetStats`.
pub(crate) async fn batch_get_stats(
    state: web::Data<SandboxState>,
    request: HttpRequest,
) -> HttpResponse {
    let pairs = query_pairs(&request);
    let admitted = match admit(&state, &request, &pairs, Endpoint::BatchGetStats).await {
        Ok(admitted) => admitted,
        Err(response) => return response,
    };
    answer_stats(&admitted, &request, &pairs).unwrap_or_else(HttpResponse::from)
}

fn answer_stats(
    admitted: &Admitted<'_>,
    request: &HttpRequest,
    pairs: &[(String, String)],
) -> Result<HttpResponse, Rejection> {
    let state = admitted.state;
    let parts = parts(admitted, pairs, &STATS_PARTS)?;
    admitted.require_channel()?;
    let ids = ids(admitted, pairs)?;
    if ids.is_empty() {
        return Err(admitted.error(&GoogleError::required_parameter("id")));
    }
    let now = state.clock.now();
    let viewer = admitted.account();
    let drop_every = state.config.batch_drop_every.map(|n| n as usize);
    let items: Vec<Value> = ids
        .iter()
        .enumerate()
        // "Intentionally not atomic": some requested ids may be missing from an answer.
        .filter(|(at, _)| drop_every.is_none_or(|n| (at + 1) % n != 0))
        .filter_map(|(_, id)| render::locate(state, id))
        .filter(|located| {
            render::visible(located, viewer)
                && (located.video.privacy == crate::catalog::Privacy::Public
                    || viewer == Some(located.account))
        })
        .map(|located| render::video_stats(state, &located, &parts, now))
        .collect();
    let mut body = json!({
        "kind": "youtube#batchGetStatsResponse",
        "items": items,
    });
    if state.config.batch_summary {
        body["summary"] = json!({ "requestedCount": ids.len(), "returnedCount": items.len() });
    }
    Ok(admitted.list(request, body))
}

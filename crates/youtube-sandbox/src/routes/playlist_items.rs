//! `GET /youtube/v3/playlistItems` (`playlistItems.list`, reference section 7.1): the uploads
//! playlist, newest first, `maxResults` 0 to 50 (default 5), opaque page tokens. The owner
//! sees every item (private, upcoming and deleted ones too); others see public videos.

use actix_web::{HttpRequest, HttpResponse, web};
use serde_json::{Value, json};

use super::gate::{Admitted, Rejection, admit, max_results, parts};
use super::{field, query_pairs, render};
use crate::catalog::{Privacy, VideoRecord};
use crate::endpoint::Endpoint;
use crate::page_token;
use crate::state::SandboxState;
use crate::wire::GoogleError;

const PARTS: [&str; 4] = ["id", "snippet", "contentDetails", "status"];

/// `GET /youtube/v3/playlistItems`.
pub(crate) async fn list(state: web::Data<SandboxState>, request: HttpRequest) -> HttpResponse {
    let pairs = query_pairs(&request);
    let admitted = match admit(&state, &request, &pairs, Endpoint::PlaylistItems).await {
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
    let parts = parts(admitted, pairs, &PARTS)?;
    admitted.require_channel()?;
    let Some(playlist_id) = field(pairs, "playlistId") else {
        return Err(admitted.error(&GoogleError::missing_filter("id, playlistId")));
    };
    let max = max_results(admitted, pairs, 5)?;
    let Some((owner, record)) = state
        .catalog
        .accounts
        .iter()
        .enumerate()
        .find(|(_, account)| {
            account
                .channel
                .as_ref()
                .is_some_and(|channel| channel.uploads_playlist_id == playlist_id)
        })
    else {
        return Err(admitted.error(&GoogleError::playlist_not_found()));
    };
    let Some(channel) = record.channel.as_ref() else {
        return Err(admitted.error(&GoogleError::playlist_not_found()));
    };
    let is_owner = admitted.account() == Some(owner);
    let visible: Vec<&VideoRecord> = channel
        .videos
        .iter()
        .filter(|video| is_owner || (!video.deleted && video.privacy == Privacy::Public))
        .collect();
    // A token is bound to the listing as this caller sees it.
    let listing = format!(
        "{playlist_id}/{}",
        if is_owner { "owner" } else { "public" }
    );
    let offset = match field(pairs, "pageToken") {
        None => 0,
        Some(token) => page_token::decode(state.page_secret(), &listing, token)
            .filter(|offset| *offset <= visible.len())
            .ok_or_else(|| admitted.error(&GoogleError::invalid_page_token()))?,
    };
    let end = (offset + max).min(visible.len());
    let title = record
        .channel_spec()
        .map(|spec| spec.title.clone())
        .unwrap_or_default();
    let items: Vec<Value> = visible[offset..end]
        .iter()
        .enumerate()
        .map(|(at, video)| {
            render::playlist_item(state, channel, &title, video, offset + at, &parts)
        })
        .collect();
    let mut body = json!({
        "kind": "youtube#playlistItemListResponse",
        "items": items,
        "pageInfo": { "totalResults": visible.len(), "resultsPerPage": max },
    });
    if end < visible.len() {
        body["nextPageToken"] = json!(page_token::encode(state.page_secret(), &listing, end));
    }
    if offset > 0 {
        body["prevPageToken"] = json!(page_token::encode(
            state.page_secret(),
            &listing,
            offset.saturating_sub(max)
        ));
    }
    Ok(admitted.list(request, body))
}

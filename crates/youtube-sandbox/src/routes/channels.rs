//! `GET /youtube/v3/channels` (`channels.list`, reference section 6): `mine=true`, `id=` or
//! `forHandle=`. An account without a channel gets a 200 without `items`.

use actix_web::{HttpRequest, HttpResponse, web};
use serde_json::{Value, json};

use super::gate::{Admitted, Rejection, admit, parts};
use super::{comma_list, field, query_pairs, render};
use crate::endpoint::Endpoint;
use crate::state::SandboxState;
use crate::wire::GoogleError;

const PARTS: [&str; 10] = [
    "id",
    "snippet",
    "contentDetails",
    "statistics",
    "status",
    "brandingSettings",
    "topicDetails",
    "localizations",
    "auditDetails",
    "contentOwnerDetails",
];

const FILTERS: [&str; 5] = ["mine", "id", "forHandle", "forUsername", "managedByMe"];

/// `GET /youtube/v3/channels`.
pub(crate) async fn list(state: web::Data<SandboxState>, request: HttpRequest) -> HttpResponse {
    let pairs = query_pairs(&request);
    let admitted = match admit(&state, &request, &pairs, Endpoint::Channels).await {
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
    let filters: Vec<&str> = FILTERS
        .into_iter()
        .filter(|name| field(pairs, name).is_some())
        .collect();
    let indexes: Vec<usize> = match filters.as_slice() {
        [] => {
            return Err(admitted.error(&GoogleError::missing_filter(
                "forUsername, managedByMe, categoryId, mine, mySubscribers, id, idParam, forHandle",
            )));
        }
        ["mine"] => {
            if field(pairs, "mine") != Some("true") {
                return Err(admitted.error(&GoogleError::invalid_value(
                    "mine",
                    "Invalid value for mine: only true is accepted",
                )));
            }
            let Some(account) = admitted.account() else {
                return Err(admitted.error(&GoogleError::login_required()));
            };
            if !admitted.can_read_youtube() {
                return Err(admitted.error(&GoogleError::insufficient_permissions(
                    crate::scope::YOUTUBE_READONLY,
                )));
            }
            if state.catalog.accounts[account].channel.is_some() {
                vec![account]
            } else {
                Vec::new()
            }
        }
        ["id"] => {
            let found: Vec<usize> = comma_list(field(pairs, "id"))
                .iter()
                .filter_map(|id| {
                    state.catalog.accounts.iter().position(|account| {
                        account
                            .channel
                            .as_ref()
                            .is_some_and(|channel| &channel.id == id)
                    })
                })
                .collect();
            if found.is_empty() {
                return Err(admitted.error(&GoogleError::channel_not_found()));
            }
            found
        }
        ["forHandle"] | ["forUsername"] => {
            let wanted = field(pairs, filters[0]).unwrap_or_default();
            let wanted = format!("@{}", wanted.trim_start_matches('@'));
            state
                .catalog
                .accounts
                .iter()
                .position(|account| {
                    account
                        .channel_spec()
                        .is_some_and(|spec| spec.handle.eq_ignore_ascii_case(&wanted))
                })
                .into_iter()
                .collect()
        }
        ["managedByMe"] => {
            return Err(admitted.error(&GoogleError::forbidden()));
        }
        _ => {
            return Err(admitted.error(&GoogleError::incompatible_parameters(
                "The request specifies more than one of the mine, id, forHandle, forUsername and managedByMe filters.",
            )));
        }
    };
    let now = state.clock.now();
    let items: Vec<Value> = indexes
        .iter()
        .map(|index| {
            render::channel(
                state,
                &state.catalog.accounts[*index],
                &parts,
                admitted.account(),
                now,
            )
        })
        .collect();
    let mut body = json!({
        "kind": "youtube#channelListResponse",
        "pageInfo": { "totalResults": items.len(), "resultsPerPage": 5 },
    });
    // No channel: Google leaves `items` out entirely.
    if !items.is_empty() {
        body["items"] = json!(items);
    }
    Ok(admitted.list(request, body))
}

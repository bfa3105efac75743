//! `GET /{ig-user-id}/media` (reference sections 5.3 and 7): newest first, cursor-paged with
//! `before`/`after` and `next`/`previous` URLs that carry the token, as Meta's do.

use base64::Engine as _;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use serde_json::{Value, json};

use super::fields::{MediaContext, render_media};
use super::graph::{GraphCall, context};
use crate::wire::GraphError;

/// The most recent media the `/media` edge reaches.
const MEDIA_EDGE_CAP: usize = 10_000;

/// A page position: `offset`, and whether the empty page before it was already served.
fn encode_cursor(offset: usize, empty_served: bool) -> String {
    let flag = if empty_served { "e" } else { "o" };
    URL_SAFE_NO_PAD.encode(format!("{flag}{offset}"))
}

fn decode_cursor(cursor: &str) -> Option<(usize, bool)> {
    let raw = String::from_utf8(URL_SAFE_NO_PAD.decode(cursor).ok()?).ok()?;
    let (flag, offset) = raw.split_at_checked(1)?;
    Some((offset.parse().ok()?, flag == "e"))
}

/// `GET /{ig-user-id}/media`: newest first, cursor-paged, `since`/`until` filters.
pub(crate) fn page(call: &GraphCall<'_>, index: usize, path_id: &str) -> Result<Value, GraphError> {
    let state = call.state;
    let config = &state.config;
    let limit = match call.param("limit") {
        None => config.page_default as usize,
        Some(raw) => {
            let asked: usize = raw
                .parse()
                .map_err(|_| GraphError::invalid_parameter("limit must be a positive integer"))?;
            if asked == 0 {
                return Err(GraphError::invalid_parameter(
                    "limit must be a positive integer",
                ));
            }
            if asked > config.page_max as usize && !config.clamp_limit {
                return Err(GraphError::invalid_parameter(format!(
                    "limit must be at most {}",
                    config.page_max
                )));
            }
            asked.min(config.page_max as usize)
        }
    };
    let bound = |name: &str| -> Result<Option<i64>, GraphError> {
        call.param(name)
            .map(|raw| {
                raw.parse::<i64>().map_err(|_| {
                    GraphError::invalid_parameter(format!("{name} must be a Unix timestamp"))
                })
            })
            .transpose()
    };
    let (since, until) = (bound("since")?, bound("until")?);
    let (cdn, now) = context(state);
    let all: Vec<_> = state.catalog.accounts[index]
        .media_at(now)
        .take(MEDIA_EDGE_CAP)
        .filter(|media| since.is_none_or(|s| media.created_at.timestamp() >= s))
        .filter(|media| until.is_none_or(|u| media.created_at.timestamp() <= u))
        .collect();
    let (offset, empty_served) = match (call.param("after"), call.param("before")) {
        (Some(after), _) => decode_cursor(after)
            .ok_or_else(|| GraphError::invalid_parameter("Invalid after cursor"))?,
        (None, Some(before)) => {
            let (end, _) = decode_cursor(before)
                .ok_or_else(|| GraphError::invalid_parameter("Invalid before cursor"))?;
            (end.saturating_sub(limit), true)
        }
        (None, None) => (0, true),
    };
    let fields = call.fields()?.unwrap_or_default();
    let context = MediaContext {
        now,
        media_product_type: config.media_product_type,
        cdn_base: &cdn,
    };
    let page_url = |cursor_name: &str, cursor: &str| -> String {
        let mut url = state
            .base_url
            .join(&format!(
                "graph/{}{path_id}/media",
                call.version.map(|v| format!("v{v}.0/")).unwrap_or_default()
            ))
            .unwrap_or_else(|_| state.base_url.clone());
        {
            let mut query = url.query_pairs_mut();
            if let Some(token) = call.param("access_token") {
                query.append_pair("access_token", token);
            }
            if let Some(fields) = call.param("fields") {
                query.append_pair("fields", fields);
            }
            query.append_pair("limit", &limit.to_string());
            for name in ["since", "until"] {
                if let Some(value) = call.param(name) {
                    query.append_pair(name, value);
                }
            }
            query.append_pair(cursor_name, cursor);
        }
        url.to_string()
    };
    // The empty page that still carries `next`, when configured: served once per position.
    if config.empty_pages && offset > 0 && offset < all.len() && !empty_served {
        let after = encode_cursor(offset, true);
        return Ok(json!({
            "data": [],
            "paging": { "cursors": { "before": after, "after": after }, "next": page_url("after", &after) }
        }));
    }
    let end = (offset + limit).min(all.len());
    let data = all
        .get(offset..end)
        .unwrap_or_default()
        .iter()
        .map(|media| render_media(media, &fields, &context))
        .collect::<Result<Vec<_>, _>>()?;
    let mut paging = serde_json::Map::new();
    if !data.is_empty() {
        paging.insert(
            "cursors".into(),
            json!({ "before": encode_cursor(offset, true), "after": encode_cursor(end, false) }),
        );
    }
    if end < all.len() {
        paging.insert(
            "next".into(),
            json!(page_url("after", &encode_cursor(end, false))),
        );
    }
    if offset > 0 {
        paging.insert(
            "previous".into(),
            json!(page_url("before", &encode_cursor(offset, true))),
        );
    }
    let mut body = json!({ "data": data });
    if !paging.is_empty() {
        body["paging"] = Value::Object(paging);
    }
    Ok(body)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cursors_round_trip() {
        assert_eq!(decode_cursor(&encode_cursor(25, false)), Some((25, false)));
        assert_eq!(decode_cursor(&encode_cursor(0, true)), Some((0, true)));
        assert_eq!(decode_cursor("???"), None);
    }
}

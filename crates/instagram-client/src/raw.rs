//! A raw Graph read, for endpoints this crate does not wrap, through the same token
//! transport, error reading, retries and call hook.

use serde_json::Value;

use crate::execute::Target;
use crate::response::parse_graph;
use crate::retry::RetrySafety;
use crate::{AccessToken, Endpoint, InstagramClient, InstagramError};

impl InstagramClient {
    /// `GET /{v}/{path}?{query}` (e.g. `path` = `me/media`, or
    /// `17841405822304914/insights`), answered as JSON. `path` is relative to the
    /// version; it may not contain `..`, a query or a scheme.
    pub async fn graph_get(
        &self,
        token: &AccessToken,
        path: &str,
        query: &[(&str, &str)],
    ) -> Result<Value, InstagramError> {
        let path = path.trim_start_matches('/');
        let acceptable = !path.is_empty()
            && !path.contains("..")
            && path
                .chars()
                .all(|c| c.is_ascii_alphanumeric() || matches!(c, '/' | '_' | '-' | '.'));
        if !acceptable {
            return Err(InstagramError::InvalidArgument(format!(
                "{path:?} is not a Graph path"
            )));
        }
        let url = self.inner.graph_versioned(path);
        let params: Vec<(&str, String)> = query
            .iter()
            .filter(|(name, _)| *name != "access_token")
            .map(|(name, value)| (*name, (*value).to_owned()))
            .collect();
        let target = Target {
            endpoint: Endpoint::Raw,
            account: None,
        };
        self.inner
            .execute(
                target,
                RetrySafety::Idempotent,
                |http| self.inner.graph_get(http, &url, &params, token),
                |raw, _| parse_graph(Endpoint::Raw, raw),
            )
            .await
    }
}

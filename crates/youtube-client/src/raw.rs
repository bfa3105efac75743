//! A raw Data API read, for methods this crate does not wrap, through the same token,
//! error reading, retries, quota pricing and call hook.

use serde_json::Value;

use crate::execute::Target;
use crate::response::parse_json;
use crate::retry::RetrySafety;
use crate::{AccessToken, Endpoint, YouTubeClient, YouTubeError};

impl YouTubeClient {
    /// `GET /youtube/v3/{path}?{query}` (e.g. `path` = `activities`), answered as JSON.
    /// `method` is Google's method name (`activities.list`), which prices the call in the
    /// [`QuotaTable`](crate::QuotaTable). `path` may not contain `..`, `//` or a query;
    /// an `access_token` or `key` in `query` is dropped (the bearer header carries the token).
    pub async fn data_get(
        &self,
        token: &AccessToken,
        path: &str,
        query: &[(&str, &str)],
        method: &str,
    ) -> Result<Value, YouTubeError> {
        let path = path.trim_start_matches('/');
        // A colon is allowed (`videos:batchGetStats`): the path always follows
        // `youtube/v3/`, so it cannot become a scheme; `//` is refused so it cannot become a
        // host.
        let acceptable = !path.is_empty()
            && !path.contains("..")
            && !path.contains("//")
            && path
                .chars()
                .all(|c| c.is_ascii_alphanumeric() || matches!(c, '/' | '_' | '-' | '.' | ':'));
        if !acceptable {
            return Err(YouTubeError::InvalidArgument(format!(
                "{path:?} is not a Data API path"
            )));
        }
        let url = self.inner.data_url(path);
        let params: Vec<(&str, String)> = query
            .iter()
            .filter(|(name, _)| !matches!(*name, "access_token" | "key"))
            .map(|(name, value)| (*name, (*value).to_owned()))
            .collect();
        let target = Target {
            endpoint: Endpoint::Raw,
            method: Some(method),
        };
        self.inner
            .execute(
                target,
                RetrySafety::Idempotent,
                |http| self.inner.bearer_get(http, &url, &params, token),
                |raw, context| parse_json::<Value>(context, raw),
            )
            .await
    }
}

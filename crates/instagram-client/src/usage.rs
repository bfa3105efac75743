//! The rate-limit headers (reference section 10): `X-App-Usage` (percentages of the app's
//! budget) and `X-Business-Use-Case-Usage` (per business object, with the minutes until
//! access is regained).

use std::time::Duration;

use serde::Deserialize;
use serde_json::Value;

/// `X-App-Usage`: percentages of the app's platform budget.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
#[non_exhaustive]
pub struct AppUsage {
    /// Percent of calls.
    pub call_count: u64,
    /// Percent of CPU time.
    pub total_cputime: u64,
    /// Percent of total time.
    pub total_time: u64,
}

/// One entry of `X-Business-Use-Case-Usage`.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
#[non_exhaustive]
pub struct BusinessUsage {
    /// The business object id the entry is keyed by (the Instagram account).
    pub id: String,
    /// `type`, e.g. `instagram`.
    pub kind: String,
    /// Percent of calls (throttling at 100).
    pub call_count: u64,
    /// Percent of CPU time.
    pub total_cputime: u64,
    /// Percent of total time.
    pub total_time: u64,
    /// `estimated_time_to_regain_access`, sent in minutes; `None` when 0 or absent.
    pub regain_access_after: Option<Duration>,
}

/// Both headers of one response. Headers appear only once enough calls were made: their
/// absence does not mean 0 %.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
#[non_exhaustive]
pub struct Usage {
    /// `X-App-Usage`, when sent and readable.
    pub app: Option<AppUsage>,
    /// `X-Business-Use-Case-Usage` entries.
    pub business: Vec<BusinessUsage>,
}

impl Usage {
    /// Reads both headers; `None` when neither is present and readable.
    pub fn from_headers(app: Option<&str>, business: Option<&str>) -> Option<Self> {
        let usage = Self {
            app: app.and_then(parse_app),
            business: business.map(parse_business).unwrap_or_default(),
        };
        (usage.app.is_some() || !usage.business.is_empty()).then_some(usage)
    }

    /// The highest percentage of any counter: at 80 slow down, at 95 pause, at 100 Meta
    /// refuses.
    pub fn max_percent(&self) -> u64 {
        let app = self
            .app
            .map(|app| app.call_count.max(app.total_cputime).max(app.total_time));
        let business = self.business.iter().map(|entry| {
            entry
                .call_count
                .max(entry.total_cputime)
                .max(entry.total_time)
        });
        app.into_iter().chain(business).max().unwrap_or_default()
    }

    /// The longest wait Meta announced, if any.
    pub fn regain_access_after(&self) -> Option<Duration> {
        self.business
            .iter()
            .filter_map(|entry| entry.regain_access_after)
            .max()
    }
}

fn number(value: &Value) -> u64 {
    match value {
        Value::Number(number) => number
            .as_u64()
            .or_else(|| number.as_f64().map(|f| f.max(0.0).round() as u64))
            .unwrap_or_default(),
        Value::String(text) => text.trim().parse().unwrap_or_default(),
        _ => 0,
    }
}

fn parse_app(raw: &str) -> Option<AppUsage> {
    let value: Value = serde_json::from_str(raw).ok()?;
    let object = value.as_object()?;
    let field = |name| object.get(name).map(number).unwrap_or_default();
    Some(AppUsage {
        call_count: field("call_count"),
        total_cputime: field("total_cputime"),
        total_time: field("total_time"),
    })
}

#[derive(Deserialize)]
struct RawEntry {
    #[serde(default, rename = "type")]
    kind: Option<String>,
    #[serde(default)]
    call_count: Value,
    #[serde(default)]
    total_cputime: Value,
    #[serde(default)]
    total_time: Value,
    #[serde(default)]
    estimated_time_to_regain_access: Value,
}

fn parse_business(raw: &str) -> Vec<BusinessUsage> {
    let Ok(Value::Object(map)) = serde_json::from_str::<Value>(raw) else {
        return Vec::new();
    };
    let mut entries = Vec::new();
    for (id, list) in map {
        let Ok(list) = serde_json::from_value::<Vec<RawEntry>>(list) else {
            continue;
        };
        for entry in list {
            let minutes = number(&entry.estimated_time_to_regain_access);
            entries.push(BusinessUsage {
                id: id.clone(),
                kind: entry.kind.unwrap_or_default(),
                call_count: number(&entry.call_count),
                total_cputime: number(&entry.total_cputime),
                total_time: number(&entry.total_time),
                regain_access_after: (minutes > 0).then(|| Duration::from_secs(minutes * 60)),
            });
        }
    }
    entries
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_both_headers_with_minutes() {
        let usage = Usage::from_headers(
            Some(r#"{"call_count":16,"total_cputime":15,"total_time":12}"#),
            Some(
                r#"{"17841405822304914":[{"type":"instagram","call_count":28,"total_cputime":9,"total_time":11,"estimated_time_to_regain_access":5}]}"#,
            ),
        )
        .expect("usage");
        assert_eq!(usage.app.map(|a| a.call_count), Some(16));
        assert_eq!(usage.business[0].id, "17841405822304914");
        assert_eq!(usage.business[0].kind, "instagram");
        assert_eq!(usage.max_percent(), 28);
        assert_eq!(usage.regain_access_after(), Some(Duration::from_secs(300)));
    }

    #[test]
    fn zero_wait_and_garbage_are_tolerated() {
        let usage = Usage::from_headers(
            None,
            Some(r#"{"1":[{"type":"instagram","call_count":"3","estimated_time_to_regain_access":0}]}"#),
        )
        .expect("usage");
        assert_eq!(usage.regain_access_after(), None);
        assert_eq!(usage.max_percent(), 3);
        assert_eq!(Usage::from_headers(Some("nope"), Some("[]")), None);
    }
}

//! Injected faults: what an endpoint answers instead of its normal answer. Every error of the
//! reference's table (section 5.4) can be injected, by name or as a raw Graph error.

use std::collections::HashMap;
use std::sync::{Mutex, PoisonError};
use std::time::Duration;

use actix_web::http::StatusCode;
use serde::{Deserialize, Serialize};

use crate::endpoint::Endpoint;
use crate::wire::GraphError;

/// A failure to inject on one endpoint. In the control API it is JSON tagged by `kind`, e.g.
/// `{"kind": "throttled", "code": 80002, "regain_minutes": 5}`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum Fault {
    /// Answer normally, after this many milliseconds.
    Latency {
        /// Added delay.
        millis: u64,
    },
    /// Never answer (the client times out).
    Hang,
    /// HTTP 200 with a truncated JSON body.
    MalformedBody,
    /// 190 without subcode: the token is not recognised.
    InvalidToken,
    /// 190/463: the token expired.
    TokenExpired,
    /// 190/458: the user removed the app (the grant is not ended; see the control API).
    AppRemoved,
    /// 190/460: the user changed their password.
    PasswordChanged,
    /// A rate limit: code 4, 17, 32, 613 or 80002. The account stays throttled for
    /// `regain_minutes` of sandbox time, announced in `X-Business-Use-Case-Usage`.
    Throttled {
        /// The Graph error code.
        code: u32,
        /// `estimated_time_to_regain_access`, in minutes (0: none announced).
        #[serde(default)]
        regain_minutes: u64,
        /// The HTTP status (default 400).
        #[serde(default)]
        status: Option<u16>,
    },
    /// Code 1, HTTP 500, "An unknown error has occurred." (`is_transient`).
    UnknownError,
    /// Code 2, HTTP 503 (`is_transient`).
    ServiceUnavailable,
    /// Code 1, HTTP 500, "Please reduce the amount of data you're asking for".
    ReduceData,
    /// Code 10, HTTP 403: a permission is missing.
    PermissionDenied,
    /// Code 200: a permission error of the 200-299 range.
    PermissionError,
    /// Code 10 "Not enough viewers for the media to show insights".
    NotEnoughViewers,
    /// Code 4, subcode 2108006: media posted before the professional conversion.
    BeforeConversion,
    /// Code 100 "An unknown error has occurred." style invalid parameter.
    InvalidParameter,
    /// Code 100, subcode 33: no such object (seen under rate pressure).
    ObjectMissing,
    /// Code 368: temporarily blocked for policy violations.
    PolicyBlock,
    /// Any Graph error.
    GraphError {
        /// `error.code`.
        code: u32,
        /// `error.error_subcode`.
        #[serde(default)]
        subcode: Option<u32>,
        /// The HTTP status (default 400).
        #[serde(default)]
        status: Option<u16>,
        /// `error.message` (default "Injected error").
        #[serde(default)]
        message: Option<String>,
        /// `error.is_transient`.
        #[serde(default)]
        is_transient: Option<bool>,
    },
    /// The code exchange's flat error `{"error_type", "code", "error_message"}`.
    FlatError {
        /// `code` (also the HTTP status when it is one).
        code: u16,
        /// `error_message`.
        message: String,
    },
}

impl Fault {
    /// The latency to add, if this is a latency fault.
    pub(crate) fn latency(&self) -> Option<Duration> {
        match self {
            Fault::Latency { millis } => Some(Duration::from_millis(*millis)),
            _ => None,
        }
    }

    /// The Graph error this fault answers, if it is one.
    pub(crate) fn graph_error(&self, app_id: &str) -> Option<GraphError> {
        let status = |status: &Option<u16>| {
            status
                .and_then(|s| StatusCode::from_u16(s).ok())
                .unwrap_or(StatusCode::BAD_REQUEST)
        };
        Some(match self {
            Fault::InvalidToken => GraphError::invalid_token(),
            Fault::TokenExpired => GraphError::token_expired(
                "Sunday, 09-Aug-26 01:30:58 UTC",
                "Monday, 17-Aug-26 08:14:58 UTC",
            ),
            Fault::AppRemoved => GraphError::app_removed(app_id),
            Fault::PasswordChanged => GraphError::password_changed(),
            Fault::Throttled {
                code, status: s, ..
            } => GraphError::throttled(*code, status(s)),
            Fault::UnknownError => GraphError::unknown(),
            Fault::ServiceUnavailable => GraphError::service_unavailable(),
            Fault::ReduceData => {
                let mut error = GraphError::unknown();
                error.message =
                    "Please reduce the amount of data you're asking for, then retry your request"
                        .into();
                error
            }
            Fault::PermissionDenied => {
                GraphError::permission_missing("instagram_business_manage_insights")
            }
            Fault::PermissionError => GraphError::new(
                200,
                "OAuthException",
                "(#200) Requires instagram_business_manage_insights permission",
            )
            .with_status(StatusCode::FORBIDDEN),
            Fault::NotEnoughViewers => GraphError::not_enough_viewers(),
            Fault::BeforeConversion => GraphError::before_conversion(),
            Fault::InvalidParameter => GraphError::invalid_parameter("Invalid parameter"),
            Fault::ObjectMissing => GraphError::no_such_object("17841400000000000"),
            Fault::PolicyBlock => GraphError::new(
                368,
                "OAuthException",
                "(#368) The action attempted has been deemed abusive or is otherwise disallowed",
            ),
            Fault::GraphError {
                code,
                subcode,
                status: s,
                message,
                is_transient,
            } => {
                let mut error = GraphError::new(
                    *code,
                    "OAuthException",
                    message.clone().unwrap_or_else(|| "Injected error".into()),
                )
                .with_status(status(s));
                error.subcode = *subcode;
                error.is_transient = *is_transient;
                error
            }
            Fault::Latency { .. }
            | Fault::Hang
            | Fault::MalformedBody
            | Fault::FlatError { .. } => {
                return None;
            }
        })
    }
}

/// A fault set on an endpoint, for every call or the next `remaining` calls.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ActiveFault {
    /// The endpoint it is set on.
    pub endpoint: Endpoint,
    /// What happens.
    pub fault: Fault,
    /// How many more calls it affects; none means until cleared.
    pub remaining: Option<u32>,
}

/// The faults currently set, at most one per endpoint.
#[derive(Debug, Default)]
pub(crate) struct FaultTable {
    faults: Mutex<HashMap<Endpoint, ActiveFault>>,
}

impl FaultTable {
    fn lock(&self) -> std::sync::MutexGuard<'_, HashMap<Endpoint, ActiveFault>> {
        self.faults.lock().unwrap_or_else(PoisonError::into_inner)
    }

    pub(crate) fn set(&self, endpoint: Endpoint, fault: Fault, times: Option<u32>) {
        let mut faults = self.lock();
        if times == Some(0) {
            faults.remove(&endpoint);
            return;
        }
        faults.insert(
            endpoint,
            ActiveFault {
                endpoint,
                fault,
                remaining: times,
            },
        );
    }

    pub(crate) fn clear(&self, endpoint: Endpoint) {
        self.lock().remove(&endpoint);
    }

    pub(crate) fn clear_all(&self) {
        self.lock().clear();
    }

    pub(crate) fn list(&self) -> Vec<ActiveFault> {
        let mut list: Vec<ActiveFault> = self.lock().values().cloned().collect();
        list.sort_by_key(|active| active.endpoint);
        list
    }

    /// Takes the fault for this call, counting it against `remaining`.
    pub(crate) fn take(&self, endpoint: Endpoint) -> Option<Fault> {
        let mut faults = self.lock();
        let active = faults.get_mut(&endpoint)?;
        let fault = active.fault.clone();
        if let Some(remaining) = active.remaining.as_mut() {
            *remaining = remaining.saturating_sub(1);
            if *remaining == 0 {
                faults.remove(&endpoint);
            }
        }
        Some(fault)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_counted_fault_clears_itself() {
        let table = FaultTable::default();
        table.set(Endpoint::MediaList, Fault::Hang, Some(2));
        assert_eq!(table.take(Endpoint::MediaList), Some(Fault::Hang));
        assert_eq!(table.take(Endpoint::Profile), None);
        assert_eq!(table.take(Endpoint::MediaList), Some(Fault::Hang));
        assert_eq!(table.take(Endpoint::MediaList), None);
    }

    #[test]
    fn faults_read_from_tagged_json_and_map_to_graph_errors() {
        let fault: Fault =
            serde_json::from_str(r#"{"kind":"throttled","code":80002,"regain_minutes":5}"#)
                .expect("valid fault JSON");
        let error = fault.graph_error("app").expect("a graph error");
        assert_eq!(error.code, 80002);
        assert_eq!(error.is_transient, Some(true));
        let fault: Fault = serde_json::from_str(r#"{"kind":"before_conversion"}"#).expect("valid");
        let error = fault.graph_error("app").expect("a graph error");
        assert_eq!((error.code, error.subcode), (4, Some(2_108_006)));
        let raw: Fault = serde_json::from_str(r#"{"kind":"graph_error","code":190,"subcode":464}"#)
            .expect("valid");
        assert_eq!(raw.graph_error("app").expect("graph").subcode, Some(464));
    }
}

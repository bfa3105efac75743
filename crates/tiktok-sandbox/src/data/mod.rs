//! The sandbox's creators and videos: generated once from the seed, with metrics that are a
//! pure function of the seed and the sandbox day.

mod generate;
mod metrics;
mod views;
mod words;

pub(crate) use generate::{Catalog, CreatorRecord, VideoRecord};
pub(crate) use views::UrlContext;
pub use views::{CreatorDetails, CreatorSummary, SandboxVideo};

//! How many items one page of a list holds.

use serde::{Deserialize, Serialize};

/// How many items one page of a list holds: from [`PageLimit::MIN`] to [`PageLimit::MAX`].
///
/// Holding one means the bound was checked: the API parses it from `limit=`, and every layer
/// below trusts it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(try_from = "u32", into = "u32")]
pub struct PageLimit(u32);

/// A page limit outside [`PageLimit::MIN`]..=[`PageLimit::MAX`].
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
#[error("must be between 1 and 100")]
pub struct PageLimitError;

impl PageLimit {
    /// The smallest page.
    pub const MIN: u32 = 1;
    /// The largest page.
    pub const MAX: u32 = 100;

    /// `limit` when it is within bounds.
    ///
    /// # Errors
    /// [`PageLimitError`] outside 1 to 100.
    pub const fn new(limit: u32) -> Result<Self, PageLimitError> {
        if limit >= Self::MIN && limit <= Self::MAX {
            Ok(Self(limit))
        } else {
            Err(PageLimitError)
        }
    }

    /// A limit known at compile time; a constant out of bounds fails the build.
    pub const fn constant(limit: u32) -> Self {
        match Self::new(limit) {
            Ok(limit) => limit,
            Err(_) => panic!("a page limit constant is out of bounds"),
        }
    }

    /// The number of items.
    pub const fn get(self) -> u32 {
        self.0
    }

    /// The number of items as a row count for a query.
    pub const fn rows(self) -> i64 {
        self.0 as i64
    }
}

impl TryFrom<u32> for PageLimit {
    type Error = PageLimitError;

    fn try_from(limit: u32) -> Result<Self, PageLimitError> {
        Self::new(limit)
    }
}

impl From<PageLimit> for u32 {
    fn from(limit: PageLimit) -> u32 {
        limit.0
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn accepts_one_to_a_hundred() {
        assert_eq!(PageLimit::new(0), Err(PageLimitError));
        assert_eq!(PageLimit::new(1).map(PageLimit::get), Ok(1));
        assert_eq!(PageLimit::new(100).map(PageLimit::get), Ok(100));
        assert_eq!(PageLimit::new(101), Err(PageLimitError));
        assert_eq!(PageLimitError.to_string(), "must be between 1 and 100");
    }

    #[test]
    fn deserialises_only_within_bounds() {
        let limit: PageLimit = serde_json::from_str("20").expect("in bounds");
        assert_eq!(limit.get(), 20);
        let error = serde_json::from_str::<PageLimit>("101").expect_err("out of bounds");
        assert!(error.to_string().contains("between 1 and 100"), "{error}");
    }
}

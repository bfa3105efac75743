//! A platform's requests to delete an account's data (Instagram's data deletion callback):
//! recorded with the confirmation code the platform is answered, so its status URL can say
//! what became of it, and a redelivery gets the same code.

use chrono::{DateTime, Utc};
use diesel::prelude::*;
use diesel_async::RunQueryDsl;
use domain::Platform;

use crate::db::{Database, load_optional, with_conn};
use crate::error::StorageResult;
use crate::schema::data_deletion_requests;
use crate::time::{from_unix, from_unix_opt, to_unix};

/// A deletion request to record.
#[derive(Debug, Clone)]
pub struct NewDeletionRequest<'a> {
    /// A fresh random code (answered to the platform, shown at the status URL).
    pub confirmation_code: &'a str,
    /// The platform that asked.
    pub platform: Platform,
    /// The account whose data is to be deleted.
    pub platform_account_id: &'a str,
    /// Hex SHA-256 of the request's body.
    pub body_digest: &'a str,
    /// When it arrived.
    pub requested_at: DateTime<Utc>,
}

/// A recorded deletion request.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DeletionRequest {
    /// The code the platform was answered.
    pub confirmation_code: String,
    /// The platform that asked.
    pub platform: Platform,
    /// The account whose data was asked for.
    pub platform_account_id: String,
    /// When it arrived.
    pub requested_at: DateTime<Utc>,
    /// When the data was deleted, once it was.
    pub completed_at: Option<DateTime<Utc>>,
    /// `deleted` (a connection's data was) or `no_data` (nothing of that account was here).
    pub outcome: Option<String>,
}

type RequestColumns = (String, String, String, i64, Option<i64>, Option<String>);

const COLUMNS: (
    data_deletion_requests::confirmation_code,
    data_deletion_requests::platform,
    data_deletion_requests::platform_account_id,
    data_deletion_requests::requested_at,
    data_deletion_requests::completed_at,
    data_deletion_requests::outcome,
) = (
    data_deletion_requests::confirmation_code,
    data_deletion_requests::platform,
    data_deletion_requests::platform_account_id,
    data_deletion_requests::requested_at,
    data_deletion_requests::completed_at,
    data_deletion_requests::outcome,
);

fn into_request(row: RequestColumns) -> StorageResult<DeletionRequest> {
    let (confirmation_code, platform, platform_account_id, requested_at, completed_at, outcome) =
        row;
    Ok(DeletionRequest {
        confirmation_code,
        platform: platform.parse()?,
        platform_account_id,
        requested_at: from_unix(requested_at)?,
        completed_at: from_unix_opt(completed_at)?,
        outcome,
    })
}

impl Database {
    /// Records a deletion request, or returns the one already recorded for the same body (a
    /// redelivery), so the platform always gets the same code for one request.
    pub async fn record_deletion_request(
        &self,
        new: &NewDeletionRequest<'_>,
    ) -> StorageResult<DeletionRequest> {
        use data_deletion_requests::dsl as d;
        let platform = new.platform.to_string();
        let mut conn = self.conn().await?;
        with_conn!(&mut conn, |c| {
            diesel::insert_into(d::data_deletion_requests)
                .values((
                    d::confirmation_code.eq(new.confirmation_code),
                    d::platform.eq(&platform),
                    d::platform_account_id.eq(new.platform_account_id),
                    d::body_digest.eq(new.body_digest),
                    d::requested_at.eq(to_unix(new.requested_at)),
                ))
                .on_conflict(d::body_digest)
                .do_nothing()
                .execute(c)
                .await?
        });
        let digest = new.body_digest.to_owned();
        let row: Option<RequestColumns> = load_optional!(
            &mut conn,
            d::data_deletion_requests
                .filter(d::body_digest.eq(digest))
                .select(COLUMNS)
        );
        match row {
            Some(row) => into_request(row),
            None => Err(crate::StorageError::NotFound("data deletion request")),
        }
    }

    /// Records what became of a deletion request.
    pub async fn complete_deletion_request(
        &self,
        confirmation_code: &str,
        outcome: &str,
        now: DateTime<Utc>,
    ) -> StorageResult<()> {
        use data_deletion_requests::dsl as d;
        let mut conn = self.conn().await?;
        with_conn!(&mut conn, |c| {
            diesel::update(d::data_deletion_requests.find(confirmation_code))
                .set((
                    d::completed_at.eq(Some(to_unix(now))),
                    d::outcome.eq(Some(outcome)),
                ))
                .execute(c)
                .await?
        });
        Ok(())
    }

    /// A deletion request by its confirmation code.
    pub async fn deletion_request(
        &self,
        confirmation_code: &str,
    ) -> StorageResult<Option<DeletionRequest>> {
        use data_deletion_requests::dsl as d;
        let code = confirmation_code.to_owned();
        let mut conn = self.conn().await?;
        let row: Option<RequestColumns> = load_optional!(
            &mut conn,
            d::data_deletion_requests
                .filter(d::confirmation_code.eq(code))
                .select(COLUMNS)
        );
        row.map(into_request).transpose()
    }
}

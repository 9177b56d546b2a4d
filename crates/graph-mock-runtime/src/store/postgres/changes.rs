//! The PostgreSQL store's record of changes (`changes`, written by each write's own statement):
//! what delta queries answer, the same at every replica and after a restart.
//!
//! A version is a transaction id: a round ends at the oldest transaction still running
//! (`pg_snapshot_xmin`), and the changes of a round are those of the transactions from where the
//! last one ended to where this one ends. Every transaction before a round's end had finished when
//! it ended, so no change is lost to a write still committing; a change may be answered twice
//! (in a listing and in the round after it), as Graph allows.

use std::sync::Arc;

use super::pool::Pool;
use crate::store::{Changes, StoreError, Unknown};
use crate::tenant::{Tenant, split_stored};

/// The record of changes in the database.
#[derive(Debug)]
pub(super) struct RecordedChanges {
    pub(super) pool: Arc<Pool>,
    /// Tokens of another database start over.
    pub(super) epoch: u64,
}

/// The tenant key of the floor that holds for every tenant (no tenant id has a `/`).
pub(super) const EVERY_TENANT: &str = "/";

impl Changes for RecordedChanges {
    fn epoch(&self) -> u64 {
        self.epoch
    }

    fn track(&self, _collection: &str) -> Result<u64, StoreError> {
        let now: String = self.pool.read(|connection| {
            let rows =
                connection.query("SELECT pg_snapshot_xmin(pg_current_snapshot())::text", &[])?;
            Ok(rows.first().map(|row| row.get(0)).unwrap_or_default())
        })?;
        now.parse()
            .map_err(|e| StoreError::Backend(format!("a transaction id `{now}`: {e}")))
    }

    fn changed(&self, collection: &str, since: u64, until: u64) -> Result<Vec<String>, Unknown> {
        let (tenant, collection) = split_stored(collection);
        let (tenant, collection) = (tenant.to_owned(), collection.to_owned());
        let (since_text, until_text) = (since.to_string(), until.to_string());
        self.pool
            .read(move |connection| {
                let floors = connection.query(
                    "SELECT COALESCE(MAX(floor)::text, '0') FROM change_floors
                     WHERE tenant = $1 OR tenant = $2",
                    &[&tenant, &EVERY_TENANT],
                )?;
                let floor: String = floors.first().map(|row| row.get(0)).unwrap_or_default();
                if floor.parse::<u64>().is_ok_and(|floor| since <= floor) {
                    return Ok(Err(Unknown::Expired));
                }
                let rows = connection.query(
                    "SELECT id FROM changes WHERE tenant = $1 AND collection = $2
                     AND xid >= $3::text::xid8 AND xid < $4::text::xid8
                     GROUP BY id ORDER BY MAX(seq)",
                    &[&tenant, &collection, &since_text, &until_text],
                )?;
                Ok(Ok(rows.iter().map(|row| row.get(0)).collect()))
            })
            .map_err(Unknown::Store)?
    }

    fn forget(&self, tenant: &Tenant) -> Result<(), StoreError> {
        let tenant = tenant.id().unwrap_or_default().to_owned();
        self.pool
            .read(move |connection| forget(connection, &tenant))
    }
}

/// Forgets `tenant`'s changes (every tenant's for [`EVERY_TENANT`]) in one transaction: the
/// tokens given before start over.
pub(super) fn forget(
    connection: &mut super::pool::Connection,
    tenant: &str,
) -> Result<(), StoreError> {
    let mut transaction = connection
        .client
        .transaction()
        .map_err(super::pool::backend)?;
    let forgotten = match tenant {
        EVERY_TENANT => transaction.execute("DELETE FROM changes", &[]),
        tenant => transaction.execute("DELETE FROM changes WHERE tenant = $1", &[&tenant]),
    };
    forgotten.map_err(super::pool::backend)?;
    transaction
        .execute(
            "INSERT INTO change_floors (tenant, floor) VALUES ($1, pg_current_xact_id())
             ON CONFLICT (tenant) DO UPDATE SET floor = EXCLUDED.floor",
            &[&tenant],
        )
        .map_err(super::pool::backend)?;
    transaction.commit().map_err(super::pool::backend)
}

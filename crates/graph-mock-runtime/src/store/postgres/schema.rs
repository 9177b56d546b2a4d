//! The PostgreSQL store's schema: the versioned migrations (`migrations/postgres/`), applied at
//! start, and the settings every replica shares.

use postgres::Client;

use super::pool::backend;
use crate::store::StoreError;
use crate::tenant::TokenKey;

/// The schema's versions, in order: each applied once, in one transaction with the others a
/// database has not had yet. A released file is never changed; a change is a new version.
const MIGRATIONS: &[(i32, &str)] = &[
    (
        1,
        include_str!("../../../migrations/postgres/0001_entities.sql"),
    ),
    (
        2,
        include_str!("../../../migrations/postgres/0002_token_key.sql"),
    ),
    (
        3,
        include_str!("../../../migrations/postgres/0003_changes.sql"),
    ),
];

/// The advisory lock that replicas starting together take to migrate one at a time.
const MIGRATION_LOCK: i64 = 0x6772_6170_686d_6f63; // "graphmoc"

/// Brings the schema to the last of [`MIGRATIONS`], refusing a newer one.
pub(super) fn migrate(client: &mut Client) -> Result<(), StoreError> {
    let mut transaction = client.transaction().map_err(backend)?;
    transaction
        .execute("SELECT pg_advisory_xact_lock($1)", &[&MIGRATION_LOCK])
        .map_err(backend)?;
    transaction
        .batch_execute(
            "CREATE TABLE IF NOT EXISTS graph_mock_schema (
                 version INTEGER PRIMARY KEY,
                 applied TIMESTAMPTZ NOT NULL DEFAULT now()
             )",
        )
        .map_err(backend)?;
    let current: i32 = transaction
        .query_one(
            "SELECT COALESCE(MAX(version), 0) FROM graph_mock_schema",
            &[],
        )
        .map_err(backend)?
        .get(0);
    let known = MIGRATIONS.last().map_or(0, |(version, _)| *version);
    if current > known {
        return Err(StoreError::Backend(format!(
            "the database's schema is version {current}, newer than this mock's {known}: \
             use the graph-mock that upgraded it, or another database"
        )));
    }
    for (version, sql) in MIGRATIONS.iter().filter(|(v, _)| *v > current) {
        transaction.batch_execute(sql).map_err(backend)?;
        transaction
            .execute(
                "INSERT INTO graph_mock_schema (version) VALUES ($1)",
                &[version],
            )
            .map_err(backend)?;
    }
    transaction.commit().map_err(backend)
}

/// The key the replicas sign tokens with, which the migrations made.
pub(super) fn read_token_key(client: &mut Client) -> Result<TokenKey, StoreError> {
    let text: String = client
        .query_one(
            "SELECT value FROM graph_mock_settings WHERE name = 'token-key'",
            &[],
        )
        .map_err(backend)?
        .get(0);
    u128::from_str_radix(&text, 16)
        .map(TokenKey)
        .map_err(|e| StoreError::Backend(format!("graph_mock_settings' token-key: {e}")))
}

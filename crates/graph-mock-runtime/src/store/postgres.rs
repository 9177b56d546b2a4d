//! The PostgreSQL backend (`--data postgres://...`): one state that several mock processes
//! (replicas) share, kept by a database server.
//!
//! One table holds every entity as JSON text, keyed by its tenant, its collection's path within
//! the tenant and its id, in rows numbered in insertion order (`seq`); the schema is created and
//! upgraded at start by the versioned migrations in `migrations/postgres/` ([`schema`]). Nothing
//! is kept in memory: every read asks the database, so a write one replica acknowledged is read
//! by every other at once. Each write is one statement (inserts waiting together share one:
//! [`inserts`]), committed (with PostgreSQL's own group commit and fsync) before it resolves, so an acknowledged write survives the loss of any
//! replica; the same statement records the change for delta queries ([`changes`]). The
//! statements run on the store's own threads ([`pool`]).
//!
//! An update reads the entity, applies its patch and writes it back only if the row is still
//! what was read (compare and swap); when another write (from any replica) came between, the
//! patch is applied again on the newer version, as the [`Store`] contract allows.

mod changes;
mod inserts;
mod pool;
mod schema;

use std::collections::BTreeMap;
use std::sync::Arc;

use serde_json::{Map, Value};

use super::{Changes, Committed, Entity, Patch, Store, StoreError, StoredEntity};
use crate::tenant::{TokenKey, join_stored, split_stored};
use changes::RecordedChanges;
use pool::Pool;

/// How many rows one round trip of a scan reads.
const SCAN_CHUNK: i64 = 256;

/// Entities in a PostgreSQL database.
#[derive(Debug)]
pub struct PostgresStore {
    pool: Arc<Pool>,
    /// The key every replica signs tokens with (`graph_mock_settings`).
    token_key: TokenKey,
    /// The record of changes, in the database.
    changes: Arc<RecordedChanges>,
    /// The inserts waiting for their batch.
    inserts: Arc<inserts::Inserts>,
}

impl PostgresStore {
    /// Connects to the database at `url` and brings its schema to this mock's version. A
    /// malformed URL, an unreachable database, or one whose schema is newer than this mock
    /// knows, is an error.
    pub fn open(url: &str) -> Result<PostgresStore, StoreError> {
        let (pool, token_key) = Pool::open(url, |client| {
            schema::migrate(client)?;
            schema::read_token_key(client)
        })?;
        let pool = Arc::new(pool);
        let changes = Arc::new(RecordedChanges {
            pool: pool.clone(),
            epoch: token_key.0 as u64,
        });
        Ok(PostgresStore {
            pool,
            token_key,
            changes,
            inserts: Arc::default(),
        })
    }

    /// The entity's row and text.
    fn body(&self, collection: &str, id: &str) -> Result<Option<(i64, String)>, StoreError> {
        let (tenant, collection) = owned_keys(collection);
        let id = id.to_owned();
        self.pool.read(move |connection| {
            let rows = connection.query(
                "SELECT seq, body FROM entities WHERE tenant = $1 AND collection = $2 AND id = $3",
                &[&tenant, &collection, &id],
            )?;
            Ok(rows.first().map(|row| (row.get(0), row.get(1))))
        })
    }
}

/// A stored collection path as the table's two keys, owned for a job.
fn owned_keys(stored: &str) -> (String, String) {
    let (tenant, collection) = split_stored(stored);
    (tenant.to_owned(), collection.to_owned())
}

impl Store for PostgresStore {
    fn insert<'a>(
        &'a self,
        collection: &'a str,
        id: &'a str,
        entity: Map<String, Value>,
    ) -> Committed<'a, Entity> {
        let stored = StoredEntity::from_map(&entity);
        let (tenant, collection) = owned_keys(collection);
        let (id, body) = (id.to_owned(), stored.json().to_owned());
        let (answer, answered) = tokio::sync::oneshot::channel();
        let pending = inserts::Pending {
            tenant,
            collection,
            id,
            body,
            answer,
        };
        inserts::insert(&self.pool, &self.inserts, pending);
        Box::pin(async move {
            answered.await.map_err(|_| pool::stopped())??;
            Ok(stored)
        })
    }

    fn get(&self, collection: &str, id: &str) -> Result<Option<Entity>, StoreError> {
        Ok(self
            .body(collection, id)?
            .map(|(_, body)| StoredEntity::from_json(body)))
    }

    fn update<'a>(
        &'a self,
        collection: &'a str,
        id: &'a str,
        patch: Patch<'a>,
    ) -> Committed<'a, Entity> {
        // A row number is never used twice, so the row is this entity's unless the entity was
        // removed since.
        let swap = |seq: i64, written: String, read: String| {
            self.pool.write(move |connection| {
                let changed = connection.execute(
                    "WITH written AS (
                         UPDATE entities SET body = $2 WHERE seq = $1 AND body = $3
                         RETURNING tenant, collection, id
                     )
                     INSERT INTO changes (tenant, collection, id) SELECT * FROM written",
                    &[&seq, &written, &read],
                )?;
                Ok(changed == 1)
            })
        };
        Box::pin(super::entity::update_by_swapping(
            move || self.body(collection, id),
            swap,
            patch,
        ))
    }

    fn delete<'a>(&'a self, collection: &'a str, id: &'a str) -> Committed<'a, ()> {
        let (tenant, collection) = owned_keys(collection);
        let id = id.to_owned();
        let nested = format!("{collection}/{id}/");
        self.pool.write(move |connection| {
            // One statement: the entity, what it contains (only if the entity was there), and
            // the change.
            let deleted = connection.execute(
                "WITH target AS (
                     DELETE FROM entities WHERE tenant = $1 AND collection = $2 AND id = $3
                     RETURNING tenant, collection, id
                 ), nested AS (
                     DELETE FROM entities WHERE tenant = $1 AND starts_with(collection, $4)
                     AND EXISTS (SELECT 1 FROM target)
                 )
                 INSERT INTO changes (tenant, collection, id) SELECT * FROM target",
                &[&tenant, &collection, &id, &nested],
            )?;
            match deleted {
                0 => Err(StoreError::NotFound),
                _ => Ok(()),
            }
        })
    }

    fn len(&self, collection: &str) -> Result<usize, StoreError> {
        let (tenant, collection) = owned_keys(collection);
        let count: i64 = self.pool.read(move |connection| {
            let rows = connection.query(
                "SELECT COUNT(*) FROM entities WHERE tenant = $1 AND collection = $2",
                &[&tenant, &collection],
            )?;
            Ok(rows.first().map_or(0, |row| row.get(0)))
        })?;
        Ok(usize::try_from(count).unwrap_or(0))
    }

    fn scan(
        &self,
        collection: &str,
        after: Option<u64>,
        visit: &mut dyn FnMut(u64, &Entity) -> bool,
    ) -> Result<(), StoreError> {
        let (tenant, collection) = owned_keys(collection);
        let mut after = after.map_or(-1, |a| i64::try_from(a).unwrap_or(i64::MAX));
        loop {
            let (tenant, collection) = (tenant.clone(), collection.clone());
            let chunk: Vec<(i64, String)> = self.pool.read(move |connection| {
                let rows = connection.query(
                    "SELECT seq, body FROM entities WHERE tenant = $1 AND collection = $2
                     AND seq > $3 ORDER BY seq LIMIT $4",
                    &[&tenant, &collection, &after, &SCAN_CHUNK],
                )?;
                Ok(rows.iter().map(|row| (row.get(0), row.get(1))).collect())
            })?;
            let full = chunk.len() as i64 == SCAN_CHUNK;
            for (seq, body) in chunk {
                after = seq;
                if !visit(
                    u64::try_from(seq).unwrap_or(0),
                    &StoredEntity::from_json(body),
                ) {
                    return Ok(());
                }
            }
            if !full {
                return Ok(());
            }
        }
    }

    fn dump(&self) -> Result<BTreeMap<String, Vec<(String, Value)>>, StoreError> {
        let rows: Vec<(String, String, String, String)> = self.pool.read(|connection| {
            let rows = connection.query(
                "SELECT tenant, collection, id, body FROM entities ORDER BY seq",
                &[],
            )?;
            Ok(rows
                .iter()
                .map(|row| (row.get(0), row.get(1), row.get(2), row.get(3)))
                .collect())
        })?;
        let mut out: BTreeMap<String, Vec<(String, Value)>> = BTreeMap::new();
        for (tenant, collection, id, body) in rows {
            let entity = serde_json::from_str(&body).map_err(|e| {
                StoreError::Backend(format!("a stored entity is not a JSON object: {e}"))
            })?;
            out.entry(join_stored(&tenant, &collection))
                .or_default()
                .push((id, entity));
        }
        Ok(out)
    }

    /// Removes every entity, and every tenant's changes: their delta tokens start over.
    fn clear(&self) -> Committed<'_, ()> {
        self.pool.write(|connection| {
            connection.execute("DELETE FROM entities", &[])?;
            changes::forget(connection, changes::EVERY_TENANT)
        })
    }

    fn token_key(&self) -> Option<TokenKey> {
        Some(self.token_key)
    }

    fn changes(&self) -> Option<Arc<dyn Changes>> {
        Some(self.changes.clone())
    }
}

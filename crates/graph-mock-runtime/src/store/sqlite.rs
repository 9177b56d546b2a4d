//! The SQLite backend (`--data FILE`): durable state for long-lived mocks.
//!
//! One table holds every entity as JSON, keyed by collection and id, with a sequence number for
//! insertion order. The database runs in WAL mode with `synchronous=FULL`, and every write is one
//! transaction committed before the handler answers, so an acknowledged write survives a
//! `kill -9`, and an unacknowledged one is either wholly there or wholly absent. One connection
//! behind a mutex serialises access; this backend trades speed for durability, the in-memory one
//! stays the fast path.

use std::collections::BTreeMap;
use std::path::Path;
use std::sync::{Mutex, MutexGuard};

use rusqlite::{Connection, OptionalExtension, params};
use serde_json::{Map, Value};

use super::{Change, Entity, Store, StoreError, StoredEntity, UpdateError};

/// Entities in a SQLite file.
#[derive(Debug)]
pub struct SqliteStore {
    connection: Mutex<Connection>,
}

fn backend(error: impl std::fmt::Display) -> StoreError {
    StoreError::Backend(error.to_string())
}

fn parse(text: &str) -> Result<Map<String, Value>, StoreError> {
    serde_json::from_str(text)
        .map_err(|e| backend(format!("a stored entity is not a JSON object: {e}")))
}

impl SqliteStore {
    /// Opens (or creates) the database at `path`.
    pub fn open(path: &Path) -> Result<SqliteStore, StoreError> {
        let connection =
            Connection::open(path).map_err(|e| backend(format!("{}: {e}", path.display())))?;
        connection
            .execute_batch(
                "PRAGMA journal_mode = WAL;
                 PRAGMA synchronous = FULL;
                 CREATE TABLE IF NOT EXISTS entities (
                     seq INTEGER PRIMARY KEY AUTOINCREMENT,
                     collection TEXT NOT NULL,
                     id TEXT NOT NULL,
                     body TEXT NOT NULL,
                     UNIQUE (collection, id)
                 );
                 CREATE INDEX IF NOT EXISTS entities_by_collection ON entities (collection, seq);",
            )
            .map_err(|e| backend(format!("{}: {e}", path.display())))?;
        Ok(SqliteStore {
            connection: Mutex::new(connection),
        })
    }

    fn connection(&self) -> MutexGuard<'_, Connection> {
        // SQLite keeps itself consistent; a panic elsewhere cannot corrupt it.
        self.connection.lock().unwrap_or_else(|p| p.into_inner())
    }
}

impl Store for SqliteStore {
    fn insert(
        &self,
        collection: &str,
        id: &str,
        entity: Map<String, Value>,
    ) -> Result<Entity, StoreError> {
        let stored = StoredEntity::from_map(&entity);
        let connection = self.connection();
        let inserted = connection
            .execute(
                "INSERT OR IGNORE INTO entities (collection, id, body) VALUES (?1, ?2, ?3)",
                params![collection, id, stored.json()],
            )
            .map_err(backend)?;
        if inserted == 0 {
            return Err(StoreError::Conflict);
        }
        Ok(stored)
    }

    fn get(&self, collection: &str, id: &str) -> Result<Option<Entity>, StoreError> {
        let connection = self.connection();
        let body: Option<String> = connection
            .query_row(
                "SELECT body FROM entities WHERE collection = ?1 AND id = ?2",
                params![collection, id],
                |row| row.get(0),
            )
            .optional()
            .map_err(backend)?;
        Ok(body.map(StoredEntity::from_json))
    }

    fn update(
        &self,
        collection: &str,
        id: &str,
        change: Change<'_>,
    ) -> Result<Entity, UpdateError> {
        let mut connection = self.connection();
        let transaction = connection
            .transaction()
            .map_err(|e| UpdateError::Store(backend(e)))?;
        let body: Option<String> = transaction
            .query_row(
                "SELECT body FROM entities WHERE collection = ?1 AND id = ?2",
                params![collection, id],
                |row| row.get(0),
            )
            .optional()
            .map_err(|e| UpdateError::Store(backend(e)))?;
        let mut entity = parse(&body.ok_or(UpdateError::Store(StoreError::NotFound))?)
            .map_err(UpdateError::Store)?;
        change(&mut entity).map_err(|_| UpdateError::Refused)?;
        let text = Value::Object(entity.clone()).to_string();
        transaction
            .execute(
                "UPDATE entities SET body = ?3 WHERE collection = ?1 AND id = ?2",
                params![collection, id, text],
            )
            .map_err(|e| UpdateError::Store(backend(e)))?;
        transaction
            .commit()
            .map_err(|e| UpdateError::Store(backend(e)))?;
        Ok(StoredEntity::from_json(text))
    }

    fn delete(&self, collection: &str, id: &str) -> Result<(), StoreError> {
        let mut connection = self.connection();
        let transaction = connection.transaction().map_err(backend)?;
        let deleted = transaction
            .execute(
                "DELETE FROM entities WHERE collection = ?1 AND id = ?2",
                params![collection, id],
            )
            .map_err(backend)?;
        if deleted == 0 {
            return Err(StoreError::NotFound);
        }
        let children = format!("{collection}/{id}/");
        transaction
            .execute(
                "DELETE FROM entities WHERE substr(collection, 1, length(?1)) = ?1",
                params![children],
            )
            .map_err(backend)?;
        transaction.commit().map_err(backend)
    }

    fn len(&self, collection: &str) -> Result<usize, StoreError> {
        let connection = self.connection();
        let count: i64 = connection
            .query_row(
                "SELECT COUNT(*) FROM entities WHERE collection = ?1",
                params![collection],
                |row| row.get(0),
            )
            .map_err(backend)?;
        Ok(usize::try_from(count).unwrap_or(0))
    }

    fn scan(
        &self,
        collection: &str,
        after: Option<u64>,
        visit: &mut dyn FnMut(u64, &Entity) -> bool,
    ) -> Result<(), StoreError> {
        let connection = self.connection();
        let mut statement = connection
            .prepare_cached(
                "SELECT seq, body FROM entities WHERE collection = ?1 AND seq > ?2 ORDER BY seq",
            )
            .map_err(backend)?;
        let after = after.map_or(-1, |a| i64::try_from(a).unwrap_or(i64::MAX));
        let mut rows = statement
            .query(params![collection, after])
            .map_err(backend)?;
        while let Some(row) = rows.next().map_err(backend)? {
            let seq: i64 = row.get(0).map_err(backend)?;
            let body: String = row.get(1).map_err(backend)?;
            if !visit(
                u64::try_from(seq).unwrap_or(0),
                &StoredEntity::from_json(body),
            ) {
                break;
            }
        }
        Ok(())
    }

    fn dump(&self) -> Result<BTreeMap<String, Vec<(String, Value)>>, StoreError> {
        let connection = self.connection();
        let mut statement = connection
            .prepare("SELECT collection, id, body FROM entities ORDER BY seq")
            .map_err(backend)?;
        let mut rows = statement.query([]).map_err(backend)?;
        let mut out: BTreeMap<String, Vec<(String, Value)>> = BTreeMap::new();
        while let Some(row) = rows.next().map_err(backend)? {
            let collection: String = row.get(0).map_err(backend)?;
            let id: String = row.get(1).map_err(backend)?;
            let body: String = row.get(2).map_err(backend)?;
            out.entry(collection)
                .or_default()
                .push((id, Value::Object(parse(&body)?)));
        }
        Ok(out)
    }

    fn clear(&self) -> Result<(), StoreError> {
        self.connection()
            .execute("DELETE FROM entities", [])
            .map(|_| ())
            .map_err(backend)
    }
}

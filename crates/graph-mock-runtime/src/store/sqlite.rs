//! The SQLite backend (`--data FILE`): durable state for long-lived mocks.
//!
//! One table holds every entity as JSON with its collection and id, in rows numbered in
//! insertion order (`seq`). Which row holds which `(collection, id)` is kept in memory
//! ([`keys`]), so that a write touches no page of a random-keyed index. The database runs in WAL
//! mode with `synchronous=FULL`.
//!
//! Writes go to one writer thread, which commits them in groups: every write that arrives while
//! a commit is in flight joins the next transaction (a failed write rolls back alone: it is one
//! statement, or several under a savepoint), and the group shares one fsync. A write resolves
//! only once its group has committed, so an acknowledged write survives a `kill -9`, and an
//! unacknowledged one is either wholly there or wholly absent. A request waits for its commit
//! as a future, so the runtime's threads serve other requests meanwhile (which join the group):
//! 32 connections writing at once wait for one fsync, not 32. Reads use their own connection
//! beside the writer (WAL) and see what is committed.
//!
//! The writer keeps the keys: a group's writes see each other's changes to them, and those
//! changes reach the keys reads use only once the group has committed, before any of its writes
//! is acknowledged.
//!
//! An update reads the entity, applies its patch and writes it back only if the entity is
//! still what was read (compare and swap); when another write came between, the patch is applied
//! again on the newer version, as the [`Store`] contract allows.

mod keys;

use std::collections::BTreeMap;
use std::path::Path;
use std::sync::mpsc;
use std::sync::{Arc, Mutex, MutexGuard, RwLock};
use std::thread::JoinHandle;

use rusqlite::{Connection, OptionalExtension, params};
use serde_json::{Map, Value};

use super::{Committed, Entity, Patch, Store, StoreError, StoredEntity};
use keys::{GroupKeys, Keys};

/// The most writes one transaction takes.
const MAX_GROUP: usize = 1024;

/// What a write does inside its group's transaction (recording what it changed in the group's
/// keys); it returns how to answer once the group's commit is known. A write of several
/// statements makes them one with a savepoint of its own (one statement is atomic by itself),
/// so a failed write never leaves half its changes.
type Job = Box<dyn FnOnce(&Connection, &mut GroupKeys<'_>) -> Answer + Send>;

/// Sends a write's result, given whether its group committed.
type Answer = Box<dyn FnOnce(Result<(), StoreError>) + Send>;

/// Entities in a SQLite file.
#[derive(Debug)]
pub struct SqliteStore {
    /// The connection reads use.
    reader: Mutex<Connection>,
    /// Which row holds each committed entity; the writer changes it.
    keys: Arc<RwLock<Keys>>,
    /// Where writes go; `None` once dropping.
    writes: Option<mpsc::Sender<Job>>,
    /// The writer thread, joined on drop so that the file is closed when the store is.
    writer: Option<JoinHandle<()>>,
}

fn backend(error: impl std::fmt::Display) -> StoreError {
    StoreError::Backend(error.to_string())
}

fn parse(text: &str) -> Result<Map<String, Value>, StoreError> {
    serde_json::from_str(text)
        .map_err(|e| backend(format!("a stored entity is not a JSON object: {e}")))
}

fn open_connection(path: &Path) -> Result<Connection, StoreError> {
    Connection::open(path).map_err(|e| backend(format!("{}: {e}", path.display())))
}

impl SqliteStore {
    /// Opens (or creates) the database at `path`.
    pub fn open(path: &Path) -> Result<SqliteStore, StoreError> {
        let connection = open_connection(path)?;
        connection
            .execute_batch(
                "PRAGMA journal_mode = WAL;
                 PRAGMA synchronous = FULL;
                 CREATE TABLE IF NOT EXISTS entities (
                     seq INTEGER PRIMARY KEY AUTOINCREMENT,
                     collection TEXT NOT NULL,
                     id TEXT NOT NULL,
                     body TEXT NOT NULL
                 );
                 CREATE INDEX IF NOT EXISTS entities_by_collection ON entities (collection, seq);",
            )
            .map_err(|e| backend(format!("{}: {e}", path.display())))?;
        // Checkpoints (copying the WAL into the database, with an fsync of its own) run on
        // another connection beside the writer, so that no group of writes waits for one (see
        // `checkpoint_until`).
        connection
            .execute_batch("PRAGMA wal_autocheckpoint = 0;")
            .map_err(backend)?;
        let keys = Arc::new(RwLock::new(load_keys(&connection)?));
        let reader = open_connection(path)?;
        let checkpoints = open_connection(path)?;
        let (writes, jobs) = mpsc::channel();
        let writer_keys = Arc::clone(&keys);
        let writer = std::thread::Builder::new()
            .name("graph-mock-sqlite-writer".to_owned())
            .spawn(move || {
                let (stop, stopped) = mpsc::channel::<()>();
                // Without a checkpointer (the system refused a thread) the WAL is copied
                // into the database when the file is next opened.
                let checkpointer = std::thread::Builder::new()
                    .name("graph-mock-sqlite-checkpoints".to_owned())
                    .spawn(move || checkpoint_until(&checkpoints, &stopped))
                    .ok();
                commit_in_groups(&connection, &writer_keys, &jobs);
                drop(stop);
                if let Some(checkpointer) = checkpointer {
                    let _ = checkpointer.join();
                }
            })
            .map_err(|e| backend(format!("cannot start the SQLite writer: {e}")))?;
        Ok(SqliteStore {
            reader: Mutex::new(reader),
            keys,
            writes: Some(writes),
            writer: Some(writer),
        })
    }

    fn reader(&self) -> MutexGuard<'_, Connection> {
        // SQLite keeps itself consistent; a panic elsewhere cannot corrupt it.
        self.reader.lock().unwrap_or_else(|p| p.into_inner())
    }

    /// The committed entity's row and text.
    fn body(&self, collection: &str, id: &str) -> Result<Option<(i64, String)>, StoreError> {
        let Some(seq) = keys::read(&self.keys).seq(collection, id) else {
            return Ok(None);
        };
        let body = self
            .reader()
            .prepare_cached("SELECT body FROM entities WHERE seq = ?1")
            .and_then(|mut statement| statement.query_row([seq], |row| row.get(0)).optional())
            .map_err(backend)?;
        Ok(body.map(|body| (seq, body)))
    }

    /// Runs `work` in the writer's next group; resolves to its result once the group has
    /// committed (or to the commit's error).
    fn write<R: Send + 'static>(
        &self,
        work: impl FnOnce(&Connection, &mut GroupKeys<'_>) -> Result<R, StoreError> + Send + 'static,
    ) -> Committed<'static, R> {
        let stopped = || {
            backend(
                "the SQLite writer did not take the write (it has stopped, or could not begin a transaction)",
            )
        };
        let (answer, answered) = tokio::sync::oneshot::channel();
        let job: Job = Box::new(move |connection, keys| {
            let outcome = work(connection, keys);
            Box::new(move |committed| {
                let _ = answer.send(committed.and(outcome));
            })
        });
        let sent = (self.writes.as_ref()).is_some_and(|writes| writes.send(job).is_ok());
        Box::pin(async move {
            match sent {
                true => answered.await.unwrap_or_else(|_| Err(stopped())),
                false => Err(stopped()),
            }
        })
    }
}

/// Every row's key, read when the file is opened.
fn load_keys(connection: &Connection) -> Result<Keys, StoreError> {
    let mut keys = Keys::default();
    let mut statement = connection
        .prepare("SELECT collection, id, seq FROM entities ORDER BY seq")
        .map_err(backend)?;
    let mut rows = statement.query([]).map_err(backend)?;
    while let Some(row) = rows.next().map_err(backend)? {
        let collection: String = row.get(0).map_err(backend)?;
        keys.insert(
            &collection,
            row.get(1).map_err(backend)?,
            row.get(2).map_err(backend)?,
        );
    }
    Ok(keys)
}

/// How often the checkpointer copies the WAL into the database.
const CHECKPOINT_EVERY: std::time::Duration = std::time::Duration::from_millis(200);

/// Checkpoints the WAL (passively: never blocking the writer) until `stopped` disconnects.
///
/// SQLite starts the WAL again from its beginning at the first write after a checkpoint that
/// copied all of it. Under a steady stream of writes no passive checkpoint gets to the end, so
/// the WAL grows for as long as the stream lasts (POSTs at full speed write about 200 MB a
/// second of it, a page per index entry); at the first pause it is reused from its beginning,
/// and it is truncated when the store closes. Bounding it cost more than it saved: a writer
/// that waits for checkpoints to catch up had a p99 of 10 to 80 ms, and `journal_size_limit`
/// (cutting the file back on reuse) put 50 ms on the first write after each pause.
fn checkpoint_until(connection: &Connection, stopped: &mpsc::Receiver<()>) {
    while let Err(mpsc::RecvTimeoutError::Timeout) = stopped.recv_timeout(CHECKPOINT_EVERY) {
        let _ = connection.execute_batch("PRAGMA wal_checkpoint(PASSIVE);");
    }
    let _ = connection.execute_batch("PRAGMA wal_checkpoint(TRUNCATE);");
}

/// Runs one statement, prepared once per connection.
fn execute(
    connection: &Connection,
    sql: &str,
    values: impl rusqlite::Params,
) -> Result<usize, StoreError> {
    connection
        .prepare_cached(sql)
        .and_then(|mut statement| statement.execute(values))
        .map_err(backend)
}

/// The writer thread: takes every job waiting, runs them in one transaction, commits once,
/// publishes the group's keys, then answers them all.
fn commit_in_groups(connection: &Connection, keys: &RwLock<Keys>, jobs: &mpsc::Receiver<Job>) {
    while let Ok(first) = jobs.recv() {
        let mut group = vec![first];
        while group.len() < MAX_GROUP {
            match jobs.try_recv() {
                Ok(job) => group.push(job),
                Err(_) => break,
            }
        }
        // Should BEGIN fail, no job runs: each would commit on its own, out of the group's
        // reach. Dropped, their writes resolve to an error.
        if execute(connection, "BEGIN IMMEDIATE", []).is_err() {
            continue;
        }
        let mut group_keys = GroupKeys::new(keys);
        let answers: Vec<Answer> = group
            .into_iter()
            .map(|job| job(connection, &mut group_keys))
            .collect();
        let committed = execute(connection, "COMMIT", []).map(|_| ());
        match committed {
            Ok(()) => group_keys.commit(),
            Err(_) => {
                let _ = execute(connection, "ROLLBACK", []);
            }
        }
        for answer in answers {
            answer(committed.clone());
        }
    }
}

impl Drop for SqliteStore {
    fn drop(&mut self) {
        // The writer finishes what it was sent, then stops.
        self.writes = None;
        if let Some(writer) = self.writer.take() {
            let _ = writer.join();
        }
    }
}

impl Store for SqliteStore {
    fn insert<'a>(
        &'a self,
        collection: &'a str,
        id: &'a str,
        entity: Map<String, Value>,
    ) -> Committed<'a, Entity> {
        let stored = StoredEntity::from_map(&entity);
        let (collection, id, body) = (
            collection.to_owned(),
            id.to_owned(),
            stored.json().to_owned(),
        );
        let inserted = self.write(move |connection, keys| {
            if keys.seq(&collection, &id).is_some() {
                return Err(StoreError::Conflict);
            }
            execute(
                connection,
                "INSERT INTO entities (collection, id, body) VALUES (?1, ?2, ?3)",
                params![collection, id, body],
            )?;
            keys.set(&collection, &id, Some(connection.last_insert_rowid()));
            Ok(())
        });
        Box::pin(async move {
            inserted.await?;
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
        // A row number is never used twice (AUTOINCREMENT), so the row is this entity's unless
        // the entity was removed since.
        let swap = |seq: i64, written: String, read: String| {
            self.write(move |connection, _| {
                execute(
                    connection,
                    "UPDATE entities SET body = ?2 WHERE seq = ?1 AND body = ?3",
                    params![seq, written, read],
                )
                .map(|changed| changed == 1)
            })
        };
        Box::pin(super::entity::update_by_swapping(
            move || self.body(collection, id),
            swap,
            patch,
        ))
    }

    fn delete<'a>(&'a self, collection: &'a str, id: &'a str) -> Committed<'a, ()> {
        let (collection, id) = (collection.to_owned(), id.to_owned());
        self.write(move |connection, keys| {
            let seq = keys.seq(&collection, &id).ok_or(StoreError::NotFound)?;
            let mut removed = keys.nested(&format!("{collection}/{id}/"));
            removed.push((collection, id, seq));
            execute(connection, "SAVEPOINT delete_entity", [])?;
            let deleted = removed.iter().try_for_each(|(_, _, seq)| {
                execute(connection, "DELETE FROM entities WHERE seq = ?1", [seq]).map(|_| ())
            });
            if deleted.is_err() {
                let _ = execute(connection, "ROLLBACK TO delete_entity", []);
            }
            execute(connection, "RELEASE delete_entity", [])?;
            deleted?;
            for (collection, id, _) in &removed {
                keys.set(collection, id, None);
            }
            Ok(())
        })
    }

    fn len(&self, collection: &str) -> Result<usize, StoreError> {
        let connection = self.reader();
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
        let connection = self.reader();
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
        let connection = self.reader();
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

    fn clear(&self) -> Committed<'_, ()> {
        self.write(|connection, keys| {
            execute(connection, "DELETE FROM entities", [])?;
            keys.clear();
            Ok(())
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn entity(id: &str) -> Map<String, Value> {
        json!({ "id": id }).as_object().unwrap().clone()
    }

    #[tokio::test]
    async fn a_reopened_file_knows_where_every_entity_is() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("store.db");
        {
            let store = SqliteStore::open(&path).unwrap();
            store.insert("/c", "a", entity("a")).await.unwrap();
            store.insert("/c", "b", entity("b")).await.unwrap();
            store.insert("/c/a/d", "x", entity("x")).await.unwrap();
            store.delete("/c", "b").await.unwrap();
        }
        let store = SqliteStore::open(&path).unwrap();
        assert_eq!(
            store.get("/c", "a").unwrap().unwrap().json(),
            r#"{"id":"a"}"#
        );
        assert!(store.get("/c", "b").unwrap().is_none());
        assert_eq!(
            store.insert("/c", "a", entity("a")).await.unwrap_err(),
            StoreError::Conflict
        );
        store.insert("/c", "b", entity("b")).await.unwrap();
        store.delete("/c", "a").await.unwrap();
        drop(store);
        let store = SqliteStore::open(&path).unwrap();
        let dumped = store.dump().unwrap();
        let ids = |collection: &str| -> Vec<String> {
            let entities = dumped
                .get(collection)
                .map(Vec::as_slice)
                .unwrap_or_default();
            entities.iter().map(|(id, _)| id.clone()).collect()
        };
        assert_eq!((ids("/c"), ids("/c/a/d")), (vec!["b".to_owned()], vec![]));
    }

    #[tokio::test]
    async fn a_file_with_the_earlier_unique_index_still_opens_and_writes() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("store.db");
        Connection::open(&path)
            .unwrap()
            .execute_batch(
                r#"CREATE TABLE entities (
                       seq INTEGER PRIMARY KEY AUTOINCREMENT,
                       collection TEXT NOT NULL,
                       id TEXT NOT NULL,
                       body TEXT NOT NULL,
                       UNIQUE (collection, id)
                   );
                   INSERT INTO entities (collection, id, body) VALUES ('/c', 'a', '{"id":"a"}');"#,
            )
            .unwrap();
        let store = SqliteStore::open(&path).unwrap();
        assert!(store.get("/c", "a").unwrap().is_some());
        assert_eq!(
            store.insert("/c", "a", entity("a")).await.unwrap_err(),
            StoreError::Conflict
        );
        store.insert("/c", "b", entity("b")).await.unwrap();
        assert_eq!(store.len("/c").unwrap(), 2);
    }
}

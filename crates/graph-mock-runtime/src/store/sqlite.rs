//! The SQLite backend (`--data FILE`): durable state for long-lived mocks.
//!
//! One table holds every entity as JSON, keyed by collection and id, with a sequence number for
//! insertion order. The database runs in WAL mode with `synchronous=FULL`.
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
//! An update reads the entity, applies its patch and writes it back only if the entity is
//! still what was read (compare and swap); when another write came between, the patch is applied
//! again on the newer version, as the [`Store`] contract allows.

use std::collections::BTreeMap;
use std::path::Path;
use std::sync::mpsc;
use std::sync::{Mutex, MutexGuard};
use std::thread::JoinHandle;

use rusqlite::{Connection, OptionalExtension, params};
use serde_json::{Map, Value};

use super::{Committed, Entity, Patch, Store, StoreError, StoredEntity};

/// The most writes one transaction takes.
const MAX_GROUP: usize = 1024;

/// What a write does inside its group's transaction; it returns how to answer once the group's
/// commit is known. A write of several statements makes them one with a savepoint of its own
/// (one statement is atomic by itself), so a failed write never leaves half its changes.
type Job = Box<dyn FnOnce(&Connection) -> Answer + Send>;

/// Sends a write's result, given whether its group committed.
type Answer = Box<dyn FnOnce(Result<(), StoreError>) + Send>;

/// Entities in a SQLite file.
#[derive(Debug)]
pub struct SqliteStore {
    /// The connection reads use.
    reader: Mutex<Connection>,
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
                     body TEXT NOT NULL,
                     UNIQUE (collection, id)
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
        let reader = open_connection(path)?;
        let checkpoints = open_connection(path)?;
        let (writes, jobs) = mpsc::channel();
        let writer = std::thread::Builder::new()
            .name("graph-mock-sqlite-writer".to_owned())
            .spawn(move || {
                let (stop, stopped) = mpsc::channel::<()>();
                let checkpointer =
                    std::thread::spawn(move || checkpoint_until(&checkpoints, &stopped));
                commit_in_groups(&connection, &jobs);
                drop(stop);
                let _ = checkpointer.join();
            })
            .map_err(|e| backend(format!("cannot start the SQLite writer: {e}")))?;
        Ok(SqliteStore {
            reader: Mutex::new(reader),
            writes: Some(writes),
            writer: Some(writer),
        })
    }

    fn reader(&self) -> MutexGuard<'_, Connection> {
        // SQLite keeps itself consistent; a panic elsewhere cannot corrupt it.
        self.reader.lock().unwrap_or_else(|p| p.into_inner())
    }

    fn body(&self, collection: &str, id: &str) -> Result<Option<String>, StoreError> {
        self.reader()
            .query_row(
                "SELECT body FROM entities WHERE collection = ?1 AND id = ?2",
                params![collection, id],
                |row| row.get(0),
            )
            .optional()
            .map_err(backend)
    }

    /// Runs `work` in the writer's next group; resolves to its result once the group has
    /// committed (or to the commit's error).
    fn write<R: Send + 'static>(
        &self,
        work: impl FnOnce(&Connection) -> Result<R, StoreError> + Send + 'static,
    ) -> Committed<'static, R> {
        let stopped = || backend("the SQLite writer has stopped");
        let (answer, answered) = tokio::sync::oneshot::channel();
        let job: Job = Box::new(move |connection| {
            let outcome = work(connection);
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

/// The writer thread: takes every job waiting, runs them in one transaction, commits once, then
/// answers them all.
fn commit_in_groups(connection: &Connection, jobs: &mpsc::Receiver<Job>) {
    while let Ok(first) = jobs.recv() {
        let mut group = vec![first];
        while group.len() < MAX_GROUP {
            match jobs.try_recv() {
                Ok(job) => group.push(job),
                Err(_) => break,
            }
        }
        // Should BEGIN fail, the jobs' statements commit one by one and COMMIT reports the
        // failure: the writes are then unacknowledged, whether or not they landed.
        let _ = execute(connection, "BEGIN IMMEDIATE", []);
        let answers: Vec<Answer> = group.into_iter().map(|job| job(connection)).collect();
        let committed = execute(connection, "COMMIT", []).map(|_| ());
        if committed.is_err() {
            let _ = execute(connection, "ROLLBACK", []);
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
        let inserted = self.write(move |connection| {
            let inserted = execute(
                connection,
                "INSERT OR IGNORE INTO entities (collection, id, body) VALUES (?1, ?2, ?3)",
                params![collection, id, body],
            )?;
            match inserted {
                0 => Err(StoreError::Conflict),
                _ => Ok(()),
            }
        });
        Box::pin(async move {
            inserted.await?;
            Ok(stored)
        })
    }

    fn get(&self, collection: &str, id: &str) -> Result<Option<Entity>, StoreError> {
        Ok(self.body(collection, id)?.map(StoredEntity::from_json))
    }

    fn update<'a>(
        &'a self,
        collection: &'a str,
        id: &'a str,
        patch: Patch<'a>,
    ) -> Committed<'a, Entity> {
        Box::pin(async move {
            loop {
                let read = self.body(collection, id)?.ok_or(StoreError::NotFound)?;
                let text = super::entity::merge_patch(&read, patch)?;
                let (c, i, t) = (collection.to_owned(), id.to_owned(), text.clone());
                let swapped = self.write(move |connection| {
                    execute(
                        connection,
                        "UPDATE entities SET body = ?3 WHERE collection = ?1 AND id = ?2 AND body = ?4",
                        params![c, i, t, read],
                    )
                });
                if swapped.await? == 1 {
                    return Ok(StoredEntity::from_json(text));
                }
                // Another write changed (or removed) it since it was read: again, on what is
                // there now.
            }
        })
    }

    fn delete<'a>(&'a self, collection: &'a str, id: &'a str) -> Committed<'a, ()> {
        let (collection, id) = (collection.to_owned(), id.to_owned());
        self.write(move |connection| {
            execute(connection, "SAVEPOINT delete_entity", [])?;
            let deleted = execute(
                connection,
                "DELETE FROM entities WHERE collection = ?1 AND id = ?2",
                params![collection, id],
            )
            .and_then(|deleted| {
                let children = format!("{collection}/{id}/");
                execute(
                    connection,
                    "DELETE FROM entities WHERE substr(collection, 1, length(?1)) = ?1",
                    params![children],
                )?;
                Ok(deleted)
            });
            if deleted.is_err() {
                let _ = execute(connection, "ROLLBACK TO delete_entity", []);
            }
            execute(connection, "RELEASE delete_entity", [])?;
            match deleted? {
                0 => Err(StoreError::NotFound),
                _ => Ok(()),
            }
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
        self.write(|connection| execute(connection, "DELETE FROM entities", []).map(|_| ()))
    }
}

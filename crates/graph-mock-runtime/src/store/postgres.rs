//! The PostgreSQL backend (`--data postgres://...`): one state that several mock processes
//! (replicas) share, kept by a database server.
//!
//! One table holds every entity as JSON text, keyed by its tenant, its collection's path within
//! the tenant and its id, in rows numbered in insertion order (`seq`); the schema is created and
//! upgraded at start by the versioned migrations in `migrations/postgres/`. Nothing is kept in
//! memory: every read asks the database, so a write one replica acknowledged is read by every
//! other at once. Each write is one transaction, committed (with PostgreSQL's own group commit
//! and fsync) before it resolves, so an acknowledged write survives the loss of any replica.
//!
//! The client is synchronous (the `postgres` crate) and runs on the store's own threads, each
//! owning one connection (made when first needed, made again when lost): a request's write
//! waits for its thread as a future; a read (the [`Store`] trait's reads are synchronous, as
//! they are for SQLite's file) blocks its caller until the answer comes, the runtime moving the
//! caller's other work to another thread meanwhile (`block_in_place`).
//!
//! An update reads the entity, applies its patch and writes it back only if the row is still
//! what was read (compare and swap); when another write (from any replica) came between, the
//! patch is applied again on the newer version, as the [`Store`] contract allows.

use std::collections::{BTreeMap, HashMap};
use std::error::Error as _;
use std::str::FromStr;
use std::sync::{Arc, Mutex, mpsc};
use std::thread::JoinHandle;

use postgres::types::ToSql;
use postgres::{Client, NoTls, Statement};
use serde_json::{Map, Value};

use super::{Committed, Entity, Patch, Store, StoreError, StoredEntity};
use crate::tenant::{TokenKey, join_stored, split_stored};

/// The schema's versions, in order: each applied once, in one transaction with the others a
/// database has not had yet. A released file is never changed; a change is a new version.
const MIGRATIONS: &[(i32, &str)] = &[
    (
        1,
        include_str!("../../migrations/postgres/0001_entities.sql"),
    ),
    (
        2,
        include_str!("../../migrations/postgres/0002_token_key.sql"),
    ),
];

/// The advisory lock that replicas starting together take to migrate one at a time.
const MIGRATION_LOCK: i64 = 0x6772_6170_686d_6f63; // "graphmoc"

/// How many connections (and threads) one store keeps at most; each is made when its thread
/// first has work.
/// Writes committing together share PostgreSQL's fsync, so more connections carry more writes a
/// second (4 gave 13-19% of the in-memory store's POSTs at 32 clients, 16 gave 21%).
const CONNECTIONS: usize = 16;

/// How long a connection may take when the URL does not say (`connect_timeout`).
const CONNECT_TIMEOUT: std::time::Duration = std::time::Duration::from_secs(5);

/// How many rows one round trip of a scan reads.
const SCAN_CHUNK: i64 = 256;

/// A job for one of the store's connections.
type Job = Box<dyn FnOnce(Result<&mut Connection, StoreError>) + Send>;

/// Entities in a PostgreSQL database.
#[derive(Debug)]
pub struct PostgresStore {
    /// Where jobs go; `None` once dropping.
    jobs: Option<mpsc::Sender<Job>>,
    /// The threads that own the connections, joined on drop.
    workers: Vec<JoinHandle<()>>,
    /// The key every replica signs tokens with (`graph_mock_settings`).
    token_key: TokenKey,
}

/// A connection with the statements prepared on it.
struct Connection {
    client: Client,
    prepared: HashMap<&'static str, Statement>,
}

impl Connection {
    fn statement(&mut self, sql: &'static str) -> Result<Statement, StoreError> {
        if let Some(statement) = self.prepared.get(sql) {
            return Ok(statement.clone());
        }
        let statement = self.client.prepare(sql).map_err(backend)?;
        self.prepared.insert(sql, statement.clone());
        Ok(statement)
    }

    fn execute(
        &mut self,
        sql: &'static str,
        values: &[&(dyn ToSql + Sync)],
    ) -> Result<u64, StoreError> {
        let statement = self.statement(sql)?;
        self.client.execute(&statement, values).map_err(backend)
    }

    fn query(
        &mut self,
        sql: &'static str,
        values: &[&(dyn ToSql + Sync)],
    ) -> Result<Vec<postgres::Row>, StoreError> {
        let statement = self.statement(sql)?;
        self.client.query(&statement, values).map_err(backend)
    }
}

/// A database error as the store reports it, with its causes (a refused connection says why).
fn backend(error: postgres::Error) -> StoreError {
    let mut text = match error.as_db_error() {
        Some(db) => format!("PostgreSQL: {}", db.message()),
        None => format!("PostgreSQL: {error}"),
    };
    let mut source = error.source();
    while let Some(cause) = source {
        if error.as_db_error().is_none() {
            text = format!("{text}: {cause}");
        }
        source = cause.source();
    }
    StoreError::Backend(text)
}

/// The database a URL names, without its password, for messages.
fn describe(config: &postgres::Config) -> String {
    let host = match config.get_hosts().first() {
        Some(postgres::config::Host::Tcp(host)) => host.clone(),
        #[cfg(unix)]
        Some(postgres::config::Host::Unix(path)) => path.display().to_string(),
        None => "localhost".to_owned(),
    };
    let port = config.get_ports().first().copied().unwrap_or(5432);
    let user = config.get_user().unwrap_or_default();
    let database = config.get_dbname().unwrap_or(user);
    format!("postgres://{user}@{host}:{port}/{database}")
}

impl PostgresStore {
    /// Connects to the database at `url` and brings its schema to this mock's version. An
    /// unreachable database, or one whose schema is newer than this mock knows, is an error.
    pub fn open(url: &str) -> Result<PostgresStore, StoreError> {
        let mut config = postgres::Config::from_str(url)
            .map_err(|e| StoreError::Backend(format!("not a PostgreSQL URL: {e}")))?;
        // A server that does not answer is an error in seconds, at start and while running.
        if config.get_connect_timeout().is_none() {
            config.connect_timeout(CONNECT_TIMEOUT);
        }
        let place = describe(&config);
        let connect = move |config: &postgres::Config| {
            let client = config.connect(NoTls).map_err(|e| match backend(e) {
                StoreError::Backend(why) => {
                    StoreError::Backend(format!("cannot connect to {place}: {why}"))
                }
                other => other,
            })?;
            Ok::<_, StoreError>(Connection {
                client,
                prepared: HashMap::new(),
            })
        };
        // The client blocks on a runtime of its own, which it may not do on a runtime's
        // thread (where a mock is started): the first connection is made on a thread of its own.
        let (first, token_key) = std::thread::scope(|scope| {
            let made = scope.spawn(|| {
                let mut first = connect(&config)?;
                migrate(&mut first.client)?;
                let token_key = read_token_key(&mut first.client)?;
                Ok((first, token_key))
            });
            made.join().unwrap_or_else(|_| {
                Err(StoreError::Backend(
                    "connecting to PostgreSQL failed".to_owned(),
                ))
            })
        })?;
        let (jobs, waiting) = mpsc::channel::<Job>();
        let waiting = Arc::new(Mutex::new(waiting));
        let mut first = Some(first);
        let workers = (0..CONNECTIONS)
            .map(|n| {
                let (config, connect, waiting) = (config.clone(), connect.clone(), waiting.clone());
                let mut connection = first.take();
                std::thread::Builder::new()
                    .name(format!("graph-mock-postgres-{n}"))
                    .spawn(move || {
                        loop {
                            // One worker waits on the queue at a time; the lock is released
                            // before the job runs.
                            let job = waiting.lock().unwrap_or_else(|p| p.into_inner()).recv();
                            let Ok(job) = job else { return };
                            if connection.as_ref().is_none_or(|c| c.client.is_closed()) {
                                connection = None;
                            }
                            let ready = match &mut connection {
                                Some(connection) => Ok(connection),
                                None => connect(&config).map(|c| connection.insert(c)),
                            };
                            job(ready);
                        }
                    })
                    .map_err(|e| StoreError::Backend(format!("cannot start a thread: {e}")))
            })
            .collect::<Result<_, _>>()?;
        Ok(PostgresStore {
            jobs: Some(jobs),
            workers,
            token_key,
        })
    }

    /// Sends `work` to a connection; `answer` gets its result.
    fn submit<R: Send + 'static>(
        &self,
        work: impl FnOnce(&mut Connection) -> Result<R, StoreError> + Send + 'static,
        answer: impl FnOnce(Result<R, StoreError>) + Send + 'static,
    ) -> Result<(), StoreError> {
        let job: Job = Box::new(move |connection| answer(connection.and_then(work)));
        (self.jobs.as_ref())
            .is_some_and(|jobs| jobs.send(job).is_ok())
            .then_some(())
            .ok_or_else(|| StoreError::Backend("the PostgreSQL store has stopped".to_owned()))
    }

    /// Runs `work` on a connection and waits for it.
    fn read<R: Send + 'static>(
        &self,
        work: impl FnOnce(&mut Connection) -> Result<R, StoreError> + Send + 'static,
    ) -> Result<R, StoreError> {
        let (answer, answered) = mpsc::sync_channel(1);
        self.submit(work, move |result| {
            let _ = answer.send(result);
        })?;
        let wait = || {
            answered
                .recv()
                .map_err(|_| StoreError::Backend("the PostgreSQL store has stopped".to_owned()))?
        };
        // On a runtime's worker thread, the runtime is told first, so that it moves the
        // thread's other requests to another thread while this one waits (without, a worker
        // waiting for the database holds up every request queued behind it).
        match tokio::runtime::Handle::try_current() {
            Ok(runtime)
                if runtime.runtime_flavor() == tokio::runtime::RuntimeFlavor::MultiThread =>
            {
                tokio::task::block_in_place(wait)
            }
            _ => wait(),
        }
    }

    /// Runs `work` on a connection; resolves to its result, once committed.
    fn write<R: Send + 'static>(
        &self,
        work: impl FnOnce(&mut Connection) -> Result<R, StoreError> + Send + 'static,
    ) -> Committed<'static, R> {
        let (answer, answered) = tokio::sync::oneshot::channel();
        let sent = self.submit(work, move |result| {
            let _ = answer.send(result);
        });
        Box::pin(async move {
            sent?;
            answered
                .await
                .map_err(|_| StoreError::Backend("the PostgreSQL store has stopped".to_owned()))?
        })
    }

    /// The entity's row and text.
    fn body(&self, collection: &str, id: &str) -> Result<Option<(i64, String)>, StoreError> {
        let (tenant, collection) = owned_keys(collection);
        let id = id.to_owned();
        self.read(move |connection| {
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

/// Brings the schema to the last of [`MIGRATIONS`], refusing a newer one.
fn migrate(client: &mut Client) -> Result<(), StoreError> {
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
fn read_token_key(client: &mut Client) -> Result<TokenKey, StoreError> {
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

impl Drop for PostgresStore {
    fn drop(&mut self) {
        // Each thread finishes the job it has, then stops.
        self.jobs = None;
        for worker in self.workers.drain(..) {
            let _ = worker.join();
        }
    }
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
        let inserted = self.write(move |connection| {
            let added = connection.execute(
                "INSERT INTO entities (tenant, collection, id, body) VALUES ($1, $2, $3, $4)
                 ON CONFLICT (tenant, collection, id) DO NOTHING",
                &[&tenant, &collection, &id, &body],
            )?;
            if added == 0 {
                return Err(StoreError::Conflict);
            }
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
        Box::pin(async move {
            loop {
                let (seq, read) = self.body(collection, id)?.ok_or(StoreError::NotFound)?;
                let text = super::entity::merge_patch(&read, patch)?;
                let written = text.clone();
                // A row number is never used twice, so the row is this entity's unless the
                // entity was removed since.
                let swapped = self.write(move |connection| {
                    connection.execute(
                        "UPDATE entities SET body = $2 WHERE seq = $1 AND body = $3",
                        &[&seq, &written, &read],
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
        let (tenant, collection) = owned_keys(collection);
        let id = id.to_owned();
        self.write(move |connection| {
            let delete_one = connection.statement(
                "DELETE FROM entities WHERE tenant = $1 AND collection = $2 AND id = $3",
            )?;
            let delete_nested = connection.statement(
                "DELETE FROM entities WHERE tenant = $1 AND starts_with(collection, $2)",
            )?;
            let nested = format!("{collection}/{id}/");
            let mut transaction = connection.client.transaction().map_err(backend)?;
            let deleted = transaction
                .execute(&delete_one, &[&tenant, &collection, &id])
                .map_err(backend)?;
            if deleted == 0 {
                return Err(StoreError::NotFound);
            }
            transaction
                .execute(&delete_nested, &[&tenant, &nested])
                .map_err(backend)?;
            transaction.commit().map_err(backend)
        })
    }

    fn len(&self, collection: &str) -> Result<usize, StoreError> {
        let (tenant, collection) = owned_keys(collection);
        let count: i64 = self.read(move |connection| {
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
            let chunk: Vec<(i64, String)> = self.read(move |connection| {
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
        let rows: Vec<(String, String, String, String)> = self.read(|connection| {
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

    fn clear(&self) -> Committed<'_, ()> {
        self.write(|connection| connection.execute("DELETE FROM entities", &[]).map(|_| ()))
    }

    fn token_key(&self) -> Option<TokenKey> {
        Some(self.token_key)
    }
}

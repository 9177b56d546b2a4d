//! The PostgreSQL store's connections: a pool of threads, each owning one connection (made when
//! its thread first has work, made again when lost), that run the store's jobs.
//!
//! The client is synchronous (the `postgres` crate): it blocks on a runtime of its own, which it
//! may not do on a runtime's thread, so it runs on these threads only. A write waits for its
//! job as a future; a read blocks its caller until the answer comes, the runtime moving the
//! caller's other work to another thread meanwhile (`block_in_place`).

use std::collections::HashMap;
use std::error::Error as _;
use std::str::FromStr;
use std::sync::{Arc, Mutex, mpsc};
use std::thread::JoinHandle;

use postgres::types::ToSql;
use postgres::{Client, NoTls, Statement};

use crate::store::{Committed, StoreError};

/// How many connections (and threads) one store keeps at most; each is made when its thread
/// first has work. Reads, updates and deletes take one each; writes committing together share
/// PostgreSQL's fsync (with 4, POST at 32 clients reached 13-19% of the in-memory store; with 16,
/// 17-21%; inserts in batches, `inserts`, then took it to 30-37%).
const CONNECTIONS: usize = 16;

/// How long a connection may take when the URL does not say (`connect_timeout`).
const CONNECT_TIMEOUT: std::time::Duration = std::time::Duration::from_secs(5);

/// A job for one of the pool's connections.
type Job = Box<dyn FnOnce(Result<&mut Connection, StoreError>) + Send>;

/// The threads and their connections.
#[derive(Debug)]
pub(super) struct Pool {
    /// Where jobs go; `None` once dropping.
    jobs: Option<mpsc::Sender<Job>>,
    /// The threads that own the connections, joined on drop.
    workers: Vec<JoinHandle<()>>,
}

/// A connection with the statements prepared on it.
pub(super) struct Connection {
    pub(super) client: Client,
    prepared: HashMap<&'static str, Statement>,
}

impl Connection {
    pub(super) fn statement(&mut self, sql: &'static str) -> Result<Statement, StoreError> {
        if let Some(statement) = self.prepared.get(sql) {
            return Ok(statement.clone());
        }
        let statement = self.client.prepare(sql).map_err(backend)?;
        self.prepared.insert(sql, statement.clone());
        Ok(statement)
    }

    pub(super) fn execute(
        &mut self,
        sql: &'static str,
        values: &[&(dyn ToSql + Sync)],
    ) -> Result<u64, StoreError> {
        let statement = self.statement(sql)?;
        self.client.execute(&statement, values).map_err(backend)
    }

    pub(super) fn query(
        &mut self,
        sql: &'static str,
        values: &[&(dyn ToSql + Sync)],
    ) -> Result<Vec<postgres::Row>, StoreError> {
        let statement = self.statement(sql)?;
        self.client.query(&statement, values).map_err(backend)
    }
}

/// A database error as the store reports it, with its causes (a refused connection says why).
pub(super) fn backend(error: postgres::Error) -> StoreError {
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

/// Why a job got no answer: the store is being dropped.
pub(super) fn stopped() -> StoreError {
    StoreError::Backend("the PostgreSQL store has stopped".to_owned())
}

impl Pool {
    /// Connects to the database at `url` and runs `setup` on the first connection; an
    /// unreachable database, or a failed `setup`, is an error.
    pub(super) fn open<T: Send>(
        url: &str,
        setup: impl FnOnce(&mut Client) -> Result<T, StoreError> + Send,
    ) -> Result<(Pool, T), StoreError> {
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
        let (first, set_up) = std::thread::scope(|scope| {
            let made = scope.spawn(|| {
                let mut first = connect(&config)?;
                let set_up = setup(&mut first.client)?;
                Ok((first, set_up))
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
        let pool = Pool {
            jobs: Some(jobs),
            workers,
        };
        Ok((pool, set_up))
    }

    /// Sends `work` to a connection; `answer` gets its result.
    pub(super) fn submit<R: Send + 'static>(
        &self,
        work: impl FnOnce(&mut Connection) -> Result<R, StoreError> + Send + 'static,
        answer: impl FnOnce(Result<R, StoreError>) + Send + 'static,
    ) -> Result<(), StoreError> {
        let job: Job = Box::new(move |connection| answer(connection.and_then(work)));
        (self.jobs.as_ref())
            .is_some_and(|jobs| jobs.send(job).is_ok())
            .then_some(())
            .ok_or_else(stopped)
    }

    /// Runs `work` on a connection and waits for it.
    pub(super) fn read<R: Send + 'static>(
        &self,
        work: impl FnOnce(&mut Connection) -> Result<R, StoreError> + Send + 'static,
    ) -> Result<R, StoreError> {
        let (answer, answered) = mpsc::sync_channel(1);
        self.submit(work, move |result| {
            let _ = answer.send(result);
        })?;
        let wait = || answered.recv().map_err(|_| stopped())?;
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
    pub(super) fn write<R: Send + 'static>(
        &self,
        work: impl FnOnce(&mut Connection) -> Result<R, StoreError> + Send + 'static,
    ) -> Committed<'static, R> {
        let (answer, answered) = tokio::sync::oneshot::channel();
        let sent = self.submit(work, move |result| {
            let _ = answer.send(result);
        });
        Box::pin(async move {
            sent?;
            answered.await.map_err(|_| stopped())?
        })
    }
}

impl Drop for Pool {
    fn drop(&mut self) {
        // Each thread finishes the job it has, then stops.
        self.jobs = None;
        for worker in self.workers.drain(..) {
            let _ = worker.join();
        }
    }
}

//! Inserts in batches: every insert waiting when a statement starts goes into it, so that a
//! burst of creates pays one round trip and one commit, not one each.
//!
//! Inserts wait in a queue; up to [`INSERTERS`] jobs of the pool take what is waiting (up to
//! [`MAX_BATCH`]), insert it with one statement (which records the changes too), answer each
//! insert, and take again until the queue is empty. Under light load a batch is one insert; as
//! the database becomes the limit, the queue grows and so do the batches.
//!
//! The tables' statistics are brought up to date (`ANALYZE`) each time this store's inserts
//! double their count since the last time. Until autovacuum first analyzes a table that grew from
//! empty, the planner cannot tell the key index from the order index, and a read by id picked
//! the order index and scanned its whole collection (a GET by id at 500 requests a second
//! instead of 8,000, seen in the bench on a new database).

use std::collections::HashSet;
use std::sync::atomic::{AtomicU64, AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};

use super::pool::{Connection, Pool};
use crate::store::StoreError;

/// How many batches are inserted at once.
const INSERTERS: usize = 2;

/// The most inserts one statement takes.
const MAX_BATCH: usize = 512;

/// How many inserts come before the first `ANALYZE`.
const FIRST_ANALYZE: u64 = 1000;

/// One insert, and where its answer goes.
pub(super) struct Pending {
    pub(super) tenant: String,
    pub(super) collection: String,
    pub(super) id: String,
    pub(super) body: String,
    pub(super) answer: tokio::sync::oneshot::Sender<Result<(), StoreError>>,
}

/// The queue of inserts, and how many jobs are inserting.
#[derive(Debug, Default)]
pub(super) struct Inserts {
    waiting: Mutex<Vec<Pending>>,
    running: AtomicUsize,
    /// How many inserts this store has made, and how many it had made at its last `ANALYZE`.
    inserted: AtomicU64,
    analyzed_at: AtomicU64,
}

impl std::fmt::Debug for Pending {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}{}/{}", self.tenant, self.collection, self.id)
    }
}

impl Inserts {
    fn take(&self, most: usize) -> Vec<Pending> {
        let mut waiting = self.waiting.lock().unwrap_or_else(|p| p.into_inner());
        let count = waiting.len().min(most);
        waiting.drain(..count).collect()
    }

    fn is_empty(&self) -> bool {
        (self.waiting.lock().unwrap_or_else(|p| p.into_inner())).is_empty()
    }

    /// Counts one more inserter, unless [`INSERTERS`] are running.
    fn claim(&self) -> bool {
        (self.running)
            .fetch_update(Ordering::AcqRel, Ordering::Acquire, |n| {
                (n < INSERTERS).then_some(n + 1)
            })
            .is_ok()
    }
}

/// Queues `pending` and starts an inserter if fewer than [`INSERTERS`] run.
pub(super) fn insert(pool: &Pool, inserts: &Arc<Inserts>, pending: Pending) {
    (inserts.waiting.lock().unwrap_or_else(|p| p.into_inner())).push(pending);
    if !inserts.claim() {
        return;
    }
    let (working, failed) = (inserts.clone(), inserts.clone());
    let submitted = pool.submit(
        move |connection| {
            drain(connection, &working);
            Ok(())
        },
        // No connection (the database is gone): every insert waiting fails with the reason.
        move |result| {
            if let Err(e) = result {
                for pending in failed.take(usize::MAX) {
                    let _ = pending.answer.send(Err(e.clone()));
                }
                failed.running.fetch_sub(1, Ordering::AcqRel);
            }
        },
    );
    if let Err(e) = submitted {
        for pending in inserts.take(usize::MAX) {
            let _ = pending.answer.send(Err(e.clone()));
        }
        inserts.running.fetch_sub(1, Ordering::AcqRel);
    }
}

/// Inserts batches until the queue is empty.
fn drain(connection: &mut Connection, inserts: &Inserts) {
    loop {
        let batch = inserts.take(MAX_BATCH);
        if batch.is_empty() {
            inserts.running.fetch_sub(1, Ordering::AcqRel);
            // An insert queued after the take, while this job still counted, started no
            // inserter of its own: this one goes on for it.
            if inserts.is_empty() || !inserts.claim() {
                return;
            }
            continue;
        }
        let inserted = insert_batch(connection, batch);
        analyze_when_doubled(connection, inserts, inserted);
    }
}

/// Runs `ANALYZE` once the inserts since the last one have doubled the count (or reached
/// [`FIRST_ANALYZE`]); one inserter at a time claims it.
fn analyze_when_doubled(connection: &mut Connection, inserts: &Inserts, inserted: u64) {
    let total = inserts.inserted.fetch_add(inserted, Ordering::AcqRel) + inserted;
    let last = inserts.analyzed_at.load(Ordering::Acquire);
    if total < FIRST_ANALYZE.max(last * 2) {
        return;
    }
    let claimed = (inserts.analyzed_at)
        .compare_exchange(last, total, Ordering::AcqRel, Ordering::Acquire)
        .is_ok();
    if claimed {
        // Statistics only: a failure changes nothing that was written.
        let _ = connection.client.batch_execute("ANALYZE entities, changes");
    }
}

/// One statement for the batch; each insert is answered: inserted, a conflict (its key was
/// taken, or taken by an earlier insert of the batch), or the statement's error. Returns how
/// many were inserted.
fn insert_batch(connection: &mut Connection, batch: Vec<Pending>) -> u64 {
    let mut keys = HashSet::new();
    let (mut tenants, mut collections, mut ids, mut bodies) =
        (Vec::new(), Vec::new(), Vec::new(), Vec::new());
    for pending in &batch {
        if keys.insert((&pending.tenant, &pending.collection, &pending.id)) {
            tenants.push(pending.tenant.as_str());
            collections.push(pending.collection.as_str());
            ids.push(pending.id.as_str());
            bodies.push(pending.body.as_str());
        }
    }
    let inserted = connection.query(
        "WITH input AS (
             SELECT * FROM unnest($1::text[], $2::text[], $3::text[], $4::text[])
                 WITH ORDINALITY AS input (tenant, collection, id, body, n)
         ), written AS (
             INSERT INTO entities (tenant, collection, id, body)
             SELECT tenant, collection, id, body FROM input ORDER BY n
             ON CONFLICT (tenant, collection, id) DO NOTHING
             RETURNING tenant, collection, id
         ), recorded AS (
             INSERT INTO changes (tenant, collection, id) SELECT * FROM written
         )
         SELECT tenant, collection, id FROM written",
        &[&tenants, &collections, &ids, &bodies],
    );
    let mut inserted: HashSet<(String, String, String)> = match inserted {
        Ok(rows) => (rows.iter())
            .map(|row| (row.get(0), row.get(1), row.get(2)))
            .collect(),
        Err(e) => {
            for pending in batch {
                let _ = pending.answer.send(Err(e.clone()));
            }
            return 0;
        }
    };
    let count = inserted.len() as u64;
    for pending in batch {
        let key = (pending.tenant, pending.collection, pending.id);
        // The first insert of a key is the one that was written.
        let answer = match inserted.remove(&key) {
            true => Ok(()),
            false => Err(StoreError::Conflict),
        };
        let _ = pending.answer.send(answer);
    }
    count
}

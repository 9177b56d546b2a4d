//! Change tracking for delta queries: which entities of a collection were written since a
//! version.
//!
//! [`Tracked`] wraps any [`Store`] and records every successful insert, update and delete in
//! the [`ChangeLog`], but only for collections a delta query has asked about (tracking starts at
//! a collection's first delta call, which returns its full state anyway), so a mock nobody asks
//! for deltas pays one atomic load per write. Versions are one counter across all collections;
//! an entity changed twice is reported once, at its last change, and whether it still exists is
//! read from the store when the changes are answered.
//!
//! The log lives in memory: clearing the store, or restarting the mock, starts a new epoch, and
//! a delta token from an older epoch must start over (Graph's 410 Gone).

use std::collections::{BTreeMap, HashMap, HashSet};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex, MutexGuard};

use serde_json::{Map, Value};

use super::{Committed, Entity, Patch, Store, StoreError};

/// The most changes kept per collection; past it the older half is dropped, and tokens from
/// before what is kept must start over.
const MAX_CHANGES: usize = 100_000;

/// Why the changes since a version cannot be told.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Unknown {
    /// The version is older than the changes kept (or of before a reset): start over.
    Expired,
    /// The store failed.
    Store(StoreError),
}

impl From<StoreError> for Unknown {
    fn from(error: StoreError) -> Unknown {
        Unknown::Store(error)
    }
}

/// What delta queries ask of the record of changes: this [`ChangeLog`] of the process, or a
/// store's own record shared by every mock of the store ([`Store::changes`]).
pub trait Changes: Send + Sync + std::fmt::Debug {
    /// The epoch tokens carry: a token of another epoch must start over.
    fn epoch(&self) -> u64;
    /// Starts tracking `collection` (if it is not yet) and returns the current version: a delta
    /// round that starts now answers the changes up to it.
    fn track(&self, collection: &str) -> Result<u64, StoreError>;
    /// The ids written in `collection` after version `since` up to `until`, each once, ordered
    /// by its last change.
    fn changed(&self, collection: &str, since: u64, until: u64) -> Result<Vec<String>, Unknown>;
    /// Forgets `tenant`'s changes: its delta rounds start over, as after a restart.
    fn forget(&self, tenant: &crate::tenant::Tenant) -> Result<(), StoreError>;
}

/// What the log remembers of one tracked collection.
#[derive(Debug, Default)]
struct Collection {
    /// Changes before this version are no longer known.
    floor: u64,
    /// `(version, id)`, in version order.
    changes: Vec<(u64, String)>,
}

#[derive(Debug, Default)]
struct State {
    epoch: u64,
    version: u64,
    collections: HashMap<String, Collection>,
}

/// The record of changes to the tracked collections.
#[derive(Debug)]
pub struct ChangeLog {
    state: Mutex<State>,
    /// Whether any collection is tracked: the one thing every write reads.
    tracking: AtomicBool,
}

impl Default for ChangeLog {
    fn default() -> ChangeLog {
        ChangeLog {
            state: Mutex::new(State {
                epoch: new_epoch(),
                ..State::default()
            }),
            tracking: AtomicBool::new(false),
        }
    }
}

fn new_epoch() -> u64 {
    // A random start, so that tokens from an earlier run of the mock are told apart.
    uuid::Uuid::new_v4().as_u64_pair().0
}

impl ChangeLog {
    fn state(&self) -> MutexGuard<'_, State> {
        self.state.lock().unwrap_or_else(|p| p.into_inner())
    }

    fn record(&self, collection: &str, id: &str) {
        if !self.tracking.load(Ordering::Acquire) {
            return;
        }
        let mut state = self.state();
        let version = state.version + 1;
        let Some(tracked) = state.collections.get_mut(collection) else {
            return;
        };
        tracked.changes.push((version, id.to_owned()));
        if tracked.changes.len() > MAX_CHANGES {
            let dropped = tracked.changes.len() / 2;
            tracked.floor = tracked.changes[dropped - 1].0;
            tracked.changes.drain(..dropped);
        }
        state.version = version;
    }

    /// Forgets everything: tokens issued so far have expired.
    fn restart(&self) {
        *self.state() = State {
            epoch: new_epoch(),
            ..State::default()
        };
        self.tracking.store(false, Ordering::Release);
    }
}

impl Changes for ChangeLog {
    /// This run's epoch: tokens carry it.
    fn epoch(&self) -> u64 {
        self.state().epoch
    }

    /// Starts tracking `collection` (if it is not yet) and returns the current version: a delta
    /// round that starts now answers the changes up to it.
    fn track(&self, collection: &str) -> Result<u64, StoreError> {
        let mut state = self.state();
        let version = state.version;
        state
            .collections
            .entry(collection.to_owned())
            .or_insert_with(|| Collection {
                floor: version,
                changes: Vec::new(),
            });
        self.tracking.store(true, Ordering::Release);
        Ok(version)
    }

    /// The ids written in `collection` after version `since` up to `until`, each once, ordered by
    /// its last change.
    fn changed(&self, collection: &str, since: u64, until: u64) -> Result<Vec<String>, Unknown> {
        let state = self.state();
        let tracked = state.collections.get(collection).ok_or(Unknown::Expired)?;
        if since < tracked.floor || until > state.version {
            return Err(Unknown::Expired);
        }
        let start = tracked.changes.partition_point(|(v, _)| *v <= since);
        let end = tracked.changes.partition_point(|(v, _)| *v <= until);
        let window = &tracked.changes[start..end];
        let mut seen = HashSet::new();
        let mut ids: Vec<String> = window
            .iter()
            .rev()
            .filter(|(_, id)| seen.insert(id.as_str()))
            .map(|(_, id)| id.clone())
            .collect();
        ids.reverse();
        Ok(ids)
    }

    fn forget(&self, tenant: &crate::tenant::Tenant) -> Result<(), StoreError> {
        self.state()
            .collections
            .retain(|name, _| !tenant.owns(name));
        Ok(())
    }
}

/// A store whose writes are recorded in a [`ChangeLog`].
#[derive(Debug)]
pub struct Tracked {
    store: Arc<dyn Store>,
    log: Arc<ChangeLog>,
}

impl Tracked {
    /// Wraps `store`, recording its writes in `log`.
    pub fn new(store: Arc<dyn Store>, log: Arc<ChangeLog>) -> Tracked {
        Tracked { store, log }
    }
}

impl Store for Tracked {
    fn insert<'a>(
        &'a self,
        collection: &'a str,
        id: &'a str,
        entity: Map<String, Value>,
    ) -> Committed<'a, Entity> {
        let inserted = self.store.insert(collection, id, entity);
        Box::pin(async move {
            let inserted = inserted.await?;
            self.log.record(collection, id);
            Ok(inserted)
        })
    }

    fn get(&self, collection: &str, id: &str) -> Result<Option<Entity>, StoreError> {
        self.store.get(collection, id)
    }

    fn update<'a>(
        &'a self,
        collection: &'a str,
        id: &'a str,
        patch: Patch<'a>,
    ) -> Committed<'a, Entity> {
        let updated = self.store.update(collection, id, patch);
        Box::pin(async move {
            let updated = updated.await?;
            self.log.record(collection, id);
            Ok(updated)
        })
    }

    fn delete<'a>(&'a self, collection: &'a str, id: &'a str) -> Committed<'a, ()> {
        let deleted = self.store.delete(collection, id);
        Box::pin(async move {
            deleted.await?;
            self.log.record(collection, id);
            Ok(())
        })
    }

    fn len(&self, collection: &str) -> Result<usize, StoreError> {
        self.store.len(collection)
    }

    fn scan(
        &self,
        collection: &str,
        after: Option<u64>,
        visit: &mut dyn FnMut(u64, &Entity) -> bool,
    ) -> Result<(), StoreError> {
        self.store.scan(collection, after, visit)
    }

    fn dump(&self) -> Result<BTreeMap<String, Vec<(String, Value)>>, StoreError> {
        self.store.dump()
    }

    fn clear(&self) -> Committed<'_, ()> {
        let cleared = self.store.clear();
        Box::pin(async move {
            cleared.await?;
            self.log.restart();
            Ok(())
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::store::MemoryStore;
    use serde_json::json;

    fn entity(id: &str) -> Map<String, Value> {
        json!({ "id": id }).as_object().unwrap().clone()
    }

    #[tokio::test]
    async fn changes_are_recorded_only_once_tracked_and_each_id_once() {
        let log = Arc::new(ChangeLog::default());
        let store = Tracked::new(Arc::new(MemoryStore::default()), log.clone());
        store
            .insert("/c", "before", entity("before"))
            .await
            .unwrap();
        let start = log.track("/c").unwrap();
        store.insert("/c", "a", entity("a")).await.unwrap();
        store.insert("/c", "b", entity("b")).await.unwrap();
        store.insert("/other", "x", entity("x")).await.unwrap();
        let patch = json!({"n": 1}).as_object().unwrap().clone();
        store.update("/c", "a", &patch).await.unwrap();
        let failed = store.update("/c", "missing", &patch).await;
        assert_eq!(failed, Err(StoreError::NotFound));
        store.delete("/c", "before").await.unwrap();
        let now = log.track("/c").unwrap();
        assert_eq!(
            log.changed("/c", start, now).unwrap(),
            ["b", "a", "before"].map(String::from),
            "each id once, at its last change; a failed update is no change"
        );
        assert_eq!(
            log.changed("/c", start, start).unwrap(),
            Vec::<String>::new()
        );
        assert_eq!(
            log.changed("/other", 0, now),
            Err(Unknown::Expired),
            "never tracked"
        );
    }

    #[tokio::test]
    async fn clearing_the_store_expires_every_token() {
        let log = Arc::new(ChangeLog::default());
        let store = Tracked::new(Arc::new(MemoryStore::default()), log.clone());
        let epoch = log.epoch();
        let start = log.track("/c").unwrap();
        store.insert("/c", "a", entity("a")).await.unwrap();
        store.clear().await.unwrap();
        assert_ne!(log.epoch(), epoch);
        assert_eq!(log.changed("/c", start, start), Err(Unknown::Expired));
    }

    #[tokio::test]
    async fn a_long_log_forgets_its_oldest_half() {
        let log = Arc::new(ChangeLog::default());
        let store = Tracked::new(Arc::new(MemoryStore::default()), log.clone());
        let start = log.track("/c").unwrap();
        store.insert("/c", "a", entity("a")).await.unwrap();
        for n in 0..MAX_CHANGES {
            let patch = json!({ "n": n }).as_object().unwrap().clone();
            store.update("/c", "a", &patch).await.unwrap();
        }
        let now = log.track("/c").unwrap();
        assert_eq!(log.changed("/c", start, now), Err(Unknown::Expired));
        assert_eq!(log.changed("/c", now - 1, now).unwrap(), ["a"]);
    }
}

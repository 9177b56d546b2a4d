//! The in-memory backend: the default, and the fast path.
//!
//! Each collection keeps entities (as JSON text, see [`StoredEntity`]) in insertion order in a
//! `BTreeMap` keyed by a sequence number, with an id index beside it, so a page resumes after its
//! skip token in O(log n + page) and nothing is cloned but `Arc`s. The lock is a `std::sync::RwLock` held only inside these
//! methods, never across an `.await`.

use std::collections::{BTreeMap, HashMap};
use std::sync::{RwLock, RwLockReadGuard, RwLockWriteGuard};

use serde_json::{Map, Value};

use super::{Change, Entity, Store, StoreError, StoredEntity, UpdateError};

#[derive(Debug, Default)]
struct Collection {
    by_seq: BTreeMap<u64, Entity>,
    by_id: HashMap<Box<str>, u64>,
}

#[derive(Debug, Default)]
struct Inner {
    collections: HashMap<String, Collection>,
    next_seq: u64,
}

/// Entities in memory.
#[derive(Debug, Default)]
pub struct MemoryStore {
    inner: RwLock<Inner>,
}

impl MemoryStore {
    fn read(&self) -> RwLockReadGuard<'_, Inner> {
        // Every write replaces whole `Arc`s, so a lock poisoned by a panic is still consistent.
        self.inner.read().unwrap_or_else(|p| p.into_inner())
    }

    fn write(&self) -> RwLockWriteGuard<'_, Inner> {
        self.inner.write().unwrap_or_else(|p| p.into_inner())
    }
}

impl Store for MemoryStore {
    fn insert(
        &self,
        collection: &str,
        id: &str,
        entity: Map<String, Value>,
    ) -> Result<Entity, StoreError> {
        let mut inner = self.write();
        let seq = inner.next_seq;
        let target = inner.collections.entry(collection.to_owned()).or_default();
        if target.by_id.contains_key(id) {
            return Err(StoreError::Conflict);
        }
        let entity = StoredEntity::from_map(&entity);
        target.by_id.insert(Box::from(id), seq);
        target.by_seq.insert(seq, entity.clone());
        inner.next_seq += 1;
        Ok(entity)
    }

    fn get(&self, collection: &str, id: &str) -> Result<Option<Entity>, StoreError> {
        let inner = self.read();
        let Some(target) = inner.collections.get(collection) else {
            return Ok(None);
        };
        Ok(target
            .by_id
            .get(id)
            .and_then(|seq| target.by_seq.get(seq))
            .cloned())
    }

    fn update(
        &self,
        collection: &str,
        id: &str,
        change: Change<'_>,
    ) -> Result<Entity, UpdateError> {
        let mut inner = self.write();
        let not_found = || UpdateError::Store(StoreError::NotFound);
        let target = inner
            .collections
            .get_mut(collection)
            .ok_or_else(not_found)?;
        let seq = *target.by_id.get(id).ok_or_else(not_found)?;
        let slot = target.by_seq.get_mut(&seq).ok_or_else(not_found)?;
        let mut copy = slot.to_map();
        change(&mut copy).map_err(UpdateError::Refused)?;
        *slot = StoredEntity::from_map(&copy);
        Ok(slot.clone())
    }

    fn delete(&self, collection: &str, id: &str) -> Result<(), StoreError> {
        let mut inner = self.write();
        let target = inner
            .collections
            .get_mut(collection)
            .ok_or(StoreError::NotFound)?;
        let seq = target.by_id.remove(id).ok_or(StoreError::NotFound)?;
        target.by_seq.remove(&seq);
        let children = format!("{collection}/{id}/");
        inner
            .collections
            .retain(|path, _| !path.starts_with(&children));
        Ok(())
    }

    fn len(&self, collection: &str) -> Result<usize, StoreError> {
        Ok(self
            .read()
            .collections
            .get(collection)
            .map_or(0, |c| c.by_seq.len()))
    }

    fn scan(
        &self,
        collection: &str,
        after: Option<u64>,
        visit: &mut dyn FnMut(u64, &Entity) -> bool,
    ) -> Result<(), StoreError> {
        let inner = self.read();
        let Some(target) = inner.collections.get(collection) else {
            return Ok(());
        };
        let start = after.map_or(0, |a| a.saturating_add(1));
        for (seq, entity) in target.by_seq.range(start..) {
            if !visit(*seq, entity) {
                break;
            }
        }
        Ok(())
    }

    fn dump(&self) -> Result<BTreeMap<String, Vec<(String, Value)>>, StoreError> {
        let inner = self.read();
        Ok(inner
            .collections
            .iter()
            .map(|(path, c)| {
                let mut ids: Vec<(&u64, &Box<str>)> =
                    c.by_id.iter().map(|(id, seq)| (seq, id)).collect();
                ids.sort();
                let entries = ids
                    .into_iter()
                    .map(|(seq, id)| (id.to_string(), Value::Object(c.by_seq[seq].to_map())))
                    .collect();
                (path.clone(), entries)
            })
            .collect())
    }

    fn clear(&self) -> Result<(), StoreError> {
        let mut inner = self.write();
        inner.collections.clear();
        Ok(())
    }
}

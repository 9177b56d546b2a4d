//! The in-memory backend: the default, and the fast path.
//!
//! Each collection keeps its entities (as JSON text, see [`StoredEntity`]) in insertion order in
//! a `Vec` of slots, with a hash index of slot positions beside it (split into 64 tables once
//! large, so that no insert rehashes it all). The index reads each key from its entity
//! ([`StoredEntity::key`]), so it holds only positions, never a copy of an id: about 330 bytes
//! an entity for a connector. A page resumes after its skip token by binary search
//! (O(log n + page)). A delete leaves a hole, and the slots are compacted in place once there is
//! one hole for every 16 entities, so holes cost at most a sixteenth more slots and a scan skips
//! few of them. The lock is a `std::sync::RwLock` held only inside these methods, never across
//! an `.await`.

use std::collections::{BTreeMap, HashMap};
use std::hash::BuildHasher;
use std::sync::{RwLock, RwLockReadGuard, RwLockWriteGuard};

use hashbrown::{DefaultHashBuilder, HashTable};
use serde_json::{Map, Value};

use super::{Committed, Entity, Patch, Store, StoreError, StoredEntity};

/// One place in a collection: its sequence number (the order, and what a skip token names) and
/// the entity, or `None` once deleted.
type Slot = (u64, Option<Entity>);

/// Holes below this many are never worth a compaction.
const MIN_HOLES_TO_COMPACT: usize = 64;

/// A compaction runs once there is more than one hole per this many live entities: each moves
/// the collection once, so a delete costs this many moves, amortised.
const LIVE_PER_HOLE: usize = 16;

/// How many tables a large collection's id index is split into.
const SHARDS: usize = 64;

/// The id index is split once it holds this many entries.
const SPLIT_AT: usize = 4096;

/// Positions in a collection's `slots` of its live entities, hashed by id (`u32`: half the
/// index's memory, and no collection that fits in memory holds four billion entities). A table
/// that grows rehashes every entry at once, reading each key from its entity; over 300k
/// entities that put 20 ms or more on one insert. So a large collection's index is
/// [`SHARDS`] tables, picked by hash bits that neither the table's bucket position (low bits)
/// nor its control bytes (the top seven) use, and an insert rehashes at most one of them.
#[derive(Debug)]
struct IdIndex {
    /// One table, or [`SHARDS`] of them.
    tables: Vec<HashTable<u32>>,
}

impl Default for IdIndex {
    fn default() -> IdIndex {
        IdIndex {
            tables: vec![HashTable::new()],
        }
    }
}

impl IdIndex {
    fn shard(&self, hash: u64) -> usize {
        match self.tables.len() {
            1 => 0,
            n => (hash >> 32) as usize % n,
        }
    }

    fn find(&self, hash: u64, is: impl FnMut(&u32) -> bool) -> Option<&u32> {
        self.tables[self.shard(hash)].find(hash, is)
    }

    fn insert(&mut self, hash: u64, position: u32, rehash: impl Fn(&u32) -> u64) {
        if self.tables.len() == 1 && self.tables[0].len() >= SPLIT_AT {
            let whole = std::mem::take(&mut self.tables[0]);
            self.tables = (0..SHARDS).map(|_| HashTable::new()).collect();
            for entry in whole {
                let hash = rehash(&entry);
                let shard = self.shard(hash);
                self.tables[shard].insert_unique(hash, entry, &rehash);
            }
        }
        let shard = self.shard(hash);
        self.tables[shard].insert_unique(hash, position, rehash);
    }

    fn remove(&mut self, hash: u64, is: impl FnMut(&u32) -> bool) -> Option<u32> {
        let shard = self.shard(hash);
        let entry = self.tables[shard].find_entry(hash, is).ok()?;
        Some(entry.remove().0)
    }

    /// Empties every table, keeping their allocations.
    fn clear(&mut self) {
        self.tables.iter_mut().for_each(HashTable::clear);
    }
}

#[derive(Debug, Default)]
struct Collection {
    slots: Vec<Slot>,
    by_id: IdIndex,
    holes: usize,
}

impl Collection {
    fn live(&self) -> usize {
        self.slots.len() - self.holes
    }

    fn key_at(slots: &[Slot], position: u32) -> &str {
        slots[position as usize]
            .1
            .as_ref()
            .map_or("", StoredEntity::key)
    }

    fn position(&self, hasher: &DefaultHashBuilder, id: &str) -> Option<usize> {
        self.by_id
            .find(hasher.hash_one(id), |&p| Self::key_at(&self.slots, p) == id)
            .map(|&p| p as usize)
    }

    fn push(
        &mut self,
        hasher: &DefaultHashBuilder,
        seq: u64,
        entity: Entity,
    ) -> Result<(), StoreError> {
        let position = u32::try_from(self.slots.len()).map_err(|_| {
            StoreError::Backend("a collection holds at most 4,294,967,295 entities".to_owned())
        })?;
        let slots = &self.slots;
        self.by_id
            .insert(hasher.hash_one(entity.key()), position, |&p| {
                hasher.hash_one(Self::key_at(slots, p))
            });
        self.slots.push((seq, Some(entity)));
        Ok(())
    }

    fn remove(&mut self, hasher: &DefaultHashBuilder, id: &str) -> Option<Entity> {
        let slots = &self.slots;
        let position = self
            .by_id
            .remove(hasher.hash_one(id), |&p| Self::key_at(slots, p) == id)?;
        let removed = self.slots[position as usize].1.take();
        self.holes += 1;
        if self.holes >= MIN_HOLES_TO_COMPACT && self.holes > self.live() / LIVE_PER_HOLE {
            self.compact(hasher);
        }
        removed
    }

    /// Drops the holes and rebuilds the index: O(n), once per n/16 deletes at most.
    fn compact(&mut self, hasher: &DefaultHashBuilder) {
        // Both stay in their allocations: freeing and allocating tens of megabytes at a time would
        // fragment the heap, and a collection that shrank this far is likely to grow again.
        self.slots.retain(|(_, entity)| entity.is_some());
        self.holes = 0;
        self.by_id.clear();
        let slots = &self.slots;
        // Fewer entities than before, so every position fits in a `u32`, as it did.
        for position in (0..slots.len()).filter_map(|p| u32::try_from(p).ok()) {
            self.by_id.insert(
                hasher.hash_one(Self::key_at(slots, position)),
                position,
                |&p| hasher.hash_one(Self::key_at(slots, p)),
            );
        }
    }
}

#[derive(Debug, Default)]
struct Inner {
    collections: HashMap<String, Collection>,
    next_seq: u64,
    hasher: DefaultHashBuilder,
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

    fn insert_now(
        &self,
        collection: &str,
        id: &str,
        entity: Map<String, Value>,
    ) -> Result<Entity, StoreError> {
        let entity = StoredEntity::keyed(id, &entity)?;
        let mut guard = self.write();
        let inner = &mut *guard;
        let seq = inner.next_seq;
        let target = inner.collections.entry(collection.to_owned()).or_default();
        if target.position(&inner.hasher, id).is_some() {
            return Err(StoreError::Conflict);
        }
        target.push(&inner.hasher, seq, entity.clone())?;
        inner.next_seq += 1;
        Ok(entity)
    }

    fn update_now(
        &self,
        collection: &str,
        id: &str,
        patch: Patch<'_>,
    ) -> Result<Entity, StoreError> {
        // First the patch is applied with no lock held; the result replaces the entity if no
        // other write came first (the same `Arc` is still in place). If one did, the patch is
        // applied again to the newer version with the lock held, so that writers racing for one
        // entity cannot keep undoing each other's work.
        let current = self.get(collection, id)?.ok_or(StoreError::NotFound)?;
        let updated = current.patched(id, patch)?;
        let mut guard = self.write();
        let inner = &mut *guard;
        let target = (inner.collections.get_mut(collection)).ok_or(StoreError::NotFound)?;
        let position = (target.position(&inner.hasher, id)).ok_or(StoreError::NotFound)?;
        let slot = target.slots[position]
            .1
            .as_mut()
            .ok_or(StoreError::NotFound)?;
        let updated = match slot.is_same(&current) {
            true => updated,
            false => slot.patched(id, patch)?,
        };
        *slot = updated.clone();
        Ok(updated)
    }

    fn delete_now(&self, collection: &str, id: &str) -> Result<(), StoreError> {
        let mut guard = self.write();
        let inner = &mut *guard;
        let target = inner
            .collections
            .get_mut(collection)
            .ok_or(StoreError::NotFound)?;
        target
            .remove(&inner.hasher, id)
            .ok_or(StoreError::NotFound)?;
        let children = format!("{collection}/{id}/");
        inner
            .collections
            .retain(|path, _| !path.starts_with(&children));
        Ok(())
    }
}

impl Store for MemoryStore {
    fn insert<'a>(
        &'a self,
        collection: &'a str,
        id: &'a str,
        entity: Map<String, Value>,
    ) -> Committed<'a, Entity> {
        Box::pin(std::future::ready(self.insert_now(collection, id, entity)))
    }

    fn get(&self, collection: &str, id: &str) -> Result<Option<Entity>, StoreError> {
        let inner = self.read();
        let Some(target) = inner.collections.get(collection) else {
            return Ok(None);
        };
        Ok(target
            .position(&inner.hasher, id)
            .and_then(|p| target.slots[p].1.clone()))
    }

    fn update<'a>(
        &'a self,
        collection: &'a str,
        id: &'a str,
        patch: Patch<'a>,
    ) -> Committed<'a, Entity> {
        Box::pin(std::future::ready(self.update_now(collection, id, patch)))
    }

    fn delete<'a>(&'a self, collection: &'a str, id: &'a str) -> Committed<'a, ()> {
        Box::pin(std::future::ready(self.delete_now(collection, id)))
    }

    fn len(&self, collection: &str) -> Result<usize, StoreError> {
        Ok(self
            .read()
            .collections
            .get(collection)
            .map_or(0, Collection::live))
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
        let start = after.map_or(0, |a| target.slots.partition_point(|(seq, _)| *seq <= a));
        for (seq, entity) in &target.slots[start..] {
            if let Some(entity) = entity
                && !visit(*seq, entity)
            {
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
                let entries = c
                    .slots
                    .iter()
                    .filter_map(|(_, entity)| entity.as_ref())
                    .map(|e| (e.key().to_owned(), Value::Object(e.to_map())))
                    .collect();
                (path.clone(), entries)
            })
            .collect())
    }

    fn clear(&self) -> Committed<'_, ()> {
        self.write().collections.clear();
        Box::pin(std::future::ready(Ok(())))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_split_index_finds_every_entity_through_deletes_and_compactions() {
        let hasher = DefaultHashBuilder::default();
        let mut collection = Collection::default();
        let count = SPLIT_AT * 3;
        let key = |n: usize| format!("{n:05}");
        for n in 0..count {
            let object = serde_json::json!({ "id": key(n) });
            let entity = StoredEntity::keyed(&key(n), object.as_object().unwrap()).unwrap();
            collection.push(&hasher, n as u64, entity).unwrap();
        }
        assert_eq!(
            collection.by_id.tables.len(),
            SHARDS,
            "split once past SPLIT_AT"
        );
        let sizes = collection.by_id.tables.iter().map(HashTable::len);
        assert!(sizes.clone().all(|n| n > 0), "every shard is used");
        assert_eq!(sizes.sum::<usize>(), count);
        // Deleting two thirds compacts the slots and rebuilds the index more than once.
        for n in (0..count).filter(|n| n % 3 != 0) {
            assert!(collection.remove(&hasher, &key(n)).is_some(), "{n}");
        }
        assert!(collection.holes < count / 3, "compacted");
        for n in 0..count {
            let found = collection.position(&hasher, &key(n));
            assert_eq!(found.is_some(), n % 3 == 0, "{n}");
            if let Some(position) = found {
                assert_eq!(
                    Collection::key_at(&collection.slots, position as u32),
                    key(n)
                );
            }
        }
    }
}

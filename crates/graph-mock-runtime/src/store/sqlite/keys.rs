//! The SQLite store's index of its rows, `(collection, id) -> seq`, held in memory.
//!
//! SQLite keeps the rows in insertion order (`seq`), so an insert appends to the pages it
//! writes. A unique index over `(collection, id)` in the file would put every insert on a
//! random page of that index (ids are random GUIDs): about 40 WAL pages a group of writes
//! instead of a handful, which held durable POST to a third less throughput. So the keys live
//! here, loaded when the file is opened and changed by the writer as its groups commit: about
//! 100 bytes an entity (its id twice over in a hash map, and its row number).

use std::collections::{BTreeMap, HashMap};
use std::hash::{BuildHasher, RandomState};
use std::sync::{RwLock, RwLockReadGuard};

/// How many parts the keys are split into, by the id's hash: a map that grows rehashes all it
/// holds at once (20 ms and more past 300k ids, with the writer holding the lock), and a part
/// holds a 64th of them.
const SHARDS: usize = 64;

/// Each committed entity's row: in the part its id hashes to, by collection and id.
#[derive(Debug)]
pub(super) struct Keys {
    shards: Vec<HashMap<String, HashMap<String, i64>>>,
    hasher: RandomState,
}

impl Default for Keys {
    fn default() -> Keys {
        Keys {
            shards: (0..SHARDS).map(|_| HashMap::new()).collect(),
            hasher: RandomState::new(),
        }
    }
}

impl Keys {
    fn shard(&self, id: &str) -> usize {
        (self.hasher.hash_one(id) % SHARDS as u64) as usize
    }

    /// The row of `id` in `collection`.
    pub(super) fn seq(&self, collection: &str, id: &str) -> Option<i64> {
        self.shards[self.shard(id)]
            .get(collection)?
            .get(id)
            .copied()
    }

    /// Records a row (the latest for a key wins).
    pub(super) fn insert(&mut self, collection: &str, id: String, seq: i64) {
        let shard = self.shard(&id);
        let shard = &mut self.shards[shard];
        match shard.get_mut(collection) {
            Some(ids) => {
                ids.insert(id, seq);
            }
            None => {
                shard.insert(collection.to_owned(), HashMap::from([(id, seq)]));
            }
        }
    }

    fn remove(&mut self, collection: &str, id: &str) {
        let shard = self.shard(id);
        if let Some(ids) = self.shards[shard].get_mut(collection) {
            ids.remove(id);
            if ids.is_empty() {
                self.shards[shard].remove(collection);
            }
        }
    }

    fn clear(&mut self) {
        self.shards.iter_mut().for_each(HashMap::clear);
    }

    /// Every `(collection, id)` of the collections whose path starts with `prefix`.
    fn under<'s>(&'s self, prefix: &'s str) -> impl Iterator<Item = (&'s str, &'s str)> {
        self.shards
            .iter()
            .flatten()
            .filter(move |(collection, _)| collection.starts_with(prefix))
            .flat_map(|(collection, ids)| {
                ids.keys().map(move |id| (collection.as_str(), id.as_str()))
            })
    }
}

/// Reads the keys; they stay consistent whatever panicked while they were held.
pub(super) fn read(keys: &RwLock<Keys>) -> RwLockReadGuard<'_, Keys> {
    keys.read().unwrap_or_else(|p| p.into_inner())
}

/// One group's view of the keys: the committed ones under the changes its writes made so far.
/// The changes reach the committed keys only when the group commits ([`GroupKeys::commit`]).
pub(super) struct GroupKeys<'k> {
    committed: &'k RwLock<Keys>,
    /// Whether a write of this group removed everything.
    cleared: bool,
    /// Rows added (`Some`) or removed (`None`) by this group, by collection and id.
    changes: HashMap<String, HashMap<String, Option<i64>>>,
}

impl<'k> GroupKeys<'k> {
    pub(super) fn new(committed: &'k RwLock<Keys>) -> GroupKeys<'k> {
        GroupKeys {
            committed,
            cleared: false,
            changes: HashMap::new(),
        }
    }

    /// The row of `id` in `collection`, as this group has left it.
    pub(super) fn seq(&self, collection: &str, id: &str) -> Option<i64> {
        self.seq_over(&read(self.committed), collection, id)
    }

    /// [`GroupKeys::seq`], over the committed keys already read.
    fn seq_over(&self, committed: &Keys, collection: &str, id: &str) -> Option<i64> {
        match self.changes.get(collection).and_then(|ids| ids.get(id)) {
            Some(change) => *change,
            None if self.cleared => None,
            None => committed.seq(collection, id),
        }
    }

    /// Records that `id` in `collection` is now at row `seq` (`None`: removed).
    pub(super) fn set(&mut self, collection: &str, id: &str, seq: Option<i64>) {
        self.changes
            .entry(collection.to_owned())
            .or_default()
            .insert(id.to_owned(), seq);
    }

    /// Records that everything was removed.
    pub(super) fn clear(&mut self) {
        self.cleared = true;
        self.changes.clear();
    }

    /// Every entity of the collections whose path starts with `prefix` (those nested in an
    /// entity), as `(collection, id, seq)`, in a stable order.
    pub(super) fn nested(&self, prefix: &str) -> Vec<(String, String, i64)> {
        let mut candidates: BTreeMap<&str, Vec<&str>> = BTreeMap::new();
        let committed = read(self.committed);
        if !self.cleared {
            for (collection, id) in committed.under(prefix) {
                candidates.entry(collection).or_default().push(id);
            }
        }
        for (collection, ids) in &self.changes {
            if collection.starts_with(prefix) {
                candidates
                    .entry(collection)
                    .or_default()
                    .extend(ids.keys().map(String::as_str));
            }
        }
        let mut nested = Vec::new();
        for (collection, mut ids) in candidates {
            ids.sort_unstable();
            ids.dedup();
            for id in ids {
                if let Some(seq) = self.seq_over(&committed, collection, id) {
                    nested.push((collection.to_owned(), id.to_owned(), seq));
                }
            }
        }
        nested
    }

    /// Makes this group's changes the committed keys (once its transaction has committed).
    pub(super) fn commit(self) {
        if !self.cleared && self.changes.is_empty() {
            return;
        }
        let mut keys = self.committed.write().unwrap_or_else(|p| p.into_inner());
        if self.cleared {
            keys.clear();
        }
        for (collection, ids) in self.changes {
            for (id, seq) in ids {
                match seq {
                    Some(seq) => keys.insert(&collection, id, seq),
                    None => keys.remove(&collection, &id),
                }
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn committed(rows: &[(&str, &str, i64)]) -> RwLock<Keys> {
        let mut keys = Keys::default();
        for (collection, id, seq) in rows {
            keys.insert(collection, (*id).to_owned(), *seq);
        }
        RwLock::new(keys)
    }

    #[test]
    fn a_group_sees_its_own_changes_and_commits_them_only_when_told() {
        let keys = committed(&[("/a", "1", 1), ("/a", "2", 2)]);
        let mut group = GroupKeys::new(&keys);
        group.set("/a", "3", Some(3));
        group.set("/a", "1", None);
        assert_eq!(
            (
                group.seq("/a", "1"),
                group.seq("/a", "2"),
                group.seq("/a", "3")
            ),
            (None, Some(2), Some(3))
        );
        assert_eq!(read(&keys).seq("/a", "3"), None, "not before the commit");
        drop(group);
        assert_eq!(
            read(&keys).seq("/a", "1"),
            Some(1),
            "a dropped group changes nothing"
        );

        let mut group = GroupKeys::new(&keys);
        group.set("/a", "3", Some(3));
        group.set("/a", "1", None);
        group.commit();
        let keys = read(&keys);
        assert_eq!(
            (
                keys.seq("/a", "1"),
                keys.seq("/a", "2"),
                keys.seq("/a", "3")
            ),
            (None, Some(2), Some(3))
        );
    }

    #[test]
    fn nested_entities_come_from_both_the_committed_keys_and_the_group() {
        let keys = committed(&[
            ("/a", "1", 1),
            ("/a/1/b", "x", 2),
            ("/a/1/b", "y", 3),
            ("/a/10/b", "z", 4),
        ]);
        let mut group = GroupKeys::new(&keys);
        group.set("/a/1/b", "y", None);
        group.set("/a/1/b/x/c", "w", Some(5));
        assert_eq!(
            group.nested("/a/1/"),
            vec![
                ("/a/1/b".to_owned(), "x".to_owned(), 2),
                ("/a/1/b/x/c".to_owned(), "w".to_owned(), 5)
            ]
        );
        group.clear();
        assert!(group.nested("/a/").is_empty());
        assert_eq!(group.seq("/a", "1"), None);
        group.set("/a", "9", Some(9));
        group.commit();
        let keys = read(&keys);
        assert_eq!((keys.seq("/a", "1"), keys.seq("/a", "9")), (None, Some(9)));
    }
}

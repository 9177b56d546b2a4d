//! The in-memory entity store: collections keyed by their concrete path, entities by id.
//!
//! Each collection keeps entities in insertion order in a `BTreeMap` keyed by a sequence number,
//! with an id index beside it, so that a page of an unfiltered list resumes after its skip token
//! in O(log n + page) and never clones the collection. Entities are `Arc`s: a page hands out
//! pointers, not copies. The lock is a `std::sync::RwLock` held only inside these methods, never
//! across an `.await`.
//!
//! Children live in collections under their parent's path (`/a/{id}/b`), so deleting the parent
//! removes them.

use std::collections::{BTreeMap, HashMap};
use std::sync::{Arc, RwLock, RwLockReadGuard, RwLockWriteGuard};

use serde_json::{Map, Value};

use crate::filter::{self, Expr};
use crate::query::SkipToken;

/// A stored entity.
pub type Entity = Arc<Map<String, Value>>;

/// Why a write was refused.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum StoreError {
    /// The id is taken.
    Conflict,
    /// No entity has the id.
    NotFound,
}

#[derive(Debug, Default)]
struct Collection {
    by_seq: BTreeMap<u64, Entity>,
    by_id: HashMap<String, u64>,
}

#[derive(Debug, Default)]
struct Inner {
    collections: HashMap<String, Collection>,
    next_seq: u64,
}

/// The store.
#[derive(Debug, Default)]
pub struct Store {
    inner: RwLock<Inner>,
}

/// What one list request asks for.
#[derive(Debug, Clone, Copy)]
pub struct ListRequest<'a> {
    /// `$filter`.
    pub filter: Option<&'a Expr>,
    /// `$orderby`.
    pub order_by: &'a [(Vec<String>, bool)],
    /// `$skip`.
    pub skip: usize,
    /// `$top`: the most items of the whole result.
    pub top: Option<usize>,
    /// Where the previous page ended.
    pub token: Option<SkipToken>,
    /// The server's page size.
    pub page_size: usize,
}

/// One page of a list.
#[derive(Debug, Clone)]
pub struct ListPage {
    /// The items.
    pub items: Vec<Entity>,
    /// How many items match in all (for `$count`).
    pub total: usize,
    /// Where the next page starts, if there is one.
    pub next: Option<SkipToken>,
}

impl Store {
    fn read(&self) -> RwLockReadGuard<'_, Inner> {
        // A panic while holding the lock cannot leave an entity half-written (every write
        // replaces whole `Arc`s), so a poisoned lock is still consistent.
        self.inner.read().unwrap_or_else(|p| p.into_inner())
    }

    fn write(&self) -> RwLockWriteGuard<'_, Inner> {
        self.inner.write().unwrap_or_else(|p| p.into_inner())
    }

    /// Adds an entity whose `id` is `id`.
    pub fn insert(
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
        let entity = Arc::new(entity);
        target.by_id.insert(id.to_owned(), seq);
        target.by_seq.insert(seq, Arc::clone(&entity));
        inner.next_seq += 1;
        Ok(entity)
    }

    /// The entity with `id`.
    pub fn get(&self, collection: &str, id: &str) -> Option<Entity> {
        let inner = self.read();
        let target = inner.collections.get(collection)?;
        target
            .by_id
            .get(id)
            .and_then(|seq| target.by_seq.get(seq))
            .cloned()
    }

    /// Applies `change` to a copy of the entity and stores the copy; nothing changes if `change`
    /// fails.
    pub fn update<E>(
        &self,
        collection: &str,
        id: &str,
        change: impl FnOnce(&mut Map<String, Value>) -> Result<(), E>,
    ) -> Result<Result<Entity, E>, StoreError> {
        let mut inner = self.write();
        let target = inner
            .collections
            .get_mut(collection)
            .ok_or(StoreError::NotFound)?;
        let seq = *target.by_id.get(id).ok_or(StoreError::NotFound)?;
        let slot = target.by_seq.get_mut(&seq).ok_or(StoreError::NotFound)?;
        let mut copy = Map::clone(slot);
        if let Err(e) = change(&mut copy) {
            return Ok(Err(e));
        }
        *slot = Arc::new(copy);
        Ok(Ok(Arc::clone(slot)))
    }

    /// Removes the entity and every collection contained in it.
    pub fn delete(&self, collection: &str, id: &str) -> Result<(), StoreError> {
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

    /// One page of a collection.
    pub fn list(&self, collection: &str, request: ListRequest<'_>) -> ListPage {
        let inner = self.read();
        let Some(target) = inner.collections.get(collection) else {
            return ListPage {
                items: Vec::new(),
                total: 0,
                next: None,
            };
        };
        let returned = request.token.map_or(0, |t| t.returned);
        let remaining = request
            .top
            .map_or(usize::MAX, |top| top.saturating_sub(returned));
        let page_len = request.page_size.min(remaining);
        // One item past the page tells whether there is a next page.
        let (window, total): (Vec<(u64, &Entity)>, usize) =
            if request.filter.is_none() && request.order_by.is_empty() {
                let window = match request.token {
                    Some(token) => target
                        .by_seq
                        .range(token.last_seq + 1..)
                        .take(page_len + 1)
                        .map(|(s, e)| (*s, e))
                        .collect(),
                    None => target
                        .by_seq
                        .iter()
                        .skip(request.skip)
                        .take(page_len + 1)
                        .map(|(s, e)| (*s, e))
                        .collect(),
                };
                (window, target.by_seq.len())
            } else {
                let mut matching: Vec<(u64, &Entity)> = target
                    .by_seq
                    .iter()
                    .filter(|(_, e)| request.filter.is_none_or(|f| filter::matches(f, e)))
                    .map(|(s, e)| (*s, e))
                    .collect();
                if !request.order_by.is_empty() {
                    matching.sort_by(|(_, a), (_, b)| {
                        request
                            .order_by
                            .iter()
                            .map(|(path, descending)| {
                                let ordering = filter::compare_values(
                                    filter::sort_key(a, path),
                                    filter::sort_key(b, path),
                                );
                                if *descending {
                                    ordering.reverse()
                                } else {
                                    ordering
                                }
                            })
                            .find(|o| o.is_ne())
                            .unwrap_or(std::cmp::Ordering::Equal)
                    });
                }
                let total = matching.len();
                (
                    matching
                        .into_iter()
                        .skip(request.skip + returned)
                        .take(page_len + 1)
                        .collect(),
                    total,
                )
            };
        let has_more = window.len() > page_len && remaining > page_len;
        let items: Vec<Entity> = window
            .iter()
            .take(page_len)
            .map(|(_, e)| Arc::clone(e))
            .collect();
        let next = match (has_more, window.get(page_len.saturating_sub(1))) {
            (true, Some((seq, _))) => Some(SkipToken {
                returned: returned + items.len(),
                last_seq: *seq,
            }),
            _ => None,
        };
        ListPage { items, total, next }
    }

    /// Every collection and its entities in order, for tests that prove a request changed nothing.
    pub fn dump(&self) -> BTreeMap<String, Vec<Value>> {
        let inner = self.read();
        inner
            .collections
            .iter()
            .map(|(path, c)| {
                (
                    path.clone(),
                    c.by_seq
                        .values()
                        .map(|e| Value::Object(Map::clone(e)))
                        .collect(),
                )
            })
            .collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn entity(id: &str, n: i64) -> Map<String, Value> {
        json!({"id": id, "n": n}).as_object().unwrap().clone()
    }

    fn all_ids(store: &Store, request: ListRequest<'_>) -> Vec<String> {
        let mut ids = Vec::new();
        let mut request = request;
        loop {
            let page = store.list("/c", request);
            ids.extend(
                page.items
                    .iter()
                    .map(|e| e["id"].as_str().unwrap().to_owned()),
            );
            match page.next {
                Some(token) => request.token = Some(token),
                None => return ids,
            }
        }
    }

    #[test]
    fn pages_cover_everything_once_with_and_without_order() {
        let store = Store::default();
        for i in 0..25 {
            store
                .insert("/c", &format!("{i:02}"), entity(&format!("{i:02}"), 25 - i))
                .unwrap();
        }
        let plain = ListRequest {
            filter: None,
            order_by: &[],
            skip: 0,
            top: None,
            token: None,
            page_size: 10,
        };
        let ids = all_ids(&store, plain);
        assert_eq!(ids.len(), 25);
        assert_eq!(ids[0], "00");
        let order = [(vec!["n".to_owned()], false)];
        let ordered = all_ids(
            &store,
            ListRequest {
                order_by: &order,
                ..plain
            },
        );
        assert_eq!(ordered.first().map(String::as_str), Some("24"));
        assert_eq!(ordered.len(), 25);
        let topped = all_ids(
            &store,
            ListRequest {
                top: Some(15),
                skip: 3,
                ..plain
            },
        );
        assert_eq!(topped.len(), 15);
        assert_eq!(topped[0], "03");
    }

    #[test]
    fn writes_conflict_and_deletes_cascade() {
        let store = Store::default();
        store.insert("/c", "a", entity("a", 1)).unwrap();
        assert_eq!(
            store.insert("/c", "a", entity("a", 2)),
            Err(StoreError::Conflict)
        );
        store.insert("/c/a/children", "x", entity("x", 1)).unwrap();
        let failed: Result<Result<Entity, &str>, _> = store.update("/c", "a", |e| {
            e.insert("n".into(), json!(9));
            Err("refused")
        });
        assert_eq!(failed.unwrap().unwrap_err(), "refused");
        assert_eq!(
            store.get("/c", "a").unwrap()["n"],
            json!(1),
            "a failed change leaves the entity as it was"
        );
        store.delete("/c", "a").unwrap();
        assert!(store.get("/c/a/children", "x").is_none());
        assert_eq!(store.delete("/c", "a"), Err(StoreError::NotFound));
    }
}

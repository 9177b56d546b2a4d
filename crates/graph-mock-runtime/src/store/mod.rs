//! Where the mock keeps entities: one [`Store`] trait, two backends.
//!
//! - [`MemoryStore`] (the default and the fast path): each collection a `Vec` of entities in
//!   insertion order with a hash index of positions, O(log n + page) paging and `Arc` entities.
//! - [`SqliteStore`] (`--data FILE`): the same model in SQLite (WAL), every write committed
//!   before it is acknowledged, so the state survives a `kill -9`.
//!
//! Collections are keyed by their concrete path (`/a/{id}/b` with the id filled in), so a child
//! lives under its parent and deleting the parent removes it. Paging, `$filter` and `$orderby`
//! are implemented once, here, over each backend's ordered [`Store::scan`].

mod memory;
mod sqlite;

use std::collections::BTreeMap;
use std::sync::Arc;

use serde_json::{Map, Value};

pub use memory::MemoryStore;
pub use sqlite::SqliteStore;

use crate::error::ApiError;
use crate::filter::{self, Expr};
use crate::query::SkipToken;

/// A stored entity; cloning it shares the text, it never copies it.
pub type Entity = StoredEntity;

/// An entity as the store keeps it: its JSON text. It takes a fraction of the memory of a parsed
/// `serde_json::Map`, and a read writes it out as it is; it is parsed only where a property is
/// needed (`$filter`, `$orderby`, `$select`, PATCH, type casts).
///
/// A backend's id index can read the entity's key from the entity itself
/// ([`StoredEntity::keyed`]), so it needs no copy of the key of its own: the key is found in the
/// text (an entity's `id` property holds it), or else kept after the JSON in the same allocation.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StoredEntity {
    /// The JSON text, followed by the key when the key does not occur in the JSON.
    text: Arc<str>,
    /// Where the key's bytes are in `text`.
    key_at: u32,
    /// How long the key is, in bytes.
    key_len: u32,
}

impl StoredEntity {
    /// Stores an object.
    pub fn from_map(object: &Map<String, Value>) -> StoredEntity {
        StoredEntity::from_json(to_json(object))
    }

    /// Stores an object with its key. Fails only for an entity past 4 GiB, which no request
    /// body can be.
    pub fn keyed(key: &str, object: &Map<String, Value>) -> Result<StoredEntity, StoreError> {
        let mut text = to_json(object);
        // A match never ends on the closing brace, so that a key found in the JSON can be told
        // from one kept after it.
        let found = text
            .get(..text.len().saturating_sub(1))
            .and_then(|searchable| searchable.find(key));
        let key_at = found.unwrap_or_else(|| {
            let at = text.len();
            text.push_str(key);
            at
        });
        let too_large = |_| StoreError::TooLarge;
        Ok(StoredEntity {
            key_at: u32::try_from(key_at).map_err(too_large)?,
            key_len: u32::try_from(key.len()).map_err(too_large)?,
            text: Arc::from(text),
        })
    }

    /// Wraps JSON text the store wrote itself (an object).
    pub(crate) fn from_json(json: String) -> StoredEntity {
        StoredEntity {
            text: Arc::from(json),
            key_at: 0,
            key_len: 0,
        }
    }

    fn key_range(&self) -> std::ops::Range<usize> {
        let start = self.key_at as usize;
        start..start + self.key_len as usize
    }

    /// The key it was stored with by [`StoredEntity::keyed`]; empty otherwise.
    pub fn key(&self) -> &str {
        &self.text[self.key_range()]
    }

    /// The JSON text, an object.
    pub fn json(&self) -> &str {
        let key = self.key_range();
        if !key.is_empty() && key.end == self.text.len() {
            &self.text[..key.start]
        } else {
            &self.text
        }
    }

    /// Whether both are the very same stored version (not merely equal text).
    pub fn is_same(&self, other: &StoredEntity) -> bool {
        Arc::ptr_eq(&self.text, &other.text)
    }

    /// The entity parsed.
    pub fn to_map(&self) -> Map<String, Value> {
        serde_json::from_str(self.json()).unwrap_or_default()
    }

    /// Only the named top-level properties, parsed; the others are skipped without being built
    /// (what `$filter` and `$orderby` need from each entity of a scan).
    pub fn to_partial_map(&self, keep: &[&str]) -> Map<String, Value> {
        let mut deserializer = serde_json::Deserializer::from_str(self.json());
        serde::de::DeserializeSeed::deserialize(Partial(keep), &mut deserializer)
            .unwrap_or_default()
    }

    /// One property, parsed.
    pub fn get(&self, property: &str) -> Option<Value> {
        self.to_partial_map(&[property]).remove(property)
    }
}

/// Deserializes a JSON object keeping only some of its keys.
struct Partial<'a>(&'a [&'a str]);

impl<'de> serde::de::DeserializeSeed<'de> for Partial<'_> {
    type Value = Map<String, Value>;

    fn deserialize<D: serde::Deserializer<'de>>(
        self,
        deserializer: D,
    ) -> Result<Self::Value, D::Error> {
        deserializer.deserialize_map(self)
    }
}

impl<'de> serde::de::Visitor<'de> for Partial<'_> {
    type Value = Map<String, Value>;

    fn expecting(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("a JSON object")
    }

    fn visit_map<A: serde::de::MapAccess<'de>>(self, mut map: A) -> Result<Self::Value, A::Error> {
        let mut kept = Map::new();
        while let Some(key) = map.next_key::<std::borrow::Cow<'de, str>>()? {
            if self.0.contains(&key.as_ref()) {
                let value = map.next_value::<Value>()?;
                kept.insert(key.into_owned(), value);
            } else {
                map.next_value::<serde::de::IgnoredAny>()?;
            }
        }
        Ok(kept)
    }
}

/// An object as JSON text.
fn to_json(object: &Map<String, Value>) -> String {
    // Serialising a map of JSON values cannot fail.
    serde_json::to_string(object).unwrap_or_else(|_| "{}".to_owned())
}

/// Why a store operation failed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum StoreError {
    /// The id is taken.
    Conflict,
    /// No entity has the id.
    NotFound,
    /// The entity is too large to store (past 4 GiB).
    TooLarge,
    /// The backend failed (a disk error); nothing was changed.
    Backend(String),
}

impl From<StoreError> for ApiError {
    fn from(error: StoreError) -> ApiError {
        match error {
            StoreError::Conflict => ApiError::conflict("The entity already exists."),
            StoreError::NotFound => ApiError::not_found("The entity does not exist."),
            StoreError::TooLarge => ApiError::new(
                axum::http::StatusCode::PAYLOAD_TOO_LARGE,
                "RequestEntityTooLarge",
                "The entity is too large to store.",
            ),
            StoreError::Backend(reason) => {
                tracing::error!("store failure: {reason}");
                ApiError::new(
                    axum::http::StatusCode::SERVICE_UNAVAILABLE,
                    "ServiceUnavailable",
                    "The mock's store is unavailable.",
                )
            }
        }
    }
}

/// Why an update failed: the change refused it, or the store did.
#[derive(Debug)]
pub enum UpdateError {
    /// The change refused the update (e.g. it would change the id).
    Refused(ApiError),
    /// The store failed.
    Store(StoreError),
}

impl From<StoreError> for UpdateError {
    fn from(error: StoreError) -> UpdateError {
        UpdateError::Store(error)
    }
}

/// A change applied to a copy of an entity; an error leaves the entity as it was. A backend may
/// apply it more than once, each time to the newest version, when writes to the entity race.
pub type Change<'a> = &'a mut dyn FnMut(&mut Map<String, Value>) -> Result<(), ApiError>;

/// The operations every backend provides.
pub trait Store: Send + Sync + std::fmt::Debug {
    /// Adds an entity under `id`.
    fn insert(
        &self,
        collection: &str,
        id: &str,
        entity: Map<String, Value>,
    ) -> Result<Entity, StoreError>;
    /// The entity under `id`.
    fn get(&self, collection: &str, id: &str) -> Result<Option<Entity>, StoreError>;
    /// Applies `change` to a copy of the entity and stores the copy.
    fn update(&self, collection: &str, id: &str, change: Change<'_>)
    -> Result<Entity, UpdateError>;
    /// Removes the entity and every collection contained in it.
    fn delete(&self, collection: &str, id: &str) -> Result<(), StoreError>;
    /// How many entities a collection holds.
    fn len(&self, collection: &str) -> Result<usize, StoreError>;
    /// Visits a collection's entities in insertion order, starting after sequence number `after`,
    /// until `visit` returns false.
    fn scan(
        &self,
        collection: &str,
        after: Option<u64>,
        visit: &mut dyn FnMut(u64, &Entity) -> bool,
    ) -> Result<(), StoreError>;
    /// Every collection with its `(id, entity)` pairs in order.
    fn dump(&self) -> Result<BTreeMap<String, Vec<(String, Value)>>, StoreError>;
    /// Removes everything.
    fn clear(&self) -> Result<(), StoreError>;
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

/// How many entities a whole-collection scan visits per [`Store::scan`] call: the backend's lock
/// is held for one chunk at a time, so a `$filter` over a million entities never stalls writers
/// for the whole scan (an entity written meanwhile is seen or not, depending on where it lands).
const SCAN_CHUNK: usize = 4096;

impl dyn Store + '_ {
    /// Visits every entity of a collection in order, [`SCAN_CHUNK`] at a time.
    fn scan_in_chunks(
        &self,
        collection: &str,
        visit: &mut dyn FnMut(u64, &Entity),
    ) -> Result<(), StoreError> {
        let mut after = None;
        loop {
            let mut seen = 0;
            self.scan(collection, after, &mut |seq, entity| {
                visit(seq, entity);
                after = Some(seq);
                seen += 1;
                seen < SCAN_CHUNK
            })?;
            if seen < SCAN_CHUNK {
                return Ok(());
            }
        }
    }

    /// One page of a collection. Without `$filter` and `$orderby` it reads only the page (and
    /// one item more, to know whether there is a next page); otherwise it scans once.
    pub fn list(&self, collection: &str, request: ListRequest<'_>) -> Result<ListPage, StoreError> {
        let returned = request.token.map_or(0, |t| t.returned);
        let remaining = request
            .top
            .map_or(usize::MAX, |top| top.saturating_sub(returned));
        let page_len = request.page_size.min(remaining);
        let mut window: Vec<(u64, Entity)> = Vec::new();
        let total;
        if request.filter.is_none() && request.order_by.is_empty() {
            let mut to_skip = if request.token.is_some() {
                0
            } else {
                request.skip
            };
            self.scan(
                collection,
                request.token.map(|t| t.last_seq),
                &mut |seq, entity| {
                    if to_skip > 0 {
                        to_skip -= 1;
                        return true;
                    }
                    window.push((seq, entity.clone()));
                    window.len() <= page_len
                },
            )?;
            total = self.len(collection)?;
        } else {
            // Filtering and ordering need some properties: each entity is parsed once, and only
            // the properties they name are built.
            let mut needed: Vec<&str> = request
                .order_by
                .iter()
                .filter_map(|(path, _)| path.first().map(String::as_str))
                .collect();
            if let Some(filter) = request.filter {
                filter.top_level_properties(&mut needed);
            }
            let mut matching: Vec<(u64, Entity, Map<String, Value>)> = Vec::new();
            self.scan_in_chunks(collection, &mut |seq, entity| {
                let parsed = entity.to_partial_map(&needed);
                if request.filter.is_none_or(|f| filter::matches(f, &parsed)) {
                    matching.push((seq, entity.clone(), parsed));
                }
            })?;
            if !request.order_by.is_empty() {
                matching.sort_by(|(_, _, a), (_, _, b)| {
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
            total = matching.len();
            window = matching
                .into_iter()
                .skip(request.skip + returned)
                .take(page_len + 1)
                .map(|(seq, entity, _)| (seq, entity))
                .collect();
        }
        let has_more = window.len() > page_len && remaining > page_len;
        window.truncate(page_len);
        let next = match (has_more, window.last()) {
            (true, Some((seq, _))) => Some(SkipToken {
                returned: returned + window.len(),
                last_seq: *seq,
            }),
            _ => None,
        };
        Ok(ListPage {
            items: window.into_iter().map(|(_, e)| e).collect(),
            total,
            next,
        })
    }
}

/// The store for a `--data` setting: SQLite at the path, or memory without one.
pub fn open(data: Option<&std::path::Path>) -> Result<Arc<dyn Store>, StoreError> {
    Ok(match data {
        Some(path) => Arc::new(SqliteStore::open(path)?),
        None => Arc::new(MemoryStore::default()),
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn entity(id: &str, n: i64) -> Map<String, Value> {
        json!({"id": id, "n": n}).as_object().unwrap().clone()
    }

    fn all_ids(store: &dyn Store, request: ListRequest<'_>) -> Vec<String> {
        let mut ids = Vec::new();
        let mut request = request;
        loop {
            let page = store.list("/c", request).unwrap();
            ids.extend(
                page.items
                    .iter()
                    .map(|e| e.get("id").unwrap().as_str().unwrap().to_owned()),
            );
            match page.next {
                Some(token) => request.token = Some(token),
                None => return ids,
            }
        }
    }

    fn backends() -> Vec<(Arc<dyn Store>, Option<tempfile::TempDir>)> {
        let dir = tempfile::tempdir().unwrap();
        let sqlite = open(Some(&dir.path().join("store.db"))).unwrap();
        vec![
            (Arc::new(MemoryStore::default()), None),
            (sqlite, Some(dir)),
        ]
    }

    #[test]
    fn pages_cover_everything_once_with_and_without_order() {
        for (store, _dir) in backends() {
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
            let ids = all_ids(store.as_ref(), plain);
            assert_eq!(ids.len(), 25);
            assert_eq!(ids[0], "00");
            let order = [(vec!["n".to_owned()], false)];
            let ordered = all_ids(
                store.as_ref(),
                ListRequest {
                    order_by: &order,
                    ..plain
                },
            );
            assert_eq!(ordered.first().map(String::as_str), Some("24"));
            assert_eq!(ordered.len(), 25);
            let topped = all_ids(
                store.as_ref(),
                ListRequest {
                    top: Some(15),
                    skip: 3,
                    ..plain
                },
            );
            assert_eq!(topped.len(), 15);
            assert_eq!(topped[0], "03");
        }
    }

    #[test]
    fn writes_conflict_and_deletes_cascade() {
        for (store, _dir) in backends() {
            store.insert("/c", "a", entity("a", 1)).unwrap();
            assert_eq!(
                store.insert("/c", "a", entity("a", 2)).unwrap_err(),
                StoreError::Conflict
            );
            store.insert("/c/a/children", "x", entity("x", 1)).unwrap();
            store.insert("/c/ab/children", "y", entity("y", 1)).unwrap();
            let failed = store.update("/c", "a", &mut |e| {
                e.insert("n".into(), json!(9));
                Err(ApiError::bad_request("refused"))
            });
            assert!(matches!(failed, Err(UpdateError::Refused(_))));
            assert_eq!(
                store.get("/c", "a").unwrap().unwrap().get("n").unwrap(),
                json!(1),
                "a refused change leaves the entity as it was"
            );
            store
                .update("/c", "a", &mut |e| {
                    e.insert("n".into(), json!(2));
                    Ok(())
                })
                .unwrap();
            assert_eq!(
                store.get("/c", "a").unwrap().unwrap().get("n").unwrap(),
                json!(2)
            );
            store.delete("/c", "a").unwrap();
            assert!(store.get("/c/a/children", "x").unwrap().is_none());
            assert!(
                store.get("/c/ab/children", "y").unwrap().is_some(),
                "a sibling with a longer key is not a child"
            );
            assert_eq!(store.delete("/c", "a"), Err(StoreError::NotFound));
            store.clear().unwrap();
            assert!(store.dump().unwrap().values().all(Vec::is_empty));
        }
    }

    #[test]
    fn many_deletes_keep_order_index_and_skip_tokens() {
        for (store, _dir) in backends() {
            let key = |i: usize| format!("id-{i:03}");
            for i in 0..300 {
                store.insert("/c", &key(i), entity(&key(i), 0)).unwrap();
            }
            let request = ListRequest {
                filter: None,
                order_by: &[],
                skip: 0,
                top: None,
                token: None,
                page_size: 40,
            };
            let first = store.list("/c", request).unwrap();
            // Deleting two thirds (enough to compact the memory store) while a client pages.
            for i in (0..300).filter(|i| i % 3 != 0) {
                store.delete("/c", &key(i)).unwrap();
            }
            let rest = all_ids(
                store.as_ref(),
                ListRequest {
                    token: first.next,
                    ..request
                },
            );
            let expected: Vec<String> = (40..300).filter(|i| i % 3 == 0).map(key).collect();
            assert_eq!(rest, expected, "the page after the token resumes in order");
            assert_eq!(store.len("/c").unwrap(), 100);
            for i in 0..300 {
                assert_eq!(
                    store.get("/c", &key(i)).unwrap().is_some(),
                    i % 3 == 0,
                    "{}",
                    key(i)
                );
            }
            store.insert("/c", &key(1), entity(&key(1), 1)).unwrap();
            assert_eq!(
                store.insert("/c", &key(3), entity(&key(3), 1)).unwrap_err(),
                StoreError::Conflict
            );
            let ids = all_ids(store.as_ref(), request);
            assert_eq!(ids.len(), 101);
            assert_eq!(ids.last(), Some(&key(1)), "a new entity comes last");
            let dumped = store.dump().unwrap();
            assert_eq!(
                dumped["/c"].iter().map(|(id, _)| id).collect::<Vec<_>>(),
                ids.iter().collect::<Vec<_>>()
            );
        }
    }

    #[test]
    fn partial_parses_keep_only_the_named_properties() {
        let stored = StoredEntity::keyed(
            "k",
            json!({"a": 1, "b": {"deep": [1, 2]}, "c\"q": "x", "d": null})
                .as_object()
                .unwrap(),
        )
        .unwrap();
        assert_eq!(stored.key(), "k");
        let partial = stored.to_partial_map(&["a", "c\"q", "missing"]);
        assert_eq!(Value::Object(partial), json!({"a": 1, "c\"q": "x"}));
        assert_eq!(stored.get("b"), Some(json!({"deep": [1, 2]})));
        assert_eq!(stored.get("d"), Some(Value::Null));
        assert_eq!(stored.get("missing"), None);
    }

    #[test]
    fn filtered_scans_cross_chunk_boundaries() {
        let store: Arc<dyn Store> = Arc::new(MemoryStore::default());
        let count = SCAN_CHUNK * 2 + 7;
        for i in 0..count {
            let id = format!("{i:05}");
            store
                .insert("/c", &id, entity(&id, (i % 3) as i64))
                .unwrap();
        }
        let kinds =
            |path: &[String]| (path.join("/") == "n").then_some(filter::PropertyKind::Number);
        let expr = filter::parse("n eq 1", &kinds).unwrap();
        let ids = all_ids(
            store.as_ref(),
            ListRequest {
                filter: Some(&expr),
                order_by: &[],
                skip: 0,
                top: None,
                token: None,
                page_size: 1000,
            },
        );
        let expected: Vec<String> = (0..count)
            .filter(|i| i % 3 == 1)
            .map(|i| format!("{i:05}"))
            .collect();
        assert_eq!(ids, expected);
    }

    #[test]
    fn keys_are_found_in_the_json_or_kept_after_it() {
        let object = |v: Value| v.as_object().unwrap().clone();
        let cases = [
            // The usual case: the id property holds the key; nothing is added.
            ("a1", object(json!({"id": "a1", "n": 1})), false),
            // A singleton's key is in no property: it is kept after the JSON.
            ("$singleton", object(json!({"n": 1})), true),
            // A key that would match only the closing brace is kept after it too.
            ("1}", object(json!({"n": 1})), true),
            ("}", object(json!({"n": 1})), true),
            // Found anywhere is fine: the bytes are the key's either way.
            ("Conn", object(json!({"displayName": "Connector"})), false),
            ("", object(json!({})), false),
        ];
        for (key, object, appended) in cases {
            let stored = StoredEntity::keyed(key, &object).unwrap();
            assert_eq!(stored.key(), key, "{key}");
            assert_eq!(
                serde_json::from_str::<Value>(stored.json()).unwrap(),
                Value::Object(object.clone()),
                "{key}: the JSON is whole"
            );
            assert_eq!(
                stored.text.len() > stored.json().len(),
                appended,
                "{key}: kept after the JSON"
            );
        }
    }

    #[test]
    fn a_racing_write_is_not_lost_the_change_is_made_again() {
        let store = MemoryStore::default();
        store.insert("/c", "a", entity("a", 0)).unwrap();
        let mut runs = 0;
        let updated = store
            .update("/c", "a", &mut |e| {
                runs += 1;
                if runs == 1 {
                    // Another writer commits between this change's read and its write.
                    store
                        .update("/c", "a", &mut |other| {
                            other.insert("other".into(), json!(true));
                            Ok(())
                        })
                        .unwrap();
                }
                e.insert("n".into(), json!(1));
                Ok(())
            })
            .unwrap();
        assert_eq!(runs, 2, "the change was made again on the newer version");
        let stored = Value::Object(store.get("/c", "a").unwrap().unwrap().to_map());
        assert_eq!(stored, json!({"id": "a", "n": 1, "other": true}));
        assert_eq!(Value::Object(updated.to_map()), stored);
    }
}

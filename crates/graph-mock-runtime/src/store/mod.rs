//! Where the mock keeps entities: one [`Store`] trait, two backends.
//!
//! - [`MemoryStore`] (the default and the fast path): each collection a `Vec` of entities in
//!   insertion order with a hash index of positions, O(log n + page) paging and `Arc` entities.
//! - `SqliteStore` (`--data FILE`, cargo feature `sqlite`): the same model in SQLite (WAL), every
//!   write committed before it is acknowledged, so the state survives a `kill -9`.
//! - `PostgresStore` (`--data postgres://...`, cargo feature `postgres`): the same model in a
//!   PostgreSQL database, which several mock processes share as replicas of one service.
//!
//! Collections are keyed by their concrete path (`/a/{id}/b` with the id filled in), so a child
//! lives under its parent and deleting the parent removes it. Paging, `$filter` and `$orderby`
//! are implemented once, over each backend's ordered [`Store::scan`], in the query engine (`listing`).
//! Entities are kept as JSON text ([`StoredEntity`]). Nothing here knows HTTP: failures are
//! [`StoreError`]s, which the HTTP layer maps to Graph errors. [`Tracked`] wraps either backend
//! to record the changes delta queries answer.

mod changes;
mod entity;
mod memory;
#[cfg(feature = "postgres")]
mod postgres;
#[cfg(feature = "sqlite")]
mod sqlite;

use std::collections::BTreeMap;
use std::future::Future;
use std::pin::Pin;
use std::sync::Arc;

use serde_json::{Map, Value};

pub use memory::MemoryStore;
#[cfg(feature = "postgres")]
pub use postgres::PostgresStore;
#[cfg(feature = "sqlite")]
pub use sqlite::SqliteStore;

pub use changes::{ChangeLog, Changes, Tracked, Unknown};
pub use entity::{Entity, StoredEntity};

/// Why a store operation failed.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum StoreError {
    /// The id is taken.
    #[error("the id is taken")]
    Conflict,
    /// No entity has the id.
    #[error("no entity has the id")]
    NotFound,
    /// The entity is too large to store (past 4 GiB).
    #[error("the entity is too large to store (past 4 GiB)")]
    TooLarge,
    /// The backend failed (a disk error); nothing was changed.
    #[error("the store failed: {0}")]
    Backend(String),
}

/// What an update sets: a JSON merge patch one level deep. Each property replaces the entity's
/// (or is added), and a null removes it; nested objects are replaced whole, as Graph's PATCH
/// does.
pub type Patch<'a> = &'a Map<String, Value>;

/// A write, resolved once it is durable: at once in memory, once its group of writes has
/// committed in SQLite. Nothing may be acknowledged before it resolves. A memory write is made
/// when it is called, before it is awaited.
pub type Committed<'a, T> = Pin<Box<dyn Future<Output = Result<T, StoreError>> + Send + 'a>>;

/// The operations every backend provides. Reads answer at once; writes are awaited
/// ([`Committed`]), so that a request waiting for a disk lets its thread serve others.
pub trait Store: Send + Sync + std::fmt::Debug {
    /// Adds an entity under `id`.
    fn insert<'a>(
        &'a self,
        collection: &'a str,
        id: &'a str,
        entity: Map<String, Value>,
    ) -> Committed<'a, Entity>;
    /// The entity under `id`.
    fn get(&self, collection: &str, id: &str) -> Result<Option<Entity>, StoreError>;
    /// Applies `patch` to the entity. Writes to one entity that race are each applied to the
    /// version the other left: none is lost.
    fn update<'a>(
        &'a self,
        collection: &'a str,
        id: &'a str,
        patch: Patch<'a>,
    ) -> Committed<'a, Entity>;
    /// Removes the entity and every collection contained in it.
    fn delete<'a>(&'a self, collection: &'a str, id: &'a str) -> Committed<'a, ()>;
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
    fn clear(&self) -> Committed<'_, ()>;
    /// The key tokens are signed with, when the store is shared by several mocks and keeps one
    /// for them all; `None` (the default) when each mock may pick its own.
    fn token_key(&self) -> Option<crate::tenant::TokenKey> {
        None
    }
    /// The store's own record of the changes delta queries answer, when it keeps one (in the
    /// database, for every mock of it); `None` (the default) has each mock record them.
    fn changes(&self) -> Option<Arc<dyn Changes>> {
        None
    }
}

/// Where the state is kept (`--data`): a SQLite file, or a PostgreSQL database named by a
/// `postgres://` (or `postgresql://`) URL. Without one, the state is in memory.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum DataLocation {
    /// A SQLite file, created if missing.
    Sqlite(std::path::PathBuf),
    /// A PostgreSQL connection URL.
    Postgres(String),
}

impl std::str::FromStr for DataLocation {
    type Err = String;

    fn from_str(text: &str) -> Result<Self, Self::Err> {
        if text.is_empty() {
            return Err("expected a SQLite file or a postgres:// URL".to_owned());
        }
        let is_url = ["postgres://", "postgresql://"]
            .iter()
            .any(|scheme| text.starts_with(scheme));
        Ok(match is_url {
            true => DataLocation::Postgres(text.to_owned()),
            false => DataLocation::Sqlite(text.into()),
        })
    }
}

impl std::fmt::Display for DataLocation {
    /// The setting as given (a URL with its password left out).
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            DataLocation::Sqlite(path) => path.display().fmt(f),
            DataLocation::Postgres(url) => {
                let (scheme, rest) = url.split_once("://").unwrap_or(("postgres", url));
                let password = (rest.rsplit_once('@'))
                    .and_then(|(credentials, place)| Some((credentials.split_once(':')?, place)));
                match password {
                    Some(((user, _), place)) => write!(f, "{scheme}://{user}:***@{place}"),
                    None => f.write_str(url),
                }
            }
        }
    }
}

/// The store for a `--data` setting: SQLite or PostgreSQL where it says, memory without one.
pub fn open(data: Option<&DataLocation>) -> Result<Arc<dyn Store>, StoreError> {
    Ok(match data {
        #[cfg(feature = "sqlite")]
        Some(DataLocation::Sqlite(path)) => Arc::new(SqliteStore::open(path)?),
        #[cfg(not(feature = "sqlite"))]
        Some(DataLocation::Sqlite(_)) => return Err(not_built("SQLite", "sqlite")),
        #[cfg(feature = "postgres")]
        Some(DataLocation::Postgres(url)) => Arc::new(PostgresStore::open(url)?),
        #[cfg(not(feature = "postgres"))]
        Some(DataLocation::Postgres(_)) => return Err(not_built("PostgreSQL", "postgres")),
        None => Arc::new(MemoryStore::default()),
    })
}

/// The error for a store this build left out: which one, and the feature that builds it.
#[cfg(any(not(feature = "sqlite"), not(feature = "postgres")))]
fn not_built(store: &str, feature: &str) -> StoreError {
    StoreError::Backend(format!(
        "this build has no {store} store (graph-mock-runtime's cargo feature `{feature}`)"
    ))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::filter;
    use crate::listing::{ListRequest, SCAN_CHUNK};
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

    /// The backends every build has, each with the folder its files live in.
    fn backends() -> Vec<(Arc<dyn Store>, Option<tempfile::TempDir>)> {
        let memory: (Arc<dyn Store>, _) = (Arc::new(MemoryStore::default()), None);
        #[cfg(feature = "sqlite")]
        {
            let dir = tempfile::tempdir().unwrap();
            let sqlite = open(Some(&DataLocation::Sqlite(dir.path().join("store.db")))).unwrap();
            vec![memory, (sqlite, Some(dir))]
        }
        #[cfg(not(feature = "sqlite"))]
        vec![memory]
    }

    #[test]
    fn data_settings_name_a_file_or_a_database_and_show_no_password() {
        let parse = |text: &str| text.parse::<DataLocation>();
        assert_eq!(parse("mock.db"), Ok(DataLocation::Sqlite("mock.db".into())));
        assert!(parse("").is_err());
        for (url, shown) in [
            ("postgres://u:secret@h:5/db", "postgres://u:***@h:5/db"),
            ("postgresql://u@h/db", "postgresql://u@h/db"),
            ("postgres://h/db?user=u", "postgres://h/db?user=u"),
        ] {
            let location = parse(url).unwrap();
            assert_eq!(location, DataLocation::Postgres(url.to_owned()));
            assert_eq!(location.to_string(), shown);
        }
    }

    #[tokio::test]
    async fn pages_cover_everything_once_with_and_without_order() {
        for (store, _dir) in backends() {
            for i in 0..25 {
                store
                    .insert("/c", &format!("{i:02}"), entity(&format!("{i:02}"), 25 - i))
                    .await
                    .unwrap();
            }
            let plain = ListRequest {
                filter: None,
                order_by: &[],
                skip: 0,
                token: None,
                page_size: 10,
            };
            let ids = all_ids(store.as_ref(), plain);
            assert_eq!(ids.len(), 25);
            assert_eq!(ids[0], "00");
            let order = [crate::query::OrderBy {
                path: vec!["n".to_owned()],
                descending: false,
            }];
            let ordered = all_ids(
                store.as_ref(),
                ListRequest {
                    order_by: &order,
                    ..plain
                },
            );
            assert_eq!(ordered.first().map(String::as_str), Some("24"));
            assert_eq!(ordered.len(), 25);
            // `$skip` holds across the pages of a smaller page size.
            let skipped = all_ids(
                store.as_ref(),
                ListRequest {
                    skip: 3,
                    page_size: 4,
                    ..plain
                },
            );
            assert_eq!(skipped.len(), 22);
            assert_eq!(skipped[0], "03");
        }
    }

    #[tokio::test]
    async fn writes_conflict_and_deletes_cascade() {
        for (store, _dir) in backends() {
            store.insert("/c", "a", entity("a", 1)).await.unwrap();
            assert_eq!(
                store.insert("/c", "a", entity("a", 2)).await.unwrap_err(),
                StoreError::Conflict
            );
            store
                .insert("/c/a/children", "x", entity("x", 1))
                .await
                .unwrap();
            store
                .insert("/c/ab/children", "y", entity("y", 1))
                .await
                .unwrap();
            assert_eq!(
                store.update("/c", "missing", &Map::new()).await,
                Err(StoreError::NotFound)
            );
            let patch = json!({"n": 2, "id": "a", "gone": null, "new": {"deep": [1]}});
            let updated = (store.update("/c", "a", patch.as_object().unwrap()).await).unwrap();
            let stored = store.get("/c", "a").unwrap().unwrap();
            assert_eq!(stored.json(), updated.json());
            assert_eq!(
                stored.json(),
                r#"{"id":"a","n":2,"new":{"deep":[1]}}"#,
                "replaced in place, removed by null, added at the end"
            );
            store.delete("/c", "a").await.unwrap();
            assert!(store.get("/c/a/children", "x").unwrap().is_none());
            assert!(
                store.get("/c/ab/children", "y").unwrap().is_some(),
                "a sibling with a longer key is not a child"
            );
            assert_eq!(store.delete("/c", "a").await, Err(StoreError::NotFound));
            store.clear().await.unwrap();
            assert!(store.dump().unwrap().values().all(Vec::is_empty));
        }
    }

    #[tokio::test]
    async fn many_deletes_keep_order_index_and_skip_tokens() {
        for (store, _dir) in backends() {
            let key = |i: usize| format!("id-{i:03}");
            for i in 0..300 {
                store
                    .insert("/c", &key(i), entity(&key(i), 0))
                    .await
                    .unwrap();
            }
            let request = ListRequest {
                filter: None,
                order_by: &[],
                skip: 0,
                token: None,
                page_size: 40,
            };
            let first = store.list("/c", request).unwrap();
            // Deleting two thirds (enough to compact the memory store) while a client pages.
            for i in (0..300).filter(|i| i % 3 != 0) {
                store.delete("/c", &key(i)).await.unwrap();
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
            store
                .insert("/c", &key(1), entity(&key(1), 1))
                .await
                .unwrap();
            assert_eq!(
                store
                    .insert("/c", &key(3), entity(&key(3), 1))
                    .await
                    .unwrap_err(),
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

    #[tokio::test]
    async fn filtered_scans_cross_chunk_boundaries() {
        let store: Arc<dyn Store> = Arc::new(MemoryStore::default());
        let count = SCAN_CHUNK * 2 + 7;
        for i in 0..count {
            let id = format!("{i:05}");
            store
                .insert("/c", &id, entity(&id, (i % 3) as i64))
                .await
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

    #[tokio::test(flavor = "multi_thread", worker_threads = 4)]
    async fn racing_patches_to_one_entity_are_none_of_them_lost() {
        for (store, _dir) in backends() {
            store.insert("/c", "a", entity("a", 0)).await.unwrap();
            let writers = 4;
            let rounds = 60;
            let tasks: Vec<_> = (0..writers)
                .map(|writer| {
                    let store = store.clone();
                    tokio::spawn(async move {
                        for round in 0..rounds {
                            let patch = json!({ format!("w{writer}"): round });
                            let patch = patch.as_object().unwrap();
                            store.update("/c", "a", patch).await.unwrap();
                        }
                    })
                })
                .collect();
            for task in tasks {
                task.await.unwrap();
            }
            let stored = store.get("/c", "a").unwrap().unwrap().to_map();
            for writer in 0..writers {
                assert_eq!(
                    stored.get(&format!("w{writer}")),
                    Some(&json!(rounds - 1)),
                    "{stored:?}: writer {writer}'s last write was lost"
                );
            }
        }
    }
}

//! Tenants: which partition of the state a request works in, as a Graph token belongs to one
//! tenant and sees only that tenant's data.
//!
//! A request's tenant is the `tid` claim of its bearer token when the token is a JWT (the tokens
//! the mock's token endpoint issues at `/{tenant}/oauth2/v2.0/token` carry it), and the default
//! tenant otherwise: a token without the claim, an opaque token, `--auth none`. Tenants appear
//! on first use.
//!
//! A tenant's state is a [`TenantStore`]: the one store behind every tenant, with the tenant's
//! collections under a prefix of their own (`/@<tid>/users/...`). No Graph path starts with
//! `@`, so the default tenant's collections (unprefixed, where fixtures are loaded) never meet
//! another tenant's. Everything that reads or writes through the request's store (entities,
//! `$ref` links, `$count`, listings, delta rounds) is the tenant's alone, and the paging and
//! delta tokens it is given are signed for it ([`Tenant::sign`]).

use std::borrow::Cow;
use std::collections::BTreeMap;
use std::hash::{DefaultHasher, Hash, Hasher};
use std::sync::Arc;

use axum::http::HeaderMap;
use serde_json::{Map, Value};

use crate::error::ApiError;
use crate::store::{Committed, Entity, Patch, Store, StoreError};

/// What starts every collection path of a tenant other than the default one.
const PREFIX: &str = "/@";

/// A tenant: the default one, or one named by a token's `tid`.
#[derive(Debug, Clone, Default, PartialEq, Eq, Hash)]
pub struct Tenant(Option<Arc<str>>);

impl Tenant {
    /// The tenant of a request: its bearer token's `tid` claim, if the token is a JWT that has
    /// one; the default tenant otherwise. A `tid` that cannot name a partition (empty, with a
    /// `/`, longer than 256 bytes, not a string) is refused with a 401.
    pub fn of(headers: &HeaderMap) -> Result<Tenant, ApiError> {
        let Some(claims) = crate::auth::bearer_claims(headers) else {
            return Ok(Tenant::default());
        };
        let refused = |tid: &Value| {
            ApiError::unauthorized(format!(
                "Invalid JWT token: the tenant (tid claim) {tid} is not a tenant id."
            ))
        };
        match claims.get("tid") {
            None => Ok(Tenant::default()),
            Some(Value::String(tid)) => Tenant::named(tid).ok_or_else(|| refused(&claims["tid"])),
            Some(other) => Err(refused(other)),
        }
    }

    /// The tenant `tid`, if it can name a partition: not empty, at most 256 bytes, without `/`,
    /// `?` or `#`.
    pub fn named(tid: &str) -> Option<Tenant> {
        let valid = !tid.is_empty() && tid.len() <= 256 && !tid.contains(['/', '?', '#']);
        valid.then(|| Tenant(Some(Arc::from(tid))))
    }

    /// The tenant's name: its `tid`, or `None` for the default tenant.
    pub fn id(&self) -> Option<&str> {
        self.0.as_deref()
    }

    /// Where the tenant keeps `collection` in the shared store.
    pub fn collection<'a>(&self, collection: &'a str) -> Cow<'a, str> {
        match &self.0 {
            None => Cow::Borrowed(collection),
            Some(tid) => Cow::Owned([PREFIX, tid, collection].concat()),
        }
    }

    /// A token the mock issues to this tenant (a list's `$skiptoken`, a delta round's tokens),
    /// signed: `text.<tag>`, the tag a hash of the text and the tenant keyed with the store's
    /// [`TokenKey`]. Another tenant's token, an altered one or one signed with another key (an
    /// earlier run of an in-memory mock) does not [`verify`](Tenant::verify).
    pub fn sign(&self, key: TokenKey, text: &str) -> String {
        format!("{text}.{:016x}", self.tag(key, text))
    }

    /// The text of a token [`sign`](Tenant::sign) gave this tenant with `key`, or `None`.
    pub fn verify<'a>(&self, key: TokenKey, signed: &'a str) -> Option<&'a str> {
        let (text, tag) = signed.rsplit_once('.')?;
        (u64::from_str_radix(tag, 16).ok()? == self.tag(key, text)).then_some(text)
    }

    fn tag(&self, key: TokenKey, text: &str) -> u64 {
        let mut hasher = DefaultHasher::new();
        (key.0, self.id(), text).hash(&mut hasher);
        hasher.finish()
    }

    /// Whether a collection of the shared store is this tenant's.
    pub fn owns(&self, stored: &str) -> bool {
        self.own(stored).is_some()
    }

    /// The tenant's own name for a collection of the shared store, or `None` when the
    /// collection is another tenant's.
    pub fn own<'a>(&self, stored: &'a str) -> Option<&'a str> {
        match &self.0 {
            None => (!stored.starts_with(PREFIX)).then_some(stored),
            Some(tid) => stored
                .strip_prefix(PREFIX)
                .and_then(|rest| rest.strip_prefix(&**tid))
                .filter(|rest| rest.starts_with('/')),
        }
    }
}

/// The secret that [`Tenant::sign`] keys tokens with: the store's own when a store is shared by
/// several mocks (so that a link one replica gave is followed at another, and after a restart),
/// a random one of this process otherwise.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct TokenKey(pub u128);

impl TokenKey {
    /// A key of this process alone.
    pub fn random() -> TokenKey {
        TokenKey(uuid::Uuid::new_v4().as_u128())
    }
}

/// A collection path of the shared store as its tenant's id (`""` for the default tenant) and
/// the path within the tenant: the two keys a database store keeps apart.
pub fn split_stored(stored: &str) -> (&str, &str) {
    stored
        .strip_prefix(PREFIX)
        .and_then(|rest| rest.find('/').map(|at| rest.split_at(at)))
        .unwrap_or(("", stored))
}

/// The collection path of the shared store that [`split_stored`] split.
pub fn join_stored(tenant: &str, collection: &str) -> String {
    match tenant {
        "" => collection.to_owned(),
        tid => [PREFIX, tid, collection].concat(),
    }
}

/// The shared store as one tenant sees it: its collections only, under their Graph paths.
///
/// The default tenant's calls go straight to the shared store; another tenant's writes own
/// their prefixed collection path, so they start when awaited rather than when called.
#[derive(Debug)]
pub struct TenantStore {
    tenant: Tenant,
    shared: Arc<dyn Store>,
}

impl TenantStore {
    /// `tenant`'s view of `shared`.
    pub fn new(tenant: Tenant, shared: Arc<dyn Store>) -> TenantStore {
        TenantStore { tenant, shared }
    }
}

impl Store for TenantStore {
    fn insert<'a>(
        &'a self,
        collection: &'a str,
        id: &'a str,
        entity: Map<String, Value>,
    ) -> Committed<'a, Entity> {
        match self.tenant.collection(collection) {
            Cow::Borrowed(collection) => self.shared.insert(collection, id, entity),
            Cow::Owned(collection) => {
                Box::pin(async move { self.shared.insert(&collection, id, entity).await })
            }
        }
    }

    fn get(&self, collection: &str, id: &str) -> Result<Option<Entity>, StoreError> {
        self.shared.get(&self.tenant.collection(collection), id)
    }

    fn update<'a>(
        &'a self,
        collection: &'a str,
        id: &'a str,
        patch: Patch<'a>,
    ) -> Committed<'a, Entity> {
        match self.tenant.collection(collection) {
            Cow::Borrowed(collection) => self.shared.update(collection, id, patch),
            Cow::Owned(collection) => {
                Box::pin(async move { self.shared.update(&collection, id, patch).await })
            }
        }
    }

    fn delete<'a>(&'a self, collection: &'a str, id: &'a str) -> Committed<'a, ()> {
        match self.tenant.collection(collection) {
            Cow::Borrowed(collection) => self.shared.delete(collection, id),
            Cow::Owned(collection) => {
                Box::pin(async move { self.shared.delete(&collection, id).await })
            }
        }
    }

    fn len(&self, collection: &str) -> Result<usize, StoreError> {
        self.shared.len(&self.tenant.collection(collection))
    }

    fn scan(
        &self,
        collection: &str,
        after: Option<u64>,
        visit: &mut dyn FnMut(u64, &Entity) -> bool,
    ) -> Result<(), StoreError> {
        self.shared
            .scan(&self.tenant.collection(collection), after, visit)
    }

    fn dump(&self) -> Result<BTreeMap<String, Vec<(String, Value)>>, StoreError> {
        let all = self.shared.dump()?;
        Ok(all
            .into_iter()
            .filter_map(|(stored, entities)| Some((self.tenant.own(&stored)?.to_owned(), entities)))
            .collect())
    }

    /// Removes the tenant's entities, one by one: the other tenants' stay, and delta rounds see
    /// the removals.
    fn clear(&self) -> Committed<'_, ()> {
        Box::pin(async move {
            for (collection, entities) in self.dump()? {
                for (id, _) in entities {
                    match self.delete(&collection, &id).await {
                        // Gone with its parent already.
                        Ok(()) | Err(StoreError::NotFound) => {}
                        Err(e) => return Err(e),
                    }
                }
            }
            Ok(())
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::store::MemoryStore;
    use serde_json::json;

    fn tenant(tid: &str) -> Tenant {
        Tenant(Some(Arc::from(tid)))
    }

    fn entity(id: &str) -> Map<String, Value> {
        json!({ "id": id }).as_object().cloned().unwrap_or_default()
    }

    #[test]
    fn stored_paths_split_into_tenant_and_path_and_join_back() {
        for (stored, split) in [
            ("/users/a/b", ("", "/users/a/b")),
            ("/@t1/users/a", ("t1", "/users/a")),
        ] {
            assert_eq!(split_stored(stored), split);
            assert_eq!(join_stored(split.0, split.1), stored);
            let tenant = Tenant::named(split.0).unwrap_or_default();
            assert_eq!(tenant.collection(split.1), stored);
        }
    }

    #[test]
    fn a_token_verifies_for_its_tenant_only_and_unaltered() {
        let (default, a, key) = (Tenant::default(), tenant("a"), TokenKey::random());
        let signed = a.sign(key, "20-31");
        assert_eq!(a.verify(key, &signed), Some("20-31"));
        assert_eq!(default.verify(key, &signed), None);
        assert_eq!(tenant("b").verify(key, &signed), None);
        assert_eq!(a.verify(TokenKey::random(), &signed), None, "another key's");
        assert_eq!(a.verify(key, &signed.replacen('2', "3", 1)), None);
        assert_eq!(a.verify(key, "20-31"), None);
        assert_eq!(default.verify(key, &default.sign(key, "x.y")), Some("x.y"));
    }

    #[tokio::test]
    async fn tenants_see_their_own_collections_only() {
        let shared: Arc<dyn Store> = Arc::new(MemoryStore::default());
        let (default, a, ab) = (
            TenantStore::new(Tenant::default(), shared.clone()),
            TenantStore::new(tenant("a"), shared.clone()),
            TenantStore::new(tenant("ab"), shared.clone()),
        );
        default.insert("/users", "1", entity("1")).await.unwrap();
        a.insert("/users", "1", entity("1")).await.unwrap();
        a.insert("/users/1/children", "c", entity("c"))
            .await
            .unwrap();
        ab.insert("/users", "2", entity("2")).await.unwrap();
        assert_eq!(default.len("/users").unwrap(), 1);
        assert!(ab.get("/users", "1").unwrap().is_none());
        // The collections holding entities (a backend may keep an emptied one).
        let names = |store: &TenantStore| {
            let dump = store.dump().unwrap().into_iter();
            dump.filter(|(_, entities)| !entities.is_empty())
                .map(|(name, _)| name)
                .collect::<Vec<_>>()
        };
        assert_eq!(names(&default), ["/users"]);
        assert_eq!(names(&a), ["/users", "/users/1/children"]);
        assert_eq!(names(&ab), ["/users"]);
        // Clearing a tenant leaves the others as they were.
        a.clear().await.unwrap();
        assert!(names(&a).is_empty());
        assert_eq!(names(&default), ["/users"]);
        assert_eq!(ab.len("/users").unwrap(), 1);
        default.clear().await.unwrap();
        assert_eq!(ab.len("/users").unwrap(), 1);
    }
}

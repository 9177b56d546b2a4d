//! Resolves a request path against its template: which stored collection it names, which id,
//! and which parent entities must exist.
//!
//! `/a/{aId}/b/{bId}` with `aId=1, bId=2` is the entity `2` of the collection `/a/1/b`, whose
//! parent is entity `1` of `/a`. Type-cast segments (`.../microsoft.graph.x/...`) narrow the type
//! but are not part of where things are stored. A key given as an alternate key
//! (`/users/ada@contoso.com` for `/users/{id | userPrincipalName}`) is replaced by the id of the
//! entity it names, so that the entity and what it contains are found where they are stored.

use serde_json::Value;

use crate::error::ApiError;
use crate::operation::{Kind, OperationMeta, PathSegment};
use crate::store::Store;

/// The longest key (or function argument) accepted in a path: the OpenAPI document's
/// `maxLength` of a path parameter.
pub(crate) const MAX_KEY_LEN: usize = 1024;

/// The key under which a singleton (`/deviceManagement`, `/x/{id}/installSummary`) is stored in
/// the collection named by its own path.
pub const SINGLETON_KEY: &str = "$singleton";

/// An entity a path passes through on the way to what it addresses.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Ancestor {
    /// Its collection.
    pub collection: String,
    /// Its key.
    pub id: String,
    /// The type a cast segment right after it requires it to be.
    pub cast: Option<String>,
}

/// A resolved request path.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Resource {
    /// The stored collection, e.g. `/deviceManagement/domainJoinConnectors`.
    pub collection: String,
    /// The addressed entity, for item operations.
    id: Option<String>,
    /// Whether the path addresses a singleton (a single-valued property, no key).
    pub singleton: bool,
    /// The type a cast segment requires the addressed entity to be.
    pub cast: Option<String>,
    /// Every entity the path passes through, outermost first.
    pub ancestors: Vec<Ancestor>,
}

impl Resource {
    /// Resolves `operation`'s template with the request's path parameter values, in path order
    /// (routes name their captures by position, so that templates whose parameter names differ
    /// never conflict). `keys` finds the entity a key given as an alternate key names.
    pub fn resolve(
        operation: &OperationMeta,
        values: &[&str],
        keys: &dyn KeyLookup,
    ) -> Result<Resource, ApiError> {
        let mut collection = String::with_capacity(
            operation.path.len() + values.iter().map(|v| v.len()).sum::<usize>(),
        );
        // An item operation whose path ends in a key addresses that key's entity: the key is
        // not part of its collection, and it is no ancestor.
        let addresses_one = matches!(operation.kind, Kind::Get | Kind::Update | Kind::Delete);
        let last_key = (operation.segments.iter())
            .rposition(|s| !matches!(s, PathSegment::Cast(_)))
            .filter(|&at| addresses_one && matches!(operation.segments[at], PathSegment::Key(_)));
        let mut ancestors: Vec<Ancestor> = Vec::new();
        let mut addressed: Option<(String, Option<String>)> = None;
        let mut values = values.iter();
        let mut last_is_key = false;
        for (at, segment) in operation.segments.iter().enumerate() {
            match segment {
                PathSegment::Key(alternates) => {
                    let value = values.next().copied().unwrap_or_default();
                    check_key(value)?;
                    let canonical = match alternates.is_empty() {
                        true => None,
                        false => keys.by_alternate_key(&collection, alternates, value)?,
                    };
                    let value = canonical.as_deref().unwrap_or(value);
                    if Some(at) == last_key {
                        addressed = Some((value.to_owned(), None));
                    } else {
                        ancestors.push(Ancestor {
                            collection: collection.clone(),
                            id: value.to_owned(),
                            cast: None,
                        });
                        collection.push('/');
                        collection.push_str(value);
                    }
                    last_is_key = true;
                }
                // A type cast narrows the entity before it, and is not part of where things
                // are stored.
                PathSegment::Cast(type_name) => {
                    if !last_is_key {
                        continue;
                    }
                    match (&mut addressed, ancestors.last_mut()) {
                        (Some((_, cast)), _) => *cast = Some(type_name.to_owned()),
                        (None, Some(previous)) => previous.cast = Some(type_name.to_owned()),
                        (None, None) => {}
                    }
                }
                PathSegment::Literal(name) => {
                    collection.push('/');
                    collection.push_str(name);
                    last_is_key = false;
                }
            }
        }
        if let Some((id, cast)) = addressed {
            return Ok(Resource {
                collection,
                id: Some(id),
                singleton: false,
                cast,
                ancestors,
            });
        }
        let singleton = addresses_one;
        let id = singleton.then(|| SINGLETON_KEY.to_owned());
        Ok(Resource {
            collection,
            id,
            singleton,
            cast: None,
            ancestors,
        })
    }

    /// For a function bound to a collection (`.../users/delta`), that collection.
    pub fn function_target(&self) -> Resource {
        let mut target = self.clone();
        if let Some((collection, _function)) = self.collection.rsplit_once('/') {
            target.collection = collection.to_owned();
        }
        target
    }

    /// The addressed entity's id.
    pub fn id(&self) -> Result<&str, ApiError> {
        self.id.as_deref().ok_or_else(|| {
            ApiError::bad_request("This request addresses a collection, not an entity.")
        })
    }

    /// The `@odata.context` path: `deviceManagement/domainJoinConnectors`, or
    /// `a('1')/b` for a contained collection.
    pub fn context_path(&self) -> String {
        let mut path = self.collection.trim_start_matches('/').to_owned();
        for Ancestor { collection, id, .. } in self.ancestors.iter().rev() {
            let keyed = format!("{}/{id}", collection.trim_start_matches('/'));
            if let Some(rest) = path.strip_prefix(&keyed) {
                path = format!("{}('{id}'){rest}", collection.trim_start_matches('/'));
            }
        }
        path
    }
}

/// Finds entities by their alternate keys.
pub trait KeyLookup {
    /// The id of the entity of `collection` whose property among `properties` is `value`
    /// (compared without regard to ASCII case, as Graph compares user principal names), when
    /// `value` is not already the id of one; `None` leaves `value` as the key.
    fn by_alternate_key(
        &self,
        collection: &str,
        properties: &[String],
        value: &str,
    ) -> Result<Option<String>, ApiError>;
}

impl KeyLookup for std::sync::Arc<dyn Store> {
    fn by_alternate_key(
        &self,
        collection: &str,
        properties: &[String],
        value: &str,
    ) -> Result<Option<String>, ApiError> {
        if self.get(collection, value)?.is_some() {
            return Ok(None);
        }
        // Each entity is parsed once, for its alternate keys and its `id` (its key in every
        // backend).
        let read: Vec<&str> = (properties.iter().map(String::as_str))
            .chain(["id"])
            .collect();
        let mut found = None;
        self.scan(collection, None, &mut |_, entity| {
            let parsed = entity.to_partial_map(&read);
            let matches = properties.iter().any(|property| {
                (parsed.get(property).and_then(Value::as_str))
                    .is_some_and(|v| v.eq_ignore_ascii_case(value))
            });
            if matches {
                found = parsed.get("id").and_then(Value::as_str).map(str::to_owned);
            }
            !matches
        })?;
        Ok(found)
    }
}

/// Refuses keys that could escape their collection or are absurdly long.
fn check_key(key: &str) -> Result<(), ApiError> {
    if key.is_empty()
        || key.chars().count() > MAX_KEY_LEN
        || key.chars().any(|c| c == '/' || c == '\\' || c.is_control())
    {
        let shown: String = key.chars().take(64).collect();
        return Err(ApiError::bad_request(format!(
            "The key '{shown}' is not a valid entity key."
        )));
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::operation::PathSegment::{Cast, Literal};

    fn op(kind: Kind, segments: &[PathSegment]) -> OperationMeta {
        OperationMeta::for_test(kind, segments.to_vec())
    }

    fn lit(name: &str) -> PathSegment {
        Literal(name.to_owned())
    }

    fn cast(name: &str) -> PathSegment {
        Cast(name.to_owned())
    }

    #[allow(non_upper_case_globals)]
    const Key: PathSegment = PathSegment::Key(Vec::new());

    /// No entity has an alternate key.
    struct NoAlternates;

    impl KeyLookup for NoAlternates {
        fn by_alternate_key(
            &self,
            _: &str,
            _: &[String],
            _: &str,
        ) -> Result<Option<String>, ApiError> {
            Ok(None)
        }
    }

    /// The user `ada@x` has the id `7`.
    struct Ada;

    impl KeyLookup for Ada {
        fn by_alternate_key(
            &self,
            collection: &str,
            properties: &[String],
            value: &str,
        ) -> Result<Option<String>, ApiError> {
            assert_eq!(
                (collection, properties),
                ("/users", &["upn".to_owned()][..])
            );
            Ok((value == "ada@x").then(|| "7".to_owned()))
        }
    }

    #[test]
    fn an_alternate_key_stands_for_the_id_it_names() {
        let upn = PathSegment::Key(vec!["upn".to_owned()]);
        let get = Resource::resolve(
            &op(Kind::Get, &[lit("users"), upn.clone()]),
            &["ada@x"],
            &Ada,
        )
        .unwrap();
        assert_eq!(
            (get.collection.as_str(), get.id().unwrap()),
            ("/users", "7")
        );
        let nested = &op(Kind::List, &[lit("users"), upn, lit("messages")]);
        let list = Resource::resolve(nested, &["ada@x"], &Ada).unwrap();
        assert_eq!(list.collection, "/users/7/messages");
        assert_eq!(list.ancestors[0].id, "7");
        let other = Resource::resolve(nested, &["bob@x"], &Ada).unwrap();
        assert_eq!(other.collection, "/users/bob@x/messages");
    }

    #[test]
    fn items_collections_and_ancestors() {
        let get = Resource::resolve(
            &op(Kind::Get, &[lit("a"), Key, cast("t"), lit("b"), Key]),
            &["1", "2"],
            &NoAlternates,
        )
        .unwrap();
        assert_eq!(get.collection, "/a/1/b");
        assert_eq!(get.id().unwrap(), "2");
        assert_eq!(
            get.ancestors,
            [Ancestor {
                collection: "/a".to_owned(),
                id: "1".to_owned(),
                cast: Some("t".to_owned())
            }]
        );
        assert_eq!(get.context_path(), "a('1')/b");
        let list = Resource::resolve(
            &op(Kind::List, &[lit("a"), Key, lit("b")]),
            &["1"],
            &NoAlternates,
        )
        .unwrap();
        assert_eq!(
            (list.collection.as_str(), list.ancestors.len()),
            ("/a/1/b", 1)
        );
        assert!(list.id().is_err());
    }

    #[test]
    fn singletons_and_casts_on_the_addressed_entity() {
        let singleton = Resource::resolve(
            &op(Kind::Get, &[lit("a"), Key, lit("summary")]),
            &["1"],
            &NoAlternates,
        )
        .unwrap();
        assert!(singleton.singleton);
        assert_eq!(
            (singleton.collection.as_str(), singleton.id().unwrap()),
            ("/a/1/summary", SINGLETON_KEY)
        );
        let root = Resource::resolve(
            &op(Kind::Update, &[lit("deviceManagement")]),
            &[],
            &NoAlternates,
        )
        .unwrap();
        assert_eq!(
            (root.collection.as_str(), root.singleton),
            ("/deviceManagement", true)
        );
        let cast = Resource::resolve(
            &op(Kind::Get, &[lit("a"), Key, cast("t")]),
            &["1"],
            &NoAlternates,
        )
        .unwrap();
        assert_eq!(
            (cast.id().unwrap(), cast.cast.as_deref(), cast.singleton),
            ("1", Some("t"), false)
        );
    }

    #[test]
    fn tricky_keys_are_refused() {
        for key in ["../x", "a\0b", "a\\b", &"k".repeat(4000)] {
            let err = Resource::resolve(&op(Kind::Get, &[lit("a"), Key]), &[key], &NoAlternates)
                .unwrap_err();
            assert_eq!(err.status, axum::http::StatusCode::BAD_REQUEST);
        }
    }
}

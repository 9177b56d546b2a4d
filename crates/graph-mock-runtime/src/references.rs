//! `$ref` requests: links between existing entities through a navigation property, the way
//! Graph adds a member to a group.
//!
//! - `POST <collection>/$ref` with `{"@odata.id": "<url of an entity>"}` adds the entity to the
//!   collection (a copy under its own id, so `GET <collection>` lists it): `204`, a `400` when it
//!   is there already, a `404` when no entity has that id.
//! - `GET <collection>/$ref` lists the collection as `{"@odata.id": ...}` links.
//! - `GET <single-valued property>/$ref` answers the link it holds, a `404` when it holds none.
//! - `PUT <single-valued property>/$ref` sets the property to the entity (`user/manager`): `204`.
//! - `DELETE <collection>/{id}/$ref` and `DELETE <property>/$ref` remove the link, not the
//!   entity: the link is all that is stored under that path.
//!
//! A link is stored as a copy of the entity, so that listing, `$filter`, `$orderby`, `$select`
//! and `$expand` read it as any other entity. The copies follow the entity, as a link on Graph
//! does: each link is recorded in the store itself (under [`LINKS`], so it is saved, exported and
//! reset with the rest), and an update or delete of the entity ([`follow_update`],
//! [`follow_delete`]) is made to every copy that still holds it.
//!
//! The importer reads a `$ref` page's path without `/$ref` (as a reference operation), so the
//! routes are those of the path without it: [`split_reference`] takes `/$ref` off before
//! routing and marks the request with a [`ReferenceRequest`]; the handler of the route it
//! reaches (the page's own, or for a `GET`, the collection's list) then links instead of
//! creating, updating or listing. A method is served with `/$ref` or without it as the OpenAPI
//! document lists it ([`serves`]); any other is Graph's `405`, whose `Allow` names the methods
//! of that form of the path ([`method_not_allowed`]): `POST /groups/{id}/members` without
//! `/$ref` is one, and so is `DELETE /groups/{id}/members/{id}`.

use axum::extract::Request;
use axum::http::{Method, StatusCode};
use axum::response::{IntoResponse, Response};
use serde_json::{Map, Value};

use crate::error::ApiError;
use crate::handlers::{Context, json_response, read_json_object};
use crate::json::push_string;
use crate::listing::ListRequest;
use crate::operation::{Api, Kind, OperationMeta};
use crate::resource::SINGLETON_KEY;
use crate::store::{Store, StoreError};

/// The collections that record links: `<LINKS><collection>/<id>` holds one record per place
/// the entity `<collection>/<id>` is linked into. No route reaches them.
pub(crate) const LINKS: &str = "/$links";

/// A request whose path ended in `/$ref`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ReferenceRequest {
    /// The method the client sent.
    pub method: Method,
}

/// Takes `/$ref` off the path before routing: see the module documentation.
pub fn split_reference(mut request: Request) -> Request {
    if crate::middleware::strip_trailing_segment(&mut request, "ref") {
        let method = request.method().clone();
        request.extensions_mut().insert(ReferenceRequest { method });
    }
    request
}

/// Whether `operation` is a `$ref` page's add or set.
fn links(api: &Api, operation: &OperationMeta) -> bool {
    matches!(operation.kind, Kind::Create | Kind::Update)
        && api.documented(operation).is_some_and(|op| op.reference)
}

/// Whether the single-valued property `operation` reads holds a link (`manager`), which a
/// `$ref` page sets: unset, it is a 404, where a contained one (`settings`) always exists.
pub(crate) fn is_link_property(api: &Api, operation: &OperationMeta) -> bool {
    linked_by(api, &operation.route, Kind::Update)
}

/// Whether a `$ref` page's `kind` (its add or set) writes links at `route`.
fn linked_by(api: &Api, route: &str, kind: Kind) -> bool {
    (api.operations().iter())
        .any(|other| other.route == route && other.kind == kind && links(api, other))
}

/// Graph's 404 for a link property that holds nothing, e.g. `manager`.
pub(crate) fn unset_link(collection: &str) -> ApiError {
    let property = collection.rsplit('/').next().unwrap_or_default();
    ApiError::not_found(format!(
        "Resource '{property}' does not exist or one of its queried reference-property objects are not present."
    ))
}

/// Whether the operation a request was routed to serves it, with `/$ref` (`linking`) or
/// without, as the OpenAPI document describes the path:
///
/// - with `/$ref`: a `$ref` page's add, set or remove; and the read of the links, where a
///   `$ref` page adds to the collection (its list) or sets the property (its get);
/// - without: every operation but a `$ref` page's (`POST /groups/{id}/members` is Graph's 405).
pub(crate) fn serves(api: &Api, operation: &OperationMeta, linking: bool) -> bool {
    let reference = api.documented(operation).is_some_and(|op| op.reference);
    if !linking {
        return !reference;
    }
    let written_by = match operation.kind {
        Kind::Create | Kind::Update | Kind::Delete => return reference,
        Kind::List => Kind::Create,
        Kind::Get => Kind::Update,
        Kind::Action | Kind::Function => return false,
    };
    linked_by(api, &operation.route, written_by)
}

/// Graph's 405 for a method `route` does not take with `/$ref` (`linking`) or without; `Allow`
/// names those it does take.
pub(crate) fn method_not_allowed(api: &Api, route: &str, linking: bool) -> ApiError {
    let mut allow: Vec<&str> = (api.operations().iter())
        .filter(|other| other.route == route && serves(api, other, linking))
        .map(|other| other.method.as_str())
        .collect();
    if allow.contains(&"GET") {
        allow.push("HEAD");
    }
    allow.sort_unstable();
    allow.dedup();
    let mut error = ApiError::for_status(StatusCode::METHOD_NOT_ALLOWED);
    error.allow = Some(allow.join(","));
    error
}

/// The entity a link names, and where it is stored.
struct Linked {
    collection: String,
    id: String,
    entity: Map<String, Value>,
}

/// Where a link put a copy of an entity: the collection and the key it is stored under (the
/// entity's id, or [`SINGLETON_KEY`] for a single-valued property).
struct LinkRecord {
    at: String,
    key: String,
}

impl LinkRecord {
    /// The record's own id in the entity's [`LINKS`] collection.
    fn id(&self) -> String {
        [&self.at, "/", &self.key].concat()
    }

    fn to_map(&self) -> Map<String, Value> {
        Map::from_iter([
            ("collection".to_owned(), Value::from(self.at.as_str())),
            ("key".to_owned(), Value::from(self.key.as_str())),
        ])
    }
}

/// A write's outcome with a missing entity counted as done: what a link follows may have gone.
fn done_if_missing<T>(result: Result<T, StoreError>) -> Result<(), StoreError> {
    match result {
        Ok(_) | Err(StoreError::NotFound) => Ok(()),
        Err(error) => Err(error),
    }
}

/// The collection that records the links to `collection/id`.
fn records_of(collection: &str, id: &str) -> String {
    [LINKS, collection, "/", id].concat()
}

/// The link records in `records` (a [`records_of`] collection).
fn link_records(store: &dyn Store, records: &str) -> Result<Vec<LinkRecord>, StoreError> {
    let mut found = Vec::new();
    store.scan(records, None, &mut |_, record| {
        if let (Some(Value::String(at)), Some(Value::String(key))) =
            (record.get("collection"), record.get("key"))
        {
            found.push(LinkRecord { at, key });
        }
        true
    })?;
    Ok(found)
}

/// Whether the copy a record names still holds the entity `id`: a single-valued property may
/// hold another since (`manager` set again), and a removed link leaves its record behind.
fn holds(store: &dyn Store, record: &LinkRecord, id: &str) -> bool {
    matches!(
        store.get(&record.at, &record.key),
        Ok(Some(copy)) if copy.get("id").as_ref().and_then(Value::as_str) == Some(id)
    )
}

/// Makes an update of `collection/id` to every copy that links hold of it.
pub(crate) async fn follow_update(
    store: &dyn Store,
    collection: &str,
    id: &str,
    patch: &Map<String, Value>,
) -> Result<(), StoreError> {
    let records = link_records(store, &records_of(collection, id))?;
    for record in records.iter().filter(|r| holds(store, r, id)) {
        done_if_missing(store.update(&record.at, &record.key, patch).await)?;
    }
    Ok(())
}

/// Removes every link to the deleted `collection/id`, and its records.
pub(crate) async fn follow_delete(
    store: &dyn Store,
    collection: &str,
    id: &str,
) -> Result<(), StoreError> {
    let records_at = records_of(collection, id);
    for record in &link_records(store, &records_at)? {
        if holds(store, record, id) {
            done_if_missing(store.delete(&record.at, &record.key).await)?;
        }
        done_if_missing(store.delete(&records_at, &record.id()).await)?;
    }
    Ok(())
}

impl Context<'_> {
    /// Answers a [`ReferenceRequest`] routed to this context's operation.
    pub(crate) async fn reference(
        &self,
        method: &Method,
        request: Request,
    ) -> Result<Response, ApiError> {
        self.parent_exists()?;
        let singleton = self.resource.singleton;
        match (method, singleton) {
            (&Method::POST, false) | (&Method::PUT, true) => {
                let body = read_json_object(request, self.state.config.max_body).await?;
                let linked = self.referenced(&body)?;
                let key = if singleton { SINGLETON_KEY } else { &linked.id };
                if singleton {
                    // Setting a single-valued property replaces what it held.
                    match self
                        .state
                        .store
                        .delete(&self.resource.collection, key)
                        .await
                    {
                        Ok(()) | Err(StoreError::NotFound) => {}
                        Err(error) => return Err(error.into()),
                    }
                }
                let store = &self.state.store;
                match (store.insert(&self.resource.collection, key, linked.entity)).await {
                    Ok(_) => {
                        let record = LinkRecord {
                            at: self.resource.collection.clone(),
                            key: key.to_owned(),
                        };
                        let records = records_of(&linked.collection, &linked.id);
                        // Linked there before (and unlinked since): the record is there already.
                        match store.insert(&records, &record.id(), record.to_map()).await {
                            Ok(_) | Err(StoreError::Conflict) => {}
                            Err(error) => return Err(error.into()),
                        }
                        Ok(StatusCode::NO_CONTENT.into_response())
                    }
                    Err(StoreError::Conflict) => Err(ApiError::bad_request(format!(
                        "One or more added object references already exist for the following modified properties: '{}'.",
                        self.resource
                            .collection
                            .rsplit('/')
                            .next()
                            .unwrap_or_default()
                    ))),
                    Err(error) => Err(error.into()),
                }
            }
            (&Method::GET, false) => self.reference_links(),
            (&Method::GET, true) => self.reference_link(),
            _ => Err(method_not_allowed(
                self.state.api,
                &self.operation.route,
                true,
            )),
        }
    }

    /// The entity an `{"@odata.id": ...}` body names: its id is the URL's last segment, looked up
    /// in the collection the URL names, else in every top-level collection (`directoryObjects`
    /// is not stored: a user is under `/users`).
    fn referenced(&self, body: &Map<String, Value>) -> Result<Linked, ApiError> {
        let url = match body.get("@odata.id") {
            Some(Value::String(url)) => url,
            _ => {
                return Err(ApiError::bad_request(
                    "The request body must be an object with an '@odata.id' link to the entity to reference.",
                ));
            }
        };
        let path = url.split(['?', '#']).next().unwrap_or_default();
        let (collection_path, id) = path.rsplit_once('/').unwrap_or(("", path));
        if id.is_empty() {
            return Err(ApiError::bad_request(format!(
                "The '@odata.id' link '{url}' names no entity."
            )));
        }
        // Where the link says, relative to its version; else its last collection at the top
        // (`/users`), else any top-level collection.
        let exact = relative_to_version(collection_path, self.state.base_path()).unwrap_or("");
        let named = ["/", collection_path.rsplit('/').next().unwrap_or_default()].concat();
        let top = self.state.api.top_collections();
        let candidates = [exact, named.as_str()]
            .into_iter()
            .filter(|c| c.len() > 1)
            .chain(top.map(|path| -> &str { path }));
        for collection in candidates {
            if let Some(entity) = self.state.store.get(collection, id)? {
                return Ok(Linked {
                    collection: collection.to_owned(),
                    id: id.to_owned(),
                    entity: entity.to_map(),
                });
            }
        }
        Err(ApiError::not_found(format!(
            "Resource '{id}' does not exist or one of its queried reference-property objects are not present."
        )))
    }

    /// `GET <single-valued property>/$ref`: the link, to where the entity is stored at the top
    /// (`/users/{id}`), else to the property itself.
    fn reference_link(&self) -> Result<Response, ApiError> {
        let not_found = || unset_link(&self.resource.collection);
        let entity = (self.state.store)
            .get(&self.resource.collection, SINGLETON_KEY)?
            .ok_or_else(not_found)?;
        let id = match entity.get("id") {
            Some(Value::String(id)) => id,
            _ => return Err(not_found()),
        };
        let stored_at =
            |collection: &&str| matches!(self.state.store.get(collection, &id), Ok(Some(_)));
        let link = match self.state.api.top_collections().find(stored_at) {
            Some(collection) => [&self.base_url, collection, "/", &id].concat(),
            None => [&self.base_url, self.resource.collection.as_str()].concat(),
        };
        let mut body = String::from("{\"@odata.context\":");
        push_string(&mut body, &[&self.base_url, "/$metadata#$ref"].concat());
        body.push_str(",\"@odata.id\":");
        push_string(&mut body, &link);
        body.push('}');
        Ok(json_response(StatusCode::OK, body))
    }

    /// `GET <collection>/$ref`: the collection's entities as links.
    fn reference_links(&self) -> Result<Response, ApiError> {
        let page = self.state.store.list(
            &self.resource.collection,
            ListRequest {
                filter: None,
                order_by: &[],
                skip: 0,
                token: None,
                page_size: self.state.config.max_page_size,
            },
        )?;
        let mut body = String::from("{\"@odata.context\":");
        push_string(
            &mut body,
            &[&self.base_url, "/$metadata#Collection($ref)"].concat(),
        );
        body.push_str(",\"value\":[");
        for (n, item) in page.items.iter().enumerate() {
            if n > 0 {
                body.push(',');
            }
            body.push_str("{\"@odata.id\":");
            // The entity's `id` (`StoredEntity::key` is the memory store's alone).
            let id = match item.get("id") {
                Some(Value::String(id)) => id,
                _ => String::new(),
            };
            let link = [&self.base_url, self.resource.collection.as_str(), "/", &id].concat();
            push_string(&mut body, &link);
            body.push('}');
        }
        body.push_str("]}");
        Ok(json_response(StatusCode::OK, body))
    }
}

/// A link's path relative to its version: after this mock's own base path
/// (`http://127.0.0.1:8080/beta/library/shelves` → `/library/shelves`), else after the link's
/// first segment, the version Graph's links start with (`https://graph.microsoft.com/v1.0/users`
/// → `/users`, whichever version the link names). `None` for a link with no path past that.
fn relative_to_version<'a>(link: &'a str, base_path: &str) -> Option<&'a str> {
    let path = match link.split_once("://") {
        Some((_, rest)) => &rest[rest.find('/')?..],
        None => link,
    };
    let own = path
        .strip_prefix(base_path)
        .filter(|rest| !base_path.is_empty() && rest.starts_with('/'));
    let relative = own.or_else(|| {
        let after_version = path.strip_prefix('/')?.find('/')? + 1;
        Some(&path[after_version..])
    })?;
    (relative.len() > 1).then_some(relative)
}

#[cfg(test)]
mod tests {
    use super::relative_to_version;

    #[test]
    fn a_link_is_read_relative_to_whichever_version_it_names() {
        let own = "http://127.0.0.1:8080/beta/library/shelves";
        assert_eq!(relative_to_version(own, "/beta"), Some("/library/shelves"));
        let other = "https://graph.microsoft.com/v1.0/users";
        assert_eq!(relative_to_version(other, "/beta"), Some("/users"));
        // A base path of the mock's own (`--base-path`), however many segments it has.
        let custom = "http://localhost/mock/graph/users";
        assert_eq!(relative_to_version(custom, "/mock/graph"), Some("/users"));
        assert_eq!(relative_to_version("/beta/users", "/beta"), Some("/users"));
        assert_eq!(
            relative_to_version("https://graph.microsoft.com", "/beta"),
            None
        );
        assert_eq!(
            relative_to_version("https://graph.microsoft.com/v1.0", "/beta"),
            None
        );
    }
}

//! The runtime of generated contract tests (and of the hand-written end-to-end tests): a mock
//! started in-process with a client transport pointed at it, store seeding, and comparisons
//! against doc examples, and the runner of the generated cases ([`run`]). It knows no spec: the
//! generated contract tests pass their mock's `API` to the runner, and each case reaches its
//! area's request builders from the harness's transport.

mod runner;

pub use runner::{Case, CaseFuture, run, trials};

use std::fmt::Debug;
use std::sync::{Arc, Mutex};

use graph_client_runtime::codegen::{self, Method};
use graph_client_runtime::{Error, Request, StatusCode, Transport};
use graph_mock_runtime::{Api, Config, MockServer};

/// The key a singleton is stored under, for seeding one.
pub use graph_mock_runtime::SINGLETON_KEY;
use serde::Serialize;
use serde::de::DeserializeOwned;
use serde_json::Value;

/// A mock on 127.0.0.1:0 and a client transport pointed at it.
pub struct Harness {
    /// The mock.
    pub server: MockServer,
    /// The transport, which records every response status.
    pub transport: Transport,
    statuses: Arc<Mutex<Vec<u16>>>,
}

impl Harness {
    /// Starts the mock of `api` with the default settings.
    pub async fn start(api: &'static Api) -> Harness {
        Harness::with(api, Config::default()).await
    }

    /// Starts the mock of `api` with `config`.
    pub async fn with(api: &'static Api, config: Config) -> Harness {
        let server = MockServer::try_start(api, config)
            .await
            .expect("the mock starts on 127.0.0.1:0");
        let statuses = Arc::new(Mutex::new(Vec::new()));
        let seen = Arc::clone(&statuses);
        let transport = Transport::builder()
            .base_url(server.base_url())
            .token("test-token")
            .on_response(move |_, _, status| {
                seen.lock().unwrap_or_else(|p| p.into_inner()).push(status)
            })
            .build()
            .expect("a valid client");
        Harness {
            server,
            transport,
            statuses,
        }
    }

    /// A generated client (`graph_client::Client`) over this harness's transport.
    pub fn client<C: From<Transport>>(&self) -> C {
        C::from(self.transport.clone())
    }

    /// Puts an entity straight into the store under its `id` (a precondition, not a request
    /// under test).
    pub fn seed(&self, collection: &str, entity: Value) {
        let id = entity
            .get("id")
            .and_then(Value::as_str)
            .unwrap_or_default()
            .to_owned();
        self.seed_at(collection, &id, entity);
    }

    /// Puts an entity straight into the store under `key`.
    pub fn seed_at(&self, collection: &str, key: &str, entity: Value) {
        let Value::Object(object) = entity else {
            panic!("an entity is a JSON object: {entity}")
        };
        // Seeding is synchronous for the generated tests; the store's write is ready at once
        // in memory, or once committed in SQLite (its writer is a thread of its own).
        let inserted = self.server.state().store.insert(collection, key, object);
        futures::executor::block_on(inserted).expect("the seeded key is free");
    }

    /// The entity stored under `key` in `collection`, as the store holds it (what a following
    /// read starts from), or `None` when there is none.
    pub fn stored(&self, collection: &str, key: &str) -> Option<Value> {
        let entity = (self.server.state().store.get(collection, key))
            .unwrap_or_else(|e| panic!("the store reads `{collection}/{key}`: {e}"));
        entity.map(|entity| Value::Object(entity.to_map()))
    }

    /// Sends `body`, JSON text exactly as a doc example shows it, with `method` to `path`
    /// (relative to the base URL), bypassing the typed client: what a client that does not
    /// check its input would send.
    pub async fn send_json(&self, method: &str, path: &str, body: &str) -> Result<Value, Error> {
        let method = Method::from_bytes(method.as_bytes())
            .unwrap_or_else(|e| panic!("`{method}` is an HTTP method: {e}"));
        let body = json(body);
        let request = Request::new(
            self.transport.clone(),
            method,
            path.to_owned(),
            Some(&body),
            codegen::json::<Value>,
        );
        request.send().await
    }

    /// The status of the last response the client received.
    pub fn last_status(&self) -> Option<u16> {
        self.statuses
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .last()
            .copied()
    }
}

/// Checks a download as the doc describes it: the call was answered `302 Found`, the client
/// followed it to the file, and the file is CSV with the documented column headers.
pub fn assert_downloaded(harness: &Harness, content: &[u8], columns: &[&str]) {
    let served: Vec<u16> = (harness.server.received_requests().iter())
        .map(|entry| entry.status)
        .collect();
    assert_eq!(served, [302, 200], "a redirect, then the file");
    let content = String::from_utf8_lossy(content);
    let header = content.lines().next().unwrap_or_default();
    assert_eq!(header, columns.join(","), "the CSV file's header row");
}

/// Seeds every item of a documented list response.
pub fn seed_all(harness: &Harness, collection: &str, items: &str) {
    for (n, mut item) in json(items)
        .as_array()
        .cloned()
        .unwrap_or_default()
        .into_iter()
        .enumerate()
    {
        if item.get("id").is_none() {
            item["id"] = Value::String(format!("e{n}"));
        }
        harness.seed(collection, item);
    }
}

/// The items a delta page reports as created or changed, for comparing with a documented
/// delta response (whose removed items the case does not seed).
pub fn changed<T>(page: graph_client_runtime::DeltaPage<T>) -> Vec<T> {
    (page.items.into_iter())
        .filter_map(|item| match item {
            graph_client_runtime::DeltaItem::Changed(value) => Some(value),
            graph_client_runtime::DeltaItem::Removed { .. } => None,
        })
        .collect()
}

/// Parses JSON text from a generated case.
pub fn json(text: &str) -> Value {
    serde_json::from_str(text).expect("generated cases embed valid JSON")
}

/// Decodes a doc example into a typed body; the error names the offending field.
pub fn decode<T: DeserializeOwned>(text: &str) -> Result<T, String> {
    graph_odata::from_json(text.as_bytes()).map_err(|e| e.to_string())
}

/// A typed value as JSON, encoded as the client sends it (`serde_json::to_vec`, whose instance
/// for each model type the model compiles and the tests share; `serde_json::to_value` would
/// compile the model's serde code again for every test crate).
fn encode(value: &impl Serialize) -> Value {
    let bytes = serde_json::to_vec(value).expect("typed values encode");
    serde_json::from_slice(&bytes).expect("encoded values are JSON")
}

/// Drops what the server generates (`@odata.context` always, `id` when `ignore_id`) and what
/// the typed client cannot carry: a property set to `null` reads as an absent one.
fn normalise(value: &mut Value, ignore_id: bool) {
    drop_generated(value, ignore_id);
    drop_nulls(value);
}

/// `@odata.context`, and `id` when `ignore_id`, of an entity or of each item of a list.
fn drop_generated(value: &mut Value, ignore_id: bool) {
    match value {
        Value::Object(object) => {
            object.remove("@odata.context");
            if ignore_id {
                object.remove("id");
            }
        }
        Value::Array(items) => items.iter_mut().for_each(|i| drop_generated(i, ignore_id)),
        _ => {}
    }
}

/// Removes every object member whose value is `null`, at any depth: model properties are
/// `Option`s, so `"x": null` and no `x` decode alike.
fn drop_nulls(value: &mut Value) {
    match value {
        Value::Object(object) => {
            object.retain(|_, member| !member.is_null());
            object.values_mut().for_each(drop_nulls);
        }
        Value::Array(items) => items.iter_mut().for_each(drop_nulls),
        _ => {}
    }
}

/// Asserts that a typed result encodes to the documented JSON.
pub fn assert_same(actual: &impl Serialize, expected: &str, ignore_id: bool) {
    let mut actual = encode(actual);
    let mut expected = json(expected);
    normalise(&mut actual, ignore_id);
    normalise(&mut expected, ignore_id);
    assert_eq!(
        actual, expected,
        "the response differs from the doc example"
    );
}

/// Asserts that a created entity echoes every property of the documented request, and agrees
/// with the documented response wherever the two overlap; what the service computes (`id`,
/// timestamps, counters) is not in the request, so the mock cannot be expected to invent it.
pub fn assert_created(actual: &impl Serialize, request: &str, expected: &str) {
    let mut actual = encode(actual);
    normalise(&mut actual, false);
    let (mut request, mut expected) = (json(request), json(expected));
    drop_nulls(&mut request);
    drop_nulls(&mut expected);
    let actual = actual.as_object().expect("an entity is a JSON object");
    // A request's `id` is kept (a free one); else the service assigns one.
    for (key, value) in request.as_object().into_iter().flatten() {
        assert_eq!(
            actual.get(key),
            Some(value),
            "the created entity echoes `{key}`"
        );
    }
    let assigned_id = request.get("id").is_none();
    for (key, value) in actual {
        if key == "id" && assigned_id {
            continue;
        }
        if let Some(documented) = expected.get(key) {
            assert_eq!(
                value, documented,
                "the created entity agrees with the doc on `{key}`"
            );
        }
    }
}

/// Asserts that an answer does not show a write-only property (a secret) as it was `sent`:
/// Graph masks it (`****`) or leaves it out.
pub fn assert_withheld(actual: &impl Serialize, key: &str, sent: &str) {
    let actual = encode(actual);
    assert_ne!(
        actual.get(key),
        Some(&json(sent)),
        "the answer shows the write-only `{key}` as it was sent"
    );
}

/// Asserts that an update took effect in the store: every property `sent` (the update as the
/// client encoded it) is stored as sent (`null` clears it), and every other property of the
/// entity as `seeded` before the update is unchanged.
pub fn assert_updated(
    harness: &Harness,
    collection: &str,
    key: &str,
    seeded: &str,
    sent: &impl Serialize,
) {
    let stored = (harness.stored(collection, key))
        .unwrap_or_else(|| panic!("the updated entity `{collection}/{key}` is still stored"));
    let (seeded, sent) = (json(seeded), encode(sent));
    let sent = sent.as_object().expect("an update body is a JSON object");
    for (name, value) in sent {
        let now = stored.get(name).unwrap_or(&Value::Null);
        assert_eq!(now, value, "the update set `{name}`");
    }
    for (name, value) in seeded.as_object().into_iter().flatten() {
        if !sent.contains_key(name) {
            let now = stored.get(name).unwrap_or(&Value::Null);
            assert_eq!(now, value, "the update left `{name}` alone");
        }
    }
}

/// Asserts that the entity under `key` in `collection` is gone, as a following GET would find
/// (a 404).
pub fn assert_deleted(harness: &Harness, collection: &str, key: &str) {
    let left = harness.stored(collection, key);
    assert!(
        left.is_none(),
        "`{collection}/{key}` is deleted, but the store still holds {left:?}"
    );
}

/// Asserts that a typed answer, as the client would encode it again, is an instance of the
/// structured type `type_name` of the mock's schema (or of each item, for a list): no property
/// the type lacks, every value of its property's type. `ignore_id` leaves out an `id` the case
/// gave items the doc shows without one.
pub fn assert_conforms(
    harness: &Harness,
    answer: &impl Serialize,
    type_name: &str,
    ignore_id: bool,
) {
    let answer = encode(answer);
    let schema = harness.server.state().api.schema();
    let items = match &answer {
        Value::Array(items) => items.iter().collect(),
        one => vec![one],
    };
    for item in items {
        let mut item = item.clone();
        drop_generated(&mut item, ignore_id);
        let violations = graph_odata::value_check::check_object(schema, type_name, &item);
        assert!(
            violations.is_empty(),
            "the answer is not a `{type_name}`: {:?}",
            violations.iter().map(|v| &v.message).collect::<Vec<_>>()
        );
    }
}

/// Asserts a 400 from the mock whose message names one of the `fields` a doc example got
/// wrong (see [`assert_names_one_of`]).
pub fn expect_rejected<T: Debug>(result: Result<T, Error>, fields: &[&str]) {
    match result {
        Err(Error::Graph(error)) if error.status == StatusCode::BAD_REQUEST => {
            assert_names_one_of(&error.message, fields)
        }
        other => panic!("expected a 400 naming one of {fields:?}, got {other:?}"),
    }
}

/// Asserts that an error message names one of `fields`, property paths such as
/// `assignments[0].target`, by the path's first property or its last (a message about an
/// unknown property names the property, not the path to it).
pub fn assert_names_one_of(message: &str, fields: &[&str]) {
    let named = fields.iter().any(|path| {
        let first = path.split(['.', '[']).next().unwrap_or(path);
        let last = path.rsplit('.').next().unwrap_or(path);
        let last = last.split('[').next().unwrap_or(last);
        [path, first, last]
            .iter()
            .any(|name| names_whole(message, name))
    });
    assert!(named, "the error names one of {fields:?}: {message}");
}

/// Whether `message` names `name` as a whole word or path: not inside a longer name (`id` is
/// not named by "Invalid", nor `state` by "statement").
fn names_whole(message: &str, name: &str) -> bool {
    let is_name_char = |c: char| c.is_alphanumeric() || c == '_';
    !name.is_empty()
        && message.match_indices(name).any(|(at, _)| {
            let before = message[..at].chars().next_back();
            let after = message[at + name.len()..].chars().next();
            !before.is_some_and(is_name_char) && !after.is_some_and(is_name_char)
        })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_error_names_a_field_by_its_path_or_its_property() {
        let fields = ["grading", "settings.isRemovable", "value[0].content"];
        assert_names_one_of("The property 'isRemovable' does not exist.", &fields);
        assert_names_one_of("Invalid value for property 'grading'.", &fields);
        assert_names_one_of("Invalid value for property 'value[0].content'.", &fields);
        let unnamed = std::panic::catch_unwind(|| assert_names_one_of("Bad request.", &fields));
        assert!(unnamed.is_err());
        // A name inside a longer word is not named.
        let inside = std::panic::catch_unwind(|| assert_names_one_of("Invalid value.", &["id"]));
        assert!(inside.is_err());
        assert_names_one_of("The property 'id' is read-only.", &["id"]);
    }

    #[test]
    fn a_created_entity_keeps_a_requested_id_and_may_assign_another() {
        let created = serde_json::json!({ "id": "contoso.com", "name": "a" });
        assert_created(
            &created,
            r#"{"id": "contoso.com"}"#,
            r#"{"id": "contoso.com"}"#,
        );
        // No id requested: the doc's `id-value` is not compared with the assigned one.
        let assigned = serde_json::json!({ "id": "4f1c", "name": "a" });
        assert_created(
            &assigned,
            r#"{"name": "a"}"#,
            r#"{"id": "id-value", "name": "a"}"#,
        );
    }

    #[test]
    fn a_documented_null_is_an_absent_property() {
        let typed = serde_json::json!({ "a": 1, "c": {}, "items": [{ "e": 2 }] });
        let documented = r#"{"@odata.context": "x", "a": 1, "b": null, "c": {"d": null}, "items": [{"e": 2, "f": null}]}"#;
        assert_same(&typed, documented, false);
    }

    #[test]
    #[should_panic(expected = "the response differs from the doc example")]
    fn a_different_value_is_not_the_same() {
        assert_same(
            &serde_json::json!({ "a": 1 }),
            r#"{"a": 2, "b": null}"#,
            false,
        );
    }
}

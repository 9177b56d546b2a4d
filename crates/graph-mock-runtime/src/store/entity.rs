//! How the store keeps an entity: its JSON text, parsed only where a property is needed.

use std::borrow::Cow;
use std::fmt::Write as _;
use std::sync::{Arc, LazyLock};

use memchr::memmem;

use graph_odata::PropertyName;
use serde::de::{Deserialize, Deserializer, MapAccess, Visitor};
use serde_json::value::RawValue;
use serde_json::{Map, Value};

use super::StoreError;

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
        StoredEntity::keyed_json(key, to_json(object))
    }

    /// Stores an object's JSON text with its key.
    fn keyed_json(key: &str, mut text: String) -> Result<StoredEntity, StoreError> {
        // A match never ends on the closing brace, so that a key found in the JSON can be told
        // from one kept after it.
        let searchable = &text.as_bytes()[..text.len().saturating_sub(1)];
        let found = find_key(searchable, key.as_bytes());
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

    /// This entity with `patch` applied (see [`merge_patch`]), stored under `key`.
    pub fn patched(
        &self,
        key: &str,
        patch: &Map<String, Value>,
    ) -> Result<StoredEntity, StoreError> {
        StoredEntity::keyed_json(key, merge_patch(self.json(), patch)?)
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
        while let Some(PropertyName(key)) = map.next_key()? {
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

/// Where `key` is in `text`. Nearly always it is the value of the entity's `id`, which comes
/// first: that is looked for with a searcher made once, and the key's own search (whose setup
/// costs more than the rest of a small entity's) is the fallback.
fn find_key(text: &[u8], key: &[u8]) -> Option<usize> {
    static ID: LazyLock<memmem::Finder<'static>> =
        LazyLock::new(|| memmem::Finder::new(br#""id":""#));
    let value = ID.find(text).map(|at| at + br#""id":""#.len());
    match value {
        Some(at) if text[at..].starts_with(key) => Some(at),
        _ => memmem::find(text, key),
    }
}

/// `json` (an object's text) with `patch` applied, a JSON merge patch one level deep: each of
/// its properties replaces the entity's in place, or is added at the end, and a null removes
/// it. Only the top level is parsed: the values the patch leaves alone are copied as text.
pub(crate) fn merge_patch(json: &str, patch: &Map<String, Value>) -> Result<String, StoreError> {
    let Properties(properties) = serde_json::from_str(json)
        .map_err(|e| StoreError::Backend(format!("a stored entity is not a JSON object: {e}")))?;
    // The patch's properties by name, each with its place in the patch.
    let mut by_name: Vec<(&str, usize)> = (patch.keys().enumerate())
        .map(|(at, name)| (name.as_str(), at))
        .collect();
    by_name.sort_unstable();
    let values: Vec<&Value> = patch.values().collect();
    let mut replaced = vec![false; values.len()];
    let mut out = String::with_capacity(json.len() + 64);
    let put = |out: &mut String, name: &str, value: Result<&Value, &RawValue>| {
        out.push(if out.is_empty() { '{' } else { ',' });
        crate::json::push_string(out, name);
        out.push(':');
        match value {
            Ok(value) => {
                let _ = write!(out, "{value}");
            }
            Err(raw) => out.push_str(raw.get()),
        }
    };
    for (name, raw) in &properties {
        let in_patch = by_name.binary_search_by(|(n, _)| n.cmp(&name.as_ref()));
        match in_patch.map(|found| by_name[found].1) {
            Ok(at) => {
                replaced[at] = true;
                if !values[at].is_null() {
                    put(&mut out, name, Ok(values[at]));
                }
            }
            Err(_) => put(&mut out, name, Err(raw)),
        }
    }
    for ((name, value), replaced) in patch.iter().zip(replaced) {
        if !replaced && !value.is_null() {
            put(&mut out, name, Ok(value));
        }
    }
    if out.is_empty() {
        out.push('{');
    }
    out.push('}');
    Ok(out)
}

/// An object's top-level properties, each value as its JSON text.
struct Properties<'de>(Vec<(Cow<'de, str>, &'de RawValue)>);

impl<'de> Deserialize<'de> for Properties<'de> {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        struct Visit;
        impl<'de> Visitor<'de> for Visit {
            type Value = Properties<'de>;
            fn expecting(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                f.write_str("a JSON object")
            }
            fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Self::Value, A::Error> {
                let mut properties = Vec::new();
                while let Some(PropertyName(key)) = map.next_key()? {
                    properties.push((key, map.next_value()?));
                }
                Ok(Properties(properties))
            }
        }
        deserializer.deserialize_map(Visit)
    }
}

/// An update by compare and swap, for a store whose rows are numbered and never renumbered:
/// `read` gives the entity's row and text, the patch is applied to the text, and `swap(row,
/// written, read)` writes it only if the row still holds what was read, answering whether it did.
/// When another write came between, the patch is applied again on what is there now, as the
/// [`Store`](super::Store) contract allows. The durable stores' update.
#[cfg(any(feature = "sqlite", feature = "postgres"))]
pub(super) async fn update_by_swapping<F>(
    read: impl Fn() -> Result<Option<(i64, String)>, StoreError>,
    swap: impl Fn(i64, String, String) -> F,
    patch: &Map<String, Value>,
) -> Result<StoredEntity, StoreError>
where
    F: std::future::Future<Output = Result<bool, StoreError>>,
{
    loop {
        let (row, before) = read()?.ok_or(StoreError::NotFound)?;
        let text = merge_patch(&before, patch)?;
        if swap(row, text.clone(), before).await? {
            return Ok(StoredEntity::from_json(text));
        }
    }
}

/// An object as JSON text.
fn to_json(object: &Map<String, Value>) -> String {
    // Serialising a map of JSON values cannot fail.
    serde_json::to_string(object).unwrap_or_else(|_| "{}".to_owned())
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

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
    fn merge_patches_replace_in_place_remove_by_null_and_add_at_the_end() {
        let patch = |v: Value| v.as_object().unwrap().clone();
        let cases = [
            (
                r#"{"a":1,"b":{"x":[1,2]},"c":"s"}"#,
                json!({"b": {"y": true}}),
                r#"{"a":1,"b":{"y":true},"c":"s"}"#,
            ),
            (
                r#"{"a":1,"b":2}"#,
                json!({"a": null, "z": "new", "b": 3}),
                r#"{"b":3,"z":"new"}"#,
            ),
            (r#"{"a":1}"#, json!({"a": null}), "{}"),
            ("{}", json!({"a": null}), "{}"),
            ("{}", json!({}), "{}"),
            // Escaped names and values are kept and written as JSON.
            (
                r#"{"q\"k":"v\n","t":"\u00e9"}"#,
                json!({"q\"k": "w\"", "n\tl": 1}),
                r#"{"q\"k":"w\"","t":"\u00e9","n\tl":1}"#,
            ),
            // Whitespace in the stored text is not kept between properties.
            (
                "{ \"a\" : [ 1 , 2 ] ,\n \"b\":1}",
                json!({"b": 2}),
                r#"{"a":[ 1 , 2 ],"b":2}"#,
            ),
        ];
        for (stored, changes, expected) in cases {
            let merged = merge_patch(stored, &patch(changes.clone())).unwrap();
            assert_eq!(merged, expected, "{stored} + {changes}");
            let parsed: Value = serde_json::from_str(&merged).unwrap();
            assert!(parsed.is_object(), "{merged}");
        }
        for broken in ["[1]", "{\"a\":", "", "{\"a\":1} x"] {
            let error = merge_patch(broken, &Map::new()).unwrap_err();
            assert!(
                matches!(&error, StoreError::Backend(m) if m.contains("not a JSON object")),
                "{broken}: {error:?}"
            );
        }
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
}

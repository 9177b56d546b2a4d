//! Parses request bodies into JSON objects, with Graph-style 400s for anything else.
//!
//! Stricter than `serde_json::from_slice::<Value>`: a duplicate property is refused (the
//! service refuses it too, and "last one wins" would hide client bugs), and nesting is bounded
//! by serde_json's recursion limit, so a hostile body cannot overflow the stack.

use std::fmt;

use serde::de::{self, Deserialize, Deserializer, MapAccess, SeqAccess, Visitor};
use serde_json::{Map, Value};

use crate::error::ApiError;

/// Parses `bytes` as a JSON object.
pub fn parse_object(bytes: &[u8]) -> Result<Map<String, Value>, ApiError> {
    let Strict(value) = serde_json::from_slice(bytes).map_err(|e| {
        ApiError::bad_request(format!(
            "Unable to read JSON request payload: {e}. Please ensure the payload is valid JSON."
        ))
    })?;
    match value {
        Value::Object(object) => Ok(object),
        other => Err(ApiError::bad_request(format!(
            "The request body must be a JSON object, not {}.",
            match other {
                Value::Array(_) => "an array",
                Value::String(_) => "a string",
                Value::Number(_) => "a number",
                Value::Bool(_) => "a boolean",
                _ => "null",
            }
        ))),
    }
}

/// Appends `text` as a JSON string: as it is between quotes when nothing in it needs escaping
/// (nearly always), else escaped by serde_json.
pub(crate) fn push_string(out: &mut String, text: &str) {
    // Without an early exit, so that the check runs over many bytes at a time.
    let escapes = text.bytes().fold(false, |escapes, b| {
        escapes | (b < 0x20) | (b == b'"') | (b == b'\\')
    });
    if !escapes {
        out.push('"');
        out.push_str(text);
        out.push('"');
    } else {
        out.push_str(&serde_json::to_string(text).unwrap_or_else(|_| "\"\"".to_owned()));
    }
}

/// A JSON value whose objects have no duplicate properties.
struct Strict(Value);

impl<'de> Deserialize<'de> for Strict {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        deserializer.deserialize_any(StrictVisitor).map(Strict)
    }
}

struct StrictVisitor;

impl<'de> Visitor<'de> for StrictVisitor {
    type Value = Value;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("a JSON value")
    }

    fn visit_bool<E>(self, v: bool) -> Result<Value, E> {
        Ok(Value::Bool(v))
    }

    fn visit_i64<E>(self, v: i64) -> Result<Value, E> {
        Ok(Value::from(v))
    }

    fn visit_u64<E>(self, v: u64) -> Result<Value, E> {
        Ok(Value::from(v))
    }

    fn visit_f64<E>(self, v: f64) -> Result<Value, E> {
        Ok(Value::from(v))
    }

    fn visit_str<E>(self, v: &str) -> Result<Value, E> {
        Ok(Value::String(v.to_owned()))
    }

    fn visit_string<E>(self, v: String) -> Result<Value, E> {
        Ok(Value::String(v))
    }

    fn visit_unit<E>(self) -> Result<Value, E> {
        Ok(Value::Null)
    }

    fn visit_none<E>(self) -> Result<Value, E> {
        Ok(Value::Null)
    }

    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<Value, A::Error> {
        let mut items = Vec::new();
        while let Some(Strict(item)) = seq.next_element()? {
            items.push(item);
        }
        Ok(Value::Array(items))
    }

    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Value, A::Error> {
        let mut object = Map::new();
        while let Some(key) = map.next_key::<String>()? {
            if object.contains_key(&key) {
                return Err(de::Error::custom(format!(
                    "the property '{key}' appears more than once"
                )));
            }
            let Strict(value) = map.next_value()?;
            object.insert(key, value);
        }
        Ok(Value::Object(object))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn duplicates_deep_nesting_and_non_objects_are_refused() {
        let duplicate = parse_object(br#"{"a": 1, "b": {"c": 1, "c": 2}}"#).unwrap_err();
        assert!(
            duplicate.message.contains("'c' appears more than once"),
            "{}",
            duplicate.message
        );
        let deep = format!("{}{}", "[".repeat(10_000), "]".repeat(10_000));
        assert!(parse_object(format!("{{\"a\": {deep}}}").as_bytes()).is_err());
        assert!(
            parse_object(b"[1]")
                .unwrap_err()
                .message
                .contains("an array")
        );
        assert!(parse_object(&[0xff, 0xfe]).is_err());
        let ok = parse_object(br#"{"n": -1.5, "s": "x", "l": [true, null], "o": {}}"#).unwrap();
        assert_eq!(
            Value::Object(ok),
            serde_json::json!({"n": -1.5, "s": "x", "l": [true, null], "o": {}})
        );
    }
}

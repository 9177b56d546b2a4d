//! Parses request bodies into JSON objects, with Graph-style 400s for anything else.

use serde_json::{Map, Value};

use crate::error::ApiError;

/// Parses `bytes` as a JSON object.
pub fn parse_object(bytes: &[u8]) -> Result<Map<String, Value>, ApiError> {
    // serde_json refuses nesting past 128 levels, so a hostile body cannot overflow the stack.
    let value: Value = serde_json::from_slice(bytes).map_err(|e| {
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

//! Decoding JSON into generated types with errors that name the offending field.

use serde::de::DeserializeOwned;

/// Why a JSON body did not decode.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("at `{path}`: {message}")]
pub struct DecodeError {
    /// The JSON path of the offending value, e.g. `value[3].lastConnectionDateTime`, or `.` for
    /// the whole body.
    pub path: String,
    /// What was wrong, with serde's line and column.
    pub message: String,
}

/// Decodes `body` as a `T`. The usual case, a body that decodes, goes through plain serde_json;
/// only a failure is decoded again with path tracking, to name the field that was wrong.
pub fn from_json<T: DeserializeOwned>(body: &[u8]) -> Result<T, DecodeError> {
    if let Ok(value) = serde_json::from_slice(body) {
        return Ok(value);
    }
    let deserializer = &mut serde_json::Deserializer::from_slice(body);
    match serde_path_to_error::deserialize(deserializer) {
        Ok(value) => Ok(value),
        Err(err) => Err(DecodeError {
            path: err.path().to_string(),
            message: err.into_inner().to_string(),
        }),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[derive(Debug, serde::Deserialize)]
    #[allow(dead_code)]
    struct Thing {
        #[serde(rename = "when")]
        when: Option<crate::DateTimeOffset>,
    }

    #[test]
    fn errors_name_the_field() {
        let err = from_json::<Thing>(br#"{"when": "tuesday"}"#).unwrap_err();
        assert_eq!(err.path, "when");
        assert!(err.to_string().contains("tuesday"), "{err}");
    }
}

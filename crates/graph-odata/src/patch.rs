//! `Patch<T>`: one field of an update (PATCH) body.
//!
//! Graph's PATCH is a merge: an absent property is left alone, `null` clears it and a value sets
//! it. `Option<T>` can say only two of those, so update bodies use this type:
//!
//! ```
//! use graph_odata::Patch;
//! # #[derive(serde::Serialize, Default)]
//! # struct ConnectorUpdate {
//! #     #[serde(rename = "displayName", skip_serializing_if = "Patch::is_absent")]
//! #     display_name: Patch<String>,
//! #     #[serde(rename = "version", skip_serializing_if = "Patch::is_absent")]
//! #     version: Patch<String>,
//! # }
//! let update = ConnectorUpdate {
//!     display_name: Patch::Set("New name".to_owned()), // set
//!     version: Patch::Null,                            // clear
//!     ..Default::default()                             // leave everything else alone
//! };
//! assert_eq!(serde_json::to_string(&update).unwrap(), r#"{"displayName":"New name","version":null}"#);
//! ```

use serde::{Deserialize, Deserializer, Serialize, Serializer};

/// Absent, `null`, or a value. Fields of this type must be declared with
/// `#[serde(default, skip_serializing_if = "Patch::is_absent")]`, as generated code does.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub enum Patch<T> {
    /// Leave the property as it is.
    #[default]
    Absent,
    /// Clear the property.
    Null,
    /// Set the property.
    Set(T),
}

impl<T> Patch<T> {
    /// Whether the field is left out of the body.
    pub fn is_absent(&self) -> bool {
        matches!(self, Patch::Absent)
    }

    /// The value, if one is set.
    pub fn as_set(&self) -> Option<&T> {
        match self {
            Patch::Set(value) => Some(value),
            _ => None,
        }
    }
}

impl<T> From<T> for Patch<T> {
    fn from(value: T) -> Self {
        Patch::Set(value)
    }
}

impl<T> From<Option<T>> for Patch<T> {
    /// `None` clears, `Some` sets.
    fn from(value: Option<T>) -> Self {
        value.map_or(Patch::Null, Patch::Set)
    }
}

impl<T: Serialize> Serialize for Patch<T> {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        match self {
            // Only reached without `skip_serializing_if`; `null` is the closest meaning.
            Patch::Absent | Patch::Null => serializer.serialize_none(),
            Patch::Set(value) => value.serialize(serializer),
        }
    }
}

impl<'de, T: Deserialize<'de>> Deserialize<'de> for Patch<T> {
    /// Called only for a present field (absent ones take `#[serde(default)]`).
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        Option::<T>::deserialize(deserializer).map(Patch::from)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[derive(Debug, PartialEq, Default, Serialize, Deserialize)]
    struct Body {
        #[serde(default, skip_serializing_if = "Patch::is_absent")]
        a: Patch<i32>,
    }

    #[test]
    fn absent_null_and_value_each_round_trip() {
        for (json, patch) in [
            ("{}", Patch::Absent),
            (r#"{"a":null}"#, Patch::Null),
            (r#"{"a":3}"#, Patch::Set(3)),
        ] {
            let body: Body = serde_json::from_str(json).unwrap();
            assert_eq!(body.a, patch);
            assert_eq!(serde_json::to_string(&body).unwrap(), json);
        }
    }
}

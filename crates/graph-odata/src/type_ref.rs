//! How the spec names the type of a property, a parameter or a body.
//!
//! In JSON a type reference is one string: `Edm.<Primitive>` for the OData primitives
//! (`Edm.String`, `Edm.DateTimeOffset`, ...) and the bare Graph name for everything else
//! (`deviceManagementDomainJoinConnectorState`). Whether a bare name is an enum or a structured
//! type is resolved against the spec, so the reference cannot disagree with the definition.

use std::fmt;

use serde::{Deserialize, Serialize};

/// The OData primitive types that Graph docs use.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Primitive {
    /// Text.
    String,
    /// `true` or `false`.
    Boolean,
    /// An 8-bit unsigned integer.
    Byte,
    /// A 16-bit signed integer.
    Int16,
    /// A 32-bit signed integer.
    Int32,
    /// A 64-bit signed integer.
    Int64,
    /// A 32-bit float.
    Single,
    /// A 64-bit float.
    Double,
    /// A decimal number.
    Decimal,
    /// An ISO 8601 timestamp with offset, e.g. `2016-12-31T23:58:36.6670033-08:00`.
    DateTimeOffset,
    /// An ISO 8601 duration, e.g. `PT1H`.
    Duration,
    /// A GUID.
    Guid,
    /// Base64 text.
    Binary,
    /// A calendar date, `2016-12-31`.
    Date,
    /// A time of day, `11:59:31.3170000`.
    TimeOfDay,
    /// A media stream; carried as base64 text in JSON.
    Stream,
}

impl Primitive {
    /// Every primitive, in declaration order.
    pub const ALL: [Primitive; 16] = [
        Self::String,
        Self::Boolean,
        Self::Byte,
        Self::Int16,
        Self::Int32,
        Self::Int64,
        Self::Single,
        Self::Double,
        Self::Decimal,
        Self::DateTimeOffset,
        Self::Duration,
        Self::Guid,
        Self::Binary,
        Self::Date,
        Self::TimeOfDay,
        Self::Stream,
    ];

    /// The OData name without the `Edm.` prefix, as the doc tables write it.
    pub fn name(self) -> &'static str {
        match self {
            Self::String => "String",
            Self::Boolean => "Boolean",
            Self::Byte => "Byte",
            Self::Int16 => "Int16",
            Self::Int32 => "Int32",
            Self::Int64 => "Int64",
            Self::Single => "Single",
            Self::Double => "Double",
            Self::Decimal => "Decimal",
            Self::DateTimeOffset => "DateTimeOffset",
            Self::Duration => "Duration",
            Self::Guid => "Guid",
            Self::Binary => "Binary",
            Self::Date => "Date",
            Self::TimeOfDay => "TimeOfDay",
            Self::Stream => "Stream",
        }
    }

    /// Looks a primitive up by its doc-table name, ignoring ASCII case (`string`, `Int32`).
    pub fn from_name(name: &str) -> Option<Primitive> {
        Self::ALL
            .into_iter()
            .find(|p| p.name().eq_ignore_ascii_case(name))
    }
}

/// The type of a property, parameter or body.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub enum TypeRef {
    /// An OData primitive, written `Edm.<Name>`.
    Primitive(Primitive),
    /// An enum or a structured type of the spec, written by its bare Graph name.
    Named(String),
}

impl TypeRef {
    /// The referenced spec name, if this is not a primitive.
    pub fn named(&self) -> Option<&str> {
        match self {
            Self::Named(name) => Some(name),
            Self::Primitive(_) => None,
        }
    }
}

/// Why a type-reference string was refused.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum TypeRefError {
    /// `Edm.` was followed by something that is not an OData primitive.
    #[error("unknown primitive type `{0}` (expected one of Edm.String, Edm.Int32, ...)")]
    UnknownPrimitive(String),
    /// The string is empty or not a plain identifier.
    #[error("`{0}` is not a type name (expected `Edm.<Primitive>` or an identifier)")]
    NotAName(String),
}

impl TryFrom<String> for TypeRef {
    type Error = TypeRefError;

    fn try_from(text: String) -> Result<Self, Self::Error> {
        if let Some(primitive) = text.strip_prefix("Edm.") {
            return Primitive::from_name(primitive)
                .map(TypeRef::Primitive)
                .ok_or(TypeRefError::UnknownPrimitive(text));
        }
        let is_identifier = text
            .chars()
            .next()
            .is_some_and(|c| c.is_ascii_alphabetic() || c == '_')
            && text
                .chars()
                .all(|c| c.is_ascii_alphanumeric() || c == '_' || c == '.');
        if is_identifier {
            Ok(TypeRef::Named(text))
        } else {
            Err(TypeRefError::NotAName(text))
        }
    }
}

impl From<TypeRef> for String {
    fn from(type_ref: TypeRef) -> String {
        type_ref.to_string()
    }
}

impl fmt::Display for TypeRef {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::Primitive(p) => write!(f, "Edm.{}", p.name()),
            Self::Named(name) => f.write_str(name),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn primitives_round_trip_through_their_edm_names() {
        for p in Primitive::ALL {
            let text = TypeRef::Primitive(p).to_string();
            assert_eq!(TypeRef::try_from(text).unwrap(), TypeRef::Primitive(p));
        }
    }

    #[test]
    fn bare_names_are_named_references() {
        let r = TypeRef::try_from("deviceManagementDomainJoinConnectorState".to_owned()).unwrap();
        assert_eq!(r.named(), Some("deviceManagementDomainJoinConnectorState"));
    }

    #[test]
    fn bad_names_are_refused_with_the_text() {
        let err = TypeRef::try_from("Edm.Strin".to_owned()).unwrap_err();
        assert!(err.to_string().contains("Edm.Strin"), "{err}");
        assert!(TypeRef::try_from("a b".to_owned()).is_err());
        assert!(TypeRef::try_from(String::new()).is_err());
    }

    #[test]
    fn doc_table_names_are_matched_without_case() {
        assert_eq!(Primitive::from_name("string"), Some(Primitive::String));
        assert_eq!(Primitive::from_name("Enumeration"), None);
    }
}

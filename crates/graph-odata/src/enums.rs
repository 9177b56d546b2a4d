//! Enums that never fail a read: the service adds members over time.
//!
//! Generated enums have one variant per documented member plus `Unknown(String)`, and implement
//! [`OpenEnum`]; the [`open_enum_serde!`](crate::open_enum_serde) macro gives them serde impls
//! that write the member name and read unknown names into `Unknown`. Writes are checked strictly
//! by the server through [`crate::Schema`], not here.

use std::fmt;

use serde::{Deserialize, Deserializer, Serialize, Serializer};

/// A Graph enum with an open set of members.
pub trait OpenEnum: Sized {
    /// The JSON member name.
    fn as_str(&self) -> &str;
    /// The member named `name`, or the unknown variant keeping it.
    fn from_member(name: &str) -> Self;
    /// Whether this is a documented member.
    fn is_known(&self) -> bool;
}

/// Implements `Serialize`, `Deserialize` and `Display` for an [`OpenEnum`].
#[macro_export]
macro_rules! open_enum_serde {
    ($ty:ty) => {
        impl $crate::reexports::serde::Serialize for $ty {
            fn serialize<S: $crate::reexports::serde::Serializer>(&self, serializer: S) -> ::core::result::Result<S::Ok, S::Error> {
                serializer.serialize_str($crate::OpenEnum::as_str(self))
            }
        }
        impl<'de> $crate::reexports::serde::Deserialize<'de> for $ty {
            fn deserialize<D: $crate::reexports::serde::Deserializer<'de>>(deserializer: D) -> ::core::result::Result<Self, D::Error> {
                let name = <::std::borrow::Cow<'de, str> as $crate::reexports::serde::Deserialize>::deserialize(deserializer)?;
                ::core::result::Result::Ok(<$ty as $crate::OpenEnum>::from_member(&name))
            }
        }
        impl ::core::fmt::Display for $ty {
            fn fmt(&self, f: &mut ::core::fmt::Formatter<'_>) -> ::core::fmt::Result {
                f.write_str($crate::OpenEnum::as_str(self))
            }
        }
    };
}

/// A flags-enum value: members joined by commas in JSON (`"a,b"`).
#[derive(Clone, PartialEq, Eq)]
pub struct Flags<E>(pub Vec<E>);

impl<E: OpenEnum> fmt::Debug for Flags<E> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_list()
            .entries(self.0.iter().map(OpenEnum::as_str))
            .finish()
    }
}

impl<E: OpenEnum> Serialize for Flags<E> {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        let joined: Vec<&str> = self.0.iter().map(OpenEnum::as_str).collect();
        serializer.serialize_str(&joined.join(","))
    }
}

impl<'de, E: OpenEnum> Deserialize<'de> for Flags<E> {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        let text = std::borrow::Cow::<str>::deserialize(deserializer)?;
        let members = text
            .split(',')
            .map(str::trim)
            .filter(|m| !m.is_empty())
            .map(E::from_member)
            .collect();
        Ok(Flags(members))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[derive(Debug, Clone, PartialEq)]
    enum Color {
        Red,
        Blue,
        Unknown(String),
    }

    impl OpenEnum for Color {
        fn as_str(&self) -> &str {
            match self {
                Color::Red => "red",
                Color::Blue => "blue",
                Color::Unknown(other) => other,
            }
        }
        fn from_member(name: &str) -> Self {
            match name {
                "red" => Color::Red,
                "blue" => Color::Blue,
                other => Color::Unknown(other.to_owned()),
            }
        }
        fn is_known(&self) -> bool {
            !matches!(self, Color::Unknown(_))
        }
    }
    crate::open_enum_serde!(Color);

    #[test]
    fn known_and_unknown_members_round_trip() {
        for text in ["\"red\"", "\"purple\""] {
            let color: Color = serde_json::from_str(text).unwrap();
            assert_eq!(serde_json::to_string(&color).unwrap(), text);
        }
        assert_eq!(
            serde_json::from_str::<Color>("\"purple\"").unwrap(),
            Color::Unknown("purple".into())
        );
        assert!(serde_json::from_str::<Color>("3").is_err());
    }

    #[test]
    fn flags_are_comma_separated() {
        let flags: Flags<Color> = serde_json::from_str("\"red, blue\"").unwrap();
        assert_eq!(flags.0, [Color::Red, Color::Blue]);
        assert_eq!(serde_json::to_string(&flags).unwrap(), "\"red,blue\"");
    }
}

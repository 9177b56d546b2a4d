//! Reading a generated struct from a JSON object, field by field.
//!
//! A generated struct keeps the properties it does not declare in `additional_data`. Derived
//! with serde, that is `#[serde(flatten)]`, whose expansion is large: a field visitor for every
//! kind of key, every value buffered, and a second pass over the leftovers. On the whole Graph
//! beta those derives were two thirds of the model crate's build time. Here the loop is written
//! once: a struct only says which keys are its fields ([`ReadFields::read_field`]), and every
//! other key goes to `additional_data`. Values are still read in one streaming pass, so
//! [`crate::from_json`] still names the field that was wrong.

use std::borrow::Cow;
use std::fmt;
use std::marker::PhantomData;

use serde::de::{self, Deserializer, MapAccess, Visitor};
use serde_json::{Map, Value};

/// A generated struct that [`read_fields`] can read.
pub trait ReadFields: Default {
    /// The Graph name of the type, for "expected a `x` object".
    const EXPECTING: &'static str;

    /// Reads the value of `key` from `map` into its field and returns `true`, or returns
    /// `false` (reading nothing) when `key` is not one of the declared properties.
    fn read_field<'de, A: MapAccess<'de>>(
        &mut self,
        key: &str,
        map: &mut A,
    ) -> Result<bool, A::Error>;

    /// Where properties the struct does not declare are kept.
    fn additional_data(&mut self) -> &mut Map<String, Value>;
}

/// `Deserialize::deserialize` for a [`ReadFields`] struct: a JSON object, whose declared
/// properties go to their fields (absent ones keep their default) and the rest to
/// `additional_data`. A repeated key keeps its last value, as `serde_json::Value` does.
pub fn read_fields<'de, T: ReadFields, D: Deserializer<'de>>(
    deserializer: D,
) -> Result<T, D::Error> {
    deserializer.deserialize_map(FieldsVisitor(PhantomData))
}

struct FieldsVisitor<T>(PhantomData<T>);

impl<'de, T: ReadFields> Visitor<'de> for FieldsVisitor<T> {
    type Value = T;

    fn expecting(&self, formatter: &mut fmt::Formatter) -> fmt::Result {
        write!(formatter, "a `{}` object", T::EXPECTING)
    }

    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<T, A::Error> {
        let mut value = T::default();
        while let Some(PropertyName(key)) = map.next_key()? {
            if !value.read_field(&key, &mut map)? {
                let other: Value = map.next_value()?;
                value.additional_data().insert(key.into_owned(), other);
            }
        }
        Ok(value)
    }
}

/// An object's property name, borrowed from the input when it can be (serde's own `Cow<str>`
/// always copies): what a visitor reads keys as when most of them are only compared.
pub struct PropertyName<'de>(pub Cow<'de, str>);

impl<'de> serde::Deserialize<'de> for PropertyName<'de> {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        struct KeyVisitor;
        impl<'de> Visitor<'de> for KeyVisitor {
            type Value = PropertyName<'de>;

            fn expecting(&self, formatter: &mut fmt::Formatter) -> fmt::Result {
                formatter.write_str("a property name")
            }

            fn visit_borrowed_str<E: de::Error>(
                self,
                key: &'de str,
            ) -> Result<PropertyName<'de>, E> {
                Ok(PropertyName(Cow::Borrowed(key)))
            }

            fn visit_str<E: de::Error>(self, key: &str) -> Result<PropertyName<'de>, E> {
                Ok(PropertyName(Cow::Owned(key.to_owned())))
            }

            fn visit_string<E: de::Error>(self, key: String) -> Result<PropertyName<'de>, E> {
                Ok(PropertyName(Cow::Owned(key)))
            }
        }
        deserializer.deserialize_str(KeyVisitor)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// What the generator writes for a struct with two properties.
    #[derive(Debug, Default, PartialEq)]
    struct Thing {
        name: Option<String>,
        count: crate::Patch<i32>,
        additional_data: Map<String, Value>,
    }

    impl ReadFields for Thing {
        const EXPECTING: &'static str = "thing";

        fn read_field<'de, A: MapAccess<'de>>(
            &mut self,
            key: &str,
            map: &mut A,
        ) -> Result<bool, A::Error> {
            match key {
                "name" => self.name = map.next_value()?,
                "count" => self.count = map.next_value()?,
                _ => return Ok(false),
            }
            Ok(true)
        }

        fn additional_data(&mut self) -> &mut Map<String, Value> {
            &mut self.additional_data
        }
    }

    impl<'de> serde::Deserialize<'de> for Thing {
        fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
            read_fields(deserializer)
        }
    }

    #[test]
    fn declared_keys_fill_fields_and_the_rest_is_kept() {
        let thing: Thing =
            serde_json::from_str(r#"{"name": "a", "count": null, "extra": [1, {"x": true}]}"#)
                .unwrap();
        assert_eq!(thing.name.as_deref(), Some("a"));
        assert_eq!(thing.count, crate::Patch::Null);
        assert_eq!(
            Value::Object(thing.additional_data),
            serde_json::json!({"extra": [1, {"x": true}]})
        );
    }

    #[test]
    fn absent_keys_keep_their_default() {
        let thing: Thing = serde_json::from_value(serde_json::json!({})).unwrap();
        assert_eq!(thing, Thing::default());
    }

    #[test]
    fn escaped_keys_are_read_too() {
        let thing: Thing = serde_json::from_str(r#"{"na\u006de": "b"}"#).unwrap();
        assert_eq!(thing.name.as_deref(), Some("b"));
    }

    #[test]
    fn a_wrong_value_is_named_by_its_path() {
        let err = crate::from_json::<Thing>(br#"{"name": "a", "count": "many"}"#).unwrap_err();
        assert_eq!(err.path, "count");
        assert!(err.message.contains("invalid type"), "{err}");
    }

    #[test]
    fn a_non_object_names_the_type() {
        let err = serde_json::from_str::<Thing>("[1]").unwrap_err();
        assert!(err.to_string().contains("a `thing` object"), "{err}");
    }
}

//! The runtime schema: what a generated crate needs to know of its spec while it runs.
//!
//! Only the type system is here (types with their base type and properties, enums with their
//! members), never descriptions, doc examples or source paths: the importer's spec stays in the
//! importer. A generated model crate embeds its schema as compact JSON; [`Schema::from_embedded`]
//! loads it once, and [`Schema::check_write`] reports every reason the service would refuse a
//! body (unknown properties, unknown enum members, wrong types), each naming the property.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};

use crate::type_ref::TypeRef;
use crate::value_check::{self, Violation};

/// The types and enums of one spec.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Schema {
    /// The OData namespace, e.g. `microsoft.graph`.
    pub namespace: String,
    /// Entity and complex types by Graph name.
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub types: BTreeMap<String, TypeShape>,
    /// Enums by Graph name.
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub enums: BTreeMap<String, EnumShape>,
}

/// An entity or complex type.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct TypeShape {
    /// The type it derives from.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub base: Option<String>,
    /// No page documents it: any JSON is accepted for it.
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub open: bool,
    /// Its own structural properties (inherited ones live on the base types).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub properties: Vec<PropertyShape>,
    /// Its own navigation properties.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub navigation: Vec<PropertyShape>,
}

/// A property, or an action or function parameter.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct PropertyShape {
    /// The JSON name.
    pub name: String,
    /// The element type.
    #[serde(rename = "type")]
    pub type_ref: TypeRef,
    /// A JSON array of it.
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub collection: bool,
    /// Graph returns it only when `$select` names it.
    #[serde(
        default,
        rename = "selectOnly",
        skip_serializing_if = "std::ops::Not::not"
    )]
    pub select_only: bool,
    /// The docs call it write-only (a secret, a password): no answer shows what was written.
    #[serde(default, rename = "writeOnly", skip_serializing_if = "Option::is_none")]
    pub write_only: Option<WriteOnly>,
}

/// What Graph answers for a property the docs call write-only: the text its description says a
/// read returns instead ("A read operation will return ****"), or nothing at all.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct WriteOnly {
    /// The text answered in place of a value; without one, the property is left out.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub mask: Option<String>,
}

/// A write-only property of a type, as answers withhold it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct WriteOnlyProperty {
    /// The JSON name.
    pub name: String,
    /// What an answer shows in place of a value; without one, the property is left out.
    pub mask: Option<String>,
}

/// An enum.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct EnumShape {
    /// The member names.
    pub members: Vec<String>,
    /// A flags enum: a value is a comma-separated list of members.
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub flags: bool,
}

impl Schema {
    /// Loads an embedded schema. Codegen wrote it, so failure is a corrupted build; the message
    /// says which.
    pub fn from_embedded(json: &str) -> Schema {
        serde_json::from_str(json).unwrap_or_else(|e| {
            panic!("the embedded schema is corrupt (re-run `cargo xtask codegen`): {e}")
        })
    }

    /// For each type that has properties Graph returns only when `$select` names them, those
    /// properties, inherited ones included.
    pub fn select_only_properties(&self) -> BTreeMap<String, Vec<String>> {
        self.by_type(|property| property.select_only.then(|| property.name.clone()))
    }

    /// For each type that has write-only properties, those properties (inherited ones included)
    /// with what an answer shows instead of their values.
    pub fn write_only_properties(&self) -> BTreeMap<String, Vec<WriteOnlyProperty>> {
        self.by_type(|property| {
            Some(WriteOnlyProperty {
                name: property.name.clone(),
                mask: property.write_only.as_ref()?.mask.clone(),
            })
        })
    }

    /// For each type, what `pick` takes of its structural properties (inherited ones
    /// included); types it takes nothing of are left out.
    fn by_type<T>(&self, pick: impl Fn(&PropertyShape) -> Option<T>) -> BTreeMap<String, Vec<T>> {
        self.types
            .keys()
            .filter_map(|name| {
                let picked: Vec<T> = (self.ancestry(name).iter())
                    .filter_map(|ancestor| self.types.get(*ancestor))
                    .flat_map(|shape| &shape.properties)
                    .filter_map(&pick)
                    .collect();
                (!picked.is_empty()).then(|| (name.clone(), picked))
            })
            .collect()
    }

    /// For each type of this schema, the properties (structural and navigation, inherited ones
    /// included) that `other`'s type of the same name declares and this one does not: what
    /// another version of the API stores on it that this version must not show. Types `other`
    /// lacks, and types with nothing of the kind, are left out.
    pub fn properties_only_in(&self, other: &Schema) -> BTreeMap<String, Vec<String>> {
        let names = |schema: &Schema, type_name: &str| -> Vec<String> {
            (schema.ancestry(type_name).iter())
                .filter_map(|ancestor| schema.types.get(*ancestor))
                .flat_map(|shape| shape.properties.iter().chain(&shape.navigation))
                .map(|property| property.name.clone())
                .collect()
        };
        self.types
            .keys()
            .filter(|name| other.types.contains_key(*name))
            .filter_map(|name| {
                let own = names(self, name);
                let foreign: Vec<String> = (names(other, name).into_iter())
                    .filter(|property| !own.contains(property))
                    .collect();
                (!foreign.is_empty()).then(|| (name.clone(), foreign))
            })
            .collect()
    }

    /// `name` and the types it derives from, most derived first.
    pub fn ancestry<'a>(&'a self, name: &'a str) -> Vec<&'a str> {
        let mut chain = vec![name];
        let mut current = name;
        while let Some(base) = self.types.get(current).and_then(|t| t.base.as_deref()) {
            if chain.contains(&base) || !self.types.contains_key(base) {
                break;
            }
            chain.push(base);
            current = base;
        }
        chain
    }

    /// Every structural property of a type, inherited ones first.
    pub fn all_properties<'a>(&'a self, name: &'a str) -> Vec<&'a PropertyShape> {
        self.inherited(name, |t| &t.properties)
    }

    /// Every navigation property of a type, inherited ones first.
    pub fn all_navigation<'a>(&'a self, name: &'a str) -> Vec<&'a PropertyShape> {
        self.inherited(name, |t| &t.navigation)
    }

    fn inherited<'a>(
        &'a self,
        name: &'a str,
        own: impl Fn(&'a TypeShape) -> &'a Vec<PropertyShape>,
    ) -> Vec<&'a PropertyShape> {
        self.ancestry(name)
            .into_iter()
            .rev()
            .filter_map(|t| self.types.get(t))
            .flat_map(own)
            .collect()
    }

    /// Every reason `body` would be refused as a write of `type_name` (or of the derived type
    /// its `@odata.type` names). An empty list means the body is acceptable.
    pub fn check_write(&self, type_name: &str, body: &Value) -> Vec<Violation> {
        value_check::check_object(self, type_name, body)
    }

    /// [`Schema::check_write`] for a body already parsed into an object (nothing is copied).
    pub fn check_write_object(&self, type_name: &str, body: &Map<String, Value>) -> Vec<Violation> {
        value_check::check_map(self, type_name, body)
    }
}

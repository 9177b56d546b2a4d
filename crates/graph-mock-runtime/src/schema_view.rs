//! What the query engine needs to know about an entity type, read from the model's schema.

use graph_odata::{Primitive, Schema, TypeRef};

use crate::filter::PropertyKind;

/// A lookup from a property path (`a/b`) of `type_name` to its kind, for `$filter`,
/// `$orderby` and `$select`; `None` when the type has no such property.
pub fn property_kinds(
    schema: &'static Schema,
    type_name: &'static str,
) -> impl Fn(&[String]) -> Option<PropertyKind> {
    move |path: &[String]| {
        let mut current = type_name.to_owned();
        let mut kind = None;
        for (depth, segment) in path.iter().enumerate() {
            let properties = schema.all_properties(&current);
            let property = properties.iter().find(|p| &p.name == segment)?;
            let last = depth + 1 == path.len();
            if property.collection {
                return last.then_some(PropertyKind::Other);
            }
            kind = Some(match &property.type_ref {
                TypeRef::Primitive(p) => primitive_kind(*p),
                TypeRef::Named(name) if schema.enums.contains_key(name) => PropertyKind::Enum,
                TypeRef::Named(name) => {
                    current = name.clone();
                    PropertyKind::Other
                }
            });
            if !last && kind != Some(PropertyKind::Other) {
                return None;
            }
        }
        kind
    }
}

fn primitive_kind(p: Primitive) -> PropertyKind {
    match p {
        Primitive::Boolean => PropertyKind::Boolean,
        Primitive::Byte
        | Primitive::Int16
        | Primitive::Int32
        | Primitive::Int64
        | Primitive::Single
        | Primitive::Double
        | Primitive::Decimal => PropertyKind::Number,
        Primitive::DateTimeOffset => PropertyKind::DateTime,
        _ => PropertyKind::String,
    }
}

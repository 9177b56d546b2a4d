//! What the query engine needs to know about an entity type, read from the model's schema.

use graph_odata::{Primitive, Schema, TypeRef};

use crate::filter::{ELEMENT, PropertyKind};

/// A lookup from a property path (`a/b`) of `type_name` to its kind, for `$filter`,
/// `$orderby` and `$select`; `None` when the type has no such property. A collection's path
/// followed by [`ELEMENT`] is one of its elements (`assignedLicenses/*/skuId`), as a `$filter`
/// lambda reads it.
pub fn property_kinds(
    schema: &'static Schema,
    type_name: &'static str,
) -> impl Fn(&[String]) -> Option<PropertyKind> {
    move |path: &[String]| {
        let mut current = type_name.to_owned();
        let mut kind = None;
        let mut segments = path.iter().peekable();
        while let Some(segment) = segments.next() {
            let properties = schema.all_properties(&current);
            let property = properties.iter().find(|p| &p.name == segment)?;
            // A collection ends the path, or goes on into one of its elements.
            let element =
                property.collection && segments.next_if(|next| next.as_str() == ELEMENT).is_some();
            if property.collection && !element {
                return segments.peek().is_none().then_some(PropertyKind::Other);
            }
            kind = Some(match &property.type_ref {
                TypeRef::Primitive(p) => primitive_kind(*p),
                TypeRef::Named(name) if schema.enums.contains_key(name) => PropertyKind::Enum,
                TypeRef::Named(name) => {
                    current = name.clone();
                    PropertyKind::Other
                }
            });
            if segments.peek().is_some() && kind != Some(PropertyKind::Other) {
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

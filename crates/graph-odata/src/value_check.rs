//! Checks a JSON value against a spec type, the way the Graph service checks a write.
//!
//! The importer uses it to flag doc examples that break their own schema, and the mock server
//! uses it (through the model crate's [`Schema`]) to refuse bad request bodies. Messages follow the service's
//! wording, e.g. "The property 'x' does not exist on type 'microsoft.graph.y'."

use serde_json::{Map, Value};

use crate::schema::{PropertyShape, Schema};
use crate::type_ref::{Primitive, TypeRef};

/// What kind of rule a value broke.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum ViolationKind {
    /// An object has a property its type does not declare.
    UnknownProperty,
    /// A string is not a member of the property's enum.
    NotInEnum,
    /// The JSON type is wrong, or a literal does not parse (a bad date, an out-of-range number).
    WrongType,
    /// `@odata.type` names a type that is not the expected one or derived from it.
    WrongODataType,
    /// `@odata.type` names a type the spec does not have at all, where a `declared` is expected.
    UnknownODataType {
        /// The bare name of the unknown type.
        name: String,
        /// The type the value's slot declares.
        declared: String,
    },
}

/// One reason a value would be refused.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Violation {
    /// Where in the value, as a dotted path (`target.groupId`, `roleScopeTagIds[2]`).
    pub path: String,
    /// The rule broken.
    pub kind: ViolationKind,
    /// A Graph-style message that names the property.
    pub message: String,
}

/// Checks `value` against `type_ref` (an array of it when `collection`), with `path` naming it.
pub fn check_value(
    schema: &Schema,
    type_ref: &TypeRef,
    collection: bool,
    value: &Value,
    path: &str,
) -> Vec<Violation> {
    let mut out = Vec::new();
    Checker {
        schema,
        out: &mut out,
    }
    .value(type_ref, collection, value, path);
    out
}

/// Checks that `value` is an object of the structured type `type_name` (or a type derived from
/// it, as named by `@odata.type`).
pub fn check_object(schema: &Schema, type_name: &str, value: &Value) -> Vec<Violation> {
    check_value(
        schema,
        &TypeRef::Named(type_name.to_owned()),
        false,
        value,
        "",
    )
}

/// Like [`check_object`], for a JSON object already in hand (nothing is copied).
pub fn check_map(schema: &Schema, type_name: &str, object: &Map<String, Value>) -> Vec<Violation> {
    let mut out = Vec::new();
    if schema.types.get(type_name).is_some_and(|t| !t.open) {
        Checker {
            schema,
            out: &mut out,
        }
        .object(type_name, object, "");
    }
    out
}

/// Checks the body of an action (or the arguments of a function) against its parameters: each
/// key must be a parameter, and each value of the parameter's type.
pub fn check_parameters(
    schema: &Schema,
    operation: &str,
    parameters: &[PropertyShape],
    body: &Value,
) -> Vec<Violation> {
    let Some(object) = body.as_object() else {
        return vec![Violation {
            path: String::new(),
            kind: ViolationKind::WrongType,
            message: format!("The parameters of '{operation}' must be a JSON object."),
        }];
    };
    let mut out = Vec::new();
    for (key, value) in object {
        match parameters.iter().find(|p| &p.name == key) {
            Some(p) => out.extend(check_value(schema, &p.type_ref, p.collection, value, key)),
            None => out.push(Violation {
                path: key.clone(),
                kind: ViolationKind::UnknownProperty,
                message: format!("The parameter '{key}' is not a parameter of '{operation}'."),
            }),
        }
    }
    out
}

/// The entity inside `{"value": {...}}` (the wrapping every Intune get example has, and some
/// function examples), or the body itself.
pub fn unwrap_entity(body: &Value) -> &Value {
    match body.as_object() {
        Some(object) if object.len() == 1 && object.get("value").is_some_and(Value::is_object) => {
            &object["value"]
        }
        _ => body,
    }
}

struct Checker<'a> {
    schema: &'a Schema,
    out: &'a mut Vec<Violation>,
}

impl Checker<'_> {
    fn report(&mut self, path: &str, kind: ViolationKind, message: String) {
        self.out.push(Violation {
            path: path.to_owned(),
            kind,
            message,
        });
    }

    fn value(&mut self, type_ref: &TypeRef, collection: bool, value: &Value, path: &str) {
        if value.is_null() {
            return;
        }
        if collection {
            let Some(items) = value.as_array() else {
                let expected = format!("Collection({})", self.qualified(type_ref));
                return self.wrong_type(path, value, &expected);
            };
            for (i, item) in items.iter().enumerate() {
                let at = format!("{path}[{i}]");
                if item.is_null() && !self.is_open(type_ref) {
                    // Graph's collections hold no nulls (their items are `Nullable=False`).
                    let message = null_message(self.schema, type_ref);
                    self.report(&at, ViolationKind::WrongType, message);
                } else {
                    self.value(type_ref, false, item, &at);
                }
            }
            return;
        }
        match type_ref {
            TypeRef::Primitive(p) => {
                if let Err(expected) = check_primitive(*p, value) {
                    self.wrong_type(path, value, expected);
                }
            }
            TypeRef::Named(name) => {
                if let Some(def) = self.schema.enums.get(name) {
                    let Some(text) = value.as_str() else {
                        return self.wrong_type(path, value, &self.qualified(type_ref));
                    };
                    let members: Vec<&str> = if def.flags {
                        text.split(',').map(str::trim).collect()
                    } else {
                        vec![text]
                    };
                    for member in members {
                        // The test-only mutant (see Cargo.toml) lets any member through.
                        let known = def.members.iter().any(|m| m == member)
                            || cfg!(feature = "mutant-accepts-any-enum-member");
                        if !known {
                            let allowed: Vec<&str> =
                                def.members.iter().map(String::as_str).collect();
                            self.report(
                                path,
                                ViolationKind::NotInEnum,
                                format!(
                                    "Invalid value for property '{}': '{member}' is not a member of enum type '{}'. Allowed values: {}.",
                                    display_path(path),
                                    self.qualified(type_ref),
                                    allowed.join(", ")
                                ),
                            );
                        }
                    }
                } else if let Some(def) = self.schema.types.get(name) {
                    // An undocumented type is open: any JSON is accepted.
                    if def.open {
                        return;
                    }
                    match value.as_object() {
                        Some(object) => self.object(name, object, path),
                        None => self.wrong_type(path, value, &self.qualified(type_ref)),
                    }
                }
                // An unknown name is a spec error that `validate` reports; nothing to check here.
            }
        }
    }

    fn object(&mut self, declared: &str, object: &Map<String, Value>, path: &str) {
        let actual = match object.get("@odata.type") {
            None => declared.to_owned(),
            Some(Value::String(text)) => {
                let name = crate::relative_type_name(text);
                if self.schema.types.contains_key(name)
                    && self.schema.ancestry(name).contains(&declared)
                {
                    name.to_owned()
                } else if !self.schema.types.contains_key(name) && !name.is_empty() {
                    let at = join(path, "@odata.type");
                    self.report(
                        &at,
                        ViolationKind::UnknownODataType { name: name.to_owned(), declared: declared.to_owned() },
                        format!(
                            "Invalid value for property '{}': the type '{text}' is unknown; expected '{}' or a type derived from it.",
                            display_path(path),
                            self.qualified_name(declared)
                        ),
                    );
                    return;
                } else {
                    let at = join(path, "@odata.type");
                    self.report(
                        &at,
                        ViolationKind::WrongODataType,
                        format!(
                            "Invalid value for property '{}': a type named '{text}' could not be resolved as '{}' or a type derived from it.",
                            display_path(path),
                            self.qualified_name(declared)
                        ),
                    );
                    return;
                }
            }
            Some(other) => {
                let at = join(path, "@odata.type");
                return self.wrong_type(&at, other, "Edm.String");
            }
        };
        let properties = self.schema.all_properties(&actual);
        let navigation = self.schema.all_navigation(&actual);
        let open = self.schema.types.get(&actual).is_some_and(|t| t.open);
        for (key, item) in object {
            let declared = properties.iter().find(|p| &p.name == key);
            // Instance and property annotations (`@odata.type`, `x@odata.bind`) are not
            // properties, unless the type's page declares one as a property (`shiftPreferences`
            // lists `@odata.etag` as a String): then its value is checked as any other.
            if key.contains('@') && declared.is_none() {
                continue;
            }
            let at = join(path, key);
            if let Some(p) = declared {
                self.value(&p.type_ref, p.collection, item, &at);
            } else if let Some(n) = navigation.iter().find(|n| &n.name == key) {
                self.value(&n.type_ref, n.collection, item, &at);
            } else if !open {
                self.report(
                    &at,
                    ViolationKind::UnknownProperty,
                    format!(
                        "The property '{key}' does not exist on type '{}'. Make sure to only use property names that are defined by the type.",
                        self.qualified_name(&actual)
                    ),
                );
            }
        }
    }

    fn wrong_type(&mut self, path: &str, value: &Value, expected: &str) {
        let literal = match value {
            Value::String(s) => s.clone(),
            other => other.to_string(),
        };
        let literal: String = literal.chars().take(80).collect();
        self.report(
            path,
            ViolationKind::WrongType,
            format!(
                "Invalid value for property '{}': cannot convert the literal '{literal}' to the expected type '{expected}'.",
                display_path(path)
            ),
        );
    }

    fn qualified(&self, type_ref: &TypeRef) -> String {
        qualified(self.schema, type_ref)
    }

    /// An undocumented type takes any JSON, `null` included.
    fn is_open(&self, type_ref: &TypeRef) -> bool {
        (type_ref.named())
            .and_then(|name| self.schema.types.get(name))
            .is_some_and(|t| t.open)
    }

    fn qualified_name(&self, name: &str) -> String {
        format!("{}.{name}", self.schema.namespace)
    }
}

/// `Edm.String`, or a named type with its namespace (`microsoft.graph.state`).
fn qualified(schema: &Schema, type_ref: &TypeRef) -> String {
    match type_ref {
        TypeRef::Primitive(_) => type_ref.to_string(),
        TypeRef::Named(name) => format!("{}.{name}", schema.namespace),
    }
}

/// OData's message for a `null` where a value of `type_ref` is required (a collection's item,
/// a function's argument).
pub fn null_message(schema: &Schema, type_ref: &TypeRef) -> String {
    let expected = qualified(schema, type_ref);
    format!(
        "A null value was found with the expected type '{expected}[Nullable=False]'. The expected type '{expected}[Nullable=False]' does not allow null values."
    )
}

fn join(path: &str, key: &str) -> String {
    if path.is_empty() {
        key.to_owned()
    } else {
        format!("{path}.{key}")
    }
}

fn display_path(path: &str) -> &str {
    if path.is_empty() { "(body)" } else { path }
}

/// Checks a JSON value against a primitive; the error is the expected `Edm.` type name.
pub fn check_primitive(primitive: Primitive, value: &Value) -> Result<(), &'static str> {
    let ok = match (primitive, value) {
        (Primitive::Boolean, Value::Bool(_)) => true,
        (Primitive::Byte, Value::Number(n)) => n.as_u64().is_some_and(|v| v <= u8::MAX as u64),
        (Primitive::Int16, Value::Number(n)) => {
            n.as_i64().is_some_and(|v| i16::try_from(v).is_ok())
        }
        (Primitive::Int32, Value::Number(n)) => {
            n.as_i64().is_some_and(|v| i32::try_from(v).is_ok())
        }
        (Primitive::Int64, Value::Number(n)) => n.as_i64().is_some(),
        (Primitive::Single | Primitive::Double | Primitive::Decimal, Value::Number(_)) => true,
        // OData writes non-finite floats as strings.
        (Primitive::Single | Primitive::Double, Value::String(s)) => {
            matches!(s.as_str(), "NaN" | "INF" | "-INF")
        }
        (Primitive::String, Value::String(_)) => true,
        (Primitive::DateTimeOffset, Value::String(s)) => {
            crate::literals::parse_date_time_offset(s).is_ok()
        }
        (Primitive::Date, Value::String(s)) => crate::literals::is_date(s),
        (Primitive::TimeOfDay, Value::String(s)) => crate::literals::is_time_of_day(s),
        (Primitive::Duration, Value::String(s)) => crate::literals::is_duration(s),
        (Primitive::Guid, Value::String(s)) => crate::literals::is_guid(s),
        (Primitive::Binary | Primitive::Stream, Value::String(s)) => crate::literals::is_base64(s),
        _ => false,
    };
    if ok { Ok(()) } else { Err(edm_name(primitive)) }
}

fn edm_name(primitive: Primitive) -> &'static str {
    match primitive {
        Primitive::String => "Edm.String",
        Primitive::Boolean => "Edm.Boolean",
        Primitive::Byte => "Edm.Byte",
        Primitive::Int16 => "Edm.Int16",
        Primitive::Int32 => "Edm.Int32",
        Primitive::Int64 => "Edm.Int64",
        Primitive::Single => "Edm.Single",
        Primitive::Double => "Edm.Double",
        Primitive::Decimal => "Edm.Decimal",
        Primitive::DateTimeOffset => "Edm.DateTimeOffset",
        Primitive::Duration => "Edm.Duration",
        Primitive::Guid => "Edm.Guid",
        Primitive::Binary => "Edm.Binary",
        Primitive::Date => "Edm.Date",
        Primitive::TimeOfDay => "Edm.TimeOfDay",
        Primitive::Stream => "Edm.Stream",
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn spec() -> Schema {
        serde_json::from_value(json!({
          "namespace": "microsoft.graph",
          "types": {
            "target": {"properties": [{"name": "filterId", "type": "Edm.String"}]},
            "groupTarget": {"base": "target", "properties": [{"name": "groupId", "type": "Edm.Guid"}]},
            "thing": {"properties": [
                {"name": "id", "type": "Edm.String"},
                {"name": "when", "type": "Edm.DateTimeOffset"},
                {"name": "count", "type": "Edm.Int32"},
                {"name": "state", "type": "state"},
                {"name": "tags", "type": "Edm.String", "collection": true},
                {"name": "target", "type": "target"}
              ]}
          },
          "enums": {"state": {"members": ["active", "error"]}}
        }))
        .unwrap()
    }

    #[test]
    fn a_valid_object_passes() {
        let v = json!({"@odata.type": "#microsoft.graph.thing", "id": "1", "when": "2016-12-31T23:58:36.6670033-08:00",
            "count": 3, "state": "error", "tags": ["a"], "target": {"@odata.type": "microsoft.graph.groupTarget", "groupId": "0b2e4f0a-1c2d-4e5f-8a9b-0c1d2e3f4a5b"}});
        assert_eq!(check_object(&spec(), "thing", &v), vec![]);
    }

    #[test]
    fn each_rule_names_the_property() {
        let v = json!({"nope": 1, "state": "String", "count": "3", "when": "yesterday", "tags": "a",
            "target": {"@odata.type": "#microsoft.graph.thing"}});
        let found: Vec<(String, ViolationKind)> = check_object(&spec(), "thing", &v)
            .into_iter()
            .map(|v| (v.path, v.kind))
            .collect();
        assert_eq!(
            found,
            [
                ("nope".to_owned(), ViolationKind::UnknownProperty),
                ("state".to_owned(), ViolationKind::NotInEnum),
                ("count".to_owned(), ViolationKind::WrongType),
                ("when".to_owned(), ViolationKind::WrongType),
                ("tags".to_owned(), ViolationKind::WrongType),
                (
                    "target.@odata.type".to_owned(),
                    ViolationKind::WrongODataType
                ),
            ]
        );
        let msg = &check_object(&spec(), "thing", &json!({"nope": 1}))[0].message;
        assert!(
            msg.starts_with("The property 'nope' does not exist on type 'microsoft.graph.thing'."),
            "{msg}"
        );
    }

    /// Annotations are not properties, unless a page declares one as a property (the whole
    /// beta's `shiftPreferences` lists `@odata.etag` as a String): then it is checked.
    #[test]
    fn a_declared_annotation_is_checked_and_others_are_left_alone() {
        let schema: Schema = serde_json::from_value(json!({
          "namespace": "microsoft.graph",
          "types": {"prefs": {"properties": [{"name": "@odata.etag", "type": "Edm.String"}]}}
        }))
        .unwrap();
        let wrong = check_object(&schema, "prefs", &json!({"@odata.etag": {}}));
        assert_eq!(
            wrong
                .iter()
                .map(|v| (v.path.as_str(), v.kind.clone()))
                .collect::<Vec<_>>(),
            [("@odata.etag", ViolationKind::WrongType)]
        );
        let fine = json!({"@odata.etag": "W/\"1\"", "@odata.context": {}, "x@odata.bind": 1});
        assert_eq!(check_object(&schema, "prefs", &fine), vec![]);
    }

    #[test]
    fn derived_properties_are_known_only_through_odata_type() {
        let with = json!({"target": {"@odata.type": "#microsoft.graph.groupTarget", "groupId": "0b2e4f0a-1c2d-4e5f-8a9b-0c1d2e3f4a5b"}});
        assert_eq!(check_object(&spec(), "thing", &with), vec![]);
        let without = json!({"target": {"groupId": "x"}});
        assert_eq!(
            check_object(&spec(), "thing", &without)[0].kind,
            ViolationKind::UnknownProperty
        );
    }

    #[test]
    fn int32_range_and_nulls() {
        assert!(check_primitive(Primitive::Int32, &json!(2147483648_i64)).is_err());
        assert!(check_primitive(Primitive::Int32, &json!(-5)).is_ok());
        assert_eq!(
            check_object(&spec(), "thing", &json!({"count": null})),
            vec![]
        );
        assert_eq!(
            check_object(&spec(), "thing", &json!([1]))[0].kind,
            ViolationKind::WrongType
        );
    }

    #[test]
    fn a_collection_holds_no_nulls() {
        assert_eq!(
            check_object(&spec(), "thing", &json!({"tags": null})),
            vec![]
        );
        let found = check_object(&spec(), "thing", &json!({"tags": ["a", null]}));
        assert_eq!(found.len(), 1);
        assert_eq!(found[0].path, "tags[1]");
        assert_eq!(found[0].kind, ViolationKind::WrongType);
        assert!(
            found[0].message.starts_with(
                "A null value was found with the expected type 'Edm.String[Nullable=False]'."
            ),
            "{}",
            found[0].message
        );
        // An undocumented type takes any JSON, null included.
        let mut open = spec();
        open.types.insert(
            "note".to_owned(),
            crate::schema::TypeShape {
                open: true,
                ..Default::default()
            },
        );
        let note = TypeRef::Named("note".to_owned());
        assert_eq!(
            check_value(&open, &note, true, &json!([null, 1]), "notes"),
            vec![]
        );
    }
}

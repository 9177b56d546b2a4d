//! A second opinion on the importer's doc-defect labelling of response examples.
//!
//! The importer marks an example as a doc defect with `graph_odata::value_check`, the validator
//! the mock also refuses requests with, so a bug in it would both skip examples and pass the
//! cases it turns them into. This oracle knows nothing of that validator: it walks each
//! response example with the spec's declared types looked up by name (base types, structural
//! and navigation properties, a derived type named by `@odata.type`) and lists the properties
//! no type declares. Both must agree, example by example, on which properties do not exist;
//! the disagreements are listed and fail the test. It runs over the checked-in whole beta and
//! whole v1.0 specs.

use std::collections::BTreeSet;

use graph_spec::{Spec, TypeRef};
use serde_json::Value;

/// The whole specs, checked in and kept fresh by `cargo xtask import --check`.
const SPECS: [&str; 2] = ["spec/graph/beta", "spec/graph/v1.0"];

#[test]
fn the_validators_unknown_properties_are_the_ones_no_declared_type_has() {
    let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../..");
    let mut disagreements = Vec::new();
    let mut compared = 0;
    for dir in SPECS {
        let spec = graph_spec::load(&root.join(dir).join("api.json")).expect("the spec loads");
        for op in &spec.operations {
            let Some(shape) = &op.response.body else {
                continue;
            };
            let Some(type_name) = shape
                .type_ref
                .named()
                .filter(|n| spec.types.contains_key(*n))
            else {
                continue;
            };
            // A report's JSON answer has a shape of its own.
            if op.response.download.is_some() {
                continue;
            }
            for example in &op.examples {
                let Some(response) = &example.response else {
                    continue;
                };
                let Some(body) = &response.body else {
                    continue;
                };
                let mut oracle = BTreeSet::new();
                if shape.collection {
                    let items = body.get("value").and_then(Value::as_array);
                    for (n, item) in items.into_iter().flatten().enumerate() {
                        unknown(&spec, type_name, item, &format!("value[{n}]"), &mut oracle);
                    }
                } else {
                    let entity = graph_spec::value_check::unwrap_entity(body);
                    unknown(&spec, type_name, entity, "", &mut oracle);
                }
                let validator: BTreeSet<String> = (response.violations.iter())
                    .filter(|(_, message)| message.contains("does not exist on type"))
                    .map(|(path, _)| path.clone())
                    .collect();
                compared += 1;
                if oracle != validator {
                    disagreements.push(format!(
                        "{}:{}: the oracle finds {oracle:?}, the validator {validator:?}",
                        response.source.file, response.source.line
                    ));
                }
            }
        }
    }
    assert!(compared > 1000, "only {compared} examples compared");
    assert!(
        disagreements.is_empty(),
        "{} of {compared} response examples judged differently:\n{}",
        disagreements.len(),
        disagreements.join("\n")
    );
}

/// Adds to `out` the path of every property of `value` (an instance of `type_name`) that no
/// declared type has, following declared structured properties into nested values.
fn unknown(spec: &Spec, type_name: &str, value: &Value, path: &str, out: &mut BTreeSet<String>) {
    let Some(object) = value.as_object() else {
        return;
    };
    // `#microsoft.graph.x` names the type itself or a derived one; a name that is neither (or
    // of another namespace) is a defect of another kind, and the object is not judged.
    let type_name = match object.get("@odata.type").and_then(Value::as_str) {
        None => type_name,
        Some(named) => {
            let prefix = format!("{}.", spec.namespace);
            match named.trim_start_matches('#').strip_prefix(&prefix) {
                Some(named) if derives_from(spec, named, type_name) => named,
                _ => return,
            }
        }
    };
    let Some(def) = spec.types.get(type_name) else {
        return;
    };
    // An undocumented type takes any JSON.
    if def.undocumented {
        return;
    }
    for (key, item) in object {
        let at = match path {
            "" => key.clone(),
            _ => format!("{path}.{key}"),
        };
        match property_type(spec, type_name, key) {
            Some(TypeRef::Named(inner)) if spec.types.contains_key(&inner) => match item {
                Value::Array(items) => {
                    for (n, item) in items.iter().enumerate() {
                        unknown(spec, &inner, item, &format!("{at}[{n}]"), out);
                    }
                }
                item => unknown(spec, &inner, item, &at, out),
            },
            Some(_) => {}
            // Annotations are not properties.
            None if key.contains('@') => {}
            None => {
                out.insert(at);
            }
        }
    }
}

/// Whether `derived` is `base` or has it among its base types.
fn derives_from(spec: &Spec, derived: &str, base: &str) -> bool {
    let mut current = Some(derived);
    while let Some(name) = current {
        if name == base {
            return true;
        }
        current = spec.types.get(name).and_then(|t| t.base_type.as_deref());
    }
    false
}

/// The type of the property `name` of `type_name` or of a base type, structural or navigation.
fn property_type(spec: &Spec, type_name: &str, name: &str) -> Option<TypeRef> {
    let mut current = spec.types.get(type_name);
    while let Some(def) = current {
        let structural = (def.properties.iter())
            .find(|p| p.name == name)
            .map(|p| p.type_ref.clone());
        let navigation = (def.navigation_properties.iter())
            .find(|p| p.name == name)
            .map(|p| p.type_ref.clone());
        if let Some(found) = structural.or(navigation) {
            return Some(found);
        }
        current = def
            .base_type
            .as_deref()
            .and_then(|base| spec.types.get(base));
    }
    None
}

//! `--seed-examples`: preloads the entities shown in the docs' response examples.

use graph_odata::Schema;
use graph_spec::{OperationKind, Segment, Spec};
use serde_json::Value;

use crate::store::Store;

/// Inserts every entity of a create or get response example whose collection needs no path
/// parameter. Returns how many were inserted (ids already present are skipped).
pub async fn seed_examples(store: &dyn Store, spec: &Spec, schema: &Schema) -> usize {
    let mut inserted = 0;
    for operation in &spec.operations {
        let path = operation.primary_path();
        let collection = match (operation.kind, path.last()) {
            (OperationKind::Create, _) => path.clone(),
            (OperationKind::Get, Some(Segment::Key(_))) => match path.parent() {
                Some(collection) => collection,
                None => continue,
            },
            _ => continue,
        };
        if !collection.parameters().is_empty() {
            continue;
        }
        let collection = collection.to_string();
        for example in &operation.examples {
            let Some(body) = example.response.as_ref().and_then(|r| r.body.as_ref()) else {
                continue;
            };
            // Intune get examples wrap the entity in {"value": {...}}.
            let entity = graph_odata::value_check::unwrap_entity(body);
            let (Some(object), Some(id)) =
                (entity.as_object(), entity.get("id").and_then(Value::as_str))
            else {
                continue;
            };
            let valid = schema
                .check_write(&entity_type(operation), entity)
                .is_empty();
            if valid && store.insert(&collection, id, object.clone()).await.is_ok() {
                inserted += 1;
            }
        }
    }
    inserted
}

fn entity_type(operation: &graph_spec::Operation) -> String {
    operation
        .response
        .body
        .as_ref()
        .and_then(|b| b.type_ref.named())
        .unwrap_or_default()
        .to_owned()
}

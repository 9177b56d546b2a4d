//! What the IR's routes take from their operations, on the `navigation` fixture.

use std::path::Path;

use graph_codegen::ir::Ir;
use graph_spec::{OperationKind, PermissionSet};

/// An update page that names no body type ("supply the values for relevant fields") patches the
/// entity it addresses: the client sends that type's update struct, not an empty body.
#[test]
fn an_update_without_a_body_type_patches_the_entity_it_addresses() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let mut spec = graph_spec::load(&root.join("tests/fixtures/navigation.json")).unwrap();
    let update = spec
        .operations
        .iter_mut()
        .find(|op| op.kind == OperationKind::Update)
        .expect("the fixture has an update");
    update.request_body = None;
    update.response.body = None;
    let ir = Ir::build(&spec);
    let route = ir
        .routes
        .iter()
        .find(|r| r.kind == OperationKind::Update)
        .unwrap();
    assert_eq!(route.entity_type.as_deref(), Some("library"));
    assert_eq!(route.update_type.as_deref(), Some("LibraryUpdate"));
}

/// One route as both sides must agree on it: what it answers, where, about what, and to whom.
type RouteRow<'a> = (
    &'a str,
    String,
    &'a str,
    usize,
    OperationKind,
    &'a str,
    u16,
    &'a PermissionSet,
    &'a PermissionSet,
);

/// What the engine serves for a spec is what codegen generates for it: each operation at each
/// of its paths, in the same order, with the same route, kind, type, status and permissions.
/// The engine builds its model at run time ([`graph_mock_runtime::Api::from_spec`]), so a
/// change to either side that the other does not follow fails here, on every spec in the
/// repository.
#[test]
fn the_engine_serves_exactly_the_routes_codegen_generates() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let specs = [
        root.join("tests/fixtures/library.json"),
        root.join("tests/fixtures/navigation.json"),
        root.join("../../spec/api.json"),
        root.join("../../spec/graph/beta/api.json"),
        root.join("../../spec/graph/v1.0/api.json"),
    ];
    for file in specs {
        let spec = graph_spec::load(&file).unwrap();
        let ir = Ir::build(&spec);
        let generated: Vec<RouteRow> = (ir.routes.iter())
            .map(|route| {
                (
                    route.method.as_str(),
                    route.path.to_string(),
                    route.route_path.as_str(),
                    route.operation,
                    route.kind,
                    route.entity_type.as_deref().unwrap_or_default(),
                    route.status,
                    &route.delegated,
                    &route.application,
                )
            })
            .collect();
        let api = graph_mock_runtime::Api::from_spec(spec.clone());
        let served: Vec<RouteRow> = (api.operations().iter())
            .map(|op| {
                (
                    op.method.as_str(),
                    op.path.clone(),
                    op.route.as_str(),
                    op.operation,
                    op.kind,
                    op.entity_type.as_str(),
                    op.status,
                    &op.permissions.delegated,
                    &op.permissions.application,
                )
            })
            .collect();
        assert!(!served.is_empty(), "{}: no routes", file.display());
        assert_eq!(served, generated, "{}", file.display());
    }
}

//! What the IR's routes take from their operations, on the `navigation` fixture.

use std::path::Path;

use graph_codegen::ir::Ir;
use graph_spec::OperationKind;

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

//! Area features on the `navigation` fixture, whose routes are under `/library` and `/readers`:
//! each item is compiled by the features of the areas that use it.

use std::path::Path;

use graph_codegen::areas::Features;
use graph_codegen::ir::Ir;

fn ir() -> Ir {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let spec = graph_spec::load(&root.join("tests/fixtures/navigation.json")).unwrap();
    Ir::build(&spec)
}

fn type_features(ir: &Ir, graph_name: &str) -> Features {
    let found = ir.structs.iter().find(|s| s.graph_name == graph_name);
    found.expect("the fixture has the type").features.clone()
}

fn features(names: &[&str]) -> Features {
    Features(names.iter().map(|n| n.to_string()).collect())
}

#[test]
fn each_route_belongs_to_the_area_of_its_first_segment() {
    let ir = ir();
    assert_eq!(ir.features, ["library", "readers"]);
    for route in &ir.routes {
        let first = route.path.to_string();
        let expected = if first.starts_with("/readers") {
            "readers"
        } else {
            "library"
        };
        assert_eq!(route.feature, expected, "{first}");
    }
}

#[test]
fn a_type_is_compiled_by_the_areas_that_use_it() {
    let ir = ir();
    assert_eq!(type_features(&ir, "shelf"), features(&["library"]));
    // Listed under `/readers` and under `/library/shelves/{id}/readers`: always compiled.
    assert_eq!(type_features(&ir, "reader"), Features::default());
    // A derived type goes with its base.
    assert_eq!(type_features(&ir, "specialShelf"), features(&["library"]));
    // Both areas use it: always compiled.
    assert_eq!(type_features(&ir, "shelfSummary"), Features::default());
    // No area uses it: always compiled, and so is what it contains, though only `/library`
    // uses that.
    assert_eq!(type_features(&ir, "readingList"), Features::default());
    assert_eq!(type_features(&ir, "book"), Features::default());
    let any_shelf = ir
        .polymorphic
        .iter()
        .find(|p| p.base_graph_name == "shelf")
        .unwrap();
    assert_eq!(any_shelf.features, features(&["library"]));
}

#[test]
fn gating_puts_the_cfg_on_every_item() {
    let gated = features(&["a", "b"]).gate(quote::quote! {
        struct X;
        impl X {}
    });
    let text = gated.to_string();
    assert_eq!(
        text.matches("cfg (any (feature = \"a\" , feature = \"b\"))")
            .count(),
        2,
        "{text}"
    );
    let one = features(&["a"]).cfg().to_string();
    assert_eq!(one, "# [cfg (feature = \"a\")]");
    assert!(Features::default().cfg().is_empty());
}

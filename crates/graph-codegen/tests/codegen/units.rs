//! The crates of a large area: its large subtrees get their own, the small ones share one, and
//! the area's top keeps its own routes; each unit's top builder is made from a transport with
//! its fixed path, and its contract cases start there.

use std::collections::BTreeSet;

use graph_codegen::builders::{SPLIT_AREA_ROUTES, UNIT_ROUTES, Unit, units};
use graph_codegen::client::area_parts;
use graph_codegen::ir::Ir;
use graph_codegen::parts::{part_by_name, split};
use graph_spec::Spec;
use serde_json::json;

/// A `GET` of `path` answering a `thing`; a `largeThing` (which holds a `thing`) below
/// `/big/large`, a `topThing` at `/big` and a `restThing` at `/big/s0`.
fn get(path: &str, line: usize) -> serde_json::Value {
    let answer = match path {
        "/big" => "topThing",
        "/big/s0" => "restThing",
        _ if path.starts_with("/big/large/") => "largeThing",
        _ => "thing",
    };
    json!({
        "kind": "get", "method": "GET", "paths": [{"template": path}], "summary": "Get",
        "response": {"status": 200, "body": {"type": answer}},
        "permissions": {
            "delegatedWork": {"status": "scopes", "scopes": ["Thing.Read.All"]},
            "delegatedPersonal": {"status": "notSupported"},
            "application": {"status": "undetermined"}
        },
        "source": {"file": "synthetic", "line": line}
    })
}

/// `/big` with its own route, a subtree `/big/large` of `UNIT_ROUTES` routes, and enough small
/// subtrees to make the area split; and a small area `/small`.
fn spec() -> Spec {
    let mut paths = vec!["/big".to_owned(), "/small".to_owned()];
    paths.extend((0..UNIT_ROUTES).map(|i| format!("/big/large/r{i}")));
    let small = SPLIT_AREA_ROUTES - UNIT_ROUTES;
    paths.extend((0..small).map(|i| format!("/big/s{i}")));
    let mut operations: Vec<_> = (paths.iter().enumerate())
        .map(|(line, path)| get(path, line + 1))
        .collect();
    // `/big/large/r0` has a doc example, so a contract case.
    operations[2]["examples"] = json!([{
        "name": "r0",
        "request": {
            "method": "GET", "url": "https://graph.microsoft.com/beta/big/large/r0",
            "path": "/big/large/r0", "source": {"file": "synthetic", "line": 3}
        },
        "response": {
            "status": 200, "body": {"name": "r0"},
            "source": {"file": "synthetic", "line": 3}
        }
    }]);
    let thing = json!({
        "kind": "complex",
        "properties": [{"name": "name", "type": "Edm.String"}],
        "source": {"file": "synthetic", "line": 1}
    });
    let large_thing = json!({
        "kind": "complex",
        "properties": [
            {"name": "name", "type": "Edm.String"},
            {"name": "thing", "type": "thing"}
        ],
        "source": {"file": "synthetic", "line": 2}
    });
    let spec = json!({
        "namespace": "microsoft.graph",
        "types": {
            "thing": thing.clone(),
            "largeThing": large_thing,
            "topThing": thing.clone(),
            "restThing": thing
        },
        "operations": operations
    });
    serde_json::from_value(spec).unwrap()
}

fn unit(name: &str, feature: &str) -> Unit {
    Unit {
        name: name.to_owned(),
        feature: feature.to_owned(),
    }
}

#[test]
fn a_large_area_is_cut_into_its_top_its_large_subtrees_and_the_rest() {
    let ir = Ir::build(&spec());
    assert_eq!(
        units(&ir.builders),
        [
            unit("big", "big"),
            unit("big-large", "big"),
            unit("big-rest", "big"),
            unit("small", "small")
        ]
    );
    let files = graph_codegen::generate(&spec(), "big.json", &Default::default()).unwrap();
    let text = |path: &str| -> &str {
        let file = files.iter().find(|f| f.path == std::path::Path::new(path));
        &file
            .unwrap_or_else(|| panic!("{path} is generated"))
            .contents
    };
    // The top's crate returns the other units' builders, so it uses their crates; they do not
    // use it, nor each other.
    let top = text("crates/graph-client/areas/big/Cargo.toml");
    assert!(
        top.contains("graph-client-area-big-large =")
            && top.contains("graph-client-area-big-rest =")
    );
    let large = text("crates/graph-client/areas/big-large/Cargo.toml");
    let uses = |key: &str| large.contains(&format!("graph-client-area-{key} ="));
    assert!(!uses("big") && !uses("big-rest"), "{large}");
    let requests = text("crates/graph-client/areas/big/src/requests.rs");
    assert!(
        requests.contains(
            "graph_client_area_big_large::requests::BigLargeRequest::new(&self.transport)"
        ),
        "{requests}"
    );
    // Each of the rest's tops is made from its fixed path.
    let rest = text("crates/graph-client/areas/big-rest/src/requests.rs");
    assert!(rest.contains("\"/big/s7\".to_owned()"), "{rest}");
    let large = text("crates/graph-client/areas/big-large/src/requests.rs");
    assert!(large.contains("\"/big/large\".to_owned()"), "{large}");
    // The cases of a unit start at its top; the facade and the runner turn every unit of an
    // area on with its feature.
    let cases = text("tests/graph-contract-tests/areas/big-large/src/cases.rs");
    assert!(
        cases.contains("area::requests::BigLargeRequest::new(&h.transport)"),
        "{cases}"
    );
    let facade = text("crates/graph-client/Cargo.toml");
    assert!(
        facade.contains(
            "big = [\"dep:graph-client-area-big\", \"dep:graph-client-area-big-large\", \"dep:graph-client-area-big-rest\", \"graph-model/big\"]"
        ),
        "{facade}"
    );
}

#[test]
fn a_type_only_one_unit_reaches_is_in_a_part_no_other_unit_builds() {
    let ir = Ir::build(&spec());
    let parts = split(&ir).unwrap();
    let by_name = part_by_name(&ir, &parts);
    let (large_thing, thing) = (by_name["LargeThing"], by_name["Thing"]);
    // Both are of the same feature and fit one part; only their users tell them apart.
    assert_ne!(large_thing, thing);
    assert!(parts[large_thing].dependencies.contains(&thing));
    for unit in units(&ir.builders) {
        // The parts a unit's crate builds: those it names and everything they use.
        let mut built = BTreeSet::new();
        let mut pending: Vec<usize> = area_parts(&ir, &by_name, &unit.name).into_iter().collect();
        while let Some(part) = pending.pop() {
            if built.insert(part) {
                pending.extend(parts[part].dependencies.iter().copied());
            }
        }
        assert_eq!(
            built.contains(&large_thing),
            unit.name == "big-large",
            "{}: {built:?}",
            unit.name
        );
    }
}

#[test]
fn small_parts_of_few_users_are_merged() {
    let ir = Ir::build(&spec());
    let parts = split(&ir).unwrap();
    let by_name = part_by_name(&ir, &parts);
    // `topThing` (only the top's crate reaches it) and `restThing` (only the rest's) are of one
    // feature and use nothing: two small groups of two users in all, so one part.
    assert_eq!(by_name["TopThing"], by_name["RestThing"]);
    // `largeThing` uses `thing`, so it lies deeper and stays apart.
    assert_ne!(by_name["LargeThing"], by_name["TopThing"]);
}

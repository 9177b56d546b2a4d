//! The invariants of `ARCHITECTURE.md` that the dependency graph can show, checked on this
//! workspace's own (`cargo metadata`): what the runtime crates and a generated client are built
//! from.

use std::collections::{BTreeMap, BTreeSet};
use std::process::Command;

use serde_json::Value;

/// The crates that turn docs into code: nothing that runs in a user's app or tests builds them.
const PIPELINE: &[&str] = &[
    "graph-doc-import",
    "graph-codegen",
    "pulldown-cmark",
    "prettyplease",
];

/// Each workspace package's normal (not dev, not build) dependencies, by package name.
fn normal_dependencies() -> BTreeMap<String, BTreeSet<String>> {
    let cargo = std::env::var("CARGO").unwrap_or_else(|_| "cargo".to_owned());
    let output = Command::new(cargo)
        .args(["metadata", "--format-version", "1", "--locked"])
        .current_dir(concat!(env!("CARGO_MANIFEST_DIR"), "/.."))
        .output()
        .expect("cargo metadata runs");
    assert!(
        output.status.success(),
        "{}",
        String::from_utf8_lossy(&output.stderr)
    );
    let metadata: Value = serde_json::from_slice(&output.stdout).expect("cargo metadata is JSON");
    let name_of: BTreeMap<&str, &str> = (metadata["packages"].as_array().unwrap().iter())
        .map(|p| (p["id"].as_str().unwrap(), p["name"].as_str().unwrap()))
        .collect();
    let mut graph = BTreeMap::new();
    for node in metadata["resolve"]["nodes"].as_array().unwrap() {
        let normal = (node["deps"].as_array().unwrap().iter())
            .filter(|dep| {
                (dep["dep_kinds"].as_array().unwrap().iter()).any(|kind| kind["kind"].is_null())
            })
            .map(|dep| name_of[dep["pkg"].as_str().unwrap()].to_owned())
            .collect();
        graph.insert(name_of[node["id"].as_str().unwrap()].to_owned(), normal);
    }
    graph
}

/// Every package `name` is built from, itself excluded (the features of the whole workspace's
/// resolution, so a superset of any one build's).
fn built_from(graph: &BTreeMap<String, BTreeSet<String>>, name: &str) -> BTreeSet<String> {
    let mut seen = BTreeSet::new();
    let mut next = vec![name.to_owned()];
    while let Some(package) = next.pop() {
        for dependency in graph.get(&package).into_iter().flatten() {
            if seen.insert(dependency.clone()) {
                next.push(dependency.clone());
            }
        }
    }
    seen
}

#[test]
fn no_runtime_crate_is_built_from_the_importer_or_the_code_generator() {
    let graph = normal_dependencies();
    let runtime = graph_codegen::layout::RUNTIME_CRATES
        .iter()
        .chain(&["graph-mock", "graph-openapi"]);
    for name in runtime {
        let from = built_from(&graph, name);
        let pipeline: Vec<&&str> = PIPELINE.iter().filter(|p| from.contains(**p)).collect();
        assert!(pipeline.is_empty(), "{name} is built from {pipeline:?}");
    }
}

#[test]
fn the_generated_client_carries_no_spec_and_no_mock() {
    let graph = normal_dependencies();
    let from = built_from(&graph, "seed-client");
    for absent in PIPELINE
        .iter()
        .chain(&["graph-spec", "graph-mock-runtime", "axum"])
    {
        assert!(
            !from.contains(*absent),
            "seed-client is built from {absent}"
        );
    }
    // It is what the invariant says it is built from, not nothing.
    for present in ["graph-client-runtime", "graph-odata", "seed-model"] {
        assert!(
            from.contains(present),
            "seed-client is not built from {present}"
        );
    }
}

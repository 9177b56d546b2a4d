//! The model's parts: every item in exactly one part of its own features, parts cut at
//! `PART_SIZE` items without splitting mutually recursive types, a new property moving
//! nothing between parts; and the area crates built on them.

use std::path::Path;

use graph_codegen::ir::Ir;
use graph_codegen::parts::{Item, PART_SIZE, Part, split};
use graph_spec::Spec;
use graph_spec::io::Mode;
use serde_json::json;

fn fixture(name: &str) -> Spec {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    graph_spec::load(&root.join("tests/fixtures").join(format!("{name}.json"))).unwrap()
}

/// A spec of complex types `t000`, `t001`, ... no operation uses (so all of one feature set),
/// where `t<i>` has a property of each type in `uses[i]`.
fn spec_of(uses: &[Vec<usize>]) -> Spec {
    let types: serde_json::Map<String, serde_json::Value> = uses
        .iter()
        .enumerate()
        .map(|(i, used)| {
            let mut properties = vec![json!({"name": "name", "type": "Edm.String"})];
            properties.extend(
                used.iter()
                    .map(|u| json!({"name": format!("p{u:03}"), "type": format!("t{u:03}")})),
            );
            let source = json!({"file": "synthetic", "line": i + 1});
            let body = json!({"kind": "complex", "properties": properties, "source": source});
            (format!("t{i:03}"), body)
        })
        .collect();
    let spec = json!({"namespace": "microsoft.graph", "types": types, "operations": []});
    serde_json::from_value(spec).unwrap()
}

fn struct_names(ir: &Ir, part: &Part) -> Vec<String> {
    let names = part.items.iter().filter_map(|item| match *item {
        Item::Struct(i) => Some(ir.structs[i].graph_name.clone()),
        Item::Polymorphic(_) | Item::Enum(_) => None,
    });
    names.collect()
}

#[test]
fn every_item_is_in_one_part_that_shares_its_features() {
    for name in ["library", "navigation"] {
        let ir = Ir::build(&fixture(name));
        let parts = split(&ir).unwrap();
        let mut items: Vec<Item> = parts.iter().flat_map(|p| p.items.clone()).collect();
        items.sort();
        let expected = ir.structs.len() + ir.polymorphic.len() + ir.enums.len();
        assert_eq!(items.len(), expected, "{name}: an item is missing or twice");
        items.dedup();
        assert_eq!(items.len(), expected, "{name}: an item is in two parts");
        for part in &parts {
            for item in &part.items {
                let features = match *item {
                    Item::Struct(i) => &ir.structs[i].features,
                    Item::Polymorphic(i) => &ir.polymorphic[i].features,
                    Item::Enum(i) => &ir.enums[i].features,
                };
                assert_eq!(features, &part.features, "{name}: {item:?}");
            }
        }
    }
}

#[test]
fn a_part_of_one_area_uses_the_always_compiled_part() {
    let ir = Ir::build(&fixture("navigation"));
    let parts = split(&ir).unwrap();
    let holding = |name: &str| {
        (parts.iter())
            .position(|p| struct_names(&ir, p).contains(&name.to_owned()))
            .unwrap_or_else(|| panic!("a part holds `{name}`"))
    };
    // `shelf` (library) has a `lastReader` property of type `reader` (always compiled).
    let (library, always) = (holding("shelf"), holding("reader"));
    assert_eq!(parts[library].features.0, ["library"]);
    assert!(parts[always].features.0.is_empty());
    assert!(parts[library].dependencies.contains(&always));
    assert!(parts[always].dependencies.is_empty());
}

#[test]
fn a_chain_of_types_is_cut_into_parts_each_using_the_one_before() {
    // t000 uses t001, which uses t002, ...: the last type comes first.
    let count = 2 * PART_SIZE + 10;
    let uses: Vec<Vec<usize>> = (0..count)
        .map(|i| if i + 1 < count { vec![i + 1] } else { vec![] })
        .collect();
    let ir = Ir::build(&spec_of(&uses));
    let parts = split(&ir).unwrap();
    let sizes: Vec<usize> = parts.iter().map(|p| p.items.len()).collect();
    assert_eq!(sizes, [PART_SIZE, PART_SIZE, 10]);
    assert_eq!(
        struct_names(&ir, &parts[0])[0],
        format!("t{:03}", count - 1)
    );
    assert!(parts[0].dependencies.is_empty());
    assert_eq!(parts[1].dependencies.iter().collect::<Vec<_>>(), [&0]);
    assert_eq!(parts[2].dependencies.iter().collect::<Vec<_>>(), [&1]);
}

#[test]
fn parts_are_filled_by_level_so_a_change_rebuilds_a_short_chain() {
    // Eight hubs, each named before the sixteen types only it uses: Tarjan's order alone would
    // interleave them (16 leaves, a hub, 16 leaves, ...), so that each part used the one before.
    let (hubs, leaves) = (8, 16);
    let mut uses = Vec::new();
    for hub in 0..hubs {
        let first = hub * (leaves + 1) + 1;
        uses.push((first..first + leaves).collect::<Vec<usize>>());
        uses.extend(std::iter::repeat_n(vec![], leaves));
    }
    let ir = Ir::build(&spec_of(&uses));
    let parts = split(&ir).unwrap();
    let sizes: Vec<usize> = parts.iter().map(|p| p.items.len()).collect();
    assert_eq!(sizes, [PART_SIZE, PART_SIZE, hubs]);
    // The leaves fill the first two parts, which use nothing; the hubs' part uses both.
    assert!(parts[0].dependencies.is_empty() && parts[1].dependencies.is_empty());
    assert_eq!(parts[2].dependencies.iter().collect::<Vec<_>>(), [&0, &1]);
}

#[test]
fn mutually_recursive_types_stay_in_one_part() {
    // PART_SIZE - 1 unrelated types, then three types that use each other in a ring: the ring
    // does not fit in the first part's last place, so it opens the next part whole.
    let mut uses: Vec<Vec<usize>> = vec![vec![]; PART_SIZE - 1];
    let ring = PART_SIZE - 1;
    uses.extend([vec![ring + 1], vec![ring + 2], vec![ring]]);
    let ir = Ir::build(&spec_of(&uses));
    let parts = split(&ir).unwrap();
    let ring_names: Vec<String> = (ring..ring + 3).map(|i| format!("t{i:03}")).collect();
    let holding: Vec<usize> = (0..parts.len())
        .filter(|&p| {
            let names = struct_names(&ir, &parts[p]);
            ring_names.iter().any(|n| names.contains(n))
        })
        .collect();
    assert_eq!(holding.len(), 1, "the ring is split: {holding:?}");
    let names = struct_names(&ir, &parts[holding[0]]);
    assert!(ring_names.iter().all(|n| names.contains(n)));
    assert!(parts.iter().all(|p| p.items.len() <= PART_SIZE));
}

#[test]
fn a_new_property_moves_nothing_between_parts() {
    let spec = fixture("navigation");
    let mut changed = spec.clone();
    let type_def = changed.types.values_mut().next().unwrap();
    let mut property = type_def.properties[0].clone();
    property.name = "addedProperty".to_owned();
    type_def.properties.push(property);
    let items = |spec: &Spec| -> Vec<Vec<Item>> {
        let parts = split(&Ir::build(spec)).unwrap();
        parts.into_iter().map(|p| p.items).collect()
    };
    assert_eq!(items(&spec), items(&changed));
}

#[test]
fn codegen_removes_the_parts_and_areas_a_smaller_spec_no_longer_has() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let out = tempfile::tempdir().unwrap();
    let job = graph_codegen::Job {
        spec: root.join("tests/fixtures/navigation.json"),
        label: "navigation.json".to_owned(),
        out: out.path().to_owned(),
        names: graph_codegen::CrateNames::default(),
        standalone: None,
    };
    graph_codegen::run(&job, Mode::Write).unwrap();
    // A part and two areas' crates of an earlier, larger spec, and a folder codegen did not
    // write.
    let parts = out.path().join("crates/graph-model/parts");
    let old = [
        parts.join("007"),
        out.path().join("crates/graph-client/areas/gone"),
        out.path().join("tests/graph-contract-tests/areas/gone"),
    ];
    for folder in &old {
        std::fs::create_dir_all(folder.join("src")).unwrap();
        std::fs::write(
            folder.join("Cargo.toml"),
            "# @generated by cargo xtask codegen\n",
        )
        .unwrap();
    }
    let own = parts.join("notes");
    std::fs::create_dir_all(&own).unwrap();

    let (_, mut stale) = graph_codegen::run(&job, Mode::Check).unwrap();
    stale.sort();
    let mut expected = old.to_vec();
    expected.sort();
    assert_eq!(stale, expected, "check mode reports the old crates");
    assert!(old.iter().all(|f| f.exists()), "check mode changes nothing");
    let (_, mut stale) = graph_codegen::run(&job, Mode::Write).unwrap();
    stale.sort();
    assert_eq!(stale, expected);
    assert!(!old.iter().any(|f| f.exists()), "write mode removes them");
    assert!(own.exists(), "a folder codegen did not write is left alone");
    assert!(parts.join("000/Cargo.toml").exists());
    assert!(
        out.path()
            .join("crates/graph-client/areas/readers/Cargo.toml")
            .exists()
    );
    let (_, stale) = graph_codegen::run(&job, Mode::Check).unwrap();
    assert!(stale.is_empty(), "{stale:?}");
}

/// What a change to one type rebuilds: an area's client crate depends on the model's parts its
/// requests name, not on the model facade (which depends on every part), and an area's
/// contract cases depend on that client crate, not on the mock (which embeds the whole spec).
#[test]
fn area_crates_depend_on_the_parts_they_name_and_not_on_the_facades() {
    let spec = fixture("navigation");
    let files = graph_codegen::generate(&spec, "navigation.json", &Default::default()).unwrap();
    let text = |path: &str| -> &str {
        let file = files.iter().find(|f| f.path == Path::new(path));
        &file
            .unwrap_or_else(|| panic!("{path} is generated"))
            .contents
    };
    let ir = Ir::build(&spec);
    let parts = split(&ir).unwrap();
    let by_name = graph_codegen::parts::part_by_name(&ir, &parts);
    for area in ["library", "readers"] {
        let manifest = text(&format!("crates/graph-client/areas/{area}/Cargo.toml"));
        let named: std::collections::BTreeSet<usize> =
            graph_codegen::client::area_parts(&ir, &by_name, area);
        assert!(!named.is_empty(), "{area} names model types");
        for (index, _) in parts.iter().enumerate() {
            let key = format!("graph-model-part-{index:03} =");
            assert_eq!(
                manifest.contains(&key),
                named.contains(&index),
                "{area} depends on part {index} exactly when its requests name it:\n{manifest}"
            );
        }
        assert!(!manifest.contains("graph-model ="), "{manifest}");
        let cases = text(&format!(
            "tests/graph-contract-tests/areas/{area}/Cargo.toml"
        ));
        assert!(
            cases.contains(&format!("graph-client-area-{area} =")),
            "{cases}"
        );
        assert!(
            !cases.contains("graph-mock") && !cases.contains("graph-client ="),
            "{cases}"
        );
    }
    // The `readers` area's requests send and answer `Reader`s.
    let reader = by_name["Reader"];
    let readers = text("crates/graph-client/areas/readers/Cargo.toml");
    assert!(readers.contains(&format!("graph-model-part-{reader:03} =")));
}

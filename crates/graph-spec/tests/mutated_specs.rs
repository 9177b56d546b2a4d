//! The `spec_load` fuzz target's property under stable `cargo test`, bounded: the loader and the
//! validator on mutated specs (this repository's `spec/api.json` with its text edited at random,
//! and with a value at a random place replaced by another JSON value) report and never panic.

use proptest::prelude::*;
use serde_json::Value;

fn spec_text() -> String {
    let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../..");
    std::fs::read_to_string(root.join("spec/api.json")).unwrap()
}

fn load(text: &str) {
    let file = std::path::Path::new("mutated.json");
    if let Ok(spec) = graph_spec::io::parse_json::<graph_spec::Spec>(file, text) {
        let _ = graph_spec::validate(&spec, file);
        let _ = spec.schema();
    }
}

/// Any JSON value, a few levels deep.
fn json() -> impl Strategy<Value = Value> {
    let leaf = prop_oneof![
        Just(Value::Null),
        any::<bool>().prop_map(Value::Bool),
        any::<i64>().prop_map(Value::from),
        "\\PC{0,12}".prop_map(Value::String),
        Just(Value::String("/a/{b}/c(x='{y}')".into())),
        Just(Value::String("Edm.String".into())),
    ];
    leaf.prop_recursive(3, 16, 4, |inner| {
        prop_oneof![
            proptest::collection::vec(inner.clone(), 0..4).prop_map(Value::Array),
            proptest::collection::btree_map("[a-z]{1,8}", inner, 0..4)
                .prop_map(|m| Value::Object(m.into_iter().collect())),
        ]
    })
}

/// `value` with the value at the `pick`-th place (depth first) replaced by `with`.
fn replace_at(value: &mut Value, pick: &mut usize, with: &Value) -> bool {
    if *pick == 0 {
        *value = with.clone();
        return true;
    }
    *pick -= 1;
    let children: Vec<&mut Value> = match value {
        Value::Array(items) => items.iter_mut().collect(),
        Value::Object(map) => map.values_mut().collect(),
        _ => Vec::new(),
    };
    children
        .into_iter()
        .any(|child| replace_at(child, pick, with))
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(2000))]

    #[test]
    fn the_loader_never_panics_on_edited_text(
        at in 0.0f64..1.0,
        cut in 0usize..40,
        insert in prop_oneof![Just("{".to_owned()), Just("]".to_owned()), Just("\"".to_owned()), "\\PC{0,6}"],
    ) {
        let text = spec_text();
        let mut start = (text.len() as f64 * at) as usize;
        while !text.is_char_boundary(start) {
            start -= 1;
        }
        let mut end = (start + cut).min(text.len());
        while !text.is_char_boundary(end) {
            end += 1;
        }
        load(&[&text[..start], &insert, &text[end..]].concat());
    }

    #[test]
    fn the_loader_and_validator_never_panic_on_a_replaced_value(
        pick in 0usize..2000,
        with in json(),
    ) {
        let mut spec: Value = serde_json::from_str(&spec_text()).unwrap();
        let mut place = pick;
        replace_at(&mut spec, &mut place, &with);
        load(&spec.to_string());
    }
}

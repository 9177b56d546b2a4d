//! Arbitrary JSON through the spec loader and validator: errors, never panics.
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let text = String::from_utf8_lossy(data);
    if let Ok(spec) = graph_spec::io::parse_json::<graph_spec::Spec>(std::path::Path::new("fuzz.json"), &text) {
        let _ = graph_spec::validate(&spec, std::path::Path::new("fuzz.json"));
        let _ = graph_spec::io::to_pretty_json(&spec);
    }
});

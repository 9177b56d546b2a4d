//! Arbitrary Markdown through the whole importer: it must report, never panic.
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let text = String::from_utf8_lossy(data).into_owned();
    let result = graph_doc_import::import(&[graph_doc_import::PageInput { file: "fuzz.md".to_owned(), text }]);
    let _ = graph_spec::validate(&result.spec, std::path::Path::new("fuzz.json"));
});

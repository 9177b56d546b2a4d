//! The open world: every Graph beta page under `../shared/graph-docs-all` (the data stays
//! there; CI has it beside the clone), and partial subsets of it, import into a spec that the
//! same loader codegen uses accepts. A subset leaves references to pages outside it: those
//! must become reported placeholders, never an inconsistent spec.

use std::path::{Path, PathBuf};

use graph_doc_import::manifest::folder_pages;
use graph_doc_import::{PageFile, import_files};

fn beta() -> PathBuf {
    let beta = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../../shared/graph-docs-all/beta");
    assert!(
        beta.is_dir(),
        "{} is missing: the open-world tests read the Graph beta docs there",
        beta.display()
    );
    beta
}

/// Imports `files` and loads the written spec back; returns the import rate.
fn import_and_load(what: &str, files: &[PageFile]) -> f64 {
    assert!(!files.is_empty(), "{what}: no pages");
    let result = import_files(files);
    let text = graph_spec::io::to_pretty_json(&result.spec);
    let problems = graph_spec::io::loader_problems(&text, Path::new("api.json"));
    assert!(
        problems.is_empty(),
        "{what}: the loader refuses the spec: {:#?}",
        &problems[..problems.len().min(10)]
    );
    result.import_rate()
}

fn pages_named(prefix: &str) -> Vec<PageFile> {
    let all = folder_pages(&[beta()]).unwrap();
    all.into_iter()
        .filter(|(_, path)| {
            path.file_name()
                .and_then(|n| n.to_str())
                .is_some_and(|n| n.starts_with(prefix))
        })
        .collect()
}

#[test]
fn every_beta_page_imports_into_a_spec_the_loader_accepts() {
    let all = folder_pages(&[beta()]).unwrap();
    assert!(all.len() > 7_900, "{} pages", all.len());
    let rate = import_and_load("all of beta", &all);
    assert!(rate >= 0.99, "{:.2}% of the pages imported", rate * 100.0);
}

#[test]
fn partial_subsets_import_into_specs_the_loader_accepts() {
    let all = folder_pages(&[beta()]).unwrap();
    // One area, without the pages it links to.
    import_and_load("callRecords", &pages_named("callrecords-"));
    import_and_load("Intune", &pages_named("intune-"));
    // Only the API pages: every type they name is missing.
    let api: Vec<PageFile> = all
        .iter()
        .filter(|(_, p)| {
            p.parent()
                .and_then(|d| d.file_name())
                .is_some_and(|d| d == "api")
        })
        .cloned()
        .collect();
    import_and_load("api pages only", &api);
    // Every tenth page, and a handful given one by one.
    let sparse: Vec<PageFile> = all.iter().step_by(10).cloned().collect();
    import_and_load("every tenth page", &sparse);
    let handful = folder_pages(&[
        beta().join("api/user-delta.md"),
        beta().join("resources/user.md"),
        beta().join("api/group-list.md"),
    ])
    .unwrap();
    assert_eq!(handful.len(), 3);
    import_and_load("a handful", &handful);
}

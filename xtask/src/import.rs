//! `cargo xtask import`: doc pages → `spec/api.json` and `spec/defects.json`.

use std::path::{Path, PathBuf};

use graph_doc_import::manifest::{Sources, folder_pages};
use graph_doc_import::{PageFile, import_files};
use graph_spec::io::{FileStatus, Mode, ensure_file_contents, load_json, to_pretty_json};

use crate::args::Args;

/// The spec file, inside the output folder.
pub const SPEC_FILE: &str = "api.json";
/// The defect list, next to the spec.
pub const DEFECTS_FILE: &str = "defects.json";

pub fn run(mut args: Args) -> Result<(), String> {
    let docs = args.values("--docs")?;
    let out = args.path("--out")?;
    let check = args.flag("--check");
    let min_rate = args.rate("--min-import-rate")?;
    args.finish()?;

    let root = crate::workspace_root();
    let out = out.unwrap_or_else(|| root.join("spec"));
    let files = if docs.is_empty() {
        manifest_pages(&root)?
    } else {
        folder_pages(&docs.iter().map(PathBuf::from).collect::<Vec<_>>())?
    };
    let result = import_files(&files);
    println!("{result}");
    for skipped in &result.skipped {
        println!("  skipped {skipped}");
    }
    let spec_text = to_pretty_json(&result.spec);
    let problems = graph_spec::io::loader_problems(&spec_text, &out.join(SPEC_FILE));
    if !problems.is_empty() {
        return Err(format!(
            "the imported spec would not load (an importer bug):\n{}",
            problems.join("\n")
        ));
    }

    let mode = if check { Mode::Check } else { Mode::Write };
    let mut stale = Vec::new();
    for (name, text) in [
        (SPEC_FILE, spec_text),
        (DEFECTS_FILE, to_pretty_json(&result.defects)),
    ] {
        let path = out.join(name);
        let status = ensure_file_contents(&path, &text, mode)
            .map_err(|e| format!("{}: cannot write: {e}", path.display()))?;
        match status {
            FileStatus::Stale => stale.push(path.display().to_string()),
            FileStatus::Updated => println!("wrote {}", path.display()),
            FileStatus::Fresh => {}
        }
    }
    if !stale.is_empty() {
        return Err(format!(
            "{} is stale: run `cargo xtask import` and commit",
            stale.join(", ")
        ));
    }
    if let Some(min) = min_rate {
        let rate = result.import_rate();
        if rate < min {
            return Err(format!(
                "only {:.2}% of the API, resource and enum pages imported (conceptual pages apart); at least {:.2}% are required",
                rate * 100.0,
                min * 100.0
            ));
        }
    }
    Ok(())
}

/// The pages listed in `spec/sources.json`, relative to the workspace root. Every page must be
/// there: a partial import would silently shrink the checked-in spec.
fn manifest_pages(root: &Path) -> Result<Vec<PageFile>, String> {
    let manifest = root.join("spec/sources.json");
    let sources: Sources = load_json(&manifest).map_err(|e| e.to_string())?;
    let files: Vec<(String, PathBuf)> = sources
        .pages
        .iter()
        .map(|p| (p.clone(), root.join(p)))
        .collect();
    let missing: Vec<&str> = files
        .iter()
        .filter(|(_, path)| !path.is_file())
        .map(|(p, _)| p.as_str())
        .collect();
    if !missing.is_empty() {
        return Err(format!(
            "{} page(s) listed in spec/sources.json are missing (is ../shared/graph-docs beside the checkout?):\n  {}",
            missing.len(),
            missing.join("\n  ")
        ));
    }
    Ok(files)
}

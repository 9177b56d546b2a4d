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

/// One of the checked-in specs of all of Graph.
struct WholeVersion {
    /// The spec folder, relative to the workspace root.
    spec: &'static str,
    /// The doc folder every page of which it is imported from.
    docs: &'static str,
    /// The most creates and updates without a body type the import may give: a change that
    /// reads fewer bodies fails the check (one that reads more lowers this).
    max_without_body_type: usize,
}

/// All of Graph, kept checked in beside the seed family's spec: one spec folder per version.
/// The `graph-mock` binary embeds these specs.
const WHOLE_GRAPH: [WholeVersion; 2] = [
    WholeVersion {
        spec: "spec/graph/beta",
        docs: "../shared/graph-docs-all",
        max_without_body_type: 29,
    },
    WholeVersion {
        spec: "spec/graph/v1.0",
        docs: "../shared/graph-docs-v1.0",
        max_without_body_type: 26,
    },
];

pub fn run(mut args: Args) -> Result<(), String> {
    let docs = args.values("--docs")?;
    let out = args.path("--out")?;
    let check = args.flag("--check");
    let min_rate = args.rate("--min-import-rate")?;
    args.finish()?;
    let mode = if check { Mode::Check } else { Mode::Write };

    let root = crate::workspace_root();
    if !docs.is_empty() {
        let files = folder_pages(&docs.iter().map(PathBuf::from).collect::<Vec<_>>())?;
        let out = out.unwrap_or_else(|| root.join("spec"));
        return import_set(&files, &out, mode, min_rate, true).map(|_| ());
    }
    if out.is_some() {
        return Err("--out needs --docs: without it, import writes the checked-in specs".into());
    }
    // The checked-in specs: the seed family, then all of Graph, version by version. Every set
    // is imported (and, with --check, checked) before any error is returned.
    let mut errors = Vec::new();
    let seed = manifest_pages(&root)
        .and_then(|files| import_set(&files, &root.join("spec"), mode, min_rate, true));
    errors.extend(seed.err());
    for version in WHOLE_GRAPH {
        println!("== {}: every page of {}", version.spec, version.docs);
        let whole = root_relative_pages(&root, version.docs)
            .and_then(|files| import_set(&files, &root.join(version.spec), mode, min_rate, false))
            .and_then(|without_body_type| match without_body_type {
                n if n > version.max_without_body_type => Err(format!(
                    "{}: {n} creates and updates have no body type, more than the {} allowed (see their `missingSection` and `unknownType` defects)",
                    version.spec, version.max_without_body_type
                )),
                _ => Ok(()),
            });
        errors.extend(whole.err());
    }
    match errors.is_empty() {
        true => Ok(()),
        false => Err(errors.join("\n")),
    }
}

/// Imports `files` into the spec folder `out`: writes its spec and defect list, or with
/// [`Mode::Check`] fails when they are stale. `list_skipped` prints each page not imported (a
/// whole version's list is long: its defect list has them). Answers how many creates and
/// updates have no body type.
fn import_set(
    files: &[PageFile],
    out: &Path,
    mode: Mode,
    min_rate: Option<f64>,
    list_skipped: bool,
) -> Result<usize, String> {
    let result = import_files(files);
    println!("{result}");
    if list_skipped {
        for skipped in &result.skipped {
            println!("  skipped {skipped}");
        }
    }
    let spec_text = to_pretty_json(&result.spec);
    let problems = graph_spec::io::loader_problems(&spec_text, &out.join(SPEC_FILE));
    if !problems.is_empty() {
        return Err(format!(
            "the imported spec would not load (an importer bug):\n{}",
            problems.join("\n")
        ));
    }

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
    Ok(result.without_body_type())
}

/// Every page under `folder` (a path relative to the workspace root), named by that relative
/// path wherever the command runs from, so the spec's sources are the same on every machine.
fn root_relative_pages(root: &Path, folder: &str) -> Result<Vec<PageFile>, String> {
    let pages = folder_pages(&[root.join(folder)])
        .map_err(|e| format!("{e} (is ../shared beside the checkout?)"))?;
    Ok(pages
        .into_iter()
        .map(|(_, path)| {
            let relative = path.strip_prefix(root).unwrap_or(&path);
            (relative.display().to_string(), path)
        })
        .collect())
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

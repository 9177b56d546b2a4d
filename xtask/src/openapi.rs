//! `cargo xtask openapi [--spec DIR] [--out FILE] [--check]`: the spec as an OpenAPI 3.1 document.

use std::path::PathBuf;

use graph_spec::io::{FileStatus, Mode, ensure_file_contents, to_pretty_json};

use crate::args::Args;
use crate::import::SPEC_FILE;

/// Where the document goes by default, next to the spec it describes.
const DEFAULT_OUT: &str = "spec/openapi.json";

pub fn run(mut args: Args) -> Result<(), String> {
    let spec_dir = args.path("--spec")?;
    let out = args.path("--out")?;
    let check = args.flag("--check");
    args.finish()?;
    let root = crate::workspace_root();
    let spec_path = spec_dir
        .unwrap_or_else(|| root.join("spec"))
        .join(SPEC_FILE);
    let out: PathBuf = out.unwrap_or_else(|| root.join(DEFAULT_OUT));
    let spec = graph_spec::load(&spec_path).map_err(|e| e.to_string())?;
    let document = graph_openapi::document(&spec, "http://127.0.0.1:8080/beta");
    let mode = if check { Mode::Check } else { Mode::Write };
    match ensure_file_contents(&out, &to_pretty_json(&document), mode)
        .map_err(|e| format!("{}: {e}", out.display()))?
    {
        FileStatus::Stale => Err(format!(
            "{} is stale: run `cargo xtask openapi` and commit",
            out.display()
        )),
        FileStatus::Updated => {
            println!("wrote {}", out.display());
            Ok(())
        }
        FileStatus::Fresh => {
            println!("{} is fresh", out.display());
            Ok(())
        }
    }
}

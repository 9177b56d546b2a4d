//! `cargo xtask`: the project's command line. Each verb is a thin wrapper over a library crate.
//!
//! ```text
//! cargo xtask import  [--docs DIR]... [--out DIR] [--check] [--min-import-rate R]
//! cargo xtask codegen [--spec DIR [--include GLOB]... [--exclude GLOB]... --out DIR
//!                     [--runtime-git URL --runtime-rev REV]] [--check]
//! cargo xtask corpus  --docs DIR --out DIR [--target-dir DIR] [--expect FILE]
//! cargo xtask openapi [--spec DIR] [--out FILE] [--check]
//! cargo xtask bench   [--quick]
//! ```

mod args;
mod bench;
mod codegen;
mod corpus;
mod import;
mod openapi;

use std::path::PathBuf;
use std::process::ExitCode;

const USAGE: &str = "usage:
  cargo xtask import  [--docs DIR]... [--out DIR] [--check] [--min-import-rate R]
      Reads doc pages into spec/*.json. Without --docs, imports the checked-in specs: the pages
      listed in spec/sources.json into spec/, and all of Graph into spec/graph/<version>/.
  cargo xtask codegen [--spec DIR [--include GLOB]... [--exclude GLOB]... --out DIR
                      [--runtime-git URL --runtime-rev REV]] [--check]
      Generates the model, mock, client and contract-test crates from spec/, or a standalone
      workspace for the spec in --spec (default spec/) into --out: with --include/--exclude
      (path globs: `*` one segment, `**` any, `{x}` any key), for the operations of the paths
      they keep and the types those reach.
  cargo xtask corpus --docs DIR --out DIR [--target-dir DIR] [--expect FILE]
      Imports a doc set, generates a complete workspace for it in --out, builds it and runs its
      tests; fails when fewer than R of the tests that ran pass (default 1: all of them).
  cargo xtask openapi [--spec DIR] [--out FILE] [--check]
      Writes the spec as an OpenAPI 3.1 document (default spec/openapi.json).
  cargo xtask bench [--quick]
      Builds the benchmarks in release and prints the table of measurements and targets.";

fn main() -> ExitCode {
    let mut args = args::Args::from_env();
    let result = match args.verb().as_deref() {
        Some("import") => import::run(args),
        Some("codegen") => codegen::run(args),
        Some("corpus") => corpus::run(args),
        Some("openapi") => openapi::run(args),
        Some("bench") => bench::run(args),
        Some("help" | "--help" | "-h") | None => {
            println!("{USAGE}");
            return ExitCode::SUCCESS;
        }
        Some(other) => Err(format!("unknown command `{other}`\n{USAGE}")),
    };
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(message) => {
            eprintln!("error: {message}");
            ExitCode::FAILURE
        }
    }
}

/// The workspace root: xtask lives one level below it.
fn workspace_root() -> PathBuf {
    let manifest_dir = PathBuf::from(env!("CARGO_MANIFEST_DIR"));
    manifest_dir
        .parent()
        .map(PathBuf::from)
        .unwrap_or(manifest_dir)
}

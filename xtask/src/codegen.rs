//! `cargo xtask codegen`: specs → the generated crates.
//!
//! Without flags it regenerates this repository: `spec/api.json` into `crates/graph-model`,
//! `crates/graph-mock`, `crates/graph-client` and `tests/graph-contract-tests`, and every codegen
//! fixture into its snapshot crates. `--out DIR` writes a complete, standalone workspace for the
//! spec in `--spec DIR` (default `spec/`): its own `Cargo.toml`, the generated crates, and
//! dependencies on the runtime crates of this checkout (or, with `--runtime-git URL
//! --runtime-rev REV`, of a git repository). It builds with `cargo build` inside `DIR`.

use std::path::{Path, PathBuf};

use graph_codegen::{CrateNames, Job, RuntimeSource, Standalone};
use graph_spec::io::Mode;

use crate::args::Args;
use crate::import::SPEC_FILE;

pub fn run(mut args: Args) -> Result<(), String> {
    let spec_dir = args.path("--spec")?;
    let out = args.path("--out")?;
    let runtime_git = args.value("--runtime-git")?;
    let runtime_rev = args.value("--runtime-rev")?;
    let check = args.flag("--check");
    args.finish()?;

    let root = crate::workspace_root();
    let runtime = match (runtime_git, runtime_rev) {
        (None, None) => RuntimeSource::Path(root.clone()),
        (Some(url), Some(rev)) => RuntimeSource::Git { url, rev },
        _ => return Err("--runtime-git and --runtime-rev go together".to_owned()),
    };
    let jobs = match (spec_dir, out) {
        (None, None) => graph_codegen::workspace_jobs(&root)
            .map_err(|e| format!("cannot list the codegen fixtures: {e}"))?,
        (_, None) => {
            return Err("--spec needs --out: the checked-in crates come from spec/".to_owned());
        }
        (spec_dir, Some(out)) => {
            let spec = spec_dir
                .unwrap_or_else(|| root.join("spec"))
                .join(SPEC_FILE);
            vec![standalone_job(&root, spec, out, runtime)?]
        }
    };
    let mode = if check { Mode::Check } else { Mode::Write };
    let mut stale = Vec::new();
    let mut total = 0;
    for job in &jobs {
        let (files, changed) = graph_codegen::run(job, mode)?;
        total += files;
        stale.extend(changed);
    }
    let list: Vec<String> = stale.iter().map(|p| p.display().to_string()).collect();
    if check {
        if !stale.is_empty() {
            return Err(format!(
                "generated code is stale:\n  {}\nrun `cargo xtask codegen` and commit",
                list.join("\n  ")
            ));
        }
        println!(
            "codegen: {total} files from {} spec(s) are fresh",
            jobs.len()
        );
    } else {
        for path in &list {
            println!("wrote {path}");
        }
        println!(
            "codegen: {total} files from {} spec(s), {} changed",
            jobs.len(),
            stale.len()
        );
    }
    Ok(())
}

/// A job that writes a standalone workspace for `spec` into `out`.
pub fn standalone_job(
    root: &Path,
    spec: PathBuf,
    out: PathBuf,
    runtime: RuntimeSource,
) -> Result<Job, String> {
    Ok(Job {
        label: spec.display().to_string(),
        spec,
        out,
        names: CrateNames::default(),
        standalone: Some(Standalone {
            runtime,
            third_party: third_party_dependencies(root)?,
        }),
    })
}

/// The third-party lines of this workspace's `[workspace.dependencies]`, so that a generated
/// workspace builds with the versions the runtime crates are tested with.
fn third_party_dependencies(root: &Path) -> Result<String, String> {
    let path = root.join("Cargo.toml");
    let manifest =
        std::fs::read_to_string(&path).map_err(|e| format!("{}: {e}", path.display()))?;
    let section = manifest
        .split_once("[workspace.dependencies]")
        .map(|(_, rest)| rest.split("\n[").next().unwrap_or_default())
        .ok_or_else(|| format!("{}: no [workspace.dependencies]", path.display()))?;
    Ok(section
        .lines()
        .filter(|l| !l.trim().is_empty() && !l.starts_with('#') && !l.starts_with("graph-"))
        .map(|l| format!("{l}\n"))
        .collect())
}

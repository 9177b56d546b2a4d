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
use graph_spec::{PathFilter, PathGlob};

use crate::args::Args;
use crate::import::SPEC_FILE;

pub fn run(mut args: Args) -> Result<(), String> {
    let spec_dir = args.path("--spec")?;
    let out = args.path("--out")?;
    let runtime_git = args.value("--runtime-git")?;
    let runtime_rev = args.value("--runtime-rev")?;
    let check = args.flag("--check");
    let filter = path_filter(args.values("--include")?, args.values("--exclude")?)?;
    args.finish()?;

    let root = crate::workspace_root();
    let runtime = match (runtime_git, runtime_rev) {
        (None, None) => RuntimeSource::Path(root.clone()),
        (Some(url), Some(rev)) => RuntimeSource::Git { url, rev },
        _ => return Err("--runtime-git and --runtime-rev go together".to_owned()),
    };
    let jobs = match (spec_dir, out) {
        (None, None) if filter.is_none() => graph_codegen::workspace_jobs(&root)
            .map_err(|e| format!("cannot list the codegen fixtures: {e}"))?,
        (_, None) => {
            return Err(
                "--spec, --include and --exclude need --out: the checked-in crates come from spec/"
                    .to_owned(),
            );
        }
        (spec_dir, Some(out)) => {
            let spec = spec_dir
                .unwrap_or_else(|| root.join("spec"))
                .join(SPEC_FILE);
            let spec = match &filter {
                None => spec,
                Some(filter) => write_slice(&spec, filter, &out, mode(check))?,
            };
            vec![standalone_job(&root, spec, out, runtime)?]
        }
    };
    let mode = mode(check);
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

fn mode(check: bool) -> Mode {
    if check { Mode::Check } else { Mode::Write }
}

/// The paths `--include` and `--exclude` keep, `None` when neither is given.
fn path_filter(include: Vec<String>, exclude: Vec<String>) -> Result<Option<PathFilter>, String> {
    if include.is_empty() && exclude.is_empty() {
        return Ok(None);
    }
    let parse = |globs: Vec<String>| -> Result<Vec<PathGlob>, String> {
        (globs.iter())
            .map(|g| PathGlob::parse(g).map_err(|e| e.to_string()))
            .collect()
    };
    Ok(Some(PathFilter {
        include: parse(include)?,
        exclude: parse(exclude)?,
    }))
}

/// Writes the part of the spec at `spec` that `filter` keeps to `out/spec/api.json` (so that
/// the workspace holds the spec it was generated from), and returns that file.
fn write_slice(
    spec: &Path,
    filter: &PathFilter,
    out: &Path,
    mode: Mode,
) -> Result<PathBuf, String> {
    let whole = graph_spec::load(spec).map_err(|e| e.to_string())?;
    let slice = whole.slice(filter);
    if slice.operations.is_empty() {
        return Err(format!(
            "no path of {} matches --include {} (--exclude {})",
            spec.display(),
            list(&filter.include),
            list(&filter.exclude)
        ));
    }
    let paths: usize = slice.operations.iter().map(|op| op.paths.len()).sum();
    println!(
        "slice of {}: {} of {} operations ({paths} paths), {} of {} types, {} of {} enums",
        spec.display(),
        slice.operations.len(),
        whole.operations.len(),
        slice.types.len(),
        whole.types.len(),
        slice.enums.len(),
        whole.enums.len()
    );
    let file = out.join("spec").join(SPEC_FILE);
    let text = graph_spec::to_pretty_json(&slice);
    let problems = graph_spec::io::loader_problems(&text, &file);
    if !problems.is_empty() {
        return Err(format!(
            "the slice would not load (a bug):\n{}",
            problems.join("\n")
        ));
    }
    let status = graph_spec::io::ensure_file_contents(&file, &text, mode)
        .map_err(|e| format!("{}: cannot write: {e}", file.display()))?;
    if status == graph_spec::io::FileStatus::Stale {
        return Err(format!(
            "{} is stale: run the same command without --check",
            file.display()
        ));
    }
    Ok(file)
}

fn list(globs: &[PathGlob]) -> String {
    let globs: Vec<String> = globs.iter().map(ToString::to_string).collect();
    match globs.is_empty() {
        true => "(none)".to_owned(),
        false => globs.join(" "),
    }
}

/// A job that writes a standalone workspace for `spec` into `out`.
pub fn standalone_job(
    root: &Path,
    spec: PathBuf,
    out: PathBuf,
    runtime: RuntimeSource,
) -> Result<Job, String> {
    // A workspace inside this checkout (an example) names the runtime crates and its spec by
    // relative paths, so that it builds, and is fresh, wherever the checkout is.
    let inside = relative_to(root, &out);
    let runtime = match (runtime, &inside) {
        (RuntimeSource::Path(_), Some(out_in_root)) => {
            RuntimeSource::Path(out_in_root.components().map(|_| "..").collect::<PathBuf>())
        }
        (runtime, _) => runtime,
    };
    let label = match (&inside, relative_to(&out, &spec)) {
        (Some(_), Some(spec_in_out)) => spec_in_out.display().to_string(),
        _ => spec.display().to_string(),
    };
    Ok(Job {
        label,
        spec,
        out,
        names: CrateNames::default(),
        standalone: Some(Standalone {
            runtime,
            third_party: third_party_dependencies(root)?,
        }),
    })
}

/// `path` relative to `base` when it lies inside it (both made absolute first).
fn relative_to(base: &Path, path: &Path) -> Option<PathBuf> {
    let absolute = |p: &Path| std::path::absolute(p).ok();
    let (base, path) = (absolute(base)?, absolute(path)?);
    path.strip_prefix(&base).ok().map(Path::to_path_buf)
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
        // This workspace's own crates (the runtime's, the seed family's) are path dependencies.
        .filter(|l| !l.trim().is_empty() && !l.starts_with('#') && !l.contains("path = "))
        .map(|l| format!("{l}\n"))
        .collect())
}

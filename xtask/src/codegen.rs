//! `cargo xtask codegen`: specs → the generated parts of the crates.
//!
//! Without flags it regenerates the workspace: `spec/api.json` into `crates/*/src/generated/` and
//! `tests/generated/`, and every codegen fixture into its snapshot crate. `--spec DIR` and
//! `--out DIR` generate one spec into another workspace folder.

use graph_codegen::Job;
use graph_spec::io::Mode;

use crate::args::Args;
use crate::import::SPEC_FILE;

pub fn run(mut args: Args) -> Result<(), String> {
    let spec_dir = args.path("--spec")?;
    let out = args.path("--out")?;
    let check = args.flag("--check");
    args.finish()?;

    let root = crate::workspace_root();
    let jobs = match (spec_dir, out) {
        (None, None) => graph_codegen::workspace_jobs(&root)
            .map_err(|e| format!("cannot list the codegen fixtures: {e}"))?,
        (spec_dir, out) => {
            let spec = spec_dir
                .unwrap_or_else(|| root.join("spec"))
                .join(SPEC_FILE);
            let label = spec.display().to_string();
            vec![Job {
                spec,
                label,
                out: out.unwrap_or_else(|| root.clone()),
                crates: graph_codegen::ALL_CRATES.to_vec(),
            }]
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

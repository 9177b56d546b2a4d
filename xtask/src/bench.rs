//! `cargo xtask bench [--quick] [--only SECTION,...]`: builds `graph-bench` and the `graph-mock`
//! binary (whose memory it measures as its own process) in release, and runs the bench (see its
//! docs).

use std::process::Command;

use crate::args::Args;

/// The variable that tells `graph-bench` which commit the checkout is at (`git describe
/// --always --dirty`), as `cargo xtask corpus` stamps its figures.
const CHECKOUT_STATE: &str = "GRAPH_BENCH_CHECKOUT";

pub fn run(mut args: Args) -> Result<(), String> {
    let quick = args.flag("--quick");
    let only = args.value("--only")?;
    args.finish()?;
    let cargo = std::env::var("CARGO").unwrap_or_else(|_| "cargo".to_owned());
    let built = Command::new(&cargo)
        .args([
            "build",
            "--release",
            "--locked",
            "-p",
            "graph-mock",
            "--bin",
            "graph-mock",
        ])
        .current_dir(crate::workspace_root())
        .status()
        .map_err(|e| format!("cannot run cargo: {e}"))?;
    if !built.success() {
        return Err("cannot build the graph-mock binary".to_owned());
    }
    let mut command = Command::new(cargo);
    command
        .args(["run", "--release", "--locked", "-p", "graph-bench", "--"])
        .current_dir(crate::workspace_root());
    // What the bench compares the corpus figures' commit with.
    if let Some(state) = crate::corpus::checkout_state(&crate::workspace_root()) {
        command.env(CHECKOUT_STATE, state);
    }
    if quick {
        command.arg("--quick");
    }
    if let Some(sections) = only {
        command.args(["--only", &sections]);
    }
    let status = command
        .status()
        .map_err(|e| format!("cannot run cargo: {e}"))?;
    if status.success() {
        Ok(())
    } else {
        Err("the benchmark missed a target (or failed); see the table".to_owned())
    }
}

//! `cargo xtask bench [--quick] [--only SECTION,...]`: builds `graph-bench` in release and runs it (see its docs).

use std::process::Command;

use crate::args::Args;

pub fn run(mut args: Args) -> Result<(), String> {
    let quick = args.flag("--quick");
    let only = args.value("--only")?;
    args.finish()?;
    let cargo = std::env::var("CARGO").unwrap_or_else(|_| "cargo".to_owned());
    let mut command = Command::new(cargo);
    command
        .args(["run", "--release", "--locked", "-p", "graph-bench", "--"])
        .current_dir(crate::workspace_root());
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

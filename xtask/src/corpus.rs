//! `cargo xtask corpus --docs DIR --out DIR [--target-dir DIR]`: the whole pipeline on a doc set.
//!
//! Imports the pages, lays out a workspace in `--out` with the hand-written parts of this
//! project's crates (model, server, client, end-to-end tests) and the code generated for the doc
//! set, builds it, runs its tests, and reports coverage and timings. It ends with the standard
//! closing line `N passed, N failed`.

use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::{Duration, Instant};

use graph_codegen::Job;
use graph_doc_import::import_files;
use graph_doc_import::manifest::folder_pages;
use graph_spec::io::{Mode, to_pretty_json};
use graph_spec::{Primitive, Property, Spec, TypeRef};

use crate::args::Args;

/// The hand-written crates copied into the corpus workspace (their `generated/` parts are
/// written by codegen), relative to the workspace root.
const COPIED: &[&str] = &["crates/model", "crates/server", "crates/client", "tests"];

/// What is not copied: generated code (codegen writes it), build output, and the project's own
/// tests and examples, which are about the project's spec, not the doc set's.
const NOT_COPIED: &[&str] = &[
    "generated",
    "target",
    "examples",
    "client_server.rs",
    "retries.rs",
];

pub fn run(mut args: Args) -> Result<(), String> {
    let docs = args.path("--docs")?.ok_or("--docs DIR is required")?;
    let out = args.path("--out")?.ok_or("--out DIR is required")?;
    let target_dir = args.path("--target-dir")?;
    args.finish()?;
    let root = crate::workspace_root();
    let out = absolute(&out)?;
    let target_dir = match target_dir {
        Some(dir) => absolute(&dir)?,
        None => out.join("target"),
    };

    let started = Instant::now();
    let imported = import_files(&folder_pages(std::slice::from_ref(&docs))?);
    println!("corpus: {imported}");
    for skipped in &imported.skipped {
        println!("  skipped {skipped}");
    }

    scaffold(&root, &out)?;
    let spec_file = out.join("spec/api.json");
    write(&spec_file, &to_pretty_json(&imported.spec))?;
    write(
        &out.join("spec/defects.json"),
        &to_pretty_json(&imported.defects),
    )?;
    let job = Job {
        spec: spec_file,
        label: "spec/api.json".to_owned(),
        out: out.clone(),
        crates: graph_codegen::ALL_CRATES.to_vec(),
    };
    let (generated, _) = graph_codegen::run(&job, Mode::Write)?;
    let generate_time = started.elapsed();
    let lines = count_generated_lines(&out)?;
    println!(
        "corpus: generated {generated} files, {lines} lines, in {:.2} s (import + codegen)",
        generate_time.as_secs_f64()
    );

    // Cold: nothing built in the target directory yet, third-party crates included.
    let cold = !target_dir.join("debug").exists();
    let build_started = Instant::now();
    cargo(&out, &target_dir, &["build", "--workspace", "--tests"])?;
    let build_time = build_started.elapsed();
    println!(
        "corpus: {} build of the generated workspace took {:.1} s",
        if cold {
            "cold"
        } else {
            "warm (dependencies built)"
        },
        build_time.as_secs_f64()
    );

    let test_output = cargo_output(
        &out,
        &target_dir,
        &["test", "--workspace", "--no-fail-fast"],
    )?;
    let contract = count_results(&test_output, "contract_cases::");
    let all = count_results(&test_output, "");
    println!(
        "corpus: contract tests: {} passed, {} failed, {} skipped as doc defects",
        contract.passed, contract.failed, contract.ignored
    );
    for failure in &all.failures {
        println!("  failed: {failure}");
    }

    let incremental_time = incremental_build(&imported.spec, &job, &target_dir)?;
    println!(
        "corpus: rebuild after a one-property spec change took {:.1} s",
        incremental_time.as_secs_f64()
    );
    let timings = serde_json::json!({
        "pages": imported.pages_read,
        "generated_lines": lines,
        "import_and_codegen_seconds": generate_time.as_secs_f64(),
        "build_seconds": build_time.as_secs_f64(),
        "cold": cold,
        "incremental_build_seconds": incremental_time.as_secs_f64(),
    });
    // `cargo xtask bench` shows these in its table.
    write(
        &root.join("target/corpus-timings.json"),
        &to_pretty_json(&timings),
    )?;

    println!("{} passed, {} failed", all.passed, all.failed);
    if all.failed > 0 {
        return Err(format!(
            "{} test(s) of the generated workspace failed",
            all.failed
        ));
    }
    Ok(())
}

/// Times the rebuild after the smallest doc change that reaches every generated crate: one
/// property more on one type. The workspace is generated from the real spec again afterwards.
fn incremental_build(spec: &Spec, job: &Job, target_dir: &Path) -> Result<Duration, String> {
    let mut changed = spec.clone();
    let type_def = changed
        .types
        .values_mut()
        .find(|t| !t.undocumented)
        .ok_or("the corpus has no documented type")?;
    type_def.properties.push(Property {
        name: "incrementalBuildProbe".to_owned(),
        type_ref: TypeRef::Primitive(Primitive::String),
        collection: false,
        nullable: true,
        read_only: false,
        description: "Added by `cargo xtask corpus` to time an incremental build.".to_owned(),
    });
    write(&job.spec, &to_pretty_json(&changed))?;
    graph_codegen::run(job, Mode::Write)?;
    let started = Instant::now();
    let built = cargo(&job.out, target_dir, &["build", "--workspace", "--tests"]);
    let elapsed = started.elapsed();
    write(&job.spec, &to_pretty_json(spec))?;
    graph_codegen::run(job, Mode::Write)?;
    built.map(|()| elapsed)
}

fn absolute(path: &Path) -> Result<PathBuf, String> {
    std::path::absolute(path).map_err(|e| format!("{}: {e}", path.display()))
}

fn write(path: &Path, text: &str) -> Result<(), String> {
    if let Some(parent) = path.parent() {
        std::fs::create_dir_all(parent).map_err(|e| format!("{}: {e}", parent.display()))?;
    }
    std::fs::write(path, text).map_err(|e| format!("{}: cannot write: {e}", path.display()))
}

/// Copies the hand-written files of the output crates and writes a workspace manifest whose
/// runtime dependencies point back at this checkout.
fn scaffold(root: &Path, out: &Path) -> Result<(), String> {
    for dir in COPIED {
        // Start from a clean copy; the target folder (if inside `out`) is kept for speed.
        let _ = std::fs::remove_dir_all(out.join(dir));
        copy_tree(&root.join(dir), &out.join(dir))?;
    }
    let manifest =
        std::fs::read_to_string(root.join("Cargo.toml")).map_err(|e| format!("Cargo.toml: {e}"))?;
    let mut text = String::new();
    for line in manifest.lines() {
        let line = if line.starts_with("members = ") {
            format!(
                "members = [{}]",
                COPIED
                    .iter()
                    .map(|c| format!("\"{c}\""))
                    .collect::<Vec<_>>()
                    .join(", ")
            )
        } else if let Some(rest) = line.split_once("path = \"crates/").map(|(_, r)| r) {
            // Runtime crates stay in this checkout; generated crates are the copies.
            let name = rest.split('"').next().unwrap_or_default();
            if COPIED.contains(&format!("crates/{name}").as_str()) {
                line.to_owned()
            } else {
                line.replace(
                    &format!("path = \"crates/{name}\""),
                    &format!("path = \"{}\"", root.join("crates").join(name).display()),
                )
            }
        } else {
            line.to_owned()
        };
        text.push_str(&line);
        text.push('\n');
    }
    write(&out.join("Cargo.toml"), &text)?;
    // The end-to-end package keeps its contract tests only.
    let tests_manifest = std::fs::read_to_string(root.join("tests/Cargo.toml"))
        .map_err(|e| format!("tests/Cargo.toml: {e}"))?;
    write(
        &out.join("tests/Cargo.toml"),
        &contract_tests_only(&tests_manifest),
    )?;
    Ok(())
}

/// The manifest without its `[[test]]` sections other than `contract`.
fn contract_tests_only(manifest: &str) -> String {
    let mut out = String::new();
    let mut section = String::new();
    let mut in_test = false;
    let flush = |section: &mut String, out: &mut String, in_test: bool| {
        if !in_test || section.contains("name = \"contract\"") {
            out.push_str(section);
        }
        section.clear();
    };
    for line in manifest.lines() {
        if line.starts_with('[') {
            flush(&mut section, &mut out, in_test);
            in_test = line.trim() == "[[test]]";
        }
        section.push_str(line);
        section.push('\n');
    }
    flush(&mut section, &mut out, in_test);
    out
}

/// Copies a folder, leaving out `generated/` folders (codegen writes those) and `target/`.
fn copy_tree(from: &Path, to: &Path) -> Result<(), String> {
    std::fs::create_dir_all(to).map_err(|e| format!("{}: {e}", to.display()))?;
    let entries = std::fs::read_dir(from).map_err(|e| format!("{}: {e}", from.display()))?;
    for entry in entries {
        let path = entry.map_err(|e| e.to_string())?.path();
        let name = path.file_name().unwrap_or_default();
        let is_crate_tests =
            name == "tests" && from.parent().is_some_and(|p| p.ends_with("crates"));
        if NOT_COPIED.iter().any(|n| name == *n) || is_crate_tests {
            continue;
        }
        if path.is_dir() {
            copy_tree(&path, &to.join(name))?;
        } else {
            std::fs::copy(&path, to.join(name)).map_err(|e| format!("{}: {e}", path.display()))?;
        }
    }
    Ok(())
}

fn count_generated_lines(out: &Path) -> Result<usize, String> {
    let mut lines = 0;
    for dir in [
        "crates/model/src/generated",
        "crates/server/src/generated",
        "crates/client/src/generated",
        "tests/generated",
    ] {
        let Ok(entries) = std::fs::read_dir(out.join(dir)) else {
            continue;
        };
        for entry in entries.flatten() {
            lines += std::fs::read_to_string(entry.path())
                .map(|t| t.lines().count())
                .unwrap_or(0);
        }
    }
    Ok(lines)
}

fn cargo_command(dir: &Path, target_dir: &Path, args: &[&str]) -> Command {
    let mut command = Command::new(std::env::var("CARGO").unwrap_or_else(|_| "cargo".to_owned()));
    command
        .args(args)
        .current_dir(dir)
        .env("CARGO_TARGET_DIR", target_dir);
    command
}

fn cargo(dir: &Path, target_dir: &Path, args: &[&str]) -> Result<(), String> {
    let status = cargo_command(dir, target_dir, args)
        .status()
        .map_err(|e| format!("cannot run cargo: {e}"))?;
    if status.success() {
        Ok(())
    } else {
        Err(format!(
            "`cargo {}` failed in {}",
            args.join(" "),
            dir.display()
        ))
    }
}

/// Runs cargo and returns its stdout, echoing it; a failing test run is reported, not an error.
fn cargo_output(dir: &Path, target_dir: &Path, args: &[&str]) -> Result<String, String> {
    let output = cargo_command(dir, target_dir, args)
        .output()
        .map_err(|e| format!("cannot run cargo: {e}"))?;
    let stdout = String::from_utf8_lossy(&output.stdout).into_owned();
    let stderr = String::from_utf8_lossy(&output.stderr);
    if stdout.lines().all(|l| !l.starts_with("test result:")) {
        return Err(format!(
            "`cargo {}` ran no tests:\n{stderr}",
            args.join(" ")
        ));
    }
    Ok(stdout)
}

#[derive(Debug, Default)]
struct Results {
    passed: usize,
    failed: usize,
    ignored: usize,
    failures: Vec<String>,
}

/// Counts `test <name> ... ok|FAILED|ignored` lines whose name starts with `prefix`.
fn count_results(output: &str, prefix: &str) -> Results {
    let mut results = Results::default();
    for line in output.lines() {
        let Some(rest) = line.strip_prefix("test ") else {
            continue;
        };
        let Some((name, outcome)) = rest.split_once(" ... ") else {
            continue;
        };
        if !name.starts_with(prefix) {
            continue;
        }
        match outcome.trim() {
            "ok" => results.passed += 1,
            "FAILED" => {
                results.failed += 1;
                results.failures.push(name.to_owned());
            }
            o if o.starts_with("ignored") => results.ignored += 1,
            _ => {}
        }
    }
    results
}

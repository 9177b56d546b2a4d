//! `cargo xtask corpus --docs DIR --out DIR [--target-dir DIR] [--expect FILE]`: the whole
//! pipeline on a doc set.
//!
//! Imports the pages, generates a standalone workspace for them in `--out` exactly as
//! `cargo xtask codegen --out` does (generated crates over this checkout's runtime crates; no
//! hand-written crate is copied), builds it, runs its tests, and reports coverage and timings.
//! It ends with the standard closing line `N passed, N failed`. Every test must pass, but for
//! the known failures `--expect` lists, and each kind of skipped case is capped by it
//! ([`expectations`]).

mod expectations;

use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::{Duration, Instant};

use graph_codegen::areas::feature_of;
use graph_codegen::{Job, RuntimeSource};
use graph_doc_import::import_files;
use graph_doc_import::manifest::folder_pages;
use graph_spec::io::{Mode, to_pretty_json};
use graph_spec::{Primitive, Property, Spec, TypeRef};

use crate::args::Args;
use expectations::{ContractRun, Expectations};

/// How the generated workspace is built: everything the tests and the mock binary (its feature
/// `cli`) need, in one feature resolution (building the binary alone would resolve features anew
/// and rebuild the model).
const BUILD: &[&str] = &[
    "build",
    "--workspace",
    "--bins",
    "--tests",
    "--features",
    "graph-mock/cli",
];

/// How its tests run: in the feature resolution of [`BUILD`], so nothing is built again.
const TEST: &[&str] = &[
    "test",
    "--workspace",
    "--no-fail-fast",
    "--features",
    "graph-mock/cli",
];

pub fn run(mut args: Args) -> Result<(), String> {
    let docs = args.path("--docs")?.ok_or("--docs DIR is required")?;
    let out = args.path("--out")?.ok_or("--out DIR is required")?;
    let target_dir = args.path("--target-dir")?;
    let expectations = match args.path("--expect")? {
        Some(file) => Expectations::read(&file)?,
        None => Expectations::default(),
    };
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

    let spec_file = out.join("spec/api.json");
    write(&spec_file, &to_pretty_json(&imported.spec))?;
    write(
        &out.join("spec/defects.json"),
        &to_pretty_json(&imported.defects),
    )?;
    let job = crate::codegen::standalone_job(
        &root,
        spec_file,
        out.clone(),
        RuntimeSource::Path(root.clone()),
    )?;
    let (generated, _) = graph_codegen::run(&job, Mode::Write)?;
    // The versions this checkout is tested with, so the third-party builds are shared with it.
    if !out.join("Cargo.lock").exists() {
        std::fs::copy(root.join("Cargo.lock"), out.join("Cargo.lock"))
            .map_err(|e| format!("cannot copy Cargo.lock: {e}"))?;
    }
    let generate_time = started.elapsed();
    let lines = count_generated_lines(&out)?;
    println!(
        "corpus: generated {generated} files, {lines} lines, in {:.2} s (import + codegen)",
        generate_time.as_secs_f64()
    );

    // Cold: nothing built in the target directory yet, third-party crates included.
    let cold = !target_dir.join("debug").exists();
    let build_started = Instant::now();
    cargo(&out, &target_dir, BUILD)?;
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

    let (test_output, tests_passed) = cargo_output(&out, &target_dir, TEST)?;
    let contract = count_results(&test_output, "cases::");
    let all = count_results(&test_output, "");
    check_test_run(&test_output, tests_passed, &contract, &all)?;
    println!(
        "corpus: contract tests: {} passed, {} failed, {} skipped",
        contract.passed,
        contract.failed,
        contract.ignored()
    );
    let verdict = expectations.judge(&ContractRun {
        passed: contract.passed,
        failures: all.failures.clone(),
        skipped: contract.skipped.clone(),
    });
    for line in &verdict.lines {
        println!("  {line}");
    }

    let mock = start_mock(&target_dir)?;
    println!(
        "corpus: the mock listens {:.3} s after it starts, answers {:.3} s after, and idles at {}",
        mock.listening.as_secs_f64(),
        mock.answered.as_secs_f64(),
        mock.idle_rss_mb
            .map_or("an unknown size".to_owned(), |mb| format!(
                "{mb:.1} MB resident"
            )),
    );

    let incremental = if std::env::var_os("CARGO_INCREMENTAL").is_some_and(|v| v == "0") {
        ", incremental compilation off"
    } else {
        ""
    };
    let mut rebuilds = Vec::new();
    for probe in probes(&imported.spec)? {
        let time = incremental_build(&imported.spec, &job, &target_dir, &probe.type_name)?;
        println!(
            "corpus: rebuild after a one-property spec change took {:.1} s (a property on `{}`, {}{incremental})",
            time.as_secs_f64(),
            probe.type_name,
            probe.why,
        );
        rebuilds.push(time);
    }
    let incremental_time = rebuilds[0];
    let largest_area_time = rebuilds.get(1).copied().unwrap_or(incremental_time);
    let timings = serde_json::json!({
        // What the figures were measured on: `cargo xtask bench` shows them as stale otherwise.
        "commit": checkout_state(&root),
        "pages": imported.pages_read,
        "generated_lines": lines,
        "import_and_codegen_seconds": generate_time.as_secs_f64(),
        "build_seconds": build_time.as_secs_f64(),
        "cold": cold,
        "incremental_build_seconds": incremental_time.as_secs_f64(),
        "incremental_build_largest_area_seconds": largest_area_time.as_secs_f64(),
        "contract_passed": contract.passed,
        "contract_failed": contract.failed,
        "contract_skipped": contract.ignored(),
        "mock_listening_seconds": mock.listening.as_secs_f64(),
        "mock_first_answer_seconds": mock.answered.as_secs_f64(),
        "mock_idle_rss_mb": mock.idle_rss_mb,
    });
    // `cargo xtask bench` shows these in its table.
    write(
        &root.join("target/corpus-timings.json"),
        &to_pretty_json(&timings),
    )?;

    println!("{} passed, {} failed", all.passed, all.failed);
    if verdict.problems.is_empty() {
        Ok(())
    } else {
        Err(format!(
            "the generated workspace's tests are not as expected:\n  {}",
            verdict.problems.join("\n  ")
        ))
    }
}

/// How the generated mock binary starts.
struct MockStart {
    /// From spawning it to its "listening" log line.
    listening: Duration,
    /// From spawning it to its first answer (a 404 for the bare base path).
    answered: Duration,
    /// Resident memory a second after that answer, where `/proc` tells it.
    idle_rss_mb: Option<f64>,
}

/// Starts the generated `graph-mock` binary (built by [`BUILD`]) on a free port, as a user runs
/// it, and measures its start and idle memory.
fn start_mock(target_dir: &Path) -> Result<MockStart, String> {
    use std::io::{BufRead, BufReader, Read, Write};

    let binary = target_dir.join("debug/graph-mock");
    let started = Instant::now();
    let mut child = Command::new(&binary)
        .args(["--port", "0"])
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::null())
        .spawn()
        .map_err(|e| format!("cannot start {}: {e}", binary.display()))?;
    let stdout = child.stdout.take().ok_or("the mock has no stdout")?;
    let mut lines = BufReader::new(stdout).lines();
    let url = loop {
        let Some(Ok(line)) = lines.next() else {
            let _ = child.kill();
            return Err("the mock exited before it listened".to_owned());
        };
        if let Some((_, url)) = line.split_once("listening on http://") {
            break url.trim().to_owned();
        }
    };
    let listening = started.elapsed();
    let (address, base_path) = url.split_once('/').unwrap_or((&url, ""));
    let path = match base_path {
        "" => "/".to_owned(),
        base => format!("/{base}/"),
    };
    let answer = (|| -> std::io::Result<String> {
        let mut stream = std::net::TcpStream::connect(address)?;
        write!(
            stream,
            "GET {path} HTTP/1.1\r\nHost: {address}\r\nConnection: close\r\n\r\n"
        )?;
        let mut reply = String::new();
        stream.read_to_string(&mut reply)?;
        Ok(reply)
    })();
    let answered = started.elapsed();
    std::thread::sleep(Duration::from_secs(1));
    let idle_rss_mb = std::fs::read_to_string(format!("/proc/{}/status", child.id()))
        .ok()
        .and_then(|status| {
            let line = status.lines().find(|l| l.starts_with("VmRSS:"))?;
            let kb: f64 = line.split_whitespace().nth(1)?.parse().ok()?;
            Some(kb / 1024.0)
        });
    let _ = child.kill();
    let _ = child.wait();
    match answer {
        Ok(reply) if reply.starts_with("HTTP/1.1 ") => Ok(MockStart {
            listening,
            answered,
            idle_rss_mb,
        }),
        Ok(reply) => Err(format!(
            "the mock answered something else than HTTP: {reply:.80}"
        )),
        Err(e) => Err(format!("the mock did not answer at {address}: {e}")),
    }
}

/// A type whose change the corpus times the rebuild after, and why it was picked.
struct Probe {
    type_name: String,
    why: String,
}

/// The types the rebuild is timed on: the first documented one (a fixed pick, not a chosen
/// one), and a type of the largest area (the most routes), whose change rebuilds the most.
fn probes(spec: &Spec) -> Result<Vec<Probe>, String> {
    let first = (spec.types.iter())
        .find(|(_, t)| !t.undocumented)
        .map(|(name, _)| name.clone())
        .ok_or("the corpus has no documented type")?;
    let mut probes = vec![Probe {
        type_name: first,
        why: "the first documented type".to_owned(),
    }];
    let area_of = |path: &graph_spec::PathTemplate| feature_of(path.segments());
    let mut routes: std::collections::BTreeMap<String, usize> = Default::default();
    for path in spec.operations.iter().flat_map(|op| &op.paths) {
        *routes.entry(area_of(path)).or_default() += 1;
    }
    let Some((largest, _)) = routes.into_iter().max_by_key(|(_, count)| *count) else {
        return Ok(probes);
    };
    // The first documented type an operation of that area answers.
    let answered = (spec.operations.iter())
        .filter(|op| op.paths.first().is_some_and(|p| area_of(p) == largest))
        .filter_map(|op| op.response.body.as_ref()?.type_ref.named())
        .find(|name| spec.types.get(*name).is_some_and(|t| !t.undocumented));
    if let Some(name) = answered.filter(|name| *name != probes[0].type_name) {
        probes.push(Probe {
            type_name: name.to_owned(),
            why: format!("a type of the largest area (feature `{largest}`)"),
        });
    }
    Ok(probes)
}

/// Times the rebuild after a small doc change: one property more on `type_name`. The workspace
/// is generated from the real spec again afterwards and built (untimed), so that the next
/// probe starts from the real spec's build.
fn incremental_build(
    spec: &Spec,
    job: &Job,
    target_dir: &Path,
    type_name: &str,
) -> Result<Duration, String> {
    let mut changed = spec.clone();
    let type_def = (changed.types.get_mut(type_name))
        .ok_or_else(|| format!("the corpus has no type `{type_name}`"))?;
    type_def.properties.push(Property {
        name: "incrementalBuildProbe".to_owned(),
        type_ref: TypeRef::Primitive(Primitive::String),
        collection: false,
        nullable: true,
        read_only: false,
        select_only: false,
        write_only: None,
        description: "Added by `cargo xtask corpus` to time an incremental build.".to_owned(),
    });
    write(&job.spec, &to_pretty_json(&changed))?;
    graph_codegen::run(job, Mode::Write)?;
    let started = Instant::now();
    let built = cargo(&job.out, target_dir, BUILD);
    let elapsed = started.elapsed();
    write(&job.spec, &to_pretty_json(spec))?;
    graph_codegen::run(job, Mode::Write)?;
    built?;
    cargo(&job.out, target_dir, BUILD)?;
    Ok(elapsed)
}

/// The checkout's commit, `-dirty` when its files differ from it (`git describe`), or `None`
/// outside git.
pub fn checkout_state(root: &Path) -> Option<String> {
    let output = Command::new("git")
        .args(["describe", "--always", "--dirty", "--abbrev=40"])
        .current_dir(root)
        .output()
        .ok()?;
    let state = String::from_utf8(output.stdout).ok()?;
    output.status.success().then(|| state.trim().to_owned())
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

/// The lines of the generated Rust code: every `.rs` file in the generated crates (the model's
/// parts included).
fn count_generated_lines(out: &Path) -> Result<usize, String> {
    let names = graph_codegen::CrateNames::default();
    let mut pending: Vec<PathBuf> = [
        names.model_dir(),
        names.mock_dir(),
        names.client_dir(),
        names.contract_dir(),
    ]
    .into_iter()
    .map(|dir| out.join(dir))
    .collect();
    let mut lines = 0;
    while let Some(dir) = pending.pop() {
        let Ok(entries) = std::fs::read_dir(&dir) else {
            continue;
        };
        for path in entries.flatten().map(|entry| entry.path()) {
            if path.is_dir() {
                pending.push(path);
            } else if path.extension().is_some_and(|e| e == "rs") {
                lines += std::fs::read_to_string(&path)
                    .map(|t| t.lines().count())
                    .unwrap_or(0);
            }
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

/// Runs cargo and returns its stdout and whether it succeeded; a failing test run is for the
/// caller to judge ([`check_test_run`]), not an error here.
fn cargo_output(dir: &Path, target_dir: &Path, args: &[&str]) -> Result<(String, bool), String> {
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
    Ok((stdout, output.status.success()))
}

/// What a test binary printed: how many tests it said it would run, the outcomes it printed,
/// and its summary line's counts, if it got that far.
#[derive(Debug, Default, PartialEq)]
struct Block {
    announced: usize,
    printed: usize,
    names_cases: bool,
    summary: Option<(usize, usize, usize)>,
}

/// The test binaries' blocks of output, from `running N tests` to `test result: ...`.
fn blocks(output: &str) -> Vec<Block> {
    let mut blocks: Vec<Block> = Vec::new();
    for line in output.lines() {
        if let Some(count) = (line.strip_prefix("running "))
            .and_then(|rest| rest.split_whitespace().next())
            .and_then(|n| n.parse().ok())
        {
            blocks.push(Block {
                announced: count,
                ..Block::default()
            });
        } else if let Some(block) = blocks.last_mut() {
            if let Some(summary) = line.strip_prefix("test result: ") {
                let count = |word: &str| {
                    (summary.split(';'))
                        .find_map(|part| {
                            part.trim()
                                .strip_suffix(word)?
                                .trim()
                                .rsplit(' ')
                                .next()?
                                .parse()
                                .ok()
                        })
                        .unwrap_or(0)
                };
                block.summary = Some((count("passed"), count("failed"), count("ignored")));
            } else if let Some(rest) = line.strip_prefix("test ")
                && rest.contains(" ... ")
            {
                block.printed += 1;
                block.names_cases |= rest.starts_with("cases::");
            }
        }
    }
    blocks
}

/// Fails unless the test run is what the pass rate may be computed from: every test binary
/// finished (a crash, an OOM kill or a stack overflow leaves a binary without its summary, and
/// its unprinted cases would vanish), the contract cases ran and were all printed, and cargo's
/// failure, if any, is the failing tests the counts already hold.
fn check_test_run(
    output: &str,
    succeeded: bool,
    contract: &Results,
    all: &Results,
) -> Result<(), String> {
    let blocks = blocks(output);
    if let Some(unfinished) = blocks.iter().find(|b| b.summary.is_none()) {
        return Err(format!(
            "a test binary stopped before its summary ({} of {} tests printed): it crashed",
            unfinished.printed, unfinished.announced
        ));
    }
    let cases: Vec<&Block> = blocks.iter().filter(|b| b.names_cases).collect();
    let [cases] = cases.as_slice() else {
        return Err(format!(
            "expected one binary of contract cases, found {}",
            cases.len()
        ));
    };
    let (passed, failed, ignored) = cases.summary.unwrap_or_default();
    let counted = (contract.passed, contract.failed, contract.ignored());
    if (passed, failed, ignored) != counted || cases.announced != passed + failed + ignored {
        return Err(format!(
            "the contract cases announced {}, summed up {passed} passed, {failed} failed, {ignored} ignored, and printed {counted:?}",
            cases.announced
        ));
    }
    if passed + failed == 0 {
        return Err("no contract case ran".to_owned());
    }
    let failures: usize = (blocks.iter())
        .filter_map(|b| b.summary)
        .map(|(_, f, _)| f)
        .sum();
    if !succeeded && (failures == 0 || failures != all.failed) {
        return Err(format!(
            "cargo test failed beyond the {} failing test(s) it printed",
            all.failed
        ));
    }
    Ok(())
}

#[derive(Debug, Default)]
struct Results {
    passed: usize,
    failed: usize,
    failures: Vec<String>,
    /// The ignored tests by the kind their reason names (`unlabelled` when it names none).
    skipped: std::collections::BTreeMap<String, usize>,
}

impl Results {
    /// How many were ignored, of any kind.
    fn ignored(&self) -> usize {
        self.skipped.values().sum()
    }
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
        // libtest-mimic pads names to one width.
        let name = name.trim_end();
        if !name.starts_with(prefix) {
            continue;
        }
        match outcome.trim() {
            "ok" => results.passed += 1,
            "FAILED" => {
                results.failed += 1;
                results.failures.push(name.to_owned());
            }
            o if o.starts_with("ignored") => {
                let reason = (o.strip_prefix("ignored ("))
                    .and_then(|r| r.strip_suffix(')'))
                    .unwrap_or_default();
                let kind = graph_codegen::contract::SkipKind::of_reason(reason)
                    .map_or("unlabelled", |kind| kind.label());
                *results.skipped.entry(kind.to_owned()).or_default() += 1;
            }
            _ => {}
        }
    }
    results
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_rebuild_is_timed_on_the_first_documented_type_and_one_of_the_largest_area() {
        let fixture = crate::workspace_root().join("crates/graph-codegen/tests/fixtures");
        let spec = graph_spec::load(&fixture.join("navigation.json")).unwrap();
        let probes = probes(&spec).unwrap();
        let picked: Vec<(&str, &str)> = (probes.iter())
            .map(|p| (p.type_name.as_str(), p.why.as_str()))
            .collect();
        // `/library` has 22 routes, `/readers` 5; the library's first operation answers one.
        assert_eq!(
            picked,
            [
                ("book", "the first documented type"),
                ("library", "a type of the largest area (feature `library`)"),
            ]
        );
    }

    const CASES: &str = "\
running 3 tests
test cases::a ... ok
test cases::b ... FAILED
test cases::c ... ignored

test result: FAILED. 1 passed; 1 failed; 1 ignored; 0 measured; 0 filtered out
";

    fn check(output: &str, succeeded: bool) -> Result<(), String> {
        let (contract, all) = (count_results(output, "cases::"), count_results(output, ""));
        check_test_run(output, succeeded, &contract, &all)
    }

    #[test]
    fn a_run_is_judged_by_its_binaries_summaries_and_cargos_status() {
        let doctests = "running 1 test\ntest src/lib.rs - x ... ok\n\ntest result: ok. 1 passed; 0 failed; 0 ignored\n";
        assert_eq!(check(&format!("{CASES}{doctests}"), false), Ok(()));
        // The cases binary died after two cases: no summary.
        let crashed = CASES.rsplit_once("\ntest result").unwrap().0;
        let error = check(&format!("{crashed}\n{doctests}"), false).unwrap_err();
        assert!(error.contains("crashed"), "{error}");
        // It died before printing anything of its own: only the doctests are left.
        let error = check(doctests, false).unwrap_err();
        assert!(error.contains("one binary of contract cases"), "{error}");
        // Cargo failed, but no test did: a build or harness failure.
        let passing = CASES
            .replace("... FAILED", "... ok")
            .replace("1 passed; 1 failed", "2 passed; 0 failed");
        let error = check(&passing, false).unwrap_err();
        assert!(error.contains("beyond"), "{error}");
        assert_eq!(check(&passing, true), Ok(()));
        // A case line lost from the output.
        let lost = CASES.replace("test cases::a ... ok\n", "");
        assert!(check(&lost, false).is_err());
        // Nothing ran.
        let none = "running 1 test\ntest cases::a ... ignored\n\ntest result: ok. 0 passed; 0 failed; 1 ignored\n";
        assert_eq!(check(none, true), Err("no contract case ran".to_owned()));
    }

    #[test]
    fn results_are_counted_from_padded_lines_with_ignore_reasons() {
        let output = "\
running 5 tests
test cases::a       ... ok
test cases::b_long  ... FAILED
test cases::c       ... ignored (redirect: not covered: the answer is a 302)
test cases::d       ... ignored
test other::e       ... ok

test result: FAILED. 2 passed; 1 failed; 2 ignored; 0 measured; 0 filtered out
";
        let results = count_results(output, "cases::");
        assert_eq!(
            (results.passed, results.failed, results.ignored()),
            (1, 1, 2)
        );
        assert_eq!(results.failures, ["cases::b_long"]);
        let skipped: Vec<(&str, usize)> = (results.skipped.iter())
            .map(|(kind, n)| (kind.as_str(), *n))
            .collect();
        assert_eq!(skipped, [("redirect", 1), ("unlabelled", 1)]);
    }
}

//! `graph-bench` (run it with `cargo xtask bench [--quick]`): measures the mock against the
//! floor, list scaling, memory, client overhead and codegen speed in one run, and prints a table
//! of ratios and targets. A missed target makes the full run exit non-zero; `--quick` is a smoke
//! run (short, small) whose timings are not enforced, but a measurement that cannot be made (a
//! server that does not start, `wrk` failing or missing) fails either run; `--only SECTION,...`
//! runs some of the sections (see [`Section`]).

mod binary;
mod report;
mod sections;
mod wrk;

use std::process::ExitCode;
use std::time::Duration;

use sections::{Section, Settings};

// mimalloc's per-thread heaps: the request path allocates on every worker thread, and glibc's
// arena locks showed up in the load profile (see docs/performance.md).
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

/// The sections the command line asks for: all of them, or those `--only` names.
fn sections(args: &[String]) -> Result<Vec<Section>, String> {
    let Some(position) = args.iter().position(|a| a == "--only") else {
        return Ok(Section::ALL.to_vec());
    };
    let list = args
        .get(position + 1)
        .ok_or("--only needs a comma-separated list of sections")?;
    let wanted: Vec<&str> = list.split(',').map(str::trim).collect();
    let known = || Section::ALL.map(Section::name).join(", ");
    if let Some(unknown) = wanted
        .iter()
        .find(|w| !Section::ALL.iter().any(|s| s.name() == **w))
    {
        return Err(format!("unknown section `{unknown}` (known: {})", known()));
    }
    Ok(Section::ALL
        .into_iter()
        .filter(|s| wanted.contains(&s.name()))
        .collect())
}

#[tokio::main]
async fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let quick = args.iter().any(|a| a == "--quick");
    let sections = match sections(&args) {
        Ok(sections) => sections,
        Err(message) => {
            eprintln!("graph-bench: {message}");
            return ExitCode::from(2);
        }
    };
    let settings = if quick {
        Settings {
            cell: Duration::from_millis(300),
            rounds: 1,
            sizes: vec![1_000, 10_000],
            memory_entities: 10_000,
            soak: Duration::from_secs(2),
            client_requests: 200,
            cold_build: false,
        }
    } else {
        Settings {
            cell: Duration::from_secs(10),
            rounds: 10,
            sizes: vec![1_000, 100_000, 1_000_000],
            memory_entities: 1_000_000,
            soak: Duration::from_secs(60),
            client_requests: 5_000,
            cold_build: true,
        }
    };
    let every_section = sections.len() == Section::ALL.len();
    let mut rows = Vec::new();
    for section in sections {
        section.run(&settings, &mut rows).await;
    }
    print!("{}", report::table(&rows));
    // A full run of every section is the record the docs quote; a quick or partial run is not.
    if !quick && every_section {
        let checkout = std::env::var("GRAPH_BENCH_CHECKOUT").ok();
        let page = report::page(&rows, checkout.as_deref());
        let file =
            std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../../docs/benchmarks.md");
        match std::fs::write(&file, page) {
            Ok(()) => println!("\nwrote {}", file.display()),
            Err(e) => eprintln!("graph-bench: cannot write {}: {e}", file.display()),
        }
    }
    let missed = rows.iter().filter(|r| r.met == Some(false)).count();
    let errors = rows.iter().filter(|r| r.error).count();
    if errors > 0 {
        println!("\n{errors} measurement(s) could not be made: see the rows marked error");
        ExitCode::FAILURE
    } else if quick {
        println!(
            "\nquick run: {missed} target(s) missed (not enforced; timings of a smoke run mean little)"
        );
        ExitCode::SUCCESS
    } else if missed > 0 {
        println!("\n{missed} target(s) missed");
        ExitCode::FAILURE
    } else {
        println!("\nall targets met");
        ExitCode::SUCCESS
    }
}

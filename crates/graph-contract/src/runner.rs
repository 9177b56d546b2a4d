//! The runner of generated contract cases: each area's case crate lists its cases
//! ([`Case`]), and the contract-test binary hands every list to [`run`] with its mock's `API`.
//!
//! The cases are plain async functions of a [`Harness`] rather than `#[tokio::test]`s, so that
//! a case crate depends on its area's client and not on the mock: a change to one area's types
//! rebuilds that area's cases only. The runner is libtest-mimic, so the binary takes the usual
//! `cargo test` arguments (filters, `--ignored`, `--test-threads`) and prints the usual lines.

use std::future::Future;
use std::pin::Pin;
use std::process::ExitCode;

use graph_mock_runtime::Api;
use libtest_mimic::{Arguments, Completion, Trial};

use crate::Harness;

/// A running case.
pub type CaseFuture = Pin<Box<dyn Future<Output = ()>>>;

/// One generated contract case: a doc example.
#[derive(Debug, Clone, Copy)]
pub struct Case {
    /// Its name, unique over every area.
    pub name: &'static str,
    /// What it runs (it panics on a mismatch), or why it is skipped.
    pub run: Result<fn(Harness) -> CaseFuture, &'static str>,
}

impl Case {
    /// A case that runs `run` against a fresh mock.
    pub const fn new(name: &'static str, run: fn(Harness) -> CaseFuture) -> Case {
        Case { name, run: Ok(run) }
    }

    /// A case skipped for `reason` (a doc defect, or what the mock does not model): listed,
    /// counted as ignored, and printed with its reason (`... ignored (doc defect: ...)`).
    pub const fn skipped(name: &'static str, reason: &'static str) -> Case {
        Case {
            name,
            run: Err(reason),
        }
    }
}

/// Runs the cases of every area against a mock of `api` started for each case, as `cargo test`
/// would run tests named `cases::<name>`. Returns the exit code: failure when any case failed.
pub fn run(api: &'static Api, areas: &[fn() -> Vec<Case>]) -> ExitCode {
    libtest_mimic::run(&Arguments::from_args(), trials(api, areas)).exit_code()
}

/// The libtest-mimic trials of every area's cases, as [`run`] runs them.
pub fn trials(api: &'static Api, areas: &[fn() -> Vec<Case>]) -> Vec<Trial> {
    (areas.iter())
        .flat_map(|cases| cases())
        .map(|case| trial(api, case))
        .collect()
}

fn trial(api: &'static Api, case: Case) -> Trial {
    let name = format!("cases::{}", case.name);
    match case.run {
        Ok(run) => Trial::test(name, move || {
            // A runtime per case, as `#[tokio::test]` makes one per test.
            let runtime = tokio::runtime::Builder::new_current_thread()
                .enable_all()
                .build()
                .map_err(|e| format!("cannot start a runtime: {e}"))?;
            runtime.block_on(async { run(Harness::start(api).await).await });
            Ok(())
        }),
        // Ignored when it runs rather than flagged beforehand: libtest-mimic prints the reason
        // only of the former.
        Err(reason) => Trial::ignorable_test(name, move || Ok(Completion::ignored_with(reason))),
    }
}

//! What a doc set's contract run is expected to give (`cargo xtask corpus --expect FILE`): the
//! largest share of the cases each kind of skip may take, and the cases known to fail, by name.
//!
//! Every case that runs must pass unless it is listed; a listed case that passes (or is gone)
//! fails the gate too, so the list only shrinks. A skip kind without a cap may skip nothing, so
//! a change that turns cases into skips of a new kind, or more of an old one, is heard.

use std::collections::BTreeMap;
use std::path::Path;

use graph_codegen::contract::SkipKind;
use serde::Deserialize;

/// The expectations of one doc set, as checked in.
#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Expectations {
    /// By skip kind (`redirect`), the largest share of the contract cases it may skip.
    #[serde(default)]
    pub max_skip_rate: BTreeMap<String, f64>,
    /// The cases known to fail (`cases::name`), each with why.
    #[serde(default)]
    pub known_failures: BTreeMap<String, String>,
}

impl Expectations {
    /// Reads `path`; a file that does not parse is an error naming it and the JSON path.
    pub fn read(path: &Path) -> Result<Expectations, String> {
        let text = std::fs::read_to_string(path)
            .map_err(|e| format!("{}: cannot read: {e}", path.display()))?;
        let expectations: Expectations = serde_json::from_str(&text)
            .map_err(|e| format!("{}: not expectations: {e}", path.display()))?;
        for kind in expectations.max_skip_rate.keys() {
            if !SkipKind::ALL.iter().any(|k| k.label() == kind) {
                return Err(format!(
                    "{}: max_skip_rate.{kind}: no such skip kind (the kinds: {})",
                    path.display(),
                    SkipKind::ALL.map(SkipKind::label).join(", ")
                ));
            }
        }
        Ok(expectations)
    }

    /// Judges a contract run: the lines it prints (a skip kind's share and cap, the failures
    /// and whether each was known) and the problems, if any.
    pub fn judge(&self, run: &ContractRun) -> Verdict {
        let mut verdict = Verdict::default();
        let total = run.total().max(1) as f64;
        for (kind, &count) in &run.skipped {
            let rate = count as f64 / total;
            let cap = self.max_skip_rate.get(kind).copied().unwrap_or(0.0);
            verdict.lines.push(format!(
                "skipped {count} ({:.2}% of the cases, cap {:.2}%): {kind}",
                rate * 100.0,
                cap * 100.0
            ));
            if rate > cap {
                verdict.problems.push(format!(
                    "{count} case(s) skipped as `{kind}` ({:.2}%), more than the cap of {:.2}%",
                    rate * 100.0,
                    cap * 100.0
                ));
            }
        }
        for failure in &run.failures {
            match self.known_failures.get(failure) {
                Some(why) => verdict
                    .lines
                    .push(format!("failed (known: {why}): {failure}")),
                None => {
                    verdict.lines.push(format!("failed: {failure}"));
                    verdict.problems.push(format!("{failure} failed"));
                }
            }
        }
        for known in self.known_failures.keys() {
            if !run.failures.contains(known) {
                verdict.problems.push(format!(
                    "{known} is listed as a known failure but did not fail: remove it from the list"
                ));
            }
        }
        verdict
    }
}

/// The outcome of the contract cases, as the gate counts it.
#[derive(Debug, Default, Clone, PartialEq)]
pub struct ContractRun {
    /// How many passed.
    pub passed: usize,
    /// The names of those that failed.
    pub failures: Vec<String>,
    /// By kind (`unlabelled` for a reason that names none), how many were skipped.
    pub skipped: BTreeMap<String, usize>,
}

impl ContractRun {
    /// Every case, run or skipped.
    pub fn total(&self) -> usize {
        self.passed + self.failures.len() + self.skipped.values().sum::<usize>()
    }
}

/// What [`Expectations::judge`] found.
#[derive(Debug, Default)]
pub struct Verdict {
    /// What to print.
    pub lines: Vec<String>,
    /// Why the gate fails; empty when it passes.
    pub problems: Vec<String>,
}

#[cfg(test)]
mod tests {
    use super::*;

    fn run() -> ContractRun {
        ContractRun {
            passed: 96,
            failures: vec!["cases::b".to_owned()],
            skipped: BTreeMap::from([("redirect".to_owned(), 3)]),
        }
    }

    #[test]
    fn failures_must_be_known_and_known_failures_must_fail() {
        let mut expected = Expectations {
            max_skip_rate: BTreeMap::from([("redirect".to_owned(), 0.05)]),
            known_failures: BTreeMap::new(),
        };
        assert_eq!(expected.judge(&run()).problems, ["cases::b failed"]);
        expected
            .known_failures
            .insert("cases::b".to_owned(), "a doc defect".to_owned());
        assert!(expected.judge(&run()).problems.is_empty());
        let fixed = ContractRun {
            failures: Vec::new(),
            ..run()
        };
        let problems = expected.judge(&fixed).problems;
        assert_eq!(problems.len(), 1);
        assert!(problems[0].contains("did not fail"), "{problems:?}");
    }

    #[test]
    fn each_skip_kind_is_capped_and_an_uncapped_kind_may_skip_nothing() {
        let mut expected = Expectations {
            known_failures: BTreeMap::from([("cases::b".to_owned(), "known".to_owned())]),
            ..Expectations::default()
        };
        let problems = expected.judge(&run()).problems;
        assert!(problems[0].contains("`redirect` (3.00%)"), "{problems:?}");
        expected.max_skip_rate.insert("redirect".to_owned(), 0.02);
        assert_eq!(expected.judge(&run()).problems.len(), 1);
        expected.max_skip_rate.insert("redirect".to_owned(), 0.03);
        assert!(expected.judge(&run()).problems.is_empty());
    }

    #[test]
    fn an_unknown_kind_in_the_file_is_named() {
        let dir = std::env::temp_dir().join(format!("expectations-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let file = dir.join("e.json");
        std::fs::write(&file, r#"{"max_skip_rate": {"redirects": 0.1}}"#).unwrap();
        let error = Expectations::read(&file).unwrap_err();
        assert!(error.contains("max_skip_rate.redirects"), "{error}");
        std::fs::write(&file, r#"{"known_failure": {}}"#).unwrap();
        let error = Expectations::read(&file).unwrap_err();
        assert!(error.contains("unknown field"), "{error}");
        std::fs::remove_dir_all(&dir).unwrap();
    }
}

//! graph-contract's runner, which runs the generated contract cases: a case that returns
//! passes, one that panics (a mismatch with the doc) fails, and a skipped one is counted as
//! ignored, with its reason; every case gets a mock of its own.

use graph_contract::{Case, CaseFuture, Harness};
use libtest_mimic::Arguments;

fn passes(h: Harness) -> CaseFuture {
    Box::pin(async move {
        // A fresh mock: nothing seeded by another case.
        let page = seed_client::Client::from(h.transport.clone())
            .device_management()
            .domain_join_connectors()
            .list()
            .send()
            .await
            .expect("the mock answers");
        assert!(page.value.is_empty());
        h.seed(
            "/deviceManagement/domainJoinConnectors",
            serde_json::json!({ "id": "c1" }),
        );
    })
}

fn fails(h: Harness) -> CaseFuture {
    Box::pin(async move {
        let status = h.last_status();
        assert_eq!(status, Some(200), "no request was sent, so this case fails");
    })
}

fn cases() -> Vec<Case> {
    Vec::from([
        Case::new("passes", passes),
        Case::new("passes_again", passes),
        Case::new("fails", fails),
        Case::skipped("skipped", "doc defect: none"),
    ])
}

#[test]
fn a_panicking_case_fails_and_a_skipped_one_is_ignored() {
    // The runner's own report (with its "FAILED") goes to a file, not into this test's output.
    let log = std::env::temp_dir().join(format!("contract-runner-{}.log", std::process::id()));
    let arguments = Arguments {
        test_threads: Some(1),
        logfile: Some(log.display().to_string()),
        ..Arguments::default()
    };
    let trials = graph_contract::trials(&seed_mock::API, &[cases]);
    let names: Vec<&str> = trials.iter().map(|t| t.name()).collect();
    assert_eq!(
        names,
        [
            "cases::passes",
            "cases::passes_again",
            "cases::fails",
            "cases::skipped"
        ]
    );
    let conclusion = libtest_mimic::run(&arguments, trials);
    assert_eq!(
        (
            conclusion.num_passed,
            conclusion.num_failed,
            conclusion.num_ignored
        ),
        (2, 1, 1)
    );
    assert!(conclusion.has_failed());
    let report = std::fs::read_to_string(&log).unwrap_or_default();
    let _ = std::fs::remove_file(&log);
    assert!(report.contains("no request was sent"), "{report}");
    let skipped = report.lines().find(|l| l.contains("cases::skipped"));
    assert!(
        skipped.is_some_and(|l| l.ends_with("ignored (doc defect: none)")),
        "{report}"
    );
}

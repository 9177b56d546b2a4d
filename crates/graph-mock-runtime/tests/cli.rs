//! The binary's flags: fixtures, the admin switch, fault flags, and clear errors for bad input.

mod common;

use std::process::Command;

fn mock() -> Command {
    let mut command = Command::new(common::mock_binary());
    command.env("NO_COLOR", "1").env("RUST_LOG", "info");
    command
}

#[tokio::test]
async fn fixtures_load_and_no_admin_hides_the_admin_routes() {
    let dir = tempfile::tempdir().unwrap();
    let fixtures = dir.path().join("fixtures.json");
    std::fs::write(&fixtures, r#"{"/deviceManagement/domainJoinConnectors": [{"id": "f1", "displayName": "From a fixture"}]}"#).unwrap();
    let args = [
        "--port",
        "0",
        "--no-admin",
        "--latency",
        "1..3",
        "--throttle",
        "1000/1s",
        "--fixtures",
    ];
    let mut args: Vec<&std::ffi::OsStr> = args.iter().map(std::ffi::OsStr::new).collect();
    args.push(fixtures.as_os_str());
    let (mut child, url) = common::start_binary(&args);
    let http = reqwest::Client::new();
    let fixture: serde_json::Value = http
        .get(format!("{url}/deviceManagement/domainJoinConnectors/f1"))
        .bearer_auth("t")
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(fixture["displayName"], "From a fixture");
    let admin = http
        .get(format!("{url}/$mock/requests"))
        .bearer_auth("t")
        .send()
        .await
        .unwrap();
    assert_eq!(admin.status().as_u16(), 404);
    child.kill().unwrap();
    child.wait().unwrap();
}

#[test]
fn bad_flags_and_files_fail_with_a_clear_message() {
    for (args, needle) in [
        (vec!["--throttle", "lots"], "N/WINDOW"),
        (vec!["--latency", "9..1"], "MIN is larger than MAX"),
        (vec!["--error-rate", "2"], "--error-rate"),
        (
            vec!["--fixtures", "/no/such/file.json"],
            "/no/such/file.json",
        ),
        (
            vec!["--faults", "/no/such/faults.json"],
            "/no/such/faults.json",
        ),
    ] {
        let output = mock().args(["--port", "0"]).args(&args).output().unwrap();
        assert!(!output.status.success(), "{args:?} is refused");
        let stderr = String::from_utf8_lossy(&output.stderr);
        assert!(stderr.contains(needle), "{args:?}: {stderr}");
    }
}

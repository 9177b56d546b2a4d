//! The binary's flags: fixtures, the admin switch, fault flags, and clear errors for bad input.

use crate::common;
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
        (vec!["--tls-cert-out", "/tmp/x.pem"], "--tls"),
        (vec!["--tls-cert", "/tmp/x.pem"], "--tls-key"),
        (
            vec![
                "--tls-cert",
                "/no/such/cert.pem",
                "--tls-key",
                "/no/such/key.pem",
            ],
            "/no/such/cert.pem",
        ),
    ] {
        let output = mock().args(["--port", "0"]).args(&args).output().unwrap();
        assert!(!output.status.success(), "{args:?} is refused");
        let stderr = String::from_utf8_lossy(&output.stderr);
        assert!(stderr.contains(needle), "{args:?}: {stderr}");
    }
}

#[tokio::test]
async fn tls_serves_https_with_a_certificate_written_for_clients() {
    let dir = tempfile::tempdir().unwrap();
    let certificate = dir.path().join("mock.pem");
    let mut args: Vec<&std::ffi::OsStr> = ["--port", "0", "--tls", "--tls-cert-out"]
        .iter()
        .map(std::ffi::OsStr::new)
        .collect();
    args.push(certificate.as_os_str());
    let (mut child, url) = common::start_binary(&args);
    assert!(url.starts_with("https://"), "{url}");
    let pem = std::fs::read(&certificate).expect("the certificate was written");
    let trusting = reqwest::Client::builder()
        .add_root_certificate(reqwest::Certificate::from_pem(&pem).unwrap())
        .build()
        .unwrap();
    let listed = trusting
        .get(format!("{url}/deviceManagement/domainJoinConnectors"))
        .bearer_auth("t")
        .send()
        .await
        .unwrap();
    assert_eq!(listed.status().as_u16(), 200);
    let untrusting = reqwest::Client::new()
        .get(format!("{url}/deviceManagement/domainJoinConnectors"))
        .send()
        .await;
    assert!(
        untrusting.is_err(),
        "a client that does not trust it cannot connect"
    );
    child.kill().unwrap();
    child.wait().unwrap();
}

#[test]
fn a_log_that_is_not_a_terminal_has_no_colour_codes() {
    use std::io::{BufRead, BufReader};
    let mut child = Command::new(common::mock_binary())
        .args(["--port", "0"])
        .env_remove("NO_COLOR")
        .env("RUST_LOG", "info")
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::null())
        .spawn()
        .unwrap();
    let mut first = String::new();
    BufReader::new(child.stdout.take().unwrap())
        .read_line(&mut first)
        .unwrap();
    child.kill().unwrap();
    child.wait().unwrap();
    assert!(first.contains("listening on http://"), "{first}");
    assert!(
        !first.contains('\u{1b}'),
        "escape codes in a piped log: {first:?}"
    );
}

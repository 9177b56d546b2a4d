//! The binary's flags: another spec, fixtures, the admin switch, fault flags, and clear errors
//! for bad input.

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

/// The `navigation` codegen fixture, a spec no crate of this workspace's mock was generated
/// from.
fn navigation_spec() -> std::path::PathBuf {
    std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../graph-codegen/tests/fixtures/navigation.json")
}

/// `--spec` serves another spec, with nothing generated or compiled for it: its routes answer,
/// and the built-in spec's do not.
#[tokio::test]
async fn spec_serves_another_spec_without_compiling() {
    let spec = navigation_spec();
    let args = ["--port", "0", "--auth", "none", "--spec"];
    let mut args: Vec<&std::ffi::OsStr> = args.iter().map(std::ffi::OsStr::new).collect();
    args.push(spec.as_os_str());
    let (mut child, url) = common::start_binary(&args);
    let http = reqwest::Client::new();
    let created: serde_json::Value = http
        .post(format!("{url}/library/shelves"))
        .json(&serde_json::json!({ "label": "Poetry" }))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(
        created["@odata.type"], "#microsoft.graph.shelf",
        "{created}"
    );
    let id = created["id"].as_str().unwrap();
    let read = http
        .get(format!("{url}/library/shelves/{id}"))
        .send()
        .await
        .unwrap();
    assert_eq!(read.status().as_u16(), 200);
    let built_in = http
        .get(format!("{url}/deviceManagement/domainJoinConnectors"))
        .send()
        .await
        .unwrap();
    assert_eq!(built_in.status().as_u16(), 404);
    child.kill().unwrap();
    child.wait().unwrap();
}

/// A spec that cannot be served is refused at start with the loader's words (the file and the
/// JSON path), exit code 2, and nothing served.
#[test]
fn a_spec_that_does_not_load_is_refused_with_its_json_path() {
    let dir = tempfile::tempdir().unwrap();
    let unknown_field = dir.path().join("unknown-field.json");
    std::fs::write(
        &unknown_field,
        r#"{"namespace": "microsoft.graph", "typos": {}}"#,
    )
    .unwrap();
    let mut invalid: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(navigation_spec()).unwrap()).unwrap();
    invalid["types"]["shelf"]["baseType"] = "noSuchType".into();
    let invalid_file = dir.path().join("invalid.json");
    std::fs::write(&invalid_file, invalid.to_string()).unwrap();
    let empty_folder = dir.path().join("empty");
    std::fs::create_dir(&empty_folder).unwrap();
    for (spec, needles) in [
        (unknown_field.clone(), vec!["unknown-field.json", "`typos`"]),
        (invalid_file, vec!["invalid.json", "types.shelf.baseType"]),
        (empty_folder, vec!["api.json", "cannot read"]),
        (dir.path().join("missing"), vec!["missing", "cannot read"]),
    ] {
        let output = mock()
            .args(["--port", "0", "--spec"])
            .arg(&spec)
            .output()
            .unwrap();
        let stderr = String::from_utf8_lossy(&output.stderr);
        assert_eq!(
            output.status.code(),
            Some(2),
            "{}: {stderr}",
            spec.display()
        );
        assert_eq!(stderr.lines().count(), 1, "one line: {stderr}");
        assert!(stderr.starts_with("error: --spec: "), "{stderr}");
        for needle in needles {
            assert!(stderr.contains(needle), "{}: {stderr}", spec.display());
        }
    }
}

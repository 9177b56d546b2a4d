//! Downloads over HTTP, on the `navigation` fixture's generated mock, whose docs make
//! `/library/getLoanActivity(period=...)` a usage report: `302 Found` to a CSV file that needs no
//! `Authorization` header, or the rows as JSON for `$format=application/json`.

use graph_mock_runtime::Config;
use reqwest::StatusCode;
use reqwest::header::LOCATION;
use serde_json::Value;

use crate::common::Harness;

const TOKEN: &str = "Bearer test-token";

async fn mock() -> Harness {
    Harness::on(&snapshot_navigation_mock::API, Config::default()).await
}

/// A client that sees redirects instead of following them.
fn client() -> reqwest::Client {
    reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .unwrap()
}

/// `GET url` with a token, redirects not followed.
async fn get(url: &str) -> reqwest::Response {
    client()
        .get(url)
        .header("Authorization", TOKEN)
        .send()
        .await
        .unwrap()
}

#[tokio::test]
async fn a_report_redirects_to_its_csv_file_which_needs_no_token() {
    let server = mock().await;
    let report = format!("{}/library/getLoanActivity(period='D7')", server.base_url());
    for url in [report.clone(), format!("{report}?$format=text/csv")] {
        let answer = get(&url).await;
        assert_eq!(answer.status(), StatusCode::FOUND, "{url}");
        let file = answer.headers()[LOCATION].to_str().unwrap().to_owned();
        assert!(file.starts_with(&server.base_url()), "{file}");
        // Preauthenticated, as the service's download URLs are.
        let download = client().get(&file).send().await.unwrap();
        assert_eq!(download.status(), StatusCode::OK);
        assert_eq!(
            download.headers()["content-type"],
            "application/octet-stream"
        );
        let content = download.text().await.unwrap();
        assert_eq!(content, "Report Refresh Date,Loans,Report Period\r\n");
    }
}

#[tokio::test]
async fn a_report_answers_json_rows_for_format_json() {
    let server = mock().await;
    let url = format!(
        "{}/library/getLoanActivity(period='D7')?$format=application/json",
        server.base_url()
    );
    let answer = get(&url).await;
    assert_eq!(answer.status(), StatusCode::OK);
    let body: Value = answer.json().await.unwrap();
    assert_eq!(body["value"][0]["loans"], 12, "{body}");
    assert!(body["@odata.context"].is_string(), "{body}");
}

#[tokio::test]
async fn bad_report_requests_get_graph_errors() {
    let server = mock().await;
    let base = server.base_url();
    let cases = [
        // Not a format the service offers.
        (
            format!("{base}/library/getLoanActivity(period='D7')?$format=text/xml"),
            400,
            "text/xml",
        ),
        // Reports take no other query options.
        (
            format!("{base}/library/getLoanActivity(period='D7')?$top=1"),
            400,
            "$top",
        ),
        // The documented argument is `period`.
        (
            format!("{base}/library/getLoanActivity(days=7)"),
            400,
            "days",
        ),
        // No such download.
        (format!("{base}/$download/9999"), 404, "9999"),
        (format!("{base}/$download/x"), 404, "'x'"),
    ];
    for (url, status, named) in cases {
        let answer = get(&url).await;
        assert_eq!(answer.status().as_u16(), status, "{url}");
        let body: Value = answer.json().await.unwrap();
        let message = body["error"]["message"].as_str().unwrap_or_default();
        assert!(message.contains(named), "{url}: {body}");
    }
}

/// A file's content (a get whose doc answers `302 Found`): a redirect to an empty file, under
/// a parent that exists.
#[tokio::test]
async fn a_files_content_redirects_under_an_existing_parent() {
    let server = mock().await;
    let base = server.base_url();
    let missing = get(&format!("{base}/library/shelves/s1/content")).await;
    assert_eq!(missing.status(), StatusCode::NOT_FOUND);
    let created = client()
        .post(format!("{base}/library/shelves"))
        .header("Authorization", TOKEN)
        .json(&serde_json::json!({ "id": "s1", "label": "Poetry" }))
        .send()
        .await
        .unwrap();
    assert_eq!(created.status(), StatusCode::CREATED);
    let answer = get(&format!("{base}/library/shelves/s1/content")).await;
    assert_eq!(answer.status(), StatusCode::FOUND);
    let file = answer.headers()[LOCATION].to_str().unwrap().to_owned();
    let download = client().get(&file).send().await.unwrap();
    assert_eq!(download.status(), StatusCode::OK);
    assert!(download.bytes().await.unwrap().is_empty());
    // A file's `format` is a conversion target, not a report's format.
    let converted = get(&format!("{base}/library/shelves/s1/content?format=pdf")).await;
    assert_eq!(converted.status(), StatusCode::FOUND);
}

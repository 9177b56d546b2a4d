//! Retries against a tiny axum server that throttles on purpose.

use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::{Duration, Instant};

use axum::Router;
use axum::http::{HeaderMap, StatusCode};
use axum::response::IntoResponse;
use axum::routing::post;
use seed_client::{Client, RetryPolicy};
use seed_model::DeviceManagementDomainJoinConnector;

/// Serves `POST /beta/deviceManagement/domainJoinConnectors`, answering `status` with
/// `retry_after` for the first `failures` calls, then 201. Returns the base URL and a call counter.
async fn throttling_server(
    failures: usize,
    status: StatusCode,
    retry_after: Option<&'static str>,
) -> (String, Arc<AtomicUsize>) {
    let calls = Arc::new(AtomicUsize::new(0));
    let counter = Arc::clone(&calls);
    let app = Router::new().route(
        "/beta/deviceManagement/domainJoinConnectors",
        post(move || {
            let counter = Arc::clone(&counter);
            async move {
                let call = counter.fetch_add(1, Ordering::SeqCst);
                if call < failures {
                    let mut headers = HeaderMap::new();
                    if let Some(after) = retry_after {
                        headers.insert("retry-after", after.parse().unwrap());
                    }
                    let body = r#"{"error":{"code":"TooManyRequests","message":"slow down"}}"#;
                    (
                        status,
                        headers,
                        [("content-type", "application/json")],
                        body,
                    )
                        .into_response()
                } else {
                    (
                        StatusCode::CREATED,
                        [("content-type", "application/json")],
                        r#"{"id":"1","displayName":"ok"}"#,
                    )
                        .into_response()
                }
            }
        }),
    );
    let listener = tokio::net::TcpListener::bind(("127.0.0.1", 0))
        .await
        .unwrap();
    let address = listener.local_addr().unwrap();
    tokio::spawn(async move { axum::serve(listener, app).await.ok() });
    (format!("http://{address}/beta"), calls)
}

fn client(base_url: &str, max_attempts: u32) -> Client {
    let retry = RetryPolicy {
        max_attempts,
        max_total: Duration::from_secs(30),
        base_delay: Duration::from_millis(10),
    };
    Client::builder()
        .base_url(base_url)
        .token("t")
        .retry(retry)
        .build()
        .unwrap()
}

#[tokio::test]
async fn retry_after_is_honoured_until_success() {
    let (url, calls) = throttling_server(2, StatusCode::TOO_MANY_REQUESTS, Some("1")).await;
    let started = Instant::now();
    let created = client(&url, 4)
        .device_management()
        .domain_join_connectors()
        .create(&DeviceManagementDomainJoinConnector::default())
        .await
        .unwrap();
    let elapsed = started.elapsed();
    assert_eq!(created.display_name.as_deref(), Some("ok"));
    assert_eq!(calls.load(Ordering::SeqCst), 3, "two 429s, then the 201");
    assert!(
        elapsed >= Duration::from_millis(1900) && elapsed < Duration::from_secs(10),
        "waited Retry-After twice: {elapsed:?}"
    );
}

#[tokio::test]
async fn the_error_comes_back_once_the_attempts_are_spent() {
    let (url, calls) =
        throttling_server(usize::MAX, StatusCode::TOO_MANY_REQUESTS, Some("0")).await;
    let error = client(&url, 3)
        .device_management()
        .domain_join_connectors()
        .create(&DeviceManagementDomainJoinConnector::default())
        .await
        .unwrap_err();
    assert_eq!(
        (error.status(), error.code()),
        (Some(StatusCode::TOO_MANY_REQUESTS), Some("TooManyRequests"))
    );
    assert_eq!(calls.load(Ordering::SeqCst), 3);
}

#[tokio::test]
async fn a_503_without_retry_after_backs_off_and_recovers() {
    let (url, calls) = throttling_server(1, StatusCode::SERVICE_UNAVAILABLE, None).await;
    client(&url, 4)
        .device_management()
        .domain_join_connectors()
        .create(&DeviceManagementDomainJoinConnector::default())
        .await
        .unwrap();
    assert_eq!(calls.load(Ordering::SeqCst), 2);
}

#[tokio::test]
async fn other_errors_and_a_post_504_are_not_retried() {
    for status in [
        StatusCode::BAD_REQUEST,
        StatusCode::GATEWAY_TIMEOUT,
        StatusCode::INTERNAL_SERVER_ERROR,
    ] {
        let (url, calls) = throttling_server(usize::MAX, status, Some("0")).await;
        let error = client(&url, 4)
            .device_management()
            .domain_join_connectors()
            .create(&DeviceManagementDomainJoinConnector::default())
            .await
            .unwrap_err();
        assert_eq!(error.status(), Some(status));
        assert_eq!(
            calls.load(Ordering::SeqCst),
            1,
            "{status} is not retried for a POST"
        );
    }
}

#[tokio::test]
async fn the_total_time_budget_stops_retries() {
    let (url, calls) =
        throttling_server(usize::MAX, StatusCode::TOO_MANY_REQUESTS, Some("5")).await;
    let retry = RetryPolicy {
        max_attempts: 10,
        max_total: Duration::from_secs(2),
        base_delay: Duration::from_millis(10),
    };
    let client = Client::builder()
        .base_url(url)
        .token("t")
        .retry(retry)
        .build()
        .unwrap();
    let started = Instant::now();
    let error = client
        .device_management()
        .domain_join_connectors()
        .create(&DeviceManagementDomainJoinConnector::default())
        .await
        .unwrap_err();
    assert_eq!(error.status(), Some(StatusCode::TOO_MANY_REQUESTS));
    assert_eq!(
        calls.load(Ordering::SeqCst),
        1,
        "a 5 s wait does not fit a 2 s budget"
    );
    assert!(started.elapsed() < Duration::from_secs(2));
}

//! The generated client's retries against the mock's injected faults.

use std::time::{Duration, Instant};

use graph_e2e::Mock;
use graph_mock_runtime::Config;
use graph_mock_runtime::faults::{FaultFile, FaultRules};
use seed_client::{Client, RetryPolicy, StatusCode};
use seed_model::DeviceManagementDomainJoinConnector as Connector;

fn rules(rules: FaultRules) -> Config {
    Config {
        faults: FaultFile {
            default: rules,
            ..FaultFile::default()
        },
        fault_seed: 1,
        ..Config::default()
    }
}

fn client(h: &Mock, max_attempts: u32) -> Client {
    let retry = RetryPolicy {
        max_attempts,
        max_total: Duration::from_secs(30),
        base_delay: Duration::from_millis(5),
    };
    Client::builder()
        .base_url(h.server.base_url())
        .token("t")
        .retry(retry)
        .build()
        .unwrap()
}

fn statuses(h: &Mock) -> Vec<u16> {
    h.server
        .received_requests()
        .iter()
        .map(|r| r.status)
        .collect()
}

#[tokio::test]
async fn the_client_waits_out_throttling() {
    let h = Mock::with(rules(FaultRules {
        throttle: Some((1, Duration::from_secs(1))),
        ..FaultRules::default()
    }))
    .await;
    let connectors = client(&h, 4).device_management().domain_join_connectors();
    let started = Instant::now();
    connectors.create(&Connector::default()).await.unwrap();
    connectors.create(&Connector::default()).await.unwrap();
    assert!(
        started.elapsed() >= Duration::from_millis(900),
        "the second create waited for Retry-After"
    );
    assert_eq!(statuses(&h), [201, 429, 201]);
}

#[tokio::test]
async fn the_client_recovers_from_injected_503s() {
    let h = Mock::with(rules(FaultRules {
        error_rate: 0.5,
        statuses: vec![503],
        ..FaultRules::default()
    }))
    .await;
    let connectors = client(&h, 10).device_management().domain_join_connectors();
    for _ in 0..4 {
        connectors.list().send().await.unwrap();
    }
    let seen = statuses(&h);
    assert_eq!(seen.iter().filter(|s| **s == 200).count(), 4);
    assert!(
        seen.contains(&503),
        "some requests failed and were retried: {seen:?}"
    );
}

#[tokio::test]
async fn the_client_gives_up_when_the_attempts_are_spent() {
    let h = Mock::with(rules(FaultRules {
        error_rate: 1.0,
        statuses: vec![503],
        ..FaultRules::default()
    }))
    .await;
    let error = client(&h, 3)
        .device_management()
        .domain_join_connectors()
        .list()
        .send()
        .await
        .unwrap_err();
    assert_eq!(
        (error.status(), error.code()),
        (
            Some(StatusCode::SERVICE_UNAVAILABLE),
            Some("ServiceUnavailable")
        )
    );
    assert_eq!(statuses(&h), [503, 503, 503]);
}

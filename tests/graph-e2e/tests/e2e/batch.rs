//! The generated client's JSON batches against the generated mock.

use graph_e2e::Mock;
use seed_client::{Error, StatusCode};
use seed_model::DeviceManagementDomainJoinConnector as Connector;

fn connector(name: &str) -> Connector {
    Connector {
        display_name: Some(name.into()),
        ..Default::default()
    }
}

#[tokio::test]
async fn a_batch_answers_each_request_typed_as_it_would_alone() {
    let h = Mock::start().await;
    let connectors = h.client.device_management().domain_join_connectors();
    let mut batch = h.client.batch();
    let created = batch.add(
        connectors
            .create(&connector("Batched"))
            .header("x-batch-probe", "1"),
    );
    let listed = batch.add_after(connectors.list().top(5), &[created.id()]);
    let missing = batch.add(connectors.by_id("nope").get());
    let after_missing = batch.add_after(connectors.create(&connector("Never")), &[missing.id()]);
    let answers = batch.send().await.unwrap();

    let created = answers.get(&created).unwrap();
    assert_eq!(created.display_name.as_deref(), Some("Batched"));
    let page = answers.get(&listed).unwrap();
    assert_eq!(page.value.len(), 1);
    assert_eq!(page.value[0].id, created.id);
    let missing = answers.get(&missing).unwrap_err();
    assert_eq!(missing.status(), Some(StatusCode::NOT_FOUND));
    let skipped = answers.get(&after_missing).unwrap_err();
    assert_eq!(
        (skipped.status(), skipped.code()),
        (
            Some(StatusCode::FAILED_DEPENDENCY),
            Some("FailedDependency")
        )
    );
    assert_eq!(answers.status(&after_missing), Some(424));

    // One round trip, and the inner requests were served as themselves, with their headers.
    let sent = h.server.received_requests();
    assert_eq!(
        sent.iter().filter(|r| r.path.ends_with("/$batch")).count(),
        1
    );
    assert!(sent.iter().any(|r| {
        r.method == "POST"
            && r.path.ends_with("/domainJoinConnectors")
            && r.headers
                .iter()
                .any(|(n, v)| n == "x-batch-probe" && v == "1")
    }));
    assert_eq!(connectors.list().collect_all().await.unwrap().len(), 1);
}

#[tokio::test]
async fn more_than_twenty_requests_are_refused_before_sending() {
    let h = Mock::start().await;
    let connectors = h.client.device_management().domain_join_connectors();
    let mut batch = h.client.batch();
    for n in 0..21 {
        batch.add(connectors.create(&connector(&n.to_string())));
    }
    let error = batch.send().await.unwrap_err();
    assert!(
        matches!(&error, Error::InvalidInput(m) if m.contains("20")),
        "{error:?}"
    );
    assert!(h.server.received_requests().is_empty());
}

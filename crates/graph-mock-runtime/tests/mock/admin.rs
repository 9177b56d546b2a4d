//! The request journal, expectations, fixtures, reset and the admin switch.

use crate::common::{CONNECTORS, Harness, Reply, connector};
use graph_mock_runtime::Config;
use reqwest::{Method, StatusCode};
use serde_json::json;

const CREATE: &str = "POST /deviceManagement/domainJoinConnectors";

#[tokio::test]
async fn the_journal_records_requests_without_authorization_and_clears() {
    let h = Harness::start().await;
    h.create(connector("A")).await;
    h.send(Method::GET, &format!("{CONNECTORS}?$top=1"), None)
        .await;

    let journal = h.send(Method::GET, "/$mock/requests", None).await;
    assert_eq!(journal.status, StatusCode::OK);
    let entries = journal.body["value"].as_array().unwrap();
    assert_eq!(
        entries.len(),
        2,
        "admin requests are not journaled: {entries:?}"
    );
    assert_eq!(entries[0]["method"], "POST");
    assert_eq!(entries[0]["operation"], CREATE);
    assert_eq!(entries[0]["status"], 201);
    assert_eq!(entries[0]["body"]["displayName"], "A");
    assert!(
        entries[0]["headers"]
            .as_array()
            .unwrap()
            .iter()
            .all(|h| h[0] != "authorization")
    );
    assert_eq!(entries[1]["query"], "$top=1");

    assert_eq!(
        h.send(Method::DELETE, "/$mock/requests", None).await.status,
        StatusCode::NO_CONTENT
    );
    assert_eq!(h.server.received_requests().len(), 0);
}

#[tokio::test]
async fn the_journal_is_a_bounded_ring() {
    let h = Harness::with(Config {
        journal_size: 3,
        ..Config::default()
    })
    .await;
    for i in 0..5 {
        h.create(connector(&format!("c{i}"))).await;
    }
    let names: Vec<String> = h
        .server
        .received_requests()
        .iter()
        .map(|r| {
            r.body.as_ref().unwrap()["displayName"]
                .as_str()
                .unwrap()
                .to_owned()
        })
        .collect();
    assert_eq!(names, ["c2", "c3", "c4"]);
}

#[tokio::test]
async fn expectations_that_hold_pass_on_drop() {
    let h = Harness::start().await;
    h.server.expect(CREATE, 2);
    h.create(connector("A")).await;
    h.create(connector("B")).await;
    assert!(h.server.unmet_expectations().is_empty());
}

#[tokio::test]
#[should_panic(
    expected = "expected `POST /deviceManagement/domainJoinConnectors` 2 time(s), but it was served 1 time(s)"
)]
async fn unmet_expectations_fail_on_drop_with_a_readable_message() {
    let config = Config {
        auth: graph_mock_runtime::AuthMode::None,
        ..Config::default()
    };
    let server = Harness::on(&seed_mock::API, config).await;
    server.expect(CREATE, 2);
    let response = reqwest::Client::new()
        .post(format!("{}{CONNECTORS}", server.base_url()))
        .json(&connector("A"))
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), StatusCode::CREATED);
    drop(server);
}

#[tokio::test]
async fn reset_restores_the_start_state_with_fixtures() {
    let h = Harness::start().await;
    let fixtures = json!({ CONNECTORS: [{"@odata.type": "#microsoft.graph.deviceManagementDomainJoinConnector", "id": "fixture-1", "displayName": "Fixture"}] });
    assert_eq!(h.server.state().load_fixtures(&fixtures).await.unwrap(), 1);
    h.server.state().capture_start_state().unwrap();

    h.create(connector("extra")).await;
    h.send(Method::DELETE, &format!("{CONNECTORS}/fixture-1"), None)
        .await;
    assert_eq!(
        h.send(Method::POST, "/$mock/reset", None).await.status,
        StatusCode::NO_CONTENT
    );

    let listed = h.send(Method::GET, CONNECTORS, None).await;
    let ids: Vec<&str> = listed.body["value"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["id"].as_str().unwrap())
        .collect();
    assert_eq!(ids, ["fixture-1"]);
    assert_eq!(
        h.server.received_requests().len(),
        1,
        "reset clears the journal"
    );
    assert!(
        h.server
            .state()
            .load_fixtures(&json!({ CONNECTORS: [{"displayName": "no id"}] }))
            .await
            .unwrap_err()
            .contains("id")
    );
}

#[tokio::test]
async fn the_openapi_document_is_served_with_this_servers_url() {
    let h = Harness::with(Config {
        admin: false,
        ..Config::default()
    })
    .await;
    let reply = h.send(Method::GET, "/$openapi", None).await;
    assert_eq!(reply.status, StatusCode::OK);
    assert_eq!(reply.body["openapi"], "3.1.0");
    assert_eq!(reply.body["servers"][0]["url"], h.server.base_url());
    let create = &reply.body["paths"][CONNECTORS]["post"];
    assert_eq!(
        create["responses"]["201"]["links"]["get"]["parameters"]["deviceManagementDomainJoinConnectorId"],
        "$response.body#/id"
    );
    assert!(
        create["responses"]["400"]["content"]["application/json"]["schema"]["$ref"]
            .as_str()
            .unwrap()
            .ends_with("ODataError")
    );
}

#[tokio::test]
async fn no_admin_turns_the_admin_routes_off() {
    let h = Harness::with(Config {
        admin: false,
        ..Config::default()
    })
    .await;
    let reply = Reply::from(
        h.http
            .get(h.url("/$mock/requests"))
            .bearer_auth("t")
            .send()
            .await
            .unwrap(),
    )
    .await;
    reply.error(404, "ResourceNotFound");
}

#[tokio::test]
async fn the_openapi_document_has_the_operations_served_and_no_others() {
    // The `navigation` fixture's spec with only its `/readers` operations.
    let mut spec = snapshot_navigation_mock::API.spec().clone();
    spec.operations
        .retain(|op| op.primary_path().to_string().starts_with("/readers"));
    let readers_only = Box::leak(Box::new(graph_mock_runtime::Api::from_spec(spec)));
    let server = Harness::on(readers_only, Config::default()).await;
    let document: serde_json::Value = reqwest::get(format!("{}/$openapi", server.base_url()))
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let paths: Vec<&String> = document["paths"].as_object().unwrap().keys().collect();
    assert_eq!(paths, ["/readers", "/readers/{readerId}"]);
    assert!(document["components"]["schemas"]["reader"].is_object());
}

//! Every operation of the domainJoinConnector family, over HTTP.

use crate::common::{self, CONNECTORS, Harness, connector};
use reqwest::{Method, StatusCode};
use serde_json::json;

#[tokio::test]
async fn create_returns_the_entity_with_type_context_and_location() {
    let h = Harness::start().await;
    let reply = h.send(Method::POST, CONNECTORS, Some(connector("A"))).await;
    assert_eq!(reply.status, StatusCode::CREATED);
    let id = reply.body["id"].as_str().unwrap().to_owned();
    assert_eq!(id.len(), 36, "a GUID is assigned");
    assert_eq!(
        reply.body["@odata.type"],
        "#microsoft.graph.deviceManagementDomainJoinConnector"
    );
    assert_eq!(
        reply.body["@odata.context"],
        format!(
            "{}/$metadata#deviceManagement/domainJoinConnectors/$entity",
            h.server.base_url()
        )
    );
    assert_eq!(
        reply.body["lastConnectionDateTime"],
        "2016-12-31T23:58:36.6670033-08:00"
    );
    let location = reply.headers["location"].to_str().unwrap();
    assert_eq!(location, h.url(&format!("{CONNECTORS}/{id}")));
    let fetched =
        common::Reply::from(h.http.get(location).bearer_auth("t").send().await.unwrap()).await;
    assert_eq!(fetched.body["displayName"], "A");
}

#[tokio::test]
async fn a_given_id_is_kept_and_a_taken_one_conflicts() {
    let h = Harness::start().await;
    let mut body = connector("A");
    body["id"] = json!("fixture-1");
    assert_eq!(h.create(body.clone()).await["id"], "fixture-1");
    let before = h.store_dump();
    h.send(Method::POST, CONNECTORS, Some(body))
        .await
        .error(409, "Conflict");
    assert_eq!(h.store_dump(), before);
}

#[tokio::test]
async fn a_body_without_odata_type_gets_the_declared_type() {
    let h = Harness::start().await;
    let created = h.create(json!({"displayName": "plain"})).await;
    assert_eq!(
        created["@odata.type"],
        "#microsoft.graph.deviceManagementDomainJoinConnector"
    );
}

#[tokio::test]
async fn get_list_update_delete() {
    let h = Harness::start().await;
    let id = h.create(connector("A")).await["id"]
        .as_str()
        .unwrap()
        .to_owned();
    let item = format!("{CONNECTORS}/{id}");

    let got = h.send(Method::GET, &item, None).await;
    assert_eq!(got.status, StatusCode::OK);
    assert_eq!(
        got.body["@odata.context"],
        format!(
            "{}/$metadata#deviceManagement/domainJoinConnectors/$entity",
            h.server.base_url()
        )
    );
    assert_eq!(got.body["version"], "1.0");

    let listed = h.send(Method::GET, CONNECTORS, None).await;
    assert_eq!(listed.body["value"].as_array().unwrap().len(), 1);
    assert_eq!(
        listed.body["@odata.context"],
        format!(
            "{}/$metadata#deviceManagement/domainJoinConnectors",
            h.server.base_url()
        )
    );
    assert!(listed.body.get("@odata.nextLink").is_none());

    // Merge: absent kept, null cleared, value set.
    let updated = h
        .send(
            Method::PATCH,
            &item,
            Some(json!({"displayName": "B", "version": null})),
        )
        .await;
    assert_eq!(updated.status, StatusCode::OK, "{}", updated.body);
    assert_eq!(updated.body["displayName"], "B");
    assert!(updated.body.get("version").is_none());
    assert_eq!(updated.body["state"], "active");
    assert_eq!(
        h.send(Method::GET, &item, None).await.body["displayName"],
        "B"
    );

    let before = h.store_dump();
    let message = h
        .send(Method::PATCH, &item, Some(json!({"id": "other"})))
        .await
        .error(400, "BadRequest");
    assert!(message.contains("'id'"), "{message}");
    assert_eq!(h.store_dump(), before);
    // A null id changes nothing (it does not remove the stored one).
    let unchanged = h
        .send(Method::PATCH, &item, Some(json!({"id": null})))
        .await;
    assert_eq!(unchanged.status, StatusCode::OK, "{}", unchanged.body);
    assert_eq!(unchanged.body["id"], id.as_str());
    assert_eq!(h.store_dump(), before);

    let deleted = h.send(Method::DELETE, &item, None).await;
    assert_eq!(deleted.status, StatusCode::NO_CONTENT);
    assert_eq!(deleted.body, serde_json::Value::Null);
    h.send(Method::DELETE, &item, None)
        .await
        .error(404, "ResourceNotFound");
    h.send(Method::GET, &item, None)
        .await
        .error(404, "ResourceNotFound");
    h.send(Method::PATCH, &item, Some(json!({"displayName": "C"})))
        .await
        .error(404, "ResourceNotFound");
}

#[tokio::test]
async fn request_ids_are_set_and_client_ids_echoed() {
    let h = Harness::start().await;
    let response = h
        .http
        .get(h.url(CONNECTORS))
        .bearer_auth("t")
        .header("client-request-id", "my-id")
        .send()
        .await
        .unwrap();
    assert_eq!(response.headers()["client-request-id"], "my-id");
    let request_id = response.headers()["request-id"]
        .to_str()
        .unwrap()
        .to_owned();
    assert_ne!(request_id, "my-id");
    let plain = h
        .http
        .get(h.url(CONNECTORS))
        .bearer_auth("t")
        .send()
        .await
        .unwrap();
    assert_eq!(
        plain.headers()["client-request-id"],
        plain.headers()["request-id"]
    );
}

#[tokio::test]
async fn the_base_path_is_configurable() {
    let h = Harness::with(graph_mock_runtime::Config {
        base_path: Some("v9".into()),
        ..Default::default()
    })
    .await;
    assert!(h.server.base_url().ends_with("/v9"));
    assert_eq!(
        h.send(Method::GET, CONNECTORS, None).await.status,
        StatusCode::OK
    );
    let old = reqwest::get(format!("{}/beta{CONNECTORS}", h.server.uri()))
        .await
        .unwrap();
    assert_eq!(old.status(), StatusCode::NOT_FOUND);
}

#[tokio::test]
async fn unknown_routes_are_graph_404s_and_wrong_methods_405_with_allow() {
    let h = Harness::start().await;
    let message = h
        .send(Method::GET, "/deviceManagement/nothingHere", None)
        .await
        .error(404, "ResourceNotFound");
    assert!(message.contains("nothingHere"), "{message}");
    let reply = h.send(Method::PUT, CONNECTORS, Some(connector("x"))).await;
    reply.error(405, "MethodNotAllowed");
    let allow = reply.headers["allow"].to_str().unwrap();
    assert!(allow.contains("GET") && allow.contains("POST"), "{allow}");
}

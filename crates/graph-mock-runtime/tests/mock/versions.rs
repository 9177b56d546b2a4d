//! Several versions of an API on one port over one store, as Graph serves `/v1.0` and `/beta`.

use std::sync::LazyLock;

use graph_mock_runtime::{Api, Config};
use reqwest::{Method, StatusCode};
use serde_json::json;

use crate::common::{CONNECTORS, Harness, connector};

/// This repository's spec as `v1.0`, without the connector's `version` property: a property
/// only the beta declares, as Graph's beta has many.
static V1: LazyLock<Api> = LazyLock::new(|| {
    let mut spec = seed_mock::API.spec().clone();
    spec.version = "v1.0".into();
    let connector = (spec.types.get_mut("deviceManagementDomainJoinConnector"))
        .expect("the spec's connector type");
    connector.properties.retain(|p| p.name != "version");
    Api::from_spec(spec)
});

async fn both_versions() -> Harness {
    Harness::on_versions(&[&seed_mock::API, &V1], Config::default()).await
}

fn at(h: &Harness, version: &str, path: &str) -> String {
    format!("{}/{version}{path}", h.server.uri())
}

/// A connector created through `/beta` is read through `/v1.0` without what only the beta
/// declares, a `/v1.0` write is checked against the v1.0 schema, and what it leaves alone keeps
/// the beta's properties.
#[tokio::test]
async fn one_store_behind_both_versions_each_with_its_own_schema() {
    let h = both_versions().await;
    let mut body = connector("Made in beta");
    body["version"] = json!("1.0");
    let created = h
        .send_url(Method::POST, &at(&h, "beta", CONNECTORS), Some(body))
        .await;
    assert_eq!(created.status, StatusCode::CREATED, "{}", created.body);
    let id = created.body["id"].as_str().unwrap().to_owned();
    let item = format!("{CONNECTORS}/{id}");

    let v1 = h.send_url(Method::GET, &at(&h, "v1.0", &item), None).await;
    assert_eq!(v1.status, StatusCode::OK, "{}", v1.body);
    assert_eq!(v1.body["displayName"], "Made in beta");
    assert!(v1.body.get("version").is_none(), "{}", v1.body);
    assert!(
        (v1.body["@odata.context"].as_str().unwrap()).contains("/v1.0/$metadata#"),
        "{}",
        v1.body
    );
    let listed = h
        .send_url(Method::GET, &at(&h, "v1.0", CONNECTORS), None)
        .await;
    assert_eq!(listed.body["value"][0]["displayName"], "Made in beta");
    assert!(
        listed.body["value"][0].get("version").is_none(),
        "{}",
        listed.body
    );

    let beta_only = h
        .send_url(
            Method::PATCH,
            &at(&h, "v1.0", &item),
            Some(json!({"version": "2"})),
        )
        .await;
    let message = beta_only.error(400, "BadRequest");
    assert!(message.contains("'version'"), "{message}");
    let renamed = h
        .send_url(
            Method::PATCH,
            &at(&h, "v1.0", &item),
            Some(json!({"displayName": "Renamed in v1.0"})),
        )
        .await;
    assert!(renamed.status.is_success(), "{}", renamed.body);

    let beta = h.send_url(Method::GET, &at(&h, "beta", &item), None).await;
    assert_eq!(beta.body["displayName"], "Renamed in v1.0");
    assert_eq!(beta.body["version"], "1.0", "{}", beta.body);

    let deleted = h
        .send_url(Method::DELETE, &at(&h, "v1.0", &item), None)
        .await;
    assert_eq!(deleted.status, StatusCode::NO_CONTENT);
    let gone = h.send_url(Method::GET, &at(&h, "beta", &item), None).await;
    gone.error(404, "ResourceNotFound");
}

/// Each version answers its own OpenAPI document; a version not served is Graph's 404.
#[tokio::test]
async fn each_version_has_its_document_and_others_are_not_found() {
    let h = both_versions().await;
    for version in ["beta", "v1.0"] {
        let document = h
            .send_url(Method::GET, &at(&h, version, "/$openapi"), None)
            .await;
        assert_eq!(
            document.body["info"]["version"], version,
            "{}",
            document.body
        );
    }
    let unknown = h
        .send_url(Method::GET, &at(&h, "v2.0", CONNECTORS), None)
        .await;
    unknown.error(404, "ResourceNotFound");
}

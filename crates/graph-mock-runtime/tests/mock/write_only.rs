//! Write-only properties (secrets, passwords: the docs say "This is write-only. A read operation
//! will return ****" or "It is not returned in the responses"): no answer shows what was
//! written, whether it answers a write, a read, a list or a `$select`; the store keeps the
//! value. (A delta page withholds them the same way, through the same writer.)

use std::sync::LazyLock;

use graph_mock_runtime::{Api, Config};
use graph_odata::WriteOnly;
use reqwest::{Method, StatusCode};
use serde_json::{Value, json};

use crate::common::{CONNECTORS, Harness, connector};

/// The seed spec with the connector's `version` write-only behind the mask `****`, and its
/// `lastConnectionDateTime` write-only and left out of answers.
static SECRETS: LazyLock<Api> = LazyLock::new(|| {
    let mut spec = seed_mock::API.spec().clone();
    let connector = (spec.types.get_mut("deviceManagementDomainJoinConnector"))
        .expect("the spec's connector type");
    for property in &mut connector.properties {
        property.write_only = match property.name.as_str() {
            "version" => Some(WriteOnly {
                mask: Some("****".into()),
            }),
            "lastConnectionDateTime" => Some(WriteOnly { mask: None }),
            _ => None,
        };
    }
    Api::from_spec(spec)
});

/// What an answer shows of the two write-only properties.
fn withheld(entity: &Value) -> (Option<&Value>, Option<&Value>) {
    (entity.get("version"), entity.get("lastConnectionDateTime"))
}

#[tokio::test]
async fn no_answer_shows_a_write_only_value() {
    let h = Harness::on(&SECRETS, Config::default()).await;
    let mask = json!("****");
    let created = h.send(Method::POST, CONNECTORS, Some(connector("A"))).await;
    assert_eq!(created.status, StatusCode::CREATED, "{}", created.body);
    assert_eq!(
        withheld(&created.body),
        (Some(&mask), None),
        "{}",
        created.body
    );
    assert_eq!(created.body["displayName"], "A");
    let id = created.body["id"].as_str().unwrap().to_owned();
    let item = format!("{CONNECTORS}/{id}");

    let read = h.send(Method::GET, &item, None).await;
    assert_eq!(withheld(&read.body), (Some(&mask), None), "{}", read.body);
    let selected = h
        .send(
            Method::GET,
            &format!("{item}?$select=version,lastConnectionDateTime"),
            None,
        )
        .await;
    assert_eq!(
        withheld(&selected.body),
        (Some(&mask), None),
        "{}",
        selected.body
    );
    let listed = h.send(Method::GET, CONNECTORS, None).await;
    assert_eq!(
        withheld(&listed.body["value"][0]),
        (Some(&mask), None),
        "{}",
        listed.body
    );
    let updated = h
        .send(Method::PATCH, &item, Some(json!({ "version": "2.0" })))
        .await;
    assert_eq!(updated.status, StatusCode::OK, "{}", updated.body);
    assert_eq!(
        withheld(&updated.body),
        (Some(&mask), None),
        "{}",
        updated.body
    );
    // The store keeps what was written: only the answers withhold it.
    let dump = h.store_dump();
    let stored = (dump.values().flatten())
        .find(|(key, _)| *key == id)
        .map(|(_, entity)| entity)
        .expect("the connector is stored");
    assert_eq!(stored["version"], "2.0");
    assert_eq!(
        stored["lastConnectionDateTime"],
        "2016-12-31T23:58:36.6670033-08:00"
    );

    // A value never set shows no mask.
    let bare = h
        .send(
            Method::POST,
            CONNECTORS,
            Some(json!({ "displayName": "B" })),
        )
        .await;
    assert_eq!(withheld(&bare.body), (None, None), "{}", bare.body);
}

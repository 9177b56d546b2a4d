//! JSON batching over HTTP: `POST <base>/$batch` in Graph's format and with Graph's rules.

use crate::common::{CONNECTORS, Harness, connector};
use graph_mock_runtime::{AuthMode, Config};
use reqwest::Method;
use serde_json::{Value, json};

fn answer<'a>(reply: &'a Value, id: &str) -> &'a Value {
    reply["responses"]
        .as_array()
        .expect("a responses array")
        .iter()
        .find(|r| r["id"] == id)
        .unwrap_or_else(|| panic!("no answer for {id}: {reply}"))
}

#[tokio::test]
async fn requests_run_through_the_whole_mock_in_dependency_order() {
    let h = Harness::start().await;
    let reply = h
        .send(
            Method::POST,
            "/$batch",
            Some(json!({"requests": [
                // Listed first, but it runs after the create it depends on.
                {"id": "list", "method": "GET", "url": CONNECTORS, "dependsOn": ["create"]},
                {"id": "create", "method": "POST", "url": CONNECTORS, "body": connector("In a batch"),
                 "headers": {"Content-Type": "application/json"}},
                {"id": "missing", "method": "GET", "url": format!("{CONNECTORS}/nope")},
                {"id": "bad-method", "method": "TRACE", "url": CONNECTORS},
                {"id": "invalid", "method": "POST", "url": &CONNECTORS[1..], "body": {"nope": 1}}
            ]})),
        )
        .await;
    assert_eq!(reply.status.as_u16(), 200, "{}", reply.body);
    let ids: Vec<&str> = reply.body["responses"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| r["id"].as_str().unwrap())
        .collect();
    assert_eq!(ids, ["list", "create", "missing", "bad-method", "invalid"]);

    let created = answer(&reply.body, "create");
    assert_eq!(created["status"], 201, "{created}");
    assert_eq!(created["body"]["displayName"], "In a batch");
    let location = created["headers"]["Location"].as_str().unwrap_or_default();
    assert!(location.starts_with(&h.url(CONNECTORS)), "{location}");
    assert!(created["headers"]["Content-Type"].is_string(), "{created}");
    assert!(created["headers"]["request-id"].is_string(), "{created}");
    let listed = answer(&reply.body, "list");
    assert_eq!(listed["status"], 200);
    assert_eq!(listed["body"]["value"][0]["id"], created["body"]["id"]);
    assert_eq!(answer(&reply.body, "missing")["status"], 404);
    let bad = answer(&reply.body, "bad-method");
    assert_eq!(bad["status"], 400);
    assert!(
        bad["body"]["error"]["message"]
            .as_str()
            .unwrap()
            .contains("TRACE")
    );
    let invalid = answer(&reply.body, "invalid");
    assert_eq!(invalid["status"], 400);
    assert!(
        invalid["body"]["error"]["message"]
            .as_str()
            .unwrap()
            .contains("'nope'")
    );

    // Each inner request was served, and journaled, as a request of its own.
    let served: Vec<String> = h
        .server
        .received_requests()
        .iter()
        .map(|r| format!("{} {}", r.method, r.path))
        .collect();
    assert!(
        served.contains(&format!("POST /beta{CONNECTORS}")),
        "{served:?}"
    );
    assert!(
        served.contains(&"POST /beta/$batch".to_owned()),
        "{served:?}"
    );
    assert_eq!(h.store_dump().values().map(Vec::len).sum::<usize>(), 1);
}

#[tokio::test]
async fn a_failed_dependency_gives_its_dependents_424_and_they_do_not_run() {
    let h = Harness::start().await;
    let reply = h
        .send(
            Method::POST,
            "/$batch",
            Some(json!({"requests": [
                {"id": "1", "method": "GET", "url": format!("{CONNECTORS}/nope")},
                {"id": "2", "method": "POST", "url": CONNECTORS, "body": connector("never"), "dependsOn": ["1"]},
                {"id": "3", "method": "POST", "url": CONNECTORS, "body": connector("neither"), "dependsOn": ["2"]}
            ]})),
        )
        .await;
    assert_eq!(reply.status.as_u16(), 200, "{}", reply.body);
    assert_eq!(answer(&reply.body, "1")["status"], 404);
    for id in ["2", "3"] {
        let dependent = answer(&reply.body, id);
        assert_eq!(dependent["status"], 424, "{dependent}");
        assert_eq!(dependent["body"]["error"]["code"], "FailedDependency");
    }
    assert!(
        h.store_dump().is_empty(),
        "nothing that depended on a failure ran"
    );
}

#[tokio::test]
async fn a_malformed_batch_is_refused_whole_and_nothing_runs() {
    let h = Harness::start().await;
    let create =
        |id: &str| json!({"id": id, "method": "POST", "url": CONNECTORS, "body": connector(id)});
    let too_many: Vec<Value> = (0..21).map(|n| create(&n.to_string())).collect();
    let cases = [
        (json!({"requests": too_many}), "from 1 to 20"),
        (
            json!({"requests": [create("a"), create("a")]}),
            "more than once",
        ),
        (
            json!({"requests": [create("a"), {"id": "b", "method": "GET", "url": CONNECTORS, "dependsOn": ["zz"]}]}),
            "'zz'",
        ),
        (
            json!({"requests": [
                {"id": "a", "method": "GET", "url": CONNECTORS, "dependsOn": ["b"]},
                {"id": "b", "method": "GET", "url": CONNECTORS, "dependsOn": ["a"]},
                create("c")
            ]}),
            "cycle",
        ),
        (
            json!({"requests": [create("a"), {"id": "b", "method": "GET", "url": "https://graph.microsoft.com/beta/users"}]}),
            "relative",
        ),
        // This mock's own host, another version.
        (
            json!({"requests": [create("a"), {"id": "b", "method": "GET", "url": format!("{}/v1.0{CONNECTORS}", h.server.uri())}]}),
            "own '/beta'",
        ),
        (
            json!({"requests": [create("a"), {"id": "b", "method": "POST", "url": "/$batch", "body": {"requests": []}}]}),
            "do not nest",
        ),
        (
            json!({"requests": [{"id": "a", "url": CONNECTORS}]}),
            "'method'",
        ),
        (json!({"value": []}), "'requests'"),
    ];
    for (body, named) in cases {
        let reply = h.send(Method::POST, "/$batch", Some(body)).await;
        let message = reply.error(400, "BadRequest");
        assert!(message.contains(named), "{named}: {message}");
    }
    let not_json = h
        .http
        .post(h.url("/$batch"))
        .bearer_auth("t")
        .header("content-type", "application/json")
        .body("{\"requests\": [")
        .send()
        .await
        .unwrap();
    assert_eq!(not_json.status().as_u16(), 400);
    assert!(
        h.store_dump().is_empty(),
        "nothing of a refused batch was applied"
    );
}

#[tokio::test]
async fn inner_requests_carry_the_batch_token_unless_they_bring_their_own() {
    let h = Harness::with(Config {
        auth: AuthMode::Bearer,
        ..Config::default()
    })
    .await;
    let reply = h
        .http
        .post(h.url("/$batch"))
        .bearer_auth("outer")
        .json(&json!({"requests": [
            {"id": "with", "method": "GET", "url": CONNECTORS},
            {"id": "bad", "method": "GET", "url": CONNECTORS, "headers": {"Authorization": "Basic xyz"}}
        ]}))
        .send()
        .await
        .unwrap();
    let body: Value = reply.json().await.unwrap();
    assert_eq!(answer(&body, "with")["status"], 200, "{body}");
    assert_eq!(answer(&body, "bad")["status"], 401, "{body}");
}

/// msgraph-core writes each item's url absolute, with its client's base, once the client has
/// made a call: an item addressing this mock's own host and version runs as its relative url.
#[tokio::test]
async fn an_item_url_may_address_this_mock_itself() {
    let h = Harness::start().await;
    let own = format!("{}{CONNECTORS}", h.url(""));
    let reply = h
        .send(
            Method::POST,
            "/$batch",
            Some(json!({"requests": [
                {"id": "create", "method": "POST", "url": own, "body": connector("Absolute"),
                 "headers": {"Content-Type": "application/json"}},
                {"id": "list", "method": "GET", "url": format!("{own}?$top=1"), "dependsOn": ["create"]}
            ]})),
        )
        .await;
    assert_eq!(reply.status.as_u16(), 200, "{}", reply.body);
    assert_eq!(
        answer(&reply.body, "create")["status"],
        201,
        "{}",
        reply.body
    );
    let listed = answer(&reply.body, "list");
    assert_eq!(listed["status"], 200, "{listed}");
    assert_eq!(
        listed["body"]["value"][0]["displayName"], "Absolute",
        "{listed}"
    );
}

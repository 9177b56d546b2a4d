//! A function's arguments travel in its URL as OData literals: on the `navigation` fixture,
//! whose `GET /library/shelves/getShelvesForReader(readerId=...,since=...)` takes a string and a
//! date, the mock answers well-typed arguments and refuses a `null` or a mistyped one with
//! Graph's 400, naming what was wrong.

use crate::navigation::start;

#[tokio::test]
async fn function_arguments_are_typed_and_never_null() {
    let (server, _client) = start().await;
    let http = reqwest::Client::new();
    let call = |arguments: &str| {
        let url = format!(
            "{}/library/shelves/getShelvesForReader({arguments})",
            server.base_url()
        );
        let http = http.clone();
        async move {
            let answer = http.get(url).send().await.unwrap();
            let status = answer.status().as_u16();
            (status, answer.json::<serde_json::Value>().await.unwrap())
        }
    };

    let (status, body) = call("readerId='r1',since=2024-01-01T00:00:00Z").await;
    assert_eq!(status, 200, "{body}");

    let (status, body) = call("readerId=null").await;
    assert_eq!(status, 400, "{body}");
    assert_eq!(
        body["error"]["message"],
        "A null value was found with the expected type 'Edm.String[Nullable=False]'. The expected type 'Edm.String[Nullable=False]' does not allow null values."
    );

    // An argument is part of the path, where nothing is longer than a key.
    let long = "x".repeat(1025);
    let (status, body) = call(&format!("readerId='{long}'")).await;
    assert_eq!(status, 400, "{body}");
    let message = body["error"]["message"].as_str().unwrap();
    assert!(
        message.contains("'readerId'") && message.contains("1024"),
        "{message}"
    );
    let (status, body) = call(&format!("readerId='{}'", &long[1..])).await;
    assert_eq!(status, 200, "{body}");

    // A string is quoted in OData; a bare number is not one.
    let (status, body) = call("readerId=5").await;
    assert_eq!(status, 400, "{body}");
    let message = body["error"]["message"].as_str().unwrap();
    assert!(
        message.contains("'readerId'") && message.contains("Edm.String"),
        "{message}"
    );
}

/// Only a function is called: call syntax on the path of a get or an update (`PATCH
/// /library(x=1)`, `GET /readers/{id}(x=1)`) names no resource, as in Graph.
#[tokio::test]
async fn a_call_of_what_is_no_function_is_not_found() {
    let (server, _client) = start().await;
    let http = reqwest::Client::new();
    let reader = http
        .post(format!("{}/readers", server.base_url()))
        .json(&serde_json::json!({"id": "r1", "displayName": "r"}))
        .send()
        .await
        .unwrap();
    assert_eq!(reader.status().as_u16(), 201);
    for (method, path, segment) in [
        (reqwest::Method::PATCH, "/library(x=1)", "library"),
        (reqwest::Method::GET, "/readers/r1(x=1)", "r1"),
        (reqwest::Method::DELETE, "/readers/r1(x=1)", "r1"),
    ] {
        let answer = http
            .request(method.clone(), format!("{}{path}", server.base_url()))
            .json(&serde_json::json!({"name": "n"}))
            .send()
            .await
            .unwrap();
        let status = answer.status().as_u16();
        let body: serde_json::Value = answer.json().await.unwrap();
        assert_eq!(status, 404, "{method} {path}: {body}");
        let message = body["error"]["message"].as_str().unwrap();
        assert!(message.contains(&format!("'{segment}'")), "{message}");
    }
    // Nothing was read as the update or the delete it looked like.
    let reader = http
        .get(format!("{}/readers/r1", server.base_url()))
        .send()
        .await
        .unwrap();
    assert_eq!(reader.status().as_u16(), 200);
}

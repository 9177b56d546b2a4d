//! A function's arguments travel in its URL as OData literals: on the `navigation` fixture,
//! whose `GET /library/shelves/getShelvesForReader(readerId=...,since=...)` takes a string and a
//! date, the mock answers well-typed arguments and refuses a `null` or a mistyped one with
//! Graph's 400, naming what was wrong.

mod navigation;

use navigation::start;

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

    // A string is quoted in OData; a bare number is not one.
    let (status, body) = call("readerId=5").await;
    assert_eq!(status, 400, "{body}");
    let message = body["error"]["message"].as_str().unwrap();
    assert!(
        message.contains("'readerId'") && message.contains("Edm.String"),
        "{message}"
    );
}

//! An action's parameters travel as a JSON object: on the `navigation` fixture, whose
//! `POST /library/shelves/{shelfId}/assign` takes `readerIds` and `notify`, the mock answers an
//! empty body with Graph's 400 and runs the action on any valid object, if only `{}`.

use crate::navigation::{post_json, shelf, start};

#[tokio::test]
async fn an_action_with_parameters_needs_a_json_body() {
    let (server, client) = start().await;
    client
        .library()
        .shelves()
        .create(&shelf("s1", "Shelf 1"))
        .await
        .unwrap();
    let url = format!("{}/library/shelves/s1/assign", server.base_url());
    let http = reqwest::Client::new();

    let empty = http.post(&url).send().await.unwrap();
    assert_eq!(empty.status().as_u16(), 400);
    let error: serde_json::Value = empty.json().await.unwrap();
    assert_eq!(error["error"]["code"], "BadRequest");
    assert_eq!(
        error["error"]["message"],
        "Empty Payload. JSON content expected."
    );

    for body in [r#"{}"#, r#"{"readerIds":["r1"],"notify":true}"#] {
        let answer = post_json(&url, body).await;
        assert_eq!(answer.status().as_u16(), 204, "{body}");
    }
}

/// Graph's collections hold no nulls: `readerIds: ["r1", null]` is refused with OData's message,
/// naming the item, and the action does not run.
#[tokio::test]
async fn a_null_inside_a_collection_parameter_is_a_400() {
    let (server, client) = start().await;
    client
        .library()
        .shelves()
        .create(&shelf("s1", "Shelf 1"))
        .await
        .unwrap();
    let url = format!("{}/library/shelves/s1/assign", server.base_url());
    let answer = post_json(&url, r#"{"readerIds":["r1",null]}"#).await;
    assert_eq!(answer.status().as_u16(), 400);
    let error: serde_json::Value = answer.json().await.unwrap();
    assert_eq!(error["error"]["code"], "BadRequest");
    assert_eq!(
        error["error"]["message"],
        "A null value was found with the expected type 'Edm.String[Nullable=False]'. The expected type 'Edm.String[Nullable=False]' does not allow null values."
    );
}

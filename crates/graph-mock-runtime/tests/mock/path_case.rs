//! Graph matches a URL's fixed segments (names, casts, function names) in any case, and keys as
//! they are sent; so does the mock. On the `navigation` fixture's generated mock.

use crate::common::Harness;
use graph_mock_runtime::Config;
use reqwest::{Method, StatusCode};
use serde_json::json;

#[tokio::test]
async fn fixed_segments_match_in_any_case_and_keys_as_sent() {
    let h = Harness::on(&snapshot_navigation_mock::API, Config::default()).await;
    let created = h
        .send(
            Method::POST,
            "/LIBRARY/Shelves",
            Some(json!({"label": "s"})),
        )
        .await;
    assert_eq!(created.status, StatusCode::CREATED, "{}", created.body);
    let shelf = created.body["id"].as_str().unwrap().to_owned();
    // What was created under one spelling is there under the documented one.
    let listed = h.send(Method::GET, "/library/shelves", None).await;
    assert_eq!(
        listed.body["value"][0]["id"],
        shelf.as_str(),
        "{}",
        listed.body
    );
    let read = h
        .send(Method::GET, &format!("/library/sHeLvEs/{shelf}"), None)
        .await;
    assert_eq!(read.status, StatusCode::OK, "{}", read.body);
    assert_eq!(read.body["label"], "s");

    // A key keeps its case, even where it reads like a name the path could go on with.
    for id in ["MixedCase", "Delta"] {
        let reader = json!({"id": id, "displayName": "r"});
        let made = h.send(Method::POST, "/readers", Some(reader)).await;
        assert_eq!(made.status, StatusCode::CREATED, "{}", made.body);
        let read = h.send(Method::GET, &format!("/READERS/{id}"), None).await;
        assert_eq!(read.status, StatusCode::OK, "{id}: {}", read.body);
        assert_eq!(read.body["id"], id);
    }

    // Casts, function names and a singleton: answered as their documented spelling is.
    let same = |documented: String, other: String| {
        let h = &h;
        async move {
            let expected = h.send(Method::GET, &documented, None).await;
            let answer = h.send(Method::GET, &other, None).await;
            assert_eq!(answer.status, expected.status, "{other}: {}", answer.body);
            assert_ne!(
                answer.status,
                StatusCode::NOT_FOUND,
                "{other}: {}",
                answer.body
            );
            assert_eq!(answer.body["value"], expected.body["value"], "{other}");
        }
    };
    let special = json!({"@odata.type": "#microsoft.graph.specialShelf", "label": "x"});
    let special = h
        .send(Method::POST, "/library/shelves", Some(special))
        .await;
    let special = special.body["id"].as_str().unwrap().to_owned();
    same(
        format!("/library/shelves/{special}/microsoft.graph.specialShelf/books"),
        format!("/library/shelves/{special}/microsoft.graph.SPECIALSHELF/Books"),
    )
    .await;
    same(
        "/library/shelves/getShelvesForReader(label='s')".to_owned(),
        "/Library/shelves/GetShelvesForReader(label='s')".to_owned(),
    )
    .await;
    // All lower-case: a spelling looked up without a lower-cased copy.
    same(
        "/library/shelves/getShelvesForReader(label='s')".to_owned(),
        "/library/shelves/getshelvesforreader(label='s')".to_owned(),
    )
    .await;
    same("/library".to_owned(), "/Library".to_owned()).await;

    // A name no route has is still not found, and named as it was sent.
    let missing = h.send(Method::GET, "/library/Nothing", None).await;
    let message = missing.error(404, "ResourceNotFound");
    assert!(message.contains("Nothing"), "{message}");
}

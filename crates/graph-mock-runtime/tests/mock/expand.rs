//! `$expand` over HTTP, on the `navigation` fixture's generated mock: a library (a singleton)
//! contains shelves, and a shelf contains books and a single summary.

use graph_mock_runtime::{AuthMode, Config, SINGLETON_KEY};

use crate::common::Harness;
use serde_json::{Value, json};

async fn library() -> (Harness, String) {
    let config = Config {
        auth: AuthMode::None,
        ..Config::default()
    };
    let server = Harness::on(&snapshot_navigation_mock::API, config).await;
    let store = &server.state().store;
    let object = |v: Value| v.as_object().unwrap().clone();
    store
        .insert(
            "/library/shelves",
            "s1",
            object(json!({"id": "s1", "label": "Poetry"})),
        )
        .await
        .unwrap();
    store
        .insert(
            "/library/shelves",
            "s2",
            object(json!({"id": "s2", "label": "Empty"})),
        )
        .await
        .unwrap();
    for (id, title) in [("b1", "Odes"), ("b2", "Sonnets")] {
        store
            .insert(
                "/library/shelves/s1/books",
                id,
                object(json!({"id": id, "title": title})),
            )
            .await
            .unwrap();
    }
    store
        .insert(
            "/library/shelves/s1/summary",
            SINGLETON_KEY,
            object(json!({"id": "sum1", "count": 2})),
        )
        .await
        .unwrap();
    let base = server.base_url();
    (server, base)
}

async fn get(url: String) -> (u16, Value) {
    let response = reqwest::get(url).await.unwrap();
    (response.status().as_u16(), response.json().await.unwrap())
}

#[tokio::test]
async fn expand_embeds_contained_collections_and_single_values_with_nested_select() {
    let (_server, base) = library().await;
    let (status, shelf) = get(format!(
        "{base}/library/shelves/s1?$expand=books($select=title),summary&$select=label"
    ))
    .await;
    assert_eq!(status, 200, "{shelf}");
    assert_eq!(shelf["label"], "Poetry");
    assert!(
        shelf.get("id").is_none(),
        "$select still applies to the shelf"
    );
    assert_eq!(
        shelf["books"],
        json!([{"title": "Odes"}, {"title": "Sonnets"}])
    );
    assert_eq!(shelf["summary"], json!({"id": "sum1", "count": 2}));

    // On a list, every item gets its own; an empty contained collection is an empty array.
    let (status, shelves) = get(format!("{base}/library/shelves?$expand=books")).await;
    assert_eq!(status, 200, "{shelves}");
    let books: Vec<usize> = shelves["value"]
        .as_array()
        .unwrap()
        .iter()
        .map(|s| s["books"].as_array().unwrap().len())
        .collect();
    assert_eq!(books, [2, 0]);

    // The singleton's own navigation.
    let (status, library) = get(format!("{base}/library?$expand=shelves($select=label)")).await;
    assert_eq!(status, 200, "{library}");
    assert_eq!(
        library["shelves"],
        json!([{"label": "Poetry"}, {"label": "Empty"}])
    );
}

#[tokio::test]
async fn what_cannot_be_expanded_is_a_400_naming_it() {
    let (server, base) = library().await;
    let before = server.state().store.dump().unwrap();
    for (query, named) in [
        ("$expand=label", "is not a navigation property"),
        (
            "$expand=nope",
            "Could not find a property named 'nope' on type 'microsoft.graph.shelf'",
        ),
        (
            "$expand=books($select=nope)",
            "'nope' on type 'microsoft.graph.book'",
        ),
        ("$expand=books($filter=title eq 'x')", "only $select is"),
        ("$expand=books(", "parentheses do not match"),
        ("$expand=books,,summary", "Invalid $expand item ''"),
    ] {
        let (status, body) = get(format!("{base}/library/shelves/s1?{query}")).await;
        assert_eq!(status, 400, "{query}: {body}");
        let message = body["error"]["message"].as_str().unwrap();
        assert!(message.contains(named), "{query}: {message}");
    }
    assert_eq!(server.state().store.dump().unwrap(), before);
}

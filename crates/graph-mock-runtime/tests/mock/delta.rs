//! Delta queries over HTTP, on the `navigation` fixture's generated mock, whose docs give
//! `/library/shelves` a `delta` function: full rounds, change rounds, paging, `$select`, bad and
//! expired tokens.

use std::collections::BTreeMap;

use graph_mock_runtime::{AuthMode, Config};

use crate::common::Harness;
use serde_json::{Value, json};

async fn mock() -> Harness {
    let config = Config {
        auth: AuthMode::None,
        ..Config::default()
    };
    Harness::on(&snapshot_navigation_mock::API, config).await
}

/// One delta response.
struct Page {
    status: u16,
    body: Value,
    headers: reqwest::header::HeaderMap,
}

async fn get(url: &str, page_size: Option<usize>) -> Page {
    let mut request = reqwest::Client::new().get(url);
    if let Some(size) = page_size {
        request = request.header("Prefer", format!("odata.maxpagesize={size}"));
    }
    let response = request.send().await.unwrap();
    let status = response.status().as_u16();
    let headers = response.headers().clone();
    Page {
        status,
        body: response.json().await.unwrap(),
        headers,
    }
}

/// A whole round from `url`: every item by id (the last state each page gave), how many pages
/// it took, and the delta link that ends it.
async fn round(url: &str, page_size: Option<usize>) -> (BTreeMap<String, Value>, usize, String) {
    let mut items = BTreeMap::new();
    let mut url = url.to_owned();
    for pages in 1..100 {
        let page = get(&url, page_size).await;
        assert_eq!(page.status, 200, "{}", page.body);
        for item in page.body["value"].as_array().unwrap() {
            items.insert(item["id"].as_str().unwrap().to_owned(), item.clone());
        }
        match (
            page.body["@odata.nextLink"].as_str(),
            page.body["@odata.deltaLink"].as_str(),
        ) {
            (Some(next), None) => url = next.to_owned(),
            (None, Some(delta)) => return (items, pages, delta.to_owned()),
            other => panic!("a page has exactly one of the two links: {other:?}"),
        }
    }
    panic!("the round never ended");
}

/// The round from `link` once it answers `count` changes. With PostgreSQL a round ends at the
/// oldest transaction still running in the database (another test's, say), so a change made
/// just before may show only in a later answer to the same link: it is never lost, and each
/// round answers it once. Memory and SQLite answer it at once.
async fn settled_round(
    link: &str,
    page_size: Option<usize>,
    count: usize,
) -> (BTreeMap<String, Value>, usize, String) {
    for _ in 0..100 {
        let answer = round(link, page_size).await;
        if answer.0.len() >= count {
            return answer;
        }
        tokio::time::sleep(std::time::Duration::from_millis(50)).await;
    }
    round(link, page_size).await
}

async fn create(base: &str, body: Value) -> Value {
    let response = reqwest::Client::new()
        .post(format!("{base}/library/shelves"))
        .json(&body)
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 201);
    response.json().await.unwrap()
}

#[tokio::test]
async fn a_round_pages_everything_then_each_link_gives_what_changed_since() {
    let server = mock().await;
    let base = server.base_url();
    for n in 1..=5 {
        create(
            &base,
            json!({"id": format!("s{n}"), "label": format!("Shelf {n}")}),
        )
        .await;
    }
    let first = get(&format!("{base}/library/shelves/delta"), Some(2)).await;
    assert_eq!(
        first.headers["preference-applied"], "odata.maxpagesize=2",
        "the page size preference is answered"
    );
    assert!(
        first.body["@odata.context"]
            .as_str()
            .unwrap()
            .ends_with("/$metadata#library/shelves")
    );
    let (all, pages, link) = round(&format!("{base}/library/shelves/delta"), Some(2)).await;
    assert_eq!(all.len(), 5);
    assert_eq!(pages, 3, "five items in pages of two");
    assert_eq!(all["s3"]["label"], "Shelf 3");

    // Nothing changed: an empty page and a new link.
    let (unchanged, _, link) = round(&link, None).await;
    assert!(unchanged.is_empty(), "{unchanged:?}");

    create(&base, json!({"id": "s6", "label": "New"})).await;
    // The fixture documents no PATCH for shelves: the change is made in the store, which
    // records it like any write.
    let store = &server.state().store;
    let relabel = |label: &str| json!({ "label": label }).as_object().unwrap().clone();
    let renamed = relabel("Renamed");
    store
        .update("/library/shelves", "s1", &renamed)
        .await
        .unwrap();
    let deleted = reqwest::Client::new()
        .delete(format!("{base}/library/shelves/s2"))
        .send()
        .await
        .unwrap();
    assert_eq!(deleted.status(), 204);
    // Changed twice, reported once, as it is now.
    let newer = relabel("Newer");
    store
        .update("/library/shelves", "s6", &newer)
        .await
        .unwrap();

    let (changes, pages, next_link) = settled_round(&link, Some(1), 3).await;
    assert_eq!(pages, 3);
    assert_eq!(
        changes.keys().collect::<Vec<_>>(),
        ["s1", "s2", "s6"],
        "created, changed and deleted; nothing else"
    );
    assert_eq!(changes["s1"]["label"], "Renamed");
    assert_eq!(changes["s6"]["label"], "Newer");
    assert_eq!(
        changes["s2"],
        json!({"id": "s2", "@removed": {"reason": "deleted"}})
    );
    let (again, _, _) = round(&next_link, None).await;
    assert!(again.is_empty(), "each change is answered once: {again:?}");

    // An old link still answers from its own version.
    let (replayed, _, _) = settled_round(&link, None, 3).await;
    assert_eq!(replayed.len(), 3);
}

#[tokio::test]
async fn writes_during_a_round_are_in_the_next_one_and_links_carry_the_query() {
    let server = mock().await;
    let base = server.base_url();
    for n in 1..=4 {
        create(
            &base,
            json!({"id": format!("s{n}"), "label": format!("L{n}")}),
        )
        .await;
    }
    let first = get(
        &format!("{base}/library/shelves/delta?$select=label&$filter=label ne 'L2'"),
        Some(2),
    )
    .await;
    assert_eq!(first.status, 200, "{}", first.body);
    assert_eq!(
        first.body["value"],
        json!([
            {"@odata.type": "#microsoft.graph.shelf", "id": "s1", "label": "L1"},
            {"@odata.type": "#microsoft.graph.shelf", "id": "s3", "label": "L3"}
        ]),
        "the id (and the type) is always returned; $filter applies"
    );
    let next = first.body["@odata.nextLink"].as_str().unwrap().to_owned();
    assert!(next.contains("select=label"), "{next}");
    // Written while the round is paged.
    create(&base, json!({"id": "s5", "label": "L5"})).await;
    let (rest, _, link) = round(&next, Some(2)).await;
    assert!(rest.contains_key("s4"));
    assert_eq!(rest["s4"]["label"], "L4");
    assert_eq!(rest["s4"].as_object().unwrap().len(), 3, "{}", rest["s4"]);
    let (changes, _, _) = settled_round(&link, None, 1).await;
    assert_eq!(changes.keys().collect::<Vec<_>>(), ["s5"]);
    assert_eq!(changes["s5"]["label"], "L5");
}

#[tokio::test]
async fn altered_tokens_are_refused_and_expired_ones_start_over() {
    let server = mock().await;
    let base = server.base_url();
    create(&base, json!({"id": "s1"})).await;
    let (_, _, link) = round(&format!("{base}/library/shelves/delta"), None).await;

    let altered = link.replace("deltatoken=", "deltatoken=1");
    let refused = get(&altered, None).await;
    assert_eq!(refused.status, 400);
    assert_eq!(refused.body["error"]["code"], "BadRequest");
    assert!(
        refused.body["error"]["message"]
            .as_str()
            .unwrap()
            .contains("not valid")
    );
    let both = get(&format!("{link}&$skiptoken=x"), None).await;
    assert_eq!(both.status, 400);
    let unknown = get(&format!("{base}/library/shelves/delta?$top=1"), None).await;
    assert_eq!(unknown.status, 400, "{}", unknown.body);

    // A reset starts a new state: old tokens must start over.
    let reset = reqwest::Client::new()
        .post(format!("{base}/$mock/reset"))
        .send()
        .await
        .unwrap();
    assert_eq!(reset.status(), 204);
    let gone = get(&link, None).await;
    assert_eq!(gone.status, 410);
    assert_eq!(gone.body["error"]["code"], "resyncRequired");
    let restart = gone.headers["location"].to_str().unwrap();
    assert_eq!(restart, format!("{base}/library/shelves/delta"));
    let (all, _, _) = round(restart, None).await;
    assert!(all.is_empty(), "the reset store is empty");
}

//! `$ref` requests over HTTP, on the `navigation` fixture's generated mock: readers (a top-level
//! collection) are linked to a shelf through `/library/shelves/{id}/readers/$ref`, the way Graph
//! adds a member to a group.

use graph_mock_runtime::{Config, MockServer};
use reqwest::StatusCode;
use serde_json::{Value, json};

const TOKEN: &str = "Bearer test-token";

struct Fixture {
    server: MockServer,
    http: reqwest::Client,
    shelf: String,
    reader: String,
}

impl Fixture {
    /// A mock with one shelf and one reader.
    async fn start() -> Fixture {
        let server = MockServer::try_start(&snapshot_navigation_mock::API, Config::default())
            .await
            .unwrap();
        let http = reqwest::Client::new();
        let mut fixture = Fixture {
            server,
            http,
            shelf: String::new(),
            reader: String::new(),
        };
        fixture.shelf = fixture
            .create("/library/shelves", json!({"label": "s"}))
            .await;
        fixture.reader = fixture
            .create("/readers", json!({"displayName": "r"}))
            .await;
        fixture
    }

    fn url(&self, path: &str) -> String {
        format!("{}{path}", self.server.base_url())
    }

    async fn create(&self, path: &str, body: Value) -> String {
        let created: Value = self
            .send(reqwest::Method::POST, path, Some(body))
            .await
            .json()
            .await
            .unwrap();
        created["id"]
            .as_str()
            .unwrap_or_else(|| panic!("{path}: {created}"))
            .to_owned()
    }

    async fn send(
        &self,
        method: reqwest::Method,
        path: &str,
        body: Option<Value>,
    ) -> reqwest::Response {
        let mut request = self
            .http
            .request(method, self.url(path))
            .header("Authorization", TOKEN);
        if let Some(body) = body {
            request = request.json(&body);
        }
        request.send().await.unwrap()
    }

    /// `POST /library/shelves/{shelf}/readers/$ref` linking `id`, as a link of the service.
    async fn link(&self, id: &str) -> reqwest::Response {
        let body =
            json!({"@odata.id": format!("https://graph.microsoft.com/beta/directoryObjects/{id}")});
        let path = format!("/library/shelves/{}/readers/$ref", self.shelf);
        self.send(reqwest::Method::POST, &path, Some(body)).await
    }

    async fn readers(&self) -> Vec<Value> {
        let path = format!("/library/shelves/{}/readers", self.shelf);
        let page: Value = self
            .send(reqwest::Method::GET, &path, None)
            .await
            .json()
            .await
            .unwrap();
        page["value"].as_array().unwrap().clone()
    }
}

#[tokio::test]
async fn adding_a_reference_links_the_existing_entity() {
    let fixture = Fixture::start().await;
    let answer = fixture.link(&fixture.reader).await;
    assert_eq!(answer.status(), StatusCode::NO_CONTENT);
    assert_eq!(answer.text().await.unwrap(), "");
    let readers = fixture.readers().await;
    assert_eq!(readers.len(), 1);
    assert_eq!(readers[0]["id"], fixture.reader.as_str());
    assert_eq!(readers[0]["displayName"], "r");

    // The links themselves.
    let path = format!("/library/shelves/{}/readers/$ref", fixture.shelf);
    let links: Value = fixture
        .send(reqwest::Method::GET, &path, None)
        .await
        .json()
        .await
        .unwrap();
    assert!(
        links["@odata.context"]
            .as_str()
            .unwrap()
            .ends_with("/$metadata#Collection($ref)"),
        "{links}"
    );
    let link = links["value"][0]["@odata.id"].as_str().unwrap();
    assert!(
        link.ends_with(&format!("/readers/{}", fixture.reader)),
        "{link}"
    );
}

#[tokio::test]
async fn a_reference_twice_is_a_400_and_to_nothing_a_404() {
    let fixture = Fixture::start().await;
    assert_eq!(
        fixture.link(&fixture.reader).await.status(),
        StatusCode::NO_CONTENT
    );
    let again = fixture.link(&fixture.reader).await;
    assert_eq!(again.status(), StatusCode::BAD_REQUEST);
    let error: Value = again.json().await.unwrap();
    assert!(
        error["error"]["message"]
            .as_str()
            .unwrap()
            .contains("already exist"),
        "{error}"
    );

    let missing = fixture.link("no-such-reader").await;
    assert_eq!(missing.status(), StatusCode::NOT_FOUND);
    let error: Value = missing.json().await.unwrap();
    assert!(
        error["error"]["message"]
            .as_str()
            .unwrap()
            .contains("no-such-reader"),
        "{error}"
    );

    // A body without a link names what is missing.
    let path = format!("/library/shelves/{}/readers/$ref", fixture.shelf);
    let bad = fixture
        .send(reqwest::Method::POST, &path, Some(json!({"id": "x"})))
        .await;
    assert_eq!(bad.status(), StatusCode::BAD_REQUEST);
    let error: Value = bad.json().await.unwrap();
    assert!(
        error["error"]["message"]
            .as_str()
            .unwrap()
            .contains("@odata.id"),
        "{error}"
    );
    assert_eq!(fixture.readers().await.len(), 1);
}

#[tokio::test]
async fn removing_a_reference_keeps_the_entity() {
    let fixture = Fixture::start().await;
    assert_eq!(
        fixture.link(&fixture.reader).await.status(),
        StatusCode::NO_CONTENT
    );
    let path = format!(
        "/library/shelves/{}/readers/{}/$ref",
        fixture.shelf, fixture.reader
    );
    let removed = fixture.send(reqwest::Method::DELETE, &path, None).await;
    assert_eq!(removed.status(), StatusCode::NO_CONTENT);
    assert!(fixture.readers().await.is_empty());
    // The reader itself is still there.
    let reader = fixture
        .send(
            reqwest::Method::GET,
            &format!("/readers/{}", fixture.reader),
            None,
        )
        .await;
    assert_eq!(reader.status(), StatusCode::OK);
    // And a link that is not there is a 404.
    let again = fixture.send(reqwest::Method::DELETE, &path, None).await;
    assert_eq!(again.status(), StatusCode::NOT_FOUND);
}

#[tokio::test]
async fn a_reference_under_a_missing_parent_is_a_404() {
    let fixture = Fixture::start().await;
    let body = json!({"@odata.id": format!("https://graph.microsoft.com/beta/readers/{}", fixture.reader)});
    let answer = fixture
        .send(
            reqwest::Method::POST,
            "/library/shelves/nope/readers/$ref",
            Some(body),
        )
        .await;
    assert_eq!(answer.status(), StatusCode::NOT_FOUND);
}

#[tokio::test]
async fn a_single_valued_reference_is_set_and_replaced() {
    let fixture = Fixture::start().await;
    let other = fixture
        .create("/library/shelves", json!({"label": "o"}))
        .await;
    let path = "/library/featuredShelf";
    for (shelf, label) in [(&fixture.shelf, "s"), (&other, "o")] {
        // The link's own path finds the shelf, though it is not a top-level collection.
        let body = json!({"@odata.id": format!("https://graph.microsoft.com/beta/library/shelves/{shelf}")});
        let set = fixture
            .send(reqwest::Method::PUT, &format!("{path}/$ref"), Some(body))
            .await;
        assert_eq!(set.status(), StatusCode::NO_CONTENT);
        let now: Value = fixture
            .send(reqwest::Method::GET, path, None)
            .await
            .json()
            .await
            .unwrap();
        assert_eq!(now["label"], label, "{now}");
    }
    // No `$ref` page documents a PUT on the collection: the service's 405.
    let body = json!({"@odata.id": format!("https://graph.microsoft.com/beta/readers/{}", fixture.reader)});
    let put = fixture
        .send(
            reqwest::Method::PUT,
            &format!("/library/shelves/{}/readers/$ref", fixture.shelf),
            Some(body),
        )
        .await;
    assert_eq!(put.status(), StatusCode::METHOD_NOT_ALLOWED);
}

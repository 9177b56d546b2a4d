//! `$ref` requests over HTTP, on the `navigation` fixture's generated mock: readers (a top-level
//! collection) are linked to a shelf through `/library/shelves/{id}/readers/$ref`, the way Graph
//! adds a member to a group.

use crate::common::{Harness, Reply};
use graph_mock_runtime::Config;
use reqwest::{Method, StatusCode};
use serde_json::{Value, json};

struct Fixture {
    mock: Harness,
    shelf: String,
    reader: String,
}

impl Fixture {
    /// A mock with one shelf and one reader.
    async fn start() -> Fixture {
        Fixture::start_with(Config::default()).await
    }

    /// A mock with `config`, one shelf and one reader.
    async fn start_with(config: Config) -> Fixture {
        let mock = Harness::on(&snapshot_navigation_mock::API, config).await;
        let mut fixture = Fixture {
            mock,
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

    async fn create(&self, path: &str, body: Value) -> String {
        let created = self.send(Method::POST, path, Some(body)).await.body;
        created["id"]
            .as_str()
            .unwrap_or_else(|| panic!("{path}: {created}"))
            .to_owned()
    }

    async fn send(&self, method: Method, path: &str, body: Option<Value>) -> Reply {
        self.mock.send(method, path, body).await
    }

    /// `POST /library/shelves/{shelf}/readers/$ref` linking `id`, as a link of the service.
    async fn link(&self, id: &str) -> Reply {
        let body =
            json!({"@odata.id": format!("https://graph.microsoft.com/beta/directoryObjects/{id}")});
        let path = format!("/library/shelves/{}/readers/$ref", self.shelf);
        self.send(Method::POST, &path, Some(body)).await
    }

    async fn readers(&self) -> Vec<Value> {
        let path = format!("/library/shelves/{}/readers", self.shelf);
        let page = self.send(Method::GET, &path, None).await.body;
        page["value"].as_array().unwrap().clone()
    }
}

/// The message of a Graph error body.
fn message(reply: &Reply) -> &str {
    reply.body["error"]["message"].as_str().unwrap()
}

#[tokio::test]
async fn adding_a_reference_links_the_existing_entity() {
    let fixture = Fixture::start().await;
    let answer = fixture.link(&fixture.reader).await;
    assert_eq!(answer.status, StatusCode::NO_CONTENT);
    // No body at all.
    assert_eq!(answer.body, Value::Null);
    let readers = fixture.readers().await;
    assert_eq!(readers.len(), 1);
    assert_eq!(readers[0]["id"], fixture.reader.as_str());
    assert_eq!(readers[0]["displayName"], "r");

    // The links themselves.
    let path = format!("/library/shelves/{}/readers/$ref", fixture.shelf);
    let links = fixture.send(Method::GET, &path, None).await.body;
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
        fixture.link(&fixture.reader).await.status,
        StatusCode::NO_CONTENT
    );
    let again = fixture.link(&fixture.reader).await;
    assert_eq!(again.status, StatusCode::BAD_REQUEST);
    assert!(message(&again).contains("already exist"), "{}", again.body);

    let missing = fixture.link("no-such-reader").await;
    assert_eq!(missing.status, StatusCode::NOT_FOUND);
    assert!(
        message(&missing).contains("no-such-reader"),
        "{}",
        missing.body
    );

    // A body without a link names what is missing.
    let path = format!("/library/shelves/{}/readers/$ref", fixture.shelf);
    let bad = fixture
        .send(Method::POST, &path, Some(json!({"id": "x"})))
        .await;
    assert_eq!(bad.status, StatusCode::BAD_REQUEST);
    assert!(message(&bad).contains("@odata.id"), "{}", bad.body);
    assert_eq!(fixture.readers().await.len(), 1);
}

#[tokio::test]
async fn removing_a_reference_keeps_the_entity() {
    let fixture = Fixture::start().await;
    assert_eq!(
        fixture.link(&fixture.reader).await.status,
        StatusCode::NO_CONTENT
    );
    let path = format!(
        "/library/shelves/{}/readers/{}/$ref",
        fixture.shelf, fixture.reader
    );
    let removed = fixture.send(Method::DELETE, &path, None).await;
    assert_eq!(removed.status, StatusCode::NO_CONTENT);
    assert!(fixture.readers().await.is_empty());
    // The reader itself is still there.
    let reader = fixture
        .send(Method::GET, &format!("/readers/{}", fixture.reader), None)
        .await;
    assert_eq!(reader.status, StatusCode::OK);
    // And a link that is not there is a 404.
    let again = fixture.send(Method::DELETE, &path, None).await;
    assert_eq!(again.status, StatusCode::NOT_FOUND);
}

/// A link names the entity by its path under a version: the mock's own base path
/// (`--base-path`), or any version's (Graph's links from another version are accepted too).
#[tokio::test]
async fn a_link_is_read_under_the_mocks_base_path_or_any_version() {
    let config = Config {
        base_path: Some("/mock/graph".to_owned()),
        ..Config::default()
    };
    let fixture = Fixture::start_with(config).await;
    let own = fixture
        .mock
        .url(&format!("/library/shelves/{}", fixture.shelf));
    assert!(own.contains("/mock/graph/library/shelves/"), "{own}");
    let other_version = format!(
        "https://graph.microsoft.com/v1.0/library/shelves/{}",
        fixture.shelf
    );
    for link in [own, other_version] {
        // Shelves are not a top-level collection: only the link's own path finds the shelf.
        let set = fixture
            .send(
                Method::PUT,
                "/library/featuredShelf/$ref",
                Some(json!({"@odata.id": link})),
            )
            .await;
        assert_eq!(set.status, StatusCode::NO_CONTENT, "{link}: {}", set.body);
        let now = fixture
            .send(Method::GET, "/library/featuredShelf", None)
            .await;
        assert_eq!(now.body["label"], "s", "{link}: {}", now.body);
    }
}

#[tokio::test]
async fn a_reference_under_a_missing_parent_is_a_404() {
    let fixture = Fixture::start().await;
    let body = json!({"@odata.id": format!("https://graph.microsoft.com/beta/readers/{}", fixture.reader)});
    let answer = fixture
        .send(
            Method::POST,
            "/library/shelves/nope/readers/$ref",
            Some(body),
        )
        .await;
    assert_eq!(answer.status, StatusCode::NOT_FOUND);
}

#[tokio::test]
async fn a_single_valued_reference_is_set_and_replaced() {
    let fixture = Fixture::start().await;
    let other = fixture
        .create("/library/shelves", json!({"label": "o"}))
        .await;
    let path = "/library/featuredShelf";
    // Unset, the property and its link are Graph's 404.
    for unset_path in [path.to_owned(), format!("{path}/$ref")] {
        let unset = fixture.send(Method::GET, &unset_path, None).await;
        assert_eq!(
            unset.status,
            StatusCode::NOT_FOUND,
            "{unset_path}: {}",
            unset.body
        );
        assert!(message(&unset).contains("'featuredShelf' does not exist"));
    }
    for (shelf, label) in [(&fixture.shelf, "s"), (&other, "o")] {
        // The link's own path finds the shelf, though it is not a top-level collection.
        let body = json!({"@odata.id": format!("https://graph.microsoft.com/beta/library/shelves/{shelf}")});
        let set = fixture
            .send(Method::PUT, &format!("{path}/$ref"), Some(body))
            .await;
        assert_eq!(set.status, StatusCode::NO_CONTENT);
        let now = fixture.send(Method::GET, path, None).await.body;
        assert_eq!(now["label"], label, "{now}");
        // The link: shelves are not a top-level collection, so it is the property's own URL.
        let link = fixture
            .send(Method::GET, &format!("{path}/$ref"), None)
            .await;
        assert_eq!(link.status, StatusCode::OK, "{}", link.body);
        assert!(
            link.body["@odata.context"]
                .as_str()
                .unwrap()
                .ends_with("/$metadata#$ref")
        );
        assert!(
            link.body["@odata.id"]
                .as_str()
                .unwrap()
                .ends_with("/beta/library/featuredShelf")
        );
    }
    // No `$ref` page documents a PUT on the collection: the service's 405.
    let body = json!({"@odata.id": format!("https://graph.microsoft.com/beta/readers/{}", fixture.reader)});
    let put = fixture
        .send(
            Method::PUT,
            &format!("/library/shelves/{}/readers/$ref", fixture.shelf),
            Some(body),
        )
        .await;
    assert_eq!(put.status, StatusCode::METHOD_NOT_ALLOWED);
}

/// A link follows its entity, as on Graph: an update of the reader shows in the shelf's
/// readers, and a deleted reader or shelf is no longer linked anywhere.
#[tokio::test]
async fn links_follow_their_entity() {
    let fixture = Fixture::start().await;
    let reader = format!("/readers/{}", fixture.reader);
    assert_eq!(
        fixture.link(&fixture.reader).await.status,
        StatusCode::NO_CONTENT
    );
    let renamed = json!({"displayName": "renamed"});
    let patch = fixture.send(Method::PATCH, &reader, Some(renamed)).await;
    assert_eq!(patch.status, StatusCode::NO_CONTENT, "{}", patch.body);
    let readers = fixture.readers().await;
    assert_eq!(readers.len(), 1);
    assert_eq!(readers[0]["displayName"], "renamed");

    let delete = fixture.send(Method::DELETE, &reader, None).await;
    assert_eq!(delete.status, StatusCode::NO_CONTENT);
    assert!(
        fixture.readers().await.is_empty(),
        "the deleted reader is unlinked"
    );

    // A single-valued property: set to the shelf, then to another; deleting the first shelf
    // leaves the second in place, deleting the second unsets the property.
    let other = fixture
        .create("/library/shelves", json!({"label": "o"}))
        .await;
    let featured = "/library/featuredShelf/$ref";
    for shelf in [&fixture.shelf, &other] {
        let body = json!({"@odata.id": format!("https://graph.microsoft.com/beta/library/shelves/{shelf}")});
        let set = fixture.send(Method::PUT, featured, Some(body)).await;
        assert_eq!(set.status, StatusCode::NO_CONTENT);
    }
    for (shelf, left) in [
        (&fixture.shelf, StatusCode::OK),
        (&other, StatusCode::NOT_FOUND),
    ] {
        let path = format!("/library/shelves/{shelf}");
        let delete = fixture.send(Method::DELETE, &path, None).await;
        assert_eq!(delete.status, StatusCode::NO_CONTENT);
        let link = fixture.send(Method::GET, featured, None).await;
        assert_eq!(link.status, left, "after deleting {shelf}: {}", link.body);
    }
}

/// A `$ref` page's method is served with `/$ref` only, and the plain path's methods without
/// it, as the OpenAPI document lists them: any other is a 405 whose `Allow` names the methods
/// of that form of the path, `OPTIONS` included.
#[tokio::test]
async fn each_form_of_a_path_takes_its_own_methods() {
    let fixture = Fixture::start().await;
    assert_eq!(
        fixture.link(&fixture.reader).await.status,
        StatusCode::NO_CONTENT
    );
    let readers = format!("/library/shelves/{}/readers", fixture.shelf);
    let reader = format!("{readers}/{}", fixture.reader);
    let link = json!({"@odata.id": format!("https://graph.microsoft.com/beta/readers/{}", fixture.reader)});
    for (method, path, body, allow) in [
        // A link is added with `/$ref` only.
        (Method::POST, readers.clone(), Some(link), "GET,HEAD"),
        (Method::OPTIONS, readers.clone(), None, "GET,HEAD"),
        (
            Method::PATCH,
            format!("{readers}/$ref"),
            None,
            "GET,HEAD,POST",
        ),
        (
            Method::OPTIONS,
            format!("{readers}/$ref"),
            None,
            "GET,HEAD,POST",
        ),
        // And removed with `/$ref` only: without it, the delete is not documented.
        (Method::DELETE, reader.clone(), None, ""),
        (Method::GET, format!("{reader}/$ref"), None, "DELETE"),
        (Method::OPTIONS, format!("{reader}/$ref"), None, "DELETE"),
        // A plain path has no `$ref` form.
        (
            Method::GET,
            format!("/readers/{}/$ref", fixture.reader),
            None,
            "",
        ),
        (
            Method::DELETE,
            format!("/readers/{}/$ref", fixture.reader),
            None,
            "",
        ),
    ] {
        let reply = fixture.send(method.clone(), &path, body).await;
        reply.error(405, "MethodNotAllowed");
        assert_eq!(reply.headers["allow"], allow, "{method} {path}");
    }
    // None of them changed anything.
    assert_eq!(fixture.readers().await.len(), 1);
    let plain = fixture
        .send(Method::GET, &format!("/readers/{}", fixture.reader), None)
        .await;
    assert_eq!(plain.status, StatusCode::OK);
}

/// A link whose URL ends before an id names no entity: a 400, as the OpenAPI document's
/// pattern for `@odata.id` says.
#[tokio::test]
async fn a_link_without_an_id_is_a_400() {
    let fixture = Fixture::start().await;
    let path = format!("/library/shelves/{}/readers/$ref", fixture.shelf);
    for url in [
        String::new(),
        format!(
            "https://graph.microsoft.com/beta/readers/{}/",
            fixture.reader
        ),
        "https://graph.microsoft.com/beta/readers/?x".to_owned(),
    ] {
        let reply = fixture
            .send(Method::POST, &path, Some(json!({ "@odata.id": url })))
            .await;
        let message = reply.error(400, "BadRequest");
        assert!(message.contains("names no entity"), "{url}: {message}");
    }
    assert!(fixture.readers().await.is_empty());
}

//! Tenants kept apart, on the `navigation` fixture's generated mock and on whichever store the
//! suite runs against: a token of tenant B tries everything against tenant A's data, and every
//! attempt is a 404 (or the refusal the docs give for a token that is not valid), after which
//! A's data is as it was.

use crate::common::{CONNECTORS, Harness, Reply};
use graph_mock_runtime::Config;
use graph_mock_runtime::auth::unsigned_token;
use reqwest::{Method, StatusCode};
use serde_json::{Value, json};

fn token_of(tenant: &str) -> String {
    unsigned_token(&json!({ "tid": tenant, "scp": "Library.ReadWrite" }))
}

/// Tenant A's data: two shelves, a reader linked to the first, a delta round's link and a
/// first page's next link.
struct TenantA {
    mock: Harness,
    token: String,
    shelf: String,
    reader: String,
    next_link: String,
    delta_link: String,
}

impl TenantA {
    async fn start() -> TenantA {
        let mock = Harness::on(&snapshot_navigation_mock::API, Config::default()).await;
        let token = token_of("tenant-a");
        let create = |path: &'static str, body: Value| {
            let (mock, token) = (&mock, &token);
            async move {
                let reply = mock.send_as(token, Method::POST, path, Some(body)).await;
                assert_eq!(reply.status, StatusCode::CREATED, "{}", reply.body);
                reply.body["id"].as_str().unwrap().to_owned()
            }
        };
        let shelf = create("/library/shelves", json!({"label": "a-1"})).await;
        create("/library/shelves", json!({"label": "a-2"})).await;
        let reader = create("/readers", json!({"displayName": "a-reader"})).await;
        let link =
            json!({"@odata.id": format!("https://graph.microsoft.com/beta/readers/{reader}")});
        let linked = (mock.send_as(
            &token,
            Method::POST,
            &format!("/library/shelves/{shelf}/readers/$ref"),
            Some(link),
        ))
        .await;
        assert_eq!(linked.status, StatusCode::NO_CONTENT, "{}", linked.body);
        let page = mock
            .send_as(&token, Method::GET, "/library/shelves?$top=1", None)
            .await;
        let next_link = page.body["@odata.nextLink"].as_str().unwrap().to_owned();
        let round = mock
            .send_as(&token, Method::GET, "/library/shelves/delta", None)
            .await;
        let delta_link = round.body["@odata.deltaLink"].as_str().unwrap().to_owned();
        TenantA {
            mock,
            token,
            shelf,
            reader,
            next_link,
            delta_link,
        }
    }

    /// What A sees of its own data.
    async fn snapshot(&self) -> Vec<Value> {
        let mut seen = Vec::new();
        for path in [
            "/library/shelves".to_owned(),
            "/readers".to_owned(),
            format!("/library/shelves/{}/readers", self.shelf),
        ] {
            let reply = self
                .mock
                .send_as(&self.token, Method::GET, &path, None)
                .await;
            assert_eq!(reply.status, StatusCode::OK, "{path}: {}", reply.body);
            seen.push(reply.body["value"].clone());
        }
        seen
    }
}

fn assert_refused(what: &str, reply: &Reply, statuses: &[StatusCode]) {
    assert!(
        statuses.contains(&reply.status),
        "{what}: expected one of {statuses:?}, got {} {}",
        reply.status,
        reply.body
    );
    assert!(
        reply.body["error"]["code"].is_string(),
        "{what}: a Graph error body: {}",
        reply.body
    );
}

#[tokio::test]
async fn a_tenant_can_neither_see_nor_change_another_tenants_data() {
    let a = TenantA::start().await;
    let before = a.snapshot().await;
    let b = token_of("tenant-b");
    let (shelf, reader) = (&a.shelf, &a.reader);
    let send = |method: Method, path: String, body: Option<Value>| {
        let (mock, b) = (&a.mock, &b);
        async move { mock.send_as(b, method, &path, body).await }
    };
    let not_found = [StatusCode::NOT_FOUND];

    let read = send(Method::GET, format!("/library/shelves/{shelf}"), None).await;
    assert_refused("read", &read, &not_found);
    let update = send(
        Method::PATCH,
        format!("/readers/{reader}"),
        Some(json!({"displayName": "b"})),
    )
    .await;
    assert_refused("update", &update, &not_found);
    let delete = send(Method::DELETE, format!("/readers/{reader}"), None).await;
    assert_refused("delete", &delete, &not_found);
    let delete = send(Method::DELETE, format!("/library/shelves/{shelf}"), None).await;
    assert_refused("delete", &delete, &not_found);
    let link = json!({"@odata.id": format!("https://graph.microsoft.com/beta/readers/{reader}")});
    let linked = send(
        Method::POST,
        format!("/library/shelves/{shelf}/readers/$ref"),
        Some(link),
    )
    .await;
    assert_refused("link", &linked, &not_found);
    let unlinked = send(
        Method::DELETE,
        format!("/library/shelves/{shelf}/readers/{reader}/$ref"),
        None,
    )
    .await;
    assert_refused("unlink", &unlinked, &not_found);
    let linked_reader = send(
        Method::GET,
        format!("/library/shelves/{shelf}/readers"),
        None,
    )
    .await;
    assert_refused("list a link", &linked_reader, &not_found);

    // Lists, filters and counts are B's own: empty.
    let listed = send(Method::GET, "/library/shelves".to_owned(), None).await;
    assert_eq!(listed.body["value"], json!([]), "list: {}", listed.body);
    let filtered = send(
        Method::GET,
        "/library/shelves?$filter=label eq 'a-1'".to_owned(),
        None,
    )
    .await;
    assert_eq!(
        filtered.body["value"],
        json!([]),
        "filter: {}",
        filtered.body
    );
    let counted = send(Method::GET, "/library/shelves/$count".to_owned(), None).await;
    assert_eq!(
        (counted.status, counted.body.clone()),
        (StatusCode::OK, json!(0)),
        "count"
    );
    let readers = send(Method::GET, "/readers?$count=true".to_owned(), None).await;
    assert_eq!(
        readers.body["@odata.count"],
        json!(0),
        "count: {}",
        readers.body
    );

    // A's paging and delta links are refused: they were signed for A.
    let next = a
        .mock
        .send_url_as(&b, Method::GET, &a.next_link, None)
        .await;
    assert_refused("next link", &next, &[StatusCode::BAD_REQUEST]);
    let delta = a
        .mock
        .send_url_as(&b, Method::GET, &a.delta_link, None)
        .await;
    assert_refused("delta link", &delta, &[StatusCode::BAD_REQUEST]);

    // A batch runs each request as B.
    let batch = json!({"requests": [
        {"id": "1", "method": "GET", "url": format!("/library/shelves/{shelf}")},
        {"id": "2", "method": "DELETE", "url": format!("/library/shelves/{shelf}")},
    ]});
    let batched = send(Method::POST, "/$batch".to_owned(), Some(batch)).await;
    assert_eq!(batched.status, StatusCode::OK, "{}", batched.body);
    for answer in batched.body["responses"].as_array().unwrap() {
        assert_eq!(answer["status"], 404, "batch: {answer}");
    }

    // B's reset and journal are B's.
    let reset = send(Method::POST, "/$mock/reset".to_owned(), None).await;
    assert_eq!(reset.status, StatusCode::NO_CONTENT);
    let journal = send(Method::GET, "/$mock/requests".to_owned(), None).await;
    let paths: Vec<&str> = (journal.body["value"].as_array().unwrap().iter())
        .filter_map(|entry| entry["path"].as_str())
        .collect();
    assert!(
        paths.is_empty(),
        "B's reset cleared B's journal only: {paths:?}"
    );
    let a_journal = a
        .mock
        .send_as(&a.token, Method::GET, "/$mock/requests", None)
        .await;
    assert!(
        a_journal.body["value"].as_array().unwrap().len() >= 7,
        "A's requests are A's: {}",
        a_journal.body
    );

    assert_eq!(a.snapshot().await, before, "A's data is unchanged");
    // And A's own links still work.
    let next = a
        .mock
        .send_url_as(&a.token, Method::GET, &a.next_link, None)
        .await;
    assert_eq!(next.status, StatusCode::OK, "{}", next.body);
    let delta = a
        .mock
        .send_url_as(&a.token, Method::GET, &a.delta_link, None)
        .await;
    assert_eq!(delta.status, StatusCode::OK, "{}", delta.body);
}

#[tokio::test]
async fn the_default_tenant_is_one_tenant_among_others() {
    let a = TenantA::start().await;
    // A token without a tenant (and `Bearer token`, not a JWT) is the default tenant's.
    let default = a.mock.send(Method::GET, "/library/shelves", None).await;
    assert_eq!(default.body["value"], json!([]), "{}", default.body);
    let created = a
        .mock
        .send(
            Method::POST,
            "/library/shelves",
            Some(json!({"label": "d"})),
        )
        .await;
    assert_eq!(created.status, StatusCode::CREATED);
    let no_tid = unsigned_token(&json!({"scp": "Library.ReadWrite"}));
    let listed = a
        .mock
        .send_as(&no_tid, Method::GET, "/library/shelves", None)
        .await;
    assert_eq!(listed.body["value"].as_array().unwrap().len(), 1);
    // Resetting the default tenant leaves A alone.
    let reset = a.mock.send(Method::POST, "/$mock/reset", None).await;
    assert_eq!(reset.status, StatusCode::NO_CONTENT);
    let a_shelves = a
        .mock
        .send_as(&a.token, Method::GET, "/library/shelves", None)
        .await;
    assert_eq!(a_shelves.body["value"].as_array().unwrap().len(), 2);
    // A tenant id that cannot be one is refused.
    let bad = unsigned_token(&json!({"tid": "a/../b"}));
    let refused = a
        .mock
        .send_as(&bad, Method::GET, "/library/shelves", None)
        .await;
    assert_refused("a bad tid", &refused, &[StatusCode::UNAUTHORIZED]);
}

#[tokio::test]
async fn fixtures_go_to_their_tenant_and_each_reset_restores_its_own() {
    let mock = Harness::on(&snapshot_navigation_mock::API, Config::default()).await;
    let fixtures = json!({
        "/readers": [{"id": "d1", "displayName": "default"}],
        "tenants": {"tenant-a": {"/readers": [{"id": "a1", "displayName": "a"}]}},
    });
    assert_eq!(
        mock.server.state().load_fixtures(&fixtures).await.unwrap(),
        2
    );
    mock.server.state().capture_start_state().unwrap();
    let a = token_of("tenant-a");
    let ids = |reply: Reply| -> Vec<String> {
        (reply.body["value"].as_array().unwrap().iter())
            .map(|r| r["id"].as_str().unwrap().to_owned())
            .collect()
    };
    assert_eq!(ids(mock.send(Method::GET, "/readers", None).await), ["d1"]);
    assert_eq!(
        ids(mock.send_as(&a, Method::GET, "/readers", None).await),
        ["a1"]
    );
    // A's changes are undone by A's reset, and the default tenant's by its own.
    let deleted = mock.send_as(&a, Method::DELETE, "/readers/a1", None).await;
    assert_eq!(deleted.status, StatusCode::NO_CONTENT);
    mock.send(Method::DELETE, "/readers/d1", None).await;
    assert_eq!(
        mock.send_as(&a, Method::POST, "/$mock/reset", None)
            .await
            .status,
        StatusCode::NO_CONTENT
    );
    assert_eq!(
        ids(mock.send_as(&a, Method::GET, "/readers", None).await),
        ["a1"]
    );
    assert!(ids(mock.send(Method::GET, "/readers", None).await).is_empty());
    mock.send(Method::POST, "/$mock/reset", None).await;
    assert_eq!(ids(mock.send(Method::GET, "/readers", None).await), ["d1"]);
    let bad = json!({"tenants": {"a/b": {}}});
    let error = mock.server.state().load_fixtures(&bad).await.unwrap_err();
    assert!(error.contains("a/b"), "{error}");
}

#[tokio::test]
async fn a_tenants_token_still_needs_its_scopes() {
    let config = Config {
        auth: graph_mock_runtime::AuthMode::Scopes,
        ..Config::default()
    };
    // The seed's connectors document their permissions (the fixture leaves some rows TODO).
    let mock = Harness::with(config).await;
    let connector = crate::common::connector("x");
    let read = unsigned_token(
        &json!({ "tid": "tenant-a", "scp": "DeviceManagementConfiguration.Read.All" }),
    );
    let refused = (mock.send_as(&read, Method::POST, CONNECTORS, Some(connector.clone()))).await;
    assert_refused(
        "a tenant's token without the scope",
        &refused,
        &[StatusCode::FORBIDDEN],
    );
    let write = unsigned_token(
        &json!({ "tid": "tenant-a", "scp": "DeviceManagementConfiguration.ReadWrite.All" }),
    );
    let created = mock
        .send_as(&write, Method::POST, CONNECTORS, Some(connector))
        .await;
    assert_eq!(created.status, StatusCode::CREATED, "{}", created.body);
    let listed = mock.send_as(&read, Method::GET, CONNECTORS, None).await;
    assert_eq!(
        listed.body["value"].as_array().map(Vec::len),
        Some(1),
        "{}",
        listed.body
    );
}

//! Authentication in all three modes.

mod common;

use common::{CONNECTORS, Harness, Reply, connector};
use graph_mock_runtime::{AuthMode, Config, auth::unsigned_token};
use reqwest::StatusCode;
use serde_json::json;

fn later() -> i64 {
    time::OffsetDateTime::now_utc().unix_timestamp() + 3600
}

#[tokio::test]
async fn the_default_requires_a_bearer_token() {
    let h = Harness::start().await;
    let reply = Reply::from(h.http.get(h.url(CONNECTORS)).send().await.unwrap()).await;
    reply.error(401, "InvalidAuthenticationToken");
    let basic = Reply::from(
        h.http
            .get(h.url(CONNECTORS))
            .header("authorization", "Basic abc")
            .send()
            .await
            .unwrap(),
    )
    .await;
    basic.error(401, "InvalidAuthenticationToken");
    let ok = h
        .http
        .get(h.url(CONNECTORS))
        .bearer_auth("anything")
        .send()
        .await
        .unwrap();
    assert_eq!(ok.status(), StatusCode::OK);
}

#[tokio::test]
async fn none_turns_the_check_off() {
    let h = Harness::with(Config {
        auth: AuthMode::None,
        ..Config::default()
    })
    .await;
    let response = h
        .http
        .post(h.url(CONNECTORS))
        .json(&connector("x"))
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), StatusCode::CREATED);
}

#[tokio::test]
async fn scopes_checks_scp_and_roles_against_the_docs() {
    let h = Harness::with(Config {
        auth: AuthMode::Scopes,
        ..Config::default()
    })
    .await;
    let send = |token: String, write: bool| {
        let request = if write {
            h.http.post(h.url(CONNECTORS)).json(&connector("x"))
        } else {
            h.http.get(h.url(CONNECTORS))
        };
        async move { Reply::from(request.bearer_auth(token).send().await.unwrap()).await }
    };
    let read =
        unsigned_token(&json!({"scp": "DeviceManagementConfiguration.Read.All", "exp": later()}));
    let write = unsigned_token(
        &json!({"scp": "User.Read DeviceManagementConfiguration.ReadWrite.All", "exp": later()}),
    );
    let app = unsigned_token(&json!({"roles": ["DeviceManagementConfiguration.ReadWrite.All"]}));
    let unrelated = unsigned_token(&json!({"roles": ["Mail.Read"]}));
    let expired =
        unsigned_token(&json!({"scp": "DeviceManagementConfiguration.ReadWrite.All", "exp": 1000}));

    assert_eq!(send(read.clone(), false).await.status, StatusCode::OK);
    let message = send(read, true).await.error(403, "Forbidden");
    assert!(
        message.contains("DeviceManagementConfiguration.ReadWrite.All"),
        "{message}"
    );
    assert_eq!(send(write, true).await.status, StatusCode::CREATED);
    assert_eq!(send(app, true).await.status, StatusCode::CREATED);
    send(unrelated, false).await.error(403, "Forbidden");
    let message = send(expired, false)
        .await
        .error(401, "InvalidAuthenticationToken");
    assert!(message.contains("expired"), "{message}");
    send("not-a-jwt".to_owned(), false)
        .await
        .error(401, "InvalidAuthenticationToken");
}

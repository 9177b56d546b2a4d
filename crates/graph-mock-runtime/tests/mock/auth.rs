//! Authentication in all three modes.

use crate::common::{CONNECTORS, Harness, Reply, connector};
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

#[tokio::test]
async fn the_token_endpoint_speaks_the_identity_platforms_client_credentials() {
    let h = Harness::with(Config {
        apps: vec!["app1:pw:User.Read.All,Group.Read.All".parse().unwrap()],
        ..Config::default()
    })
    .await;
    let url = format!("{}/tenant-1/oauth2/v2.0/token", h.server.uri());
    let post = |form: &[(&str, &str)]| {
        let request = h.http.post(&url).form(form);
        async move {
            let response = request.send().await.unwrap();
            (
                response.status().as_u16(),
                response.json::<serde_json::Value>().await.unwrap(),
            )
        }
    };
    let scope = ("scope", "https://graph.microsoft.com/.default");
    let (status, body) = post(&[
        ("grant_type", "client_credentials"),
        ("client_id", "app1"),
        ("client_secret", "pw"),
        scope,
    ])
    .await;
    assert_eq!(status, 200, "{body}");
    assert_eq!(body["token_type"], "Bearer");
    assert_eq!(body["expires_in"], 3599);
    let token = body["access_token"].as_str().unwrap();
    let claims = token.split('.').nth(1).unwrap();
    let claims: serde_json::Value = serde_json::from_slice(
        &base64::Engine::decode(&base64::engine::general_purpose::URL_SAFE_NO_PAD, claims).unwrap(),
    )
    .unwrap();
    assert_eq!(claims["roles"], json!(["User.Read.All", "Group.Read.All"]));
    assert_eq!(claims["tid"], "tenant-1");
    assert!(claims["exp"].as_i64().unwrap() > claims["iat"].as_i64().unwrap());

    // A client assertion stands in for the secret (its signature is not checked).
    let (status, _) = post(&[
        ("grant_type", "client_credentials"),
        ("client_id", "app1"),
        (
            "client_assertion_type",
            "urn:ietf:params:oauth:client-assertion-type:jwt-bearer",
        ),
        ("client_assertion", "eyJ.eyJ.sig"),
        scope,
    ])
    .await;
    assert_eq!(status, 200);

    for (form, status, error) in [
        (
            &[("grant_type", "password"), ("client_id", "app1"), scope][..],
            400,
            "unsupported_grant_type",
        ),
        (
            &[
                ("grant_type", "client_credentials"),
                ("client_id", "app1"),
                ("client_secret", "pw"),
                ("scope", "User.Read"),
            ][..],
            400,
            "invalid_scope",
        ),
        (
            &[
                ("grant_type", "client_credentials"),
                ("client_id", "app1"),
                ("client_secret", "nope"),
                scope,
            ][..],
            401,
            "invalid_client",
        ),
    ] {
        let (got, body) = post(form).await;
        assert_eq!(
            (got, body["error"].as_str()),
            (status, Some(error)),
            "{body}"
        );
        assert!(
            body["error_description"]
                .as_str()
                .unwrap()
                .starts_with("AADSTS")
        );
        assert!(body["trace_id"].is_string());
    }
}

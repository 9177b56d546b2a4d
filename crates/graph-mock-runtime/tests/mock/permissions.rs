//! `--auth scopes`, for every operation of the checked-in spec: the least-privileged documented
//! permission is enough, a read-only permission is refused on writes, and an expired token is
//! refused everywhere.

use crate::common::Harness;
use graph_mock_runtime::auth::unsigned_token;
use graph_mock_runtime::operation::{Kind, OperationMeta, Permission};
use graph_mock_runtime::{AuthMode, Config};
use reqwest::Method;
use seed_mock::API;
use serde_json::{Value, json};

fn in_an_hour() -> i64 {
    time::OffsetDateTime::now_utc().unix_timestamp() + 3600
}

/// Sends a valid request for `operation` with `token`; returns the status.
async fn call(h: &Harness, operation: &OperationMeta, token: &str) -> u16 {
    let id = h
        .create_with_write_scope(json!({"displayName": "target"}))
        .await;
    let path: String = operation
        .path
        .split('/')
        .map(|s| if s.starts_with('{') { id.as_str() } else { s })
        .collect::<Vec<_>>()
        .join("/");
    let method = Method::from_bytes(operation.method.as_str().as_bytes()).unwrap();
    let mut request = h.http.request(method, h.url(&path)).bearer_auth(token);
    if matches!(operation.kind, Kind::Create | Kind::Update) {
        request = request.json(&json!({"displayName": "x"}));
    }
    request.send().await.unwrap().status().as_u16()
}

/// A token holding every scope of `permissions` (an entry `A and B` holds both).
fn token(claim: &str, permissions: &[impl AsRef<str>], exp: i64) -> String {
    let scopes: Vec<&str> = (permissions.iter())
        .flat_map(|all| graph_spec::scopes_of(all.as_ref()))
        .collect();
    let value = if claim == "scp" {
        Value::String(scopes.join(" "))
    } else {
        json!(scopes)
    };
    unsigned_token(&json!({ claim: value, "exp": exp }))
}

#[tokio::test]
async fn every_operation_checks_its_documented_permissions() {
    let h = Harness::with(Config {
        auth: AuthMode::Scopes,
        ..Config::default()
    })
    .await;
    let mut checked = 0;
    for operation in API.operations() {
        let writes = matches!(
            operation.kind,
            Kind::Create | Kind::Update | Kind::Delete | Kind::Action
        );
        for (claim, permission) in [
            ("scp", &operation.permissions.delegated),
            ("roles", &operation.permissions.application),
        ] {
            let Permission::Scopes(scopes) = permission else {
                continue;
            };
            let context = format!("{} {} ({claim})", operation.method, operation.path);
            let least = token(claim, &scopes[..1], in_an_hour());
            let status = call(&h, operation, &least).await;
            assert!(
                status < 400,
                "{context}: the least-privileged {} is enough, got {status}",
                scopes[0]
            );
            if writes {
                let read_only = scopes[0].replace(".ReadWrite.", ".Read.");
                let status = call(&h, operation, &token(claim, &[&read_only], in_an_hour())).await;
                assert_eq!(status, 403, "{context}: {read_only} cannot write");
            }
            let expired = token(claim, scopes, 1_000);
            assert_eq!(
                call(&h, operation, &expired).await,
                401,
                "{context}: an expired token"
            );
            checked += 1;
        }
    }
    assert_eq!(
        checked,
        2 * API.operations().len(),
        "every operation documents delegated and application permissions"
    );
}

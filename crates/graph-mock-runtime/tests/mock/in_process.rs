//! The router without sockets (`oneshot`), and the doc-example preload.

use axum::body::Body;
use axum::http::{Request, StatusCode};
use graph_mock_runtime::{AppState, Config, app};
use tower::ServiceExt;

#[tokio::test]
async fn the_router_serves_oneshot_requests() {
    let state = AppState::new(&seed_mock::API, Config::default());
    let request = Request::get("/beta/deviceManagement/domainJoinConnectors")
        .header("authorization", "Bearer t")
        .body(Body::empty())
        .unwrap();
    let response = app(state).oneshot(request).await.unwrap();
    assert_eq!(response.status(), StatusCode::OK);
    assert!(response.headers().contains_key("request-id"));
}

#[tokio::test]
async fn seed_examples_preloads_the_documented_entities() {
    let state = AppState::new(&seed_mock::API, Config::default());
    let inserted = state.seed_examples().await;
    assert!(inserted >= 1, "the create and get examples show an entity");
    let entity = state
        .store
        .get(
            "/deviceManagement/domainJoinConnectors",
            "77296cf7-6cf7-7729-f76c-2977f76c2977",
        )
        .unwrap()
        .unwrap();
    assert_eq!(entity.get("displayName").unwrap(), "Display Name value");
    let request = Request::get(
        "/beta/deviceManagement/domainJoinConnectors/77296cf7-6cf7-7729-f76c-2977f76c2977",
    )
    .header("authorization", "Bearer t")
    .body(Body::empty())
    .unwrap();
    let response = app(state).oneshot(request).await.unwrap();
    assert_eq!(response.status(), StatusCode::OK);
}

//! The `request_handling` fuzz target's property under stable `cargo test`, bounded, through the
//! whole mock: arbitrary requests (methods, paths made of the routes' names, OData segments,
//! calls, casts, ids and noise; query options with arbitrary values; arbitrary bodies and content
//! types) never panic it, never get a 5xx, and every error is a Graph error body.

use std::sync::LazyLock;

use axum::body::Body;
use axum::http::{Method, Request};
use graph_mock_runtime::{App, AppState, AuthMode, Config};
use proptest::prelude::*;
use tower::ServiceExt;

/// One mock for every case (state accumulates, as it does for a client), and a runtime to
/// drive it.
static MOCK: LazyLock<(tokio::runtime::Runtime, App)> = LazyLock::new(|| {
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(1)
        .enable_all()
        .build()
        .unwrap();
    let config = Config {
        auth: AuthMode::None,
        ..Config::default()
    };
    let app = graph_mock_runtime::app(AppState::new(&seed_mock::API, config));
    (runtime, app)
});

fn segment() -> impl Strategy<Value = String> {
    prop_oneof![
        Just("deviceManagement".to_owned()),
        Just("domainJoinConnectors".to_owned()),
        Just("DEVICEMANAGEMENT".to_owned()),
        Just("$ref".to_owned()),
        Just("%24ref".to_owned()),
        Just("$count".to_owned()),
        Just("$value".to_owned()),
        Just("$batch".to_owned()),
        Just("$openapi".to_owned()),
        Just("$mock".to_owned()),
        Just("requests".to_owned()),
        Just("microsoft.graph.deviceManagementDomainJoinConnector".to_owned()),
        Just("f(a='b',c=1)".to_owned()),
        Just("..".to_owned()),
        Just(String::new()),
        "[a-zA-Z0-9_.~'()=,-]{1,12}",
    ]
}

fn query() -> impl Strategy<Value = String> {
    let name = prop_oneof![
        Just("$filter"),
        Just("$top"),
        Just("$skip"),
        Just("$select"),
        Just("$orderby"),
        Just("$count"),
        Just("$skiptoken"),
        Just("$deltatoken"),
        Just("$expand"),
        Just("$search"),
        Just("$format"),
        Just("top"),
        Just("x"),
    ];
    let value = prop_oneof![
        Just("displayName eq 'a'".to_owned()),
        Just("state in ('active')".to_owned()),
        Just("startswith(displayName,'a') and version ne null".to_owned()),
        Just("-1".to_owned()),
        Just("99999999999999999999".to_owned()),
        Just("displayName desc,id".to_owned()),
        Just("true".to_owned()),
        "\\PC{0,16}",
    ];
    proptest::collection::vec((name, value), 0..4).prop_map(|pairs| {
        let mut query = form_urlencoded::Serializer::new(String::new());
        for (name, value) in pairs {
            query.append_pair(name, &value);
        }
        query.finish()
    })
}

fn body() -> impl Strategy<Value = Vec<u8>> {
    prop_oneof![
        Just(Vec::new()),
        Just(br#"{"displayName": "a", "state": "active"}"#.to_vec()),
        Just(br#"{"@odata.id": "https://graph.microsoft.com/beta/deviceManagement/domainJoinConnectors/x"}"#.to_vec()),
        Just(br#"{"requests": [{"id": "1", "method": "GET", "url": "/deviceManagement/domainJoinConnectors"}]}"#.to_vec()),
        Just(br#"{"state": "nope", "id": null, "version": 1}"#.to_vec()),
        proptest::collection::vec(any::<u8>(), 0..64),
        "\\PC{0,64}".prop_map(String::into_bytes),
    ]
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(3000))]

    #[test]
    fn arbitrary_requests_get_graph_answers_never_a_panic_or_a_5xx(
        method in prop_oneof![
            Just(Method::GET), Just(Method::POST), Just(Method::PATCH), Just(Method::PUT),
            Just(Method::DELETE), Just(Method::HEAD), Just(Method::OPTIONS),
        ],
        versioned in any::<bool>(),
        segments in proptest::collection::vec(segment(), 0..6),
        query in query(),
        body in body(),
        json in any::<bool>(),
    ) {
        let mut path = if versioned { "/beta".to_owned() } else { String::new() };
        for segment in &segments {
            path.push('/');
            path.push_str(segment);
        }
        if path.is_empty() {
            path.push('/');
        }
        if !query.is_empty() {
            path = format!("{path}?{query}");
        }
        let mut request = Request::builder().method(method.clone()).uri(&path);
        if json {
            request = request.header("content-type", "application/json");
        }
        let Ok(request) = request.body(Body::from(body)) else {
            return Ok(());
        };
        let (runtime, app) = &*MOCK;
        let response = runtime.block_on(app.clone().oneshot(request)).unwrap();
        let status = response.status();
        prop_assert!(status.as_u16() < 500, "{method} {path}: {status}");
        if status.is_client_error() && method != Method::HEAD {
            let bytes = runtime
                .block_on(axum::body::to_bytes(response.into_body(), usize::MAX))
                .unwrap();
            let error: serde_json::Value = serde_json::from_slice(&bytes).unwrap_or_default();
            prop_assert!(
                error["error"]["code"].is_string(),
                "{method} {path}: {status} without a Graph error body: {}",
                String::from_utf8_lossy(&bytes)
            );
        }
    }
}

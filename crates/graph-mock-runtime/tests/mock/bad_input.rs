//! Every row of the bad-input table: the right status, a Graph error body, and an unchanged store.

use crate::common::{CONNECTORS, Harness, Reply, connector};
use graph_mock_runtime::Config;
use reqwest::Method;
use serde_json::json;

/// Sends raw bytes with a content type and checks status, code and an unchanged store.
async fn refused(
    h: &Harness,
    method: Method,
    path: &str,
    content_type: Option<&str>,
    body: Vec<u8>,
    status: u16,
    code: &str,
) -> String {
    let before = h.store_dump();
    let mut request = h
        .http
        .request(method, h.url(path))
        .bearer_auth("t")
        .body(body);
    if let Some(content_type) = content_type {
        request = request.header("content-type", content_type);
    }
    let reply = Reply::from(request.send().await.unwrap()).await;
    let message = reply.error(status, code);
    assert_eq!(
        h.store_dump(),
        before,
        "the store changed after a refused request"
    );
    message
}

async fn seeded() -> (Harness, String) {
    let h = Harness::start().await;
    let id = h.create(connector("existing")).await["id"]
        .as_str()
        .unwrap()
        .to_owned();
    (h, format!("{CONNECTORS}/{id}"))
}

#[tokio::test]
async fn malformed_and_non_object_json_is_a_400() {
    let (h, item) = seeded().await;
    for (path, method) in [(CONNECTORS, Method::POST), (item.as_str(), Method::PATCH)] {
        let m = refused(
            &h,
            method.clone(),
            path,
            Some("application/json"),
            b"{\"displayName\": ".to_vec(),
            400,
            "BadRequest",
        )
        .await;
        assert!(m.contains("JSON"), "{m}");
        let m = refused(
            &h,
            method.clone(),
            path,
            Some("application/json"),
            b"[1, 2]".to_vec(),
            400,
            "BadRequest",
        )
        .await;
        assert!(m.contains("JSON object"), "{m}");
        refused(
            &h,
            method,
            path,
            Some("application/json"),
            vec![0xff, 0xfe],
            400,
            "BadRequest",
        )
        .await;
    }
}

#[tokio::test]
async fn schema_violations_are_400s_naming_the_property() {
    let (h, item) = seeded().await;
    let cases = [
        (json!({"displayName": 5}), "'displayName'"),
        (
            json!({"colour": "red"}),
            "The property 'colour' does not exist on type 'microsoft.graph.deviceManagementDomainJoinConnector'.",
        ),
        (json!({"state": "String"}), "'state'"),
        (
            json!({"lastConnectionDateTime": "2016-13-45T99:00:00Z"}),
            "'lastConnectionDateTime'",
        ),
        (
            json!({"@odata.type": "#microsoft.graph.somethingElse"}),
            "somethingElse",
        ),
    ];
    for (body, needle) in cases {
        for (path, method) in [(CONNECTORS, Method::POST), (item.as_str(), Method::PATCH)] {
            let m = refused(
                &h,
                method,
                path,
                Some("application/json"),
                body.to_string().into_bytes(),
                400,
                "BadRequest",
            )
            .await;
            assert!(m.contains(needle), "{body}: {m}");
        }
    }
}

#[tokio::test]
async fn content_type_must_be_json() {
    let (h, item) = seeded().await;
    let body = connector("x").to_string().into_bytes();
    refused(
        &h,
        Method::POST,
        CONNECTORS,
        None,
        body.clone(),
        415,
        "UnsupportedMediaType",
    )
    .await;
    refused(
        &h,
        Method::POST,
        CONNECTORS,
        Some("text/plain"),
        body.clone(),
        415,
        "UnsupportedMediaType",
    )
    .await;
    refused(
        &h,
        Method::PATCH,
        &item,
        Some("application/xml"),
        body.clone(),
        415,
        "UnsupportedMediaType",
    )
    .await;
    let ok = h
        .http
        .post(h.url(CONNECTORS))
        .bearer_auth("t")
        .header("content-type", "application/json; charset=utf-8")
        .body(body)
        .send()
        .await
        .unwrap();
    assert_eq!(ok.status().as_u16(), 201);
}

#[tokio::test]
async fn bodies_over_the_limit_are_413() {
    let h = Harness::with(Config {
        max_body: 1000,
        ..Config::default()
    })
    .await;
    let big = json!({"displayName": "x".repeat(2000)})
        .to_string()
        .into_bytes();
    refused(
        &h,
        Method::POST,
        CONNECTORS,
        Some("application/json"),
        big,
        413,
        "RequestEntityTooLarge",
    )
    .await;
    let default = Harness::start().await;
    let big = json!({"displayName": "x".repeat(1024 * 1024)})
        .to_string()
        .into_bytes();
    refused(
        &default,
        Method::POST,
        CONNECTORS,
        Some("application/json"),
        big,
        413,
        "RequestEntityTooLarge",
    )
    .await;
}

#[tokio::test]
async fn unsupported_and_malformed_query_options_are_400s_naming_them() {
    let (h, item) = seeded().await;
    for (path, needle) in [
        (format!("{CONNECTORS}?$search=x"), "$search"),
        (format!("{CONNECTORS}?$expand=x"), "property named 'x'"),
        (format!("{CONNECTORS}?$top=abc"), "$top"),
        (format!("{CONNECTORS}?$filter=colour eq 'x'"), "colour"),
        (format!("{CONNECTORS}?$filter=state eq"), "$filter"),
        (
            format!("{CONNECTORS}?$orderby=displayName sideways"),
            "sideways",
        ),
        (format!("{CONNECTORS}?$count=maybe"), "$count"),
        (format!("{item}?$top=1"), "$top"),
        (format!("{item}?$select=nope"), "nope"),
    ] {
        let m = refused(&h, Method::GET, &path, None, Vec::new(), 400, "BadRequest").await;
        assert!(m.contains(needle), "{path}: {m}");
    }
    let m = refused(
        &h,
        Method::POST,
        &format!("{CONNECTORS}?$top=1"),
        Some("application/json"),
        b"{}".to_vec(),
        400,
        "BadRequest",
    )
    .await;
    assert!(m.contains("$top"), "{m}");
}

#[tokio::test]
async fn unknown_routes_and_methods() {
    let (h, item) = seeded().await;
    refused(
        &h,
        Method::GET,
        "/deviceManagement/unknownThings",
        None,
        Vec::new(),
        404,
        "ResourceNotFound",
    )
    .await;
    refused(
        &h,
        Method::POST,
        &item,
        Some("application/json"),
        b"{}".to_vec(),
        405,
        "MethodNotAllowed",
    )
    .await;
    refused(
        &h,
        Method::DELETE,
        CONNECTORS,
        None,
        Vec::new(),
        405,
        "MethodNotAllowed",
    )
    .await;
}

//! The bad-input matrix: every operation of the checked-in spec against every kind of hostile
//! input. Each must get the right 4xx with a Graph error body, leave the store byte-for-byte
//! unchanged, and leave the server answering.

use crate::common::{Harness, Reply};
use graph_mock_runtime::operation::{Kind, OperationMeta};
use graph_odata::{Primitive, TypeRef};
use reqwest::Method;
use seed_mock::API;
use serde_json::json;
use tokio::io::{AsyncReadExt, AsyncWriteExt};

/// One hostile request.
struct Case {
    name: &'static str,
    path: String,
    content_type: Option<&'static str>,
    authorized: bool,
    body: Vec<u8>,
    status: u16,
}

/// The properties of the operation's type with a given primitive, or of any enum type.
fn property_of(operation: &OperationMeta, wanted: &dyn Fn(&TypeRef) -> bool) -> Option<String> {
    let spec = seed_model::schema();
    spec.all_properties(&operation.entity_type)
        .into_iter()
        .find(|p| !p.collection && wanted(&p.type_ref))
        .map(|p| p.name.clone())
}

fn path_for(operation: &OperationMeta, key: &str) -> String {
    operation
        .path
        .split('/')
        .map(|s| if s.starts_with('{') { key } else { s })
        .collect::<Vec<_>>()
        .join("/")
}

fn cases(operation: &OperationMeta, existing: &str) -> Vec<Case> {
    let path = path_for(operation, existing);
    let has_body = matches!(operation.kind, Kind::Create | Kind::Update | Kind::Action);
    let case = |name, body: Vec<u8>, status| Case {
        name,
        path: path.clone(),
        content_type: Some("application/json"),
        authorized: true,
        body,
        status,
    };
    let mut cases = vec![Case {
        name: "missing Authorization",
        authorized: false,
        ..case("", Vec::new(), 401)
    }];
    if operation.path.contains('{') {
        for (name, key) in [
            ("path traversal id", "..%2F..%2Fx"),
            ("NUL in id", "a%00b"),
            ("4,000-character id", &"k".repeat(4000)),
        ] {
            cases.push(Case {
                path: path_for(operation, key),
                ..case(name, Vec::new(), 400)
            });
        }
    }
    if !has_body {
        return cases;
    }
    let nested = format!("{{\"a\": {}1{}}}", "[".repeat(10_000), "]".repeat(10_000));
    cases.extend([
        case("malformed JSON", b"{\"displayName\": }".to_vec(), 400),
        case("truncated JSON", b"{\"displayName\": \"abc".to_vec(), 400),
        case("deeply nested JSON", nested.into_bytes(), 400),
        case("wrong type", json!({"id": 5}).to_string().into_bytes(), 400),
        case(
            "unknown property",
            json!({"noSuchProperty": 1}).to_string().into_bytes(),
            400,
        ),
        case(
            "invalid UTF-8",
            vec![b'{', b'"', 0xff, 0xfe, b'"', b':', b'1', b'}'],
            400,
        ),
        case(
            "huge string",
            json!({"displayName": "x".repeat(2 * 1024 * 1024)})
                .to_string()
                .into_bytes(),
            413,
        ),
        case(
            "duplicate key",
            b"{\"displayName\": \"a\", \"displayName\": \"b\"}".to_vec(),
            400,
        ),
        Case {
            content_type: Some("text/plain"),
            ..case("wrong Content-Type", b"{}".to_vec(), 415)
        },
    ]);
    let spec = seed_model::schema();
    if let Some(property) = property_of(operation, &|t| {
        t.named().is_some_and(|n| spec.enums.contains_key(n))
    }) {
        cases.push(case(
            "unknown enum member",
            json!({ property: "noSuchMember" }).to_string().into_bytes(),
            400,
        ));
    }
    if let Some(property) = property_of(operation, &|t| {
        *t == TypeRef::Primitive(Primitive::DateTimeOffset)
    }) {
        cases.push(case(
            "invalid date",
            json!({ property: "2016-13-45T25:61:00Z" })
                .to_string()
                .into_bytes(),
            400,
        ));
    }
    cases
}

fn method_of(operation: &OperationMeta) -> Method {
    Method::from_bytes(operation.method.as_str().as_bytes()).expect("a valid method")
}

/// Sends a 100 MB body over a raw socket and returns the status line: the mock must answer 413
/// from the declared length, without reading the body.
async fn hundred_megabytes(h: &Harness, operation: &OperationMeta, path: &str) -> String {
    let address = h.server.uri().trim_start_matches("http://").to_owned();
    let mut stream = tokio::net::TcpStream::connect(&address).await.unwrap();
    let head = format!(
        "{} {}{path} HTTP/1.1\r\nHost: {address}\r\nAuthorization: Bearer t\r\nContent-Type: application/json\r\nContent-Length: {}\r\n\r\n",
        operation.method,
        h.server.base_url().trim_start_matches(&h.server.uri()),
        100 * 1024 * 1024
    );
    stream.write_all(head.as_bytes()).await.unwrap();
    stream.write_all(&[b' '; 64 * 1024]).await.unwrap();
    let mut answer = vec![0; 1024];
    let n = stream.read(&mut answer).await.unwrap();
    String::from_utf8_lossy(&answer[..n])
        .lines()
        .next()
        .unwrap_or_default()
        .to_owned()
}

#[tokio::test]
async fn every_operation_refuses_every_bad_input_and_changes_nothing() {
    let h = Harness::start().await;
    let seeded = h.create(json!({"displayName": "existing"})).await;
    let existing = seeded["id"].as_str().unwrap().to_owned();
    let mut checked = 0;
    for operation in API.operations() {
        for case in cases(operation, &existing) {
            let before = h.store_dump();
            let mut request = h
                .http
                .request(method_of(operation), h.url(&case.path))
                .body(case.body.clone());
            if let Some(content_type) = case.content_type {
                request = request.header("content-type", content_type);
            }
            if case.authorized {
                request = request.bearer_auth("t");
            }
            let reply = Reply::from(request.send().await.unwrap()).await;
            let context = format!(
                "{} {} / {}: {}",
                operation.method, operation.path, case.name, reply.body
            );
            assert_eq!(reply.status.as_u16(), case.status, "{context}");
            assert!(
                reply.body["error"]["code"].is_string()
                    && reply.body["error"]["message"].is_string(),
                "{context}"
            );
            assert_eq!(h.store_dump(), before, "the store changed: {context}");
            let alive = h
                .http
                .get(h.url(&path_for(operation, &existing)))
                .bearer_auth("t")
                .send()
                .await
                .unwrap();
            assert!(
                alive.status().as_u16() < 500,
                "the server still answers: {context}"
            );
            checked += 1;
        }
        if matches!(operation.kind, Kind::Create | Kind::Update) {
            let before = h.store_dump();
            let status = hundred_megabytes(&h, operation, &path_for(operation, &existing)).await;
            assert!(
                status.contains("413"),
                "{} {}: {status}",
                operation.method,
                operation.path
            );
            assert_eq!(h.store_dump(), before);
        }
    }
    // 5 operations: 36 cases, plus the two 100 MB bodies.
    assert!(checked >= 36, "the matrix ran ({checked} cases)");
}

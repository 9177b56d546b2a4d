//! The floor: the least a server could do to give the mock's answers on the same routes. A
//! minimal axum app over an `RwLock<HashMap>`, with no validation, no paging and no query
//! options, measured in the same run as the mock so that their ratio means something on a noisy
//! machine.
//!
//! It sends what Graph sends on these routes, as the mock does: the entity with its
//! `@odata.context` (and a created one with its `@odata.type` and `Location`), and the
//! `request-id` and `client-request-id` headers. Those are the
//! protocol's cost, not the mock's: a floor without them answers 120 bytes less per GET, and
//! the two 36-character headers alone cost a bare floor 5 to 10% of its rate.

use std::collections::HashMap;
use std::sync::{Arc, RwLock};

use axum::Router;
use axum::extract::{Path, State};
use axum::http::{HeaderMap, HeaderName, HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use serde_json::{Map, Value};

type Entities = Arc<RwLock<HashMap<String, Value>>>;

/// Where the floor's collection is, under the version segment.
const COLLECTION_PATH: &str = "deviceManagement/domainJoinConnectors";

/// The `@odata.type` of what the floor creates.
const ENTITY_TYPE: &str = "#microsoft.graph.deviceManagementDomainJoinConnector";

/// The floor's routes under `/beta/deviceManagement/domainJoinConnectors`, with `entities`.
pub fn app(entities: HashMap<String, Value>) -> Router {
    let state: Entities = Arc::new(RwLock::new(entities));
    Router::new()
        .route(
            "/beta/deviceManagement/domainJoinConnectors",
            get(list).post(create),
        )
        .route(
            "/beta/deviceManagement/domainJoinConnectors/{id}",
            get(read).patch(update),
        )
        .with_state(state)
}

fn lock_read(state: &Entities) -> std::sync::RwLockReadGuard<'_, HashMap<String, Value>> {
    state.read().unwrap_or_else(|p| p.into_inner())
}

/// The request's `Host`.
fn host(headers: &HeaderMap) -> &str {
    headers
        .get(header::HOST)
        .and_then(|h| h.to_str().ok())
        .unwrap_or("localhost")
}

/// `http://<host>/beta/$metadata#<collection><suffix>`.
fn context(headers: &HeaderMap, suffix: &str) -> Value {
    let host = host(headers);
    Value::String(format!(
        "http://{host}/beta/$metadata#{COLLECTION_PATH}{suffix}"
    ))
}

/// `body` with Graph's two id headers: a fresh `request-id`, and the client's
/// `client-request-id` echoed (else the request id).
fn answer(status: StatusCode, request: &HeaderMap, body: Value) -> Response {
    const REQUEST_ID: HeaderName = HeaderName::from_static("request-id");
    const CLIENT_REQUEST_ID: HeaderName = HeaderName::from_static("client-request-id");
    let mut buffer = uuid::Uuid::encode_buffer();
    let request_id = uuid::Uuid::new_v4().hyphenated().encode_lower(&mut buffer);
    let request_id = HeaderValue::from_str(request_id).unwrap_or(HeaderValue::from_static("id"));
    let client_request_id = request
        .get(&CLIENT_REQUEST_ID)
        .cloned()
        .unwrap_or_else(|| request_id.clone());
    let mut response = (status, axum::Json(body)).into_response();
    let headers = response.headers_mut();
    headers.insert(REQUEST_ID, request_id);
    headers.insert(CLIENT_REQUEST_ID, client_request_id);
    response
}

/// `entity` as Graph answers with one: its `@odata.context` first.
fn entity_answer(status: StatusCode, request: &HeaderMap, entity: &Map<String, Value>) -> Response {
    let mut body = Map::new();
    body.insert("@odata.context".to_owned(), context(request, "/$entity"));
    body.extend(entity.iter().map(|(k, v)| (k.clone(), v.clone())));
    answer(status, request, Value::Object(body))
}

async fn list(State(state): State<Entities>, headers: HeaderMap) -> Response {
    let page: Vec<Value> = lock_read(&state).values().take(100).cloned().collect();
    let mut body = Map::new();
    body.insert("@odata.context".to_owned(), context(&headers, ""));
    body.insert("value".to_owned(), Value::Array(page));
    answer(StatusCode::OK, &headers, Value::Object(body))
}

async fn create(
    State(state): State<Entities>,
    headers: HeaderMap,
    axum::Json(mut body): axum::Json<Map<String, Value>>,
) -> Response {
    let id = uuid::Uuid::new_v4().to_string();
    body.insert("id".to_owned(), Value::String(id.clone()));
    body.insert(
        "@odata.type".to_owned(),
        Value::String(ENTITY_TYPE.to_owned()),
    );
    let mut response = entity_answer(StatusCode::CREATED, &headers, &body);
    let location = format!("http://{}/beta/{COLLECTION_PATH}/{id}", host(&headers));
    if let Ok(location) = HeaderValue::from_str(&location) {
        response.headers_mut().insert(header::LOCATION, location);
    }
    state
        .write()
        .unwrap_or_else(|p| p.into_inner())
        .insert(id, Value::Object(body));
    response
}

async fn read(
    State(state): State<Entities>,
    headers: HeaderMap,
    Path(id): Path<String>,
) -> Response {
    match lock_read(&state).get(&id).and_then(Value::as_object) {
        Some(entity) => entity_answer(StatusCode::OK, &headers, entity),
        None => StatusCode::NOT_FOUND.into_response(),
    }
}

async fn update(
    State(state): State<Entities>,
    headers: HeaderMap,
    Path(id): Path<String>,
    axum::Json(body): axum::Json<Map<String, Value>>,
) -> Response {
    let mut entities = state.write().unwrap_or_else(|p| p.into_inner());
    match entities.get_mut(&id).and_then(Value::as_object_mut) {
        Some(entity) => {
            entity.extend(body);
            entity_answer(StatusCode::OK, &headers, entity)
        }
        None => StatusCode::NOT_FOUND.into_response(),
    }
}

#[cfg(test)]
mod tests {
    use axum::body::Body;
    use axum::http::Request;
    use tower::ServiceExt;

    use super::*;
    use crate::{COLLECTION, CREATE_BODY, UPDATE_BODY, floor_entities, id_of, mock_state};

    /// The status, the headers' names and the body's JSON of one request to `service`.
    async fn send<S>(service: S, method: &str, path: &str, body: &str) -> (u16, Vec<String>, Value)
    where
        S: tower::Service<Request<Body>, Response = Response, Error = std::convert::Infallible>,
    {
        let request = Request::builder()
            .method(method)
            .uri(path)
            .header(header::HOST, "localhost")
            .header(header::CONTENT_TYPE, "application/json")
            .body(Body::from(body.to_owned()))
            .unwrap();
        let response = service.oneshot(request).await.unwrap();
        let status = response.status().as_u16();
        let mut names: Vec<String> = response.headers().keys().map(|k| k.to_string()).collect();
        names.sort();
        let bytes = axum::body::to_bytes(response.into_body(), usize::MAX)
            .await
            .unwrap();
        (status, names, serde_json::from_slice(&bytes).unwrap())
    }

    /// What is compared: the headers' names, and the body's keys with the values of those that
    /// do not differ by request (ids are fresh on a create).
    fn shape((status, headers, body): (u16, Vec<String>, Value)) -> (u16, Vec<String>, Value) {
        let mut body = body;
        if let Some(object) = body.as_object_mut() {
            for (key, value) in object.iter_mut() {
                if key == "id" {
                    *value = Value::String(format!(
                        "a GUID: {}",
                        value
                            .as_str()
                            .is_some_and(|v| uuid::Uuid::parse_str(v).is_ok())
                    ));
                }
            }
        }
        (status, headers, body)
    }

    #[tokio::test]
    async fn the_floor_answers_as_the_mock_does() {
        let mock = seed_mock::app(mock_state(&[id_of(0)]));
        let floor = app(floor_entities(1));
        let entity = format!("/beta{COLLECTION}/{}", id_of(0));
        let collection = format!("/beta{COLLECTION}");
        for (method, path, body) in [
            ("GET", entity.as_str(), ""),
            ("PATCH", entity.as_str(), UPDATE_BODY),
            ("POST", collection.as_str(), CREATE_BODY),
        ] {
            let mock = shape(send(mock.clone(), method, path, body).await);
            let floor = shape(send(floor.clone(), method, path, body).await);
            assert_eq!(mock, floor, "{method} {path}");
        }
    }
}

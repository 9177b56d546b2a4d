//! JSON batching: `POST <base>/$batch`, in Graph's format.
//!
//! `{"requests": [{"id", "method", "url", "headers"?, "body"?, "dependsOn"?}]}` answers
//! `{"responses": [{"id", "status", "headers", "body"?}]}`. Each inner request goes through the
//! whole mock (routing, auth with the batch's token unless it brings its own, validation,
//! faults, the journal), exactly as if it had been sent on its own. Graph's rules:
//!
//! - at most 20 requests, with unique ids; `dependsOn` names earlier-known ids without a cycle;
//!   urls are relative and never another `$batch`. A batch that breaks one of these is refused
//!   whole with a 400, and nothing in it runs;
//! - requests run in order, each after what it depends on; one whose dependency failed (not 2xx)
//!   answers 424 without running;
//! - an item without a usable method answers 400 on its own, and the others still run.

use std::collections::{BTreeMap, BTreeSet};

use axum::body::Body;
use axum::extract::{Request, State};
use axum::http::{HeaderMap, HeaderName, HeaderValue, Method, StatusCode, header};
use axum::response::{IntoResponse, Response};
use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};
use tower::ServiceExt;

use crate::AppState;
use crate::error::ApiError;
use crate::handlers::read_json_object;

/// Graph's limit on the requests of one batch.
pub const MAX_REQUESTS: usize = 20;

/// One request of a batch, as sent.
#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase")]
struct BatchItem {
    id: String,
    method: String,
    url: String,
    #[serde(default)]
    headers: BTreeMap<String, String>,
    #[serde(default)]
    body: Option<Value>,
    #[serde(default)]
    depends_on: Vec<String>,
}

/// One answer of a batch.
#[derive(Debug, Serialize)]
struct BatchAnswer {
    id: String,
    status: u16,
    headers: BTreeMap<String, String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    body: Option<Value>,
}

/// `POST <base>/$batch`.
pub async fn batch(State(state): State<AppState>, request: Request) -> Response {
    match run(&state, request).await {
        Ok(answers) => axum::Json(serde_json::json!({ "responses": answers })).into_response(),
        Err(error) => error.into_response(),
    }
}

async fn run(state: &AppState, request: Request) -> Result<Vec<BatchAnswer>, ApiError> {
    let authorization = request.headers().get(header::AUTHORIZATION).cloned();
    // Inner requests are addressed to the same host: their next links and `Location`s name it.
    let host = crate::handlers::request_host(&request).and_then(|h| HeaderValue::from_str(h).ok());
    let https = request.extensions().get::<crate::tls::Https>().copied();
    let app = request.extensions().get::<crate::App>().cloned();
    let body = read_json_object(request, state.config.max_body).await?;
    let mut items = parse_items(body)?;
    for item in &mut items {
        own_url(
            item,
            host.as_ref().and_then(|h| h.to_str().ok()),
            state.base_path(),
        )?;
    }
    let order = execution_order(&items)?;
    // The whole mock: the app that received the batch, or one built for it.
    let router = app.unwrap_or_else(|| crate::app(state.clone()));
    let mut statuses: BTreeMap<&str, u16> = BTreeMap::new();
    let mut answers: BTreeMap<&str, BatchAnswer> = BTreeMap::new();
    for index in order {
        let item = &items[index];
        let failed = item.depends_on.iter().find(|d| {
            !statuses
                .get(d.as_str())
                .is_some_and(|s| (200..300).contains(s))
        });
        let answer = match failed {
            Some(dependency) => failed_dependency(item, dependency),
            None => match inner_request(state, item, authorization.as_ref(), host.as_ref()) {
                Ok(mut inner) => {
                    if let Some(https) = https {
                        inner.extensions_mut().insert(https);
                    }
                    let response = match router.clone().oneshot(inner).await {
                        Ok(response) => response,
                        Err(never) => match never {},
                    };
                    answer(item, response).await
                }
                Err(error) => error_answer(&item.id, error),
            },
        };
        statuses.insert(&item.id, answer.status);
        answers.insert(&item.id, answer);
    }
    // Answers in the order of the requests.
    Ok(items
        .iter()
        .filter_map(|item| answers.remove(item.id.as_str()))
        .collect())
}

/// The items, checked as a whole: count, ids, urls.
fn parse_items(mut body: Map<String, Value>) -> Result<Vec<BatchItem>, ApiError> {
    let requests = body
        .remove("requests")
        .ok_or_else(|| ApiError::bad_request("A batch needs a 'requests' array."))?;
    let items: Vec<BatchItem> = serde_json::from_value(requests).map_err(|e| {
        ApiError::bad_request(format!(
            "Invalid batch: each request needs an 'id', a 'method' and a 'url' ({e})."
        ))
    })?;
    if items.is_empty() || items.len() > MAX_REQUESTS {
        return Err(ApiError::bad_request(format!(
            "A batch holds from 1 to {MAX_REQUESTS} requests, not {}.",
            items.len()
        )));
    }
    let mut ids = BTreeSet::new();
    for item in &items {
        if !ids.insert(item.id.as_str()) {
            return Err(ApiError::bad_request(format!(
                "The batch request id '{}' is used more than once.",
                item.id
            )));
        }
    }
    Ok(items)
}

/// Makes `item`'s url relative to the version, as the mock runs it. An absolute url is taken
/// when it addresses this mock's own host and version (`http://127.0.0.1:PORT/beta/users`, as
/// msgraph-core writes items once its client has made a call, addressing Graph's); any other
/// absolute url is refused, and so is a batch inside a batch.
fn own_url(item: &mut BatchItem, host: Option<&str>, base_path: &str) -> Result<(), ApiError> {
    if let Some((_, rest)) = item.url.split_once("://") {
        let (authority, path) = rest.split_at(rest.find('/').unwrap_or(rest.len()));
        let relative = path
            .strip_prefix(base_path)
            .filter(|p| p.is_empty() || p.starts_with(['/', '?']));
        match relative {
            Some(relative) if host == Some(authority) => item.url = relative.to_owned(),
            _ => {
                return Err(ApiError::bad_request(format!(
                    "The url of batch request '{}' must be relative to the version (e.g. '/users') or address this service's own '{base_path}'.",
                    item.id
                )));
            }
        }
    } else if item.url.starts_with("//") {
        return Err(ApiError::bad_request(format!(
            "The url of batch request '{}' must be relative to the version, e.g. '/users'.",
            item.id
        )));
    }
    let url = item.url.trim_start_matches('/');
    if url.split(['?', '/']).next() == Some("$batch") {
        return Err(ApiError::bad_request(format!(
            "Batch request '{}' is itself a batch; batches do not nest.",
            item.id
        )));
    }
    Ok(())
}

/// The order to run the items in: each after what it depends on, otherwise as sent. An unknown
/// id or a cycle in `dependsOn` refuses the batch.
fn execution_order(items: &[BatchItem]) -> Result<Vec<usize>, ApiError> {
    let index: BTreeMap<&str, usize> = items
        .iter()
        .enumerate()
        .map(|(i, item)| (item.id.as_str(), i))
        .collect();
    for item in items {
        if let Some(unknown) = item
            .depends_on
            .iter()
            .find(|d| !index.contains_key(d.as_str()))
        {
            return Err(ApiError::bad_request(format!(
                "Batch request '{}' depends on '{unknown}', which is not in the batch.",
                item.id
            )));
        }
    }
    // Depth-first, visiting dependencies first; a node seen again while on the path is a cycle.
    fn visit(
        at: usize,
        items: &[BatchItem],
        index: &BTreeMap<&str, usize>,
        state: &mut [u8],
        order: &mut Vec<usize>,
    ) -> Result<(), ApiError> {
        match state[at] {
            2 => return Ok(()),
            1 => {
                return Err(ApiError::bad_request(format!(
                    "The dependsOn of batch request '{}' forms a cycle.",
                    items[at].id
                )));
            }
            _ => {}
        }
        state[at] = 1;
        for dependency in &items[at].depends_on {
            visit(index[dependency.as_str()], items, index, state, order)?;
        }
        state[at] = 2;
        order.push(at);
        Ok(())
    }
    let mut state = vec![0u8; items.len()];
    let mut order = Vec::with_capacity(items.len());
    for at in 0..items.len() {
        visit(at, items, &index, &mut state, &mut order)?;
    }
    Ok(order)
}

/// The HTTP request an item stands for, under the mock's base path, with the batch's token.
fn inner_request(
    state: &AppState,
    item: &BatchItem,
    authorization: Option<&HeaderValue>,
    host: Option<&HeaderValue>,
) -> Result<Request, ApiError> {
    let method = Method::from_bytes(item.method.to_ascii_uppercase().as_bytes())
        .ok()
        .filter(|m| {
            [
                Method::GET,
                Method::POST,
                Method::PATCH,
                Method::PUT,
                Method::DELETE,
            ]
            .contains(m)
        })
        .ok_or_else(|| {
            ApiError::bad_request(format!(
                "'{}' is not a method a batch can send.",
                item.method
            ))
        })?;
    // Relative to the version; a url that names the version too (`/beta/me`, as the JavaScript
    // SDK sends them) is taken as it is.
    let base = state.base_path();
    let url =
        if !base.is_empty() && (item.url == base || item.url.starts_with(&[base, "/"].concat())) {
            item.url.clone()
        } else if item.url.starts_with('/') {
            [base, &item.url].concat()
        } else {
            [base, "/", &item.url].concat()
        };
    let mut headers = HeaderMap::new();
    for (name, value) in &item.headers {
        let (Ok(name), Ok(value)) = (HeaderName::try_from(name), HeaderValue::try_from(value))
        else {
            return Err(ApiError::bad_request(format!(
                "The header '{name}' of batch request '{}' is not a valid HTTP header.",
                item.id
            )));
        };
        headers.append(name, value);
    }
    if let (Some(token), false) = (authorization, headers.contains_key(header::AUTHORIZATION)) {
        headers.insert(header::AUTHORIZATION, token.clone());
    }
    if let Some(host) = host {
        headers.insert(header::HOST, host.clone());
    }
    let body = match &item.body {
        None => Body::empty(),
        Some(body) => {
            if !headers.contains_key(header::CONTENT_TYPE) {
                headers.insert(
                    header::CONTENT_TYPE,
                    HeaderValue::from_static("application/json"),
                );
            }
            Body::from(body.to_string())
        }
    };
    let mut request = Request::builder()
        .method(method)
        .uri(url)
        .body(body)
        .map_err(|e| {
            ApiError::bad_request(format!(
                "The url of batch request '{}' is invalid: {e}",
                item.id
            ))
        })?;
    *request.headers_mut() = headers;
    Ok(request)
}

/// The answer to an item that ran.
async fn answer(item: &BatchItem, response: Response) -> BatchAnswer {
    let status = response.status().as_u16();
    let headers = response
        .headers()
        .iter()
        .filter(|(name, _)| *name != header::CONTENT_LENGTH)
        .filter_map(|(name, value)| Some((graph_casing(name), value.to_str().ok()?.to_owned())))
        .collect();
    let bytes = axum::body::to_bytes(response.into_body(), usize::MAX)
        .await
        .unwrap_or_default();
    let body = (!bytes.is_empty()).then(|| {
        serde_json::from_slice(&bytes)
            .unwrap_or_else(|_| Value::String(String::from_utf8_lossy(&bytes).into_owned()))
    });
    BatchAnswer {
        id: item.id.clone(),
        status,
        headers,
        body,
    }
}

/// A header name as Graph writes it in batch answers (`Content-Type`, `Location`; the request
/// ids stay lower-case). HTTP names are case-insensitive, but SDKs look these up by their case:
/// the JavaScript one reads `headers["Content-Type"]` to decide that a body is JSON.
fn graph_casing(name: &HeaderName) -> String {
    let name = name.as_str();
    if name.ends_with("request-id") {
        return name.to_owned();
    }
    name.split('-')
        .map(|word| match word {
            "odata" => "OData".to_owned(),
            _ => {
                let mut chars = word.chars();
                chars
                    .next()
                    .map(|first| first.to_ascii_uppercase().to_string() + chars.as_str())
                    .unwrap_or_default()
            }
        })
        .collect::<Vec<_>>()
        .join("-")
}

/// The answer to an item whose dependency failed: 424, and it did not run.
fn failed_dependency(item: &BatchItem, dependency: &str) -> BatchAnswer {
    error_answer(
        &item.id,
        ApiError::new(
            StatusCode::FAILED_DEPENDENCY,
            "FailedDependency",
            format!("The request '{dependency}' that this request depends on failed."),
        ),
    )
}

/// An error as a batch answer, in Graph's error body.
fn error_answer(id: &str, error: ApiError) -> BatchAnswer {
    let request_id = uuid::Uuid::new_v4().to_string();
    let body = serde_json::to_value(error.body(&request_id, &request_id)).ok();
    BatchAnswer {
        id: id.to_owned(),
        status: error.status.as_u16(),
        headers: BTreeMap::from([
            ("Content-Type".to_owned(), "application/json".to_owned()),
            ("request-id".to_owned(), request_id),
        ]),
        body,
    }
}

//! The request middleware: request ids, Graph error bodies, and one log line per request.
//!
//! Every response gets a `request-id` and echoes `client-request-id` (the request id when the
//! client sent none). Errors that handlers return as [`ApiError`] are rendered here, with those
//! ids in `innerError`; errors that axum produces itself (405 with `Allow`) get a Graph body too.

use std::time::Instant;

use axum::extract::Request;
use axum::http::{HeaderName, HeaderValue, header};
use axum::middleware::Next;
use axum::response::Response;

use crate::error::ApiError;

const REQUEST_ID: HeaderName = HeaderName::from_static("request-id");
const CLIENT_REQUEST_ID: HeaderName = HeaderName::from_static("client-request-id");

/// Wraps every request.
pub async fn request_context(request: Request, next: Next) -> Response {
    let started = Instant::now();
    let method = request.method().clone();
    let path = request.uri().path().to_owned();
    let request_id = uuid::Uuid::new_v4().to_string();
    let client_request_id = request
        .headers()
        .get(&CLIENT_REQUEST_ID)
        .and_then(|v| v.to_str().ok())
        .filter(|v| !v.is_empty() && v.len() <= 256)
        .map_or_else(|| request_id.clone(), str::to_owned);

    let mut response = next.run(request).await;
    let status = response.status();
    if let Some(error) = response.extensions_mut().remove::<ApiError>() {
        response = error.render(&request_id, &client_request_id);
    } else if (status.is_client_error() || status.is_server_error()) && !is_json(&response) {
        let mut error = ApiError::for_status(status);
        error.allow = response
            .headers()
            .get(header::ALLOW)
            .and_then(|v| v.to_str().ok())
            .map(str::to_owned);
        response = error.render(&request_id, &client_request_id);
    }
    let headers = response.headers_mut();
    if let Ok(value) = HeaderValue::from_str(&request_id) {
        headers.insert(REQUEST_ID, value);
    }
    if let Ok(value) = HeaderValue::from_str(&client_request_id) {
        headers.insert(CLIENT_REQUEST_ID, value);
    }
    tracing::info!(
        target: "graph_mock::request",
        "{method} {path} {} {:.1}ms",
        response.status().as_u16(),
        started.elapsed().as_secs_f64() * 1000.0
    );
    response
}

fn is_json(response: &Response) -> bool {
    response
        .headers()
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.starts_with("application/json"))
}

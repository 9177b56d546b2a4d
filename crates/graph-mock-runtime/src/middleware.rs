//! The request middleware: request ids, Graph error bodies, the request journal, one log line
//! per request, and the path rewrites that come before routing.
//!
//! Every response gets a `request-id` and echoes `client-request-id` (the request id when the
//! client sent none). Errors that handlers return as [`ApiError`] are rendered here, with those
//! ids in `innerError`; errors that axum produces itself (405 with `Allow`) get a Graph body too.

use std::time::{Duration, Instant};

use axum::Router;
use axum::body::{Body, Bytes};
use axum::extract::Request;
use axum::http::{HeaderName, HeaderValue, Method, StatusCode, header};
use axum::response::{IntoResponse, Response};
use tower::ServiceExt;

use crate::AppState;
use crate::error::ApiError;
use crate::journal::{Recorded, RequestCopy};
use crate::operation::OperationMeta;

const REQUEST_ID: HeaderName = HeaderName::from_static("request-id");
const CLIENT_REQUEST_ID: HeaderName = HeaderName::from_static("client-request-id");

/// Which operation served a request, set on the response by the handlers.
#[derive(Debug, Clone, Copy)]
pub struct Served(pub &'static OperationMeta);

/// Serves one request through `routes`, with all of the above around it. The journal and the
/// log see the path the client sent; the router sees it without `/$ref` and function arguments.
pub async fn request_context(state: &AppState, request: Request, routes: Router) -> Response {
    let started = Instant::now();
    let request_id = new_request_id();
    // A valid client id is echoed as it came (a cheap clone), else the request id stands in.
    let client_request_id = request
        .headers()
        .get(&CLIENT_REQUEST_ID)
        .filter(|v| !v.is_empty() && v.len() <= 256 && v.to_str().is_ok())
        .unwrap_or(&request_id)
        .clone();

    let journaled = state.journal.is_enabled() && !request.uri().path().contains("/$mock/");
    let (request, mut recorded) = if journaled {
        match record(request, state.config.max_body).await {
            Ok(pair) => pair,
            Err(error) => return finish(error.into_response(), &request_id, &client_request_id),
        }
    } else {
        (request, None)
    };
    // The log line's parts are copied only when someone listens.
    let logged = tracing::enabled!(target: "graph_mock::request", tracing::Level::INFO)
        .then(|| (request.method().clone(), request.uri().path().to_owned()));

    let request = crate::references::split_reference(crate::count::split_count(request));
    let request = crate::calls::split_function_call(request);
    let request = crate::path_case::respell_literals(&state.spellings, &state.base_path, request);
    let response = match routes.oneshot(request).await {
        Ok(response) => response,
        Err(infallible) => match infallible {},
    };
    let response = finish(response, &request_id, &client_request_id);
    if let Some(mut recorded) = recorded.take() {
        recorded.status = response.status().as_u16();
        recorded.operation = response.extensions().get::<Served>().map(|s| s.0);
        state.journal.record(recorded);
    }
    if let Some((method, path)) = logged {
        log_request(&method, &path, response.status(), started.elapsed());
    }
    response
}

/// The request's log line: the binary's own access log, written by hand, cheaply; embedded in
/// someone's app, a `tracing` event for their subscriber.
fn log_request(method: &Method, path: &str, status: StatusCode, elapsed: Duration) {
    #[cfg(feature = "cli")]
    if let Some(log) = crate::log_writer::access_log() {
        return log.write(method.as_str(), path, status.as_u16(), elapsed);
    }
    tracing::info!(
        target: "graph_mock::request",
        "{method} {path} {} {:.1}ms",
        status.as_u16(),
        elapsed.as_secs_f64() * 1000.0
    );
}

/// A fresh request id: a GUID, formatted without going through `fmt`.
fn new_request_id() -> HeaderValue {
    let mut buffer = uuid::Uuid::encode_buffer();
    let text = uuid::Uuid::new_v4().hyphenated().encode_lower(&mut buffer);
    HeaderValue::from_str(text).unwrap_or(HeaderValue::from_static("request"))
}

/// Renders errors as Graph bodies and sets the id headers.
fn finish(
    mut response: Response,
    request_id: &HeaderValue,
    client_request_id: &HeaderValue,
) -> Response {
    let status = response.status();
    let replacement = if let Some(error) = response.extensions_mut().remove::<ApiError>() {
        Some(error)
    } else if (status.is_client_error() || status.is_server_error()) && !is_json(&response) {
        let mut error = ApiError::for_status(status);
        error.allow = response
            .headers()
            .get(header::ALLOW)
            .and_then(|v| v.to_str().ok())
            .map(str::to_owned);
        Some(error)
    } else {
        None
    };
    if let Some(error) = replacement {
        let served = response.extensions().get::<Served>().cloned();
        // Both ids were checked to be visible ASCII when they were made.
        response = error.render(
            request_id.to_str().unwrap_or_default(),
            client_request_id.to_str().unwrap_or_default(),
        );
        if let Some(served) = served {
            response.extensions_mut().insert(served);
        }
    }
    let headers = response.headers_mut();
    headers.insert(REQUEST_ID, request_id.clone());
    headers.insert(CLIENT_REQUEST_ID, client_request_id.clone());
    response
}

/// Reads the body (up to the limit) for the journal and rebuilds the request around it. A body
/// declared or found larger than the limit is refused here with a 413, unread past the limit.
async fn record(request: Request, limit: usize) -> Result<(Request, Option<Recorded>), ApiError> {
    let declared = request
        .headers()
        .get(header::CONTENT_LENGTH)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.parse::<usize>().ok());
    if declared.is_some_and(|n| n > limit) {
        return Err(ApiError::too_large(limit));
    }
    let (parts, body) = request.into_parts();
    // A request without a body (a GET, nearly always) has nothing to read.
    let bytes: Bytes = match axum::body::HttpBody::size_hint(&body).exact() {
        Some(0) => Bytes::new(),
        _ => axum::body::to_bytes(body, limit)
            .await
            .map_err(|_| ApiError::too_large(limit))?,
    };
    let recorded = Recorded {
        method: parts.method.clone(),
        request: RequestCopy::new(&parts.uri, &parts.headers, &bytes),
        status: 0,
        operation: None,
        time: std::time::SystemTime::now(),
        // A token whose tenant is not valid is refused; its request is journaled as the
        // default tenant's.
        tenant: crate::tenant::Tenant::of(&parts.headers).unwrap_or_default(),
    };
    Ok((
        Request::from_parts(parts, Body::from(bytes)),
        Some(recorded),
    ))
}

fn is_json(response: &Response) -> bool {
    response
        .headers()
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.starts_with("application/json"))
}

/// Takes a trailing OData segment (`/$ref`, `/$count`, named without the `$`; also
/// percent-encoded, `/%24ref`) off the request's path, keeping the query. Whether it was there.
/// Runs on every request, so a path without it costs no allocation.
pub(crate) fn strip_trailing_segment(request: &mut Request, name: &str) -> bool {
    let path = request.uri().path();
    let Some(stripped) = (path.strip_suffix(name))
        .and_then(|rest| rest.strip_suffix('$').or_else(|| rest.strip_suffix("%24")))
        .and_then(|rest| rest.strip_suffix('/'))
    else {
        return false;
    };
    let target = match request.uri().query() {
        Some(query) => format!("{stripped}?{query}"),
        None => stripped.to_owned(),
    };
    match target.parse() {
        Ok(uri) => {
            *request.uri_mut() = uri;
            true
        }
        Err(_) => false,
    }
}

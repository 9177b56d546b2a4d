//! `GET <collection>/$count`: how many items of a collection match its `$filter`, as a plain
//! number (`text/plain`), as Graph answers `GET /users/$count`. The Graph SDKs have a `count`
//! request builder on every collection for it.
//!
//! As with `/$ref`, the routes are those of the path without the segment: [`split_count`] takes
//! `/$count` off before routing and marks the request with a [`CountRequest`]; a collection's
//! list route then counts instead of listing, and any other route answers Graph's 404 for the
//! segment.

use axum::extract::Request;
use axum::http::{Method, Uri};

/// Marks a request whose path ended in `/$count`.
#[derive(Debug, Clone, Copy)]
pub struct CountRequest;

/// Takes a trailing `/$count` off a `GET`'s path and marks the request with a [`CountRequest`].
pub fn split_count(mut request: Request) -> Request {
    if request.method() != Method::GET {
        return request;
    }
    let path = request.uri().path();
    let Some(stripped) = (path.strip_suffix("/$count")).or_else(|| path.strip_suffix("/%24count"))
    else {
        return request;
    };
    let target = match request.uri().query() {
        Some(query) => format!("{stripped}?{query}"),
        None => stripped.to_owned(),
    };
    let Ok(uri) = target.parse::<Uri>() else {
        return request;
    };
    *request.uri_mut() = uri;
    request.extensions_mut().insert(CountRequest);
    request
}

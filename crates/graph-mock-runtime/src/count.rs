//! `GET <collection>/$count`: how many items of a collection match its `$filter`, as a plain
//! number (`text/plain`), as Graph answers `GET /users/$count`. The Graph SDKs have a `count`
//! request builder on every collection for it.
//!
//! As with `/$ref`, the routes are those of the path without the segment: [`split_count`] takes
//! `/$count` off before routing and marks the request with a [`CountRequest`]; a collection's
//! list route then counts instead of listing, and any other route answers Graph's 404 for the
//! segment.

use axum::extract::Request;
use axum::http::Method;

/// Marks a request whose path ended in `/$count`.
#[derive(Debug, Clone, Copy)]
pub struct CountRequest;

/// Takes a trailing `/$count` off a `GET`'s path and marks the request with a [`CountRequest`].
pub fn split_count(mut request: Request) -> Request {
    if request.method() == Method::GET
        && crate::middleware::strip_trailing_segment(&mut request, "count")
    {
        request.extensions_mut().insert(CountRequest);
    }
    request
}

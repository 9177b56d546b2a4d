//! The client's one error type.

use std::time::Duration;

/// Everything a call can fail with.
#[derive(Debug, thiserror::Error)]
pub enum Error {
    /// The service answered with an error status.
    #[error("Graph error {status} {code}: {message} (request-id: {request_id})")]
    Graph {
        /// The HTTP status.
        status: u16,
        /// The Graph error code, e.g. `ResourceNotFound` (empty when the body was not a Graph error).
        code: String,
        /// The message.
        message: String,
        /// The `request-id` header (or `innerError.request-id`).
        request_id: String,
        /// The `client-request-id` this client sent.
        client_request_id: String,
        /// The body as received.
        raw_body: String,
    },
    /// The request could not be sent or the response not received.
    #[error("transport error: {0}")]
    Transport(#[source] reqwest::Error),
    /// The request took longer than the configured timeout.
    #[error("the request timed out after {0:?}")]
    Timeout(Duration),
    /// The response body did not decode into the expected type.
    #[error("cannot decode the response as {what}: {reason}; body starts with: {snippet}")]
    Decode {
        /// The expected type.
        what: &'static str,
        /// Why, with the JSON path of the offending value.
        reason: String,
        /// The start of the body.
        snippet: String,
    },
    /// The call was refused before sending (a bad base URL, an unencodable body, a token provider failure).
    #[error("invalid input: {0}")]
    InvalidInput(String),
}

impl Error {
    /// The HTTP status, for Graph errors.
    pub fn status(&self) -> Option<u16> {
        match self {
            Error::Graph { status, .. } => Some(*status),
            _ => None,
        }
    }

    /// The Graph error code, for Graph errors.
    pub fn code(&self) -> Option<&str> {
        match self {
            Error::Graph { code, .. } => Some(code),
            _ => None,
        }
    }
}

/// The first 200 characters of a body, for error messages.
pub(crate) fn snippet(body: &[u8]) -> String {
    String::from_utf8_lossy(body).chars().take(200).collect()
}

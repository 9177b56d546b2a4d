//! The client's one error type.
//!
//! [`Error`] is small (32 bytes) so that every `Result` a request returns stays small: the
//! variants with several strings keep them in a box ([`GraphError`], [`DecodeError`]).

use std::time::Duration;

pub use reqwest::StatusCode;

/// Everything a call can fail with.
#[derive(Debug, thiserror::Error)]
pub enum Error {
    /// The service answered with an error status.
    #[error(transparent)]
    Graph(Box<GraphError>),
    /// The request could not be sent or the response not received.
    #[error("transport error: {0}")]
    Transport(#[source] reqwest::Error),
    /// The request took longer than the configured timeout.
    #[error("the request timed out after {0:?}")]
    Timeout(Duration),
    /// The response body did not decode into the expected type.
    #[error(transparent)]
    Decode(Box<DecodeError>),
    /// The call was refused before sending (a bad base URL, an unencodable body, a token provider failure).
    #[error("invalid input: {0}")]
    InvalidInput(String),
}

/// An error status from the service, with what its answer said.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("Graph error {} {code}: {message} (request-id: {request_id})", status.as_u16())]
pub struct GraphError {
    /// The HTTP status.
    pub status: StatusCode,
    /// The Graph error code, e.g. `ResourceNotFound` (empty when the body was not a Graph error).
    pub code: String,
    /// The message.
    pub message: String,
    /// The `request-id` header (or `innerError.request-id`).
    pub request_id: String,
    /// The `client-request-id` this client sent.
    pub client_request_id: String,
    /// The body as received.
    pub raw_body: String,
}

/// A response body that did not decode into the expected type.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("cannot decode the response as {what}: {reason}; body starts with: {snippet}")]
pub struct DecodeError {
    /// The expected type.
    pub what: &'static str,
    /// Why, with the JSON path of the offending value.
    pub reason: String,
    /// The start of the body.
    pub snippet: String,
}

impl Error {
    /// The service's error answer, for Graph errors.
    pub fn graph(&self) -> Option<&GraphError> {
        match self {
            Error::Graph(error) => Some(error),
            _ => None,
        }
    }

    /// The HTTP status, for Graph errors.
    pub fn status(&self) -> Option<StatusCode> {
        self.graph().map(|e| e.status)
    }

    /// The Graph error code, for Graph errors.
    pub fn code(&self) -> Option<&str> {
        self.graph().map(|e| e.code.as_str())
    }

    /// A decode error: the body (its start, `snippet`) is not a `what`, for `reason`.
    pub(crate) fn decode(what: &'static str, reason: String, snippet: String) -> Error {
        Error::Decode(Box::new(DecodeError {
            what,
            reason,
            snippet,
        }))
    }
}

impl From<GraphError> for Error {
    fn from(error: GraphError) -> Error {
        Error::Graph(Box::new(error))
    }
}

/// The first 200 characters of a body, for error messages.
pub(crate) fn snippet(body: &[u8]) -> String {
    String::from_utf8_lossy(body).chars().take(200).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_error_is_small_and_says_what_the_service_said() {
        // Every request returns `Result<_, Error>`: the details live in a box.
        assert!(
            std::mem::size_of::<Error>() <= 32,
            "{}",
            std::mem::size_of::<Error>()
        );
        let error = Error::from(GraphError {
            status: StatusCode::NOT_FOUND,
            code: "ResourceNotFound".to_owned(),
            message: "no such user".to_owned(),
            request_id: "r-1".to_owned(),
            client_request_id: "c-1".to_owned(),
            raw_body: String::new(),
        });
        assert_eq!(error.status(), Some(StatusCode::NOT_FOUND));
        assert_eq!(error.code(), Some("ResourceNotFound"));
        assert_eq!(
            error.to_string(),
            "Graph error 404 ResourceNotFound: no such user (request-id: r-1)"
        );
    }
}

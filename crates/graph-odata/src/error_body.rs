//! The Graph error body: `{"error": {"code", "message", "innerError": {...}}}`.

use serde::{Deserialize, Serialize};

/// The whole error body.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ODataError {
    /// The error.
    pub error: MainError,
}

/// The `error` object.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct MainError {
    /// A code such as `BadRequest` or `ResourceNotFound`.
    pub code: String,
    /// A human-readable message.
    pub message: String,
    /// Request correlation data.
    #[serde(
        rename = "innerError",
        default,
        skip_serializing_if = "Option::is_none"
    )]
    pub inner_error: Option<InnerError>,
}

/// The `innerError` object.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct InnerError {
    /// When the error happened, e.g. `2026-01-01T00:00:00`.
    #[serde(default)]
    pub date: String,
    /// The server's id for the request.
    #[serde(rename = "request-id", default)]
    pub request_id: String,
    /// The client's id for the request.
    #[serde(rename = "client-request-id", default)]
    pub client_request_id: String,
}

impl ODataError {
    /// An error body with the given code and message, without correlation data.
    pub fn new(code: impl Into<String>, message: impl Into<String>) -> ODataError {
        ODataError {
            error: MainError {
                code: code.into(),
                message: message.into(),
                inner_error: None,
            },
        }
    }
}

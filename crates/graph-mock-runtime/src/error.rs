//! `ApiError`: every error the mock answers, rendered as a Graph error body.
//!
//! Handlers return `ApiError`; its `IntoResponse` only marks the response, and the request
//! middleware ([`crate::middleware`]) writes the body, because only it knows the request ids that
//! go into `innerError`. Messages never carry internals.

use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use graph_odata::{InnerError, MainError, ODataError};

use crate::store::StoreError;

/// An error answer.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ApiError {
    /// The HTTP status.
    pub status: StatusCode,
    /// The Graph error code, e.g. `BadRequest`.
    pub code: String,
    /// The message.
    pub message: String,
    /// The `Allow` header of a 405.
    pub allow: Option<String>,
    /// The `Retry-After` header (seconds) of a 429 or 503.
    pub retry_after: Option<u64>,
    /// The `Location` header of a 410 for an expired delta token: where to start over.
    pub location: Option<String>,
}

impl ApiError {
    /// An error with any status and code.
    pub fn new(status: StatusCode, code: &str, message: impl Into<String>) -> ApiError {
        ApiError {
            status,
            code: code.to_owned(),
            message: message.into(),
            allow: None,
            retry_after: None,
            location: None,
        }
    }

    /// 400 `BadRequest`.
    pub fn bad_request(message: impl Into<String>) -> ApiError {
        ApiError::new(StatusCode::BAD_REQUEST, "BadRequest", message)
    }

    /// 401 `InvalidAuthenticationToken`.
    pub fn unauthorized(message: impl Into<String>) -> ApiError {
        ApiError::new(
            StatusCode::UNAUTHORIZED,
            "InvalidAuthenticationToken",
            message,
        )
    }

    /// 403 `Forbidden`.
    pub fn forbidden(message: impl Into<String>) -> ApiError {
        ApiError::new(StatusCode::FORBIDDEN, "Forbidden", message)
    }

    /// 404 `ResourceNotFound`.
    pub fn not_found(message: impl Into<String>) -> ApiError {
        ApiError::new(StatusCode::NOT_FOUND, "ResourceNotFound", message)
    }

    /// 409 `Conflict`.
    pub fn conflict(message: impl Into<String>) -> ApiError {
        ApiError::new(StatusCode::CONFLICT, "Conflict", message)
    }

    /// 413 `RequestEntityTooLarge`.
    pub fn too_large(limit: usize) -> ApiError {
        ApiError::new(
            StatusCode::PAYLOAD_TOO_LARGE,
            "RequestEntityTooLarge",
            format!("The request body is larger than the limit of {limit} bytes."),
        )
    }

    /// The generic error for a status that carries no Graph body of its own (e.g. axum's 405).
    pub fn for_status(status: StatusCode) -> ApiError {
        let (code, message) = match status {
            StatusCode::METHOD_NOT_ALLOWED => (
                "MethodNotAllowed",
                "The HTTP method is not allowed on this resource.",
            ),
            StatusCode::NOT_FOUND => ("ResourceNotFound", "The requested resource does not exist."),
            StatusCode::PAYLOAD_TOO_LARGE => {
                ("RequestEntityTooLarge", "The request body is too large.")
            }
            StatusCode::UNSUPPORTED_MEDIA_TYPE => (
                "UnsupportedMediaType",
                "The request body must be application/json.",
            ),
            StatusCode::TOO_MANY_REQUESTS => ("TooManyRequests", "Too many requests."),
            StatusCode::BAD_GATEWAY => (
                "BadGateway",
                "The server received an invalid response upstream.",
            ),
            StatusCode::SERVICE_UNAVAILABLE => (
                "ServiceUnavailable",
                "The service is temporarily unavailable.",
            ),
            StatusCode::GATEWAY_TIMEOUT => {
                ("GatewayTimeout", "The server timed out waiting upstream.")
            }
            s if s.is_server_error() => (
                "InternalServerError",
                "The server could not process the request.",
            ),
            _ => ("BadRequest", "The request is not valid."),
        };
        ApiError::new(status, code, message)
    }

    /// The Graph error body with the request's ids.
    pub fn body(&self, request_id: &str, client_request_id: &str) -> ODataError {
        ODataError {
            error: MainError {
                code: self.code.clone(),
                message: self.message.clone(),
                inner_error: Some(InnerError {
                    date: now_without_offset(),
                    request_id: request_id.to_owned(),
                    client_request_id: client_request_id.to_owned(),
                }),
            },
        }
    }

    /// Renders the Graph error body with the request's ids.
    pub fn render(&self, request_id: &str, client_request_id: &str) -> Response {
        let body = self.body(request_id, client_request_id);
        let mut response = (self.status, axum::Json(body)).into_response();
        if let Some(seconds) = self.retry_after {
            response
                .headers_mut()
                .insert(header::RETRY_AFTER, HeaderValue::from(seconds));
        }
        for (name, value) in [
            (header::ALLOW, &self.allow),
            (header::LOCATION, &self.location),
        ] {
            if let Some(value) = value.as_deref().and_then(|v| HeaderValue::from_str(v).ok()) {
                response.headers_mut().insert(name, value);
            }
        }
        response
    }
}

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        let mut response = self.status.into_response();
        response.extensions_mut().insert(self);
        response
    }
}

/// `2026-01-01T00:00:00`, as Graph writes `innerError.date`.
fn now_without_offset() -> String {
    let now = time::OffsetDateTime::now_utc();
    let format = time::macros::format_description!("[year]-[month]-[day]T[hour]:[minute]:[second]");
    now.format(&format).unwrap_or_default()
}

/// How a storage failure reaches a client: Graph's error for it.
impl From<StoreError> for ApiError {
    fn from(error: StoreError) -> ApiError {
        match error {
            StoreError::Conflict => ApiError::conflict("The entity already exists."),
            StoreError::NotFound => ApiError::not_found("The entity does not exist."),
            StoreError::TooLarge => ApiError::new(
                axum::http::StatusCode::PAYLOAD_TOO_LARGE,
                "RequestEntityTooLarge",
                "The entity is too large to store.",
            ),
            StoreError::Backend(reason) => {
                tracing::error!("store failure: {reason}");
                // A database that went away is retried on the next request: worth a retry soon.
                let mut error = ApiError::new(
                    axum::http::StatusCode::SERVICE_UNAVAILABLE,
                    "ServiceUnavailable",
                    "The mock's store is unavailable.",
                );
                error.retry_after = Some(1);
                error
            }
        }
    }
}

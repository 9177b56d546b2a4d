//! The mock's own routes under `<base>/$mock/` (off with `--no-admin`). `$mock` can never be a
//! Graph path segment, so these never collide with generated routes.
//!
//! - `GET <base>/$mock/requests`: the request journal, `{"value": [...]}`, oldest first;
//! - `DELETE <base>/$mock/requests`: clears it;
//! - `POST <base>/$mock/reset`: restores the state the mock started with (fixtures included).
//!
//! [`openapi`] (`GET <base>/$openapi`) is served whatever `--no-admin` says: it is discovery,
//! not administration.

use axum::Router;
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};

use crate::AppState;
use crate::error::ApiError;

/// The admin routes under `base_path`.
pub fn router(base_path: &str) -> Router<AppState> {
    Router::new()
        .route(
            &[base_path, "/$mock/requests"].concat(),
            get(requests).delete(clear_requests),
        )
        .route(&[base_path, "/$mock/reset"].concat(), post(reset))
}

/// `GET <base>/$openapi`: the OpenAPI 3.1 document of what this mock serves, with this server's
/// base URL, for Prism, Swagger UI and schemathesis.
pub async fn openapi(State(state): State<AppState>, request: axum::extract::Request) -> Response {
    let server = crate::handlers::base_url(&request, &state.base_path);
    let mut document = state.openapi().clone();
    document["servers"] = serde_json::json!([{ "url": server }]);
    axum::Json(document).into_response()
}

async fn requests(State(state): State<AppState>) -> Response {
    axum::Json(serde_json::json!({ "value": state.journal.entries() })).into_response()
}

async fn clear_requests(State(state): State<AppState>) -> StatusCode {
    state.journal.clear();
    StatusCode::NO_CONTENT
}

async fn reset(State(state): State<AppState>) -> Result<StatusCode, ApiError> {
    state.reset().await?;
    Ok(StatusCode::NO_CONTENT)
}

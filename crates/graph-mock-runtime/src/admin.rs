//! The mock's own routes under `<base>/$mock/` (off with `--no-admin`). `$mock` can never be a
//! Graph path segment, so these never collide with generated routes.
//!
//! - `GET <base>/$mock/requests`: the request journal of the caller's tenant (see
//!   [`crate::tenant`]), `{"value": [...]}`, oldest first;
//! - `DELETE <base>/$mock/requests`: clears it;
//! - `POST <base>/$mock/reset`: restores the caller's tenant as the mock started (the default
//!   tenant's fixtures included); the other tenants are left alone.
//!
//! [`openapi`] (`GET <base>/$openapi`) is served whatever `--no-admin` says: it is discovery,
//! not administration.

use axum::Router;
use axum::extract::State;
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};

use crate::AppState;
use crate::error::ApiError;
use crate::tenant::Tenant;

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

/// The caller's tenant's requests.
async fn requests(State(state): State<AppState>, headers: HeaderMap) -> Result<Response, ApiError> {
    let tenant = Tenant::of(&headers)?;
    let entries = state.journal.entries(Some(&tenant));
    Ok(axum::Json(serde_json::json!({ "value": entries })).into_response())
}

/// Forgets the caller's tenant's requests.
async fn clear_requests(
    State(state): State<AppState>,
    headers: HeaderMap,
) -> Result<StatusCode, ApiError> {
    state.journal.clear(&Tenant::of(&headers)?);
    Ok(StatusCode::NO_CONTENT)
}

/// Resets the caller's tenant.
async fn reset(State(state): State<AppState>, headers: HeaderMap) -> Result<StatusCode, ApiError> {
    state.for_request(&headers)?.reset().await?;
    Ok(StatusCode::NO_CONTENT)
}

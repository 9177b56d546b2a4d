//! A stateful mock of the Microsoft Graph API, generated from `spec/api.json`.
//!
//! The routes and the operation table under `generated/` come from `cargo xtask codegen`; the
//! behaviour behind them is hand-written and shared:
//!
//! - [`store`]: the in-memory entity store, with O(page) paging;
//! - [`query`] and [`filter`]: the OData query options and the `$filter` language;
//! - [`handlers`]: create, list, get, update and delete, Graph-style, and [`calls`]: actions and
//!   functions;
//! - [`auth`]: bearer, none, or scope checks against the documented permissions;
//! - [`error`] and [`middleware`]: Graph error bodies, request ids and request logging;
//! - [`MockServer`]: the mock in-process on `127.0.0.1:0`, for tests.
//!
//! Bodies are validated with the model crate's schema (`graph_model::schema()`), so the mock and
//! the client agree on every type by construction.

pub mod auth;
pub mod calls;
pub mod config;
pub mod error;
pub mod filter;
pub mod handlers;
mod json;
pub mod middleware;
mod mock_server;
pub mod operation;
pub mod query;
pub mod resource;
mod schema_view;
pub mod seed;
pub mod store;

#[rustfmt::skip]
mod generated;

use std::sync::Arc;

use axum::Router;
use axum::http::Uri;

pub use config::{AuthMode, Config};
pub use error::ApiError;
pub use generated::OPERATIONS;
pub use mock_server::MockServer;
pub use store::Store;

/// What every handler shares.
#[derive(Debug, Clone)]
pub struct AppState {
    /// The settings.
    pub config: Arc<Config>,
    /// The entities.
    pub store: Arc<Store>,
}

impl AppState {
    /// A fresh state with an empty store.
    pub fn new(config: Config) -> AppState {
        AppState {
            config: Arc::new(config),
            store: Arc::new(Store::default()),
        }
    }
}

/// The whole mock as an axum router: the generated routes under the base path, a Graph 404 for
/// anything else, and the request middleware around it all.
pub fn app(state: AppState) -> Router {
    let base_path = state.config.normalised_base_path();
    let routes = generated::router().with_state(state);
    let routes = if base_path.is_empty() {
        routes
    } else {
        Router::new().nest(&base_path, routes)
    };
    // Function arguments leave the path before routing (a layer on the router would run after).
    let routed = tower::ServiceBuilder::new()
        .map_request(calls::split_function_call)
        .service(routes.fallback(unknown_route));
    Router::new()
        .fallback_service(routed)
        .layer(axum::middleware::from_fn(middleware::request_context))
}

async fn unknown_route(uri: Uri) -> ApiError {
    let segment = uri
        .path()
        .trim_end_matches('/')
        .rsplit('/')
        .next()
        .unwrap_or_default()
        .to_owned();
    ApiError::not_found(format!("Resource not found for the segment '{segment}'."))
}

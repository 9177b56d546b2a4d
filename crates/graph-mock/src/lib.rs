//! Microsoft Graph in a box: a stateful mock of all of Graph, v1.0 and beta on one host over
//! one store, as `graph.microsoft.com` serves them.
//!
//! The APIs are the specs of every v1.0 and beta doc page, imported by `cargo xtask import` into
//! `spec/graph/` and embedded here; the engine (`graph-mock-runtime`) builds its routes, schema
//! and operations from them when first used, so nothing is generated or compiled for them.
//!
//! ```no_run
//! # async fn demo() -> std::io::Result<()> {
//! // Both versions in-process on 127.0.0.1:<port>, over one store.
//! let server = graph_mock::MockServer::try_start_versions(&graph_mock::all(), Default::default())
//!     .await?;
//! let v1 = format!("{}/v1.0", server.uri());
//! let beta = format!("{}/beta", server.uri());
//! // Or one version: `MockServer::start(&graph_mock::V1_0)`.
//! # let _ = (v1, beta);
//! # Ok(())
//! # }
//! ```

use std::sync::LazyLock;

#[cfg(feature = "cli")]
pub use graph_mock_runtime::cli::BuiltIn;
pub use graph_mock_runtime::{Api, AppState, AuthMode, Config, MockServer, app, app_of};

/// All of Graph v1.0: every operation and type of its doc pages.
pub static V1_0: LazyLock<Api> =
    LazyLock::new(|| Api::embedded(include_str!("../../../spec/graph/v1.0/api.json")));

/// All of Graph beta: every operation and type of its doc pages.
pub static BETA: LazyLock<Api> =
    LazyLock::new(|| Api::embedded(include_str!("../../../spec/graph/beta/api.json")));

/// The built-in APIs, v1.0 first, for the command line (`--api v1.0|beta|both`).
#[cfg(feature = "cli")]
pub const BUILT_IN: [BuiltIn; 2] = [
    BuiltIn {
        version: "v1.0",
        api: &V1_0,
    },
    BuiltIn {
        version: "beta",
        api: &BETA,
    },
];

/// Both versions' models, v1.0 first, each built on first use: what
/// [`MockServer::try_start_versions`] and [`AppState::open_versions`] take to serve all of Graph.
pub fn all() -> [&'static Api; 2] {
    [LazyLock::force(&V1_0), LazyLock::force(&BETA)]
}

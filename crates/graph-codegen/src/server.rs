//! The mock crate generator: its `lib.rs`, which embeds the spec and builds the `API` that
//! `graph-mock-runtime` serves from it when first used, and its `main.rs`. The engine builds the
//! operations and routes from the spec ([`graph_mock_runtime::Api::from_spec`] is the one place),
//! so the crate holds data only and serves what `graph-mock --spec` would serve for the same spec.

use proc_macro2::TokenStream;
use quote::quote;

use crate::names::ident;

/// The mock crate's `src/lib.rs`: the spec, embedded from `src/spec.json` beside it (a string
/// literal of that size would cost the generator and the compiler each a pass over its
/// escapes), and the model the engine builds from it.
pub fn lib_rs(spec_label: &str, crate_name: &str) -> TokenStream {
    let example =
        format!(" let server = {crate_name}::MockServer::start(&{crate_name}::API).await;");
    let doc = format!(
        " A stateful mock of the Microsoft Graph API of `{spec_label}`: the spec, embedded, served \
         by `graph-mock-runtime`."
    );
    quote! {
        #![doc = #doc]
        //!
        //! ```no_run
        //! # async fn demo() {
        #![doc = #example]
        //! let base_url = server.base_url(); // http://127.0.0.1:<port>/beta
        //! // ... point a client at `base_url`; the server stops when `server` is dropped.
        //! # let _ = base_url;
        //! # }
        //! ```

        pub use graph_mock_runtime::{Api, AppState, AuthMode, Config, MockServer, app};
        use std::sync::LazyLock;

        /// The spec, as compact JSON.
        const SPEC_JSON: &str = include_str!("spec.json");

        /// What this mock serves: the embedded spec's operations and schema, built on first use.
        pub static API: LazyLock<Api> = LazyLock::new(|| Api::embedded(SPEC_JSON));
    }
}

/// The mock crate's `src/main.rs`: the runtime's command line over this crate's `API`, of
/// `version`.
pub fn main_rs(spec_label: &str, crate_name: &str, version: &str) -> TokenStream {
    let doc = format!(" Serves the mock of `{spec_label}`; `--help` lists the flags.");
    let library = ident(crate_name);
    quote! {
        #![doc = #doc]

        /// mimalloc's per-thread heaps: the request path allocates on every worker thread, and
        /// glibc's arena locks showed up in the load profile.
        #[global_allocator]
        static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

        fn main() -> std::process::ExitCode {
            let api = graph_mock_runtime::cli::BuiltIn {
                version: #version,
                api: &#library::API,
            };
            graph_mock_runtime::cli::run(&[api])
        }
    }
}

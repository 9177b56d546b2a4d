//! The mock crate generator: the operation table and the `API` value that
//! `graph-mock-runtime` serves, plus the crate's `lib.rs` and `main.rs`.

use std::collections::BTreeMap;

use graph_spec::{OperationKind, PermissionSet, Segment};
use proc_macro2::{Ident, TokenStream};
use quote::quote;

use crate::areas::Features;
use crate::ir::{Ir, RouteIr};
use crate::names::ident;

/// The mock crate's `src/lib.rs`.
pub fn lib_rs(spec_label: &str, crate_name: &str) -> TokenStream {
    let example =
        format!(" let server = {crate_name}::MockServer::start(&{crate_name}::API).await;");
    let doc = format!(
        " A stateful mock of the Microsoft Graph API of `{spec_label}`: its operation table and \
         routes, served by `graph-mock-runtime`."
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

        #[rustfmt::skip]
        mod routes;
        #[rustfmt::skip]
        mod spec;

        pub use graph_mock_runtime::{AppState, AuthMode, Config, MockServer, app};
        pub use routes::API;
    }
}

/// The mock crate's `src/main.rs`: the runtime's command line over this crate's `API`.
pub fn main_rs(spec_label: &str, crate_name: &str) -> TokenStream {
    let doc = format!(" Serves the mock of `{spec_label}`; `--help` lists the flags.");
    let library = ident(crate_name);
    quote! {
        #![doc = #doc]

        /// mimalloc's per-thread heaps: the request path allocates on every worker thread, and
        /// glibc's arena locks showed up in the load profile.
        #[cfg(feature = "mimalloc")]
        #[global_allocator]
        static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

        fn main() -> std::process::ExitCode {
            graph_mock_runtime::cli::run(&#library::API)
        }
    }
}

/// The mock crate's `src/spec.rs`: the spec, for the operations' parameters and doc examples
/// (documented responses, `--seed-examples`) and the OpenAPI document the runtime builds from it.
/// The spec itself is `src/spec.json` beside it: a string literal of that size would cost the
/// generator and the compiler each a pass over its escapes.
pub fn spec_rs() -> TokenStream {
    quote! {
        //! The spec this mock was generated from, embedded from `spec.json` as compact JSON.

        /// The spec, as compact JSON.
        const SPEC_JSON: &str = include_str!("spec.json");

        /// The spec, parsed once.
        pub(crate) fn spec() -> &'static graph_mock_runtime::Spec {
            static SPEC: ::std::sync::OnceLock<graph_mock_runtime::Spec> = ::std::sync::OnceLock::new();
            SPEC.get_or_init(|| graph_mock_runtime::operation::embedded_spec(SPEC_JSON))
        }
    }
}

/// The mock crate's `src/routes.rs`: the operation table. The runtime builds the router from
/// it, so this crate holds data only and its build time does not grow with generic code.
pub fn routes_rs(ir: &Ir) -> TokenStream {
    let metas = ir
        .routes
        .iter()
        .map(|route| Features::area(&route.feature).gate(meta(route)));
    let version = &ir.version;
    let mut by_feature: BTreeMap<&str, Vec<Ident>> = BTreeMap::new();
    for route in &ir.routes {
        by_feature
            .entry(&route.feature)
            .or_default()
            .push(ident(&route.const_name));
    }
    let groups = by_feature.iter().map(|(feature, names)| {
        let cfg = Features::area(feature).cfg();
        quote! {
            #cfg
            operations.extend_from_slice(&[#(&#names),*]);
        }
    });
    quote! {
        //! The generated operation table of the mock: one entry per operation and path, each
        //! compiled with its area's feature.

        use graph_mock_runtime::operation::{Api, OperationMeta};
        // Unused when no area feature is on.
        #[allow(unused_imports)]
        use graph_mock_runtime::operation::{Kind, PathSegment, Permission, Permissions};

        /// What this mock serves: its operations and the model's schema.
        pub static API: Api = Api {
            operations,
            schema: graph_model::schema,
            spec: crate::spec::spec,
            version: #version,
        };

        #(#metas)*

        /// Every operation the mock serves: those of the areas its features compile.
        fn operations() -> &'static [&'static OperationMeta] {
            static OPERATIONS: ::std::sync::OnceLock<Vec<&'static OperationMeta>> =
                ::std::sync::OnceLock::new();
            OPERATIONS.get_or_init(|| {
                #[allow(unused_mut)]
                let mut operations: Vec<&'static OperationMeta> = Vec::new();
                #(#groups)*
                operations
            })
        }
    }
}

fn permission(set: &PermissionSet) -> TokenStream {
    match set {
        PermissionSet::Scopes(scopes) => quote! { Permission::Scopes(&[#(#scopes),*]) },
        PermissionSet::NotSupported => quote! { Permission::NotSupported },
        PermissionSet::NoneRequired => quote! { Permission::NoneRequired },
        PermissionSet::Undetermined => quote! { Permission::Undetermined },
    }
}

fn meta(route: &RouteIr) -> TokenStream {
    let name = ident(&route.const_name);
    let kind = ident(match route.kind {
        OperationKind::Create => "Create",
        OperationKind::List => "List",
        OperationKind::Get => "Get",
        OperationKind::Update => "Update",
        OperationKind::Delete => "Delete",
        OperationKind::Action => "Action",
        OperationKind::Function => "Function",
    });
    let path = route.path.to_string();
    let route_path = &route.route_path;
    let segments = route.path.segments().iter().map(|segment| match segment {
        Segment::Literal(name) | Segment::Function { name, .. } => {
            quote! { PathSegment::Literal(#name) }
        }
        Segment::Key(_) => quote! { PathSegment::Key },
        Segment::Cast(qualified) => {
            let type_name = segment.cast_type().unwrap_or(qualified);
            quote! { PathSegment::Cast(#type_name) }
        }
    });
    let method = route.method.as_str();
    let status = route.status;
    let operation = route.operation;
    // Naming the model type ties the server to the model crate at compile time.
    let entity_type = match &route.entity_struct {
        Some(rust) => {
            let rust = ident(rust);
            quote! { <graph_model::#rust as graph_model::GraphType>::NAME }
        }
        // The runtime reads an empty name as "about no type".
        None => {
            let graph = route.entity_type.as_deref().unwrap_or_default();
            quote! { #graph }
        }
    };
    let delegated = permission(&route.delegated);
    let application = permission(&route.application);
    let doc = format!(" `{} {}`", route.method.as_str(), route.path);
    quote! {
        #[doc = #doc]
        static #name: OperationMeta = OperationMeta {
            kind: Kind::#kind,
            method: #method,
            path: #path,
            route: #route_path,
            segments: &[#(#segments),*],
            entity_type: #entity_type,
            status: #status,
            permissions: Permissions { delegated: #delegated, application: #application },
            operation: #operation,
        };
    }
}

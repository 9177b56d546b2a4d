//! The client crate generator: prints the request-builder tree of the IR ([`crate::builders`])
//! as structs, one per URL prefix, whose methods are the navigation to the next prefix and the
//! operations at this one.

use graph_spec::{OperationKind, PermissionSet, Primitive};
use proc_macro2::TokenStream;
use quote::quote;

use std::collections::{BTreeMap, BTreeSet};

use crate::areas::Features;
use crate::builders::{self, BuilderIr, Edge, Unit};
use crate::ir::{FieldType, Ir, ResponseIr, RouteIr};
use crate::layout;
use crate::model::{self, rust_type};
use crate::names::{self, ident};
use crate::render::{doc_attrs, doc_lines};

/// The client crate's `src/lib.rs`: a facade over the area crates.
pub fn lib_rs(spec_label: &str) -> TokenStream {
    let doc = format!(
        " A typed Microsoft Graph client for the API of `{spec_label}`, on `graph-client-runtime`."
    );
    quote! {
        #![doc = #doc]
        //!
        //! Calls follow the shape of the URL, like the Kiota-generated Graph SDKs: every path
        //! prefix is a request builder reached from [`Client`], and the operations at a prefix
        //! are its methods. The types are those of the generated model crate, re-exported as
        //! [`model`], so the client and the mock can never disagree about them.
        //!
        //! Each area (a path's first segment, one cargo feature) is a crate of its own,
        //! re-exported here: a change to one area's types rebuilds that area's requests only.

        #[rustfmt::skip]
        mod requests;

        pub use graph_client_runtime::{Batch, BatchAnswers, BatchItem, Bytes};
        pub use graph_client_runtime::{ClientBuilder, ClientCredentials, DecodeError, Error, GraphError, StatusCode};
        pub use graph_client_runtime::{DeltaItem, DeltaPage, DeltaRequest, DeltaRound};
        pub use graph_client_runtime::{GetRequest, ListRequest, Request};
        pub use graph_client_runtime::{ResponseObserver, RetryPolicy, TokenProvider, Transport};
        pub use graph_model as model;
        pub use requests::*;
    }
}

/// The uses at the top of every `requests.rs`.
fn requests_uses() -> TokenStream {
    quote! {
        #![allow(clippy::too_many_lines, unused_imports)]

        use graph_client_runtime::codegen::{Method, ReferenceLink, bytes, encode_component, function_call, json, no_content, odata_literal, value, values};
        use graph_client_runtime::{Batch, Bytes, ClientBuilder, DeltaRequest, Error, GetRequest, ListRequest, Request, Transport};
    }
}

/// The client crate's `src/requests.rs`: the root `Client`, whose navigation leads into the
/// area crates, the operations at the root itself, and the `units`' builders re-exported.
pub fn requests_rs(ir: &Ir, units: &[Unit]) -> TokenStream {
    let uses = requests_uses();
    let root = root_client(ir);
    let areas = units.iter().map(|unit| {
        let cfg = Features::area(&unit.feature).cfg();
        let area = ident(&layout::client_area_crate(&unit.name));
        quote! { #cfg #[doc(inline)] pub use #area::requests::*; }
    });
    let default_url = format!("https://graph.microsoft.com/{}", ir.version);
    let default_doc = format!(
        " The service's `{}` API: what `Client::builder()` calls by default.",
        ir.version
    );
    quote! {
        //! The root of the request builders; each area's builders come from its crate.
        #uses

        #(#areas)*

        #[doc = #default_doc]
        pub const DEFAULT_BASE_URL: &str = #default_url;

        #root
    }
}

/// The `src/lib.rs` of the client's crate for `unit`: its requests, and the model's parts they
/// name (`parts`), re-exported as `model`.
pub fn area_lib_rs(spec_label: &str, unit: &Unit, parts: &BTreeSet<usize>) -> TokenStream {
    let doc = format!(
        " The `{}` request builders of the typed Microsoft Graph client of `{spec_label}`. Use \
         them through the client crate (its `{}` feature), which re-exports them and reaches \
         them from `Client`.",
        unit.name, unit.feature
    );
    let parts = parts.iter().map(|&part| ident(&model::part_crate(part)));
    quote! {
        #![doc = #doc]

        /// The model's types this area's requests name, from the model's parts.
        pub mod model {
            // In rustfmt's order: the parts (`graph_model_part_NNN`) before `graph_odata`.
            #(pub use #parts::*;)*
            pub use graph_odata::{CollectionPage, DateTimeOffset, Flags, GraphType, Patch};
        }

        #[rustfmt::skip]
        pub mod requests;
    }
}

/// The `src/requests.rs` of the client's crate for the unit `unit`: its builders, the top one
/// with a constructor that `Client` (or the builder above it) calls.
pub fn area_requests_rs(ir: &Ir, unit: &str) -> TokenStream {
    let uses = requests_uses();
    let prefix = quote!(crate::model::);
    let builders = (ir.builders.iter().enumerate())
        .skip(1)
        .filter(|(_, node)| node.unit == unit)
        .map(|(index, node)| builder(ir, index, node, &prefix));
    let doc = format!(" The request builders of `{unit}`, one per URL prefix.");
    quote! {
        #![doc = #doc]
        #uses

        #(#builders)*
    }
}

/// The units whose top builders the builders of `unit` return: what its crate depends on
/// besides the model's parts.
pub fn units_below(ir: &Ir, unit: &str) -> BTreeSet<String> {
    (ir.builders.iter())
        .filter(|node| node.unit == unit)
        .flat_map(|node| node.children.values())
        .map(|&child| &ir.builders[child].unit)
        .filter(|&other| other != unit)
        .cloned()
        .collect()
}

/// The parts of the model whose items the requests of `unit` name: what its crate depends on
/// (the parts those items use come with them).
pub fn area_parts(ir: &Ir, by_name: &BTreeMap<&str, usize>, unit: &str) -> BTreeSet<usize> {
    (ir.routes.iter())
        .filter(|r| ir.builders[r.client.builder].unit == unit)
        .flat_map(RouteIr::named_items)
        .filter_map(|name| by_name.get(name).copied())
        .collect()
}

/// The path of the builder `child` from its parent's path `base`.
fn child_path(child: &BuilderIr, base: &TokenStream) -> (TokenStream, TokenStream) {
    match &child.edge {
        Edge::Segment(segment) | Edge::Cast(segment) => {
            (quote! {}, quote! { format!("{}/{}", #base, #segment) })
        }
        Edge::Key(parameter) => {
            let argument = ident(&names::field_name(parameter));
            (
                quote! { , #argument: &str },
                quote! { format!("{}/{}", #base, encode_component(#argument)) },
            )
        }
        Edge::Root => unreachable!("the root is nobody's child"),
    }
}

/// The methods and parameters structs of the routes builder `index` claims, each gated by
/// `gate` (the root's calls by their area; nothing in an area crate).
fn operations(
    ir: &Ir,
    index: usize,
    prefix: &TokenStream,
    gate: impl Fn(&RouteIr) -> Features,
) -> (Vec<TokenStream>, Vec<TokenStream>) {
    ir.builders[index]
        .routes
        .iter()
        .map(|&r| {
            let route = &ir.routes[r];
            let client = &route.client;
            let (method, parameters) = operation(
                route,
                &client.method,
                client.parameters_struct.as_deref(),
                prefix,
            );
            let features = gate(route);
            let cfg = features.cfg();
            (quote! { #cfg #method }, features.gate(parameters))
        })
        .unzip()
}

/// The root `Client`: its navigation into each area (under the area's feature) and the
/// operations at the root itself.
fn root_client(ir: &Ir) -> TokenStream {
    let prefix = quote!(graph_model::);
    let (operations, parameter_structs) =
        operations(ir, 0, &prefix, |route| Features::area(&route.feature));
    let navigation = ir.builders[0].children.values().map(|&child| {
        let child = &ir.builders[child];
        let child_name = ident(&child.struct_name);
        let method = ident(&child.method);
        let (parameter, argument) = match &child.edge {
            Edge::Key(parameter) => {
                let argument = ident(&names::field_name(parameter));
                (quote! { , #argument: &str }, quote! { , #argument })
            }
            _ => (quote! {}, quote! {}),
        };
        let doc = doc_lines(&format!("Requests under `{}`.", child.template));
        let cfg = Features::area(&child.feature).cfg();
        quote! {
            #doc
            #cfg
            pub fn #method(&self #parameter) -> #child_name {
                #child_name::new(&self.transport #argument)
            }
        }
    });
    // The root's own operations address the root path.
    let path = (!operations.is_empty()).then(|| {
        quote! {
            fn path(&self) -> &str {
                ""
            }
        }
    });
    quote! {
        #(#parameter_structs)*

        /// A Microsoft Graph client: the root of the request builders. Cheap to clone.
        #[derive(Debug, Clone)]
        pub struct Client {
            transport: Transport,
        }

        impl From<Transport> for Client {
            fn from(transport: Transport) -> Client {
                Client { transport }
            }
        }

        impl Client {
            /// A builder with the defaults: the real service's URL ([`DEFAULT_BASE_URL`]), no
            /// token, 4 attempts, 30 s timeout.
            pub fn builder() -> ClientBuilder<Client> {
                ClientBuilder::new(DEFAULT_BASE_URL)
            }

            /// A client for `base_url` with a fixed token.
            pub fn new(base_url: impl Into<String>, token: impl Into<String>) -> Result<Client, Error> {
                Client::builder().base_url(base_url).token(token).build()
            }

            /// The transport every request goes through.
            pub fn transport(&self) -> &Transport {
                &self.transport
            }

            /// A JSON batch: up to 20 requests in one round trip to `$batch`.
            pub fn batch(&self) -> Batch {
                Batch::new(self.transport.clone())
            }

            #path

            #(#navigation)*
            #(#operations)*
        }
    }
}

/// One builder of an area crate: a struct, its navigation to its children and its operations;
/// a top-level one (a child of the root) also has the constructor `Client` calls.
fn builder(ir: &Ir, index: usize, node: &BuilderIr, prefix: &TokenStream) -> TokenStream {
    let name = ident(&node.struct_name);
    let (operations, parameter_structs) = operations(ir, index, prefix, |_| Features::default());
    let navigation = node.children.values().map(|&child| {
        let child = &ir.builders[child];
        let child_name = ident(&child.struct_name);
        let method = ident(&child.method);
        let doc = doc_lines(&format!("Requests under `{}`.", child.template));
        // The top of another unit is made by its own crate.
        if child.unit != node.unit {
            let unit = ident(&layout::client_area_crate(&child.unit));
            return quote! {
                #doc
                pub fn #method(&self) -> #unit::requests::#child_name {
                    #unit::requests::#child_name::new(&self.transport)
                }
            };
        }
        let (argument, path) = child_path(child, &quote!(self.path()));
        quote! {
            #doc
            pub fn #method(&self #argument) -> #child_name {
                #child_name { transport: self.transport().clone(), path: #path }
            }
        }
    });
    let constructor = builders::unit_top(&ir.builders, index).then(|| {
        // A unit's top has a fixed path, unless it is an area's top reached by a key.
        let (argument, path) = match builders::fixed_path(&ir.builders, index) {
            Some(path) => (quote! {}, quote! { #path.to_owned() }),
            None => child_path(node, &quote!("")),
        };
        let doc = doc_lines(&format!(
            "Requests under `{}` over `transport`: what `{}::{}` returns.",
            node.template, ir.builders[node.parent].struct_name, node.method
        ));
        quote! {
            #doc
            pub fn new(transport: &Transport #argument) -> Self {
                Self { transport: transport.clone(), path: #path }
            }
        }
    });
    let doc = doc_lines(&format!("Requests under `{}`.", node.template));
    quote! {
        #(#parameter_structs)*

        #doc
        #[derive(Debug, Clone)]
        pub struct #name {
            transport: Transport,
            path: String,
        }

        impl #name {
            #constructor

            fn transport(&self) -> &Transport {
                &self.transport
            }

            /// The path this builder addresses, relative to the base URL.
            pub fn path(&self) -> &str {
                &self.path
            }

            #(#navigation)*
            #(#operations)*
        }
    }
}

fn permissions_line(label: &str, set: &PermissionSet) -> String {
    match set {
        PermissionSet::Scopes(scopes) => format!("{label}: {}", scopes.join(", ")),
        PermissionSet::NotSupported => format!("{label}: not supported"),
        PermissionSet::NoneRequired => format!("{label}: none required"),
        PermissionSet::Undetermined => format!("{label}: not documented"),
    }
}

/// A route's method, and for an action or function with parameters, its parameters struct.
fn operation(
    route: &RouteIr,
    method_name: &str,
    parameter_struct: Option<&str>,
    prefix: &TokenStream,
) -> (TokenStream, TokenStream) {
    let method = crud_or_call(route, method_name, parameter_struct, prefix);
    let parameters = parameter_struct
        .map(|name| parameters_struct(route, name, prefix))
        .unwrap_or_default();
    (method, parameters)
}

fn parameters_struct(route: &RouteIr, name: &str, prefix: &TokenStream) -> TokenStream {
    let name = ident(name);
    let doc = doc_lines(&format!(
        "The parameters of `{} {}`.",
        route.method.as_str(),
        route.path
    ));
    let fields = route.parameters.iter().map(|p| {
        let field = ident(&p.rust_name);
        let json = &p.json_name;
        let ty = rust_type(&p.ty, p.collection, false, prefix);
        let docs = if p.doc.trim().is_empty() {
            doc_lines(&format!("The `{json}` parameter."))
        } else {
            doc_attrs(&p.doc)
        };
        quote! {
            #docs
            #[serde(rename = #json, default, skip_serializing_if = "Option::is_none")]
            pub #field: Option<#ty>,
        }
    });
    quote! {
        #doc
        #[derive(Debug, Clone, PartialEq, Default, serde::Serialize, serde::Deserialize)]
        pub struct #name {
            #(#fields)*
        }
    }
}

/// Whether a function argument is written as a quoted OData literal.
fn quoted(ty: &FieldType) -> bool {
    match ty {
        FieldType::Primitive(p) => !matches!(
            p,
            Primitive::Boolean
                | Primitive::Byte
                | Primitive::Int16
                | Primitive::Int32
                | Primitive::Int64
                | Primitive::Single
                | Primitive::Double
                | Primitive::Decimal
                | Primitive::DateTimeOffset
                | Primitive::Date
                | Primitive::TimeOfDay
                | Primitive::Guid
        ),
        _ => true,
    }
}

/// The methods of an action, a function or a download (a get answering `302 Found`): one
/// sending the request, and for a report also documented as JSON, its `_json` variant.
fn call(
    route: &RouteIr,
    method_name: &str,
    parameter_struct: Option<&str>,
    docs: TokenStream,
    prefix: &TokenStream,
) -> TokenStream {
    let method = ident(method_name);
    let name = &route.name;
    let function = route.kind == OperationKind::Function;
    let argument = match parameter_struct {
        Some(p) => {
            let p = ident(p);
            quote! { , parameters: &#p }
        }
        None => quote! {},
    };
    let path = if function {
        let arguments = route.parameters.iter().map(|p| {
            let json = &p.json_name;
            let field = ident(&p.rust_name);
            let quoted = quoted(&p.ty);
            quote! { (#json, odata_literal(&parameters.#field, #quoted)) }
        });
        quote! { format!("{}/{}", self.path(), function_call(#name, &[#(#arguments),*])) }
    } else if route.kind == OperationKind::Get {
        // A download at the builder's own path.
        quote! { self.path().to_owned() }
    } else {
        quote! { format!("{}/{}", self.path(), #name) }
    };
    let (http, body) = match (
        function || route.kind == OperationKind::Get,
        parameter_struct,
    ) {
        (true, _) => (quote!(Method::GET), quote!(None::<&()>)),
        (false, Some(_)) => (quote!(Method::POST), quote!(Some(parameters))),
        (false, None) => (quote!(Method::POST), quote!(None::<&()>)),
    };
    let (ty, decode) = match &route.download {
        Some(_) => (quote!(Bytes), quote!(bytes)),
        None => call_answer(route.response.as_ref(), prefix),
    };
    // A report's rows as JSON rather than its CSV file.
    let json_variant = route
        .download
        .as_ref()
        .and_then(|d| d.json.as_ref())
        .map(|json| {
            let method = ident(&format!("{method_name}_json"));
            let (ty, decode) = call_answer(Some(json), prefix);
            quote! {
                /// The same report as JSON (`$format=application/json`) rather than a CSV file.
                pub fn #method(&self #argument) -> Request<#ty> {
                    Request::new(self.transport().clone(), #http, #path, #body, #decode)
                        .query("$format", "application/json")
                }
            }
        });
    quote! {
        #docs
        pub fn #method(&self #argument) -> Request<#ty> {
            Request::new(self.transport().clone(), #http, #path, #body, #decode)
        }
        #json_variant
    }
}

/// Whether an answer comes as `{"value": ...}`: a collection, a primitive or an enum does; an
/// entity or a complex value (typed, or of an undocumented type) is answered as itself, with
/// its `@odata.context`.
pub(crate) fn answered_as_value(response: &ResponseIr) -> bool {
    let structured = matches!(
        response.ty,
        FieldType::Struct(_) | FieldType::Poly(_) | FieldType::Json
    );
    response.collection || !structured
}

/// The Rust type and decoder of an action's or function's answer.
fn call_answer(response: Option<&ResponseIr>, prefix: &TokenStream) -> (TokenStream, TokenStream) {
    match response {
        None => (quote!(()), quote!(no_content)),
        // A collection of a model type is read as a page, whose decoding the model compiles
        // (see its `page_from_json`).
        Some(ResponseIr {
            ty: ty @ (FieldType::Struct(_) | FieldType::Poly(_)),
            collection: true,
        }) => (rust_type(ty, true, false, prefix), quote!(values)),
        Some(response @ ResponseIr { ty, collection }) if answered_as_value(response) => {
            (rust_type(ty, *collection, false, prefix), quote!(value))
        }
        Some(ResponseIr { ty, .. }) => (rust_type(ty, false, false, prefix), quote!(json)),
    }
}

fn crud_or_call(
    route: &RouteIr,
    method_name: &str,
    parameter_struct: Option<&str>,
    prefix: &TokenStream,
) -> TokenStream {
    let graph_docs = doc_attrs(&format!("{}\n\n{}", route.summary, route.description));
    let reference = doc_lines(&format!(
        "\n`{} {}{}` (success: {}).\n\nPermissions (least privileged first): {}; {}.",
        route.method.as_str(),
        route.path,
        if route.reference { "/$ref" } else { "" },
        route.status,
        permissions_line("delegated", &route.delegated),
        permissions_line("application", &route.application),
    ));
    let docs = quote! { #graph_docs #reference };
    let response_type = route
        .response
        .as_ref()
        .map(|r| rust_type(&r.ty, r.collection, false, prefix));
    match route.kind {
        // `$ref`: the link is the body of an add or a set; a delete sends none.
        OperationKind::Create | OperationKind::Update | OperationKind::Delete
            if route.reference =>
        {
            let method = ident(method_name);
            let http = method_tokens(route);
            let (parameter, body, link_doc) = match route.kind {
                OperationKind::Delete => (quote! {}, quote! { None::<&()> }, quote! {}),
                _ => (
                    quote! { , odata_id: &str },
                    quote! { Some(&ReferenceLink::to(odata_id)) },
                    quote! {
                        ///
                        /// `odata_id` is the URL of the entity to link, e.g.
                        /// `https://graph.microsoft.com/beta/directoryObjects/{id}`.
                    },
                ),
            };
            quote! {
                #docs
                #link_doc
                pub fn #method(&self #parameter) -> Request<()> {
                    Request::new(self.transport().clone(), #http, format!("{}/$ref", self.path()), #body, no_content)
                }
            }
        }
        OperationKind::List => {
            let method = ident(method_name);
            let item = item_type(route, prefix);
            quote! {
                #docs
                pub fn #method(&self) -> ListRequest<#item> {
                    ListRequest::new(self.transport().clone(), self.path().to_owned())
                }
            }
        }
        // A file's content or a report: the client follows the redirect and answers the bytes.
        OperationKind::Get if route.download.is_some() => {
            call(route, method_name, parameter_struct, docs, prefix)
        }
        OperationKind::Get => {
            let method = ident(method_name);
            let ty = response_type.unwrap_or(quote!(serde_json::Value));
            // A property's primitive value (a chart's `image`) comes as `{"value": ...}`.
            let make = match route.response.as_ref().is_some_and(answered_as_value) {
                true => quote!(value),
                false => quote!(new),
            };
            quote! {
                #docs
                pub fn #method(&self) -> GetRequest<#ty> {
                    GetRequest::#make(self.transport().clone(), self.path().to_owned())
                }
            }
        }
        OperationKind::Delete => {
            let method = ident(method_name);
            quote! {
                #docs
                pub fn #method(&self) -> Request<()> {
                    Request::new(self.transport().clone(), Method::DELETE, self.path().to_owned(), None::<&()>, no_content)
                }
            }
        }
        OperationKind::Function if route.delta => {
            let method = ident(method_name);
            let item = item_type(route, prefix);
            let path = format!("{{}}/{}", route.name);
            quote! {
                #docs
                pub fn #method(&self) -> DeltaRequest<#item> {
                    DeltaRequest::new(self.transport().clone(), format!(#path, self.path()))
                }
            }
        }
        OperationKind::Action | OperationKind::Function => {
            call(route, method_name, parameter_struct, docs, prefix)
        }
        OperationKind::Create | OperationKind::Update => {
            let http = method_tokens(route);
            let method = ident(method_name);
            let body_type = match (&route.update_type, &route.request_type) {
                (Some(update), _) => {
                    let update = ident(update);
                    Some(quote!(#prefix #update))
                }
                (None, Some(ty)) => Some(rust_type(ty, false, false, prefix)),
                (None, None) => None,
            };
            let (parameter, body) = match &body_type {
                Some(ty) => (quote! { , body: &#ty }, quote! { Some(body) }),
                None => (quote! {}, quote! { None::<&()> }),
            };
            let (ty, decode) = match response_type {
                Some(ty) => (ty, quote!(json)),
                None => (quote!(()), quote!(no_content)),
            };
            quote! {
                #docs
                pub fn #method(&self #parameter) -> Request<#ty> {
                    Request::new(self.transport().clone(), #http, self.path().to_owned(), #body, #decode)
                }
            }
        }
    }
}

/// The type of one item of a collection answer (a list's, a delta function's).
fn item_type(route: &RouteIr, prefix: &TokenStream) -> TokenStream {
    route
        .response
        .as_ref()
        .map_or(quote!(serde_json::Value), |r| {
            rust_type(&r.ty, false, false, prefix)
        })
}

fn method_tokens(route: &RouteIr) -> TokenStream {
    let name = ident(route.method.as_str());
    quote!(Method::#name)
}

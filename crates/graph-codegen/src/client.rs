//! The client crate generator: prints the request-builder tree of the IR ([`crate::builders`])
//! as structs, one per URL prefix, whose methods are the navigation to the next prefix and the
//! operations at this one.

use graph_spec::{OperationKind, PermissionSet, Primitive};
use proc_macro2::TokenStream;
use quote::quote;

use crate::areas::Features;
use crate::builders::{BuilderIr, Edge};
use crate::ir::{FieldType, Ir, ResponseIr, RouteIr};
use crate::model::rust_type;
use crate::names::{self, ident};
use crate::render::{doc_attrs, doc_lines};

/// The client crate's `src/lib.rs`.
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

        #[rustfmt::skip]
        mod requests;

        pub use graph_client_runtime::{Batch, BatchAnswers, BatchItem, Bytes};
        pub use graph_client_runtime::{ClientBuilder, ClientCredentials, Error};
        pub use graph_client_runtime::{DeltaItem, DeltaPage, DeltaRequest, DeltaRound};
        pub use graph_client_runtime::{GetRequest, ListRequest, Request};
        pub use graph_client_runtime::{ResponseObserver, RetryPolicy, TokenProvider, Transport};
        pub use graph_model as model;
        pub use requests::*;
    }
}

/// The client crate's `src/requests.rs`: the request builders and the root `Client`.
pub fn requests_rs(ir: &Ir) -> TokenStream {
    let builders = ir
        .builders
        .iter()
        .enumerate()
        .map(|(i, node)| builder(ir, i, node));
    let default_url = format!("https://graph.microsoft.com/{}", ir.version);
    let default_doc = format!(
        " The service's `{}` API: what `Client::builder()` calls by default.",
        ir.version
    );
    quote! {
        //! The generated request builders, one per URL prefix.
        #![allow(clippy::too_many_lines, clippy::result_large_err, unused_imports)]

        use graph_client_runtime::codegen::{Method, ReferenceLink, bytes, encode_component, function_call, json, no_content, odata_literal, value, values};
        use graph_client_runtime::{Batch, Bytes, ClientBuilder, DeltaRequest, Error, GetRequest, ListRequest, Request, Transport};

        #[doc = #default_doc]
        pub const DEFAULT_BASE_URL: &str = #default_url;

        #(#builders)*
    }
}

fn builder(ir: &Ir, index: usize, node: &BuilderIr) -> TokenStream {
    let name = ident(&node.struct_name);
    let (operations, parameter_structs): (Vec<TokenStream>, Vec<TokenStream>) = node
        .routes
        .iter()
        .map(|&r| {
            let route = &ir.routes[r];
            let client = &route.client;
            let (method, parameters) =
                operation(route, &client.method, client.parameters_struct.as_deref());
            // Below the root a whole builder is its area's; the root's own calls each are.
            let features = match index {
                0 => Features::area(&route.feature),
                _ => Features::default(),
            };
            let cfg = features.cfg();
            (quote! { #cfg #method }, features.gate(parameters))
        })
        .unzip();
    let navigation: Vec<TokenStream> = node
        .children
        .values()
        .map(|&child| {
            let child = &ir.builders[child];
            let child_name = ident(&child.struct_name);
            let method = ident(&child.method);
            let (argument, path) = match &child.edge {
                Edge::Segment(segment) => (
                    quote! {},
                    quote! { format!("{}/{}", self.path(), #segment) },
                ),
                Edge::Key(parameter) => {
                    let argument = ident(&names::field_name(parameter));
                    (
                        quote! { , #argument: &str },
                        quote! { format!("{}/{}", self.path(), encode_component(#argument)) },
                    )
                }
                Edge::Cast(cast) => (quote! {}, quote! { format!("{}/{}", self.path(), #cast) }),
                Edge::Root => unreachable!("the root is nobody's child"),
            };
            let doc = doc_lines(&format!("Requests under `{}`.", child.template));
            let cfg = match index {
                0 => Features::area(&child.feature).cfg(),
                _ => TokenStream::new(),
            };
            quote! {
                #doc
                #cfg
                pub fn #method(&self #argument) -> #child_name {
                    #child_name { transport: self.transport().clone(), path: #path }
                }
            }
        })
        .collect();
    if index == 0 {
        return quote! {
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

                fn path(&self) -> &str {
                    ""
                }

                #(#navigation)*
                #(#operations)*
            }
        };
    }
    let doc = doc_lines(&format!("Requests under `{}`.", node.template));
    Features::area(&node.feature).gate(quote! {
        #(#parameter_structs)*

        #doc
        #[derive(Debug, Clone)]
        pub struct #name {
            transport: Transport,
            path: String,
        }

        impl #name {
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
    })
}

fn model_prefix() -> TokenStream {
    quote!(graph_model::)
}

fn permissions_line(label: &str, set: &PermissionSet) -> String {
    match set {
        PermissionSet::Scopes(scopes) => format!("{label}: {}", scopes.join(", ")),
        PermissionSet::NotSupported => format!("{label}: not supported"),
        PermissionSet::Undetermined => format!("{label}: not documented"),
    }
}

/// A route's method, and for an action or function with parameters, its parameters struct.
fn operation(
    route: &RouteIr,
    method_name: &str,
    parameter_struct: Option<&str>,
) -> (TokenStream, TokenStream) {
    let method = crud_or_call(route, method_name, parameter_struct);
    let parameters = parameter_struct
        .map(|name| parameters_struct(route, name))
        .unwrap_or_default();
    (method, parameters)
}

fn parameters_struct(route: &RouteIr, name: &str) -> TokenStream {
    let name = ident(name);
    let doc = doc_lines(&format!(
        "The parameters of `{} {}`.",
        route.method.as_str(),
        route.path
    ));
    let fields = route.parameters.iter().map(|p| {
        let field = ident(&p.rust_name);
        let json = &p.json_name;
        let ty = rust_type(&p.ty, p.collection, false, &model_prefix());
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
) -> TokenStream {
    let prefix = model_prefix();
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
        None => call_answer(route.response.as_ref(), &prefix),
    };
    // A report's rows as JSON rather than its CSV file.
    let json_variant = route
        .download
        .as_ref()
        .and_then(|d| d.json.as_ref())
        .map(|json| {
            let method = ident(&format!("{method_name}_json"));
            let (ty, decode) = call_answer(Some(json), &prefix);
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

/// The Rust type and decoder of an action's or function's answer.
fn call_answer(response: Option<&ResponseIr>, prefix: &TokenStream) -> (TokenStream, TokenStream) {
    match response {
        None => (quote!(()), quote!(no_content)),
        // Collections and primitives come back as `{"value": ...}`; a collection of a model
        // type is read as a page, whose decoding the model compiles (see its `page_from_json`).
        Some(ResponseIr {
            ty: ty @ (FieldType::Struct(_) | FieldType::Poly(_)),
            collection: true,
        }) => (rust_type(ty, true, false, prefix), quote!(values)),
        Some(ResponseIr { ty, collection })
            if *collection || !matches!(ty, FieldType::Struct(_) | FieldType::Poly(_)) =>
        {
            (rust_type(ty, *collection, false, prefix), quote!(value))
        }
        Some(ResponseIr { ty, .. }) => (rust_type(ty, false, false, prefix), quote!(json)),
    }
}

fn crud_or_call(route: &RouteIr, method_name: &str, parameter_struct: Option<&str>) -> TokenStream {
    let prefix = model_prefix();
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
        .map(|r| rust_type(&r.ty, r.collection, false, &prefix));
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
            let item = item_type(route);
            quote! {
                #docs
                pub fn #method(&self) -> ListRequest<#item> {
                    ListRequest::new(self.transport().clone(), self.path().to_owned())
                }
            }
        }
        // A file's content or a report: the client follows the redirect and answers the bytes.
        OperationKind::Get if route.download.is_some() => {
            call(route, method_name, parameter_struct, docs)
        }
        OperationKind::Get => {
            let method = ident(method_name);
            let ty = response_type.unwrap_or(quote!(serde_json::Value));
            quote! {
                #docs
                pub fn #method(&self) -> GetRequest<#ty> {
                    GetRequest::new(self.transport().clone(), self.path().to_owned())
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
            let item = item_type(route);
            let path = format!("{{}}/{}", route.name);
            quote! {
                #docs
                pub fn #method(&self) -> DeltaRequest<#item> {
                    DeltaRequest::new(self.transport().clone(), format!(#path, self.path()))
                }
            }
        }
        OperationKind::Action | OperationKind::Function => {
            call(route, method_name, parameter_struct, docs)
        }
        OperationKind::Create | OperationKind::Update => {
            let http = method_tokens(route);
            let method = ident(method_name);
            let body_type = match (&route.update_type, &route.request_type) {
                (Some(update), _) => {
                    let update = ident(update);
                    Some(quote!(#prefix #update))
                }
                (None, Some(ty)) => Some(rust_type(ty, false, false, &prefix)),
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
fn item_type(route: &RouteIr) -> TokenStream {
    route
        .response
        .as_ref()
        .map_or(quote!(serde_json::Value), |r| {
            rust_type(&r.ty, false, false, &model_prefix())
        })
}

fn method_tokens(route: &RouteIr) -> TokenStream {
    let name = ident(route.method.as_str());
    quote!(Method::#name)
}

//! The client crate generator: request builders that follow the shape of the URL.
//!
//! Every path prefix of an operation becomes a builder (`DeviceManagementRequest`,
//! `DeviceManagementDomainJoinConnectorsRequest`, `...ItemRequest`) reached from its parent by a
//! method named after the segment, `by_id(..)` for a key, or `as_<type>()` for a type cast. The
//! operations at a prefix become its methods: `list`, `create`, `get`, `update`, `delete`, and
//! actions and functions by name.

use std::collections::BTreeMap;

use graph_spec::{OperationKind, PermissionSet, Primitive, Segment};
use heck::{ToSnakeCase, ToUpperCamelCase};
use proc_macro2::TokenStream;
use quote::quote;

use crate::ir::{FieldType, Ir, RouteIr};
use crate::model::rust_type;
use crate::names::{self, Scope, ident};
use crate::render::{doc_attrs, doc_lines};

/// How a builder is reached from its parent.
#[derive(Debug, Clone, PartialEq, Eq)]
enum Edge {
    Root,
    Segment(String),
    Key(String),
    Cast(String),
}

/// One builder: a URL prefix.
#[derive(Debug)]
struct Node {
    edge: Edge,
    /// The method that reaches this node from its parent.
    method: String,
    parent: usize,
    struct_name: String,
    template: String,
    children: BTreeMap<String, usize>,
    routes: Vec<usize>,
}

/// The client's API: the builder tree, and the node and method name of every route. The
/// contract-test generator uses it to call the same methods a user would.
#[derive(Debug)]
pub struct ClientApi {
    nodes: Vec<Node>,
    routes: Vec<(usize, String)>,
    /// For each route, the parameters struct of an action or function that has parameters.
    parameter_structs: Vec<Option<String>>,
}

impl ClientApi {
    /// Builds the tree of `ir`'s routes and names every method, operations first.
    pub fn new(ir: &Ir) -> ClientApi {
        let mut nodes = tree(ir);
        let mut routes = vec![(0, String::new()); ir.routes.len()];
        for index in 0..nodes.len() {
            let mut scope = Scope::with_reserved(&["builder", "new", "path", "transport"]);
            for &r in &nodes[index].routes {
                routes[r] = (index, scope.claim(&wanted_method(&ir.routes[r])));
            }
            let children: Vec<usize> = nodes[index].children.values().copied().collect();
            for child in children {
                let wanted = match &nodes[child].edge {
                    Edge::Segment(segment) => names::field_name(segment),
                    Edge::Key(_) => "by_id".to_owned(),
                    Edge::Cast(cast) => format!(
                        "as_{}",
                        cast.rsplit('.').next().unwrap_or(cast).to_snake_case()
                    ),
                    Edge::Root => unreachable!("the root is nobody's child"),
                };
                nodes[child].method = scope.claim(&wanted);
            }
        }
        let reserved: Vec<&str> = nodes.iter().map(|n| n.struct_name.as_str()).collect();
        let mut struct_names = Scope::with_reserved(&reserved);
        let parameter_structs = ir
            .routes
            .iter()
            .zip(&routes)
            .map(|(route, (node, _))| {
                let callable =
                    matches!(route.kind, OperationKind::Action | OperationKind::Function);
                (callable && !route.parameters.is_empty()).then(|| {
                    let owner = nodes[*node].struct_name.trim_end_matches("Request");
                    let action = route
                        .name
                        .rsplit('.')
                        .next()
                        .unwrap_or(&route.name)
                        .to_upper_camel_case();
                    struct_names.claim(&format!("{owner}{action}Parameters"))
                })
            })
            .collect();
        ClientApi {
            nodes,
            routes,
            parameter_structs,
        }
    }

    /// The parameters struct of route `route`, if it is an action or function with parameters.
    pub fn parameter_struct(&self, route: usize) -> Option<&str> {
        self.parameter_structs[route].as_deref()
    }

    /// `client.a().b().by_id(k0).method` for route `route`, given one expression per key in
    /// the path (outermost first).
    pub fn call_chain(
        &self,
        route: usize,
        client: &TokenStream,
        keys: &[TokenStream],
    ) -> TokenStream {
        let (mut node, method) = (self.routes[route].0, &self.routes[route].1);
        let mut path = Vec::new();
        while node != 0 {
            path.push(node);
            node = self.nodes[node].parent;
        }
        let mut keys = keys.iter();
        let steps = path.iter().rev().map(|&n| {
            let method = ident(&self.nodes[n].method);
            match &self.nodes[n].edge {
                Edge::Key(_) => {
                    let key = keys.next().cloned().unwrap_or_else(|| quote!("missing"));
                    quote! { .#method(#key) }
                }
                _ => quote! { .#method() },
            }
        });
        let method = ident(method);
        quote! { #client #(#steps)* .#method }
    }
}

fn wanted_method(route: &RouteIr) -> String {
    match route.kind {
        OperationKind::List => "list".to_owned(),
        OperationKind::Get => "get".to_owned(),
        OperationKind::Delete => "delete".to_owned(),
        OperationKind::Create => "create".to_owned(),
        OperationKind::Update => "update".to_owned(),
        OperationKind::Action | OperationKind::Function => {
            names::field_name(route.name.rsplit('.').next().unwrap_or(&route.name))
        }
    }
}

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

        pub use graph_client_runtime::{ClientBuilder, Error, GetRequest, ListRequest, Request};
        pub use graph_client_runtime::{ResponseObserver, RetryPolicy, TokenProvider, Transport};
        pub use graph_model as model;
        pub use requests::*;
    }
}

/// The client crate's `src/requests.rs`: the request builders and the root `Client`.
pub fn requests_rs(ir: &Ir, api: &ClientApi) -> TokenStream {
    let builders = api
        .nodes
        .iter()
        .enumerate()
        .map(|(i, node)| builder(ir, api, i, node));
    quote! {
        //! The generated request builders, one per URL prefix.
        #![allow(clippy::too_many_lines, clippy::result_large_err, unused_imports)]

        use graph_client_runtime::codegen::{Method, encode_component, function_call, json, no_content, odata_literal, value};
        use graph_client_runtime::{ClientBuilder, DEFAULT_BASE_URL, Error, GetRequest, ListRequest, Request, Transport};

        #(#builders)*
    }
}

fn tree(ir: &Ir) -> Vec<Node> {
    let root = Node {
        edge: Edge::Root,
        method: String::new(),
        parent: 0,
        struct_name: "Client".into(),
        template: String::new(),
        children: BTreeMap::new(),
        routes: Vec::new(),
    };
    let mut nodes = vec![root];
    let mut names = Scope::with_reserved(&[
        "Client",
        "ClientBuilder",
        "Error",
        "GetRequest",
        "ListRequest",
        "Request",
        "Transport",
    ]);
    for (index, route) in ir.routes.iter().enumerate() {
        let mut segments = route.path.segments();
        if matches!(route.kind, OperationKind::Action | OperationKind::Function) {
            segments = segments.split_last().map_or(segments, |(_, rest)| rest);
        }
        let mut current = 0;
        let mut words = Vec::new();
        for segment in segments {
            let (key, edge, word) = match segment {
                Segment::Key(name) => ("{}".to_owned(), Edge::Key(name.clone()), "Item".to_owned()),
                Segment::Cast(qualified) => (
                    qualified.clone(),
                    Edge::Cast(qualified.clone()),
                    format!(
                        "As{}",
                        segment
                            .cast_type()
                            .unwrap_or(qualified)
                            .to_upper_camel_case()
                    ),
                ),
                // A function call inside a path is navigated by its name; its arguments are
                // not modelled yet.
                Segment::Literal(name) | Segment::Function { name, .. } => (
                    name.clone(),
                    Edge::Segment(name.clone()),
                    name.to_upper_camel_case(),
                ),
            };
            words.push(word);
            let template = format!("{}/{segment}", nodes[current].template);
            current = match nodes[current].children.get(&key) {
                Some(&child) => child,
                None => {
                    let struct_name = names.claim(&format!("{}Request", words.concat()));
                    let parent = current;
                    nodes.push(Node {
                        edge,
                        method: String::new(),
                        parent,
                        struct_name,
                        template,
                        children: BTreeMap::new(),
                        routes: Vec::new(),
                    });
                    let child = nodes.len() - 1;
                    nodes[parent].children.insert(key, child);
                    child
                }
            };
        }
        nodes[current].routes.push(index);
    }
    nodes
}

fn builder(ir: &Ir, api: &ClientApi, index: usize, node: &Node) -> TokenStream {
    let name = ident(&node.struct_name);
    let (operations, parameter_structs): (Vec<TokenStream>, Vec<TokenStream>) = node
        .routes
        .iter()
        .map(|&r| operation(&ir.routes[r], &api.routes[r].1, api.parameter_struct(r)))
        .unzip();
    let navigation: Vec<TokenStream> = node
        .children
        .values()
        .map(|&child| {
            let child = &api.nodes[child];
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
            quote! {
                #doc
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
                /// A builder with the defaults: the real service's URL, no token, 4 attempts,
                /// 30 s timeout.
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

                fn path(&self) -> &str {
                    ""
                }

                #(#navigation)*
                #(#operations)*
            }
        };
    }
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
    } else {
        quote! { format!("{}/{}", self.path(), #name) }
    };
    let (http, body) = match (function, parameter_struct) {
        (true, _) => (quote!(Method::GET), quote!(None::<&()>)),
        (false, Some(_)) => (quote!(Method::POST), quote!(Some(parameters))),
        (false, None) => (quote!(Method::POST), quote!(None::<&()>)),
    };
    let (ty, decode) = match route.response_type.as_ref().filter(|_| route.status != 204) {
        None => (quote!(()), quote!(no_content)),
        // Collections and primitives come back as `{"value": ...}`.
        Some((ty, collection))
            if *collection || !matches!(ty, FieldType::Struct(_) | FieldType::Poly(_)) =>
        {
            (rust_type(ty, *collection, false, &prefix), quote!(value))
        }
        Some((ty, _)) => (rust_type(ty, false, false, &prefix), quote!(json)),
    };
    quote! {
        #docs
        pub fn #method(&self #argument) -> Request<#ty> {
            Request::new(self.transport().clone(), #http, #path, #body, #decode)
        }
    }
}

fn crud_or_call(route: &RouteIr, method_name: &str, parameter_struct: Option<&str>) -> TokenStream {
    let prefix = model_prefix();
    let graph_docs = doc_attrs(&format!("{}\n\n{}", route.summary, route.description));
    let reference = doc_lines(&format!(
        "\n`{} {}` (success: {}).\n\nPermissions (least privileged first): {}; {}.",
        route.method.as_str(),
        route.path,
        route.status,
        permissions_line("delegated", &route.delegated),
        permissions_line("application", &route.application),
    ));
    let docs = quote! { #graph_docs #reference };
    let response = route.response_type.as_ref().filter(|_| route.status != 204);
    let response_type = response.map(|(ty, collection)| rust_type(ty, *collection, false, &prefix));
    match route.kind {
        OperationKind::List => {
            let method = ident(method_name);
            let item = route
                .response_type
                .as_ref()
                .map_or(quote!(serde_json::Value), |(ty, _)| {
                    rust_type(ty, false, false, &prefix)
                });
            quote! {
                #docs
                pub fn #method(&self) -> ListRequest<#item> {
                    ListRequest::new(self.transport().clone(), self.path().to_owned())
                }
            }
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

fn method_tokens(route: &RouteIr) -> TokenStream {
    let name = ident(route.method.as_str());
    quote!(Method::#name)
}

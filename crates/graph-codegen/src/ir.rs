//! The typed intermediate representation between the spec and the generators.
//!
//! Everything the generators need to decide is decided here, once: Rust names (with clashes
//! resolved), field types, which types are polymorphic, which fields must be boxed to break
//! recursion and which types need an update (PATCH) struct. The generators only print.

use std::collections::{BTreeMap, BTreeSet};

use graph_spec::{
    Example, Hierarchy, HttpMethod, OperationKind, PathTemplate, PermissionSet, Primitive, Segment,
    Spec, TypeRef,
};

use heck::ToSnakeCase;

use crate::areas::{self, Features};
use crate::builders::{self, BuilderIr, ClientMethodIr};
use crate::names::{self, Scope};

/// Names that generated code uses unqualified (the prelude, and its imports from serde_json and
/// graph_odata), which Graph type names must therefore not take.
const RESERVED_TYPE_NAMES: &[&str] = &[
    "Box",
    "Clone",
    "CollectionPage",
    "DateTimeOffset",
    "Debug",
    "DecodeError",
    "Default",
    "Err",
    "Flags",
    "From",
    "GraphType",
    "Map",
    "None",
    "ODataError",
    "Ok",
    "OpenEnum",
    "Option",
    "PartialEq",
    "Patch",
    "Result",
    "Schema",
    "Self",
    "Some",
    "String",
    "Value",
    "Vec",
    "Violation",
    "ViolationKind",
];

/// The whole IR.
#[derive(Debug)]
pub struct Ir {
    /// The OData namespace.
    pub namespace: String,
    /// The API version, `beta` or `v1.0`.
    pub version: String,
    /// One struct per spec type, sorted by Graph name.
    pub structs: Vec<StructIr>,
    /// One enum per spec enum, sorted by Graph name.
    pub enums: Vec<EnumIr>,
    /// One polymorphic wrapper per type that has derived types.
    pub polymorphic: Vec<PolyIr>,
    /// One entry per operation and path, in spec order.
    pub routes: Vec<RouteIr>,
    /// The cargo feature of every area, sorted: see [`crate::areas`].
    pub features: Vec<String>,
    /// The client's request builders, the root (`Client`) first.
    pub builders: Vec<BuilderIr>,
}

/// One operation reachable by one path: what the server routes and the client calls.
#[derive(Debug)]
pub struct RouteIr {
    /// The index of its operation in the spec.
    pub operation: usize,
    /// Whether this is the operation's first (canonical) path.
    pub primary: bool,
    /// A unique SCREAMING_SNAKE name, e.g. `DEVICE_MANAGEMENT_DOMAIN_JOIN_CONNECTORS_CREATE`.
    pub const_name: String,
    /// What it does.
    pub kind: OperationKind,
    /// The action or function name.
    pub name: String,
    /// Whether it is a collection's `delta` function (change tracking, round by round).
    pub delta: bool,
    /// Whether it is a `$ref` operation ([`graph_spec::Operation::reference`]): sent to the path
    /// plus `/$ref`, with an `@odata.id` link for a body.
    pub reference: bool,
    /// The method.
    pub method: HttpMethod,
    /// The path template.
    pub path: PathTemplate,
    /// The path with captures named by position (`{p0}`, `{p1}`), for the router; a function
    /// segment is routed by its name (the mock splits the arguments off before routing).
    pub route_path: String,
    /// The cargo feature of its area.
    pub feature: String,
    /// The Graph name of the type the operation is about (body, response, or a sibling
    /// operation's).
    pub entity_type: Option<String>,
    /// The Rust struct of `entity_type`, when it is a documented type.
    pub entity_struct: Option<String>,
    /// The documented success status.
    pub status: u16,
    /// Delegated (work or school) permissions.
    pub delegated: PermissionSet,
    /// Application permissions.
    pub application: PermissionSet,
    /// The page title.
    pub summary: String,
    /// The page description.
    pub description: String,
    /// The request body's Rust type (create: the entity or its `Any` wrapper).
    pub request_type: Option<FieldType>,
    /// The update struct, for update operations.
    pub update_type: Option<String>,
    /// The response body, `None` when there is none (a 204 has none, whatever the page says).
    pub response: Option<ResponseIr>,
    /// A download's answers (`302 Found` to a file); `None` for other operations.
    pub download: Option<DownloadIr>,
    /// The parameters of an action or function.
    pub parameters: Vec<FieldIr>,
    /// Where the client has this route.
    pub client: ClientMethodIr,
    /// The doc examples, on the operation's primary route (none on its other paths).
    pub examples: Vec<Example>,
}

impl RouteIr {
    /// The Rust names of the model items its request method names: bodies, answers,
    /// parameters and the update struct.
    pub fn named_items(&self) -> impl Iterator<Item = &str> {
        let answers = (self.response.iter().map(|r| &r.ty)).chain(
            self.download
                .iter()
                .filter_map(|d| d.json.as_ref().map(|r| &r.ty)),
        );
        (self.request_type.iter())
            .chain(answers)
            .chain(self.parameters.iter().map(|p| &p.ty))
            .filter_map(FieldType::item_name)
            .chain(self.update_type.as_deref())
    }
}

/// A response body.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ResponseIr {
    /// The element type.
    pub ty: FieldType,
    /// A collection (`{"value": [...]}`) of it.
    pub collection: bool,
}

/// A download: the operation answers `302 Found` to a file, whose content the client returns.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DownloadIr {
    /// The CSV file's documented column headers.
    pub csv_columns: Vec<String>,
    /// The answer to `$format=application/json`, where the doc documents one.
    pub json: Option<ResponseIr>,
}

/// A generated struct.
#[derive(Debug)]
pub struct StructIr {
    /// The Graph name.
    pub graph_name: String,
    /// The Rust name.
    pub rust_name: String,
    /// The Rust name of its update struct, when some update operation takes this type.
    pub update_name: Option<String>,
    /// The doc text.
    pub doc: String,
    /// Fields, inherited first.
    pub fields: Vec<FieldIr>,
    /// Abstract in the spec.
    pub is_abstract: bool,
    /// Some operation answers a collection of it (a list, or an action's `{"value": [...]}`).
    pub listed: bool,
    /// The features that compile it.
    pub features: Features,
    /// No page documents it: generated as an alias of `serde_json::Value`.
    pub undocumented: bool,
}

/// A struct field.
#[derive(Debug)]
pub struct FieldIr {
    /// The JSON name.
    pub json_name: String,
    /// The Rust name (possibly `r#type`).
    pub rust_name: String,
    /// The element type.
    pub ty: FieldType,
    /// A JSON array.
    pub collection: bool,
    /// Boxed to break a recursive type.
    pub boxed: bool,
    /// The docs call it write-only: answers mask it or leave it out, never echo it.
    pub write_only: bool,
    /// The doc text.
    pub doc: String,
}

/// What a field holds.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum FieldType {
    /// A primitive.
    Primitive(Primitive),
    /// A generated enum (its Rust name), possibly a flags enum.
    Enum {
        /// The Rust name.
        rust_name: String,
        /// Comma-separated members.
        flags: bool,
    },
    /// A generated struct (its Rust name).
    Struct(String),
    /// A polymorphic wrapper (its Rust name).
    Poly(String),
    /// Untyped JSON, for undocumented types.
    Json,
}

impl FieldType {
    /// The Rust name of the model item it names, if any.
    pub fn item_name(&self) -> Option<&str> {
        match self {
            FieldType::Struct(name) | FieldType::Poly(name) => Some(name),
            FieldType::Enum { rust_name, .. } => Some(rust_name),
            FieldType::Primitive(_) | FieldType::Json => None,
        }
    }
}

/// A generated enum.
#[derive(Debug)]
pub struct EnumIr {
    /// The Graph name.
    pub graph_name: String,
    /// The Rust name.
    pub rust_name: String,
    /// The doc text.
    pub doc: String,
    /// The members.
    pub members: Vec<MemberIr>,
    /// The catch-all variant's name.
    pub unknown_variant: String,
    /// A flags enum.
    pub is_flags: bool,
    /// The features that compile it.
    pub features: Features,
}

/// An enum member.
#[derive(Debug)]
pub struct MemberIr {
    /// The JSON name.
    pub json_name: String,
    /// The variant name.
    pub variant: String,
    /// The doc text.
    pub doc: String,
}

/// A polymorphic wrapper: the base type or any type derived from it, chosen by `@odata.type`.
#[derive(Debug)]
pub struct PolyIr {
    /// The base type's Graph name.
    pub base_graph_name: String,
    /// The wrapper's Rust name, `Any<Base>`.
    pub rust_name: String,
    /// The base type's struct name (the fallback variant).
    pub base_struct: String,
    /// `(graph name, struct name)` of the base and every derived type, base first.
    pub variants: Vec<(String, String)>,
    /// Some operation answers a collection of it (a list, or an action's `{"value": [...]}`).
    pub listed: bool,
    /// The features that compile it: those of its base type.
    pub features: Features,
}

impl Ir {
    /// Builds the IR of a (validated) spec.
    pub fn build(spec: &Spec) -> Ir {
        let mut scope = Scope::with_reserved(RESERVED_TYPE_NAMES);
        let struct_names: BTreeMap<&str, String> = spec
            .types
            .keys()
            .map(|n| (n.as_str(), scope.claim(&names::type_name(n))))
            .collect();
        let enum_names: BTreeMap<&str, String> = spec
            .enums
            .keys()
            .map(|n| (n.as_str(), scope.claim(&names::type_name(n))))
            .collect();
        let hierarchy = Hierarchy::new(spec);
        let poly_bases: BTreeSet<&str> = spec
            .types
            .iter()
            .filter(|(name, def)| {
                !def.undocumented && !hierarchy.documented_derived(name).is_empty()
            })
            .map(|(name, _)| name.as_str())
            .collect();
        let poly_names: BTreeMap<&str, String> = poly_bases
            .iter()
            .map(|n| (*n, scope.claim(&format!("Any{}", names::type_name(n)))))
            .collect();
        let updated: BTreeSet<&str> = spec
            .operations
            .iter()
            .filter(|op| op.kind == OperationKind::Update && !op.reference)
            .filter_map(|op| graph_spec::entity_type(&spec.types, &spec.operations, op))
            .collect();
        let update_names: BTreeMap<&str, String> = updated
            .iter()
            .filter(|n| spec.types.get(**n).is_some_and(|t| !t.undocumented))
            .map(|n| (*n, scope.claim(&format!("{}Update", names::type_name(n)))))
            .collect();

        let field_type = |type_ref: &TypeRef| -> FieldType {
            match type_ref {
                TypeRef::Primitive(p) => FieldType::Primitive(*p),
                TypeRef::Named(name) => {
                    if let Some(rust_name) = enum_names.get(name.as_str()) {
                        let flags = spec.enums[name].is_flags;
                        FieldType::Enum {
                            rust_name: rust_name.clone(),
                            flags,
                        }
                    } else if spec.types.get(name).is_none_or(|t| t.undocumented) {
                        FieldType::Json
                    } else if let Some(poly) = poly_names.get(name.as_str()) {
                        FieldType::Poly(poly.clone())
                    } else {
                        FieldType::Struct(struct_names[name.as_str()].clone())
                    }
                }
            }
        };
        let recursion = Recursion::new(spec, &hierarchy);
        let mut routes = routes(spec, &struct_names, &update_names, &field_type);
        let mut operation_features = vec![BTreeSet::new(); spec.operations.len()];
        for route in &routes {
            operation_features[route.operation].insert(route.feature.clone());
        }
        let type_features = areas::type_features(spec, &hierarchy, &operation_features);
        let features_of = |name: &str| type_features.get(name).cloned().unwrap_or_default();
        let listed = listed_types(&routes);

        let structs = spec
            .types
            .iter()
            .map(|(name, def)| {
                let mut fields_scope = Scope::with_reserved(&["odata_type", "additional_data"]);
                let fields = spec
                    .all_properties(name)
                    .into_iter()
                    .map(|p| FieldIr {
                        json_name: p.name.clone(),
                        rust_name: fields_scope.claim(&names::field_name(&p.name)),
                        ty: field_type(&p.type_ref),
                        collection: p.collection,
                        boxed: !p.collection
                            && p.type_ref
                                .named()
                                .is_some_and(|t| recursion.reaches(t, name)),
                        write_only: p.write_only.is_some(),
                        doc: p.description.clone(),
                    })
                    .collect();
                StructIr {
                    graph_name: name.clone(),
                    rust_name: struct_names[name.as_str()].clone(),
                    update_name: update_names.get(name.as_str()).cloned(),
                    doc: def.description.clone(),
                    fields,
                    is_abstract: def.is_abstract,
                    listed: listed.contains(struct_names[name.as_str()].as_str()),
                    features: features_of(name),
                    undocumented: def.undocumented,
                }
            })
            .collect();

        let enums = spec
            .enums
            .iter()
            .map(|(name, def)| {
                let mut variants = Scope::default();
                let members: Vec<MemberIr> = def
                    .members
                    .iter()
                    .map(|m| MemberIr {
                        json_name: m.name.clone(),
                        variant: variants.claim(&names::variant_name(&m.name)),
                        doc: m.description.clone(),
                    })
                    .collect();
                EnumIr {
                    graph_name: name.clone(),
                    rust_name: enum_names[name.as_str()].clone(),
                    doc: def.description.clone(),
                    members,
                    unknown_variant: variants.claim("Unrecognized"),
                    is_flags: def.is_flags,
                    features: features_of(name),
                }
            })
            .collect();

        let polymorphic = poly_bases
            .iter()
            .map(|base| {
                let variants = std::iter::once(*base)
                    .chain(hierarchy.documented_derived(base).iter().copied())
                    .map(|t| (t.to_owned(), struct_names[t].clone()))
                    .collect();
                PolyIr {
                    base_graph_name: (*base).to_owned(),
                    rust_name: poly_names[base].clone(),
                    base_struct: struct_names[base].clone(),
                    variants,
                    listed: listed.contains(poly_names[base].as_str()),
                    features: features_of(base),
                }
            })
            .collect();

        let (builders, methods) = builders::build(&routes);
        for (route, client) in routes.iter_mut().zip(methods) {
            route.client = client;
        }
        Ir {
            namespace: spec.namespace.clone(),
            version: spec.version.clone(),
            structs,
            enums,
            polymorphic,
            features: routes
                .iter()
                .map(|r| r.feature.clone())
                .collect::<BTreeSet<_>>()
                .into_iter()
                .collect(),
            routes,
            builders,
        }
    }
}

/// The Rust names of the structs and wrappers some route answers a collection of.
fn listed_types(routes: &[RouteIr]) -> BTreeSet<&str> {
    let answers = routes.iter().flat_map(|route| {
        let download = route.download.as_ref().and_then(|d| d.json.as_ref());
        route.response.iter().chain(download)
    });
    answers
        .filter(|answer| answer.collection)
        .filter_map(|answer| match &answer.ty {
            FieldType::Struct(name) | FieldType::Poly(name) => Some(name.as_str()),
            _ => None,
        })
        .collect()
}

/// One route per operation and path.
fn routes(
    spec: &Spec,
    struct_names: &BTreeMap<&str, String>,
    update_names: &BTreeMap<&str, String>,
    field_type: &dyn Fn(&TypeRef) -> FieldType,
) -> Vec<RouteIr> {
    let mut scope = Scope::default();
    let mut routes = Vec::new();
    for (operation, op) in spec.operations.iter().enumerate() {
        let entity_type =
            graph_spec::entity_type(&spec.types, &spec.operations, op).map(str::to_owned);
        for (path_index, path) in op.paths.iter().enumerate() {
            let words: Vec<String> = path
                .segments()
                .iter()
                .filter_map(|segment| match segment {
                    Segment::Literal(name) | Segment::Function { name, .. } => Some(name),
                    Segment::Key(_) | Segment::Cast(_) => None,
                })
                .map(|s| s.to_snake_case().to_uppercase())
                .collect();
            let kind = match op.kind {
                OperationKind::Action | OperationKind::Function => "CALL",
                OperationKind::Create => "CREATE",
                OperationKind::List => "LIST",
                OperationKind::Get => "GET",
                OperationKind::Update => "UPDATE",
                OperationKind::Delete => "DELETE",
            };
            let const_name = scope.claim(&format!("{}_{kind}", words.join("_")));
            let route_path = path.route();
            let feature = areas::feature_of(path.segments());
            routes.push(RouteIr {
                operation,
                primary: path_index == 0,
                const_name,
                kind: op.kind,
                name: op.name.clone(),
                delta: op.delta_of().is_some(),
                reference: op.reference,
                method: op.method,
                path: path.clone(),
                route_path,
                feature,
                entity_struct: entity_type
                    .as_deref()
                    .filter(|t| !spec.types[*t].undocumented)
                    .and_then(|t| struct_names.get(t))
                    .cloned(),
                entity_type: entity_type.clone(),
                status: op.response.status,
                delegated: op.permissions.delegated_work.clone(),
                application: op.permissions.application.clone(),
                summary: op.summary.clone(),
                description: op.description.clone(),
                request_type: op.request_body.as_ref().map(|b| field_type(&b.type_ref)),
                update_type: entity_type
                    .as_deref()
                    .filter(|_| op.kind == OperationKind::Update && !op.reference)
                    .and_then(|n| update_names.get(n).cloned()),
                response: op
                    .response
                    .body
                    .as_ref()
                    .filter(|_| op.response.status != 204)
                    .map(|b| ResponseIr {
                        ty: field_type(&b.type_ref),
                        collection: b.collection,
                    }),
                download: op.response.download.as_ref().map(|d| DownloadIr {
                    csv_columns: d.csv_columns.clone(),
                    json: d.json.as_ref().map(|b| ResponseIr {
                        ty: field_type(&b.type_ref),
                        collection: b.collection,
                    }),
                }),
                parameters: {
                    let mut names = Scope::default();
                    op.parameters
                        .iter()
                        .map(|p| FieldIr {
                            json_name: p.name.clone(),
                            rust_name: names.claim(&names::field_name(&p.name)),
                            ty: field_type(&p.type_ref),
                            collection: p.collection,
                            boxed: false,
                            write_only: p.write_only.is_some(),
                            doc: p.description.clone(),
                        })
                        .collect()
                },
                client: ClientMethodIr::default(),
                examples: if path_index == 0 {
                    op.examples.clone()
                } else {
                    Vec::new()
                },
            });
        }
    }
    routes
}

/// Which structured types contain which others through single-valued fields, to find the
/// fields that make a type infinitely large unless boxed.
struct Recursion<'a> {
    edges: BTreeMap<&'a str, BTreeSet<&'a str>>,
    hierarchy: &'a Hierarchy<'a>,
}

impl<'a> Recursion<'a> {
    fn new(spec: &'a Spec, hierarchy: &'a Hierarchy<'a>) -> Recursion<'a> {
        let mut edges: BTreeMap<&str, BTreeSet<&str>> = BTreeMap::new();
        for name in spec.types.keys() {
            let targets = spec
                .all_properties(name)
                .into_iter()
                .filter(|p| !p.collection)
                .filter_map(|p| p.type_ref.named())
                .filter(|t| spec.types.contains_key(*t))
                // A polymorphic field holds any derived type too.
                .flat_map(|t| std::iter::once(t).chain(hierarchy.derived(t).iter().copied()))
                .collect();
            edges.insert(name, targets);
        }
        Recursion { edges, hierarchy }
    }

    /// Whether a field of type `from` (which may hold any type derived from it) contains `to`,
    /// directly or not, through single-valued fields.
    fn reaches(&self, from: &str, to: &str) -> bool {
        let mut seen = BTreeSet::new();
        let mut pending: Vec<&str> = std::iter::once(from)
            .chain(self.hierarchy.derived(from).iter().copied())
            .collect();
        while let Some(current) = pending.pop() {
            if current == to {
                return true;
            }
            if seen.insert(current) {
                pending.extend(self.edges.get(current).into_iter().flatten().copied());
            }
        }
        false
    }
}

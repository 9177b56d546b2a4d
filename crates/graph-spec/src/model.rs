//! The serde types of the spec.
//!
//! Maps are `BTreeMap`s and lists are kept in doc order (or sorted by the importer), so that the
//! same spec always serialises to the same bytes. Optional and empty fields are skipped on output
//! to keep `spec/*.json` readable.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};
use serde_json::Value;

pub use graph_odata::WriteOnly;
use graph_odata::{EnumShape, PropertyShape, Schema, TypeShape};

use crate::path::PathTemplate;
use crate::type_ref::TypeRef;

/// The version of a spec that names none: the API the project started from.
fn default_version() -> String {
    "beta".to_owned()
}

/// A whole spec: everything the generators need, and nothing about Markdown.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Spec {
    /// The OData namespace of every name, e.g. `microsoft.graph`.
    pub namespace: String,
    /// The API version the pages document, `beta` or `v1.0`: the mock serves it and the client
    /// calls it by default.
    #[serde(default = "default_version")]
    pub version: String,
    /// Entity and complex types by Graph name.
    #[serde(default)]
    pub types: BTreeMap<String, TypeDef>,
    /// Enums by Graph name.
    #[serde(default)]
    pub enums: BTreeMap<String, EnumDef>,
    /// Operations, sorted by their first path and then by method.
    #[serde(default)]
    pub operations: Vec<Operation>,
}

impl Spec {
    /// An empty spec in the `microsoft.graph` namespace.
    pub fn new() -> Spec {
        Spec {
            namespace: "microsoft.graph".to_owned(),
            version: default_version(),
            ..Spec::default()
        }
    }

    /// The `@odata.type` value of a type: `#microsoft.graph.<name>`.
    pub fn odata_type(&self, name: &str) -> String {
        format!("#{}.{}", self.namespace, name)
    }

    /// The chain from `name` up to its root base type, `name` first. Stops at a missing base or
    /// a cycle, which [`crate::validate()`] reports.
    pub fn ancestry<'a>(&'a self, name: &'a str) -> Vec<&'a str> {
        let mut chain = vec![name];
        let mut current = name;
        while let Some(base) = self.types.get(current).and_then(|t| t.base_type.as_deref()) {
            if chain.contains(&base) || !self.types.contains_key(base) {
                break;
            }
            chain.push(base);
            current = base;
        }
        chain
    }

    /// The runtime schema: the type system alone, without docs, examples or sources, as the
    /// generated model crate embeds it.
    pub fn schema(&self) -> Schema {
        Schema {
            namespace: self.namespace.clone(),
            types: self
                .types
                .iter()
                .map(|(name, t)| {
                    let shape = TypeShape {
                        base: t.base_type.clone(),
                        open: t.undocumented,
                        properties: t.properties.iter().map(Property::shape).collect(),
                        navigation: t
                            .navigation_properties
                            .iter()
                            .map(|n| PropertyShape {
                                name: n.name.clone(),
                                type_ref: n.type_ref.clone(),
                                collection: n.collection,
                                select_only: false,
                                write_only: None,
                            })
                            .collect(),
                    };
                    (name.clone(), shape)
                })
                .collect(),
            enums: self
                .enums
                .iter()
                .map(|(name, e)| {
                    let shape = EnumShape {
                        members: e.members.iter().map(|m| m.name.clone()).collect(),
                        flags: e.is_flags,
                    };
                    (name.clone(), shape)
                })
                .collect(),
        }
    }

    /// Every structural property of a type, inherited ones first (root base type first).
    pub fn all_properties<'a>(&'a self, name: &'a str) -> Vec<&'a Property> {
        self.ancestry(name)
            .into_iter()
            .rev()
            .filter_map(|t| self.types.get(t))
            .flat_map(|t| t.properties.iter())
            .collect()
    }

    /// Every navigation property of a type, inherited ones first.
    pub fn all_navigation_properties<'a>(&'a self, name: &'a str) -> Vec<&'a NavigationProperty> {
        self.ancestry(name)
            .into_iter()
            .rev()
            .filter_map(|t| self.types.get(t))
            .flat_map(|t| t.navigation_properties.iter())
            .collect()
    }
}

/// Which types derive from which, for a whole spec at once: asking the spec type by type would
/// walk every type's ancestry per question, which is quadratic on thousands of types.
#[derive(Debug, Clone)]
pub struct Hierarchy<'a> {
    derived: BTreeMap<&'a str, Vec<&'a str>>,
    documented: BTreeMap<&'a str, Vec<&'a str>>,
}

impl<'a> Hierarchy<'a> {
    /// The hierarchy of `spec`'s types.
    pub fn new(spec: &'a Spec) -> Hierarchy<'a> {
        let mut derived: BTreeMap<&str, Vec<&str>> = BTreeMap::new();
        let mut documented: BTreeMap<&str, Vec<&str>> = BTreeMap::new();
        // Types in name order, so every list comes out sorted.
        for (name, def) in &spec.types {
            for ancestor in spec.ancestry(name).into_iter().skip(1) {
                derived.entry(ancestor).or_default().push(name);
                if !def.undocumented {
                    documented.entry(ancestor).or_default().push(name);
                }
            }
        }
        Hierarchy {
            derived,
            documented,
        }
    }

    /// The types that derive from `name`, directly or not, sorted by name.
    pub fn derived(&self, name: &str) -> &[&'a str] {
        self.derived.get(name).map_or(&[], Vec::as_slice)
    }

    /// The documented ones among [`Hierarchy::derived`]: undocumented types (known only from
    /// examples) read as their base type, whose `additional_data` keeps their extra properties.
    pub fn documented_derived(&self, name: &str) -> &[&'a str] {
        self.documented.get(name).map_or(&[], Vec::as_slice)
    }
}

/// Where something came from in the docs: a file and a 1-based line.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash, Default, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Source {
    /// The page's path as the import was given it (relative to the workspace or `--docs` root).
    pub file: String,
    /// The 1-based line.
    pub line: u32,
}

impl std::fmt::Display for Source {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}:{}", self.file, self.line)
    }
}

/// Whether a structured type has identity (an entity) or is a value (a complex type).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub enum TypeKind {
    /// Has a key and lives in an entity set or a navigation property.
    Entity,
    /// A structured value without identity.
    Complex,
}

/// An entity or complex type.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub struct TypeDef {
    /// Entity or complex.
    pub kind: TypeKind,
    /// The type this one inherits from; its properties are not repeated here.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub base_type: Option<String>,
    /// An abstract type is never instantiated itself, only through derived types.
    #[serde(default, skip_serializing_if = "is_false")]
    pub is_abstract: bool,
    /// The key property of an entity (`id` in Graph).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub key_property: Option<String>,
    /// The doc description.
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub description: String,
    /// The type's own structural properties, in doc order.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub properties: Vec<Property>,
    /// The type's own navigation properties (the Relationships table), in doc order.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub navigation_properties: Vec<NavigationProperty>,
    /// True when no page documents this type: it is only known from links to it, so it is
    /// generated as an open type that keeps whatever JSON it is given.
    #[serde(default, skip_serializing_if = "is_false")]
    pub undocumented: bool,
    /// The page that defines the type.
    pub source: Source,
}

/// A structural property of a type, or a parameter of an action or function.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub struct Property {
    /// The JSON name, e.g. `lastConnectionDateTime`.
    pub name: String,
    /// The element type.
    #[serde(rename = "type")]
    pub type_ref: TypeRef,
    /// A JSON array of `type`.
    #[serde(default, skip_serializing_if = "is_false")]
    pub collection: bool,
    /// Whether `null` is a valid value. Graph docs rarely say; keys and collections are not.
    #[serde(default, skip_serializing_if = "is_false")]
    pub nullable: bool,
    /// The doc marks it read-only: the service sets it, writes are ignored.
    #[serde(default, skip_serializing_if = "is_false")]
    pub read_only: bool,
    /// The doc says it is "Returned only on `$select`": an answer leaves it out unless the
    /// request's `$select` names it.
    #[serde(default, skip_serializing_if = "is_false")]
    pub select_only: bool,
    /// The doc calls it write-only ("This is write-only. A read operation will return ****",
    /// "It is not returned in the responses"): answers mask it or leave it out.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub write_only: Option<WriteOnly>,
    /// The doc description.
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub description: String,
}

impl Property {
    /// The property as the runtime schema holds it.
    pub fn shape(&self) -> PropertyShape {
        PropertyShape {
            name: self.name.clone(),
            type_ref: self.type_ref.clone(),
            collection: self.collection,
            select_only: self.select_only,
            write_only: self.write_only.clone(),
        }
    }
}

/// A navigation property: a relationship to other entities.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub struct NavigationProperty {
    /// The JSON and path name, e.g. `assignments`.
    pub name: String,
    /// The target entity type.
    #[serde(rename = "type")]
    pub type_ref: TypeRef,
    /// Many targets or one.
    #[serde(default, skip_serializing_if = "is_false")]
    pub collection: bool,
    /// The doc description.
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub description: String,
}

/// An enum type.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub struct EnumDef {
    /// The doc description.
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub description: String,
    /// A flags enum: JSON values are comma-separated member lists (`"a,b"`).
    #[serde(default, skip_serializing_if = "is_false")]
    pub is_flags: bool,
    /// The members, in doc order.
    pub members: Vec<EnumMember>,
    /// True when no enum page was read and the members come from a "Possible values are" list.
    #[serde(default, skip_serializing_if = "is_false")]
    pub inferred: bool,
    /// The page that defines the enum.
    pub source: Source,
}

/// One member of an enum.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub struct EnumMember {
    /// The JSON name, e.g. `active`.
    pub name: String,
    /// The numeric value.
    pub value: i64,
    /// The doc description.
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub description: String,
}

/// The HTTP methods Graph operations use.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "UPPERCASE")]
pub enum HttpMethod {
    /// Read.
    Get,
    /// Create, or invoke an action.
    Post,
    /// Partial update.
    Patch,
    /// Replace.
    Put,
    /// Remove.
    Delete,
}

impl HttpMethod {
    /// The upper-case method name.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Get => "GET",
            Self::Post => "POST",
            Self::Patch => "PATCH",
            Self::Put => "PUT",
            Self::Delete => "DELETE",
        }
    }

    /// Parses an upper-case method name.
    pub fn parse(text: &str) -> Option<HttpMethod> {
        [Self::Get, Self::Post, Self::Patch, Self::Put, Self::Delete]
            .into_iter()
            .find(|m| m.as_str() == text)
    }
}

impl std::fmt::Display for HttpMethod {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

/// What an operation does, which decides how the mock serves it and how the client names it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub enum OperationKind {
    /// POST to a collection: add an entity.
    Create,
    /// GET a collection.
    List,
    /// GET one entity or singleton.
    Get,
    /// PATCH (or PUT) one entity or singleton.
    Update,
    /// DELETE one entity.
    Delete,
    /// POST to a bound action, e.g. `/assign`.
    Action,
    /// GET a bound function, e.g. `/getAuditCategories()`.
    Function,
}

/// One API operation, possibly reachable by several paths.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub struct Operation {
    /// What the operation does.
    pub kind: OperationKind,
    /// The action or function name for those kinds, e.g. `assign`; empty for the CRUD kinds.
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub name: String,
    /// The HTTP method.
    pub method: HttpMethod,
    /// Every path the page lists, relative to the version segment, in doc order.
    pub paths: Vec<PathTemplate>,
    /// The page title, e.g. `Create deviceManagementDomainJoinConnector`.
    pub summary: String,
    /// The page description.
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub description: String,
    /// Action body parameters (POST) or function URL parameters (GET).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub parameters: Vec<Property>,
    /// The request body, for create and update.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub request_body: Option<RequestBody>,
    /// A `$ref` operation: its page's path ends in `/$ref`, kept here without it. It links an
    /// existing entity into the navigation property at the path (a create: `POST`, or an
    /// update of a single-valued one: `PUT`, both with an `{"@odata.id": "<url>"}` body), or
    /// removes the link (a delete), rather than creating or deleting the entity.
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub reference: bool,
    /// The documented success response.
    pub response: Response,
    /// The request headers table.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub headers: Vec<Header>,
    /// The OData query options its `Optional query parameters` section says it supports
    /// (`$count`, `$filter`, `$search`, ...), lower case, in the order the section names them.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub query_options: Vec<String>,
    /// Who may call it.
    pub permissions: Permissions,
    /// The doc's example requests and responses, verbatim.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub examples: Vec<Example>,
    /// The page that documents the operation.
    pub source: Source,
}

impl Operation {
    /// The first (canonical) path template.
    pub fn primary_path(&self) -> &PathTemplate {
        static ROOT: PathTemplate = PathTemplate::ROOT;
        self.paths.first().unwrap_or(&ROOT)
    }

    /// For a collection's `delta` function (`GET .../users/delta`, answering a collection of
    /// the items), the type of the items it tracks.
    pub fn delta_of(&self) -> Option<&str> {
        let body = self.response.body.as_ref()?;
        let is_delta = self.kind == OperationKind::Function
            && self.name == "delta"
            && self.method == HttpMethod::Get
            && body.collection;
        is_delta.then(|| body.type_ref.named()).flatten()
    }
}

/// The type an operation is about: its body type, else its response type, else that of another
/// of `operations` on the same path (a delete has neither); only a type of `types` counts. An
/// update page that names no body type ("supply the values for relevant fields") patches this
/// type. The importer types such bodies by this rule, and the generators use it for the
/// entity a route serves.
pub fn entity_type<'s>(
    types: &BTreeMap<String, TypeDef>,
    operations: &'s [Operation],
    op: &'s Operation,
) -> Option<&'s str> {
    let own_type = |op: &'s Operation| -> Option<&'s str> {
        let body = op.request_body.as_ref().map(|b| &b.type_ref);
        let response = op.response.body.as_ref().map(|b| &b.type_ref);
        let named = match op.kind {
            // A delta function answers items of the collection it tracks.
            OperationKind::Function => op.delta_of(),
            OperationKind::Action => None,
            _ => body.or(response).and_then(TypeRef::named),
        };
        named.filter(|n| types.contains_key(*n))
    };
    own_type(op).or_else(|| {
        operations
            .iter()
            .filter(|other| other.paths.iter().any(|p| op.paths.contains(p)))
            .find_map(own_type)
    })
}

/// The body of a create or update request.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub struct RequestBody {
    /// The type the body is a JSON representation of.
    #[serde(rename = "type")]
    pub type_ref: TypeRef,
    /// Properties the body must carry. Intune pages list every property in a "required when you
    /// create" table, including `id`; that is a template artefact, so the importer leaves this
    /// empty unless a row's description says "Required".
    #[serde(default)]
    pub required: Vec<String>,
}

/// A documented success response.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub struct Response {
    /// The status code, e.g. 201.
    pub status: u16,
    /// The body, if any.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub body: Option<ResponseBody>,
    /// What a `302 Found` answer redirects to, when the operation is a download.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub download: Option<Download>,
}

/// A download (a usage report's CSV file, a file's content): the operation answers `302 Found`
/// with a preauthenticated URL, which needs no `Authorization` header, in `Location`.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub struct Download {
    /// The CSV file's column headers, where the doc lists them (the usage reports).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub csv_columns: Vec<String>,
    /// The answer to `$format=application/json`, where the doc documents one: `200 OK` and a
    /// body of this shape instead of the redirect.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub json: Option<ResponseBody>,
}

/// The shape of a response body.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub struct ResponseBody {
    /// The element type.
    #[serde(rename = "type")]
    pub type_ref: TypeRef,
    /// A collection (`{"value": [...]}`) rather than a single value.
    #[serde(default, skip_serializing_if = "is_false")]
    pub collection: bool,
}

/// A request header from the headers table.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub struct Header {
    /// The header name.
    pub name: String,
    /// The documented value, e.g. `Bearer <token>`.
    pub value: String,
    /// The doc says "Required".
    #[serde(default, skip_serializing_if = "is_false")]
    pub required: bool,
}

/// The permissions table, each list ordered from least to most privileged.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub struct Permissions {
    /// Delegated (work or school account).
    pub delegated_work: PermissionSet,
    /// Delegated (personal Microsoft account).
    pub delegated_personal: PermissionSet,
    /// Application.
    pub application: PermissionSet,
}

impl Permissions {
    /// Every kind of caller undetermined: the docs do not say who may call.
    pub fn undetermined() -> Permissions {
        Permissions {
            delegated_work: PermissionSet::Undetermined,
            delegated_personal: PermissionSet::Undetermined,
            application: PermissionSet::Undetermined,
        }
    }
}

/// One row of the permissions table.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(
    deny_unknown_fields,
    rename_all = "camelCase",
    tag = "status",
    content = "scopes"
)]
pub enum PermissionSet {
    /// Any one of these grants access; least privileged first. An entry of several scopes joined
    /// by [`ALL_OF_SEPARATOR`] (the doc's "Policy.Read.All and Application.Read.All") needs all
    /// of them: see [`scopes_of`].
    Scopes(Vec<String>),
    /// The doc says "Not supported."
    #[default]
    NotSupported,
    /// The doc says "None.": any caller of this kind may call it, without a permission.
    NoneRequired,
    /// The doc has a TODO placeholder instead of scopes, or its permissions table is missing.
    Undetermined,
}

/// Joins the scopes of one [`PermissionSet::Scopes`] entry that needs all of them.
pub const ALL_OF_SEPARATOR: &str = " and ";

/// The scopes one [`PermissionSet::Scopes`] entry needs, all of them.
pub fn scopes_of(entry: &str) -> impl Iterator<Item = &str> {
    entry.split(ALL_OF_SEPARATOR)
}

/// A documented example exchange.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub struct Example {
    /// The annotation's name, when the page has one.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
    /// The example request.
    pub request: ExampleRequest,
    /// The example response, when the page has one.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub response: Option<ExampleResponse>,
}

/// An example request, verbatim plus its normalised path.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub struct ExampleRequest {
    /// The method.
    pub method: HttpMethod,
    /// The URL as written in the doc.
    pub url: String,
    /// The URL's path (and query) relative to the version segment, e.g. `/deviceManagement/x`.
    pub path: String,
    /// The headers, in doc order.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub headers: Vec<(String, String)>,
    /// The JSON body.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub body: Option<Value>,
    /// The body text when it is not valid JSON (a doc defect), kept so nothing is lost.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub raw_body: Option<String>,
    /// Why the service would refuse this body (found by the importer), as `(JSON path, message)`;
    /// contract tests expect a 400 naming the first one.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub violations: Vec<(String, String)>,
    /// Where the block starts.
    pub source: Source,
}

/// An example response, verbatim.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub struct ExampleResponse {
    /// The status code.
    pub status: u16,
    /// The headers, in doc order.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub headers: Vec<(String, String)>,
    /// The JSON body.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub body: Option<Value>,
    /// The body text when it is not valid JSON (a doc defect), kept so nothing is lost.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub raw_body: Option<String>,
    /// Where this body breaks its own schema, as `(JSON path, message)`; such an example cannot
    /// be reproduced by a faithful server, so contract tests skip it as a doc defect.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub violations: Vec<(String, String)>,
    /// Where the block starts.
    pub source: Source,
}

/// A problem in the docs that the importer worked around. Written to `spec/defects.json`.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub struct Defect {
    /// Where.
    pub source: Source,
    /// What kind of problem.
    pub kind: DefectKind,
    /// Why it is a problem, and what the importer did about it.
    pub message: String,
}

impl std::fmt::Display for Defect {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}: {:?}: {}", self.source, self.kind, self.message)
    }
}

/// The kinds of doc defect the importer recognises.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub enum DefectKind {
    /// The page could not be imported at all and was skipped.
    PageSkipped,
    /// The front matter's `doc_type` is misspelt or names the wrong kind of page; the page is
    /// read as what it is.
    WrongDocType,
    /// A path in the HTTP Request block ends in `/$ref` where no reference is meant.
    RefSuffixInPath,
    /// A path in the HTTP Request block is not a template the spec can hold; it is skipped.
    MalformedPath,
    /// An example URL is not `https://graph.microsoft.com/<version>/...`.
    MalformedExampleUrl,
    /// A page includes a file (its permissions table) that is not among the imported files.
    MissingInclude,
    /// A permissions cell holds a TODO placeholder.
    TodoPermission,
    /// A type cell says `Enumeration` instead of naming the enum.
    EnumerationAsType,
    /// A type cell names a type that no page defines.
    UnknownType,
    /// A link points at a type page that is not among the imported pages.
    MissingTypePage,
    /// An example value is not a member of the property's enum.
    ExampleValueNotInEnum,
    /// An example has a property that its type does not declare.
    ExampleUnknownProperty,
    /// An example value has the wrong JSON type for its property.
    ExampleWrongType,
    /// An example body is not valid JSON.
    MalformedExampleJson,
    /// A `get` response example wraps the entity in `{"value": {...}}`, unlike the service.
    WrappedGetResponse,
    /// A table does not have the expected columns.
    UnknownTableLayout,
    /// A section the page type needs is missing or unreadable.
    MissingSection,
    /// Two pages describe the same operation or type; the later one in import order is kept.
    Superseded,
    /// The response sentence disagrees with itself (e.g. `200 Created`).
    InconsistentStatus,
    /// A permissions cell lists scopes without commas.
    MalformedPermissions,
    /// The JSON representation's annotation disagrees with the page (e.g. a `keyProperty` that
    /// is not a property).
    InconsistentAnnotation,
    /// The docs spell a name in another case than its definition: a sub-namespace
    /// (`termStore`, `termstore`), a type (`DriveItem` for `driveItem`) or a path segment
    /// (`calendargroups` for `calendarGroups`); one spelling is kept.
    NameCase,
    /// A function call in the HTTP Request path writes an example value for an argument
    /// (`filterByCurrentUser(on='reviewer')`), or an argument the parameters table does not
    /// list: the argument is read as a placeholder of its parameter, added if need be.
    PathArgument,
    /// A type cell says `String` where the description lists exactly the members of an enum
    /// ("Possible values are: ..."); the property is read as that enum.
    StringListsEnumMembers,
}

fn is_false(value: &bool) -> bool {
    !*value
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ty(base: Option<&str>, props: &[&str]) -> TypeDef {
        TypeDef {
            kind: TypeKind::Entity,
            base_type: base.map(str::to_owned),
            is_abstract: false,
            key_property: None,
            description: String::new(),
            properties: props
                .iter()
                .map(|p| Property {
                    name: (*p).to_owned(),
                    type_ref: TypeRef::Primitive(crate::Primitive::String),
                    collection: false,
                    nullable: true,
                    read_only: false,
                    select_only: false,
                    write_only: None,
                    description: String::new(),
                })
                .collect(),
            navigation_properties: vec![],
            undocumented: false,
            source: Source::default(),
        }
    }

    #[test]
    fn inherited_properties_come_first_and_cycles_stop() {
        let mut spec = Spec::new();
        spec.types.insert("base".into(), ty(None, &["id"]));
        spec.types.insert("mid".into(), ty(Some("base"), &["m"]));
        spec.types.insert("leaf".into(), ty(Some("mid"), &["l"]));
        let names: Vec<_> = spec
            .all_properties("leaf")
            .iter()
            .map(|p| p.name.as_str())
            .collect();
        assert_eq!(names, ["id", "m", "l"]);
        assert_eq!(Hierarchy::new(&spec).derived("base"), ["leaf", "mid"]);

        spec.types.insert("x".into(), ty(Some("y"), &[]));
        spec.types.insert("y".into(), ty(Some("x"), &[]));
        assert_eq!(spec.ancestry("x"), ["x", "y"]);
    }
}

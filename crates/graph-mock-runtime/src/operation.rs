//! What the generated route table tells the hand-written handlers about each operation.

/// What an operation does: the spec's own kinds, so the two can never disagree.
pub use graph_spec::OperationKind as Kind;

/// One row of the permissions table.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Permission {
    /// Any of these, least privileged first; an entry of scopes joined by ` and ` needs them all.
    Scopes(&'static [&'static str]),
    /// Not supported for this kind of caller.
    NotSupported,
    /// No permission needed: any valid token of this kind.
    NoneRequired,
    /// The docs have a TODO placeholder.
    Undetermined,
}

/// An operation's permissions.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Permissions {
    /// Delegated (work or school account).
    pub delegated: Permission,
    /// Application.
    pub application: Permission,
}

impl Permissions {
    /// Whether the docs left either row as a TODO.
    pub fn is_undetermined(&self) -> bool {
        self.delegated == Permission::Undetermined || self.application == Permission::Undetermined
    }
}

impl OperationMeta {
    /// `METHOD /path/template`: how the journal and the fault rules name the operation.
    pub fn key(&self) -> String {
        format!("{} {}", self.method, self.path)
    }
}

/// One segment of an operation's path template.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PathSegment {
    /// A fixed name (a function's name, for a function segment).
    Literal(&'static str),
    /// A key: the next value the route captured.
    Key,
    /// A type cast: the unqualified name of the type it requires.
    Cast(&'static str),
}

/// Everything the handlers need to serve one operation.
#[derive(Debug, Clone, Copy)]
pub struct OperationMeta {
    /// What it does.
    pub kind: Kind,
    /// The HTTP method.
    pub method: &'static str,
    /// The path template, relative to the base path, as written.
    pub path: &'static str,
    /// The router's path for it, relative to the base path: keys are captures named by
    /// position (`{p0}`, `{p1}`), so that templates whose parameter names differ never
    /// conflict, and a function segment is its name (its arguments leave the path before
    /// routing).
    pub route: &'static str,
    /// The same template as typed segments, so no request parses it.
    pub segments: &'static [PathSegment],
    /// The Graph name of the entity (or body) type.
    pub entity_type: &'static str,
    /// The documented success status.
    pub status: u16,
    /// Who may call it.
    pub permissions: Permissions,
    /// Its index in the spec's operations (the model's embedded schema), for its parameters and
    /// documented examples.
    pub operation: usize,
}

/// What a generated mock crate gives the engine: its operations and its schema. The engine
/// builds the routes from the operations, so the generated crate is data only.
///
/// The generated `graph-mock` crate defines one `static API: Api`; the engine reads nothing
/// about the spec from anywhere else.
#[derive(Debug)]
pub struct Api {
    /// Every operation, one per operation and path (of the areas the crate's features compile).
    pub operations: fn() -> &'static [&'static OperationMeta],
    /// The model crate's runtime schema, for body validation, `$filter`, `$select` and casts.
    pub schema: fn() -> &'static graph_odata::Schema,
    /// The spec, for the operations' parameters and doc examples.
    pub spec: fn() -> &'static graph_spec::Spec,
    /// The API version, `beta` or `v1.0`: the base path when the config names none.
    pub version: &'static str,
}

impl Api {
    /// Every operation, one per operation and path.
    pub fn operations(&self) -> &'static [&'static OperationMeta] {
        (self.operations)()
    }

    /// The model crate's runtime schema.
    pub fn schema(&self) -> &'static graph_odata::Schema {
        (self.schema)()
    }

    /// The spec the mock was generated from.
    pub fn spec(&self) -> &'static graph_spec::Spec {
        (self.spec)()
    }

    /// The top-level collections and singletons (`/users`, `/deviceManagement`): the paths of
    /// one literal segment. Where a `$ref` link's entity is looked for.
    pub fn top_collections(&self) -> impl Iterator<Item = &'static str> {
        self.operations()
            .iter()
            .filter(|op| matches!(op.segments, [PathSegment::Literal(_)]))
            .map(|op| op.path)
    }

    /// The spec's operation that `operation` serves (one of its paths).
    pub fn documented(&self, operation: &OperationMeta) -> Option<&'static graph_spec::Operation> {
        self.spec().operations.get(operation.operation)
    }

    /// Whether `operation` is a collection's `delta` function (as the spec tells,
    /// [`graph_spec::Operation::delta_of`]), which the mock answers with change tracking rather
    /// than its doc example.
    pub fn is_delta(&self, operation: &OperationMeta) -> bool {
        operation.kind == Kind::Function
            && self
                .documented(operation)
                .is_some_and(|op| op.delta_of().is_some())
    }
}

/// Loads the spec a generated mock crate embeds. Codegen validated it before embedding it, so
/// failure is a corrupted build; the message says which.
pub fn embedded_spec(json: &str) -> graph_spec::Spec {
    serde_json::from_str(json).unwrap_or_else(|e| {
        panic!("the embedded spec is corrupt (re-run `cargo xtask codegen`): {e}")
    })
}

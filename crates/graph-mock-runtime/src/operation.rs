//! The mock's model of an API: what it serves, built from a spec when the mock starts.
//!
//! One model whatever the spec came from: a generated mock crate embeds its spec and builds
//! its [`Api`] on first use, and `graph-mock --spec DIR` loads one from a file. Nothing about
//! an operation is compiled in, so any spec is served without code generation.

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};

use graph_spec::{HttpMethod, PathTemplate, Segment, Spec};

/// What an operation does: the spec's own kinds, so the two can never disagree.
pub use graph_spec::OperationKind as Kind;
/// One row of an operation's permissions table, as the spec has it.
pub use graph_spec::PermissionSet as Permission;

/// An operation's permissions, as the mock checks them.
#[derive(Debug, Clone, PartialEq, Eq)]
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

/// One segment of an operation's path template, as the handlers read it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum PathSegment {
    /// A fixed name (a function's name, for a function segment).
    Literal(String),
    /// A key: the next value the route captured. It holds the properties that may stand for
    /// the id there (alternate keys: `userPrincipalName` for `/users/{id | userPrincipalName}`),
    /// gathered from every template of the collection.
    Key(Vec<String>),
    /// A type cast: the unqualified name of the type it requires.
    Cast(String),
}

/// Everything the handlers need to serve one operation at one of its paths.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OperationMeta {
    /// What it does.
    pub kind: Kind,
    /// The HTTP method: one of the five Graph operations use.
    pub method: HttpMethod,
    /// The path template, relative to the base path, as written.
    pub path: String,
    /// The router's path for it, relative to the base path ([`PathTemplate::route`]).
    pub route: String,
    /// The same template as typed segments, so no request parses it.
    pub segments: Vec<PathSegment>,
    /// The Graph name of the type the operation is about (body, response, or a sibling
    /// operation's); empty when it is about none.
    pub entity_type: String,
    /// The documented success status.
    pub status: u16,
    /// Who may call it.
    pub permissions: Permissions,
    /// Its index in the spec's operations, for its parameters and documented examples.
    pub operation: usize,
}

impl OperationMeta {
    /// The operation `index` of `spec` at its path `path`, with the spec's alternate keys.
    fn new(
        spec: &Spec,
        index: usize,
        path: &PathTemplate,
        alternate_keys: &AlternateKeys,
    ) -> OperationMeta {
        let op = &spec.operations[index];
        let segments = (path.segments().iter().enumerate())
            .map(|(at, segment)| match segment {
                Segment::Literal(name) | Segment::Function { name, .. } => {
                    PathSegment::Literal(name.clone())
                }
                Segment::Key(_) => PathSegment::Key(
                    (alternate_keys.get(&collection_shape(&path.segments()[..at])))
                        .map(|keys| keys.iter().cloned().collect())
                        .unwrap_or_default(),
                ),
                Segment::Cast(qualified) => {
                    PathSegment::Cast(segment.cast_type().unwrap_or(qualified).to_owned())
                }
            })
            .collect();
        OperationMeta {
            kind: op.kind,
            method: op.method,
            path: path.to_string(),
            route: path.route(),
            segments,
            entity_type: graph_spec::entity_type(&spec.types, &spec.operations, op)
                .unwrap_or_default()
                .to_owned(),
            status: op.response.status,
            permissions: Permissions {
                delegated: op.permissions.delegated_work.clone(),
                application: op.permissions.application.clone(),
            },
            operation: index,
        }
    }

    /// `METHOD /path/template`: how the journal and the fault rules name the operation.
    pub fn key(&self) -> String {
        format!("{} {}", self.method, self.path)
    }
}

/// What the mock serves: a spec, its runtime schema and its operations, one per operation and
/// path, in spec order. Handlers borrow it for the life of the process (`&'static Api`): a
/// generated crate keeps its model in a `static`, and the command line leaks the one it loads.
#[derive(Debug)]
pub struct Api {
    spec: Spec,
    schema: graph_odata::Schema,
    operations: Vec<OperationMeta>,
}

/// Why a spec could not be served.
#[derive(Debug, thiserror::Error)]
pub enum SpecError {
    /// It could not be read or parsed: the loader's error, with the JSON path.
    #[error(transparent)]
    Load(#[from] graph_spec::LoadError),
    /// It parsed but breaks the spec's rules.
    #[error("{file}: the spec is invalid: {problems}")]
    Invalid {
        /// The spec file.
        file: PathBuf,
        /// Each problem with its JSON path, joined by `; `.
        problems: String,
    },
}

impl Api {
    /// The model of a (validated) spec.
    pub fn from_spec(spec: Spec) -> Api {
        let paths = || {
            (spec.operations.iter().enumerate())
                .flat_map(|(index, op)| op.paths.iter().map(move |path| (index, path)))
        };
        // A collection's alternate keys are those any of its templates names: the user page
        // writes `/users/{id | userPrincipalName}`, the Intune pages `/users/{usersId}`.
        let mut alternate_keys = AlternateKeys::new();
        for (_, path) in paths() {
            for (at, segment) in path.segments().iter().enumerate() {
                let keys = segment.alternate_keys();
                if !keys.is_empty() {
                    (alternate_keys.entry(collection_shape(&path.segments()[..at])))
                        .or_default()
                        .extend(keys);
                }
            }
        }
        let operations = paths()
            .map(|(index, path)| OperationMeta::new(&spec, index, path, &alternate_keys))
            .collect();
        Api {
            schema: spec.schema(),
            spec,
            operations,
        }
    }

    /// Loads and validates the spec at `path` (a spec folder's `api.json`, or a spec file) and
    /// builds its model. Errors name the file and the JSON path of each problem.
    pub fn load(path: &Path) -> Result<Api, SpecError> {
        let file = if path.is_dir() {
            path.join("api.json")
        } else {
            path.to_owned()
        };
        let spec = graph_spec::load(&file)?;
        let problems = graph_spec::validate(&spec, &file);
        if !problems.is_empty() {
            let problems: Vec<String> = problems.iter().map(ToString::to_string).collect();
            return Err(SpecError::Invalid {
                file,
                problems: problems.join("; "),
            });
        }
        Ok(Api::from_spec(spec))
    }

    /// The model of the spec a generated mock crate embeds. Codegen validated it before
    /// embedding it, so failure is a corrupted build; the message says which.
    pub fn embedded(json: &str) -> Api {
        let spec = serde_json::from_str(json).unwrap_or_else(|e| {
            panic!("the embedded spec is corrupt (re-run `cargo xtask codegen`): {e}")
        });
        Api::from_spec(spec)
    }

    /// Every operation, one per operation and path.
    pub fn operations(&self) -> &[OperationMeta] {
        &self.operations
    }

    /// The spec's runtime schema, for body validation, `$filter`, `$select` and casts.
    pub fn schema(&self) -> &graph_odata::Schema {
        &self.schema
    }

    /// The spec served.
    pub fn spec(&self) -> &Spec {
        &self.spec
    }

    /// The API version, `beta` or `v1.0`: the base path when the config names none.
    pub fn version(&self) -> &str {
        &self.spec.version
    }

    /// The top-level collections and singletons (`/users`, `/deviceManagement`): the paths of
    /// one literal segment. Where a `$ref` link's entity is looked for.
    pub fn top_collections(&self) -> impl Iterator<Item = &str> {
        self.operations
            .iter()
            .filter(|op| matches!(op.segments.as_slice(), [PathSegment::Literal(_)]))
            .map(|op| op.path.as_str())
    }

    /// The spec's operation that `operation` serves (one of its paths).
    pub fn documented(&self, operation: &OperationMeta) -> Option<&graph_spec::Operation> {
        self.spec.operations.get(operation.operation)
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

/// The alternate keys of each collection, by the collection's shape.
type AlternateKeys = BTreeMap<String, BTreeSet<String>>;

/// The shape of the collection a key segment indexes (`/users/{}/messages`), from the segments
/// before it; casts do not change where things are stored, so they are left out.
fn collection_shape(segments: &[Segment]) -> String {
    let mut shape = String::new();
    for segment in segments.iter().filter(|s| !matches!(s, Segment::Cast(_))) {
        shape.push('/');
        segment.push_shape(&mut shape);
    }
    shape
}

#[cfg(test)]
impl OperationMeta {
    /// An operation of `kind` at `segments` for unit tests: `GET /template`, about a type `x`,
    /// that no kind of caller may call.
    pub(crate) fn for_test(kind: Kind, segments: Vec<PathSegment>) -> OperationMeta {
        OperationMeta {
            kind,
            method: HttpMethod::Get,
            path: "/template".to_owned(),
            route: "/template".to_owned(),
            segments,
            entity_type: "x".to_owned(),
            status: 200,
            permissions: Permissions {
                delegated: Permission::NotSupported,
                application: Permission::NotSupported,
            },
            operation: 0,
        }
    }
}

#[cfg(test)]
impl Api {
    /// A model of `operations` over an empty spec, for unit tests of what reads only the
    /// operations.
    pub(crate) fn of_operations(operations: Vec<OperationMeta>) -> Api {
        let spec = Spec::new();
        Api {
            schema: spec.schema(),
            spec,
            operations,
        }
    }
}

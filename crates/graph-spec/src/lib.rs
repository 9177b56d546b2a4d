//! The data model of the Graph API spec that sits between the doc pages and the generated code.
//!
//! `cargo xtask import` writes it (see `graph-doc-import`), `cargo xtask codegen` reads it.
//! The spec is plain JSON, pretty-printed with sorted maps, so that it diffs well in review:
//!
//! - [`model`]: the serde types (types, enums, operations, examples, permissions);
//! - [`path`]: path templates as typed segments;
//! - [`io`]: loading with JSON-path errors, and byte-stable saving;
//! - [`mod@validate`]: cross-reference checks (every referenced type exists, no duplicates, ...);
//! - [`slice`]: the part of a spec some path globs keep, with the types it reaches;
//! - [`Spec::schema`]: the runtime schema of the spec, which generated crates embed.
//!
//! How a property refers to its type ([`TypeRef`]), the OData literals ([`literals`]) and the
//! checking of JSON values against types ([`value_check`]) belong to the runtime crate
//! `graph-odata`, since generated code runs them; they are re-exported here.

pub mod io;
pub mod model;
pub mod path;
pub mod slice;
pub mod validate;

pub use graph_odata::{literals, relative_type_name, type_ref, value_check};

pub use io::{LoadError, load, save, to_pretty_json};
pub use model::*;
pub use path::{PathError, PathTemplate, Segment};
pub use slice::{GlobError, PathFilter, PathGlob};
pub use type_ref::{Primitive, TypeRef};
pub use validate::{ValidationError, validate};

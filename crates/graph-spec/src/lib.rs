//! The data model of the Graph API spec that sits between the doc pages and the generated code.
//!
//! `cargo xtask import` writes it (see `graph-doc-import`), `cargo xtask codegen` reads it.
//! The spec is plain JSON, pretty-printed with sorted maps, so that it diffs well in review:
//!
//! - [`model`]: the serde types (types, enums, operations, examples, permissions);
//! - [`type_ref`]: how a property or body refers to a primitive, an enum or a structured type;
//! - [`io`]: loading with JSON-path errors, and byte-stable saving;
//! - [`validate`]: cross-reference checks (every referenced type exists, no duplicates, ...);
//! - [`value_check`]: checks a JSON value against a type, with Graph-style messages.

pub mod io;
pub mod literals;
pub mod model;
pub mod openapi;
pub mod path;
pub mod type_ref;
pub mod validate;
pub mod value_check;

pub use io::{LoadError, load, save, to_pretty_json};
pub use model::*;
pub use path::{PathError, PathTemplate, Segment};
pub use type_ref::{Primitive, TypeRef};
pub use validate::{ValidationError, validate};

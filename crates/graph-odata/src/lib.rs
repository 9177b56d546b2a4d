//! The hand-written runtime that every generated Graph crate shares.
//!
//! Generated model types are plain serde structs and enums; what they need beyond serde lives
//! here, written once:
//!
//! - [`DateTimeOffset`]: a timestamp that round-trips its text exactly;
//! - [`Patch`]: the tri-state value of update bodies (absent, `null`, or a value);
//! - [`OpenEnum`] and [`Flags`]: enums that keep members the service adds later;
//! - [`ODataError`] and [`CollectionPage`]: the Graph error body and the shape of list responses;
//! - [`GraphType`] and [`odata_type_name`]: the `@odata.type` discriminator;
//! - [`Schema`]: the runtime schema (types and enums, no docs) and validation of write bodies
//!   against it, with Graph's messages ([`value_check`]); [`TypeRef`] and [`literals`]: the
//!   OData type references and literal parsers it, and the importer, rest on;
//! - [`from_json`]: decoding with errors that name the offending field;
//! - [`ReadFields`] and [`read_fields`]: reading a generated struct, its undeclared properties
//!   kept, in far less generated code than a serde derive with `#[serde(flatten)]`;
//!   [`PropertyName`]: a key read without a copy, which the mock's stored-entity parsers use too.

mod collection;
mod date_time;
mod decode;
mod enums;
mod error_body;
mod fields;
pub mod literals;
mod patch;
mod polymorphic;
mod schema;
pub mod type_ref;
pub mod value_check;

pub use collection::CollectionPage;
pub use date_time::{DateTimeOffset, DateTimeOffsetError};
pub use decode::{DecodeError, from_json};
pub use enums::{Flags, OpenEnum};
pub use error_body::{InnerError, MainError, ODataError};
pub use fields::{PropertyName, ReadFields, read_fields};
pub use patch::Patch;
pub use polymorphic::{GRAPH_NAMESPACE, GraphType, odata_type_name, relative_type_name};
pub use schema::{EnumShape, PropertyShape, Schema, TypeShape, WriteOnly, WriteOnlyProperty};
pub use type_ref::{Primitive, TypeRef};
pub use value_check::{Violation, ViolationKind};

/// Re-exported for generated code, so generated crates need no direct dependency on them.
pub mod reexports {
    pub use serde;
    pub use serde_json;
}

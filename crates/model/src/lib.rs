//! The Microsoft Graph model types, generated from `spec/api.json` and shared by the mock server
//! (`graph-mock`) and the client (`graph-client`), so the two can never drift apart.
//!
//! - Every property is an `Option`: Graph returns partial objects under `$select`.
//! - Properties the spec does not declare are kept in `additional_data`, so that a
//!   read-modify-write loses nothing.
//! - Enums keep members they do not know in their `Unrecognized` variant: the service adds
//!   members over time, and a read must not fail on one.
//! - Update bodies (`...Update` structs) use [`Patch`], so that leaving a property alone,
//!   clearing it (`null`) and setting it are three different things.
//! - A type with derived types is read through its `Any...` wrapper, which picks the derived type
//!   by `@odata.type` and falls back to the base type.
//! - [`schema()`] validates a write body the way the service does, with Graph's messages.
//!
//! Everything under `generated/` is written by `cargo xtask codegen`; do not edit it by hand.

#[rustfmt::skip]
mod generated;

pub use generated::*;
pub use graph_odata::{
    CollectionPage, DateTimeOffset, DecodeError, Flags, GraphType, ODataError, OpenEnum, Patch,
    Schema, Violation, ViolationKind, from_json,
};

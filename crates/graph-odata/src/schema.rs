//! Validation of write bodies against the spec, with Graph's messages.
//!
//! A generated model crate embeds its spec as JSON; [`Schema::from_embedded`] loads it once and
//! [`Schema::check_write`] reports every reason the service would refuse a body: unknown
//! properties, unknown enum members and wrong types, each naming the property.

use graph_spec::Spec;
pub use graph_spec::value_check::{Violation, ViolationKind};
use serde_json::Value;

/// The spec a generated crate was made from.
#[derive(Debug)]
pub struct Schema {
    spec: Spec,
}

impl Schema {
    /// Loads the embedded spec. Codegen validated it before embedding it, so failure is a
    /// corrupted build; the message says which.
    pub fn from_embedded(json: &str) -> Schema {
        let spec = serde_json::from_str(json).unwrap_or_else(|e| {
            panic!("the embedded spec is corrupt (re-run `cargo xtask codegen`): {e}")
        });
        Schema { spec }
    }

    /// The spec.
    pub fn spec(&self) -> &Spec {
        &self.spec
    }

    /// Every reason `body` would be refused as a write of `type_name` (or of the derived type
    /// its `@odata.type` names). An empty list means the body is acceptable.
    pub fn check_write(&self, type_name: &str, body: &Value) -> Vec<Violation> {
        graph_spec::value_check::check_object(&self.spec, type_name, body)
    }

    /// [`Schema::check_write`] for a body already parsed into an object (nothing is copied).
    pub fn check_write_object(
        &self,
        type_name: &str,
        body: &serde_json::Map<String, Value>,
    ) -> Vec<Violation> {
        graph_spec::value_check::check_map(&self.spec, type_name, body)
    }
}

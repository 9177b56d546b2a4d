//! The `@odata.type` discriminator of polymorphic values.

use serde_json::Value;

/// A generated structured type.
pub trait GraphType {
    /// The Graph name, e.g. `deviceManagementDomainJoinConnector`.
    const NAME: &'static str;
    /// The `@odata.type` value, e.g. `#microsoft.graph.deviceManagementDomainJoinConnector`.
    const ODATA_TYPE: &'static str;
}

/// The namespace every Graph type lives in (some in a sub-namespace of it).
pub const GRAPH_NAMESPACE: &str = "microsoft.graph";

/// A type's name relative to [`GRAPH_NAMESPACE`], as the spec names it: `#microsoft.graph.x`
/// and `microsoft.graph.x` give `x`, `microsoft.graph.callRecords.session` gives
/// `callRecords.session`; a name in another namespace gives its last segment.
pub fn relative_type_name(qualified: &str) -> &str {
    let text = qualified.trim_start_matches('#');
    // Pages also write `Microsoft.Graph.x`.
    let prefix = GRAPH_NAMESPACE.len() + 1;
    match text.get(..prefix) {
        Some(head) if head.eq_ignore_ascii_case("microsoft.graph.") => &text[prefix..],
        _ => text.rsplit('.').next().unwrap_or(text),
    }
}

/// The spec name of a JSON object's `@odata.type` ([`relative_type_name`]), or `None` when it
/// has none.
pub fn odata_type_name(value: &Value) -> Option<&str> {
    let text = value.get("@odata.type")?.as_str()?;
    Some(relative_type_name(text))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn discriminators() {
        assert_eq!(
            odata_type_name(&serde_json::json!({"@odata.type": "#microsoft.graph.a"})),
            Some("a")
        );
        assert_eq!(
            odata_type_name(&serde_json::json!({"@odata.type": "microsoft.graph.a"})),
            Some("a")
        );
        assert_eq!(odata_type_name(&serde_json::json!({})), None);
        assert_eq!(
            relative_type_name("#microsoft.graph.callRecords.session"),
            "callRecords.session"
        );
        assert_eq!(relative_type_name("x"), "x");
        assert_eq!(relative_type_name("Microsoft.Graph.x"), "x");
        assert_eq!(
            relative_type_name("microsoft.management.services.api.y"),
            "y"
        );
    }
}

//! The `@odata.type` discriminator of polymorphic values.

use serde_json::Value;

/// A generated structured type.
pub trait GraphType {
    /// The Graph name, e.g. `deviceManagementDomainJoinConnector`.
    const NAME: &'static str;
    /// The `@odata.type` value, e.g. `#microsoft.graph.deviceManagementDomainJoinConnector`.
    const ODATA_TYPE: &'static str;
}

/// The bare type name of a JSON object's `@odata.type` (`#microsoft.graph.x` and
/// `microsoft.graph.x` both give `x`), or `None` when it has none.
pub fn odata_type_name(value: &Value) -> Option<&str> {
    let text = value.get("@odata.type")?.as_str()?;
    let text = text.trim_start_matches('#');
    Some(text.rsplit('.').next().unwrap_or(text))
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
    }
}

//! The mock's request parsing on arbitrary input: the JSON body reader and write validator,
//! the `$filter` parser and evaluator, and the query-string parser.
#![no_main]

use graph_mock_runtime::filter::{self, PropertyKind};
use graph_mock_runtime::query::{self, Allowed};
use libfuzzer_sys::fuzz_target;

fn kinds(path: &[String]) -> Option<PropertyKind> {
    match path.join("/").as_str() {
        "displayName" | "version" | "id" => Some(PropertyKind::String),
        "state" => Some(PropertyKind::Enum),
        "lastConnectionDateTime" => Some(PropertyKind::DateTime),
        "count" => Some(PropertyKind::Number),
        "enabled" => Some(PropertyKind::Boolean),
        _ => None,
    }
}

fuzz_target!(|data: &[u8]| {
    if let Ok(body) = graph_mock_runtime::json::parse_object(data) {
        let value = serde_json::Value::Object(body.clone());
        let _ = seed_model::schema().check_write("deviceManagementDomainJoinConnector", &value);
        if let Ok(text) = std::str::from_utf8(data) {
            if let Ok(expr) = filter::parse(text, &kinds) {
                let _ = filter::matches(&expr, &body);
            }
        }
    }
    let text = String::from_utf8_lossy(data);
    if let Ok(expr) = filter::parse(&text, &kinds) {
        let entity = serde_json::json!({"displayName": "a", "state": "active", "count": 1, "enabled": true, "lastConnectionDateTime": "2020-01-01T00:00:00Z"});
        let _ = filter::matches(&expr, entity.as_object().unwrap());
    }
    for allowed in [Allowed::Collection, Allowed::Single, Allowed::None] {
        let _ = query::parse(Some(&text), allowed, &kinds);
    }
});

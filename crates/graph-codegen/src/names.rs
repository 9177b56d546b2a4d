//! Rust names for Graph names: UpperCamelCase types and variants, snake_case fields, with
//! keywords escaped and clashes resolved deterministically.

use std::collections::BTreeSet;

use heck::{ToSnakeCase, ToUpperCamelCase};
use proc_macro2::{Ident, Span};

/// Keywords that can be written as raw identifiers (`r#type`).
const RAW_KEYWORDS: &[&str] = &[
    "abstract", "as", "async", "await", "become", "box", "break", "const", "continue", "do", "dyn",
    "else", "enum", "extern", "false", "final", "fn", "for", "gen", "if", "impl", "in", "let",
    "loop", "macro", "match", "mod", "move", "mut", "override", "priv", "pub", "ref", "return",
    "static", "struct", "trait", "true", "try", "type", "typeof", "unsafe", "unsized", "use",
    "virtual", "where", "while", "yield",
];

/// Keywords that cannot be raw identifiers; they get a trailing underscore.
const PLAIN_KEYWORDS: &[&str] = &["crate", "self", "Self", "super", "_"];

/// Makes `text` a valid identifier body: only ASCII alphanumerics and `_`, not starting with a digit.
fn sanitise(text: &str, prefix_for_digit: &str) -> String {
    let mut out: String = text
        .chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() || c == '_' {
                c
            } else {
                '_'
            }
        })
        .collect();
    if out.is_empty() {
        out.push_str(prefix_for_digit);
    } else if out.starts_with(|c: char| c.is_ascii_digit()) {
        out.insert_str(0, prefix_for_digit);
    }
    out
}

/// `deviceManagementDomainJoinConnector` → `DeviceManagementDomainJoinConnector`.
pub fn type_name(graph_name: &str) -> String {
    sanitise(&graph_name.to_upper_camel_case(), "T")
}

/// `windows81AndLater` → `Windows81AndLater`.
pub fn variant_name(member: &str) -> String {
    sanitise(&member.to_upper_camel_case(), "V")
}

/// `lastConnectionDateTime` → `last_connection_date_time`; `type` → `r#type`.
pub fn field_name(json_name: &str) -> String {
    let snake = sanitise(&json_name.to_snake_case(), "f_");
    if PLAIN_KEYWORDS.contains(&snake.as_str()) {
        format!("{snake}_")
    } else if RAW_KEYWORDS.contains(&snake.as_str()) {
        format!("r#{snake}")
    } else {
        snake
    }
}

/// An identifier token, raw when the name says so.
pub fn ident(name: &str) -> Ident {
    match name.strip_prefix("r#") {
        Some(raw) => Ident::new_raw(raw, Span::call_site()),
        None => Ident::new(name, Span::call_site()),
    }
}

/// Hands out names that are unique within one scope, adding `2`, `3`, ... on a clash.
#[derive(Debug, Default)]
pub struct Scope {
    taken: BTreeSet<String>,
}

impl Scope {
    /// A scope in which `reserved` names are already taken.
    pub fn with_reserved(reserved: &[&str]) -> Scope {
        Scope {
            taken: reserved.iter().map(|s| (*s).to_owned()).collect(),
        }
    }

    /// `wanted`, or `wanted2`, `wanted3`, ... whichever is free first.
    pub fn claim(&mut self, wanted: &str) -> String {
        let base = wanted.trim_start_matches("r#");
        let mut candidate = wanted.to_owned();
        let mut n = 2;
        while !self
            .taken
            .insert(candidate.trim_start_matches("r#").to_owned())
        {
            candidate = format!("{base}{n}");
            n += 1;
        }
        candidate
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cases_keywords_and_digits() {
        assert_eq!(
            type_name("deviceManagementDomainJoinConnector"),
            "DeviceManagementDomainJoinConnector"
        );
        assert_eq!(
            type_name("tuple_2OfExecutionType_ICollection_1OfOperation"),
            "Tuple2ofExecutionTypeICollection1ofOperation"
        );
        assert_eq!(
            field_name("lastConnectionDateTime"),
            "last_connection_date_time"
        );
        assert_eq!(field_name("type"), "r#type");
        assert_eq!(field_name("ref"), "r#ref");
        assert_eq!(field_name("self"), "self_");
        assert_eq!(field_name("@odata.type"), "odata_type");
        assert_eq!(variant_name("windows81AndLater"), "Windows81AndLater");
        assert_eq!(variant_name("2g"), "V2g");
        assert_eq!(ident("r#type").to_string(), "r#type");
    }

    #[test]
    fn clashes_get_numbers() {
        let mut scope = Scope::with_reserved(&["additional_data"]);
        assert_eq!(scope.claim("additional_data"), "additional_data2");
        assert_eq!(scope.claim("a"), "a");
        assert_eq!(scope.claim("a"), "a2");
        assert_eq!(scope.claim("r#type"), "r#type");
        assert_eq!(scope.claim("type"), "type2");
    }
}

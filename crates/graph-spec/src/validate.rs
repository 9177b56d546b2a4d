//! Cross-reference checks over a whole [`Spec`].
//!
//! Serde already checks each value's shape on load; this pass checks what only the whole spec
//! can tell: that every referenced type exists, that path parameters are declared, that no
//! operation is listed twice and that inheritance has no cycles. Every error carries the file and
//! the JSON path of the offending value.

use std::collections::BTreeMap;
use std::fmt;
use std::path::{Path, PathBuf};

use crate::model::{Spec, TypeKind};
use crate::type_ref::TypeRef;

/// One problem found by [`validate`].
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ValidationError {
    /// The spec file.
    pub file: PathBuf,
    /// The JSON path of the offending value, e.g. `types.x.properties[1].type`.
    pub json_path: String,
    /// What is wrong.
    pub message: String,
}

impl fmt::Display for ValidationError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "{}: at JSON path `{}`: {}",
            self.file.display(),
            self.json_path,
            self.message
        )
    }
}

/// Every problem in `spec`, in a stable order; an empty list means the spec is valid.
/// `file` is only used to label the errors.
pub fn validate(spec: &Spec, file: &Path) -> Vec<ValidationError> {
    let mut errors = Vec::new();
    let mut report = |json_path: String, message: String| {
        errors.push(ValidationError {
            file: file.to_owned(),
            json_path,
            message,
        })
    };
    let check_ref =
        |json_path: String, type_ref: &TypeRef, report: &mut dyn FnMut(String, String)| {
            if let Some(name) = type_ref.named()
                && !spec.types.contains_key(name)
                && !spec.enums.contains_key(name)
            {
                report(
                    json_path,
                    format!("type `{name}` is not defined in the spec"),
                );
            }
        };

    for (name, ty) in &spec.types {
        let at = format!("types.{name}");
        if let Some(base) = &ty.base_type {
            if !spec.types.contains_key(base) {
                report(
                    format!("{at}.baseType"),
                    format!("base type `{base}` is not defined in the spec"),
                );
            } else if in_cycle(spec, name) {
                report(
                    format!("{at}.baseType"),
                    format!("the inheritance chain of `{name}` has a cycle"),
                );
            }
        }
        if let Some(key) = &ty.key_property
            && !spec.all_properties(name).iter().any(|p| &p.name == key)
        {
            report(
                format!("{at}.keyProperty"),
                format!("key property `{key}` is not a property of `{name}`"),
            );
        }
        for (i, p) in ty.properties.iter().enumerate() {
            check_ref(
                format!("{at}.properties[{i}].type"),
                &p.type_ref,
                &mut report,
            );
        }
        for (i, n) in ty.navigation_properties.iter().enumerate() {
            let path = format!("{at}.navigationProperties[{i}].type");
            match n.type_ref.named().and_then(|t| spec.types.get(t)) {
                Some(target) if target.kind == TypeKind::Entity => {}
                Some(_) => report(
                    path,
                    format!("navigation target `{}` is not an entity type", n.type_ref),
                ),
                None => check_ref(path, &n.type_ref, &mut report),
            }
        }
    }

    let mut seen: BTreeMap<(String, &str), usize> = BTreeMap::new();
    for (i, op) in spec.operations.iter().enumerate() {
        let at = format!("operations[{i}]");
        if op.paths.is_empty() {
            report(
                format!("{at}.paths"),
                "an operation needs at least one path".to_owned(),
            );
        }
        for (j, path) in op.paths.iter().enumerate() {
            let key = (path.shape(), op.method.as_str());
            if let Some(first) = seen.insert(key, i) {
                report(
                    format!("{at}.paths[{j}]"),
                    format!(
                        "`{} {}` is already defined by operations[{first}]",
                        op.method.as_str(),
                        path
                    ),
                );
            }
        }
        for (j, p) in op.parameters.iter().enumerate() {
            check_ref(
                format!("{at}.parameters[{j}].type"),
                &p.type_ref,
                &mut report,
            );
        }
        if let Some(body) = &op.request_body {
            check_ref(
                format!("{at}.requestBody.type"),
                &body.type_ref,
                &mut report,
            );
        }
        if let Some(body) = &op.response.body {
            check_ref(
                format!("{at}.response.body.type"),
                &body.type_ref,
                &mut report,
            );
        }
        if let Some(body) = op.response.download.as_ref().and_then(|d| d.json.as_ref()) {
            check_ref(
                format!("{at}.response.download.json.type"),
                &body.type_ref,
                &mut report,
            );
        }
    }
    errors
}

/// Whether following base types from `name` never reaches a root.
fn in_cycle(spec: &Spec, name: &str) -> bool {
    let mut current = name;
    for _ in 0..=spec.types.len() {
        match spec.types.get(current).and_then(|t| t.base_type.as_deref()) {
            Some(base) if spec.types.contains_key(base) => current = base,
            _ => return false,
        }
    }
    true
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::*;
    use crate::path::PathTemplate;
    use crate::{Primitive, TypeRef};

    fn spec_with_op(path: &str) -> Spec {
        let mut spec = Spec::new();
        spec.operations.push(Operation {
            kind: OperationKind::Get,
            name: String::new(),
            method: HttpMethod::Get,
            paths: vec![PathTemplate::parse(path).unwrap()],
            summary: "s".into(),
            description: String::new(),
            parameters: vec![],
            request_body: None,
            reference: false,
            response: Response {
                status: 200,
                body: Some(ResponseBody {
                    type_ref: TypeRef::Named("missing".into()),
                    collection: false,
                }),
                download: None,
            },
            headers: vec![],
            query_options: vec![],
            permissions: Permissions::default(),
            examples: vec![],
            source: Source::default(),
        });
        spec
    }

    #[test]
    fn missing_types_and_duplicates_are_reported_with_paths() {
        let mut spec = spec_with_op("/a/{id}");
        let dup = spec.operations[0].clone();
        spec.operations.push(dup);
        let errors = validate(&spec, Path::new("spec/api.json"));
        let shown: Vec<String> = errors.iter().map(ToString::to_string).collect();
        assert!(shown.contains(&"spec/api.json: at JSON path `operations[0].response.body.type`: type `missing` is not defined in the spec".to_owned()), "{shown:#?}");
        assert!(shown.contains(&"spec/api.json: at JSON path `operations[1].paths[0]`: `GET /a/{id}` is already defined by operations[0]".to_owned()), "{shown:#?}");
    }

    #[test]
    fn a_consistent_spec_is_valid() {
        let mut spec = spec_with_op("/a/{id}");
        spec.types.insert(
            "missing".into(),
            TypeDef {
                kind: TypeKind::Entity,
                base_type: None,
                is_abstract: false,
                key_property: Some("id".into()),
                description: String::new(),
                properties: vec![Property {
                    name: "id".into(),
                    type_ref: TypeRef::Primitive(Primitive::String),
                    collection: false,
                    nullable: false,
                    read_only: true,
                    select_only: false,
                    write_only: None,
                    description: String::new(),
                }],
                navigation_properties: vec![],
                undocumented: false,
                source: Source::default(),
            },
        );
        assert_eq!(validate(&spec, Path::new("x")), vec![]);
        spec.types.get_mut("missing").unwrap().base_type = Some("missing".into());
        let errors = validate(&spec, Path::new("x"));
        assert_eq!(errors.len(), 1, "{errors:?}");
        assert!(errors[0].message.contains("cycle"));
    }
}

//! Reads a resource page (`doc_type: resourcePageType`) into a type definition.

use graph_spec::{DefectKind, NavigationProperty, TypeDef, TypeKind};

use crate::markdown::{Block, Document};
use crate::properties::{ListedString, Mentions, TypeMention, lower_first};
use crate::report::{PageError, Report};
use crate::tables::{self, PropertyRow};

/// What a resource page contributes.
#[derive(Debug)]
pub struct ResourcePage {
    /// The Graph name, e.g. `deviceManagementDomainJoinConnector`.
    pub name: String,
    /// The type, with every row of the Properties table, inherited ones included; the assembler
    /// drops the rows that a base type documents itself.
    pub def: TypeDef,
    /// Named types and inferred enums.
    pub mentions: Mentions,
    /// The annotation's `keyProperty` where the Properties table does not list it: the key of a
    /// base type, or of Graph's root `entity` (the assembler decides).
    pub unlisted_key: Option<String>,
}

/// Reads a resource page.
pub fn read(doc: &Document, report: &mut Report) -> Result<ResourcePage, PageError> {
    let annotation = doc.blocks.iter().find_map(|b| match b {
        Block::Code {
            annotation: Some(a),
            ..
        } if a.get("blockType").and_then(|t| t.as_str()) == Some("resource") => Some(a),
        _ => None,
    });
    let annotated = |key: &str| {
        annotation
            .and_then(|a| a.get(key))
            .and_then(|v| v.as_str())
            .map(|v| graph_odata::relative_type_name(v).to_owned())
    };
    let title = doc.title();
    let name = annotated("@odata.type")
        .or_else(|| title.strip_suffix(" resource type").map(str::to_owned))
        .filter(|n| !n.is_empty() && !n.contains(' '))
        .ok_or_else(|| PageError {
            file: report.file().to_owned(),
            line: 1,
            message: format!("cannot tell the type's name: no resource annotation and the title `{title}` is not `<name> resource type`"),
        })?;
    let name = lower_first(&name);

    let inherits_line = doc.blocks.iter().find_map(|b| match b {
        Block::Paragraph { inline, line }
            if inline.text.trim_start().starts_with("Inherits from") =>
        {
            inline.links.first().map(|l| (l.text.clone(), *line))
        }
        _ => None,
    });
    let base_type = inherits_line
        .as_ref()
        .map(|(b, _)| b.clone())
        .or_else(|| annotated("baseType"));

    let mut mentions = Mentions::default();
    if let Some((base, line)) = &inherits_line {
        mentions.types.push(TypeMention {
            name: base.clone(),
            link: None,
            line: *line,
        });
    }
    let rows = table_rows(doc, "Properties", report);
    mentions
        .listed_strings
        .extend(rows.iter().filter_map(|r| ListedString::read(r, &name)));
    let key = annotated("keyProperty");
    let has_key = key
        .as_ref()
        .is_some_and(|k| rows.iter().any(|r| &r.name == k));
    if let (Some(k), false) = (&key, has_key) {
        report.defect(
            doc.section(&["JSON Representation"]).map_or(1, |s| s.line),
            DefectKind::InconsistentAnnotation,
            format!("the annotation's keyProperty `{k}` is not in the Properties table; read as a complex type unless a base type has the key, or a page reads the type and Graph's root `entity` has the key (then it derives from `entity`)"),
        );
    }
    let (key, unlisted_key) = match key.filter(|k| !k.is_empty()) {
        Some(k) if has_key => (Some(k), None),
        unlisted => (None, unlisted),
    };
    let properties: Vec<_> = rows
        .iter()
        .map(|r| mentions.property(r, &name, key.as_deref(), report))
        .collect();
    let navigation_properties = table_rows(doc, "Relationships", report)
        .iter()
        .map(|r| {
            let type_ref = mentions.type_ref(r, &name, report);
            NavigationProperty {
                name: r.name.clone(),
                type_ref,
                collection: r.collection,
                description: r.description.clone(),
            }
        })
        .collect();
    let description = doc
        .front_matter
        .get("description")
        .cloned()
        .unwrap_or_default();
    let is_abstract = description.to_ascii_lowercase().contains("abstract");
    Ok(ResourcePage {
        def: TypeDef {
            kind: if key.is_some() {
                TypeKind::Entity
            } else {
                TypeKind::Complex
            },
            base_type,
            is_abstract,
            key_property: key,
            description,
            properties,
            navigation_properties,
            undocumented: false,
            source: report.source(doc.section(&["Properties"]).map_or(1, |s| s.line)),
        },
        name,
        mentions,
        unlisted_key,
    })
}

/// The rows of the first table in a section; a section of "None" has none.
fn table_rows(doc: &Document, section: &str, report: &mut Report) -> Vec<PropertyRow> {
    doc.section(&[section])
        .and_then(|s| {
            s.tables()
                .next()
                .and_then(|(h, rows)| tables::property_table(h, rows, report))
        })
        .unwrap_or_default()
}

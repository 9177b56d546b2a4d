//! Reads a resource page (`doc_type: resourcePageType`) into a type definition.

use graph_spec::{DefectKind, EnumDef, NavigationProperty, TypeDef, TypeKind};

use crate::markdown::{Block, Document, Inline};
use crate::properties::{ListedString, Mentions, TypeMention, lower_first};
use crate::report::{PageError, Report};
use crate::tables::{self, PropertyRow, TypeName};

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
    /// The enums of its own properties the page lists under `### <name> values` headings; an
    /// enum page of the same name wins.
    pub enums: Vec<(String, EnumDef)>,
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

    let (base_type, base_line) = base_type(doc, annotated("baseType"));

    let mut mentions = Mentions::default();
    if let (Some(base), Some(line)) = (&base_type, base_line) {
        mentions.types.push(TypeMention {
            name: base.clone(),
            link: None,
            line,
        });
    }
    let rows = table_rows(doc, "Properties", report);
    let enums = crate::enum_page::several(
        doc,
        |enum_name| {
            (rows.iter())
                .any(|r| matches!(&r.type_name, TypeName::Named { name, .. } if name == enum_name))
        },
        report,
    );
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
        enums,
    })
}

/// The base type the page states, with the line of the prose that states it (`None` when the
/// annotation does): a paragraph that opens with it (`Inherits from [entity](...)`, wherever it
/// stands), then the annotation's `baseType`, then a sentence of the introduction (`This type
/// will inherit from [x](...)`), whose wording is the loosest.
fn base_type(doc: &Document, annotated: Option<String>) -> (Option<String>, Option<u32>) {
    let opening = doc.blocks.iter().find_map(|b| match b {
        Block::Paragraph { inline, line }
            if inline.text.trim_start().starts_with("Inherits from") =>
        {
            inline.links.first().map(|l| (l.text.clone(), *line))
        }
        _ => None,
    });
    let introduction = (doc.blocks.iter())
        .take_while(|b| !matches!(b, Block::Heading { level: 2, .. }))
        .find_map(|b| match b {
            Block::Paragraph { inline, line } => stated_base(inline).map(|base| (base, *line)),
            _ => None,
        });
    match (opening, annotated, introduction) {
        (Some((base, line)), _, _) | (None, None, Some((base, line))) => (Some(base), Some(line)),
        (None, annotated, _) => (annotated, None),
    }
}

/// The base type a paragraph states about the page's type: "Inherits from [entity](...)",
/// "This type will inherit from [identityProviderBase](...)", "Derived from [place](...)": the
/// phrase, then the link. "[serviceEndpoint](...) types inherit from this type" names a derived
/// type, and "All the session controls inherit from [x]" other types: neither is read.
fn stated_base(inline: &Inline) -> Option<String> {
    const PHRASES: [&str; 4] = [
        "inherits from ",
        "will inherit from ",
        "derived from ",
        "derives from ",
    ];
    // ASCII lower-casing keeps every byte offset.
    let lower = inline.text.to_ascii_lowercase();
    PHRASES
        .iter()
        .flat_map(|phrase| (lower.match_indices(phrase)).map(move |(at, _)| at + phrase.len()))
        .filter_map(|after| {
            let rest = &inline.text[after..];
            // The link whose whole text comes next (`teamsAppInstallation`, not a `teamsApp`
            // linked earlier), and names a type.
            let link = inline.links.iter().find(|l| {
                rest.strip_prefix(l.text.as_str())
                    .is_some_and(|after| !after.starts_with(|c: char| c.is_alphanumeric()))
                    && !l.text.is_empty()
                    && !l.text.contains(char::is_whitespace)
            })?;
            Some((after, link.text.clone()))
        })
        .min()
        .map(|(_, base)| base)
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

#[cfg(test)]
mod tests {
    use super::*;
    use crate::markdown::Link;

    /// A paragraph as the parser gives it: the text with each `[text](...)` kept as its text.
    fn paragraph(text: &str, links: &[&str]) -> Inline {
        Inline {
            text: text.to_owned(),
            links: (links.iter())
                .map(|l| Link {
                    text: (*l).to_owned(),
                    target: format!("{l}.md"),
                })
                .collect(),
            strong: Vec::new(),
        }
    }

    #[test]
    fn a_base_type_is_the_link_right_after_a_phrase_about_this_type() {
        let base = |text: &str, links: &[&str]| stated_base(&paragraph(text, links));
        assert_eq!(
            base(
                "This type will inherit from identityProviderBase.",
                &["identityProviderBase"]
            ),
            Some("identityProviderBase".to_owned())
        );
        assert_eq!(
            base(
                "Represents a meeting. Derived from place.",
                &["meeting", "place"]
            ),
            Some("place".to_owned())
        );
        // The whole link: a `teamsApp` linked earlier is not `teamsAppInstallation`'s prefix.
        assert_eq!(
            base(
                "An installed teamsApp. This type inherits from teamsAppInstallation.",
                &["teamsApp", "teamsAppInstallation"]
            ),
            Some("teamsAppInstallation".to_owned())
        );
        // Other types inherit; a link that is not a name; no link after the phrase.
        for (text, links) in [
            (
                "serviceEndpoint types inherit from this type.",
                &["serviceEndpoint"][..],
            ),
            (
                "All the session controls inherit from sessionControl.",
                &["sessionControl"][..],
            ),
            (
                "Inherits from Conditional Access Session Control.",
                &["Conditional Access Session Control"][..],
            ),
            (
                "Resources that derive from baseItem include: site.",
                &["site"][..],
            ),
        ] {
            assert_eq!(base(text, links), None, "{text}");
        }
    }
}

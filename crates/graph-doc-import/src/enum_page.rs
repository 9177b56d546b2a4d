//! Reads an enum page (`doc_type: enumPageType`) into enum definitions: one enum (`# <name>
//! enum type` with a `## Members` table), or several (`enums.md`, `enums-callrecords.md`, ...:
//! a `### <name> values` heading and members table per enum, in the namespace the page names).

use graph_spec::{EnumDef, EnumMember};

use crate::markdown::{Block, Document, Row};
use crate::properties::lower_first;
use crate::report::{PageError, Report};
use crate::tables;

/// Reads an enum page into its enums' names and definitions.
pub fn read(doc: &Document, report: &mut Report) -> Result<Vec<(String, EnumDef)>, PageError> {
    let file = report.file().to_owned();
    let error = |line: u32, message: String| PageError {
        file: file.clone(),
        line,
        message,
    };
    let title = doc.title();
    let description = doc
        .front_matter
        .get("description")
        .cloned()
        .unwrap_or_default();
    let Some(name) = title
        .strip_suffix(" enum type")
        .filter(|n| !n.is_empty() && !n.contains(' '))
        .map(lower_first)
    else {
        let enums = several(doc, |_| true, report);
        if enums.is_empty() {
            return Err(error(
                1,
                format!(
                    "the title `{title}` is not `<name> enum type`, and the page has no `### <name> values` headings with members tables"
                ),
            ));
        }
        return Ok(enums);
    };
    let section = doc
        .section(&["Members"])
        .ok_or_else(|| error(1, "the page has no `## Members` section".to_owned()))?;
    let (header, rows) = section
        .tables()
        .next()
        .ok_or_else(|| error(section.line, "the Members section has no table".to_owned()))?;
    let is_flags = description.to_ascii_lowercase().contains("flags enum");
    let def = definition(header, rows, description, section.line, report).ok_or_else(|| {
        error(
            header.line,
            "the Members table has an unknown layout".to_owned(),
        )
    })?;
    Ok(vec![(name, EnumDef { is_flags, ..def })])
}

/// The enums of a page that lists several: each `### <name> values` heading with the members
/// table under it, for the names `wanted` accepts (as written, in lower camel case). Names are
/// qualified by the page's `Namespace:` line when it names a sub-namespace
/// (`microsoft.graph.callRecords` gives `callRecords.callType`). Resource pages list the enums
/// of their own properties this way too (`### printQuality values`).
pub(crate) fn several(
    doc: &Document,
    wanted: impl Fn(&str) -> bool,
    report: &mut Report,
) -> Vec<(String, EnumDef)> {
    let namespace = doc.namespace();
    let mut enums = Vec::new();
    for (index, block) in doc.blocks.iter().enumerate() {
        let Block::Heading {
            level: 2..,
            text,
            line,
        } = block
        else {
            continue;
        };
        let Some(name) = text
            .trim()
            .strip_suffix(" values")
            .filter(|n| !n.is_empty() && !n.contains(' '))
            .map(lower_first)
            .filter(|n| wanted(n))
        else {
            continue;
        };
        let table = doc.blocks[index + 1..]
            .iter()
            .take_while(|b| !matches!(b, Block::Heading { .. }))
            .find_map(|b| match b {
                Block::Table { header, rows } => Some((header, rows)),
                _ => None,
            });
        let Some((header, rows)) = table else {
            continue;
        };
        let Some(def) = definition(header, rows, String::new(), *line, report) else {
            continue;
        };
        let name = match &namespace {
            Some(ns) => format!("{ns}.{name}"),
            None => name,
        };
        enums.push((name, def));
    }
    enums
}

/// An enum from its members table, sourced at `line`; `None`, reported, for a table of another
/// layout.
fn definition(
    header: &Row,
    rows: &[Row],
    description: String,
    line: u32,
    report: &mut Report,
) -> Option<EnumDef> {
    let members = tables::members_table(header, rows, report)?;
    Some(EnumDef {
        description,
        is_flags: false,
        // A `null` row (`ageGroup`: null, minor, ...) says the property may be null; JSON's
        // null is no member.
        members: members
            .into_iter()
            .filter(|m| m.name != "null")
            .map(|m| EnumMember {
                name: m.name,
                value: m.value,
                description: m.description,
            })
            .collect(),
        inferred: false,
        source: report.source(line),
    })
}

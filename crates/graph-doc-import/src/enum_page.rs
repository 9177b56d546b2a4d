//! Reads an enum page (`doc_type: enumPageType`) into an enum definition.

use graph_spec::{EnumDef, EnumMember};

use crate::markdown::Document;
use crate::properties::lower_first;
use crate::report::{PageError, Report};
use crate::tables;

/// Reads an enum page into its name and definition.
pub fn read(doc: &Document, report: &mut Report) -> Result<(String, EnumDef), PageError> {
    let file = report.file().to_owned();
    let error = |line: u32, message: String| PageError {
        file: file.clone(),
        line,
        message,
    };
    let title = doc.title();
    let name = title
        .strip_suffix(" enum type")
        .filter(|n| !n.is_empty() && !n.contains(' '))
        .map(lower_first)
        .ok_or_else(|| error(1, format!("the title `{title}` is not `<name> enum type`")))?;
    let section = doc
        .section(&["Members"])
        .ok_or_else(|| error(1, "the page has no `## Members` section".to_owned()))?;
    let (header, rows) = section
        .tables()
        .next()
        .ok_or_else(|| error(section.line, "the Members section has no table".to_owned()))?;
    let members = tables::members_table(header, rows, report).ok_or_else(|| {
        error(
            header.line,
            "the Members table is not Member|Value|Description".to_owned(),
        )
    })?;
    let description = doc
        .front_matter
        .get("description")
        .cloned()
        .unwrap_or_default();
    let is_flags = description.to_ascii_lowercase().contains("flags enum");
    Ok((
        name,
        EnumDef {
            description,
            is_flags,
            members: members
                .into_iter()
                .map(|m| EnumMember {
                    name: m.name,
                    value: m.value,
                    description: m.description,
                })
                .collect(),
            inferred: false,
            source: report.source(section.line),
        },
    ))
}

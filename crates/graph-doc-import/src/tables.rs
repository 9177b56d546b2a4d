//! Reads the tables that Graph doc pages share: property tables (Property|Type|Description),
//! the permissions table, the request-headers table and the enum members table.
//!
//! Each reader checks the header row first and reports an unknown layout rather than guessing.

use graph_spec::{DefectKind, Header, PermissionSet, Permissions, Primitive, WriteOnly};

use crate::markdown::{Inline, Row};
use crate::report::Report;

/// What a Type cell says, before names are resolved against the other pages.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum TypeName {
    /// `String`, `Int32`, ...
    Primitive(Primitive),
    /// A linked or plain type name, e.g. `[deviceManagementDomainJoinConnectorState](...)`.
    Named {
        /// The Graph name.
        name: String,
        /// The link target, when the cell links to a page.
        link: Option<String>,
    },
    /// The draft format's `Enumeration`, which names no enum.
    Enumeration,
}

/// One row of a property, relationship or parameter table.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PropertyRow {
    /// The JSON name.
    pub name: String,
    /// The type cell.
    pub type_name: TypeName,
    /// The cell ends in `collection`.
    pub collection: bool,
    /// The description cell.
    pub description: String,
    /// The type named by "Inherited from [x]" in the description.
    pub inherited_from: Option<String>,
    /// The row's line.
    pub line: u32,
}

impl PropertyRow {
    /// The description says the property is read-only.
    pub fn read_only(&self) -> bool {
        let lower = self.description.to_ascii_lowercase();
        lower.contains("read-only") || lower.contains("read only") || lower.contains("readonly")
    }

    /// The description says the property is write-only: see [`write_only`].
    pub fn write_only(&self) -> Option<WriteOnly> {
        write_only(&self.description)
    }

    /// The description says the property is "Returned only on `$select`".
    pub fn select_only(&self) -> bool {
        let lower = self.description.to_ascii_lowercase().replace('`', "");
        lower.contains("returned only on $select")
    }
}

/// Whether a property's description calls it write-only, and what a read answers instead: "This
/// is write-only. A read operation will return ****" (that mask), "Write-only." or "It is not
/// returned in the responses" (left out), "the value can never be read back".
pub fn write_only(description: &str) -> Option<WriteOnly> {
    let lower = description.to_ascii_lowercase();
    let says = [
        "write-only",
        "write only",
        "not returned in the responses",
        "never be read back",
    ]
    .iter()
    .any(|phrase| lower.contains(phrase));
    if !says {
        return None;
    }
    // The mask is the run of asterisks after "return": `will return ****.`, `returns "****"`.
    let mask = lower.split("return").skip(1).find_map(|after| {
        let after = after.trim_start_matches(|c: char| c.is_ascii_alphabetic());
        let after = after.trim_start().trim_start_matches(['"', '`', '\'']);
        let stars = after.split(|c: char| c != '*').next()?;
        (stars.len() >= 3).then(|| stars.to_owned())
    });
    Some(WriteOnly { mask })
}

/// Reads a Type cell: a primitive, a link, a plain name, each optionally followed by `collection`.
pub fn type_cell(cell: &Inline) -> Option<(TypeName, bool)> {
    let text = cell.text.trim();
    let (base, collection) = match text.strip_suffix("collection") {
        Some(base) => (base.trim(), true),
        None => (text, false),
    };
    let primitive = |name: &str| {
        // `Edm.String`, and `edm.DateTime` as some pages write it.
        let name = (name.get(..4))
            .filter(|prefix| prefix.eq_ignore_ascii_case("edm."))
            .map_or(name, |_| &name[4..]);
        Primitive::from_name(name).or_else(|| informal_primitive(name))
    };
    if let Some(link) = cell.links.first() {
        // `[DateTimeOffset](https://...)`: a primitive linked to where it is explained.
        if let Some(primitive) = primitive(link.text.trim()) {
            return Some((TypeName::Primitive(primitive), collection));
        }
        return Some((
            TypeName::Named {
                name: graph_odata::relative_type_name(&link.text).to_owned(),
                link: Some(link.target.clone()),
            },
            collection,
        ));
    }
    // Some pages print `** Unknown Type a.b.c **` for a type the doc tool could not resolve.
    if let Some(unknown) = base.split("Unknown Type").nth(1) {
        let qualified = unknown.trim().trim_end_matches('*').trim();
        let name = graph_odata::relative_type_name(qualified).to_owned();
        return (!name.is_empty()).then_some((TypeName::Named { name, link: None }, collection));
    }
    if base.eq_ignore_ascii_case("Enumeration") {
        return Some((TypeName::Enumeration, collection));
    }
    if let Some(primitive) = primitive(base) {
        return Some((TypeName::Primitive(primitive), collection));
    }
    let is_name = !base.is_empty()
        && base
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || c == '.' || c == '_');
    is_name.then(|| {
        let name = graph_odata::relative_type_name(base).to_owned();
        (TypeName::Named { name, link: None }, collection)
    })
}

/// The primitive a hand-written page means by a name OData does not use (`Integer`, `bool`,
/// `datetime`, `Url`, ...). `Json` and `Object` are left alone: Graph has types of those names.
fn informal_primitive(name: &str) -> Option<Primitive> {
    Some(match name.to_ascii_lowercase().as_str() {
        "int" | "integer" => Primitive::Int32,
        "long" => Primitive::Int64,
        "bool" => Primitive::Boolean,
        "float" | "number" | "numeric" => Primitive::Double,
        "datetime" | "timestamp" => Primitive::DateTimeOffset,
        "uuid" => Primitive::Guid,
        "url" | "uri" => Primitive::String,
        "timespan" => Primitive::Duration,
        _ => return None,
    })
}

/// Whether a header row has these column titles (case-insensitive, extra columns refused).
fn has_columns(header: &Row, expected: &[&str]) -> bool {
    header.cells.len() == expected.len()
        && header
            .cells
            .iter()
            .zip(expected)
            .all(|(cell, want)| cell.text.eq_ignore_ascii_case(want))
}

/// Reads a Property|Type|Description table (or Relationship|..., Parameter|..., Property
/// name|..., or a Property|Type table without descriptions).
/// Returns `None`, after reporting, when the header is some other layout.
pub fn property_table(header: &Row, rows: &[Row], report: &mut Report) -> Option<Vec<PropertyRow>> {
    let first_columns = [
        "Property",
        "Property name",
        "Relationship",
        "Relationship name",
        "Parameter",
        "Name",
    ];
    let known = first_columns.iter().any(|first| {
        has_columns(header, &[first, "Type", "Description"])
            || has_columns(header, &[first, "Type"])
    });
    if !known {
        report.defect(
            header.line,
            DefectKind::UnknownTableLayout,
            format!(
                "expected a Property|Type|Description table, found columns {:?}; the table is skipped",
                header.cells.iter().map(|c| c.text.as_str()).collect::<Vec<_>>()
            ),
        );
        return None;
    }
    let mut out: Vec<PropertyRow> = Vec::new();
    for row in rows {
        // A description with a line break splits the row: the rest arrives as a row whose first
        // cell is prose and whose other cells are empty.
        if let (Some(previous), [continuation, rest @ ..]) = (out.last_mut(), row.cells.as_slice())
            && continuation.text.contains(' ')
            && rest.iter().all(|c| c.text.is_empty())
        {
            previous.description = format!(
                "{} {}",
                previous.description,
                continuation.text.trim_end_matches('|').trim()
            );
            report.defect(
                row.line,
                DefectKind::UnknownTableLayout,
                format!(
                    "the row of `{}` is split across lines; the rest is joined to its description",
                    previous.name
                ),
            );
            continue;
        }
        let no_description = Inline::default();
        let (name, ty, description) = match (row.cells.as_slice(), header.cells.len()) {
            ([name, ty, description], 3) => (name, ty, description),
            ([name, ty], 2) => (name, ty, &no_description),
            _ => {
                report.defect(
                    row.line,
                    DefectKind::UnknownTableLayout,
                    format!(
                        "a property row does not have {} cells; the row is skipped",
                        header.cells.len()
                    ),
                );
                continue;
            }
        };
        let Some((type_name, collection)) = type_cell(ty) else {
            report.defect(
                row.line,
                DefectKind::UnknownType,
                format!(
                    "the type `{}` of property `{}` is not a type name; the row is skipped",
                    ty.text, name.text
                ),
            );
            continue;
        };
        let written = ty.text.trim().trim_end_matches("collection").trim();
        if let Some(primitive) = informal_primitive(written) {
            report.defect(
                row.line,
                DefectKind::UnknownType,
                format!(
                    "`{}` has the type `{written}`, which OData does not have; read as Edm.{}",
                    name.text,
                    primitive.name()
                ),
            );
        }
        let inherited_from = description
            .text
            .contains("Inherited from")
            .then(|| description.links.last().map(|l| l.text.clone()))
            .flatten();
        out.push(PropertyRow {
            name: name.text.clone(),
            type_name,
            collection,
            description: description.text.clone(),
            inherited_from,
            line: row.line,
        });
    }
    Some(out)
}

/// Reads the permissions table into least-to-most-privileged lists. Older pages give one column
/// of permissions (`Permissions (from least to most privileged)`); today's give two, `Least
/// privileged permissions` and `Higher privileged permissions`, and either grants access (as do
/// the "acting on self" and "acting on others" columns of some older pages).
pub fn permissions_table(header: &Row, rows: &[Row], report: &mut Report) -> Permissions {
    let order = header
        .cells
        .get(1)
        .map(|c| c.text.to_ascii_lowercase())
        .unwrap_or_default();
    let most_first = order.contains("most to least");
    let two_scope_columns = header.cells.len() == 3
        && (header.cells[1..].iter()).all(|c| c.text.to_ascii_lowercase().contains("permission"));
    let columns = if two_scope_columns { 3 } else { 2 };
    let mut permissions = Permissions::default();
    for row in rows {
        let set = match row.cells.as_slice() {
            [_, cell] if columns == 2 => permission_cell(&cell.text, most_first, row.line, report),
            [_, first, second] if columns == 3 => either(
                permission_cell(&first.text, false, row.line, report),
                permission_cell(&second.text, false, row.line, report),
            ),
            _ => {
                report.defect(
                    row.line,
                    DefectKind::UnknownTableLayout,
                    format!("a permissions row does not have {columns} cells"),
                );
                continue;
            }
        };
        let kind = row.cells[0].text.to_ascii_lowercase();
        if kind.starts_with("delegated") && kind.contains("personal") {
            permissions.delegated_personal = set;
        } else if kind.starts_with("delegated") {
            permissions.delegated_work = set;
        } else if kind.starts_with("application") {
            permissions.application = set;
        } else {
            report.defect(
                row.line,
                DefectKind::UnknownTableLayout,
                format!("unknown permission type `{kind}`"),
            );
        }
    }
    permissions
}

/// Two cells of one row, either of which grants access: the first's scopes, then the second's
/// not already among them. A cell without scopes ("Not available." higher up, "Not applicable."
/// acting on self) adds none; without scopes in either, the first cell says what holds.
fn either(first: PermissionSet, second: PermissionSet) -> PermissionSet {
    match (first, second) {
        (PermissionSet::Scopes(mut first), PermissionSet::Scopes(second)) => {
            for scope in second {
                if !first.contains(&scope) {
                    first.push(scope);
                }
            }
            PermissionSet::Scopes(first)
        }
        (_, second @ PermissionSet::Scopes(_)) => second,
        (first, _) => first,
    }
}

/// One cell of the permissions table. Its permissions are alternatives, separated by commas
/// (or, on hand-written pages, by spaces or "or"); "A and B" (or "A plus B") is one alternative
/// that needs both. Words that are no permission name ("One from", "for a chat message") are
/// reported and left out; a cell with no name at all is undetermined.
fn permission_cell(text: &str, most_first: bool, line: u32, report: &mut Report) -> PermissionSet {
    let text = text.trim();
    if text.contains("TODO") {
        report.defect(
            line,
            DefectKind::TodoPermission,
            format!("the permissions cell is a placeholder: `{text}`"),
        );
        return PermissionSet::Undetermined;
    }
    let bare = text.trim_end_matches('.').trim();
    if [
        "",
        "Not supported",
        "Not applicable",
        "Not available",
        "n/a",
    ]
    .iter()
    .any(|word| bare.eq_ignore_ascii_case(word))
    {
        return PermissionSet::NotSupported;
    }
    if bare.eq_ignore_ascii_case("None") {
        return PermissionSet::NoneRequired;
    }
    let read = read_permissions(text);
    if !read.ignored.is_empty() {
        report.defect(
            line,
            DefectKind::MalformedPermissions,
            format!(
                "`{}` in the permissions `{text}` is no permission name; left out",
                read.ignored.join(" ")
            ),
        );
    }
    if read.alternatives.is_empty() {
        return PermissionSet::Undetermined;
    }
    if read.unseparated {
        report.defect(
            line,
            DefectKind::MalformedPermissions,
            format!(
                "the scopes `{text}` are not separated by commas; read as {} scopes",
                read.alternatives.len()
            ),
        );
    }
    let mut scopes: Vec<String> = (read.alternatives.iter())
        .map(|all| all.join(graph_spec::ALL_OF_SEPARATOR))
        .collect();
    if most_first {
        scopes.reverse();
    }
    PermissionSet::Scopes(scopes)
}

/// What [`read_permissions`] found in a cell.
#[derive(Debug, Default)]
struct ReadPermissions<'a> {
    /// Each alternative's scopes, all of which it needs.
    alternatives: Vec<Vec<&'a str>>,
    /// Two names followed each other with no comma or word between them.
    unseparated: bool,
    /// The words that are no permission name.
    ignored: Vec<&'a str>,
}

fn read_permissions(text: &str) -> ReadPermissions<'_> {
    let mut read = ReadPermissions::default();
    for segment in text.split(',') {
        // Whether the last word of this segment was a name, and whether a name joins it.
        let (mut after_name, mut joining) = (false, false);
        // "For user resource:User.Read": a colon ends a word too.
        for word in segment
            .split(|c: char| c.is_whitespace() || c == ':')
            .filter(|w| !w.is_empty())
        {
            // `Schedule.ReadWrite.All*`: an asterisk points at a footnote.
            let name = (word.trim_matches(['(', ')', ';', '`'])).trim_end_matches(['.', '*']);
            match name.to_ascii_lowercase().as_str() {
                // "A, B, and C" lists alternatives: only "and" after a name joins.
                "and" | "plus" => joining = after_name,
                "or" => (after_name, joining) = (false, false),
                _ if is_permission_name(name) => {
                    match (joining, read.alternatives.last_mut()) {
                        (true, Some(all)) => all.push(name),
                        _ => {
                            read.unseparated |= after_name;
                            read.alternatives.push(vec![name]);
                        }
                    }
                    (after_name, joining) = (true, false);
                }
                _ => {
                    read.ignored.push(word);
                    (after_name, joining) = (false, false);
                }
            }
        }
    }
    read
}

/// `User.Read.All`, `eDiscovery.ReadWrite.All`: dotted words of letters, digits and `_`.
fn is_permission_name(word: &str) -> bool {
    word.starts_with(|c: char| c.is_ascii_alphabetic())
        && word.contains('.')
        && word.split('.').all(|part| {
            !part.is_empty() && part.chars().all(|c| c.is_ascii_alphanumeric() || c == '_')
        })
}

/// Reads the Header|Value table.
pub fn headers_table(header: &Row, rows: &[Row], report: &mut Report) -> Vec<Header> {
    // Intune writes Header|Value; hand-written pages Name|Description, Name|Value, and
    // Name|Type|Description (the value last).
    let layouts: [&[&str]; 4] = [
        &["Header", "Value"],
        &["Name", "Description"],
        &["Name", "Value"],
        &["Name", "Type", "Description"],
    ];
    let Some(layout) = layouts.iter().find(|l| has_columns(header, l)) else {
        report.defect(
            header.line,
            DefectKind::UnknownTableLayout,
            format!(
                "expected a Header|Value or Name|Description table, found columns {:?}; the table is skipped",
                header.cells.iter().map(|c| c.text.as_str()).collect::<Vec<_>>()
            ),
        );
        return Vec::new();
    };
    let columns = layout.len();
    rows.iter()
        .filter_map(|row| match row.cells.as_slice() {
            cells if cells.len() == columns => {
                let (name, value) = (&cells[0], &cells[columns - 1]);
                let required = value.text.contains("Required");
                let value = value.text.trim_end_matches("Required.").trim().to_owned();
                Some(Header {
                    name: name.text.clone(),
                    value,
                    required,
                })
            }
            _ => {
                report.defect(
                    row.line,
                    DefectKind::UnknownTableLayout,
                    format!("a header row does not have {columns} cells"),
                );
                None
            }
        })
        .collect()
}

/// One row of an enum Members table.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MemberRow {
    /// The member name.
    pub name: String,
    /// The numeric value.
    pub value: i64,
    /// The description.
    pub description: String,
}

/// Reads a members table: a `Member` column, then any of `Value` (or `Int value`) and
/// `Description`. Without a value column a member's value is its position, as the service
/// numbers them.
pub fn members_table(header: &Row, rows: &[Row], report: &mut Report) -> Option<Vec<MemberRow>> {
    let columns: Vec<String> = header
        .cells
        .iter()
        .map(|c| c.text.to_ascii_lowercase().replace(' ', ""))
        .collect();
    // `| Value | Description |` under a `### <name> values` heading names the members in its
    // first column, as `| Member | Description |` does.
    let value_column = (columns.iter().enumerate().skip(1))
        .find(|(_, c)| *c == "value" || *c == "intvalue")
        .map(|(i, _)| i);
    let description_column = columns.iter().position(|c| c == "description");
    let known = 1 + usize::from(value_column.is_some()) + usize::from(description_column.is_some());
    let names_members = matches!(
        columns.first().map(String::as_str),
        Some("member" | "value")
    );
    if !names_members || known != columns.len() {
        report.defect(
            header.line,
            DefectKind::UnknownTableLayout,
            "expected a Member table (or Value, Description), with Value and Description columns or without".to_owned(),
        );
        return None;
    }
    let mut members = Vec::new();
    for (index, row) in rows.iter().enumerate() {
        if row.cells.len() != columns.len() {
            report.defect(
                row.line,
                DefectKind::UnknownTableLayout,
                format!("a member row does not have {} cells", columns.len()),
            );
            continue;
        }
        let name = &row.cells[0].text;
        let value = match value_column {
            None => index as i64,
            Some(column) => row.cells[column].text.parse().unwrap_or_else(|_| {
                report.defect(
                    row.line,
                    DefectKind::UnknownTableLayout,
                    format!(
                        "the value `{}` of member `{name}` is not an integer; its position {index} is used",
                        row.cells[column].text
                    ),
                );
                index as i64
            }),
        };
        members.push(MemberRow {
            name: name.clone(),
            value,
            description: description_column
                .map(|column| row.cells[column].text.clone())
                .unwrap_or_default(),
        });
    }
    Some(members)
}

/// Reads the members from a "Possible values are: `a`, `b`, `c`." description (also "The
/// possible values are a, b, and c." and "Possible values include ...").
pub fn possible_values(description: &str) -> Vec<String> {
    let lower = description.to_ascii_lowercase();
    let Some(list) = ["possible values are", "possible values include"]
        .iter()
        .find_map(|lead| lower.find(lead).map(|at| &description[at + lead.len()..]))
    else {
        return Vec::new();
    };
    let list = list.split('.').next().unwrap_or_default();
    list.split(',')
        .map(|v| {
            let v = v.trim().trim_start_matches(':').trim();
            let v = v.strip_prefix("and ").unwrap_or(v);
            v.trim().trim_matches('`').trim().to_owned()
        })
        .filter(|v| !v.is_empty() && v.chars().all(|c| c.is_ascii_alphanumeric() || c == '_'))
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::markdown::Link;

    fn cell(text: &str) -> Inline {
        Inline {
            text: text.into(),
            ..Inline::default()
        }
    }

    fn row(cells: &[&str], line: u32) -> Row {
        Row {
            cells: cells.iter().map(|c| cell(c)).collect(),
            line,
        }
    }

    #[test]
    fn type_cells() {
        assert_eq!(
            type_cell(&cell("String")),
            Some((TypeName::Primitive(Primitive::String), false))
        );
        assert_eq!(
            type_cell(&cell("String collection")),
            Some((TypeName::Primitive(Primitive::String), true))
        );
        assert_eq!(
            type_cell(&cell("Enumeration")),
            Some((TypeName::Enumeration, false))
        );
        let linked = Inline {
            text: "x collection".into(),
            links: vec![Link {
                text: "x".into(),
                target: "../resources/x.md".into(),
            }],
            ..Inline::default()
        };
        assert_eq!(
            type_cell(&linked),
            Some((
                TypeName::Named {
                    name: "x".into(),
                    link: Some("../resources/x.md".into())
                },
                true
            ))
        );
        assert_eq!(
            type_cell(&cell("microsoft.graph.thing")),
            Some((
                TypeName::Named {
                    name: "thing".into(),
                    link: None
                },
                false
            ))
        );
        assert_eq!(type_cell(&cell("a b c")), None);
        // A primitive linked to the page that explains it is that primitive.
        let linked_primitive = Inline {
            text: "DateTimeOffset".into(),
            links: vec![Link {
                text: "DateTimeOffset".into(),
                target: "https://learn.microsoft.com/odata/primitive-types".into(),
            }],
            ..Inline::default()
        };
        assert_eq!(
            type_cell(&linked_primitive),
            Some((TypeName::Primitive(Primitive::DateTimeOffset), false))
        );
        for (informal, primitive) in [
            ("Integer", Primitive::Int32),
            ("bool", Primitive::Boolean),
            ("numeric", Primitive::Double),
            ("datetime", Primitive::DateTimeOffset),
            ("Url", Primitive::String),
            ("edm.DateTime", Primitive::DateTimeOffset),
        ] {
            assert_eq!(
                type_cell(&cell(&format!("{informal} collection"))),
                Some((TypeName::Primitive(primitive), true)),
                "{informal}"
            );
        }
        let unknown =
            cell("** Unknown Type microsoft.management.services.models.operation ** collection");
        assert_eq!(
            type_cell(&unknown),
            Some((
                TypeName::Named {
                    name: "operation".into(),
                    link: None
                },
                true
            ))
        );
    }

    /// Today's include files split the scopes into least and higher privileged columns: both
    /// are accepted, least privileged first; "Not available." adds none.
    #[test]
    fn least_and_higher_privileged_columns_are_both_accepted() {
        let mut report = Report::new("p.md");
        let header = row(
            &[
                "Permission type",
                "Least privileged permissions",
                "Higher privileged permissions",
            ],
            1,
        );
        let rows = [
            row(
                &[
                    "Delegated (work or school account)",
                    "A.Read.All",
                    "A.ReadWrite.All, A.Read.All",
                ],
                3,
            ),
            row(
                &[
                    "Delegated (personal Microsoft account)",
                    "Not supported.",
                    "Not supported.",
                ],
                4,
            ),
            row(&["Application", "A.Read.All", "Not available."], 5),
            row(&["Application", "A.Read.All"], 6),
        ];
        let p = permissions_table(&header, &rows, &mut report);
        assert_eq!(
            p.delegated_work,
            PermissionSet::Scopes(vec!["A.Read.All".into(), "A.ReadWrite.All".into()])
        );
        assert_eq!(p.delegated_personal, PermissionSet::NotSupported);
        assert_eq!(
            p.application,
            PermissionSet::Scopes(vec!["A.Read.All".into()])
        );
        let defects = report.into_defects();
        assert_eq!(defects.len(), 1, "{defects:?}");
        assert_eq!(defects[0].source.line, 6);
        assert!(defects[0].message.contains("3 cells"), "{defects:?}");
    }

    /// "Acting on self" and "acting on others": either column's scopes grant access.
    #[test]
    fn either_column_of_scopes_grants_access() {
        let scopes = |s: &[&str]| PermissionSet::Scopes(s.iter().map(|s| s.to_string()).collect());
        assert_eq!(
            either(PermissionSet::NotSupported, scopes(&["A.Read.All"])),
            scopes(&["A.Read.All"])
        );
        assert_eq!(
            either(
                scopes(&["A.Read", "B.Read"]),
                scopes(&["B.Read", "A.Read.All"])
            ),
            scopes(&["A.Read", "B.Read", "A.Read.All"])
        );
        assert_eq!(
            either(PermissionSet::NoneRequired, PermissionSet::NotSupported),
            PermissionSet::NoneRequired
        );
    }

    /// How the docs mark a write-only property, and the mask a read answers where they say one.
    #[test]
    fn write_only_properties_and_their_masks() {
        let masked = |mask: &str| {
            Some(WriteOnly {
                mask: Some(mask.to_owned()),
            })
        };
        let omitted = Some(WriteOnly { mask: None });
        for (description, expected) in [
            (
                "The client secret. This is write-only. A read operation will return ****. Required.",
                masked("****"),
            ),
            (
                "The client secret. This is write-only. A read operation returns \"****\".",
                masked("****"),
            ),
            (
                "The password. It is not returned in the responses.",
                omitted.clone(),
            ),
            (
                "Write only. Bytes for the hosted content (such as images).",
                omitted.clone(),
            ),
            (
                "Note the value for passwords is write-only, the value can never be read back.",
                omitted,
            ),
            (
                "The password for the user. This property is required when a user is created.",
                None,
            ),
            ("This property is never returned on a GET operation.", None),
        ] {
            assert_eq!(write_only(description), expected, "{description}");
        }
    }

    #[test]
    fn permissions_are_ordered_least_first_and_todos_reported() {
        let mut report = Report::new("p.md");
        let header = row(
            &[
                "Permission type",
                "Permissions (from most to least privileged)",
            ],
            1,
        );
        let rows = [
            row(
                &[
                    "Delegated (work or school account)",
                    "A.ReadWrite.All, A.Read.All",
                ],
                3,
            ),
            row(
                &["Delegated (personal Microsoft account)", "Not supported."],
                4,
            ),
            row(&["Application", "**TODO: Determine AppOnly scopes **"], 5),
        ];
        let p = permissions_table(&header, &rows, &mut report);
        assert_eq!(
            p.delegated_work,
            PermissionSet::Scopes(vec!["A.Read.All".into(), "A.ReadWrite.All".into()])
        );
        assert_eq!(p.delegated_personal, PermissionSet::NotSupported);
        assert_eq!(p.application, PermissionSet::Undetermined);
        let defects = report.into_defects();
        assert_eq!(defects.len(), 1);
        assert_eq!(
            (defects[0].kind, defects[0].source.line),
            (DefectKind::TodoPermission, 5)
        );
    }

    #[test]
    fn space_separated_scopes_are_split_and_reported() {
        let mut report = Report::new("p.md");
        let header = row(
            &[
                "Permission type",
                "Permissions (from least to most privileged)",
            ],
            1,
        );
        let p = permissions_table(
            &header,
            &[row(&["Application", "A.ReadWrite.All A.Read.All"], 2)],
            &mut report,
        );
        assert_eq!(
            p.application,
            PermissionSet::Scopes(vec!["A.ReadWrite.All".into(), "A.Read.All".into()])
        );
        assert_eq!(
            report.into_defects()[0].kind,
            DefectKind::MalformedPermissions
        );
    }

    #[test]
    fn combined_none_and_prose_permissions_are_read_as_the_docs_mean_them() {
        let header = row(
            &[
                "Permission type",
                "Permissions (from least to most privileged)",
            ],
            1,
        );
        let read = |cell: &str| {
            let mut report = Report::new("p.md");
            let p = permissions_table(&header, &[row(&["Application", cell], 2)], &mut report);
            let kinds: Vec<DefectKind> = report.into_defects().iter().map(|d| d.kind).collect();
            (p.application, kinds)
        };
        let scopes =
            |s: &[&str]| PermissionSet::Scopes(s.iter().map(|s| (*s).to_owned()).collect());
        let malformed = vec![DefectKind::MalformedPermissions];
        let cases = [
            (
                "Policy.Read.All and Application.Read.All, Directory.Read.All",
                scopes(&[
                    "Policy.Read.All and Application.Read.All",
                    "Directory.Read.All",
                ]),
                vec![],
            ),
            (
                "EduRoster.ReadWrite.All plus Directory.Read.All",
                scopes(&["EduRoster.ReadWrite.All and Directory.Read.All"]),
                vec![],
            ),
            (
                "Calls.JoinGroupCalls.All or Calls.JoinGroupCallsasGuest.All",
                scopes(&[
                    "Calls.JoinGroupCalls.All",
                    "Calls.JoinGroupCallsasGuest.All",
                ]),
                vec![],
            ),
            // An Oxford comma lists alternatives; a trailing full stop is no part of a name.
            (
                "A.Read.All, B.Read.All, and C.Read.All.",
                scopes(&["A.Read.All", "B.Read.All", "C.Read.All"]),
                vec![],
            ),
            (
                "Schedule.ReadWrite.All*",
                scopes(&["Schedule.ReadWrite.All"]),
                vec![],
            ),
            (
                "One from EduRoster.ReadBasic, EduRoster.Read",
                scopes(&["EduRoster.ReadBasic", "EduRoster.Read"]),
                malformed.clone(),
            ),
            ("None.", PermissionSet::NoneRequired, vec![]),
            ("n/a", PermissionSet::NotSupported, vec![]),
            (
                "Permission required to create subscription",
                PermissionSet::Undetermined,
                malformed.clone(),
            ),
        ];
        for (cell, permissions, defects) in cases {
            assert_eq!(read(cell), (permissions, defects), "{cell}");
        }
    }

    #[test]
    fn property_tables_read_inheritance_and_refuse_other_layouts() {
        let mut report = Report::new("p.md");
        let header = row(&["Property", "Type", "Description"], 1);
        let inherited = Row {
            cells: vec![
                cell("id"),
                cell("String"),
                Inline {
                    text: "Key. Inherited from base".into(),
                    links: vec![Link {
                        text: "base".into(),
                        target: "b.md".into(),
                    }],
                    ..Inline::default()
                },
            ],
            line: 3,
        };
        let rows = property_table(
            &header,
            &[
                inherited,
                row(&["x", "Int32", "Read-only."], 4),
                row(
                    &[
                        "y",
                        "String",
                        "Free text. <br><br>Returned only on `$select`.",
                    ],
                    5,
                ),
                row(&["z", "String", "Returned only on $select. Read-only."], 6),
            ],
            &mut report,
        )
        .unwrap();
        assert_eq!(rows[0].inherited_from.as_deref(), Some("base"));
        assert!(rows[1].read_only());
        assert_eq!(
            rows.iter()
                .map(PropertyRow::select_only)
                .collect::<Vec<_>>(),
            [false, false, true, true]
        );
        assert!(property_table(&row(&["A", "B"], 9), &[], &mut report).is_none());
        assert_eq!(report.into_defects()[0].source.line, 9);
        let mut report = Report::new("p.md");
        let split = [
            row(&["p", "String", "First part."], 2),
            row(&["Second part, after a line break.|", "", ""], 3),
            row(&["d", "DateTime", ""], 4),
        ];
        let rows = property_table(&header, &split, &mut report).unwrap();
        assert_eq!(rows.len(), 2);
        assert_eq!(
            rows[0].description,
            "First part. Second part, after a line break."
        );
        assert_eq!(
            rows[1].type_name,
            TypeName::Primitive(Primitive::DateTimeOffset)
        );
        assert_eq!(report.into_defects().len(), 2);
    }

    #[test]
    fn headers_and_members() {
        let mut report = Report::new("p.md");
        let h = headers_table(
            &row(&["Header", "Value"], 1),
            &[row(&["Authorization", "Bearer <token> Required."], 2)],
            &mut report,
        );
        assert_eq!(
            h,
            [Header {
                name: "Authorization".into(),
                value: "Bearer <token>".into(),
                required: true
            }]
        );
        for (layout, cells) in [
            (
                &["Name", "Description"][..],
                &["Prefer", "return=minimal"][..],
            ),
            (
                &["Name", "Type", "Description"][..],
                &["Prefer", "string", "return=minimal"][..],
            ),
        ] {
            let read = headers_table(&row(layout, 1), &[row(cells, 2)], &mut report);
            assert_eq!(
                (read[0].name.as_str(), read[0].value.as_str()),
                ("Prefer", "return=minimal"),
                "{layout:?}"
            );
        }
        let untyped = property_table(
            &row(&["Property", "Type"], 1),
            &[row(&["count", "Int32"], 2)],
            &mut report,
        )
        .unwrap();
        assert_eq!(
            (untyped[0].name.as_str(), untyped[0].description.as_str()),
            ("count", "")
        );
        let m = members_table(
            &row(&["Member", "Value", "Description"], 1),
            &[row(&["active", "0", "On."], 2), row(&["odd", "x", ""], 3)],
            &mut report,
        )
        .unwrap();
        assert_eq!(
            (m[0].name.as_str(), m[0].value, m[1].value),
            ("active", 0, 1)
        );
        assert_eq!(report.into_defects().len(), 1);
        // The multi-enum pages' layouts: members alone, or with a description or a value.
        let mut report = Report::new("p.md");
        let alone = members_table(
            &row(&["Member"], 1),
            &[row(&["unknown"], 2), row(&["groupCall"], 3)],
            &mut report,
        )
        .unwrap();
        assert_eq!((alone[1].name.as_str(), alone[1].value), ("groupCall", 1));
        let described = members_table(
            &row(&["Member", "Description"], 1),
            &[row(&["a", "The a."], 2)],
            &mut report,
        )
        .unwrap();
        assert_eq!(described[0].description, "The a.");
        let int_value = members_table(
            &row(&["Member", "Int value", "Description"], 1),
            &[row(&["b", "7", ""], 2)],
            &mut report,
        )
        .unwrap();
        assert_eq!(int_value[0].value, 7);
        // `Value | Description`: the first column names the members.
        let by_value = members_table(
            &row(&["Value", "Description"], 1),
            &[
                row(&["standard", "Bookable."], 2),
                row(&["reserved", "Held."], 3),
            ],
            &mut report,
        )
        .unwrap();
        let read: Vec<(&str, i64)> = (by_value.iter())
            .map(|m| (m.name.as_str(), m.value))
            .collect();
        assert_eq!(read, [("standard", 0), ("reserved", 1)]);
        assert!(members_table(&row(&["Name", "Value"], 1), &[], &mut report).is_none());
    }

    #[test]
    fn possible_values_lists() {
        assert_eq!(
            possible_values("The state. Possible values are: `active`, `error`, `inactive`."),
            ["active", "error", "inactive"]
        );
        assert!(possible_values("No list here.").is_empty());
        assert_eq!(
            possible_values("The possible values are: call, chat, and meeting."),
            ["call", "chat", "meeting"]
        );
        assert_eq!(
            possible_values("Possible values include `a`, `b`."),
            ["a", "b"]
        );
    }
}

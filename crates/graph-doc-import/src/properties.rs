//! Turns property-table rows into spec properties, remembering what the assembler must resolve
//! later: the type names each page links to, and the enums inferred from draft `Enumeration` cells.

use graph_spec::{DefectKind, EnumDef, EnumMember, Property, TypeRef};

use crate::report::Report;
use crate::tables::{PropertyRow, TypeName, possible_values};

/// A type name a page refers to, with where it does so.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TypeMention {
    /// The Graph name.
    pub name: String,
    /// The link target, if the mention is a link.
    pub link: Option<String>,
    /// The line.
    pub line: u32,
}

/// What converting a page's rows learned beyond the properties themselves.
#[derive(Debug, Default)]
pub struct Mentions {
    /// Every named type the rows refer to.
    pub types: Vec<TypeMention>,
    /// Enums made up from "Possible values are" lists where the type cell said `Enumeration`.
    pub inferred_enums: Vec<(String, EnumDef)>,
    /// `String` properties whose descriptions list members.
    pub listed_strings: Vec<ListedString>,
}

/// A property typed `String` whose description lists its values ("Possible values are: `left`,
/// `right`, `center`."). Graph types most such properties as the enum with exactly those
/// members; the assembler does so where one enum has them.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ListedString {
    /// The type that declares the property.
    pub owner: String,
    /// The property.
    pub property: String,
    /// The listed values, as written.
    pub values: Vec<String>,
    /// The row's line.
    pub line: u32,
}

impl ListedString {
    /// The row as a listed string of `owner`, if it is a `String` row that lists two or more
    /// values.
    pub fn read(row: &PropertyRow, owner: &str) -> Option<Self> {
        if row.type_name != TypeName::Primitive(graph_spec::Primitive::String) {
            return None;
        }
        let values = possible_values(&row.description);
        (values.len() >= 2).then(|| Self {
            owner: owner.to_owned(),
            property: row.name.clone(),
            values,
            line: row.line,
        })
    }
}

impl Mentions {
    /// Resolves a type cell to a reference, recording named types and inferring enums.
    pub fn type_ref(&mut self, row: &PropertyRow, owner: &str, report: &mut Report) -> TypeRef {
        match &row.type_name {
            TypeName::Primitive(p) => TypeRef::Primitive(*p),
            TypeName::Named { name, link } => {
                self.types.push(TypeMention {
                    name: name.clone(),
                    link: link.clone(),
                    line: row.line,
                });
                // Hand-written pages often name an enum that has no page of its own and list its
                // members in the description: the enum is made from the list, unless a page
                // defines the name after all (the assembler decides).
                let values = possible_values(&row.description);
                if values.len() >= 2 {
                    self.inferred_enums
                        .push((name.clone(), inferred_enum(values, report.source(row.line))));
                }
                TypeRef::Named(name.clone())
            }
            TypeName::Enumeration => {
                // Graph names such enums after their owner and property, e.g.
                // deviceManagementDomainJoinConnector + state.
                let name = format!("{owner}{}", upper_first(&row.name));
                let values = possible_values(&row.description);
                report.defect(
                    row.line,
                    DefectKind::EnumerationAsType,
                    format!(
                        "the type of `{}` is `Enumeration`, which names no enum; read as `{name}` with the listed members {values:?}",
                        row.name
                    ),
                );
                self.inferred_enums
                    .push((name.clone(), inferred_enum(values, report.source(row.line))));
                self.types.push(TypeMention {
                    name: name.clone(),
                    link: None,
                    line: row.line,
                });
                TypeRef::Named(name)
            }
        }
    }

    /// Converts a row to a property of `owner`.
    pub fn property(
        &mut self,
        row: &PropertyRow,
        owner: &str,
        key: Option<&str>,
        report: &mut Report,
    ) -> Property {
        let is_key = key == Some(row.name.as_str());
        Property {
            name: row.name.clone(),
            type_ref: self.type_ref(row, owner, report),
            collection: row.collection,
            nullable: !row.collection && !is_key,
            read_only: row.read_only(),
            select_only: row.select_only(),
            write_only: row.write_only(),
            description: row.description.clone(),
        }
    }
}

/// An enum made up from a "Possible values are" list.
fn inferred_enum(values: Vec<String>, source: graph_spec::Source) -> EnumDef {
    let members = values
        .into_iter()
        .enumerate()
        .map(|(i, name)| EnumMember {
            name,
            value: i as i64,
            description: String::new(),
        })
        .collect();
    EnumDef {
        description: String::new(),
        is_flags: false,
        members,
        inferred: true,
        source,
    }
}

/// `state` → `State`.
pub fn upper_first(name: &str) -> String {
    let mut chars = name.chars();
    chars
        .next()
        .map(|c| c.to_ascii_uppercase().to_string() + chars.as_str())
        .unwrap_or_default()
}

/// `Foo` → `foo`.
pub fn lower_first(name: &str) -> String {
    let mut chars = name.chars();
    chars
        .next()
        .map(|c| c.to_ascii_lowercase().to_string() + chars.as_str())
        .unwrap_or_default()
}

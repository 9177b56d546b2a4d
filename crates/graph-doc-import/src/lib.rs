//! Reads Microsoft Graph API doc pages (Markdown) into a [`graph_spec::Spec`], plus a list of
//! doc defects.
//!
//! The API is [`import`] (pages in memory), [`import_files`] (pages on disk) and [`manifest`]
//! (which pages a folder or `spec/sources.json` names). Inside, `markdown` turns each page into
//! blocks with line numbers; one reader per page type (`api_page`, `resource_page`,
//! `enum_page`) pulls out what that page says, using the shared `tables` and `http` readers;
//! `assemble` merges the pages into one spec and checks the examples against it. A page that
//! cannot be read is reported and skipped; everything else that is odd about a page is a
//! [`graph_spec::Defect`], never an abort.

mod api_page;
mod assemble;
mod enum_page;
mod http;
pub mod manifest;
mod markdown;
mod properties;
mod report;
mod resource_page;
mod tables;

use std::fmt;
use std::path::PathBuf;

use graph_spec::{Defect, DefectKind, Source, Spec};

use crate::assemble::PageContent;
use crate::markdown::Document;
pub use crate::report::PageError;
use crate::report::Report;

/// A page to import: its display path (used in sources and defects) and its text.
#[derive(Debug, Clone)]
pub struct PageInput {
    /// The path as the user gave it, e.g. `spec/docs/000_e327c56b548b55ea.txt`.
    pub file: String,
    /// The Markdown.
    pub text: String,
}

/// The outcome of an import.
#[derive(Debug)]
pub struct Import {
    /// The spec.
    pub spec: Spec,
    /// Every doc defect, sorted by file and line. Skipped pages are among them.
    pub defects: Vec<Defect>,
    /// How many pages were given.
    pub pages_read: usize,
    /// The pages that were not imported, and why.
    pub skipped: Vec<PageError>,
}

impl Import {
    /// How many pages were imported.
    pub fn pages_imported(&self) -> usize {
        self.pages_read - self.skipped.len()
    }
}

impl fmt::Display for Import {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "pages read: {}, imported: {}, skipped: {}; types: {}, enums: {}, operations: {}; defects: {}",
            self.pages_read,
            self.pages_imported(),
            self.skipped.len(),
            self.spec.types.len(),
            self.spec.enums.len(),
            self.spec.operations.len(),
            self.defects.len()
        )
    }
}

/// Imports pages, in order. Never fails: unreadable pages are skipped and reported.
pub fn import(pages: &[PageInput]) -> Import {
    let mut defects = Vec::new();
    let mut skipped = Vec::new();
    let mut contents = Vec::new();
    for page in pages {
        let doc = Document::parse(&page.text);
        let mut report = Report::new(page.file.clone());
        let content = read_page(&doc, &mut report);
        defects.extend(report.into_defects());
        match content {
            Ok(content) => contents.push((page.file.clone(), content)),
            Err(error) => skipped.push(error),
        }
    }
    let spec = assemble::assemble(contents, &mut defects);
    defects.extend(skipped.iter().map(|e| Defect {
        source: Source {
            file: e.file.clone(),
            line: e.line,
        },
        kind: DefectKind::PageSkipped,
        message: e.message.clone(),
    }));
    defects.sort();
    defects.dedup();
    Import {
        spec,
        defects,
        pages_read: pages.len(),
        skipped,
    }
}

fn read_page(doc: &Document, report: &mut Report) -> Result<PageContent, PageError> {
    match doc.front_matter.get("doc_type").map(String::as_str) {
        Some("apiPageType") => api_page::read(doc, report).map(|p| PageContent::Api(Box::new(p))),
        Some("resourcePageType") => resource_page::read(doc, report).map(PageContent::Resource),
        Some("enumPageType") => enum_page::read(doc, report).map(|(n, d)| PageContent::Enum(n, d)),
        other => Err(PageError {
            file: report.file().to_owned(),
            line: 1,
            message: match other {
                Some(kind) => format!(
                    "unknown doc_type `{kind}` (expected apiPageType, resourcePageType or enumPageType)"
                ),
                None => {
                    "the front matter has no doc_type: a conceptual page, with no API to import"
                        .to_owned()
                }
            },
        }),
    }
}

/// A page on disk: the name it is reported under, and where it is.
pub type PageFile = (String, PathBuf);

/// Reads pages from disk and imports them, in order. A file that cannot be read is a skipped
/// page, reported like any other.
pub fn import_files(files: &[PageFile]) -> Import {
    let mut pages = Vec::new();
    let mut unreadable = Vec::new();
    for (display, path) in files {
        match std::fs::read(path) {
            Ok(bytes) => pages.push(PageInput {
                file: display.clone(),
                text: String::from_utf8_lossy(&bytes).into_owned(),
            }),
            Err(err) => unreadable.push(PageError {
                file: display.clone(),
                line: 1,
                message: format!("cannot read the page: {err}"),
            }),
        }
    }
    let mut result = import(&pages);
    result.pages_read += unreadable.len();
    result.skipped.extend(unreadable);
    result
}

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
mod includes;
pub mod manifest;
mod markdown;
mod properties;
mod report;
mod resource_page;
mod tables;

use std::collections::{BTreeMap, HashMap, HashSet};
use std::fmt;
use std::path::PathBuf;

use graph_spec::{Defect, DefectKind, OperationKind, Source, Spec};

use crate::assemble::PageContent;
use crate::includes::Includes;
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
    /// How many pages were given, include files apart.
    pub pages_read: usize,
    /// How many include files were given (files under a folder named `includes`, such as the
    /// permissions tables today's pages include): read where a page includes them, not as pages.
    pub includes: usize,
    /// How many of them are conceptual (overviews, guides: `doc_type: conceptualPageType`, or
    /// none): no API to import, so counted apart rather than as skipped.
    pub conceptual: usize,
    /// The pages that were not imported, and why.
    pub skipped: Vec<PageError>,
}

impl Import {
    /// How many pages were imported.
    pub fn pages_imported(&self) -> usize {
        self.pages_read - self.conceptual - self.skipped.len()
    }

    /// How many creates and updates (links aside) have no body type: what a client cannot type
    /// and the mock cannot check. Each has a defect saying why.
    pub fn without_body_type(&self) -> usize {
        (self.spec.operations.iter())
            .filter(|op| matches!(op.kind, OperationKind::Create | OperationKind::Update))
            .filter(|op| !op.reference && op.request_body.is_none())
            .count()
    }

    /// The share of the API, resource and enum pages (conceptual pages apart) imported.
    pub fn import_rate(&self) -> f64 {
        let reference = self.pages_read - self.conceptual;
        match reference {
            0 => 1.0,
            n => self.pages_imported() as f64 / n as f64,
        }
    }
}

impl fmt::Display for Import {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "pages read: {} ({} conceptual, counted apart; {} include files), imported: {}, skipped: {}; types: {}, enums: {}, operations: {} ({} creates and updates without a body type); defects: {}",
            self.pages_read,
            self.conceptual,
            self.includes,
            self.pages_imported(),
            self.skipped.len(),
            self.spec.types.len(),
            self.spec.enums.len(),
            self.spec.operations.len(),
            self.without_body_type(),
            self.defects.len()
        )
    }
}

/// Imports pages, in order. Never fails: unreadable pages are skipped and reported. The include
/// files the pages name are given among them, by their paths (see [`includes`]).
pub fn import(pages: &[PageInput]) -> Import {
    let (include_files, pages): (Vec<&PageInput>, Vec<&PageInput>) = pages
        .iter()
        .partition(|p| includes::is_include(&p.file, &p.text));
    let includes = Includes::new(
        include_files
            .iter()
            .map(|p| (p.file.as_str(), p.text.as_str())),
    );
    let mut defects = Vec::new();
    let mut skipped = Vec::new();
    let mut contents = Vec::new();
    let mut conceptual = 0;
    for page in &pages {
        let doc = Document::parse(&page.text);
        let mut report = Report::new(page.file.clone());
        let content = read_page(&doc, &includes, &mut report);
        defects.extend(report.into_defects());
        match content {
            Ok(Some(content)) => contents.push((page.file.clone(), content)),
            Ok(None) => conceptual += 1,
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
        includes: include_files.len(),
        conceptual,
        skipped,
    }
}

/// Reads a page as what its front matter's `doc_type` says, or `None` for a conceptual page.
/// Misspelt page types (`resourcePageType_`, `enumTypes`), resource pages marked as API pages
/// and API pages marked as resource pages are read as what they are, and reported.
fn read_page(
    doc: &Document,
    includes: &Includes,
    report: &mut Report,
) -> Result<Option<PageContent>, PageError> {
    let written = match doc.front_matter.get("doc_type").map(String::as_str) {
        None | Some("conceptualPageType") => return Ok(None),
        Some(written) => written,
    };
    let canonical = match written {
        "apiPageType" | "resourcePageType" | "enumPageType" => written,
        "resourcePageType_" => "resourcePageType",
        "enumTypes" => "enumPageType",
        unknown => {
            return Err(PageError {
                file: report.file().to_owned(),
                line: 1,
                message: format!(
                    "unknown doc_type `{unknown}` (expected apiPageType, resourcePageType, enumPageType or conceptualPageType)"
                ),
            });
        }
    };
    // Some pages carry the other page type's `doc_type`: told apart by their sections.
    let title = doc.title().to_ascii_lowercase();
    let titled_as_resource = title.ends_with(" resource")
        || title.contains(" resource type")
        || title.ends_with(" complex type");
    let has_request = doc.section_at_any_level(&["HTTP Request"]).is_some();
    let has_properties = doc.section(&["Properties"]).is_some();
    let read_as = match canonical {
        "apiPageType" if titled_as_resource && !has_request => "resourcePageType",
        "resourcePageType" if has_request && !has_properties => "apiPageType",
        other => other,
    };
    if read_as != written {
        report.defect(
            1,
            DefectKind::WrongDocType,
            format!("the page says `doc_type: {written}`; read as a {read_as} page"),
        );
    }
    match read_as {
        "apiPageType" => {
            api_page::read(doc, includes, report).map(|p| PageContent::Api(Box::new(p)))
        }
        "resourcePageType" => {
            resource_page::read(doc, report).map(|p| PageContent::Resource(Box::new(p)))
        }
        _ => enum_page::read(doc, report).map(PageContent::Enums),
    }
    .map(Some)
}

/// A page on disk: the name it is reported under, and where it is.
pub type PageFile = (String, PathBuf);

/// Reads pages from disk and imports them, in order. A file that cannot be read is a skipped
/// page, reported like any other. The permissions tables the pages include are read beside them
/// when they are not among the files (`--docs api/` of a checkout, its `includes/` unnamed); one
/// that is in neither place is reported by the page that names it.
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
    let beside = includes_beside(&pages, files);
    pages.extend(beside);
    let mut result = import(&pages);
    result.pages_read += unreadable.len();
    result.skipped.extend(unreadable);
    result
}

/// The permissions tables that `pages` include and that are not among them, read from beside the
/// pages' files. One that is not there either is left for the page to report.
fn includes_beside(pages: &[PageInput], files: &[PageFile]) -> Vec<PageInput> {
    let on_disk: HashMap<&str, &std::path::Path> = files
        .iter()
        .map(|(display, path)| (display.as_str(), path.as_path()))
        .collect();
    let given: HashSet<String> = pages
        .iter()
        .map(|p| includes::normalize(std::path::Path::new(&p.file)))
        .collect();
    let mut beside = BTreeMap::new();
    for page in pages {
        let Some(path) = on_disk.get(page.file.as_str()) else {
            continue;
        };
        for target in includes::targets(&page.text, includes::PERMISSIONS_TABLE) {
            let file = includes::resolve(&page.file, target);
            if given.contains(&file) || beside.contains_key(&file) {
                continue;
            }
            let path = includes::resolve(&path.display().to_string(), target);
            if let Ok(bytes) = std::fs::read(path) {
                beside.insert(file, String::from_utf8_lossy(&bytes).into_owned());
            }
        }
    }
    (beside.into_iter())
        .map(|(file, text)| PageInput { file, text })
        .collect()
}

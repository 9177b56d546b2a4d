//! Collects the doc defects of one page, each with the page's file and a line.

use graph_spec::{Defect, DefectKind, Source};

/// The defects found so far on one page.
#[derive(Debug)]
pub struct Report {
    file: String,
    defects: Vec<Defect>,
}

impl Report {
    /// A report for the page at `file`.
    pub fn new(file: impl Into<String>) -> Report {
        Report {
            file: file.into(),
            defects: Vec::new(),
        }
    }

    /// The page's file, as given.
    pub fn file(&self) -> &str {
        &self.file
    }

    /// A source on this page.
    pub fn source(&self, line: u32) -> Source {
        Source {
            file: self.file.clone(),
            line,
        }
    }

    /// Records a defect at `line`.
    pub fn defect(&mut self, line: u32, kind: DefectKind, message: String) {
        let source = self.source(line);
        self.defects.push(Defect {
            source,
            kind,
            message,
        });
    }

    /// Takes in the defects of another file read for this page (an include it names).
    pub fn absorb(&mut self, other: Report) {
        self.defects.extend(other.defects);
    }

    /// The defects, in the order found.
    pub fn into_defects(self) -> Vec<Defect> {
        self.defects
    }
}

/// Why a page could not be imported at all. The import goes on without it.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{file}:{line}: {message}")]
pub struct PageError {
    /// The page.
    pub file: String,
    /// The line the problem is at (1 for whole-page problems).
    pub line: u32,
    /// What is wrong.
    pub message: String,
}

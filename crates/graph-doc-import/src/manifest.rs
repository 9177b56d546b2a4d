//! The import manifest, `spec/sources.json`: which pages make up the project's own spec.
//!
//! Paths are relative to the workspace root. The seed lives in `spec/docs/`; the other pages are
//! read where they are, under `../shared/graph-docs`, and never copied into the repository.

use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};

/// The manifest's contents.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Sources {
    /// Pages to import, in order; on a conflict the later page wins.
    pub pages: Vec<String>,
}

/// Every `.md` page under each folder (or the page itself, for a file), named by the path as
/// given plus its path below it. A folder that cannot be listed, or holds no page, is an error
/// naming it.
pub fn folder_pages(folders: &[PathBuf]) -> Result<Vec<crate::PageFile>, String> {
    let mut files = Vec::new();
    for folder in folders {
        // A single page (one area, or a handful, given by a shell glob) is taken as it is.
        if folder.is_file() {
            files.push((folder.display().to_string(), folder.clone()));
            continue;
        }
        let found = markdown_files(folder)
            .map_err(|e| format!("{}: cannot list the doc pages: {e}", folder.display()))?;
        if found.is_empty() {
            return Err(format!("{}: no .md pages found", folder.display()));
        }
        files.extend(found.into_iter().map(|p| (p.display().to_string(), p)));
    }
    Ok(files)
}

/// Every `.md` file under `dir`, recursively, sorted by path so the import order is stable.
pub fn markdown_files(dir: &Path) -> std::io::Result<Vec<PathBuf>> {
    let mut files = Vec::new();
    let mut pending = vec![dir.to_owned()];
    while let Some(current) = pending.pop() {
        for entry in std::fs::read_dir(&current)? {
            let path = entry?.path();
            if path.is_dir() {
                pending.push(path);
            } else if path.extension().is_some_and(|e| e == "md") {
                files.push(path);
            }
        }
    }
    files.sort();
    Ok(files)
}

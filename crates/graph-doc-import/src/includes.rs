//! Include files: today's pages keep their permissions table in one
//! (`[!INCLUDE [permissions-table](../includes/permissions/user-get-permissions.md)]`), beside
//! the `api/` and `resources/` folders of a version (`api-reference/<version>/includes/`).
//!
//! An include is any file under a folder named `includes`; it is no page of its own. A page names
//! it by a path relative to itself, resolved here without touching the disk, so an import in
//! memory and one from files find the same include under the same name.

use std::collections::HashMap;
use std::path::{Component, Path, PathBuf};

/// The label of the include that holds an API page's permissions table.
pub const PERMISSIONS_TABLE: &str = "permissions-table";

/// Whether the file at `path`, holding `text`, is an include rather than a page: it is under a
/// folder named `includes` and its front matter declares no `doc_type` (so pages kept under a
/// folder that happens to be called `includes`, `~/includes/graph-docs/api/`, stay pages).
pub fn is_include(path: &str, text: &str) -> bool {
    let path = Path::new(path);
    let folders = path.parent().into_iter().flat_map(Path::components);
    let under_includes = folders
        .into_iter()
        .any(|c| c == Component::Normal("includes".as_ref()));
    under_includes && !declares_doc_type(text)
}

/// Whether `text` opens with front matter that has a `doc_type`, as every page's does.
fn declares_doc_type(text: &str) -> bool {
    let mut lines = text.lines();
    lines.next().is_some_and(|first| first.trim() == "---")
        && (lines.take_while(|line| line.trim() != "---"))
            .any(|line| line.trim_start().starts_with("doc_type:"))
}

/// The path of the file that `target` names from the page at `page`: relative to the page's
/// folder, `..` and `.` resolved by name.
pub fn resolve(page: &str, target: &str) -> String {
    let folder = Path::new(page).parent().unwrap_or(Path::new(""));
    normalize(&folder.join(target))
}

/// `path` with `..` and `.` resolved by name, so one file has one name.
pub fn normalize(path: &Path) -> String {
    let mut resolved = PathBuf::new();
    for component in path.components() {
        match component {
            Component::CurDir => {}
            // A `..` past a named folder removes it; one past the start (`../shared/...`) stays.
            Component::ParentDir
                if matches!(
                    resolved.components().next_back(),
                    Some(Component::Normal(_))
                ) =>
            {
                resolved.pop();
            }
            other => resolved.push(other),
        }
    }
    resolved.display().to_string()
}

/// The includes of a page's text with the given label, as written (`[!INCLUDE [label](target)]`
/// on a line of its own), by their targets.
pub fn targets<'t>(text: &'t str, label: &str) -> impl Iterator<Item = &'t str> {
    let opening = format!("[!INCLUDE [{label}](");
    text.lines().filter_map(move |line| {
        let rest = line.trim().strip_prefix(opening.as_str())?;
        rest.split_once(')').map(|(target, _)| target.trim())
    })
}

/// The include files of an import, by their resolved paths.
#[derive(Debug, Default)]
pub struct Includes<'a> {
    files: HashMap<String, &'a str>,
}

impl<'a> Includes<'a> {
    /// Includes from `(path, text)` pairs.
    pub fn new(files: impl IntoIterator<Item = (&'a str, &'a str)>) -> Includes<'a> {
        Includes {
            files: files
                .into_iter()
                .map(|(path, text)| (normalize(Path::new(path)), text))
                .collect(),
        }
    }

    /// The include `target` names from `page`: its resolved path, and its text when the import
    /// has it.
    pub fn get(&self, page: &str, target: &str) -> (String, Option<&'a str>) {
        let path = resolve(page, target);
        let text = self.files.get(&path).copied();
        (path, text)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_target_resolves_against_the_pages_folder() {
        let page = "../shared/docs/api-reference/beta/api/user-get.md";
        assert_eq!(
            resolve(page, "../includes/permissions/user-get-permissions.md"),
            "../shared/docs/api-reference/beta/includes/permissions/user-get-permissions.md"
        );
        assert_eq!(resolve("api/a.md", "./../../x.md"), "../x.md");
        assert_eq!(resolve("a.md", "includes/x.md"), "includes/x.md");
    }

    #[test]
    fn an_include_is_a_file_under_an_includes_folder_that_is_no_page() {
        let table = "|Permission type|Least privileged permissions|\n|:---|:---|\n";
        let include = "---\nms.topic: include\n---\n\n";
        let page = "---\ntitle: \"Get user\"\ndoc_type: apiPageType\n---\n# Get user\n";
        let path = "beta/includes/permissions/user-get-permissions.md";
        assert!(is_include(path, table));
        assert!(is_include(path, include));
        assert!(!is_include(
            "beta/api/permissiongrantpolicy-list-includes.md",
            table
        ));
        assert!(!is_include("includes.md", table));
        assert!(!is_include(
            "/home/me/includes/graph-docs/api/user-get.md",
            page
        ));
    }

    #[test]
    fn targets_are_read_by_label() {
        let text = "intro\n[!INCLUDE [beta-disclaimer](../../includes/beta.md)]\n\
            <!-- { \"blockType\": \"permissions\" } -->\n \
            [!INCLUDE [permissions-table](../includes/permissions/a-permissions.md)]\n";
        assert_eq!(
            targets(text, PERMISSIONS_TABLE).collect::<Vec<_>>(),
            ["../includes/permissions/a-permissions.md"]
        );
    }

    #[test]
    fn an_include_is_found_under_its_resolved_path() {
        let includes = Includes::new([("v/./includes/p.md", "table")]);
        assert_eq!(
            includes.get("v/api/page.md", "../includes/p.md"),
            ("v/includes/p.md".to_owned(), Some("table"))
        );
        assert_eq!(includes.get("v/api/page.md", "../includes/q.md").1, None);
    }
}

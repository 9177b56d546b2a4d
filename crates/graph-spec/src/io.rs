//! Loading and saving spec files.
//!
//! Load errors name the file and the JSON path of the offending value (via
//! `serde_path_to_error`), so a hand-edited or corrupted spec points straight at the problem.
//! Saving is pretty JSON with a trailing newline; since every map in the model is sorted, a
//! load followed by a save reproduces the file byte for byte.

use std::path::{Path, PathBuf};

use serde::Serialize;
use serde::de::DeserializeOwned;

use crate::model::Spec;

/// Why a spec file could not be loaded.
#[derive(Debug, thiserror::Error)]
pub enum LoadError {
    /// The file could not be read.
    #[error("{file}: cannot read: {source}")]
    Read {
        /// The file.
        file: PathBuf,
        /// The I/O error.
        source: std::io::Error,
    },
    /// The file is not JSON of the expected shape.
    #[error("{file}: at JSON path `{path}` (line {line}, column {column}): {message}")]
    Parse {
        /// The file.
        file: PathBuf,
        /// The JSON path of the offending value, e.g. `types.x.properties[2].type`.
        path: String,
        /// The 1-based line.
        line: usize,
        /// The 1-based column.
        column: usize,
        /// What was wrong.
        message: String,
    },
}

/// Loads a [`Spec`] from a JSON file.
pub fn load(file: &Path) -> Result<Spec, LoadError> {
    load_json(file)
}

/// Parses any spec-side JSON file (the spec, the defect list, the sources manifest).
pub fn load_json<T: DeserializeOwned>(file: &Path) -> Result<T, LoadError> {
    let text = std::fs::read_to_string(file).map_err(|source| LoadError::Read {
        file: file.to_owned(),
        source,
    })?;
    parse_json(file, &text)
}

/// Parses JSON text, naming `file` and the JSON path in any error.
pub fn parse_json<T: DeserializeOwned>(file: &Path, text: &str) -> Result<T, LoadError> {
    let deserializer = &mut serde_json::Deserializer::from_str(text);
    serde_path_to_error::deserialize(deserializer).map_err(|err| {
        let path = err.path().to_string();
        let inner = err.into_inner();
        LoadError::Parse {
            file: file.to_owned(),
            path,
            line: inner.line(),
            column: inner.column(),
            message: inner.to_string(),
        }
    })
}

/// Everything [`load`] and [`crate::validate()`] would refuse in `text`, a spec about to be
/// written to `file`: it is read back with the loader and validated, so that a writer (the
/// importer) never writes a spec that codegen cannot load. Empty when the loader accepts it.
pub fn loader_problems(text: &str, file: &Path) -> Vec<String> {
    match parse_json::<Spec>(file, text) {
        Err(error) => vec![error.to_string()],
        Ok(loaded) => crate::validate(&loaded, file)
            .iter()
            .map(ToString::to_string)
            .collect(),
    }
}

/// The canonical text of a spec-side file: pretty JSON, two-space indent, trailing newline.
pub fn to_pretty_json<T: Serialize>(value: &T) -> String {
    // Serialising plain data structures to a String cannot fail: every map key is a string.
    let mut text = serde_json::to_string_pretty(value).expect("spec values serialise to JSON");
    text.push('\n');
    text
}

/// Saves a [`Spec`] in its canonical form.
pub fn save(file: &Path, spec: &Spec) -> std::io::Result<()> {
    std::fs::write(file, to_pretty_json(spec))
}

/// Whether [`ensure_file_contents`] writes or only compares.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Mode {
    /// Write files whose contents differ.
    Write,
    /// Change nothing; report files whose contents differ.
    Check,
}

/// What [`ensure_file_contents`] found.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FileStatus {
    /// The file already had these contents.
    Fresh,
    /// The file was written (in [`Mode::Write`]).
    Updated,
    /// The file differs or is missing (in [`Mode::Check`]).
    Stale,
}

/// The one writer for generated files (after rust-analyzer's `ensure_file_contents`): writes
/// `contents` to `path` unless it is already there, creating parent folders; in check mode it
/// only compares.
pub fn ensure_file_contents(
    path: &Path,
    contents: &str,
    mode: Mode,
) -> std::io::Result<FileStatus> {
    if std::fs::read(path).is_ok_and(|old| old == contents.as_bytes()) {
        return Ok(FileStatus::Fresh);
    }
    if mode == Mode::Check {
        return Ok(FileStatus::Stale);
    }
    if let Some(parent) = path.parent() {
        std::fs::create_dir_all(parent)?;
    }
    std::fs::write(path, contents)?;
    Ok(FileStatus::Updated)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn errors_name_the_file_and_json_path() {
        let text = r#"{"namespace":"microsoft.graph","types":{"a":{"kind":"entity","source":{"file":"f","line":1},
            "properties":[{"name":"p","type":"Edm.Nope"}]}}}"#;
        let err = parse_json::<Spec>(Path::new("spec/api.json"), text).unwrap_err();
        let shown = err.to_string();
        assert!(
            shown.starts_with("spec/api.json: at JSON path `types.a.properties[0].type`"),
            "{shown}"
        );
        assert!(shown.contains("Edm.Nope"), "{shown}");
    }

    #[test]
    fn unknown_fields_are_refused() {
        let err =
            parse_json::<Spec>(Path::new("s.json"), r#"{"namespace":"n","typo":1}"#).unwrap_err();
        assert!(err.to_string().contains("typo"), "{err}");
    }

    #[test]
    fn save_then_load_round_trips_bytes() {
        let dir = tempfile::tempdir().unwrap();
        let file = dir.path().join("api.json");
        let mut spec = Spec::new();
        spec.enums.insert(
            "state".into(),
            crate::EnumDef {
                description: "d".into(),
                is_flags: false,
                members: vec![crate::EnumMember {
                    name: "a".into(),
                    value: 0,
                    description: String::new(),
                }],
                inferred: false,
                source: crate::Source {
                    file: "x.md".into(),
                    line: 3,
                },
            },
        );
        save(&file, &spec).unwrap();
        let first = std::fs::read_to_string(&file).unwrap();
        let loaded = load(&file).unwrap();
        assert_eq!(loaded, spec);
        assert_eq!(to_pretty_json(&loaded), first);
    }

    #[test]
    fn the_writer_checks_without_writing_and_writes_only_changes() {
        let dir = tempfile::tempdir().unwrap();
        let file = dir.path().join("a/b.json");
        assert_eq!(
            ensure_file_contents(&file, "x", Mode::Check).unwrap(),
            FileStatus::Stale
        );
        assert!(!file.exists());
        assert_eq!(
            ensure_file_contents(&file, "x", Mode::Write).unwrap(),
            FileStatus::Updated
        );
        assert_eq!(
            ensure_file_contents(&file, "x", Mode::Check).unwrap(),
            FileStatus::Fresh
        );
        assert_eq!(
            ensure_file_contents(&file, "y", Mode::Check).unwrap(),
            FileStatus::Stale
        );
    }

    #[test]
    fn a_missing_file_is_a_read_error_naming_it() {
        let err = load(Path::new("/no/such/spec.json")).unwrap_err();
        assert!(matches!(err, LoadError::Read { .. }));
        assert!(err.to_string().contains("/no/such/spec.json"));
    }
}

//! Generates the model crate (and, in later stages, the server and client crates) from a spec.
//!
//! The pipeline is staged, after syn's and progenitor's codegen: the spec is validated, turned
//! into a typed [`ir::Ir`] that settles every name and type, then one generator per output crate
//! builds token streams that [`render`] prints with prettyplease. All files go through one
//! writer with a check mode ([`graph_spec::io::ensure_file_contents`]).

pub mod client;
pub mod contract;
pub mod ir;
pub mod model;
pub mod names;
pub mod render;
pub mod server;

use std::path::{Path, PathBuf};

use graph_spec::Spec;
use graph_spec::io::{FileStatus, Mode, ensure_file_contents};

pub use render::RenderError;

/// One generated file, by its path relative to the workspace root.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct GeneratedFile {
    /// E.g. `crates/model/src/generated/types.rs`.
    pub path: PathBuf,
    /// The text.
    pub contents: String,
}

/// Why generation failed.
#[derive(Debug, thiserror::Error)]
pub enum CodegenError {
    /// The spec does not validate.
    #[error("the spec is invalid:\n{}", .0.iter().map(ToString::to_string).collect::<Vec<_>>().join("\n"))]
    InvalidSpec(Vec<graph_spec::ValidationError>),
    /// A generator produced tokens that do not parse.
    #[error(transparent)]
    Render(#[from] RenderError),
    /// A file could not be written.
    #[error("{path}: cannot write: {source}")]
    Write {
        /// The file.
        path: PathBuf,
        /// The I/O error.
        source: std::io::Error,
    },
}

/// Generates every generated file (`src/generated/`) of the output crates for `spec`. `spec_file` names the spec in
/// banners and error messages (e.g. `spec/api.json`).
pub fn generate(spec: &Spec, spec_file: &str) -> Result<Vec<GeneratedFile>, CodegenError> {
    let problems = graph_spec::validate(spec, Path::new(spec_file));
    if !problems.is_empty() {
        return Err(CodegenError::InvalidSpec(problems));
    }
    let ir = ir::Ir::build(spec);
    let api = client::ClientApi::new(&ir);
    let spec_json = serde_json::to_string(spec).unwrap_or_default();
    let rust = |path: &str, tokens| -> Result<GeneratedFile, CodegenError> {
        Ok(GeneratedFile {
            path: PathBuf::from(path),
            contents: render::rust_file(path, spec_file, tokens)?,
        })
    };
    Ok(vec![
        rust("crates/model/src/generated/mod.rs", model::mod_rs())?,
        rust(
            "crates/model/src/generated/spec.rs",
            model::spec_rs(&spec_json),
        )?,
        rust("crates/model/src/generated/types.rs", model::types_rs(&ir))?,
        rust("crates/model/src/generated/enums.rs", model::enums_rs(&ir))?,
        rust("crates/server/src/generated/mod.rs", server::mod_rs(&ir))?,
        rust(
            "crates/client/src/generated/mod.rs",
            client::mod_rs(&ir, &api),
        )?,
        rust(
            "tests/generated/contract_cases.rs",
            contract::cases_rs(spec, &ir, &api),
        )?,
    ])
}

/// A spec to generate from and the folder that holds its output crates.
#[derive(Debug, Clone)]
pub struct Job {
    /// The spec file.
    pub spec: PathBuf,
    /// How banners name the spec, e.g. `spec/api.json`.
    pub label: String,
    /// The workspace folder the outputs go under (`crates/model/...`, `tests/...`).
    pub out: PathBuf,
    /// Which outputs to write, by path prefix.
    pub crates: Vec<&'static str>,
}

/// Every output: the three crates and the end-to-end contract tests.
pub const ALL_CRATES: &[&str] = &["crates/model", "crates/server", "crates/client", "tests"];

/// The jobs of a workspace: its own spec into `crates/`, and each codegen fixture into its
/// snapshot folder (`crates/codegen/tests/snapshots/<fixture>/`). A snapshot's model crate is a
/// workspace member, so it is compiled and tested with everything else; its server, client and
/// contract-test code is compared as text (it compiles only inside the hand-written crates, which
/// `cargo xtask corpus` exercises on a whole doc set).
pub fn workspace_jobs(root: &Path) -> std::io::Result<Vec<Job>> {
    let mut jobs = vec![Job {
        spec: root.join("spec/api.json"),
        label: "spec/api.json".to_owned(),
        out: root.to_owned(),
        crates: ALL_CRATES.to_vec(),
    }];
    let fixtures = root.join("crates/codegen/tests/fixtures");
    let mut entries: Vec<PathBuf> = std::fs::read_dir(&fixtures)?
        .map(|e| e.map(|e| e.path()))
        .collect::<Result<_, _>>()?;
    entries.sort();
    for spec in entries
        .into_iter()
        .filter(|p| p.extension().is_some_and(|e| e == "json"))
    {
        let name = spec
            .file_stem()
            .unwrap_or_default()
            .to_string_lossy()
            .into_owned();
        jobs.push(Job {
            label: format!("crates/codegen/tests/fixtures/{name}.json"),
            out: root.join("crates/codegen/tests/snapshots").join(&name),
            spec,
            crates: ALL_CRATES.to_vec(),
        });
    }
    Ok(jobs)
}

/// Runs one job: load, generate, write or check. Returns how many files it generated and the
/// stale ones.
pub fn run(job: &Job, mode: Mode) -> Result<(usize, Vec<PathBuf>), String> {
    let spec = graph_spec::load(&job.spec).map_err(|e| e.to_string())?;
    let mut files = generate(&spec, &job.label).map_err(|e| e.to_string())?;
    files.retain(|f| job.crates.iter().any(|c| f.path.starts_with(c)));
    let changed = write(&files, &job.out, mode).map_err(|e| e.to_string())?;
    Ok((files.len(), changed))
}

/// Writes (or, in check mode, compares) `files` under `root`. Returns the files that were
/// stale: written ones in write mode, differing ones in check mode.
pub fn write(
    files: &[GeneratedFile],
    root: &Path,
    mode: Mode,
) -> Result<Vec<PathBuf>, CodegenError> {
    let mut changed = Vec::new();
    for file in files {
        let path = root.join(&file.path);
        let status = ensure_file_contents(&path, &file.contents, mode).map_err(|source| {
            CodegenError::Write {
                path: path.clone(),
                source,
            }
        })?;
        if status != FileStatus::Fresh {
            changed.push(path);
        }
    }
    Ok(changed)
}

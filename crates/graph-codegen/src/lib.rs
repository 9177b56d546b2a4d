//! Generates, from a spec, the crates that run on the runtime crates: the model, the mock, the
//! client and the contract tests (see [`layout`] for where they go).
//!
//! The pipeline is staged, after syn's and progenitor's codegen: the spec is validated, turned
//! into a typed [`ir::Ir`] that settles every name and type, then one generator per output crate
//! builds token streams that [`render`] prints with prettyplease. All files go through one
//! writer with a check mode ([`graph_spec::io::ensure_file_contents`]).

pub mod areas;
pub mod builders;
pub mod client;
pub mod contract;
pub mod ir;
pub mod layout;
pub mod model;
pub mod names;
pub mod parts;
pub mod render;
pub mod server;

use std::path::{Path, PathBuf};

use graph_spec::Spec;
use graph_spec::io::{FileStatus, Mode, ensure_file_contents};

pub use layout::{CrateNames, RuntimeSource, Standalone};
pub use render::RenderError;

/// One generated file, by its path relative to the workspace root.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct GeneratedFile {
    /// E.g. `crates/graph-model/src/lib.rs`.
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
    /// The IR cannot resolve a name a generator needs: a codegen bug, never papered over.
    #[error("codegen bug: {0}")]
    Unresolved(String),
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

/// Generates every file of the generated crates for `spec`, by path relative to the workspace
/// root, their package names taken from `names`. `spec_file` names the spec in banners, docs and
/// error messages (e.g. `spec/api.json`).
pub fn generate(
    spec: &Spec,
    spec_file: &str,
    names: &CrateNames,
) -> Result<Vec<GeneratedFile>, CodegenError> {
    let problems = graph_spec::validate(spec, Path::new(spec_file));
    if !problems.is_empty() {
        return Err(CodegenError::InvalidSpec(problems));
    }
    let ir = ir::Ir::build(spec);
    let parts = parts::split(&ir)?;
    let spec_json = serde_json::to_string(spec).unwrap_or_default();
    let schema_json = serde_json::to_string(&spec.schema()).unwrap_or_default();
    let rust = |dir: &Path, file: &str, tokens| -> Result<GeneratedFile, CodegenError> {
        let path = dir.join(file);
        Ok(GeneratedFile {
            contents: render::rust_file(&path.display().to_string(), spec_file, tokens)?,
            path,
        })
    };
    // Files written as they are: manifests (their banner is in the text) and embedded JSON
    // (which holds no banner).
    let text = |dir: &Path, file: &str, contents: String| GeneratedFile {
        path: dir.join(file),
        contents,
    };
    let manifest = |dir: &Path, contents: String| text(dir, "Cargo.toml", contents);
    let units = builders::units(&ir.builders);
    let (model, mock) = (names.model_dir(), names.mock_dir());
    let (client, contract) = (names.client_dir(), names.contract_dir());
    let mut files = vec![
        manifest(
            &model,
            layout::model_manifest(names, spec_file, &ir.features, &parts),
        ),
        rust(&model, "src/lib.rs", model::lib_rs(spec_file, &parts))?,
        rust(&model, "src/spec.rs", model::spec_rs())?,
        text(&model, "src/schema.json", schema_json),
        manifest(&mock, layout::mock_manifest(names, spec_file)),
        rust(
            &mock,
            "src/lib.rs",
            server::lib_rs(spec_file, &names.mock_crate()),
        )?,
        rust(
            &mock,
            "src/main.rs",
            server::main_rs(spec_file, &names.mock_crate(), &ir.version),
        )?,
        text(&mock, "src/spec.json", spec_json),
        manifest(
            &client,
            layout::client_manifest(names, spec_file, &ir.features, &units),
        ),
        rust(&client, "src/lib.rs", client::lib_rs(spec_file))?,
        rust(&client, "src/requests.rs", client::requests_rs(&ir, &units))?,
        manifest(
            &contract,
            layout::contract_manifest(names, spec_file, &ir.features, &units),
        ),
        rust(&contract, "src/lib.rs", contract::lib_rs(spec_file))?,
        rust(&contract, "src/cases.rs", contract::runner_rs(&units))?,
    ];
    let part_by_name = parts::part_by_name(&ir, &parts);
    let case_names = contract::case_names(&ir);
    for unit in &units {
        let name = unit.name.as_str();
        let area_parts = client::area_parts(&ir, &part_by_name, name);
        let below = client::units_below(&ir, name);
        let dir = names.client_area_dir(name);
        files.extend([
            manifest(
                &dir,
                layout::client_area_manifest(names, spec_file, name, &area_parts, &below),
            ),
            rust(
                &dir,
                "src/lib.rs",
                client::area_lib_rs(spec_file, unit, &area_parts),
            )?,
            rust(&dir, "src/requests.rs", client::area_requests_rs(&ir, name))?,
        ]);
        let dir = names.contract_area_dir(name);
        files.extend([
            manifest(&dir, layout::contract_area_manifest(names, spec_file, name)),
            rust(&dir, "src/lib.rs", contract::area_lib_rs(spec_file, name))?,
            rust(
                &dir,
                "src/cases.rs",
                contract::cases_rs(&ir, name, &case_names)?,
            )?,
        ]);
    }
    for (index, part) in parts.iter().enumerate() {
        let dir = names.model_part_dir(index);
        files.extend([
            manifest(
                &dir,
                layout::model_part_manifest(names, spec_file, index, part),
            ),
            rust(&dir, "src/lib.rs", model::part_lib_rs(spec_file, index))?,
            rust(
                &dir,
                "src/items.rs",
                model::part_items_rs(&ir, &parts, index),
            )?,
        ]);
    }
    Ok(files)
}

/// A spec to generate from and the workspace folder its crates go to.
#[derive(Debug, Clone)]
pub struct Job {
    /// The spec file.
    pub spec: PathBuf,
    /// How banners name the spec, e.g. `spec/api.json`.
    pub label: String,
    /// The workspace folder the crates go under (`crates/<name>-model/...`, `tests/...`).
    pub out: PathBuf,
    /// The generated crates' package names.
    pub names: CrateNames,
    /// For a workspace of its own: its `Cargo.toml` is generated too.
    pub standalone: Option<Standalone>,
}

/// The jobs of this repository: its own spec into `crates/` and `tests/`, and each codegen
/// fixture into its snapshot folder (`crates/graph-codegen/tests/snapshots/<fixture>/`), whose
/// crates (`snapshot-<fixture>-model`, ...) are workspace members, so they are compiled, linted
/// and tested with everything else.
pub fn workspace_jobs(root: &Path) -> std::io::Result<Vec<Job>> {
    let mut jobs = vec![Job {
        spec: root.join("spec/api.json"),
        label: "spec/api.json".to_owned(),
        out: root.to_owned(),
        // `seed-*`: `graph-mock` is the hand-written mock of all of Graph.
        names: CrateNames::new("seed"),
        standalone: None,
    }];
    let fixtures = root.join("crates/graph-codegen/tests/fixtures");
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
            label: format!("crates/graph-codegen/tests/fixtures/{name}.json"),
            out: root
                .join("crates/graph-codegen/tests/snapshots")
                .join(&name),
            names: CrateNames::new(&format!("snapshot-{name}")),
            spec,
            standalone: None,
        });
    }
    Ok(jobs)
}

/// Runs one job: load, generate, write or check. Returns how many files it generated and the
/// stale ones.
pub fn run(job: &Job, mode: Mode) -> Result<(usize, Vec<PathBuf>), String> {
    let spec = graph_spec::load(&job.spec).map_err(|e| e.to_string())?;
    let mut files = generate(&spec, &job.label, &job.names).map_err(|e| e.to_string())?;
    // The crates of the model's parts and of the areas: folders a smaller spec leaves behind
    // are stale.
    let crates: Vec<&Path> = (files.iter())
        .filter(|f| f.path.ends_with("Cargo.toml"))
        .filter_map(|f| f.path.parent())
        .collect();
    let mut changed = Vec::new();
    for folder in job.names.generated_crate_folders() {
        changed.extend(
            stale_crates(&job.out.join(folder), &crates, &job.out, mode)
                .map_err(|e| e.to_string())?,
        );
    }
    if let Some(standalone) = &job.standalone {
        let parts = (crates.iter())
            .filter(|c| c.starts_with(job.names.model_dir().join("parts")))
            .count();
        let client_areas = job.names.client_dir().join("areas");
        let units: Vec<String> = (crates.iter())
            .filter_map(|c| c.strip_prefix(&client_areas).ok())
            .map(|unit| unit.display().to_string())
            .collect();
        let embedded_spec = job.names.mock_dir().join("src/spec.json");
        let spec_bytes = (files.iter())
            .find(|f| f.path == embedded_spec)
            .map_or(0, |f| f.contents.len());
        let generated = layout::Generated {
            parts,
            units: &units,
            spec_bytes,
        };
        let manifest = layout::workspace_manifest(standalone, &job.names, &job.label, &generated);
        files.push(GeneratedFile {
            path: PathBuf::from("Cargo.toml"),
            contents: manifest,
        });
    }
    changed.extend(write(&files, &job.out, mode).map_err(|e| e.to_string())?);
    Ok((files.len(), changed))
}

/// The folders in `parent` that hold no crate generated now (the spec shrank): removed in
/// write mode, reported as stale in both modes. Only folders with a generated manifest are
/// touched.
fn stale_crates(
    parent: &Path,
    crates: &[&Path],
    root: &Path,
    mode: Mode,
) -> Result<Vec<PathBuf>, CodegenError> {
    let Ok(entries) = std::fs::read_dir(parent) else {
        return Ok(Vec::new());
    };
    let error = |path: &Path, source| CodegenError::Write {
        path: path.to_owned(),
        source,
    };
    let mut stale = Vec::new();
    for entry in entries {
        let folder = entry.map_err(|e| error(parent, e))?.path();
        let generated = std::fs::read_to_string(folder.join("Cargo.toml"))
            .is_ok_and(|manifest| manifest.starts_with("# @generated"));
        let current = crates.iter().any(|c| root.join(c) == folder);
        if !generated || current {
            continue;
        }
        if mode == Mode::Write {
            std::fs::remove_dir_all(&folder).map_err(|e| error(&folder, e))?;
        }
        stale.push(folder);
    }
    stale.sort();
    Ok(stale)
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

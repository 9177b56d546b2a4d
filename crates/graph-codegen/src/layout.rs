//! Where the generated crates go, and the files that make them crates: their `Cargo.toml`s and,
//! for `cargo xtask codegen --out`, the manifest of a standalone workspace around them.
//!
//! Generated Rust names the other generated crates by fixed names (`graph_model`, `graph_mock`,
//! `graph_client`); each manifest maps those names to the actual packages. So this repository's
//! crates are `graph-model`, `graph-mock`, ... and a codegen fixture's are
//! `snapshot-library-model`, ..., from the same generated Rust.

use std::collections::BTreeSet;
use std::path::PathBuf;

use crate::builders::Unit;
use crate::parts::Part;

/// The package names of one spec's generated crates: `<prefix>-model`, `<prefix>-mock`,
/// `<prefix>-client` and `<prefix>-contract-tests`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CrateNames {
    prefix: String,
}

impl Default for CrateNames {
    /// `graph-model`, `graph-mock`, `graph-client`, `graph-contract-tests`.
    fn default() -> Self {
        CrateNames::new("graph")
    }
}

impl CrateNames {
    /// The names under `prefix`.
    pub fn new(prefix: &str) -> CrateNames {
        CrateNames {
            prefix: prefix.to_owned(),
        }
    }

    fn name(&self, kind: &str) -> String {
        format!("{}-{kind}", self.prefix)
    }

    /// The mock's library as its own binary and doctests must call it, e.g. `graph_mock`.
    pub fn mock_crate(&self) -> String {
        self.name("mock").replace('-', "_")
    }

    /// The model crate's folder, relative to the workspace root.
    pub fn model_dir(&self) -> PathBuf {
        PathBuf::from("crates").join(self.name("model"))
    }

    /// The folder of the model's part `index` ([`crate::parts`]).
    pub fn model_part_dir(&self, index: usize) -> PathBuf {
        self.model_dir().join(part_folder(index))
    }

    /// The package name of the model's part `index`.
    fn model_part(&self, index: usize) -> String {
        self.name(&format!("model-part-{index:03}"))
    }

    /// The dependency line of a model crate (the model itself or a part, in `from`) on part
    /// `index`, as `graph-model-part-NNN`, optional when `optional`.
    fn model_part_dependency(&self, index: usize, from: &str, optional: bool) -> String {
        format!(
            "{key} = {{ package = \"{name}\", path = \"{from}{folder}\"{optional} }}\n",
            key = part_key(index),
            name = self.model_part(index),
            folder = part_folder(index),
            optional = if optional { ", optional = true" } else { "" },
        )
    }

    /// The mock crate's folder.
    pub fn mock_dir(&self) -> PathBuf {
        PathBuf::from("crates").join(self.name("mock"))
    }

    /// The client crate's folder.
    pub fn client_dir(&self) -> PathBuf {
        PathBuf::from("crates").join(self.name("client"))
    }

    /// The folder of the client's crate for the unit `unit` ([`crate::builders::Unit`]).
    pub fn client_area_dir(&self, unit: &str) -> PathBuf {
        self.client_dir().join("areas").join(unit)
    }

    /// The contract tests' folder: the runner, which runs every area's cases.
    pub fn contract_dir(&self) -> PathBuf {
        PathBuf::from("tests").join(self.name("contract-tests"))
    }

    /// The folder of the contract cases of the unit `unit`.
    pub fn contract_area_dir(&self, unit: &str) -> PathBuf {
        self.contract_dir().join("areas").join(unit)
    }

    /// The folders whose subfolders are generated crates, one per part or area: a shrinking
    /// spec leaves some behind.
    pub fn generated_crate_folders(&self) -> [PathBuf; 3] {
        [
            self.model_dir().join("parts"),
            self.client_dir().join("areas"),
            self.contract_dir().join("areas"),
        ]
    }

    /// A generated crate's dependency on the area crate `kind` (`client-area` or
    /// `contract-tests-area`) of the unit `unit`, whose folder is `folder` seen from the
    /// depending crate, as `graph-<kind>-<unit>`.
    fn area_dependency(&self, kind: &str, unit: &str, folder: &str, optional: bool) -> String {
        format!(
            "{key} = {{ package = \"{name}\", path = \"{folder}\"{optional} }}\n",
            key = area_key(kind, unit),
            name = self.name(&format!("{kind}-{unit}")),
            optional = if optional { ", optional = true" } else { "" },
        )
    }

    /// The dependency line that lets a generated crate say `graph_<kind>` for the generated
    /// crate `kind`: `up` is the way from the depending crate's folder to `crates/`, and
    /// `options` are further keys (`, default-features = false`).
    fn dependency(&self, kind: &str, up: &str, options: &str) -> String {
        format!(
            "graph-{kind} = {{ package = \"{name}\", path = \"{up}/{name}\"{options} }}\n",
            name = self.name(kind)
        )
    }

    /// The model dependency of a generated crate under `crates/`, whose area features pick the
    /// model's.
    fn model_by_features(&self) -> String {
        self.dependency("model", "..", ", default-features = false")
    }
}

/// The name generated manifests give the dependency on the model's part `index`,
/// `graph-model-part-NNN` (generated Rust says `graph_model_part_NNN`), whatever its package.
pub fn part_key(index: usize) -> String {
    format!("graph-model-part-{index:03}")
}

/// The name generated manifests give the dependency on the area crate `kind` of the unit
/// `unit`, `graph-client-area-<unit>` or `graph-contract-tests-area-<unit>`, whatever its
/// package; [`client_area_crate`] and [`contract_area_crate`] are their Rust names.
fn area_key(kind: &str, unit: &str) -> String {
    format!("graph-{kind}-{unit}")
}

/// The Rust name of the client's crate for the unit `unit`, e.g.
/// `graph_client_area_device_management`.
pub fn client_area_crate(unit: &str) -> String {
    area_key("client-area", unit).replace('-', "_")
}

/// The Rust name of the contract cases' crate for the unit `unit`.
pub fn contract_area_crate(unit: &str) -> String {
    area_key("contract-tests-area", unit).replace('-', "_")
}

/// A part's folder under the model's: `parts/NNN`.
fn part_folder(index: usize) -> String {
    format!("parts/{index:03}")
}

fn package(spec_label: &str, name: &str, description: &str) -> String {
    let banner = toml_banner(spec_label);
    format!(
        "{banner}[package]\nname = \"{name}\"\ndescription = \"{description}\"\nversion = \"0.1.0\"\n\
         edition.workspace = true\nrust-version.workspace = true\nlicense.workspace = true\n\
         publish.workspace = true\n"
    )
}

const LINTS: &str = "\n[lints]\nworkspace = true\n";

/// For a crate without unit tests: `cargo test` and `cargo build --tests` would otherwise build
/// the whole crate a second time as an empty test harness (on a large spec, the model's largest
/// build step after its own).
const NO_TEST_HARNESS: &str = "\n[lib]\n# No unit tests here: without this, `cargo test` builds the crate twice.\ntest = false\n";

/// For a model part, whose docs hold no examples either: `cargo test` would otherwise run
/// rustdoc once for each part.
const NO_TESTS: &str =
    "\n[lib]\n# No unit tests or doc examples here.\ntest = false\ndoctest = false\n";

/// A `[features]` table with one feature per area ([`crate::areas`]), all on by default;
/// `enables` says what each area feature turns on.
fn features_table(features: &[String], enables: impl Fn(&str) -> Vec<String>) -> String {
    let mut text = String::from(
        "\n[features]\n# One feature per area (a path's first segment), each compiling that area's part.\n",
    );
    let default: Vec<String> = features.iter().map(|f| format!("{f:?}")).collect();
    text.push_str(&format!("default = [{}]\n", default.join(", ")));
    for feature in features {
        let enabled: Vec<String> = enables(feature).iter().map(|e| format!("{e:?}")).collect();
        text.push_str(&format!("{feature} = [{}]\n", enabled.join(", ")));
    }
    text
}

/// The banner of every generated manifest.
pub fn toml_banner(spec_label: &str) -> String {
    format!("# @generated by cargo xtask codegen from {spec_label}; do not edit\n")
}

/// The model crate's `Cargo.toml`: a facade over its parts, each area feature turning on the
/// parts it needs; the parts every area needs are always on.
pub fn model_manifest(
    names: &CrateNames,
    spec_label: &str,
    features: &[String],
    parts: &[Part],
) -> String {
    let enables = |feature: &str| -> Vec<String> {
        (parts.iter().enumerate())
            .filter(|(_, part)| part.features.0.iter().any(|f| f == feature))
            .map(|(index, _)| format!("dep:{}", part_key(index)))
            .collect()
    };
    let mut dependencies = String::from("\n[dependencies]\ngraph-odata.workspace = true\n");
    for (index, part) in parts.iter().enumerate() {
        dependencies.push_str(&names.model_part_dependency(index, "", !part.features.0.is_empty()));
    }
    package(
        spec_label,
        &names.name("model"),
        &format!(
            "The Microsoft Graph model types of {spec_label}, shared by its mock and its client."
        ),
    ) + NO_TEST_HARNESS
        + &features_table(features, enables)
        + &dependencies
        + LINTS
}

/// The `Cargo.toml` of the model's part `index`.
pub fn model_part_manifest(
    names: &CrateNames,
    spec_label: &str,
    index: usize,
    part: &Part,
) -> String {
    let mut dependencies = String::from(
        "\n[dependencies]\ngraph-odata.workspace = true\nserde.workspace = true\nserde_json.workspace = true\n",
    );
    for &dependency in &part.dependencies {
        dependencies.push_str(&names.model_part_dependency(dependency, "../../", false));
    }
    package(
        spec_label,
        &names.model_part(index),
        &format!("Part {index} of the Microsoft Graph model types of {spec_label}."),
    ) + NO_TESTS
        + &dependencies
        + LINTS
}

/// The mock crate's `Cargo.toml`: a library (its `API`) and the `<prefix>-mock` binary, which
/// needs the feature `cli` (`cargo run -p <prefix>-mock --features cli`). The feature is off by
/// default so that the contract tests, which start the mock in process, compile neither the
/// command line nor SQLite. It has no area features: the engine builds its routes from the
/// embedded spec at run time, so an area costs no compile time, and it depends on no model
/// crate.
pub fn mock_manifest(names: &CrateNames, spec_label: &str) -> String {
    package(
        spec_label,
        &names.name("mock"),
        &format!(
            "A stateful mock of the Microsoft Graph API of {spec_label}, on graph-mock-runtime."
        ),
    ) + NO_TEST_HARNESS
        + &format!(
            "\n[[bin]]\nname = \"{name}\"\npath = \"src/main.rs\"\ntest = false\n\
             required-features = [\"cli\"]\n",
            name = names.name("mock")
        )
        + "\n[features]\n\
           # The binary: the command line (with SQLite and HTTPS) and mimalloc as its allocator.\n\
           cli = [\"graph-mock-runtime/cli\", \"dep:mimalloc\"]\n"
        + "\n[dependencies]\n"
        + "graph-mock-runtime.workspace = true\nmimalloc = { workspace = true, optional = true }\n"
        + LINTS
}

/// A facade over the area crates of `kind` (in its `areas/` folder), one per unit: what each
/// area feature turns on (its units' crates, and the feature of the same name of the
/// dependency `also`, if any), and the optional dependency lines on the crates.
fn area_facade<'a>(
    names: &CrateNames,
    kind: &'a str,
    also: Option<&'a str>,
    units: &'a [Unit],
) -> (impl Fn(&str) -> Vec<String> + 'a, String) {
    let enables = move |feature: &str| {
        (units.iter())
            .filter(|unit| unit.feature == feature)
            .map(|unit| format!("dep:{}", area_key(kind, &unit.name)))
            .chain(also.map(|also| format!("{also}/{feature}")))
            .collect()
    };
    let dependencies = (units.iter())
        .map(|unit| {
            let folder = format!("areas/{}", unit.name);
            names.area_dependency(kind, &unit.name, &folder, true)
        })
        .collect();
    (enables, dependencies)
}

/// The client crate's `Cargo.toml`: a facade over its area crates, each area feature turning
/// on its crate (and the model's types of that area, which the facade re-exports).
pub fn client_manifest(
    names: &CrateNames,
    spec_label: &str,
    features: &[String],
    units: &[Unit],
) -> String {
    let (enables, areas) = area_facade(names, "client-area", Some("graph-model"), units);
    let dependencies = String::from("\n[dependencies]\ngraph-client-runtime.workspace = true\n")
        + &names.model_by_features()
        + &areas
        + "serde.workspace = true\nserde_json.workspace = true\n";
    package(
        spec_label,
        &names.name("client"),
        &format!(
            "A typed Microsoft Graph client for the API of {spec_label}, on graph-client-runtime."
        ),
    ) + NO_TEST_HARNESS
        + &features_table(features, enables)
        + &dependencies
        + LINTS
}

/// The `Cargo.toml` of the client's crate for the unit `unit`, which depends on the model's
/// parts its requests name (and, through them, on the parts those use), not on the model
/// facade, so a change to a type rebuilds only the units that can reach it; and on the units
/// below it (`below`), whose top builders its builders return.
pub fn client_area_manifest(
    names: &CrateNames,
    spec_label: &str,
    unit: &str,
    parts: &BTreeSet<usize>,
    below: &BTreeSet<String>,
) -> String {
    let mut dependencies = String::from(
        "\n[dependencies]\ngraph-client-runtime.workspace = true\ngraph-odata.workspace = true\nserde.workspace = true\nserde_json.workspace = true\n",
    );
    let model = format!("../../../{}/", names.name("model"));
    for &part in parts {
        dependencies.push_str(&names.model_part_dependency(part, &model, false));
    }
    for other in below {
        let folder = format!("../{other}");
        dependencies.push_str(&names.area_dependency("client-area", other, &folder, false));
    }
    package(
        spec_label,
        &names.name(&format!("client-area-{unit}")),
        &format!(
            "The `{unit}` request builders of the typed Microsoft Graph client of {spec_label}."
        ),
    ) + NO_TESTS
        + &dependencies
        + LINTS
}

/// The contract tests' `Cargo.toml`: the runner (a test target without libtest's harness),
/// each area feature turning on its cases (the mock serves every area).
pub fn contract_manifest(
    names: &CrateNames,
    spec_label: &str,
    features: &[String],
    units: &[Unit],
) -> String {
    let (enables, areas) = area_facade(names, "contract-tests-area", None, units);
    let dependencies = String::from("\n[dependencies]\ngraph-contract.workspace = true\n")
        + &names.dependency("mock", "../../crates", ", default-features = false")
        + &areas;
    package(
        spec_label,
        &names.name("contract-tests"),
        &format!(
            "The doc examples of {spec_label} as contract tests: the generated client against the generated mock."
        ),
    ) + NO_TESTS
        + "\n[[test]]\n# The cases of every area, run by graph-contract's runner (libtest-mimic).\nname = \"cases\"\npath = \"src/cases.rs\"\nharness = false\n"
        + &features_table(features, enables)
        + &dependencies
        + LINTS
}

/// The `Cargo.toml` of the contract cases of the unit `unit`: they depend on the unit's client
/// crate and the runtime, not on the mock, which the runner passes them.
pub fn contract_area_manifest(names: &CrateNames, spec_label: &str, unit: &str) -> String {
    let client = format!("../../../../crates/{}/areas/{unit}", names.name("client"));
    package(
        spec_label,
        &names.name(&format!("contract-tests-area-{unit}")),
        &format!(
            "The doc examples of the `{unit}` request builders of {spec_label} as contract cases."
        ),
    ) + NO_TESTS
        + "\n[dependencies]\n"
        + &names.area_dependency("client-area", unit, &client, false)
        + "graph-contract.workspace = true\nserde_json.workspace = true\n"
        + LINTS
}

/// Where a standalone workspace finds the runtime crates.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum RuntimeSource {
    /// A checkout of this repository (its root folder).
    Path(PathBuf),
    /// This repository by git, at a revision (a commit, tag or branch).
    Git {
        /// The repository URL.
        url: String,
        /// The revision.
        rev: String,
    },
}

/// The runtime crates a generated workspace depends on.
pub const RUNTIME_CRATES: &[&str] = &[
    "graph-odata",
    "graph-mock-runtime",
    "graph-client-runtime",
    "graph-contract",
];

/// What a standalone generated workspace needs besides the generated crates.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Standalone {
    /// Where the runtime crates come from.
    pub runtime: RuntimeSource,
    /// The third-party `[workspace.dependencies]` lines to use, e.g. this repository's own, so
    /// that the generated crates build with the versions the runtime crates are tested with.
    pub third_party: String,
}

/// What a standalone workspace's manifest says about the crates generated into it.
#[derive(Debug, Clone, Copy)]
pub struct Generated<'a> {
    /// How many parts the model has.
    pub parts: usize,
    /// The client's area crates, by unit.
    pub units: &'a [String],
    /// The size of the spec the mock embeds, in bytes.
    pub spec_bytes: usize,
}

/// From this size on, the embedded spec's parser is optimized in a debug build. Unoptimized it
/// parses about 12 MB a second (the whole beta's 19 MB took 1.6 s instead of a tenth of that),
/// and optimizing it costs about 20 s of a cold build: worth it for a whole version, not for a
/// slice whose spec parses in milliseconds.
const OPTIMIZED_SPEC_PARSER_FROM: usize = 2 << 20;

/// The `Cargo.toml` of a standalone workspace holding the generated crates.
pub fn workspace_manifest(
    standalone: &Standalone,
    names: &CrateNames,
    spec_label: &str,
    generated: &Generated,
) -> String {
    let &Generated {
        parts,
        units,
        spec_bytes,
    } = generated;
    let mut text = toml_banner(spec_label);
    text.push_str(
        "[workspace]\nresolver = \"3\"\nmembers = [\"crates/*\", \"tests/*\"]\n\n\
         [workspace.package]\nedition = \"2024\"\nrust-version = \"1.85\"\n\
         license = \"MIT OR Apache-2.0\"\npublish = false\n\n[workspace.dependencies]\n",
    );
    for name in RUNTIME_CRATES {
        let source = match &standalone.runtime {
            RuntimeSource::Path(root) => format!(
                "path = {:?}",
                root.join("crates").join(name).display().to_string()
            ),
            RuntimeSource::Git { url, rev } => format!("git = {url:?}, rev = {rev:?}"),
        };
        // Without default features, as in this repository: the crates name what they use (the
        // mock's `cli` only for its binary).
        text.push_str(&format!(
            "{name} = {{ {source}, default-features = false }}\n"
        ));
    }
    text.push_str(standalone.third_party.trim());
    text.push_str(
        "\n\n[workspace.lints.rust]\nmissing_docs = \"warn\"\nunsafe_code = \"forbid\"\n",
    );
    // Generated code is mostly serde impls, rarely stepped through in a debugger.
    text.push_str(
        "\n# Generated code builds without debug info: a tenth of its build time on a large spec.\n",
    );
    let packages = ["model", "mock", "client"]
        .map(|kind| names.name(kind))
        .into_iter()
        .chain((0..parts).map(|index| names.model_part(index)))
        .chain(
            units
                .iter()
                .map(|u| names.name(&format!("client-area-{u}"))),
        );
    for package in packages {
        text.push_str(&format!("[profile.dev.package.{package}]\ndebug = false\n"));
    }
    if spec_bytes >= OPTIMIZED_SPEC_PARSER_FROM {
        text.push_str(
            "\n# The mock parses its large embedded spec at start: optimized even in a debug build.\n\
             [profile.dev.package.serde_json]\nopt-level = 3\n\
             [profile.dev.package.graph-spec]\nopt-level = 2\n",
        );
    }
    text
}

//! The mock's settings, shared by the CLI and the in-process [`crate::MockServer`].

use std::str::FromStr;

/// How requests are authenticated.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum AuthMode {
    /// Require `Authorization: Bearer <anything>`, as the docs' header tables do.
    #[default]
    Bearer,
    /// No check.
    None,
    /// Decode the bearer token as an unsigned JWT and check its `scp` (delegated) or `roles`
    /// (application) claim against the operation's documented permissions.
    Scopes,
}

impl FromStr for AuthMode {
    type Err = String;
    fn from_str(text: &str) -> Result<Self, Self::Err> {
        match text {
            "bearer" => Ok(AuthMode::Bearer),
            "none" => Ok(AuthMode::None),
            "scopes" => Ok(AuthMode::Scopes),
            other => Err(format!(
                "unknown auth mode `{other}` (expected bearer, none or scopes)"
            )),
        }
    }
}

/// The mock's settings.
#[derive(Debug, Clone, PartialEq)]
pub struct Config {
    /// The path every route lives under, e.g. `/beta`; `None` is the API's version (`/beta` for
    /// a beta spec, `/v1.0` for a v1.0 one).
    pub base_path: Option<String>,
    /// How requests are authenticated.
    pub auth: AuthMode,
    /// The server-side page size of list responses without `$top`.
    pub page_size: usize,
    /// The largest page `$top` can ask for; a larger `$top` is clamped to it, and paging goes on.
    pub max_page_size: usize,
    /// The largest request body accepted, in bytes.
    pub max_body: usize,
    /// Where to keep the state (a SQLite file or a PostgreSQL database); `None` keeps it in
    /// memory.
    pub data: Option<crate::store::DataLocation>,
    /// Fault injection rules (none by default).
    pub faults: crate::faults::FaultFile,
    /// The seed that makes fault injection repeatable.
    pub fault_seed: u64,
    /// How many requests the journal keeps.
    pub journal_size: usize,
    /// Whether the `$mock` admin routes are served.
    pub admin: bool,
    /// The apps the token endpoint signs in (`--app`).
    pub apps: Vec<crate::token::AppRegistration>,
}

impl Default for Config {
    fn default() -> Self {
        Config {
            base_path: None,
            auth: AuthMode::Bearer,
            page_size: 100,
            max_page_size: 999,
            max_body: 1024 * 1024,
            data: None,
            faults: crate::faults::FaultFile::default(),
            fault_seed: 0,
            journal_size: 1000,
            admin: true,
            apps: Vec::new(),
        }
    }
}

impl Config {
    /// The base path for an API of `version`, normalised to `/segment` form (`beta/` →
    /// `/beta`, `/` → ``).
    pub fn normalised_base_path(&self, version: &str) -> String {
        let trimmed = self
            .base_path
            .as_deref()
            .unwrap_or(version)
            .trim_matches('/');
        if trimmed.is_empty() {
            String::new()
        } else {
            format!("/{trimmed}")
        }
    }
}

//! The mock's command line: what a mock binary's `main` runs.
//!
//! A `main.rs` is one call, `graph_mock_runtime::cli::run(&[BuiltIn { .. }])`, naming the APIs
//! the binary has built in (a generated mock crate's one spec; `graph-mock`'s v1.0 and beta);
//! the flags, the choice of APIs, the store, the logs and the shutdown live here, for every spec.

use std::path::PathBuf;
use std::process::ExitCode;
use std::sync::LazyLock;

use clap::Parser;

use crate::faults::{FaultFile, parse_range, parse_throttle};
use crate::tls::Certificates;
use crate::{Api, AppState, AuthMode, Config};

/// A stateful mock of the Microsoft Graph API, generated from its docs.
#[derive(Debug, Parser)]
#[command(version, about)]
struct Cli {
    /// Serve this spec (a folder written by `cargo xtask import`, or its `api.json`) instead of
    /// the built-in ones: nothing is generated or compiled for it. Repeat it to serve several
    /// versions on one port, each under `/<version>`, over one store.
    #[arg(long, value_name = "DIR|FILE", conflicts_with = "api")]
    spec: Vec<PathBuf>,
    /// Which built-in API to serve: a version (`beta`, `v1.0`), or `both` (every one built in,
    /// the default), each under `/<version>`, over one store.
    #[arg(long, value_name = "VERSION|both")]
    api: Option<String>,
    /// The address to listen on.
    #[arg(long, default_value = "127.0.0.1")]
    host: String,
    /// The port to listen on (0 picks a free one).
    #[arg(long, default_value_t = 8080)]
    port: u16,
    /// The path every route lives under (default: the API's version, e.g. /beta).
    #[arg(long, value_name = "PATH")]
    base_path: Option<String>,
    /// `bearer` (require any bearer token), `none`, or `scopes` (check the JWT's scp/roles).
    #[arg(long, default_value = "bearer")]
    auth: AuthMode,
    /// The server-side page size of list responses.
    #[arg(long, default_value_t = 100, value_parser = clap::value_parser!(u32).range(1..))]
    page_size: u32,
    /// The largest page `$top` can ask for (Graph's is 999); a larger `$top` is clamped to it.
    #[arg(long, default_value_t = 999, value_parser = clap::value_parser!(u32).range(1..))]
    max_page_size: u32,
    /// The largest request body accepted, in bytes.
    #[arg(long, default_value_t = 1024 * 1024)]
    max_body: usize,
    /// Preload the entities shown in the docs' response examples.
    #[arg(long)]
    seed_examples: bool,
    /// Keep the state in this SQLite file (created if missing), or in the PostgreSQL database
    /// of a postgres:// URL (shared by every mock given it), instead of in memory.
    #[arg(long, value_name = "FILE|URL")]
    data: Option<crate::store::DataLocation>,
    /// Load entities at start from a JSON file: {"<collection path>": [entity, ...]} into the
    /// default tenant, and {"tenants": {"<tid>": {...}}} into the tenants named.
    #[arg(long, value_name = "FILE.json")]
    fixtures: Option<PathBuf>,
    /// Do not serve the `<base>/$mock/...` admin routes.
    #[arg(long)]
    no_admin: bool,
    /// How many requests the journal keeps.
    #[arg(long, default_value_t = 1000)]
    journal_size: usize,
    /// The seed that makes injected faults repeatable.
    #[arg(long, default_value_t = 0)]
    fault_seed: u64,
    /// Added latency for every operation, in ms: MIN..MAX.
    #[arg(long, value_name = "MIN..MAX", value_parser = parse_range)]
    latency: Option<(u64, u64)>,
    /// The chance (0 to 1) that a request fails with one of --error-statuses.
    #[arg(long, default_value_t = 0.0)]
    error_rate: f64,
    /// The statuses injected failures use.
    #[arg(long, value_delimiter = ',', default_value = "500,502,503,504")]
    error_statuses: Vec<u16>,
    /// Throttle every operation to N requests per WINDOW (e.g. 10/1s): 429 with Retry-After.
    #[arg(long, value_name = "N/WINDOW", value_parser = parse_throttle)]
    throttle: Option<(u32, std::time::Duration)>,
    /// Per-operation fault rules in a JSON file (see docs/mock-server.md); flags set the default rules.
    #[arg(long, value_name = "FILE.json")]
    faults: Option<PathBuf>,
    /// Register an app with the token endpoint (`POST /{tenant}/oauth2/v2.0/token`), as
    /// CLIENT_ID:SECRET:Role1,Role2; its tokens carry those roles. Repeatable.
    #[arg(long = "app", value_name = "CLIENT_ID:SECRET:ROLES")]
    apps: Vec<crate::token::AppRegistration>,
    /// Serve HTTPS, with a certificate for localhost and 127.0.0.1 made at start.
    #[arg(long)]
    tls: bool,
    /// With --tls: write the certificate clients should trust (PEM) to this file.
    #[arg(long, value_name = "FILE", requires = "tls")]
    tls_cert_out: Option<PathBuf>,
    /// Serve HTTPS with this certificate chain (PEM) instead of a generated one.
    #[arg(
        long,
        value_name = "FILE",
        requires = "tls_key",
        conflicts_with = "tls_cert_out"
    )]
    tls_cert: Option<PathBuf>,
    /// The private key (PEM) of --tls-cert.
    #[arg(long, value_name = "FILE", requires = "tls_cert")]
    tls_key: Option<PathBuf>,
}

/// The certificates the flags ask for: none (HTTP), the user's, or generated ones, whose
/// authority is written to `--tls-cert-out`.
fn certificates(cli: &Cli) -> Result<Option<Certificates>, String> {
    let certificates = match (&cli.tls_cert, &cli.tls_key, cli.tls) {
        (Some(cert), Some(key), _) => Certificates::from_files(cert, key),
        (_, _, true) => Certificates::generate(),
        _ => return Ok(None),
    }
    .map_err(|e| e.to_string())?;
    if let Some(path) = &cli.tls_cert_out {
        std::fs::write(path, certificates.ca_pem())
            .map_err(|e| format!("{}: cannot write the certificate: {e}", path.display()))?;
    }
    Ok(Some(certificates))
}

fn read_json(path: &PathBuf) -> Result<serde_json::Value, String> {
    let text = std::fs::read_to_string(path).map_err(|e| format!("{}: {e}", path.display()))?;
    serde_json::from_str(&text).map_err(|e| format!("{}: not JSON: {e}", path.display()))
}

fn config(cli: &Cli) -> Result<Config, String> {
    if !(0.0..=1.0).contains(&cli.error_rate) {
        return Err(format!(
            "--error-rate takes a number from 0 to 1, not {}",
            cli.error_rate
        ));
    }
    let mut faults = match &cli.faults {
        Some(path) => serde_json::from_value::<FaultFile>(read_json(path)?)
            .map_err(|e| format!("{}: {e}", path.display()))?,
        None => FaultFile::default(),
    };
    if cli.latency.is_some() {
        faults.default.latency = cli.latency;
    }
    if cli.error_rate > 0.0 {
        faults.default.error_rate = cli.error_rate;
        faults.default.statuses = cli.error_statuses.clone();
    }
    if cli.throttle.is_some() {
        faults.default.throttle = cli.throttle;
    }
    Ok(Config {
        base_path: cli.base_path.clone(),
        auth: cli.auth,
        page_size: cli.page_size as usize,
        max_page_size: cli.max_page_size as usize,
        max_body: cli.max_body,
        data: cli.data.clone(),
        faults,
        fault_seed: cli.fault_seed,
        journal_size: cli.journal_size,
        admin: !cli.no_admin,
        apps: cli.apps.clone(),
    })
}

/// An API a binary has built in: its version, and its model, built when first used (so that
/// `--help`, or serving another, never parses it).
#[derive(Debug, Clone, Copy)]
pub struct BuiltIn {
    /// The API version, as its spec says (`beta`, `v1.0`).
    pub version: &'static str,
    /// Its model.
    pub api: &'static LazyLock<Api>,
}

/// A problem with the flags that choose what to serve: one line, exit code 2.
struct UsageError(String);

/// The APIs the flags ask for: the `--spec` files, else the built-in ones `--api` names (all by
/// default). Several are built at once, one thread each.
fn apis(cli: &Cli, built_in: &[BuiltIn]) -> Result<Vec<&'static Api>, UsageError> {
    let apis: Vec<&'static Api> = if cli.spec.is_empty() {
        let chosen: Vec<&BuiltIn> = match cli.api.as_deref() {
            None | Some("both") => built_in.iter().collect(),
            Some(version) => built_in.iter().filter(|b| b.version == version).collect(),
        };
        if chosen.is_empty() {
            let known: Vec<&str> = built_in.iter().map(|b| b.version).collect();
            return Err(UsageError(format!(
                "--api: `{}` is not built in; use one of: {}, both",
                cli.api.as_deref().unwrap_or_default(),
                known.join(", ")
            )));
        }
        std::thread::scope(|scope| {
            let building: Vec<_> = (chosen.iter())
                .map(|b| scope.spawn(|| LazyLock::force(b.api)))
                .collect();
            building
                .into_iter()
                .map(|t| t.join())
                .collect::<Result<_, _>>()
        })
        .map_err(|_| UsageError("a built-in spec could not be read".to_owned()))?
    } else {
        let loaded = std::thread::scope(|scope| {
            let loading: Vec<_> = (cli.spec.iter())
                .map(|path| scope.spawn(move || Api::load(path)))
                .collect();
            loading.into_iter().map(|t| t.join()).collect::<Vec<_>>()
        });
        let mut apis = Vec::new();
        for api in loaded {
            match api {
                // Served for the life of the process, as a built-in model is.
                Ok(Ok(api)) => apis.push(&*Box::leak(Box::new(api))),
                Ok(Err(e)) => return Err(UsageError(format!("--spec: {e}"))),
                Err(_) => return Err(UsageError("--spec: the spec could not be read".into())),
            }
        }
        apis
    };
    crate::servable_together(&apis).map_err(|e| UsageError(format!("--spec: {e}")))?;
    if apis.len() > 1 && cli.base_path.is_some() {
        return Err(UsageError(
            "--base-path: serving several versions, each is under `/<version>`".to_owned(),
        ));
    }
    Ok(apis)
}

/// The states of `apis` over the store `--data` names: a setting that does not work (a bad
/// fault file, a database that cannot be reached or is of a newer schema) is a usage error.
fn open(apis: &[&'static Api], cli: &Cli) -> Result<Vec<AppState>, UsageError> {
    let config = config(cli).map_err(UsageError)?;
    AppState::open_versions(apis, config).map_err(|e| match &cli.data {
        Some(data) => UsageError(format!("--data {data}: {e}")),
        None => UsageError(e.to_string()),
    })
}

/// Loads the start state; the first state is the one fixtures go through.
async fn load(states: Vec<AppState>, cli: &Cli) -> Result<Vec<AppState>, String> {
    let state = &states[0];
    if cli.seed_examples {
        let mut count = 0;
        for state in &states {
            count += state.seed_examples().await;
        }
        tracing::info!("preloaded {count} entities from the doc examples");
    }
    if let Some(path) = &cli.fixtures {
        let added = state
            .load_fixtures(&read_json(path)?)
            .await
            .map_err(|e| format!("{}: {e}", path.display()))?;
        tracing::info!("loaded {added} fixture entities from {}", path.display());
    }
    state
        .capture_start_state()
        .map_err(|e| format!("cannot read the store: {e}"))?;
    Ok(states)
}

/// Runs the mock of the APIs the command line chooses among `built_in` (or loads with
/// `--spec`), until Ctrl-C.
#[tokio::main]
pub async fn run(built_in: &[BuiltIn]) -> ExitCode {
    // The access log is written by a background thread, off the request path (see
    // `log_writer`); colours only on a terminal, so a log redirected to a file has no escape
    // codes. The guard flushes it on exit.
    let colour = std::io::IsTerminal::is_terminal(&std::io::stdout());
    let (writer, _flush_on_exit) = crate::log_writer::batched(std::io::stdout());
    crate::log_writer::install_access_log(writer.clone(), colour);
    tracing_subscriber::fmt()
        .with_env_filter(
            tracing_subscriber::EnvFilter::try_from_default_env().unwrap_or_else(|_| "info".into()),
        )
        .with_ansi(colour)
        .with_writer(writer)
        .init();
    let cli = Cli::parse();
    let apis = match apis(&cli, built_in) {
        Ok(apis) => apis,
        Err(UsageError(message)) => {
            eprintln!("error: {message}");
            return ExitCode::from(2);
        }
    };
    let states = match open(&apis, &cli) {
        Ok(states) => states,
        Err(UsageError(message)) => {
            eprintln!("error: {message}");
            return ExitCode::from(2);
        }
    };
    let ready = load(states, &cli).await;
    let (states, certificates) = match ready.and_then(|s| Ok((s, certificates(&cli)?))) {
        Ok(ready) => ready,
        Err(message) => {
            eprintln!("error: {message}");
            return ExitCode::FAILURE;
        }
    };
    let base_paths: Vec<&str> = states.iter().map(|s| s.base_path()).collect();
    let base_paths = base_paths.join(", ");
    let listener = match std::net::TcpListener::bind((cli.host.as_str(), cli.port)) {
        Ok(listener) => listener,
        Err(e) => {
            eprintln!("error: cannot listen on {}:{}: {e}", cli.host, cli.port);
            return ExitCode::FAILURE;
        }
    };
    let address = listener
        .local_addr()
        .map(|a| a.to_string())
        .unwrap_or_default();
    let scheme = if certificates.is_some() {
        "https"
    } else {
        "http"
    };
    // One line per address, the first as `listening on <url>` (what scripts and tests read).
    tracing::info!(
        "Graph mock listening on {scheme}://{address}{}",
        states[0].base_path()
    );
    if states.len() > 1 {
        tracing::info!("serving {base_paths} over one store");
    }
    let served = match certificates {
        None => serve_http(listener, crate::app_of(states)).await,
        Some(certificates) => {
            let handle = axum_server::Handle::new();
            let stopper = handle.clone();
            tokio::spawn(async move {
                ctrl_c().await;
                stopper.graceful_shutdown(None);
            });
            crate::tls::serve(listener, &certificates, crate::app_of(states), handle)
                .await
                .map_err(|e| e.to_string())
        }
    };
    match served {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("error: the server failed: {e}");
            ExitCode::FAILURE
        }
    }
}

async fn serve_http(listener: std::net::TcpListener, app: crate::App) -> Result<(), String> {
    listener.set_nonblocking(true).map_err(|e| e.to_string())?;
    let listener = tokio::net::TcpListener::from_std(listener).map_err(|e| e.to_string())?;
    axum::serve(listener, app.into_make_service())
        .with_graceful_shutdown(ctrl_c())
        .await
        .map_err(|e| e.to_string())
}

async fn ctrl_c() {
    let _ = tokio::signal::ctrl_c().await;
    tracing::info!("shutting down");
}

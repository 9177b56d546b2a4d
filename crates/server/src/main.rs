//! `graph-mock`: runs the Graph mock server.

use clap::Parser;
use graph_mock::{AuthMode, Config};

/// A stateful mock of the Microsoft Graph API, generated from its docs.
#[derive(Debug, Parser)]
#[command(version, about)]
struct Cli {
    /// The address to listen on.
    #[arg(long, default_value = "127.0.0.1")]
    host: String,
    /// The port to listen on (0 picks a free one).
    #[arg(long, default_value_t = 8080)]
    port: u16,
    /// The path every route lives under.
    #[arg(long, default_value = "/beta")]
    base_path: String,
    /// `bearer` (require any bearer token), `none`, or `scopes` (check the JWT's scp/roles).
    #[arg(long, default_value = "bearer")]
    auth: AuthMode,
    /// The server-side page size of list responses.
    #[arg(long, default_value_t = 100, value_parser = clap::value_parser!(u32).range(1..))]
    page_size: u32,
    /// The largest request body accepted, in bytes.
    #[arg(long, default_value_t = 1024 * 1024)]
    max_body: usize,
    /// Preload the entities shown in the docs' response examples.
    #[arg(long)]
    seed_examples: bool,
}

#[tokio::main]
async fn main() -> std::process::ExitCode {
    tracing_subscriber::fmt()
        .with_env_filter(
            tracing_subscriber::EnvFilter::try_from_default_env().unwrap_or_else(|_| "info".into()),
        )
        .init();
    let cli = Cli::parse();
    let config = Config {
        base_path: cli.base_path,
        auth: cli.auth,
        page_size: cli.page_size as usize,
        max_body: cli.max_body,
    };
    let state = graph_mock::AppState::new(config);
    if cli.seed_examples {
        let count = graph_mock::seed::seed_examples(&state.store, graph_model::schema().spec());
        tracing::info!("preloaded {count} entities from the doc examples");
    }
    let base_path = state.config.normalised_base_path();
    let listener = match tokio::net::TcpListener::bind((cli.host.as_str(), cli.port)).await {
        Ok(listener) => listener,
        Err(e) => {
            eprintln!("error: cannot listen on {}:{}: {e}", cli.host, cli.port);
            return std::process::ExitCode::FAILURE;
        }
    };
    let address = listener
        .local_addr()
        .map(|a| a.to_string())
        .unwrap_or_default();
    tracing::info!("Graph mock listening on http://{address}{base_path}");
    let shutdown = async {
        let _ = tokio::signal::ctrl_c().await;
        tracing::info!("shutting down");
    };
    match axum::serve(listener, graph_mock::app(state))
        .with_graceful_shutdown(shutdown)
        .await
    {
        Ok(()) => std::process::ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("error: the server failed: {e}");
            std::process::ExitCode::FAILURE
        }
    }
}

//! `apiprobe serve`: the web reference page and its JSON API.

use super::service::{init_tracing, shutdown_signal};
use super::{load_catalog, Outcome};
use crate::cli::Global;
use anyhow::Context;
use std::net::SocketAddr;
use std::sync::Arc;

const AFTER_HELP: &str = "\
Pages: /  /codes/404  /codes/PRB-3001  /explain
API:   /api/v1/codes  /api/v1/codes/{code}  /api/v1/search?q=  POST /api/v1/explain
       /api/v1/translate?tool=curl&code=60  /openapi.json  /healthz

Logging: RUST_LOG picks what goes to stderr (default `warn`: nothing per request).
  RUST_LOG=info logs one line per request (method, path, status, latency).

Examples:
  apiprobe serve
  RUST_LOG=info apiprobe serve
  apiprobe serve --addr 127.0.0.1:9000
  apiprobe serve --catalog our-codes.toml";

/// Flags of `apiprobe serve`.
#[derive(Debug, clap::Args)]
#[command(after_long_help = AFTER_HELP)]
pub struct ServeArgs {
    /// Address and port to listen on
    ///
    /// The default keeps the server private to this machine. Use 0.0.0.0:8080 (or [::]:8080) to let
    /// other machines reach it; port 0 picks a free port, printed at start.
    #[arg(long, default_value = "127.0.0.1:8080", value_name = "ADDR")]
    pub addr: SocketAddr,
}

pub fn run(global: &Global, args: ServeArgs) -> anyhow::Result<Outcome> {
    init_tracing(global, tracing_subscriber::filter::LevelFilter::WARN);
    let catalog = load_catalog(global)?.into_owned();
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .context("cannot start the async runtime")?;
    runtime.block_on(async move {
        let listener = tokio::net::TcpListener::bind(args.addr)
            .await
            .with_context(|| format!("cannot listen on {} (is the port in use?)", args.addr))?;
        let local = listener
            .local_addr()
            .context("cannot read the listening address")?;
        // Render and compress everything before the first request, not during it.
        let state = apiprobe_web::AppState::new(Arc::new(catalog));
        state.warm();
        eprintln!("apiprobe serve: listening on http://{local}/ (Ctrl-C to stop)");
        apiprobe_web::serve(listener, apiprobe_web::app(state), shutdown_signal())
            .await
            .context("the server stopped")?;
        eprintln!("apiprobe serve: stopped");
        Ok(Outcome::Positive)
    })
}

//! What the long-running commands (`serve`, `monitor`) share: logging set-up and the stop signal.

use crate::cli::{ColorChoice, Global};
use tracing_subscriber::filter::{EnvFilter, LevelFilter};

/// Logs to stderr as `RUST_LOG` says, `default` when it is unset (an unreadable directive is skipped,
/// not fatal). Colour follows `--color` and `NO_COLOR`, as for the rest of our stderr.
pub fn init_tracing(global: &Global, default: LevelFilter) {
    use std::io::IsTerminal;
    let filter = EnvFilter::builder()
        .with_default_directive(default.into())
        .from_env_lossy();
    let ansi = match global.color {
        ColorChoice::Always => true,
        ColorChoice::Never => false,
        ColorChoice::Auto => {
            std::env::var_os("NO_COLOR").is_none_or(|v| v.is_empty())
                && std::io::stderr().is_terminal()
        }
    };
    // A subscriber set already (by an embedding program) is kept.
    let _ = tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_writer(std::io::stderr)
        .with_ansi(ansi)
        .try_init();
}

/// Resolves on Ctrl-C, or on SIGTERM where there is one (service managers, containers).
pub async fn shutdown_signal() {
    let ctrl_c = async {
        // If the handler cannot be installed, wait forever rather than stop at once.
        if tokio::signal::ctrl_c().await.is_err() {
            std::future::pending::<()>().await;
        }
    };
    #[cfg(unix)]
    let term = async {
        match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
            Ok(mut s) => {
                s.recv().await;
            }
            Err(_) => std::future::pending::<()>().await,
        }
    };
    #[cfg(not(unix))]
    let term = std::future::pending::<()>();
    tokio::select! {
        () = ctrl_c => {}
        () = term => {}
    }
}

//! `apiprobe monitor SUITE.toml`: the suite on a schedule, with history, metrics and alerts.

use super::service::{init_tracing, shutdown_signal};
use super::{load_catalog, Outcome};
use crate::cli::Global;
use crate::render::check::check_line;
use crate::render::Style;
use anyhow::Context;
use apiprobe_catalog::Report;
use apiprobe_monitor::engine::take_lateness;
use apiprobe_monitor::writer::Stats;
use std::io::{IsTerminal, Write};
use std::net::SocketAddr;
use std::path::PathBuf;
use std::sync::atomic::Ordering;
use std::sync::Arc;
use tracing_subscriber::filter::LevelFilter;

const AFTER_HELP: &str = "\
Suite file: the suite of `apiprobe run`, plus
  interval = \"30s\"            start to start (default 60s), in [defaults] or per check
  failure_threshold = 3       failures in a row before a check is down
  success_threshold = 2       passes in a row before it is up again
  degraded_latency = \"800ms\"  slower passes make it degraded, not down
  tls_expiry_warning = [30, 7]  days; one alert per threshold
  [[maintenance]]  start/end, or cron + duration, with timezone; optional checks = [...]
  [[alert]]        kind = \"webhook\" | \"slack\" | \"alertmanager\", url, optional checks, headers,
                   timeout (per delivery, default 10s)
  [retention]      max_age = \"30d\", max_runs = 100000 (per check)

  [[check]]
  name = \"health\"
  url = \"https://api.example.com/healthz\"
  interval = \"10s\"

  [[alert]]
  kind = \"slack\"
  url = \"${SLACK_WEBHOOK}\"

Serves the web reference plus GET /metrics (Prometheus: probe_success, probe_failure_info{code},
apiprobe_check_failures_total{code}, ...) on --addr. SIGHUP or saving the file reloads the suite
(a broken file is reported and the running suite kept); SIGTERM or Ctrl-C finishes the runs in
flight, stores them and exits 0.

Logging: RUST_LOG picks what goes to stderr (default `warn` on a terminal, where a progress line
shows the state, and `info` elsewhere: one health line per minute, state changes, alerts).

Exit status: 0 stopped cleanly (with --once: every check passed), 1 with --once: a check failed,
2 the suite, database or address is unusable.

Examples:
  apiprobe monitor checks.toml
  apiprobe monitor checks.toml --db postgres://apiprobe@db/apiprobe --location eu-west
  apiprobe monitor checks.toml --once --db sqlite:/var/lib/apiprobe/history.db";

/// Flags of `apiprobe monitor`.
#[derive(Debug, clap::Args)]
#[command(after_long_help = AFTER_HELP)]
pub struct MonitorArgs {
    /// The suite file (TOML)
    #[arg(value_name = "SUITE.toml")]
    pub suite: PathBuf,

    /// History database: sqlite:PATH or postgres://USER@HOST/DB [default: sqlite:apiprobe.db beside the suite]
    #[arg(long, env = "APIPROBE_DB", value_name = "URL")]
    pub db: Option<String>,

    /// Address for the web app and /metrics (port 0 picks a free port)
    #[arg(long, default_value = "127.0.0.1:9464", value_name = "ADDR")]
    pub addr: SocketAddr,

    /// Where this monitor runs; monitors with the same location share the checks, others each run all
    #[arg(long, default_value = "default", value_name = "NAME")]
    pub location: String,

    /// Run every check once, store the results, exit 0 if all passed, 1 if not
    #[arg(long)]
    pub once: bool,

    /// With --once: print one JSON result per line instead of one line of text per check
    #[arg(long, requires = "once")]
    pub json: bool,

    /// Base URL of the entry links in alerts [default: http://ADDR]
    #[arg(long, value_name = "URL")]
    pub public_url: Option<String>,

    /// Most checks in flight at once
    #[arg(long, default_value_t = 2048, value_name = "N")]
    pub max_in_flight: usize,
}

pub fn run(global: &Global, style: Style, args: MonitorArgs) -> anyhow::Result<Outcome> {
    let catalog = Arc::new(load_catalog(global)?.into_owned());
    let terminal = std::io::stderr().is_terminal();
    // On a terminal the progress line says how it goes; elsewhere the health lines are the log.
    init_tracing(
        global,
        if terminal {
            LevelFilter::WARN
        } else {
            LevelFilter::INFO
        },
    );
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .context("cannot start the async runtime")?;
    let on_tick: Option<apiprobe_monitor::engine::TickFn> = if terminal {
        Some(Arc::new(progress_line))
    } else {
        Some(Arc::new(health_log))
    };
    let opts = apiprobe_monitor::Options {
        suite: args.suite,
        db: args.db,
        addr: (!args.once).then_some(args.addr),
        location: args.location,
        once: args.once,
        public_url: args.public_url,
        max_in_flight: args.max_in_flight,
        on_tick: if args.once { None } else { on_tick },
        on_result: Some(print_result(args.json, style)),
        on_listen: Some(Arc::new(|a| {
            eprintln!("apiprobe monitor: serving /metrics and the reference on http://{a}/")
        })),
    };
    let once = opts.once;
    let summary = runtime.block_on(async move {
        let (reload_tx, reload_rx) = tokio::sync::mpsc::channel(4);
        #[cfg(unix)]
        tokio::spawn(async move {
            use tokio::signal::unix::{signal, SignalKind};
            if let Ok(mut hup) = signal(SignalKind::hangup()) {
                while hup.recv().await.is_some() {
                    if reload_tx.send(()).await.is_err() {
                        break;
                    }
                }
            }
        });
        #[cfg(not(unix))]
        drop(reload_tx);
        apiprobe_monitor::run(opts, catalog, shutdown_signal(), reload_rx).await
    })?;
    if terminal {
        eprintln!();
    }
    eprintln!(
        "apiprobe monitor: {} runs, {} failed, {} stored",
        summary.runs, summary.failed, summary.stored
    );
    Ok(if once && summary.failed > 0 {
        Outcome::Negative
    } else {
        Outcome::Positive
    })
}

/// Prints each `--once` result as `apiprobe run` does.
fn print_result(json: bool, style: Style) -> apiprobe_monitor::engine::ResultFn {
    Arc::new(move |name: &str, report: &Report| {
        let mut out = std::io::stdout().lock();
        if json {
            if let Ok(text) = serde_json::to_string(report) {
                let _ = writeln!(out, "{text}");
            }
        } else {
            let _ = write!(out, "{}", check_line(Some(name), report, style));
        }
    })
}

fn progress_line(s: &Stats, checks: usize) {
    let late = take_lateness(s);
    let mut err = std::io::stderr().lock();
    let _ = write!(
        err,
        "\r\x1b[2K{checks} checks · up {} · degraded {} · down {} · {} runs ({} failed) · {} stored{} · start p99 {:.0} ms ({})",
        s.up.load(Ordering::Relaxed),
        s.degraded.load(Ordering::Relaxed),
        s.down.load(Ordering::Relaxed),
        s.runs.load(Ordering::Relaxed),
        s.failed.load(Ordering::Relaxed),
        s.stored.load(Ordering::Relaxed),
        match s.write_error.lock().ok().and_then(|e| e.clone()) {
            Some(_) => " · DATABASE UNAVAILABLE",
            None => "",
        },
        late.p99,
        late.starts,
    );
    let _ = err.flush();
}

/// Without a terminal: a health line in the log every minute.
fn health_log(s: &Stats, checks: usize) {
    use std::sync::atomic::AtomicU64;
    static TICKS: AtomicU64 = AtomicU64::new(0);
    if TICKS.fetch_add(1, Ordering::Relaxed) % 60 != 59 {
        return;
    }
    let late = take_lateness(s);
    tracing::info!(
        checks,
        up = s.up.load(Ordering::Relaxed),
        degraded = s.degraded.load(Ordering::Relaxed),
        down = s.down.load(Ordering::Relaxed),
        runs = s.runs.load(Ordering::Relaxed),
        stored = s.stored.load(Ordering::Relaxed),
        pending = s.pending.load(Ordering::Relaxed),
        missed = s.missed.load(Ordering::Relaxed),
        starts = late.starts,
        start_late_p50_ms = late.p50,
        start_late_p99_ms = late.p99,
        start_late_max_ms = late.max,
        "health"
    );
}

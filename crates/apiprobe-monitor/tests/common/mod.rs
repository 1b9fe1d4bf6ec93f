//! Real servers on 127.0.0.1 for the monitor tests: a target whose status can be switched, and an
//! alert receiver that keeps what it was sent (or never answers).

#![allow(dead_code)]

pub mod history;
pub mod services;
pub mod watched;

use axum::extract::State;
use axum::http::StatusCode;
use axum::routing::{get, post};
use axum::Router;
use std::net::SocketAddr;
use std::sync::atomic::{AtomicU16, AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

/// A target answering every GET with the status it is set to, after the delay it is set to.
pub struct Target {
    pub addr: SocketAddr,
    status: Arc<AtomicU16>,
    delay_ms: Arc<AtomicU64>,
}

impl Target {
    pub async fn start() -> Target {
        let status = Arc::new(AtomicU16::new(200));
        let delay_ms = Arc::new(AtomicU64::new(0));
        let app = Router::new()
            .route(
                "/",
                get(
                    |State((s, d)): State<(Arc<AtomicU16>, Arc<AtomicU64>)>| async move {
                        let wait = d.load(Ordering::SeqCst);
                        if wait > 0 {
                            tokio::time::sleep(Duration::from_millis(wait)).await;
                        }
                        StatusCode::from_u16(s.load(Ordering::SeqCst)).unwrap_or(StatusCode::OK)
                    },
                ),
            )
            .with_state((status.clone(), delay_ms.clone()));
        let addr = serve(app).await;
        Target {
            addr,
            status,
            delay_ms,
        }
    }

    pub fn set(&self, status: u16) {
        self.status.store(status, Ordering::SeqCst);
    }

    /// Answers after `ms` from now on.
    pub fn delay(&self, ms: u64) {
        self.delay_ms.store(ms, Ordering::SeqCst);
    }

    pub fn url(&self) -> String {
        format!("http://{}/", self.addr)
    }
}

/// Keeps every JSON body POSTed to `/hook` (and its content type); `/hang` never answers;
/// `/flaky` never answers while `hanging` is set, then answers like `/hook`.
#[derive(Clone, Default)]
pub struct Receiver {
    pub got: Arc<Mutex<Vec<serde_json::Value>>>,
    pub content_types: Arc<Mutex<Vec<String>>>,
    pub hanging: Arc<std::sync::atomic::AtomicBool>,
}

impl Receiver {
    pub async fn start() -> (Receiver, SocketAddr) {
        let r = Receiver::default();
        let app = Router::new()
            .route(
                "/hook",
                post(
                    |State(r): State<Receiver>,
                     headers: axum::http::HeaderMap,
                     body: axum::body::Bytes| async move { r.keep(&headers, &body) },
                ),
            )
            .route(
                "/flaky",
                post(
                    |State(r): State<Receiver>,
                     headers: axum::http::HeaderMap,
                     body: axum::body::Bytes| async move {
                        if r.hanging.load(Ordering::SeqCst) {
                            tokio::time::sleep(Duration::from_secs(3600)).await;
                        }
                        r.keep(&headers, &body)
                    },
                ),
            )
            .route(
                "/hang",
                post(|| async {
                    tokio::time::sleep(Duration::from_secs(3600)).await;
                    StatusCode::OK
                }),
            )
            .with_state(r.clone());
        let addr = serve(app).await;
        (r, addr)
    }

    fn keep(&self, headers: &axum::http::HeaderMap, body: &[u8]) -> StatusCode {
        let v = serde_json::from_slice(body).unwrap_or(serde_json::Value::Null);
        let ct = headers
            .get(axum::http::header::CONTENT_TYPE)
            .and_then(|v| v.to_str().ok())
            .unwrap_or("")
            .to_string();
        self.content_types
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .push(ct);
        self.got.lock().unwrap_or_else(|p| p.into_inner()).push(v);
        StatusCode::OK
    }

    pub fn bodies(&self) -> Vec<serde_json::Value> {
        self.got.lock().unwrap_or_else(|p| p.into_inner()).clone()
    }
}

async fn serve(app: Router) -> SocketAddr {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
        .await
        .expect("bind 127.0.0.1");
    let addr = listener.local_addr().expect("addr");
    tokio::spawn(async move {
        let _ = axum::serve(listener, app).await;
    });
    addr
}

/// Polls `f` every 100 ms until it is true or `secs` pass.
pub async fn wait_until(secs: u64, mut f: impl FnMut() -> bool) -> bool {
    let end = tokio::time::Instant::now() + Duration::from_secs(secs);
    while tokio::time::Instant::now() < end {
        if f() {
            return true;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    f()
}

/// A GET to a local server (HTTP/1.0, so the server closes), the body as text.
pub async fn get_text(addr: SocketAddr, path: &str) -> String {
    use tokio::io::{AsyncReadExt, AsyncWriteExt};
    let Ok(mut s) = tokio::net::TcpStream::connect(addr).await else {
        return String::new();
    };
    let req = format!("GET {path} HTTP/1.0\r\nHost: {addr}\r\n\r\n");
    if s.write_all(req.as_bytes()).await.is_err() {
        return String::new();
    }
    let mut buf = Vec::new();
    let _ = s.read_to_end(&mut buf).await;
    let text = String::from_utf8_lossy(&buf).into_owned();
    text.split_once("\r\n\r\n")
        .map(|(_, b)| b.to_string())
        .unwrap_or_default()
}

/// The newest runs in `store`, as many as one page of the API holds (1,000), newest first.
pub async fn newest_runs(store: &apiprobe_monitor::Store) -> Vec<apiprobe_monitor::store::RunRow> {
    store
        .runs(&apiprobe_monitor::store::RunQuery {
            limit: Some(1000),
            ..apiprobe_monitor::store::RunQuery::default()
        })
        .await
        .expect("runs")
        .runs
}

/// A monitor's options for a test: `suite`, history `db`, `location`, the web server on an ephemeral
/// port of 127.0.0.1 whose address is written into `addr` once it listens, 64 checks in flight and no
/// other callbacks.
pub fn options(
    suite: &std::path::Path,
    db: &str,
    location: &str,
    addr: Arc<Mutex<Option<SocketAddr>>>,
) -> apiprobe_monitor::Options {
    apiprobe_monitor::Options {
        suite: suite.to_path_buf(),
        db: Some(db.to_string()),
        addr: Some(SocketAddr::from(([127, 0, 0, 1], 0))),
        location: location.into(),
        once: false,
        public_url: None,
        max_in_flight: 64,
        on_tick: None,
        on_result: None,
        on_listen: Some(Arc::new(move |a| {
            *addr.lock().unwrap_or_else(|p| p.into_inner()) = Some(a);
        })),
    }
}

/// A monitor run in this process: its task, the sender that stops it (as SIGTERM does) and the one
/// that reloads its suite (as SIGHUP does; dropping it ends reloads only).
pub struct Spawned {
    pub task:
        tokio::task::JoinHandle<Result<apiprobe_monitor::Summary, apiprobe_monitor::MonitorError>>,
    pub stop: tokio::sync::oneshot::Sender<()>,
    pub reload: tokio::sync::mpsc::Sender<()>,
}

/// Runs `apiprobe_monitor::run` with `opts` and the built-in catalog on a task of its own.
pub fn spawn(opts: apiprobe_monitor::Options) -> Spawned {
    let (stop, stop_rx) = tokio::sync::oneshot::channel::<()>();
    let (reload, reload_rx) = tokio::sync::mpsc::channel(1);
    let task = tokio::spawn(apiprobe_monitor::run(
        opts,
        Arc::new(apiprobe_catalog::Catalog::builtin().clone()),
        async move {
            let _ = stop_rx.await;
        },
        reload_rx,
    ));
    Spawned { task, stop, reload }
}

/// A monitor running in this process until `stop` is called.
pub struct Running {
    pub task:
        tokio::task::JoinHandle<Result<apiprobe_monitor::Summary, apiprobe_monitor::MonitorError>>,
    stop: Option<tokio::sync::oneshot::Sender<()>>,
    pub addr: Arc<Mutex<Option<SocketAddr>>>,
    _reload: tokio::sync::mpsc::Sender<()>,
}

impl Running {
    /// Starts `apiprobe monitor SUITE --db DB --location LOCATION --addr 127.0.0.1:0`.
    pub fn start(suite: &std::path::Path, db: &str, location: &str) -> Running {
        let addr = Arc::new(Mutex::new(None));
        let Spawned { task, stop, reload } = spawn(options(suite, db, location, addr.clone()));
        Running {
            task,
            stop: Some(stop),
            addr,
            _reload: reload,
        }
    }

    /// The web server's address, once it listens.
    pub async fn addr(&self) -> SocketAddr {
        for _ in 0..100 {
            if let Some(a) = *self.addr.lock().unwrap_or_else(|p| p.into_inner()) {
                return a;
            }
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
        panic!("the monitor never listened");
    }

    /// Stops it (SIGTERM's path) and returns its summary.
    pub async fn stop(mut self) -> apiprobe_monitor::Summary {
        if let Some(s) = self.stop.take() {
            let _ = s.send(());
        }
        tokio::time::timeout(Duration::from_secs(60), &mut self.task)
            .await
            .expect("stops in time")
            .expect("task")
            .expect("clean stop")
    }
}

//! The accept loop: HTTP/1.1 and HTTP/2 on each connection, header read timeouts, graceful shutdown.
//!
//! We drive hyper directly rather than through `axum::serve` to set the connection timeouts (a client
//! that never finishes its headers is dropped) without a per-request timeout layer on the hot path.
//!
//! Each connection starts in the static fast path ([`crate::fast_path`]): plain HTTP/1.1 GETs and HEADs
//! of fixed catalog documents are answered from a table the router filled at startup, the bodies sent
//! with sendfile(2). The first request it does not answer hands the connection to hyper, the bytes
//! already read replayed first.

use crate::fast_path::{serve_static, BodySend, Handoff, Replay, StaticTable};
use axum::Router;
use hyper_util::rt::{TokioExecutor, TokioIo, TokioTimer};
use hyper_util::server::conn::auto;
use hyper_util::service::TowerToHyperService;
use std::future::Future;
use std::sync::Arc;
use std::time::Duration;
use tokio::net::{TcpListener, TcpStream};
use tokio::sync::watch;

/// How long a client may take to send a request's headers.
pub const HEADER_READ_TIMEOUT: Duration = Duration::from_secs(10);
/// How long open connections get to finish after a shutdown signal.
pub const SHUTDOWN_GRACE: Duration = Duration::from_secs(10);

/// Why serving stopped with an error.
#[derive(Debug, thiserror::Error)]
pub enum ServeError {
    /// The listener failed in a way that retrying will not fix.
    #[error("accepting connections on {addr} failed: {source}")]
    Accept {
        /// The listening address.
        addr: String,
        /// The I/O failure.
        source: std::io::Error,
    },
}

fn is_transient(e: &std::io::Error) -> bool {
    use std::io::ErrorKind::*;
    // Out of file descriptors or a peer gone before accept: wait a moment and go on.
    matches!(
        e.kind(),
        ConnectionAborted | ConnectionReset | Interrupted | WouldBlock
    ) || e.raw_os_error().is_some_and(|c| c == 23 || c == 24)
}

/// Socket send buffer for accepted connections; the kernel doubles it and caps it at `wmem_max`.
const SEND_BUFFER_BYTES: usize = 1 << 20;

/// Serves `app` on `listener` until `shutdown` completes, then lets open connections finish for up to
/// [`SHUTDOWN_GRACE`].
///
/// Before accepting, the router is asked once for every route without parameters; its fixed answers
/// (200, ETag, public caching) are then sent without going through hyper, byte for byte the same.
pub async fn serve(
    listener: TcpListener,
    app: Router,
    shutdown: impl Future<Output = ()>,
) -> Result<(), ServeError> {
    let addr = listener
        .local_addr()
        .map(|a| a.to_string())
        .unwrap_or_else(|_| "?".to_owned());
    let mut builder = auto::Builder::new(TokioExecutor::new());
    builder
        .http1()
        .timer(TokioTimer::new())
        .header_read_timeout(HEADER_READ_TIMEOUT)
        .keep_alive(true);
    builder
        .http2()
        .timer(TokioTimer::new())
        .keep_alive_interval(Some(Duration::from_secs(30)))
        .max_concurrent_streams(256);
    let builder = Arc::new(builder);
    // sendfile(2) from a memfd is Linux's; elsewhere bodies are written from memory.
    let send = if cfg!(target_os = "linux") {
        BodySend::Sendfile
    } else {
        BodySend::Write
    };
    let table = Arc::new(StaticTable::build(&app, &crate::routes::route_table(), send).await);
    // `true` asks every connection to finish; the sender's `closed()` then says when all have.
    let (stop_tx, stop_rx) = watch::channel(false);
    tokio::pin!(shutdown);
    loop {
        let (stream, _peer) = tokio::select! {
            accepted = listener.accept() => match accepted {
                Ok(pair) => pair,
                Err(e) if is_transient(&e) => {
                    tokio::time::sleep(Duration::from_millis(50)).await;
                    continue;
                }
                Err(source) => return Err(ServeError::Accept { addr, source }),
            },
            () = &mut shutdown => break,
        };
        // Responses are written whole; waiting to coalesce small writes only adds latency.
        let _ = stream.set_nodelay(true);
        // The reference page is a few hundred kilobytes: a send buffer that holds it whole lets one
        // write hand it to the kernel instead of several writes, each waiting for the peer to drain.
        let _ = socket2::SockRef::from(&stream).set_send_buffer_size(SEND_BUFFER_BYTES);
        tokio::spawn(connection(
            stream,
            app.clone(),
            Arc::clone(&builder),
            Arc::clone(&table),
            stop_rx.clone(),
        ));
    }
    drop(listener);
    drop(stop_rx);
    let _ = stop_tx.send(true);
    let _ = tokio::time::timeout(SHUTDOWN_GRACE, stop_tx.closed()).await;
    Ok(())
}

/// One connection: the fast path first, then hyper for the rest of it if needed. Holding `stop`
/// until the end is what lets [`serve`] wait for the connection at shutdown.
async fn connection(
    stream: TcpStream,
    app: Router,
    builder: Arc<auto::Builder<TokioExecutor>>,
    table: Arc<StaticTable>,
    mut stop: watch::Receiver<bool>,
) {
    let Handoff::Fallback { stream, prefix } = serve_static(stream, &table, &mut stop).await else {
        return;
    };
    drop(table);
    let service = TowerToHyperService::new(app);
    let conn =
        builder.serve_connection_with_upgrades(TokioIo::new(Replay::new(prefix, stream)), service);
    tokio::pin!(conn);
    // A client hanging up mid-request is normal; there is nobody to report it to.
    tokio::select! {
        _ = conn.as_mut() => return,
        _ = stop.wait_for(|s| *s) => {}
    }
    conn.as_mut().graceful_shutdown();
    let _ = conn.await;
}

//! The accept loop: HTTP/1.1 and HTTP/2 on each connection, header read timeouts, graceful shutdown.
//!
//! We drive hyper directly rather than through `axum::serve` to set the connection timeouts (a client
//! that never finishes its headers is dropped) without a per-request timeout layer on the hot path.

use axum::Router;
use hyper_util::rt::{TokioExecutor, TokioIo, TokioTimer};
use hyper_util::server::conn::auto;
use hyper_util::server::graceful::GracefulShutdown;
use hyper_util::service::TowerToHyperService;
use std::future::Future;
use std::time::Duration;
use tokio::net::TcpListener;

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
    let graceful = GracefulShutdown::new();
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
        let service = TowerToHyperService::new(app.clone());
        let conn = builder
            .serve_connection_with_upgrades(TokioIo::new(stream), service)
            .into_owned();
        let conn = graceful.watch(conn);
        tokio::spawn(async move {
            // A client hanging up mid-request is normal; there is nobody to report it to.
            let _ = conn.await;
        });
    }
    drop(listener);
    let _ = tokio::time::timeout(SHUTDOWN_GRACE, graceful.shutdown()).await;
    Ok(())
}

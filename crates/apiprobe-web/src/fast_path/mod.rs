//! A fast path in front of hyper for responses that are the same bytes for every client.
//!
//! Catalog pages, documents and static files are rendered once and never change while the server
//! runs. For them, hyper's general machinery costs little per request, but it writes each body from
//! user memory, so the kernel copies every byte once more than a static file server using sendfile(2).
//!
//! - [`StaticTable`]: built at startup by asking the real router for every route without parameters,
//!   in each content coding, for GET and HEAD; it keeps the 200 responses that carry an ETag and a
//!   public `Cache-Control`, byte for byte (status line and headers), with the bodies in one memfd.
//! - [`serve_static`]: reads and parses HTTP/1.1 requests on a fresh connection and answers those the
//!   table holds. Anything else (another path, a query string, a validator, a body, another method or
//!   version, a parse error) ends it with a [`Handoff`]: the socket and the bytes read so far, which
//!   [`Replay`] gives to hyper first, so hyper sees the connection exactly as the client sent it.

mod conn;
mod date;
mod replay;
mod send;
mod table;

pub(crate) use conn::{serve_static, Handoff};
pub(crate) use replay::Replay;
pub(crate) use table::{BodySend, StaticTable};

/// A client socket and the server side of its connection, both on 127.0.0.1.
#[cfg(test)]
pub(crate) async fn connected_pair() -> (tokio::net::TcpStream, tokio::net::TcpStream) {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
        .await
        .expect("bind");
    let addr = listener.local_addr().expect("addr");
    let client = tokio::net::TcpStream::connect(addr).await.expect("connect");
    let (server, _) = listener.accept().await.expect("accept");
    (client, server)
}

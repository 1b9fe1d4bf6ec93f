//! A socket that first yields bytes already read from it, so a connection can change hands mid-read.

use std::io;
use std::pin::Pin;
use std::task::{Context, Poll};
use tokio::io::{AsyncRead, AsyncWrite, ReadBuf};
use tokio::net::TcpStream;

/// The rest of a connection: `prefix` (read by the fast path, not yet answered), then the socket.
#[derive(Debug)]
pub(crate) struct Replay {
    prefix: Vec<u8>,
    pos: usize,
    stream: TcpStream,
}

impl Replay {
    /// Reads yield `prefix` first, then whatever the socket receives; writes go to the socket.
    pub(crate) fn new(prefix: Vec<u8>, stream: TcpStream) -> Replay {
        Replay {
            prefix,
            pos: 0,
            stream,
        }
    }
}

impl AsyncRead for Replay {
    fn poll_read(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &mut ReadBuf<'_>,
    ) -> Poll<io::Result<()>> {
        let this = &mut *self;
        if let Some(rest) = this.prefix.get(this.pos..).filter(|r| !r.is_empty()) {
            let n = rest.len().min(buf.remaining());
            buf.put_slice(&rest[..n]);
            this.pos += n;
            if this.pos >= this.prefix.len() {
                // Replayed in full: give the memory back for the life of the connection.
                this.prefix = Vec::new();
                this.pos = 0;
            }
            return Poll::Ready(Ok(()));
        }
        Pin::new(&mut this.stream).poll_read(cx, buf)
    }
}

impl AsyncWrite for Replay {
    fn poll_write(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &[u8],
    ) -> Poll<io::Result<usize>> {
        Pin::new(&mut self.stream).poll_write(cx, buf)
    }

    fn poll_write_vectored(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        bufs: &[io::IoSlice<'_>],
    ) -> Poll<io::Result<usize>> {
        Pin::new(&mut self.stream).poll_write_vectored(cx, bufs)
    }

    fn is_write_vectored(&self) -> bool {
        self.stream.is_write_vectored()
    }

    fn poll_flush(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        Pin::new(&mut self.stream).poll_flush(cx)
    }

    fn poll_shutdown(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        Pin::new(&mut self.stream).poll_shutdown(cx)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use tokio::io::{AsyncReadExt, AsyncWriteExt};

    #[tokio::test]
    async fn yields_the_prefix_then_the_socket() {
        let (mut client, server) = crate::fast_path::connected_pair().await;
        client.write_all(b" world").await.expect("write");
        client.shutdown().await.expect("shutdown");
        let mut replay = Replay::new(b"hello".to_vec(), server);
        let mut got = Vec::new();
        replay.read_to_end(&mut got).await.expect("read");
        assert_eq!(got, b"hello world");
    }
}

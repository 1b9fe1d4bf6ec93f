//! A UDP DNS server on 127.0.0.1 that gives one kind of answer to every query (RFC 1035 wire format).

use crate::TestkitError;
use std::net::{Ipv4Addr, SocketAddr};
use tokio::sync::oneshot;

/// How the server answers.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum DnsMode {
    /// RCODE 3: the name does not exist.
    NxDomain,
    /// RCODE 2: the server failed to produce an answer.
    ServFail,
    /// An A record with this address for any name (AAAA queries get an empty NOERROR answer).
    Answer(Ipv4Addr),
    /// Read queries and never reply, so the resolver times out.
    Silent,
}

/// A running DNS server; stops when dropped.
#[derive(Debug)]
pub struct DnsServer {
    /// Where it listens (UDP).
    pub addr: SocketAddr,
    stop: Option<oneshot::Sender<()>>,
}

impl DnsServer {
    /// Starts a server on 127.0.0.1 with a free port.
    pub fn spawn(mode: DnsMode) -> Result<DnsServer, TestkitError> {
        let sock = std::net::UdpSocket::bind("127.0.0.1:0")?;
        sock.set_nonblocking(true)?;
        let addr = sock.local_addr()?;
        let (tx, rx) = oneshot::channel();
        let rt = tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()?;
        std::thread::spawn(move || {
            rt.block_on(async move {
                let Ok(sock) = tokio::net::UdpSocket::from_std(sock) else {
                    return;
                };
                tokio::select! {
                    _ = serve(sock, mode) => {}
                    _ = rx => {}
                }
            })
        });
        Ok(DnsServer {
            addr,
            stop: Some(tx),
        })
    }
}

impl Drop for DnsServer {
    fn drop(&mut self) {
        if let Some(tx) = self.stop.take() {
            let _ = tx.send(());
        }
    }
}

async fn serve(sock: tokio::net::UdpSocket, mode: DnsMode) {
    let mut buf = [0u8; 1500];
    loop {
        let Ok((n, peer)) = sock.recv_from(&mut buf).await else {
            continue;
        };
        if let Some(reply) = answer(&buf[..n], mode) {
            let _ = sock.send_to(&reply, peer).await;
        }
    }
}

/// Builds the reply to one query, or `None` to stay silent (or when the query is malformed).
fn answer(query: &[u8], mode: DnsMode) -> Option<Vec<u8>> {
    if mode == DnsMode::Silent || query.len() < 12 {
        return None;
    }
    // The question section: labels up to the zero byte, then QTYPE and QCLASS.
    let mut i = 12;
    while i < query.len() && query[i] != 0 {
        i += 1 + query[i] as usize;
    }
    let end = i + 5;
    if end > query.len() {
        return None;
    }
    let qtype = u16::from_be_bytes([query[i + 1], query[i + 2]]);
    let mut out = Vec::with_capacity(end + 16);
    out.extend_from_slice(&query[0..2]); // ID
    let rd = query[2] & 0x01;
    out.push(0x80 | (query[2] & 0x78) | rd); // QR, opcode, RD
    let (rcode, answers) = match mode {
        DnsMode::NxDomain => (3u8, 0u16),
        DnsMode::ServFail => (2, 0),
        DnsMode::Answer(_) if qtype == 1 => (0, 1),
        _ => (0, 0),
    };
    out.push(0x80 | rcode); // RA, RCODE
    out.extend_from_slice(&1u16.to_be_bytes()); // QDCOUNT
    out.extend_from_slice(&answers.to_be_bytes()); // ANCOUNT
    out.extend_from_slice(&[0, 0, 0, 0]); // NSCOUNT, ARCOUNT
    out.extend_from_slice(&query[12..end]);
    if let (DnsMode::Answer(ip), 1) = (mode, answers) {
        out.extend_from_slice(&[0xC0, 0x0C, 0, 1, 0, 1, 0, 0, 0, 60, 0, 4]);
        out.extend_from_slice(&ip.octets());
    }
    Some(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn query(qtype: u8) -> Vec<u8> {
        let mut q = vec![0xAB, 0xCD, 0x01, 0x00, 0, 1, 0, 0, 0, 0, 0, 0];
        q.extend_from_slice(b"\x07example\x07invalid\x00");
        q.extend_from_slice(&[0, qtype, 0, 1]);
        q
    }

    #[test]
    fn nxdomain_keeps_id_and_sets_rcode_3() {
        let r = answer(&query(1), DnsMode::NxDomain).unwrap_or_default();
        assert_eq!(&r[0..2], &[0xAB, 0xCD]);
        assert_eq!(r[3] & 0x0F, 3);
        assert_eq!(u16::from_be_bytes([r[6], r[7]]), 0);
    }

    #[test]
    fn answer_mode_returns_a_record_for_a_queries_only() {
        let ip = Ipv4Addr::new(127, 0, 0, 1);
        let r = answer(&query(1), DnsMode::Answer(ip)).unwrap_or_default();
        assert_eq!(u16::from_be_bytes([r[6], r[7]]), 1);
        assert_eq!(&r[r.len() - 4..], &[127, 0, 0, 1]);
        let r = answer(&query(28), DnsMode::Answer(ip)).unwrap_or_default();
        assert_eq!(u16::from_be_bytes([r[6], r[7]]), 0);
    }

    #[test]
    fn silent_and_malformed_get_no_reply() {
        assert!(answer(&query(1), DnsMode::Silent).is_none());
        assert!(answer(&[1, 2, 3], DnsMode::NxDomain).is_none());
        assert!(answer(&[0; 13], DnsMode::NxDomain).is_none());
    }
}

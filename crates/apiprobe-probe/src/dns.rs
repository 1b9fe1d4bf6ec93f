//! The dns phase: `--resolve` overrides, IP literals, then the system resolver or a chosen name server.
//!
//! By default names resolve through the operating system (`getaddrinfo`, on a blocking thread), which
//! honours `/etc/hosts` and the system's resolver settings like curl does. When the environment variable
//! `APIPROBE_DNS_SERVER=IP:PORT` is set, names are asked of that server alone over UDP instead; tests use
//! it to get NXDOMAIN or no answer from a local server without touching the network.

use crate::classify::Failure;
use crate::spec::ResolveEntry;
use hickory_resolver::config::{NameServerConfigGroup, ResolverConfig, ResolverOpts};
use hickory_resolver::error::ResolveErrorKind;
use hickory_resolver::TokioAsyncResolver;
use std::net::{IpAddr, SocketAddr};
use std::time::Duration;

/// The environment variable naming a DNS server to use instead of the system resolver.
pub const DNS_SERVER_ENV: &str = "APIPROBE_DNS_SERVER";

/// Resolves `host:port` to addresses, within `limit` (what is left of `budget`, the configured time,
/// which is what a timeout message names).
pub(crate) async fn resolve(
    host: &str,
    port: u16,
    overrides: &[ResolveEntry],
    limit: Duration,
    budget: Duration,
) -> Result<Vec<SocketAddr>, Failure> {
    let bare = host.trim_start_matches('[').trim_end_matches(']');
    if let Ok(ip) = bare.parse::<IpAddr>() {
        return Ok(vec![SocketAddr::new(ip, port)]);
    }
    let lower = bare.to_ascii_lowercase();
    let pinned: Vec<SocketAddr> = overrides
        .iter()
        .filter(|r| r.host == lower && r.port == port)
        .map(|r| SocketAddr::new(r.addr, port))
        .collect();
    if !pinned.is_empty() {
        return Ok(pinned);
    }
    let server = std::env::var(DNS_SERVER_ENV)
        .ok()
        .and_then(|v| v.trim().parse::<SocketAddr>().ok());
    let lookup = async {
        match server {
            Some(server) => via_server(bare, port, server, limit, budget).await,
            None => via_system(bare, port).await,
        }
    };
    match tokio::time::timeout(limit, lookup).await {
        Ok(result) => result,
        Err(_) => Err(Failure::DnsTimeout {
            host: bare.to_string(),
            after: budget,
        }),
    }
}

/// An answer with no addresses is, for connecting, the same as no such name.
fn some_addresses(host: &str, addrs: Vec<SocketAddr>) -> Result<Vec<SocketAddr>, Failure> {
    if addrs.is_empty() {
        Err(Failure::DnsNotFound {
            host: host.into(),
            detail: "no addresses".into(),
        })
    } else {
        Ok(addrs)
    }
}

async fn via_system(host: &str, port: u16) -> Result<Vec<SocketAddr>, Failure> {
    match tokio::net::lookup_host((host, port)).await {
        Ok(addrs) => some_addresses(host, addrs.collect()),
        Err(e) => {
            let detail = e
                .to_string()
                .trim_start_matches("failed to lookup address information: ")
                .to_string();
            // EAI_AGAIN: the resolver got no usable answer, as opposed to "no such name".
            if detail.contains("Temporary failure") {
                Err(Failure::DnsServerFailure {
                    host: host.into(),
                    detail,
                })
            } else {
                Err(Failure::DnsNotFound {
                    host: host.into(),
                    detail,
                })
            }
        }
    }
}

async fn via_server(
    host: &str,
    port: u16,
    server: SocketAddr,
    limit: Duration,
    budget: Duration,
) -> Result<Vec<SocketAddr>, Failure> {
    let group = NameServerConfigGroup::from_ips_clear(&[server.ip()], server.port(), true);
    let config = ResolverConfig::from_parts(None, vec![], group);
    let mut opts = ResolverOpts::default();
    opts.timeout = limit;
    opts.attempts = 1;
    opts.ndots = 0;
    opts.cache_size = 0;
    let resolver = TokioAsyncResolver::tokio(config, opts);
    // A trailing dot makes the name absolute, so no search domain is tried.
    let fqdn = if host.ends_with('.') {
        host.to_string()
    } else {
        format!("{host}.")
    };
    match resolver.lookup_ip(fqdn).await {
        Ok(ips) => some_addresses(
            host,
            ips.iter().map(|ip| SocketAddr::new(ip, port)).collect(),
        ),
        Err(e) => match e.kind() {
            ResolveErrorKind::NoRecordsFound { response_code, .. }
                if *response_code == hickory_resolver::proto::op::ResponseCode::ServFail =>
            {
                Err(Failure::DnsServerFailure {
                    host: host.into(),
                    detail: format!("the name server answered {response_code}"),
                })
            }
            ResolveErrorKind::NoRecordsFound { response_code, .. } => Err(Failure::DnsNotFound {
                host: host.into(),
                detail: format!("the name server answered {response_code}"),
            }),
            ResolveErrorKind::Timeout => Err(Failure::DnsTimeout {
                host: host.into(),
                after: budget,
            }),
            _ if e.to_string().contains("timed out") => Err(Failure::DnsTimeout {
                host: host.into(),
                after: budget,
            }),
            _ => Err(Failure::DnsNotFound {
                host: host.into(),
                detail: e.to_string(),
            }),
        },
    }
}

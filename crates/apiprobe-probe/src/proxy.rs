//! Proxies from the environment, as curl reads them: `https_proxy`/`HTTPS_PROXY` for https URLs,
//! `http_proxy`/`HTTP_PROXY` for http URLs, `all_proxy`/`ALL_PROXY` for both, and
//! `no_proxy`/`NO_PROXY` (comma list of host names, domain suffixes, addresses, or `*`) to bypass them.
//! https goes through a CONNECT tunnel; http is sent to the proxy in absolute form.

use crate::classify::Failure;
use base64::Engine;
use url::Url;

/// An HTTP proxy to go through.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Proxy {
    /// Host name or address.
    pub host: String,
    /// Port (default 1080, as curl).
    pub port: u16,
    /// `Basic ...` credentials from the proxy URL.
    pub auth: Option<String>,
}

impl Proxy {
    /// `host:port`, for messages.
    pub fn display(&self) -> String {
        format!("{}:{}", self.host, self.port)
    }
}

/// The proxy to use for `url`, if any.
pub(crate) fn for_url(url: &Url) -> Result<Option<Proxy>, Failure> {
    let lookup = |name: &str| std::env::var(name).ok();
    select(url, lookup)
}

fn select(url: &Url, env: impl Fn(&str) -> Option<String>) -> Result<Option<Proxy>, Failure> {
    let first = |names: &[&str]| {
        names
            .iter()
            .find_map(|n| env(n).filter(|v| !v.trim().is_empty()))
    };
    let raw = match url.scheme() {
        "https" => first(&["https_proxy", "HTTPS_PROXY", "all_proxy", "ALL_PROXY"]),
        _ => first(&["http_proxy", "HTTP_PROXY", "all_proxy", "ALL_PROXY"]),
    };
    let Some(raw) = raw else { return Ok(None) };
    let host = url.host_str().unwrap_or_default().trim_matches(['[', ']']);
    if let Some(no) = first(&["no_proxy", "NO_PROXY"]) {
        if bypassed(host, &no) {
            return Ok(None);
        }
    }
    let with_scheme = if raw.contains("://") {
        raw.clone()
    } else {
        format!("http://{raw}")
    };
    let p = Url::parse(&with_scheme).map_err(|e| Failure::InvalidUrl {
        reason: format!("proxy '{raw}' from the environment: {e}"),
    })?;
    if p.scheme() != "http" {
        return Err(Failure::UnsupportedScheme {
            scheme: format!("{} (proxy {raw})", p.scheme()),
        });
    }
    let auth = (!p.username().is_empty()).then(|| {
        let user = percent_decode(p.username());
        let pass = percent_decode(p.password().unwrap_or_default());
        format!(
            "Basic {}",
            base64::engine::general_purpose::STANDARD.encode(format!("{user}:{pass}"))
        )
    });
    Ok(Some(Proxy {
        host: p
            .host_str()
            .unwrap_or_default()
            .trim_matches(['[', ']'])
            .to_string(),
        port: p.port().unwrap_or(1080),
        auth,
    }))
}

fn percent_decode(s: &str) -> String {
    url::form_urlencoded::parse(format!("x={s}").as_bytes())
        .next()
        .map(|(_, v)| v.into_owned())
        .unwrap_or_default()
}

/// Whether `no_proxy` exempts `host`.
fn bypassed(host: &str, no_proxy: &str) -> bool {
    let host = host.to_ascii_lowercase();
    no_proxy.split(',').map(str::trim).any(|e| {
        let e = e
            .trim_start_matches("*.")
            .trim_start_matches('.')
            .to_ascii_lowercase();
        e == "*" || (!e.is_empty() && (host == e || host.ends_with(&format!(".{e}"))))
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn env<'a>(pairs: &'a [(&'a str, &'a str)]) -> impl Fn(&str) -> Option<String> + 'a {
        move |n| {
            pairs
                .iter()
                .find(|(k, _)| *k == n)
                .map(|(_, v)| v.to_string())
        }
    }

    #[test]
    fn picks_the_proxy_for_the_scheme() {
        let u = Url::parse("https://api.test/x").expect("url");
        let p = select(&u, env(&[("HTTPS_PROXY", "proxy.test:3128")])).expect("ok");
        assert_eq!(p.map(|p| p.display()), Some("proxy.test:3128".into()));
        let u = Url::parse("http://api.test/x").expect("url");
        assert_eq!(select(&u, env(&[("HTTPS_PROXY", "p:1")])), Ok(None));
    }

    #[test]
    fn no_proxy_matches_suffixes_and_star() {
        assert!(bypassed("api.internal.test", "example.com, .internal.test"));
        assert!(bypassed("internal.test", "internal.test"));
        assert!(!bypassed("notinternal.test", "internal.test"));
        assert!(bypassed("anything", "*"));
        assert!(bypassed("127.0.0.1", "localhost,127.0.0.1"));
    }

    #[test]
    fn credentials_become_basic_auth() {
        let u = Url::parse("http://api.test/").expect("url");
        let p = select(&u, env(&[("http_proxy", "http://me:s%40cret@p.test:8080")]))
            .ok()
            .flatten()
            .expect("proxy");
        assert_eq!(p.auth.as_deref(), Some("Basic bWU6c0BjcmV0"));
    }

    #[test]
    fn socks_proxies_are_reported_not_ignored() {
        let u = Url::parse("http://api.test/").expect("url");
        assert!(select(&u, env(&[("http_proxy", "socks5://p:1")])).is_err());
    }
}

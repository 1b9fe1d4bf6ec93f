//! Documents by URL, fetched with the probe's client so that proxies, TLS settings and failures behave
//! (and are named) exactly as in `apiprobe check`.

use crate::document::Fetch;
use apiprobe_probe::{CheckSpec, Prober};
use url::Url;

/// Bytes of a body the probe's client keeps.
const KEPT_BODY: usize = 4 << 20;

/// Fetches with a [`Prober`], sending `headers` (a document behind authentication needs them too).
pub struct ProbeFetch<'a> {
    /// The client.
    pub prober: &'a Prober,
    /// Headers for every fetch.
    pub headers: Vec<(String, String)>,
}

impl Fetch for ProbeFetch<'_> {
    async fn fetch(&self, url: &Url) -> Result<Vec<u8>, String> {
        let mut spec = CheckSpec::new(url.as_str());
        spec.headers = self.headers.clone();
        let (report, resp) = self.prober.check_keeping_response(&spec).await;
        match resp {
            // The client keeps 4 MiB of a body; a document cut there would fail to parse misleadingly.
            Some(r) if r.body.len() >= KEPT_BODY => Err(format!(
                "the document is {KEPT_BODY} bytes or more, more than is read over HTTP; download it and pass the file"
            )),
            Some(r) if (200..300).contains(&r.status) => Ok(r.body),
            Some(r) => Err(format!("HTTP {} answered", r.status)),
            None => Err(format!(
                "{} {}: {}",
                report.code.as_deref().unwrap_or(""),
                report.name.as_deref().unwrap_or(""),
                report.message.as_deref().unwrap_or("no response")
            )),
        }
    }
}

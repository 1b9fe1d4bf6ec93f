//! HTML error pages from the machines in front of an API: nginx (`<center>nginx</center>`), Apache
//! (`<address>Apache/2.4 ..</address>`), Cloudflare (52x pages and `Error 1020`-style 1xxx pages with a Ray ID),
//! AWS Elastic Load Balancing (`awselb/2.0`) and IIS (`HTTP Error 404.0`, `IIS .. Detailed Error`).
//! An HTML body on an API call means the request never reached the API, or the API's framework failed.

use super::access::{find, has};
use super::{cat, msg, Body, Finding};

/// Longest stretch of the page looked at: signatures sit near the top or in the last lines.
const SCAN: usize = 64 * 1024;

fn lower_prefix(text: &str) -> String {
    let mut end = text.len().min(SCAN);
    while !text.is_char_boundary(end) {
        end -= 1;
    }
    text[..end].to_ascii_lowercase()
}

/// The text of the first element opened by `open` (`<title`) and closed by `close` (`</title`), tags inside
/// stripped, the few entities error pages use decoded, whitespace collapsed.
fn element(text: &str, lower: &str, open: &str, close: &str) -> Option<String> {
    let at = find(lower, open)?;
    let start = at + lower[at..].find('>')? + 1;
    let end = start + find(&lower[start..], close)?;
    let inner = text.get(start..end)?;
    let mut out = String::with_capacity(inner.len());
    let mut in_tag = false;
    for c in inner.chars() {
        match c {
            '<' => in_tag = true,
            '>' => in_tag = false,
            _ if !in_tag => out.push(c),
            _ => {}
        }
    }
    if out.contains('&') {
        out = out
            .replace("&amp;", "&")
            .replace("&#39;", "'")
            .replace("&quot;", "\"");
    }
    let mut collapsed = String::with_capacity(out.len());
    for word in out.split_whitespace() {
        if !collapsed.is_empty() {
            collapsed.push(' ');
        }
        collapsed.push_str(word);
    }
    (!collapsed.is_empty()).then_some(collapsed)
}

/// Recognises an HTML page on an error status and names whose page it is.
pub(crate) fn parse(b: &Body<'_>) -> Option<Finding> {
    let head = b.head;
    if !head.starts_with('<') {
        return None;
    }
    let lower = lower_prefix(head);
    if !(has(&lower, "<html")
        || has(&lower, "<title")
        || has(&lower, "<h1")
        || has(&lower, "<body"))
    {
        return None;
    }
    let server = b.header("server").unwrap_or_default().to_ascii_lowercase();
    let title = element(head, &lower, "<title", "</title");
    let h1 = element(head, &lower, "<h1", "</h1");
    let cloudflare = has(&lower, "cloudflare");
    let mut f = Finding {
        format: "html",
        confidence: 0.6,
        ..Finding::default()
    };
    let cf_code = cloudflare_code(&lower, cloudflare, title.as_deref()).or_else(|| {
        // Cloudflare's 1xxx pages split "Error" and the number into two spans of the heading.
        let h = h1.as_deref()?.strip_prefix("Error ")?;
        let digits: String = h.chars().take_while(char::is_ascii_digit).collect();
        (digits.len() == 4 && digits.starts_with('1') && cloudflare).then_some(digits)
    });
    if cf_code.is_some()
        || cloudflare
        || b.header("cf-ray").is_some() && server.contains("cloudflare")
    {
        f.vendor = Some("cloudflare");
        f.vendor_code = Some(cf_code.unwrap_or_else(|| b.status.to_string()));
        f.confidence = 0.85;
        f.evidence.push(format!(
            "body: Cloudflare error page{}",
            f.vendor_code
                .as_ref()
                .map(|c| format!(", error {c}"))
                .unwrap_or_default()
        ));
    } else if has(&lower, "<center>awselb") || server.starts_with("awselb") {
        f.vendor = Some("aws_elb");
        f.vendor_code = Some(b.status.to_string());
        f.confidence = 0.8;
        f.evidence
            .push("body: AWS Elastic Load Balancing error page (awselb)".to_string());
    } else if has(&lower, "<center>nginx")
        || has(&lower, "<center>openresty")
        || server.starts_with("nginx")
        || server.starts_with("openresty")
    {
        f.vendor = Some("nginx");
        f.vendor_code = Some(b.status.to_string());
        f.confidence = 0.8;
        f.evidence.push("body: nginx error page".to_string());
    } else if has(&lower, "<address>apache") || server.starts_with("apache") {
        f.vendor = Some("apache");
        f.vendor_code = Some(b.status.to_string());
        f.confidence = 0.8;
        f.evidence.push("body: Apache httpd error page".to_string());
    } else if has(&lower, "iis")
        || server.contains("microsoft-iis")
        || has(&lower, "server error in '/' application")
    {
        f.vendor = Some("iis");
        // IIS detailed errors carry a sub-status: "HTTP Error 404.0 - Not Found".
        f.vendor_code = sub_status(&lower).or_else(|| Some(b.status.to_string()));
        f.confidence = 0.8;
        f.evidence.push("body: IIS error page".to_string());
    } else {
        f.evidence
            .push("body: an HTML page, not an API error body".to_string());
    }
    // Cloudflare and IIS pages put the helpful sentence below the heading.
    let sub = element(head, &lower, "<h2", "</h2").filter(|h| h.len() < 300);
    f.message = match (&h1, &title, &sub) {
        // nginx puts the specific reason in the title and only the status phrase in the heading.
        (Some(h), Some(t), _) if f.vendor == Some("nginx") && t != h => msg(t),
        (Some(h), _, Some(s)) if f.vendor == Some("cloudflare") || f.vendor == Some("iis") => {
            msg(&format!("{h}: {s}"))
        }
        (Some(h), _, _) => msg(h),
        (None, Some(t), _) => msg(t),
        _ => None,
    };
    if let Some(t) = &title {
        f.evidence
            .push(cat(["page title: ", &crate::reading::clip(t, 120)]));
    }
    if let Some(sig) =
        element(head, &lower, "<address", "</address").or_else(|| last_center(head, &lower))
    {
        f.evidence.push(cat(["server signature: ", &sig]));
    }
    Some(f)
}

/// `Error 1020` / `error code: 1015` / title `example.com | 522: Connection timed out`.
fn cloudflare_code(lower: &str, cloudflare: bool, title: Option<&str>) -> Option<String> {
    for marker in [
        "error code: ",
        "error code ",
        "<span class=\"cf-error-code\">",
        "error ",
    ] {
        // One searcher per marker: "error" and "<span" start at too many places of a page for a scan
        // that stops at each of their first bytes.
        for i in memchr::memmem::find_iter(lower.as_bytes(), marker.as_bytes()) {
            let start = i + marker.len();
            let digits: String = lower[start..]
                .chars()
                .take_while(char::is_ascii_digit)
                .collect();
            if digits.len() == 4
                && digits.starts_with('1')
                && (cloudflare || marker.starts_with("error code"))
            {
                return Some(digits);
            }
        }
    }
    let t = title?;
    let after = t.split(" | ").nth(1)?;
    let digits: String = after.chars().take_while(char::is_ascii_digit).collect();
    (digits.len() == 3 && digits.starts_with("52") && after[3..].starts_with(':')).then_some(digits)
}

/// IIS "HTTP Error 404.0" / "404.3".
fn sub_status(lower: &str) -> Option<String> {
    let i = find(lower, "http error ")? + "http error ".len();
    let code: String = lower[i..]
        .chars()
        .take_while(|c| c.is_ascii_digit() || *c == '.')
        .collect();
    code.contains('.').then_some(code)
}

fn last_center(text: &str, lower: &str) -> Option<String> {
    let i = memchr::memmem::rfind(lower.as_bytes(), b"<center>")?;
    let start = i + "<center>".len();
    let end = start + find(&lower[start..], "</center>")?;
    let s = text.get(start..end)?.trim();
    (!s.is_empty() && !s.contains('<') && s.len() < 80).then(|| s.to_string())
}

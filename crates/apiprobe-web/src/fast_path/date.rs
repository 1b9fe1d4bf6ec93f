//! The `date` header value (RFC 9110, Section 6.6.1), formatted once per second per thread.

use std::cell::RefCell;
use std::time::{Duration, SystemTime, UNIX_EPOCH};

struct Cached {
    secs: Option<u64>,
    text: String,
}

thread_local! {
    // Formatting a date costs more than the rest of a response head; like hyper, keep the last one.
    static CACHED: RefCell<Cached> = const { RefCell::new(Cached { secs: None, text: String::new() }) };
}

/// Appends the current time in IMF-fixdate form (`Sun, 06 Nov 1994 08:49:37 GMT`).
pub(crate) fn extend(dst: &mut Vec<u8>) {
    let secs = SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map(|d| d.as_secs())
        .unwrap_or(0);
    CACHED.with(|c| {
        let mut c = c.borrow_mut();
        if c.secs != Some(secs) {
            c.text = httpdate::fmt_http_date(UNIX_EPOCH + Duration::from_secs(secs));
            c.secs = Some(secs);
        }
        dst.extend_from_slice(c.text.as_bytes());
    });
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn formats_an_imf_fixdate_that_parses_back() {
        let mut out = Vec::new();
        extend(&mut out);
        assert_eq!(out.len(), 29);
        let text = String::from_utf8(out).expect("ASCII");
        assert!(text.ends_with(" GMT"));
        let parsed = httpdate::parse_http_date(&text).expect("parses");
        let age = SystemTime::now().duration_since(parsed).unwrap_or_default();
        assert!(age < Duration::from_secs(5));
    }
}

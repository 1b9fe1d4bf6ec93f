//! The batch report writer: a [`Report`] as serde_json's compact form, byte for byte, but faster.

use apiprobe_catalog::Report;

/// Writes `r` as serde_json's compact form would, byte for byte, but faster: strings are copied in runs
/// between the few bytes JSON escapes instead of byte by byte. Returns `false`, writing nothing, for a
/// report with probe-run parts (phase, timings, assertions, TLS), which explaining never fills; the caller
/// then uses serde_json.
pub(super) fn write_report(out: &mut Vec<u8>, r: &Report) -> bool {
    if r.phase.is_some() || r.timings_ms.is_some() || !r.assertions.is_empty() || r.tls.is_some() {
        return false;
    }
    out.extend_from_slice(if r.ok {
        b"{\"ok\":true,\"url\":"
    } else {
        b"{\"ok\":false,\"url\":"
    });
    opt_str(out, r.url.as_deref());
    out.extend_from_slice(b",\"status\":");
    match r.status {
        Some(s) => {
            out.extend_from_slice(itoa::Buffer::new().format(s).as_bytes());
        }
        None => out.extend_from_slice(b"null"),
    }
    out.extend_from_slice(b",\"category\":");
    opt_str(out, r.category.map(|c| c.as_str()));
    for (key, v) in [
        (&b",\"code\":"[..], &r.code),
        (b",\"name\":", &r.name),
        (b",\"title\":", &r.title),
        (b",\"format\":", &r.format),
        (b",\"vendor\":", &r.vendor),
        (b",\"vendor_code\":", &r.vendor_code),
        (b",\"message\":", &r.message),
        (b",\"field\":", &r.field),
        (b",\"permission\":", &r.permission),
        (b",\"resource\":", &r.resource),
    ] {
        out.extend_from_slice(key);
        opt_str(out, v.as_deref());
    }
    out.extend_from_slice(b",\"retryable\":");
    out.extend_from_slice(match r.retryable {
        Some(true) => b"true",
        Some(false) => b"false",
        None => b"null",
    });
    out.extend_from_slice(b",\"retry_after_s\":");
    // Numbers go through serde_json itself: its float formatting is the reference.
    if serde_json::to_writer(&mut *out, &r.retry_after_s).is_err() {
        return false;
    }
    out.extend_from_slice(b",\"confidence\":");
    if serde_json::to_writer(&mut *out, &r.confidence).is_err() {
        return false;
    }
    out.extend_from_slice(b",\"evidence\":");
    str_list(out, &r.evidence);
    out.extend_from_slice(b",\"conflict\":");
    opt_str(out, r.conflict.as_deref());
    out.extend_from_slice(b",\"next_steps\":");
    str_list(out, &r.next_steps);
    out.extend_from_slice(
        b",\"phase\":null,\"timings_ms\":null,\"assertions\":[],\"remote_addr\":",
    );
    opt_str(out, r.remote_addr.as_deref());
    out.extend_from_slice(b",\"tls\":null,\"aliases\":[");
    for (i, a) in r.aliases.iter().enumerate() {
        if i > 0 {
            out.push(b',');
        }
        out.extend_from_slice(b"{\"tool\":");
        json_str(out, &a.tool);
        out.extend_from_slice(b",\"code\":");
        json_str(out, &a.code);
        out.push(b'}');
    }
    out.extend_from_slice(b"],\"details\":{");
    for (i, (k, v)) in r.details.iter().enumerate() {
        if i > 0 {
            out.push(b',');
        }
        json_str(out, k);
        out.push(b':');
        json_str(out, v);
    }
    out.extend_from_slice(b"}}");
    true
}

fn opt_str(out: &mut Vec<u8>, s: Option<&str>) {
    match s {
        Some(s) => json_str(out, s),
        None => out.extend_from_slice(b"null"),
    }
}

fn str_list(out: &mut Vec<u8>, items: &[String]) {
    out.push(b'[');
    for (i, s) in items.iter().enumerate() {
        if i > 0 {
            out.push(b',');
        }
        json_str(out, s);
    }
    out.push(b']');
}

/// Marks (bit 7 of the byte) the bytes of `x` (little-endian) that a JSON string cannot hold as they
/// are: control characters, `"` and `\\`. The lowest mark is always right, so `trailing_zeros() / 8` is
/// the first such byte; marks above it may be false (borrows), which an "any" test does not mind.
/// The scanner's `scan::special_bytes` marks exactly, at a few more operations a word: the writer
/// needs only the first mark, and with the exact test it ran 1% more instructions per batch line.
fn json_special_mask(x: u64) -> u64 {
    const ONES: u64 = 0x0101_0101_0101_0101;
    const HIGH: u64 = 0x8080_8080_8080_8080;
    fn zero_byte(v: u64) -> u64 {
        v.wrapping_sub(ONES) & !v & HIGH
    }
    (x.wrapping_sub(ONES * 0x20) & !x & HIGH)
        | zero_byte(x ^ (ONES * u64::from(b'"')))
        | zero_byte(x ^ (ONES * u64::from(b'\\')))
}

/// The first byte at or after `i` that a JSON string cannot hold as it is (see [`json_special_mask`]),
/// found eight bytes at a time.
#[inline]
fn next_json_special(bytes: &[u8], start: usize) -> Option<usize> {
    let mut i = start;
    // Long plain runs (titles, next steps, evidence) are passed sixteen bytes at a time: the test
    // below compiles to a few vector instructions.
    while let Some(chunk) = bytes.get(i..i + 16) {
        let special = chunk.iter().fold(0u8, |acc, &b| {
            acc | u8::from((b < 0x20) | (b == b'"') | (b == b'\\'))
        });
        if special != 0 {
            break;
        }
        i += 16;
    }
    let word = |at: usize| {
        bytes
            .get(at..at + 8)
            .and_then(|w| w.try_into().ok())
            .map(u64::from_le_bytes)
    };
    while let Some(w) = word(i) {
        let mask = json_special_mask(w);
        if mask != 0 {
            return Some(i + (mask.trailing_zeros() / 8) as usize);
        }
        i += 8;
    }
    if i >= bytes.len() {
        return None;
    }
    // The last few bytes: the word that ends the string, overlapping bytes this call found plain. Plain
    // bytes below cause no false marks, so its lowest mark is the answer.
    if let Some(last) = bytes.len().checked_sub(8).filter(|&at| at >= start) {
        let mask = json_special_mask(word(last)?);
        return (mask != 0).then(|| last + (mask.trailing_zeros() / 8) as usize);
    }
    // Fewer than eight bytes searched.
    bytes
        .get(i..)?
        .iter()
        .position(|&b| b < 0x20 || b == b'"' || b == b'\\')
        .map(|k| i + k)
}

/// A JSON string exactly as serde_json writes it: `"` and `\\` escaped, the control characters as
/// `\\b \\t \\n \\f \\r` or `\\u00xx`, everything else (DEL, non-ASCII) as is.
fn json_str(out: &mut Vec<u8>, s: &str) {
    const HEX: &[u8; 16] = b"0123456789abcdef";
    let bytes = s.as_bytes();
    out.reserve(bytes.len() + 2);
    out.push(b'"');
    let mut start = 0;
    while let Some(k) = next_json_special(bytes, start) {
        out.extend_from_slice(&bytes[start..k]);
        start = k + 1;
        match bytes[k] {
            b'"' => out.extend_from_slice(b"\\\""),
            b'\\' => out.extend_from_slice(b"\\\\"),
            b'\n' => out.extend_from_slice(b"\\n"),
            b'\r' => out.extend_from_slice(b"\\r"),
            b'\t' => out.extend_from_slice(b"\\t"),
            0x08 => out.extend_from_slice(b"\\b"),
            0x0c => out.extend_from_slice(b"\\f"),
            b => out.extend_from_slice(&[
                b'\\',
                b'u',
                b'0',
                b'0',
                HEX[usize::from(b >> 4)],
                HEX[usize::from(b & 0xf)],
            ]),
        }
    }
    out.extend_from_slice(&bytes[start..]);
    out.push(b'"');
}

#[cfg(test)]
mod tests {
    use super::*;

    proptest::proptest! {
        #[test]
        fn strings_are_written_as_serde_json_writes_them(s in "(?s).{0,40}", ctl in 0u8..0x20, at in 0usize..41) {
            let mut with_ctl = s.clone();
            let at = with_ctl.char_indices().map(|(i, _)| i).nth(at).unwrap_or(with_ctl.len());
            with_ctl.insert(at, char::from(ctl));
            for text in [s, with_ctl] {
                let mut ours = Vec::new();
                json_str(&mut ours, &text);
                let theirs = serde_json::to_vec(&text).unwrap_or_default();
                proptest::prop_assert_eq!(ours, theirs);
            }
        }
    }

    #[test]
    fn fast_report_writer_matches_serde_json() {
        use apiprobe_catalog::AliasRef;
        let tricky = "q\"b\\s\u{1}\u{8}\u{c}\n\r\t\u{1f}\u{7f} é 日本 🙂 </script>";
        let mut full = Report {
            url: Some(tricky.to_string()),
            status: Some(503),
            category: Some(apiprobe_catalog::Category::Auth),
            code: Some("PRB-1102".into()),
            name: Some(tricky.into()),
            title: Some("t".into()),
            format: Some("f".into()),
            vendor: Some("v".into()),
            vendor_code: Some("".into()),
            message: Some(tricky.into()),
            field: Some("x".into()),
            permission: Some("p".into()),
            resource: Some("r".into()),
            retryable: Some(false),
            retry_after_s: Some(1.5e-7),
            confidence: 0.93,
            evidence: vec![tricky.into(), String::new()],
            conflict: Some("c".into()),
            next_steps: vec!["a".into()],
            remote_addr: Some("127.0.0.1:80".into()),
            aliases: vec![
                AliasRef {
                    tool: "curl".into(),
                    code: "7".into(),
                },
                AliasRef {
                    tool: tricky.into(),
                    code: "E".into(),
                },
            ],
            ..Report::default()
        };
        full.details.insert("request_id".into(), tricky.into());
        full.details.insert("a".into(), "b".into());
        let mut ok = Report {
            ok: true,
            retry_after_s: Some(30.0),
            retryable: Some(true),
            confidence: 1.0,
            ..Report::default()
        };
        for r in [Report::default(), full.clone(), ok.clone()] {
            let mut fast = Vec::new();
            assert!(write_report(&mut fast, &r));
            assert_eq!(
                String::from_utf8(fast).unwrap(),
                serde_json::to_string(&r).unwrap()
            );
        }
        // Every byte value at every offset of an 8-byte word, as serde_json escapes it.
        for b in 0u8..0x80 {
            for pad in 0..10 {
                let text = format!("{}{}{}", "a".repeat(pad), b as char, "é".repeat(pad % 3));
                let mut fast = Vec::new();
                json_str(&mut fast, &text);
                assert_eq!(fast, serde_json::to_vec(&text).unwrap(), "{text:?}");
            }
        }
        ok.phase = Some(apiprobe_catalog::Phase::Dns);
        let mut fast = Vec::new();
        assert!(!write_report(&mut fast, &ok));
        assert!(fast.is_empty());
    }
}

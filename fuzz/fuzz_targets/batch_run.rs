//! A whole `explain --batch` input through `batch::run` (fast reader, memo, fast writer, workers and
//! the in-order writer) must give, byte for byte, what explaining each line alone gives.
#![no_main]

use apiprobe_catalog::{Catalog, LineError};
use apiprobe_explain::batch::{explain_line, run, Options};
use libfuzzer_sys::fuzz_target;

fn alone(catalog: &Catalog, input: &[u8]) -> Vec<u8> {
    let mut out = Vec::new();
    for (i, line) in input.split(|&b| b == b'\n').enumerate() {
        let line = line.strip_suffix(b"\r").unwrap_or(line);
        if line.iter().all(u8::is_ascii_whitespace) {
            continue;
        }
        let written = match explain_line(catalog, line) {
            Ok(r) => serde_json::to_writer(&mut out, &r),
            Err(error) => serde_json::to_writer(
                &mut out,
                &LineError {
                    line: i as u64 + 1,
                    error,
                },
            ),
        };
        written.expect("a report or a line error serializes");
        out.push(b'\n');
    }
    out
}

fn mentions(data: &[u8], word: &[u8]) -> bool {
    data.windows(word.len()).any(|w| w.eq_ignore_ascii_case(word))
}

/// The output with the waits counted from the clock masked: a wait until a time (`Retry-After` as a
/// date, a rate-limit reset) with no `Date` header to count from is counted from "now", which moves
/// between the run and the reference.
fn without_clock(out: &str) -> String {
    let mut masked = String::with_capacity(out.len());
    let mut rest = out;
    while let Some(at) = ["\"retry_after_s\":", "\"Wait "]
        .iter()
        .filter_map(|m| rest.find(m).map(|i| (i, m.len())))
        .min()
    {
        let (i, len) = at;
        masked.push_str(&rest[..i + len]);
        rest = &rest[i + len..];
        let number = rest
            .find(|c: char| !(c.is_ascii_digit() || c == '.' || c == '-' || c == 'e'))
            .unwrap_or(rest.len());
        masked.push('N');
        rest = &rest[number..];
    }
    masked.push_str(rest);
    masked
}

fuzz_target!(|data: &[u8]| {
    let catalog = Catalog::builtin();
    // The input twice over: the second copy replays from the memo what the first explained.
    let input = [data, b"\n", data].concat();
    let mut out = Vec::new();
    run(catalog, input.as_slice(), &mut out, &Options { workers: 2 }).expect("writing to a Vec");
    let reference = alone(catalog, &input);
    let (got, want) = (
        String::from_utf8_lossy(&out),
        String::from_utf8_lossy(&reference),
    );
    if got != want {
        let clocked = mentions(data, b"retry-after") || mentions(data, b"reset");
        assert!(clocked, "{got}\n!=\n{want}");
        assert_eq!(without_clock(&got), without_clock(&want));
    }
});

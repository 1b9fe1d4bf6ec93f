//! The message reader skips the candidate phrases whose match could no longer change the reading; it
//! must read exactly what searching every candidate reads. The first two bytes are the status.
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let (status, text) = match data {
        [a, b, rest @ ..] => (u16::from_le_bytes([*a, *b]) % 1000, rest),
        _ => (0, data),
    };
    let text = String::from_utf8_lossy(text);
    assert!(
        apiprobe_explain::message_reading_agrees(&text, status),
        "{text:?} at {status}"
    );
});

//! Any bytes through the whole explain path: raw-response parsing, every format parser, the reading rule,
//! and log-text recognition for input that is not a response. It must never panic or hang.
#![no_main]

use apiprobe_catalog::Catalog;
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let catalog = Catalog::builtin();
    if let Ok(resp) = apiprobe_explain::parse_raw(data) {
        let report = apiprobe_explain::explain_response(catalog, &resp);
        assert!((0.0..=1.0).contains(&report.confidence));
    }
    let _ = apiprobe_explain::explain_input(catalog, data);
});

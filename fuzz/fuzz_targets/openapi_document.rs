//! Any bytes as an OpenAPI document (JSON or YAML): a document or an error, never a panic or a hang,
//! and a document that loads can be walked for its operations.
#![no_main]

use apiprobe_contract::{operations, Document};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    if let Ok(doc) = Document::from_text("fuzz.yaml", text) {
        let _ = operations(&doc);
    }
});

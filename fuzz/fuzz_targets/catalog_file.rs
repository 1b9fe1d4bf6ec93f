//! Any bytes as a user's `--catalog` file: an error or a catalog, never a panic or a hang.
#![no_main]

use apiprobe_catalog::Catalog;
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    if let Ok(c) = Catalog::builtin().extended_with_text("fuzz.toml", data) {
        assert!(c.entries().len() >= Catalog::builtin().entries().len());
    }
});

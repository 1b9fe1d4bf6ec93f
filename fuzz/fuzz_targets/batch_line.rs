//! One JSON Lines record of `explain --batch`: a report or a line error, never a panic.
#![no_main]

use apiprobe_catalog::Catalog;
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let _ = apiprobe_explain::batch::explain_line(Catalog::builtin(), data);
});

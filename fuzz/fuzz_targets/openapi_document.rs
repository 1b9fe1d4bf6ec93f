//! Any bytes as an OpenAPI document (JSON or YAML): loading, listing the operations, building every
//! request (valid and broken) and compiling every response schema end in a plan or a clear error,
//! never a panic or a hang. The same body runs on stable in the contract crate's property tests
//! (`crates/apiprobe-contract/tests/hostile_documents.rs`).
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let _ = apiprobe_contract::dry_run("fuzz.yaml", data);
});

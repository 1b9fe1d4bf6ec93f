//! The keyword index (a hand-walked prefix automaton) must select exactly the entries a plain
//! overlapping Aho-Corasick search selects. The input is keywords, one per line, then a NUL, then the
//! text to search.
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let input = String::from_utf8_lossy(data);
    let (words, text) = input.split_once('\0').unwrap_or((&input, &input));
    let keywords: Vec<&str> = words.split('\n').take(64).collect();
    assert!(
        apiprobe_explain::keyword_index_agrees(&keywords, text),
        "{keywords:?} in {text:?}"
    );
});

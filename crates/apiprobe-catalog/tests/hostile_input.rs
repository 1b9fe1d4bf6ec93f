//! Whatever bytes a user's catalog file holds, loading it returns an error or a catalog, never a panic.

use apiprobe_catalog::Catalog;
use proptest::prelude::*;

proptest! {
    #![proptest_config(ProptestConfig::with_cases(128))]

    #[test]
    fn arbitrary_bytes_never_panic(bytes in proptest::collection::vec(any::<u8>(), 0..2048)) {
        let _ = Catalog::builtin().extended_with_text("fuzz.toml", &bytes);
    }

    #[test]
    fn arbitrary_toml_like_text_never_panics(text in "(\\[\\[entry\\]\\]\n|code = \"[0-9A-Z-]{0,9}\"\n|category = \"[a-z]{0,7}\"\n|[a-z_]{1,12} = (\"[^\"\n]{0,20}\"|\\[\\]|true|[0-9]{1,4})\n|\n){0,40}") {
        let _ = Catalog::builtin().extended_with_text("fuzz.toml", text.as_bytes());
    }

    #[test]
    fn searching_any_text_never_panics(q in "\\PC{0,64}") {
        let _ = Catalog::builtin().search(&q, 10);
        let _ = Catalog::builtin().get(&q);
        let _ = Catalog::builtin().suggest(&q);
    }
}

#[test]
fn deeply_nested_arrays_are_an_error_not_a_stack_overflow() {
    let text = format!("x = {}{}", "[".repeat(100_000), "]".repeat(100_000));
    assert!(Catalog::builtin()
        .extended_with_text("deep.toml", text.as_bytes())
        .is_err());
}

//! The document loader never panics: random text, random bytes as text, valid documents cut or
//! corrupted at random places, and deep or self-referring `$ref` structures all end in a document or
//! a clear error.

use apiprobe_contract::{operations, Document};
use proptest::prelude::*;

const VALID: &str = r##"{"openapi":"3.1.0","info":{"title":"t","version":"1"},
 "paths":{"/items/{id}":{"parameters":[{"$ref":"#/components/parameters/Id"}],
   "get":{"operationId":"getItem","responses":{"200":{"description":"ok","content":{"application/json":
     {"schema":{"$ref":"#/components/schemas/Item"}}}}}}}},
 "components":{"parameters":{"Id":{"name":"id","in":"path","required":true,"schema":{"type":"integer"}}},
   "schemas":{"Item":{"type":"object","properties":{"next":{"$ref":"#/components/schemas/Item"}}}}}}"##;

fn load(text: &str) {
    if let Ok(doc) = Document::from_text("fuzz", text) {
        // A loaded document must also be walkable.
        let _ = operations(&doc);
    }
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 400, ..ProptestConfig::default() })]

    #[test]
    fn random_text_never_panics(s in "\\PC{0,400}") {
        load(&s);
    }

    #[test]
    fn yaml_like_text_never_panics(s in "(openapi: 3\\.[01]\\.0\n)?([a-z$/#' {}\\[\\]:,-]{0,12}\n){0,20}") {
        load(&s);
    }

    #[test]
    fn cut_documents_never_panic(cut in 0usize..VALID.len()) {
        load(&VALID[..cut]);
    }

    #[test]
    fn corrupted_documents_never_panic(at in 0usize..VALID.len(), with in "[\"{}\\[\\]#/~:$a-z0-9]{1,3}") {
        let mut s = VALID.to_string();
        if s.is_char_boundary(at) {
            s.insert_str(at, &with);
        }
        load(&s);
    }

    #[test]
    fn ref_chains_of_any_shape_never_panic(edges in proptest::collection::vec((0usize..6, 0usize..7), 0..12)) {
        // Schemas S0..S5 referring to each other (6 means a missing target).
        let mut schemas = Vec::new();
        for i in 0..6 {
            let target = edges.iter().find(|(from, _)| *from == i).map(|(_, to)| *to);
            schemas.push(match target {
                Some(t) => format!(r##""S{i}":{{"$ref":"#/components/schemas/S{t}"}}"##),
                None => format!(r#""S{i}":{{"type":"string"}}"#),
            });
        }
        let doc = format!(r#"{{"openapi":"3.1.0","paths":{{}},"components":{{"schemas":{{{}}}}}}}"#, schemas.join(","));
        load(&doc);
    }
}

#[test]
fn deep_nesting_is_an_error_not_a_stack_overflow() {
    let deep = format!("{}{}", "[".repeat(100_000), "]".repeat(100_000));
    assert!(Document::from_text("deep.json", &deep).is_err());
    let deep_yaml = format!(
        "openapi: 3.1.0\nx: {}{}\n",
        "[".repeat(100_000),
        "]".repeat(100_000)
    );
    assert!(Document::from_text("deep.yaml", &deep_yaml).is_err());
}

#[test]
fn yaml_alias_bombs_are_refused() {
    let bomb = "openapi: 3.1.0\na: &a [x,x,x,x,x,x,x,x,x]\nb: &b [*a,*a,*a,*a,*a,*a,*a,*a,*a]\nc: &c [*b,*b,*b,*b,*b,*b,*b,*b,*b]\nd: &d [*c,*c,*c,*c,*c,*c,*c,*c,*c]\ne: &e [*d,*d,*d,*d,*d,*d,*d,*d,*d]\nf: &f [*e,*e,*e,*e,*e,*e,*e,*e,*e]\ng: &g [*f,*f,*f,*f,*f,*f,*f,*f,*f]\nh: &h [*g,*g,*g,*g,*g,*g,*g,*g,*g]\ni: &i [*h,*h,*h,*h,*h,*h,*h,*h,*h]\n";
    let err = Document::from_text("bomb.yaml", bomb).expect_err("refused");
    assert!(err.to_string().contains("not valid YAML"), "{err}");
}

#[test]
fn the_valid_document_loads() {
    let doc = Document::from_text("ok.json", VALID).expect("loads");
    assert_eq!(operations(&doc).len(), 1);
}

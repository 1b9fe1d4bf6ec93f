//! Untrusted documents end in a plan or a clear error, never a panic or a hang. Each case goes through
//! [`dry_run`], the body of the `openapi_document` fuzz target: loading, listing the operations,
//! building every valid and broken request, compiling every response schema. Inputs: random bytes and
//! text, real documents cut or corrupted at random places, and real documents changed structurally
//! (random `$ref`s, reference cycles, deep nesting, huge numbers and limits, values of the wrong type),
//! written back as JSON or as YAML.

use apiprobe_contract::{dry_run, operations, Document, DocumentError, MAX_DOCUMENT_BYTES};
use proptest::prelude::*;
use proptest::sample::Index;
use serde_json::{json, Value};

const VALID: &str = r##"{"openapi":"3.1.0","info":{"title":"t","version":"1"},
 "paths":{"/items/{id}":{"parameters":[{"$ref":"#/components/parameters/Id"}],
   "get":{"operationId":"getItem","responses":{"200":{"description":"ok","content":{"application/json":
     {"schema":{"$ref":"#/components/schemas/Item"}}}}}}}},
 "components":{"parameters":{"Id":{"name":"id","in":"path","required":true,"schema":{"type":"integer"}}},
   "schemas":{"Item":{"type":"object","properties":{"next":{"$ref":"#/components/schemas/Item"}}}}}}"##;

/// The testkit's contract server document: 13 operations, examples, links, security, `allOf`.
const FAULT_SHOP: &str = include_str!("../../apiprobe-testkit/src/contract_openapi.json");

/// A 3.0 document in YAML with what the JSON ones lack: a form body, `oneOf`, `nullable`, cookies,
/// header and query arrays, `multipleOf`, string limits.
const SHOP_YAML: &str = r##"openapi: 3.0.3
info: {title: yaml shop, version: '1'}
servers: [{url: 'http://127.0.0.1:9/v1'}]
security: [{key: []}]
paths:
  /orders:
    post:
      operationId: createOrder
      requestBody:
        required: true
        content:
          application/x-www-form-urlencoded:
            schema: {$ref: '#/components/schemas/Order'}
      responses:
        201: {description: created, content: {application/json: {schema: {$ref: '#/components/schemas/Order'}}}}
        4XX: {description: refused, content: {application/problem+json: {schema: {$ref: '#/components/schemas/Problem'}}}}
    get:
      parameters:
        - {name: tags, in: query, required: true, explode: false, schema: {type: array, items: {type: string, minLength: 2, maxLength: 4}}}
        - {name: X-Trace, in: header, schema: {type: integer, multipleOf: 5, minimum: -10, maximum: 10}}
        - {name: session, in: cookie, schema: {type: string, nullable: true}}
        - {name: filter, in: query, style: form, schema: {type: object, properties: {a: {type: boolean}}}}
      responses:
        default: {description: any}
  /orders/{id}:
    parameters: [{name: id, in: path, required: true, schema: {type: string, format: uuid}}]
    delete:
      responses: {204: {description: gone}}
components:
  securitySchemes:
    key: {type: apiKey, in: header, name: X-Key}
  schemas:
    Order:
      type: object
      required: [item, quantity]
      properties:
        item: {oneOf: [{type: string, enum: [apple, pear]}, {type: integer, exclusiveMinimum: 0}]}
        quantity: {type: integer, minimum: 1, maximum: 99}
        note: {type: string, nullable: true, maxLength: 20}
        when: {type: string, format: date-time}
    Problem:
      allOf:
        - {$ref: '#/components/schemas/Base'}
        - {type: object, properties: {code: {type: string}}}
    Base: {type: object, required: [title], properties: {title: {type: string}}}
"##;

/// Requests a run makes per operation at most: example, generated, four of each broken kind for the
/// body and the query, and one without credentials.
const MAX_REQUESTS_PER_OPERATION: usize = 2 + 4 * 4 + 4 + 1;

/// The fuzz body, with what must hold: a plan of bounded size, or an error naming the document.
fn exercise(name: &str, bytes: &[u8]) {
    match dry_run(name, bytes) {
        Ok(run) => {
            assert!(
                run.requests.len() <= run.operations * MAX_REQUESTS_PER_OPERATION,
                "{} requests for {} operations",
                run.requests.len(),
                run.operations
            );
            for r in &run.requests {
                let body = r.body.as_ref().map_or(0, Vec::len);
                assert!(body <= 4 << 20, "{} body of {body} bytes", r.operation);
                assert!(
                    r.url.len() <= 4 << 20,
                    "{} URL of {} bytes",
                    r.operation,
                    r.url.len()
                );
            }
        }
        Err(e) => {
            let msg = e.to_string();
            assert!(
                msg.contains(name),
                "the error does not name the document: {msg}"
            );
        }
    }
}

fn load(text: &str) {
    exercise("fuzz", text.as_bytes());
}

/// One structural change at a node of a document.
#[derive(Debug, Clone)]
enum Change {
    /// The node becomes `{"$ref": target}`.
    Ref(String),
    /// The node becomes a `$ref` to itself or to its parent (a cycle).
    RefToSelf { parent: bool },
    /// The node becomes this value: a huge number, or a value of another type.
    Replace(Value),
    /// The node is wrapped in `depth` arrays or objects.
    Nest { depth: usize, arrays: bool },
    /// On an object node: a schema keyword with a hostile value.
    Keyword(&'static str, Value),
    /// The node is removed from its parent.
    Remove,
}

fn change() -> impl Strategy<Value = Change> {
    let refs = prop_oneof![
        Just("#/nowhere".to_string()),
        Just("#".to_string()),
        Just("#/components/schemas".to_string()),
        Just("#/paths".to_string()),
        Just("other.yaml#/Item".to_string()),
        Just("#node".to_string()),
        Just("#/components/schemas/Item/properties/next".to_string()),
        Just("%%%#/x".to_string()),
        "#(/[a-zA-Z0-9{}~%]{1,8}){1,4}",
    ];
    let values = prop_oneof![
        Just(json!(1e308)),
        Just(json!(-1e308)),
        Just(json!(u64::MAX)),
        Just(json!(i64::MIN)),
        Just(json!(0)),
        Just(json!("")),
        Just(json!("string where a mapping goes")),
        Just(json!([])),
        Just(json!([null, 1, "two"])),
        Just(json!({})),
        Just(json!(null)),
        Just(json!(true)),
    ];
    let keywords = prop_oneof![
        Just(("minLength", json!(1_000_000_000_000_000_000u64))),
        Just(("minLength", json!(u64::MAX))),
        Just(("maxLength", json!(u64::MAX))),
        Just(("minItems", json!(1_000_000_000u64))),
        Just(("maxItems", json!(0))),
        Just(("minimum", json!(1e308))),
        Just(("maximum", json!(-1e308))),
        Just(("exclusiveMinimum", json!(9.3e18))),
        Just(("exclusiveMaximum", json!(true))),
        Just(("multipleOf", json!(0))),
        Just(("multipleOf", json!(-3))),
        Just(("multipleOf", json!(1e-300))),
        Just(("pattern", json!("(unclosed"))),
        Just(("pattern", json!("(a+)+$"))),
        Just(("enum", json!([]))),
        Just(("enum", json!([null]))),
        Just(("type", json!(["integer", "null", "array"]))),
        Just(("type", json!(7))),
        Just(("required", json!(["a", "b", 3, null]))),
        Just(("allOf", json!([{"$ref": "#"}, {"$ref": "#"}]))),
        Just(("oneOf", json!([]))),
        Just(("items", json!(false))),
        Just(("properties", json!([1, 2]))),
        Just(("example", json!({"deep": [[[[[1]]]]]}))),
        Just(("explode", json!("yes"))),
        Just(("style", json!("deepObject"))),
        Just(("in", json!("body"))),
    ];
    prop_oneof![
        2 => refs.prop_map(Change::Ref),
        1 => any::<bool>().prop_map(|parent| Change::RefToSelf { parent }),
        2 => values.prop_map(Change::Replace),
        1 => (1usize..300, any::<bool>()).prop_map(|(depth, arrays)| Change::Nest { depth, arrays }),
        6 => keywords.prop_map(|(k, v)| Change::Keyword(k, v)),
        1 => Just(Change::Remove),
    ]
}

/// The JSON pointer of every node of `v`, parents before children.
fn pointers(v: &Value) -> Vec<String> {
    let mut out = Vec::new();
    let mut stack = vec![(String::new(), v)];
    while let Some((p, v)) = stack.pop() {
        match v {
            Value::Object(m) => {
                for (k, c) in m {
                    stack.push((
                        format!("{p}/{}", k.replace('~', "~0").replace('/', "~1")),
                        c,
                    ));
                }
            }
            Value::Array(a) => {
                for (i, c) in a.iter().enumerate() {
                    stack.push((format!("{p}/{i}"), c));
                }
            }
            _ => {}
        }
        out.push(p);
    }
    out
}

fn parent_of(pointer: &str) -> &str {
    pointer.rsplit_once('/').map_or("", |(p, _)| p)
}

fn apply(doc: &mut Value, at: &str, c: &Change) {
    let Some(node) = doc.pointer_mut(at) else {
        return;
    };
    match c {
        Change::Ref(target) => *node = json!({ "$ref": target }),
        Change::RefToSelf { parent } => {
            let target = if *parent { parent_of(at) } else { at };
            *node = json!({ "$ref": format!("#{target}") });
        }
        Change::Replace(v) => *node = v.clone(),
        Change::Nest { depth, arrays } => {
            let mut v = node.take();
            for _ in 0..*depth {
                v = if *arrays {
                    json!([v])
                } else {
                    json!({ "schema": v })
                };
            }
            *node = v;
        }
        Change::Keyword(k, v) => {
            if let Some(m) = node.as_object_mut() {
                m.insert((*k).to_string(), v.clone());
            }
        }
        Change::Remove => {
            let (parent, key) = at.rsplit_once('/').unwrap_or(("", ""));
            match doc.pointer_mut(parent) {
                Some(Value::Object(m)) => {
                    m.remove(&key.replace("~1", "/").replace("~0", "~"));
                }
                Some(Value::Array(a)) => {
                    if let Ok(i) = key.parse::<usize>() {
                        if i < a.len() {
                            a.remove(i);
                        }
                    }
                }
                _ => {}
            }
        }
    }
}

/// `base` with `changes` applied at nodes picked by index, written as JSON or YAML.
fn mutated(base: &str, changes: &[(Index, Change)], yaml: bool) -> String {
    let mut doc: Value = serde_yaml_ng::from_str(base).expect("base documents parse");
    for (at, c) in changes {
        let mut all = pointers(&doc);
        if matches!(c, Change::Keyword(..)) {
            // Schema keywords go on schemas, where the generator and the validator read them.
            let schemas: Vec<String> = all
                .iter()
                .filter(|p| p.contains("schema") || p.contains("/properties/"))
                .filter(|p| doc.pointer(p).is_some_and(Value::is_object))
                .cloned()
                .collect();
            if !schemas.is_empty() {
                all = schemas;
            }
        }
        let at = at.get(&all).clone();
        apply(&mut doc, &at, c);
    }
    if yaml {
        // Nesting too deep for the YAML writer's stack is not what is tested here.
        serde_yaml_ng::to_string(&doc).unwrap_or_else(|_| doc.to_string())
    } else {
        doc.to_string()
    }
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 300, ..ProptestConfig::default() })]

    #[test]
    fn random_bytes_never_panic(bytes in proptest::collection::vec(any::<u8>(), 0..600)) {
        exercise("bytes", &bytes);
    }

    #[test]
    fn random_text_never_panics(s in "\\PC{0,400}") {
        load(&s);
    }

    #[test]
    fn yaml_like_text_never_panics(s in "(openapi: 3\\.[01]\\.0\n)?([a-z$/#' {}\\[\\]:,-]{0,12}\n){0,20}") {
        load(&s);
    }

    #[test]
    fn cut_documents_never_panic(cut in 0usize..FAULT_SHOP.len()) {
        if FAULT_SHOP.is_char_boundary(cut) {
            load(&FAULT_SHOP[..cut]);
        }
        load(&SHOP_YAML[..cut.min(SHOP_YAML.len())]);
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
    fn real_documents_changed_structurally_never_panic(
        changes in proptest::collection::vec((any::<Index>(), change()), 1..5),
        which in 0usize..3,
        yaml in any::<bool>(),
    ) {
        let base = [FAULT_SHOP, SHOP_YAML, VALID][which];
        exercise("changed", mutated(base, &changes, yaml).as_bytes());
    }

    #[test]
    fn ref_chains_of_any_shape_never_panic(edges in proptest::collection::vec((0usize..6, 0usize..7), 0..12)) {
        // Schemas S0..S5 referring to each other (6 means a missing target), used by a request body.
        let mut schemas = Vec::new();
        for i in 0..6 {
            let target = edges.iter().find(|(from, _)| *from == i).map(|(_, to)| *to);
            schemas.push(match target {
                Some(t) => format!(r##""S{i}":{{"$ref":"#/components/schemas/S{t}"}}"##),
                None => format!(r##""S{i}":{{"type":"object","required":["a"],"properties":{{"a":{{"$ref":"#/components/schemas/S{}"}}}}}}"##, (i + 1) % 6),
            });
        }
        let doc = format!(
            r##"{{"openapi":"3.1.0","paths":{{"/x":{{"post":{{"requestBody":{{"content":{{"application/json":{{"schema":{{"$ref":"#/components/schemas/S0"}}}}}}}},"responses":{{"200":{{"description":"ok","content":{{"application/json":{{"schema":{{"$ref":"#/components/schemas/S3"}}}}}}}}}}}}}}}},"components":{{"schemas":{{{}}}}}}}"##,
            schemas.join(",")
        );
        load(&doc);
    }
}

#[test]
fn the_base_documents_plan_their_requests() {
    for (name, text, ops) in [
        ("valid", VALID, 1),
        ("fault shop", FAULT_SHOP, 13),
        ("yaml shop", SHOP_YAML, 3),
    ] {
        let run = dry_run(name, text.as_bytes()).unwrap_or_else(|e| panic!("{name}: {e}"));
        assert_eq!(run.operations, ops, "{name}");
        assert!(run.requests.len() >= ops, "{name}: {:?}", run.requests);
        assert!(
            run.unusable_schemas.is_empty(),
            "{name}: {:?}",
            run.unusable_schemas
        );
    }
    // The YAML shop's unexploded query array and its form body go on the wire as the document says.
    let run = dry_run("yaml shop", SHOP_YAML.as_bytes()).expect("plans");
    let list = run
        .requests
        .iter()
        .find(|r| r.method == "GET")
        .expect("a GET");
    assert!(list.url.contains("?tags="), "{}", list.url);
    assert!(
        !list.url.contains("tags=") || list.url.matches("tags=").count() == 1,
        "{}",
        list.url
    );
    let create = run
        .requests
        .iter()
        .find(|r| r.method == "POST")
        .expect("a POST");
    assert!(
        create.headers.contains(&(
            "Content-Type".into(),
            "application/x-www-form-urlencoded".into()
        )),
        "{:?}",
        create.headers
    );
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
    // Deep but within the parsers' limits: the schema walkers stop on their own bounds.
    let mut schema = json!({"type": "string"});
    for _ in 0..60 {
        schema = json!({"type": "object", "required": ["a"], "properties": {"a": schema}});
    }
    let doc = json!({"openapi": "3.1.0", "paths": {"/d": {"post": {
        "requestBody": {"content": {"application/json": {"schema": schema}}},
        "responses": {"200": {"description": "ok", "content": {"application/json": {"schema": schema}}}}}}}});
    exercise("deep-schema", doc.to_string().as_bytes());
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

#[test]
fn bad_documents_name_the_document_and_the_place() {
    let cases: &[(&str, &str)] = &[
        (
            "openapi: 3.1.0\npaths: {}\ncomponents:\n  schemas:\n    A: {$ref: '#/components/schemas/Gone'}\n",
            "api.yaml:5: $ref '#/components/schemas/Gone' at '#/components/schemas/A' cannot be resolved: nothing at '/components/schemas/Gone' in api.yaml",
        ),
        (
            "openapi: 3.1.0\npaths: {}\ncomponents:\n  schemas:\n    A: {$ref: '#/components/schemas/B'}\n    B: {$ref: '#/components/schemas/A'}\n",
            "api.yaml:5: $ref cycle with no value in it: #/components/schemas/B -> #/components/schemas/A",
        ),
        ("openapi: 3.1.0\npaths:\n  /a: [unclosed\n", "api.yaml:4:1: not valid YAML"),
        ("openapi: 3.1.0\npaths: {}\n\t- tab: x\n", "api.yaml:3:"),
    ];
    for (text, want) in cases {
        let err = dry_run("api.yaml", text.as_bytes())
            .expect_err("refused")
            .to_string();
        assert!(err.starts_with(want), "wanted '{want}', got: {err}");
    }
}

#[test]
fn a_fifty_megabyte_document_is_refused_before_parsing() {
    let mut big = b"openapi: 3.1.0\npaths: {}\nx-padding: '".to_vec();
    big.resize(50 << 20, b'a');
    big.extend_from_slice(b"'\n");
    let err = dry_run("big.yaml", &big).expect_err("refused");
    assert!(matches!(err, DocumentError::TooLarge { .. }), "{err}");
    assert_eq!(
        err.to_string(),
        format!("big.yaml is {} bytes, over the {MAX_DOCUMENT_BYTES} byte limit for an OpenAPI document", big.len())
    );
}

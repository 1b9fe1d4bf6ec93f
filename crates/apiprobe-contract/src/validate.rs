//! Checking a response against the document: its status, media type, body schema and required headers.
//!
//! Bodies are validated by the `jsonschema` crate with no network or file access: every file the
//! document uses was loaded already and is handed to the validator from memory. OpenAPI 3.1 schemas are
//! JSON Schema 2020-12; 3.0 schemas are validated as draft 4 (whose boolean `exclusiveMinimum` and
//! ignored `$ref` siblings 3.0 shares) after `nullable: true` is rewritten to its JSON Schema meaning.

use crate::document::{Document, Loc, Version};
use crate::operation::is_json;
use jsonschema::{Draft, Retrieve, Uri, Validator};
use serde_json::{json, Value};
use std::collections::HashMap;
use std::sync::{Arc, Mutex};

/// Schema errors reported for one body; the rest are counted, not listed.
pub const MAX_VIOLATIONS: usize = 10;

/// One place where a body breaks its schema.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Violation {
    /// JSON pointer into the body (`/items/3/price`); `""` for the body itself.
    pub pointer: String,
    /// What the schema expects and what came, in the validator's words.
    pub reason: String,
}

/// Compiled validators, one per schema location, shared by every request of a run.
pub struct Validators {
    files: Arc<HashMap<String, Value>>,
    draft: Draft,
    cache: Mutex<HashMap<Loc, Arc<Result<Validator, String>>>>,
}

struct Files(Arc<HashMap<String, Value>>);

impl Retrieve for Files {
    fn retrieve(
        &self,
        uri: &Uri<String>,
    ) -> Result<Value, Box<dyn std::error::Error + Send + Sync>> {
        let key = uri.as_str().split('#').next().unwrap_or("");
        self.0
            .get(key)
            .cloned()
            .ok_or_else(|| format!("{key} is not part of the document").into())
    }
}

impl Validators {
    /// Validators for `doc`'s schemas, in its version's dialect.
    pub fn new(doc: &Document) -> Validators {
        let v30 = doc.version() == Version::V30;
        let files = doc
            .files()
            .map(|(k, v)| {
                let mut v = v.clone();
                if v30 {
                    nullable_to_json_schema(&mut v);
                }
                (k.to_string(), v)
            })
            .collect();
        Validators {
            files: Arc::new(files),
            draft: if v30 {
                Draft::Draft4
            } else {
                Draft::Draft202012
            },
            cache: Mutex::new(HashMap::new()),
        }
    }

    /// Where `instance` breaks the schema at `schema`; an error when the schema itself cannot be compiled.
    pub fn check(&self, schema: &Loc, instance: &Value) -> Result<Vec<Violation>, String> {
        let compiled = {
            let mut cache = self.cache.lock().unwrap_or_else(|p| p.into_inner());
            cache
                .entry(schema.clone())
                .or_insert_with(|| Arc::new(self.compile(schema)))
                .clone()
        };
        let validator = compiled.as_ref().as_ref().map_err(Clone::clone)?;
        Ok(validator
            .iter_errors(instance)
            .take(MAX_VIOLATIONS)
            .map(|e| Violation {
                pointer: e.instance_path().as_str().to_string(),
                reason: e.to_string(),
            })
            .collect())
    }

    fn compile(&self, schema: &Loc) -> Result<Validator, String> {
        jsonschema::options()
            .with_draft(self.draft)
            .with_retriever(Files(self.files.clone()))
            .should_validate_formats(false)
            .build(&json!({ "$ref": schema.uri() }))
            .map_err(|e| format!("the schema at {} cannot be used: {e}", schema.uri()))
    }
}

/// OpenAPI 3.0's `nullable: true` as JSON Schema says it: `null` added to `type` (and to `enum`).
fn nullable_to_json_schema(v: &mut Value) {
    let mut stack = vec![v];
    while let Some(v) = stack.pop() {
        match v {
            Value::Object(m) => {
                if m.get("nullable") == Some(&Value::Bool(true)) {
                    m.remove("nullable");
                    match m.get_mut("type") {
                        Some(Value::String(t)) => {
                            let t = std::mem::take(t);
                            m.insert("type".into(), json!([t, "null"]));
                        }
                        Some(_) => {}
                        None => {
                            // No type to widen: null or whatever the rest allows.
                            let rest = Value::Object(std::mem::take(m));
                            m.insert("anyOf".into(), json!([{ "type": "null" }, rest]));
                        }
                    }
                    if let Some(Value::Array(e)) = m.get_mut("enum") {
                        if !e.contains(&Value::Null) {
                            e.push(Value::Null);
                        }
                    }
                }
                stack.extend(m.values_mut());
            }
            Value::Array(a) => stack.extend(a.iter_mut()),
            _ => {}
        }
    }
}

/// The documented response for `status`: exact, then `4XX`-style range, then `default`.
pub fn response_for(doc: &Document, responses: &Loc, status: u16) -> Option<(String, Loc)> {
    let map = doc.value(responses).as_object()?;
    let exact = status.to_string();
    let range = format!("{}XX", status / 100);
    for key in [exact.as_str(), range.as_str(), "default"] {
        let found = map.keys().find(|k| k.eq_ignore_ascii_case(key)).cloned();
        if let Some(k) = found {
            let loc = doc.resolve(&responses.child(&k))?.0;
            return Some((k, loc));
        }
    }
    None
}

/// The statuses a `responses` object lists, for messages.
pub fn documented_statuses(doc: &Document, responses: &Loc) -> String {
    doc.value(responses)
        .as_object()
        .map(|m| m.keys().cloned().collect::<Vec<_>>().join(", "))
        .unwrap_or_default()
}

/// The documented media type matching a response's `Content-Type` (wildcards allowed), or the list.
pub fn media_for(
    doc: &Document,
    response: &Loc,
    content_type: &str,
) -> Result<Option<Loc>, String> {
    let content = doc.value(&response.child("content"));
    let Some(map) = content.as_object().filter(|m| !m.is_empty()) else {
        return Ok(None);
    };
    let essence = content_type
        .split(';')
        .next()
        .unwrap_or("")
        .trim()
        .to_ascii_lowercase();
    let (ty, _) = essence.split_once('/').unwrap_or((&essence, ""));
    let best = map
        .keys()
        .find(|k| {
            k.split(';')
                .next()
                .unwrap_or("")
                .trim()
                .eq_ignore_ascii_case(&essence)
        })
        .or_else(|| {
            map.keys()
                .find(|k| k.to_ascii_lowercase() == format!("{ty}/*"))
        })
        .or_else(|| map.keys().find(|k| k.as_str() == "*/*"));
    match best {
        Some(k) => Ok(Some(response.child("content").child(k))),
        None => Err(map.keys().cloned().collect::<Vec<_>>().join(", ")),
    }
}

/// The required headers a documented response lists that `headers` lacks.
pub fn missing_headers(
    doc: &Document,
    response: &Loc,
    headers: &[(String, String)],
) -> Vec<String> {
    let Some(map) = doc.value(&response.child("headers")).as_object() else {
        return Vec::new();
    };
    map.keys()
        .filter(|name| {
            // RFC 9110 leaves Content-Type to the media type; OpenAPI says such a header is ignored.
            !name.eq_ignore_ascii_case("content-type")
                && doc
                    .value(&response.child("headers").child(name))
                    .get("required")
                    == Some(&Value::Bool(true))
                && !headers.iter().any(|(k, _)| k.eq_ignore_ascii_case(name))
        })
        .cloned()
        .collect()
}

/// Whether a body should be parsed as JSON for schema checks.
pub fn body_is_json(content_type: &str) -> bool {
    is_json(content_type)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn doc(version: &str, schema: &str) -> Document {
        Document::from_text(
            "d",
            &format!(
                r#"{{"openapi":"{version}","paths":{{}},"components":{{"schemas":{{"S":{schema},
                  "Item":{{"type":"object","properties":{{"price":{{"type":"number"}}}}}}}}}}}}"#
            ),
        )
        .unwrap()
    }

    fn violations(d: &Document, instance: Value) -> Vec<Violation> {
        let loc = d.root().child("components").child("schemas").child("S");
        Validators::new(d).check(&loc, &instance).unwrap()
    }

    #[test]
    fn names_the_pointer_of_a_wrong_type_deep_in_an_array() {
        let d = doc(
            "3.1.0",
            r##"{"type":"object","properties":{"items":{"type":"array","items":{"$ref":"#/components/schemas/Item"}}}}"##,
        );
        let v = violations(
            &d,
            json!({"items":[{"price":1},{"price":2},{"price":3},{"price":"12.50"}]}),
        );
        assert_eq!(v.len(), 1);
        assert_eq!(v[0].pointer, "/items/3/price");
        assert!(v[0].reason.contains("\"12.50\""), "{}", v[0].reason);
        assert!(v[0].reason.contains("number"), "{}", v[0].reason);
    }

    #[test]
    fn openapi_30_nullable_and_boolean_exclusive_minimum() {
        let d = doc(
            "3.0.3",
            r#"{"type":"object","properties":{"n":{"type":"integer","nullable":true,"minimum":0,"exclusiveMinimum":true}}}"#,
        );
        assert!(violations(&d, json!({"n": null})).is_empty());
        assert!(violations(&d, json!({"n": 1})).is_empty());
        assert_eq!(violations(&d, json!({"n": 0}))[0].pointer, "/n");
        assert_eq!(violations(&d, json!({"n": "x"}))[0].pointer, "/n");
    }

    #[test]
    fn openapi_31_type_lists_allow_null() {
        let d = doc("3.1.0", r#"{"type":["string","null"]}"#);
        assert!(violations(&d, json!(null)).is_empty());
        assert_eq!(violations(&d, json!(3)).len(), 1);
    }

    #[test]
    fn status_ranges_and_default() {
        let d = Document::from_text(
            "d",
            r#"{"openapi":"3.1.0","paths":{"/a":{"get":{"responses":{"200":{"description":"ok"},"4XX":{"description":"e"},"default":{"description":"d"}}}}}}"#,
        )
        .unwrap();
        let r = d
            .root()
            .child("paths")
            .child("/a")
            .child("get")
            .child("responses");
        assert_eq!(response_for(&d, &r, 200).unwrap().0, "200");
        assert_eq!(response_for(&d, &r, 404).unwrap().0, "4XX");
        assert_eq!(response_for(&d, &r, 503).unwrap().0, "default");
    }
}

//! Stateful probing: ids the API created are reused by the operations that read or delete them, so those
//! operations are checked against real resources rather than a 404 for a made-up id.
//!
//! Two sources, in this order: the document's own OpenAPI `links` on a response (runtime expressions
//! `$response.body#/pointer` and `$response.header.Name`), then the common REST shape: a 201 from
//! `POST /orders` gives the id used for `{orderId}` in `/orders/{orderId}` (from the body's `id`, the
//! member named like the parameter, or the last segment of `Location`).

use crate::document::{Document, Loc};
use crate::operation::Operation;
use serde_json::Value;
use std::sync::Mutex;

/// A response that may feed later operations.
#[derive(Debug, Clone)]
struct Created {
    path: String,
    status: u16,
    body: Value,
    headers: Vec<(String, String)>,
    links: Vec<Link>,
}

#[derive(Debug, Clone)]
struct Link {
    operation_id: Option<String>,
    operation_ref: Option<String>,
    parameters: Vec<(String, Value)>,
}

/// What earlier responses of a run offer to later requests.
#[derive(Debug, Default)]
pub struct Store {
    created: Mutex<Vec<Created>>,
}

impl Store {
    /// Keeps a 2xx response of `op` whose documented response (at `response`) has links, or a 201.
    pub fn record(
        &self,
        doc: &Document,
        op: &Operation,
        response: Option<&Loc>,
        status: u16,
        body: &[u8],
        headers: &[(String, String)],
    ) {
        if !(200..300).contains(&status) {
            return;
        }
        let links = response.map(|r| links_at(doc, r)).unwrap_or_default();
        if links.is_empty() && status != 201 {
            return;
        }
        let body = serde_json::from_slice(body).unwrap_or(Value::Null);
        let mut created = self.created.lock().unwrap_or_else(|p| p.into_inner());
        created.push(Created {
            path: op.path.clone(),
            status,
            body,
            headers: headers.to_vec(),
            links,
        });
    }

    /// A real value for path parameter `param` of `op`, and where it came from, when an earlier
    /// response offers one.
    pub fn value_for(&self, op: &Operation, param: &str) -> Option<(String, String)> {
        let created = self.created.lock().unwrap_or_else(|p| p.into_inner());
        let op_pointer = op.loc.pointer.as_str();
        for c in created.iter().rev() {
            for link in &c.links {
                let named = link.operation_id.as_deref() == Some(op.id.as_str())
                    || link
                        .operation_ref
                        .as_deref()
                        .is_some_and(|r| percent_free(r).ends_with(op_pointer));
                if !named {
                    continue;
                }
                for (name, expr) in &link.parameters {
                    let bare = name.rsplit('.').next().unwrap_or(name);
                    if bare == param {
                        if let Some(v) = evaluate(expr, c) {
                            return Some((v, format!("link from {}", c.path)));
                        }
                    }
                }
            }
        }
        // The REST shape: /orders/{orderId} reads what POST /orders created.
        let last = format!("{{{param}}}");
        let parent = op.path.strip_suffix(&last)?.strip_suffix('/')?;
        for c in created.iter().rev() {
            if c.status != 201 || c.path != parent {
                continue;
            }
            let from_body = [param, "id"]
                .iter()
                .find_map(|k| c.body.get(*k).and_then(scalar));
            let from_location = || {
                header(&c.headers, "location")
                    .and_then(|l| l.trim_end_matches('/').rsplit('/').next().map(String::from))
                    .filter(|s| !s.is_empty())
            };
            if let Some(v) = from_body.or_else(from_location) {
                return Some((v, format!("201 from POST {}", c.path)));
            }
        }
        None
    }
}

fn links_at(doc: &Document, response: &Loc) -> Vec<Link> {
    let loc = response.child("links");
    let Some(map) = doc.value(&loc).as_object() else {
        return Vec::new();
    };
    map.keys()
        .map(|k| {
            let l = doc.value(&loc.child(k));
            Link {
                operation_id: l
                    .get("operationId")
                    .and_then(Value::as_str)
                    .map(String::from),
                operation_ref: l
                    .get("operationRef")
                    .and_then(Value::as_str)
                    .map(String::from),
                parameters: l
                    .get("parameters")
                    .and_then(Value::as_object)
                    .map(|m| m.iter().map(|(k, v)| (k.clone(), v.clone())).collect())
                    .unwrap_or_default(),
            }
        })
        .collect()
}

/// A runtime expression, or a constant.
fn evaluate(expr: &Value, c: &Created) -> Option<String> {
    let Some(s) = expr.as_str() else {
        return scalar(expr);
    };
    if let Some(ptr) = s.strip_prefix("$response.body#") {
        return c.body.pointer(ptr).and_then(scalar);
    }
    if s == "$response.body" {
        return scalar(&c.body);
    }
    if let Some(name) = s.strip_prefix("$response.header.") {
        return header(&c.headers, name).map(String::from);
    }
    if s.starts_with('$') {
        // `$request.*`, `$url`, `$method`: not values an id can come from here.
        return None;
    }
    Some(s.to_string())
}

fn scalar(v: &Value) -> Option<String> {
    match v {
        Value::String(s) => Some(s.clone()),
        Value::Number(n) => Some(n.to_string()),
        Value::Bool(b) => Some(b.to_string()),
        _ => None,
    }
}

fn header<'a>(headers: &'a [(String, String)], name: &str) -> Option<&'a str> {
    headers
        .iter()
        .find(|(k, _)| k.eq_ignore_ascii_case(name))
        .map(|(_, v)| v.as_str())
}

fn percent_free(s: &str) -> String {
    s.replace("%7B", "{")
        .replace("%7D", "}")
        .replace("%7b", "{")
        .replace("%7d", "}")
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::operation::operations;

    const DOC: &str = r##"{"openapi":"3.1.0","paths":{
      "/orders":{"post":{"operationId":"createOrder","responses":{"201":{"description":"made",
        "links":{"get":{"operationId":"getOrder","parameters":{"orderId":"$response.body#/order/ref"}}}}}}},
      "/orders/{orderId}":{"get":{"operationId":"getOrder","responses":{"200":{"description":"ok"}}},
        "delete":{"operationId":"deleteOrder","responses":{"204":{"description":"gone"}}}}}}"##;

    #[test]
    fn links_first_then_the_rest_shape() {
        let doc = Document::from_text("d", DOC).unwrap();
        let ops = operations(&doc);
        let store = Store::default();
        let resp = ops[0].responses.child("201");
        store.record(
            &doc,
            &ops[0],
            Some(&resp),
            201,
            br#"{"id": 17, "order": {"ref": "A-9"}}"#,
            &[],
        );
        assert_eq!(store.value_for(&ops[1], "orderId").unwrap().0, "A-9");
        assert_eq!(store.value_for(&ops[2], "orderId").unwrap().0, "17");
        assert_eq!(store.value_for(&ops[2], "other"), None);
    }
}

//! The requests of a run, built from the document without sending anything: valid ones (the
//! document's examples, then generated data), the broken variants of [`crate::negative`], and how each
//! goes on the wire (URL with its path and query parameters, `Accept`, `Content-Type`, body bytes).

use crate::document::Document;
use crate::generate::{value_for, Rng};
use crate::negative::{Mutation, Place};
use crate::operation::{is_json, Credential, In, Operation, Param};
use serde_json::Value;
use std::collections::BTreeMap;

/// One request as the probe will send it.
#[derive(Debug, Clone)]
pub(crate) struct Request {
    pub(crate) path: BTreeMap<String, String>,
    pub(crate) query: Vec<(String, String)>,
    pub(crate) headers: Vec<(String, String)>,
    pub(crate) body: Option<Value>,
}

/// Whether the document gives examples for the operation's request.
pub(crate) fn has_examples(doc: &Document, op: &Operation) -> bool {
    let body_example = op.body.as_ref().is_some_and(|b| {
        b.example.is_some()
            || b.schema
                .as_ref()
                .is_some_and(|s| doc.value(s).get("example").is_some())
    });
    body_example || op.params.iter().any(|p| p.example.is_some())
}

/// A valid request: examples where asked and present, generated values otherwise.
pub(crate) fn valid(
    doc: &Document,
    op: &Operation,
    rng: &mut Rng,
    use_examples: bool,
    headers: &[(String, String)],
) -> Request {
    let mut req = Request {
        path: BTreeMap::new(),
        query: Vec::new(),
        headers: headers.to_vec(),
        body: None,
    };
    for p in &op.params {
        // Optional parameters are left out of generated requests: fewer ways to be refused for data
        // the generator cannot know (a valid cursor, an existing filter value).
        if !(p.required || use_examples && p.example.is_some()) {
            continue;
        }
        let value = match (&p.example, &p.schema) {
            (Some(e), _) if use_examples => e.clone(),
            (_, Some(s)) => value_for(doc, s, rng, use_examples),
            _ => Value::String("apiprobe".into()),
        };
        match p.location {
            In::Path => {
                req.path.insert(p.name.clone(), text(&value));
            }
            In::Query => query_pairs(p, &value, &mut req.query),
            In::Header => req.headers.push((p.name.clone(), text(&value))),
            In::Cookie => req
                .headers
                .push(("Cookie".into(), format!("{}={}", p.name, text(&value)))),
        }
    }
    if let Some(b) = &op.body {
        let value = match (&b.example, &b.schema) {
            (Some(e), _) if use_examples => Some(e.clone()),
            (_, Some(s)) => Some(value_for(doc, s, rng, use_examples)),
            _ => None,
        };
        req.body = value;
    }
    req
}

/// A query parameter's value as the query string carries it, in its style (`form` by default, which
/// explodes by default): an exploded array repeats the name, an exploded object sends each member
/// under its own name; unexploded, both are one comma-separated value.
fn query_pairs(p: &Param, value: &Value, out: &mut Vec<(String, String)>) {
    match (value, p.explode) {
        (Value::Array(items), true) => {
            for i in items {
                out.push((p.name.clone(), text(i)));
            }
        }
        (Value::Object(members), true) => {
            for (k, v) in members {
                out.push((k.clone(), text(v)));
            }
        }
        (Value::Array(items), false) => {
            let joined: Vec<String> = items.iter().map(text).collect();
            out.push((p.name.clone(), joined.join(",")));
        }
        (Value::Object(members), false) => {
            let joined: Vec<String> = members
                .iter()
                .flat_map(|(k, v)| [k.clone(), text(v)])
                .collect();
            out.push((p.name.clone(), joined.join(",")));
        }
        (v, _) => out.push((p.name.clone(), text(v))),
    }
}

/// The valid request with one mutation applied.
pub(crate) fn apply(op: &Operation, valid: &Request, m: &Mutation) -> Request {
    let mut req = valid.clone();
    match &m.place {
        Place::Body(v) => req.body = Some(v.clone()),
        Place::Query(None) => req.query.retain(|(k, _)| *k != m.field),
        Place::Query(Some(v)) => {
            req.query.retain(|(k, _)| *k != m.field);
            req.query.push((m.field.clone(), v.clone()));
        }
        Place::Credentials => {
            for (_, cred) in &op.security {
                match cred {
                    Credential::Header(h) => {
                        req.headers.retain(|(k, _)| !k.eq_ignore_ascii_case(h))
                    }
                    Credential::Query(q) => req.query.retain(|(k, _)| k != q),
                    Credential::Cookie(_) => req
                        .headers
                        .retain(|(k, _)| !k.eq_ignore_ascii_case("cookie")),
                }
            }
        }
    }
    req
}

/// The full URL of `req` for `op` under `base`: path parameters filled in, query parameters appended.
pub(crate) fn url(base: &str, op: &Operation, req: &Request) -> String {
    let mut path = op.path.clone();
    for (name, v) in &req.path {
        path = path.replace(&format!("{{{name}}}"), &encode(v, false));
    }
    let mut url = format!("{base}{path}");
    if !req.query.is_empty() {
        let q: Vec<String> = req
            .query
            .iter()
            .map(|(k, v)| format!("{}={}", encode(k, true), encode(v, true)))
            .collect();
        url.push('?');
        url.push_str(&q.join("&"));
    }
    url
}

/// The headers and body bytes of `req` as sent: the request's own headers, then `Accept` (what the
/// document says the operation answers, as a client generated from it would ask) and `Content-Type`
/// unless given, and the body in its media type.
pub(crate) fn wire(
    doc: &Document,
    op: &Operation,
    req: &Request,
) -> (Vec<(String, String)>, Option<Vec<u8>>) {
    let mut headers = req.headers.clone();
    let has = |headers: &[(String, String)], name: &str| {
        headers.iter().any(|(k, _)| k.eq_ignore_ascii_case(name))
    };
    if !has(&headers, "accept") {
        if let Some(accept) = accept_for(doc, op) {
            headers.push(("Accept".into(), accept));
        }
    }
    let (Some(body), Some(rb)) = (&req.body, &op.body) else {
        return (headers, None);
    };
    let bytes = if rb
        .media_type
        .eq_ignore_ascii_case("application/x-www-form-urlencoded")
    {
        form(body).into_bytes()
    } else {
        serde_json::to_vec(body).unwrap_or_default()
    };
    if !has(&headers, "content-type") {
        let mt = if is_json(&rb.media_type) || !rb.media_type.contains('/') {
            "application/json".to_string()
        } else {
            rb.media_type.clone()
        };
        headers.push(("Content-Type".into(), mt));
    }
    (headers, Some(bytes))
}

/// Every media type the operation's responses document, for `Accept`; `None` when they name none.
/// JSON types come first and the others at a lower quality: a program reads JSON, so an API that
/// negotiates (a page for browsers, problem+json for programs) answers the form its callers parse,
/// and that is the form whose errors are graded.
fn accept_for(doc: &Document, op: &Operation) -> Option<String> {
    let mut types: Vec<String> = Vec::new();
    for (status, _) in doc.value(&op.responses).as_object()?.iter() {
        let response = op.responses.child(status);
        if let Some(content) = doc.value(&response.child("content")).as_object() {
            for mt in content.keys() {
                if !types.contains(mt) {
                    types.push(mt.clone());
                }
            }
        }
    }
    if types.is_empty() {
        return None;
    }
    let (json, other): (Vec<String>, Vec<String>) = types.into_iter().partition(|t| is_json(t));
    if json.is_empty() || other.is_empty() {
        return Some([json, other].concat().join(", "));
    }
    let lower = other.iter().map(|t| format!("{t};q=0.9"));
    Some(json.into_iter().chain(lower).collect::<Vec<_>>().join(", "))
}

fn text(v: &Value) -> String {
    match v {
        Value::String(s) => s.clone(),
        Value::Null => String::new(),
        other => other.to_string(),
    }
}

fn form(v: &Value) -> String {
    let Some(m) = v.as_object() else {
        return String::new();
    };
    m.iter()
        .map(|(k, v)| format!("{}={}", encode(k, true), encode(&text(v), true)))
        .collect::<Vec<_>>()
        .join("&")
}

/// Percent-encodes all but RFC 3986's unreserved characters.
fn encode(s: &str, query: bool) -> String {
    let mut out = String::with_capacity(s.len());
    for b in s.bytes() {
        if b.is_ascii_alphanumeric() || b"-._~".contains(&b) || (!query && b == b':') {
            out.push(b as char);
        } else {
            out.push_str(&format!("%{b:02X}"));
        }
    }
    out
}

/// FNV-1a: a stable per-operation offset to the seed (std's hashers are not stable across releases).
pub(crate) fn fnv(s: &str) -> u64 {
    s.bytes().fold(0xcbf2_9ce4_8422_2325, |h, b| {
        (h ^ u64::from(b)).wrapping_mul(0x0100_0000_01b3)
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::operation::operations;

    #[test]
    fn exploded_objects_and_arrays_go_member_by_member() {
        let doc = Document::from_text(
            "d",
            r#"{"openapi":"3.1.0","paths":{"/t":{"get":{"parameters":[
              {"name":"lookup","in":"query","required":true,"example":{"tool":"curl","code":"60"},
               "schema":{"type":"object"}},
              {"name":"ids","in":"query","required":true,"explode":false,"example":[1,2],
               "schema":{"type":"array"}},
              {"name":"tags","in":"query","required":true,"example":["a","b"],"schema":{"type":"array"}}],
              "responses":{"200":{"description":"ok","content":{"text/html":{},"application/json":{}}}}}}}}"#,
        )
        .unwrap();
        let op = &operations(&doc)[0];
        let req = valid(&doc, op, &mut Rng::new(0), true, &[]);
        assert_eq!(
            url("http://h", op, &req),
            "http://h/t?code=60&tool=curl&ids=1%2C2&tags=a&tags=b"
        );
        let (headers, body) = wire(&doc, op, &req);
        assert_eq!(
            headers,
            vec![(
                "Accept".to_string(),
                "application/json, text/html;q=0.9".to_string()
            )]
        );
        assert_eq!(body, None);
    }
}

//! Everything a run does with a document before its first request, without a network: the requests
//! it would send (valid and broken) and the validators of the documented response schemas. The fuzz
//! target and the property tests drive untrusted bytes through [`dry_run`]; it ends in a plan or a
//! [`DocumentError`], never a panic, and in time bounded by the generator's limits.

use crate::document::{Document, DocumentError};
use crate::generate::Rng;
use crate::negative::{mutations, still_broken};
use crate::request::{apply, fnv, has_examples, url, valid, wire, Request};
use crate::run::{base_url, select, Options, RunError};
use crate::validate::Validators;
use serde_json::Value;

/// One request a run would send.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PlannedRequest {
    /// The operation's id.
    pub operation: String,
    /// `example`, `generated`, or the kind of broken request (`missing_required`, `wrong_type`, ...).
    pub probe: String,
    /// Upper-case method.
    pub method: String,
    /// The full URL.
    pub url: String,
    /// The headers sent.
    pub headers: Vec<(String, String)>,
    /// The body bytes, when there is a body.
    pub body: Option<Vec<u8>>,
}

/// Every request a run with `opts` would send, operation by operation in document order: from the
/// examples, generated, then each broken variant. Ids that a run takes from earlier responses cannot
/// be known without sending, so path parameters keep their generated values.
pub fn plan(doc: &Document, opts: &Options) -> Result<Vec<PlannedRequest>, RunError> {
    let base = base_url(doc, opts)?;
    let validators = Validators::new(doc);
    let mut out = Vec::new();
    for op in select(doc, opts)? {
        // The same streams as a run, so a plan shows what that run sends.
        let mut rng = Rng::new(opts.seed ^ fnv(&op.id));
        let generated = valid(doc, &op, &mut rng, false, &opts.headers);
        let from_examples = valid(doc, &op, &mut rng, true, &opts.headers);
        let broken: Vec<(String, Request)> = mutations(doc, &op, generated.body.as_ref())
            .iter()
            .filter(|m| still_broken(&validators, &op, m))
            .map(|m| (m.breakage.kind().to_string(), apply(&op, &generated, m)))
            .collect();
        let mut requests: Vec<(String, Request)> = Vec::new();
        if has_examples(doc, &op) {
            requests.push(("example".into(), from_examples));
        }
        requests.push(("generated".into(), generated));
        requests.extend(broken);
        for (probe, req) in requests {
            let (headers, body) = wire(doc, &op, &req);
            out.push(PlannedRequest {
                operation: op.id.clone(),
                probe,
                method: op.method.clone(),
                url: url(&base, &op, &req),
                headers,
                body,
            });
        }
    }
    Ok(out)
}

/// What [`dry_run`] made of a document.
#[derive(Debug, Clone, Default)]
pub struct DryRun {
    /// The number of operations.
    pub operations: usize,
    /// Every request a run would send.
    pub requests: Vec<PlannedRequest>,
    /// Documented response schemas the validator refuses, with why (a run notes these and goes on).
    pub unusable_schemas: Vec<String>,
}

/// Loads untrusted `bytes` as an OpenAPI document named `name` (no sibling files, no network), plans
/// every request a run would send to `http://127.0.0.1`, and compiles the validator of every response
/// schema the document gives.
pub fn dry_run(name: &str, bytes: &[u8]) -> Result<DryRun, DocumentError> {
    let doc = Document::from_bytes(name, bytes)?;
    let opts = Options {
        base_url: Some("http://127.0.0.1".into()),
        ..Options::default()
    };
    // With a base URL and no filters, selecting cannot fail.
    let requests = plan(&doc, &opts).unwrap_or_default();
    let ops = select(&doc, &opts).unwrap_or_default();
    let validators = Validators::new(&doc);
    let mut unusable_schemas = Vec::new();
    for op in &ops {
        let Some(responses) = doc.value(&op.responses).as_object() else {
            continue;
        };
        for status in responses.keys() {
            let Some((response, _)) = doc.resolve(&op.responses.child(status)) else {
                continue;
            };
            let content = response.child("content");
            let Some(media) = doc.value(&content).as_object() else {
                continue;
            };
            for mt in media.keys() {
                let schema = content.child(mt).child("schema");
                if doc.get(&schema).is_some() {
                    if let Err(e) = validators.check(&schema, &Value::Null) {
                        unusable_schemas.push(e);
                    }
                }
            }
        }
    }
    Ok(DryRun {
        operations: ops.len(),
        requests,
        unusable_schemas,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn plans_examples_generated_and_broken_requests_in_order() {
        let doc = br##"{"openapi":"3.1.0","paths":{"/orders":{"post":{"operationId":"create",
          "requestBody":{"content":{"application/json":{"example":{"qty":2},"schema":{"type":"object",
            "required":["qty"],"properties":{"qty":{"type":"integer","minimum":1}}}}}},
          "responses":{"201":{"description":"ok","content":{"application/json":{"schema":{"pattern":"("}}}}}}}}}"##;
        let run = dry_run("orders.json", doc).unwrap();
        let probes: Vec<&str> = run.requests.iter().map(|r| r.probe.as_str()).collect();
        assert_eq!(
            probes,
            [
                "example",
                "generated",
                "missing_required",
                "out_of_range",
                "wrong_type"
            ]
        );
        assert_eq!(run.requests[0].body.as_deref(), Some(&br#"{"qty":2}"#[..]));
        assert_eq!(run.requests[0].url, "http://127.0.0.1/orders");
        assert_eq!(run.unusable_schemas.len(), 1, "{:?}", run.unusable_schemas);
    }

    #[test]
    fn bytes_that_are_not_utf8_are_a_clear_error() {
        let e = dry_run("bin.yaml", b"openapi: 3.1.0\n\xff\xfe").unwrap_err();
        assert_eq!(
            e.to_string(),
            "bin.yaml:2:1: not valid UTF-8: byte 15 is not UTF-8"
        );
    }
}

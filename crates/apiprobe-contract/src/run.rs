//! A contract run: the selected operations probed with valid and broken requests through the probe's
//! client, each response checked against the document and each error response graded.
//!
//! Operations run in three waves so that ids are real: those that create (POST) first, then those that
//! read or change (GET, PUT, PATCH, ...), then DELETE. Within a wave up to `jobs` operations run at once.

use crate::document::{Document, Loc};
use crate::generate::Rng;
use crate::grade::{grade, Context};
use crate::links::Store;
use crate::negative::{mutations, still_broken, Breakage, Mutation};
use crate::operation::{operations, In, Operation};
use crate::report::{ContractReport, OperationResult};
use crate::request::{apply, fnv, has_examples, url, valid, wire, Request};
use crate::validate::{
    body_is_json, documented_statuses, media_for, missing_headers, response_for, Validators,
};
use apiprobe_catalog::Report;
use apiprobe_explain::HttpResponse;
use apiprobe_probe::{CheckSpec, Prober};
use futures_util::stream::{self, StreamExt};
use serde_json::Value;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::Duration;

/// What to probe and how.
#[derive(Debug, Clone)]
pub struct Options {
    /// The API's base URL; the document's first server when `None`.
    pub base_url: Option<String>,
    /// Headers sent with every request (credentials, typically).
    pub headers: Vec<(String, String)>,
    /// Only these operation ids (empty: all).
    pub operations: Vec<String>,
    /// Only operations with one of these tags (empty: all).
    pub tags: Vec<String>,
    /// Stop sending after this many requests.
    pub max_requests: Option<u64>,
    /// Operations probed at once.
    pub jobs: usize,
    /// Seed of every generated value.
    pub seed: u64,
    /// Timeout of each request.
    pub timeout: Duration,
}

impl Default for Options {
    fn default() -> Options {
        Options {
            base_url: None,
            headers: Vec::new(),
            operations: Vec::new(),
            tags: Vec::new(),
            max_requests: None,
            jobs: 4,
            seed: 0,
            timeout: Duration::from_secs(10),
        }
    }
}

/// Why a run could not start.
#[derive(Debug, thiserror::Error)]
pub enum RunError {
    /// No base URL: none given, and the document names no absolute server.
    #[error("the document names no absolute server URL{found}; pass --base-url (for example --base-url http://127.0.0.1:8080)")]
    NoServer {
        /// `" (its first server is '/api')"` or empty.
        found: String,
    },
    /// An `--operation` that is not in the document.
    #[error("no operation '{id}' in the document{hint}")]
    UnknownOperation {
        /// The id given.
        id: String,
        /// A " (did you mean 'X'?)" suffix, or empty.
        hint: String,
    },
    /// The filters left nothing.
    #[error("no operation matches the --operation and --tag filters (the document has {total})")]
    NothingSelected {
        /// How many operations the document has.
        total: usize,
    },
}

struct Ctx<'a> {
    doc: &'a Document,
    prober: &'a Prober,
    opts: &'a Options,
    base: String,
    validators: Validators,
    store: Store,
    sent: AtomicU64,
}

/// The operations `opts` selects, in document order.
pub fn select(doc: &Document, opts: &Options) -> Result<Vec<Operation>, RunError> {
    let all = operations(doc);
    for id in &opts.operations {
        if !all.iter().any(|o| &o.id == id) {
            let best = all
                .iter()
                .map(|o| (strsim::jaro_winkler(&o.id, id), &o.id))
                .filter(|(s, _)| *s > 0.8)
                .max_by(|a, b| a.0.total_cmp(&b.0));
            return Err(RunError::UnknownOperation {
                id: id.clone(),
                hint: best.map_or_else(String::new, |(_, b)| format!(" (did you mean '{b}'?)")),
            });
        }
    }
    let total = all.len();
    let chosen: Vec<Operation> = all
        .into_iter()
        .filter(|o| opts.operations.is_empty() || opts.operations.contains(&o.id))
        .filter(|o| opts.tags.is_empty() || o.tags.iter().any(|t| opts.tags.contains(t)))
        .collect();
    if chosen.is_empty() && total > 0 {
        return Err(RunError::NothingSelected { total });
    }
    Ok(chosen)
}

/// The base URL: `--base-url`, else the document's first server (variables at their defaults),
/// resolved against the document's own URL when it is relative.
pub fn base_url(doc: &Document, opts: &Options) -> Result<String, RunError> {
    if let Some(b) = &opts.base_url {
        return Ok(b.trim_end_matches('/').to_string());
    }
    let server = doc.value(&doc.root().child("servers").child("0"));
    // OpenAPI 3: with no `servers`, the server is `/`, relative to where the document was served.
    let mut url = server
        .get("url")
        .and_then(Value::as_str)
        .unwrap_or("/")
        .to_string();
    if let Some(vars) = server.get("variables").and_then(Value::as_object) {
        for (name, v) in vars {
            if let Some(d) = v.get("default").and_then(Value::as_str) {
                url = url.replace(&format!("{{{name}}}"), d);
            }
        }
    }
    if url.starts_with("http://") || url.starts_with("https://") {
        return Ok(url.trim_end_matches('/').to_string());
    }
    let root = url::Url::parse(doc.root_uri()).ok();
    match root
        .filter(|r| r.scheme() != "file")
        .and_then(|r| r.join(&url).ok())
    {
        Some(u) => Ok(u.as_str().trim_end_matches('/').to_string()),
        None => Err(RunError::NoServer {
            found: format!(" (its first server is '{url}')"),
        }),
    }
}

/// Runs the contract check; `done` hears of each operation as it finishes (for progress).
pub async fn run(
    doc: &Document,
    prober: &Prober,
    opts: &Options,
    done: impl Fn(&OperationResult),
) -> Result<ContractReport, RunError> {
    let ops = select(doc, opts)?;
    let base = base_url(doc, opts)?;
    let ctx = Ctx {
        doc,
        prober,
        opts,
        base: base.clone(),
        validators: Validators::new(doc),
        store: Store::default(),
        sent: AtomicU64::new(0),
    };
    let wave = |o: &Operation| match o.method.as_str() {
        "POST" => 0,
        "DELETE" => 2,
        _ => 1,
    };
    let mut results: Vec<(usize, OperationResult)> = Vec::new();
    for w in 0..3 {
        let batch: Vec<(usize, &Operation)> = ops
            .iter()
            .enumerate()
            .filter(|(_, o)| wave(o) == w)
            .collect();
        let mut s = stream::iter(batch)
            .map(|(i, op)| {
                let ctx = &ctx;
                async move { (i, probe_operation(ctx, op).await) }
            })
            .buffer_unordered(opts.jobs.max(1));
        while let Some((i, r)) = s.next().await {
            done(&r);
            results.push((i, r));
        }
    }
    results.sort_by_key(|(i, _)| *i);
    let info = doc.value(&doc.root().child("info"));
    Ok(ContractReport {
        title: info
            .get("title")
            .and_then(Value::as_str)
            .unwrap_or("")
            .to_string(),
        openapi: doc
            .value(&doc.root().child("openapi"))
            .as_str()
            .unwrap_or("")
            .to_string(),
        base_url: base,
        requests: ctx.sent.load(Ordering::Relaxed),
        budget_exhausted: opts
            .max_requests
            .is_some_and(|m| ctx.sent.load(Ordering::Relaxed) >= m),
        operations: results.into_iter().map(|(_, r)| r).collect(),
    })
}

async fn probe_operation(ctx: &Ctx<'_>, op: &Operation) -> OperationResult {
    let mut res = OperationResult::new(op);
    // One stream per operation: selecting fewer operations leaves the others' data unchanged.
    let mut rng = Rng::new(ctx.opts.seed ^ fnv(&op.id));
    let generated = build(ctx, op, &mut rng, false, &mut res);
    let mut positives = Vec::new();
    let from_examples = build(ctx, op, &mut rng, true, &mut res);
    if has_examples(ctx.doc, op) {
        positives.push(("example", from_examples));
    }
    positives.push(("generated", generated.clone()));
    for (kind, req) in positives {
        let Some((report, resp)) = send(ctx, op, &req, &mut res).await else {
            return res;
        };
        let Some(resp) = resp else {
            // No response at all: the probe's own finding (refused, timeout, TLS...) says why.
            res.push(report);
            return res;
        };
        let url = report.url.clone().unwrap_or_default();
        let matched = check_response(ctx, op, &url, &resp, kind, &mut res);
        ctx.store.record(
            ctx.doc,
            op,
            matched.as_ref(),
            resp.status,
            &resp.body,
            &resp.headers,
        );
        if resp.status >= 400 {
            grade_error(ctx, &url, &resp, kind, None, matched.as_ref(), &mut res);
        }
    }
    let broken = mutations(ctx.doc, op, generated.body.as_ref())
        .into_iter()
        .filter(|m| still_broken(&ctx.validators, op, m));
    for m in broken {
        let req = apply(op, &generated, &m);
        let Some((report, resp)) = send(ctx, op, &req, &mut res).await else {
            return res;
        };
        let Some(resp) = resp else {
            res.push(report);
            return res;
        };
        let url = report.url.clone().unwrap_or_default();
        let kind = m.breakage.kind();
        let matched = check_response(ctx, op, &url, &resp, kind, &mut res);
        judge_negative(ctx, op, &m, &url, &resp, &mut res);
        if resp.status >= 400 {
            let field = (m.breakage != Breakage::NoCredentials && resp.status < 500)
                .then_some(m.field.as_str());
            grade_error(ctx, &url, &resp, kind, field, matched.as_ref(), &mut res);
        }
    }
    res
}

/// A valid request ([`valid`]) with path parameters from earlier responses when the store has them.
fn build(
    ctx: &Ctx<'_>,
    op: &Operation,
    rng: &mut Rng,
    use_examples: bool,
    res: &mut OperationResult,
) -> Request {
    let mut req = valid(ctx.doc, op, rng, use_examples, &ctx.opts.headers);
    for p in op.params.iter().filter(|p| p.location == In::Path) {
        if let Some((v, from)) = ctx.store.value_for(op, &p.name) {
            res.note(format!("{{{}}} = {v} ({from})", p.name));
            req.path.insert(p.name.clone(), v);
        }
    }
    req
}

/// Sends one request within the budget; `None` once the budget is spent.
async fn send(
    ctx: &Ctx<'_>,
    op: &Operation,
    req: &Request,
    res: &mut OperationResult,
) -> Option<(Report, Option<HttpResponse>)> {
    if let Some(max) = ctx.opts.max_requests {
        if ctx.sent.fetch_add(1, Ordering::Relaxed) >= max {
            ctx.sent.fetch_sub(1, Ordering::Relaxed);
            res.note("stopped: --max-requests reached".into());
            return None;
        }
    } else {
        ctx.sent.fetch_add(1, Ordering::Relaxed);
    }
    res.requests += 1;
    let mut spec = CheckSpec::new(url(&ctx.base, op, req));
    spec.name = op.id.clone();
    spec.method = op.method.clone();
    spec.timeout = ctx.opts.timeout;
    spec.connect_timeout = ctx.opts.timeout;
    // The status the API gives is what the document is checked against, redirects included.
    spec.max_redirects = 0;
    let (headers, body) = wire(ctx.doc, op, req);
    spec.headers = headers;
    spec.body = body;
    Some(ctx.prober.check_keeping_response(&spec).await)
}

/// Status, media type, schema and headers of one response; returns the documented response it matched.
fn check_response(
    ctx: &Ctx<'_>,
    op: &Operation,
    url: &str,
    resp: &HttpResponse,
    kind: &str,
    res: &mut OperationResult,
) -> Option<Loc> {
    let doc = ctx.doc;
    let base_details = |extra: Vec<(&'static str, String)>| -> Vec<(&'static str, String)> {
        let mut d = vec![("probe", kind.to_string())];
        d.extend(extra);
        d
    };
    let Some((_, response)) = response_for(doc, &op.responses, resp.status) else {
        let documented = documented_statuses(doc, &op.responses);
        res.add(
            ctx.prober.catalog(),
            "UNDOCUMENTED_STATUS",
            format!(
                "{} {} answered {}, which the document does not list ({documented})",
                op.method, op.path, resp.status
            ),
            url,
            resp.status,
            None,
            base_details(vec![("documented", documented.clone())]),
        );
        return None;
    };
    for header in missing_headers(doc, &response, &resp.headers) {
        res.add(
            ctx.prober.catalog(),
            "MISSING_RESPONSE_HEADER",
            format!(
                "{} {} answered {} without the required header '{header}'",
                op.method, op.path, resp.status
            ),
            url,
            resp.status,
            Some(header.clone()),
            base_details(vec![("header", header)]),
        );
    }
    if resp.body.is_empty() {
        return Some(response);
    }
    let content_type = header(&resp.headers, "content-type")
        .unwrap_or("")
        .to_string();
    let media = match media_for(doc, &response, &content_type) {
        Ok(Some(m)) => m,
        Ok(None) => return Some(response),
        Err(documented) => {
            let shown = if content_type.is_empty() {
                "no Content-Type"
            } else {
                &content_type
            };
            res.add(
            ctx.prober.catalog(),
            "UNDOCUMENTED_CONTENT_TYPE",
                format!(
                    "{} {} answered {} as '{shown}', which the document does not list ({documented})",
                    op.method, op.path, resp.status
                ),
                url,
                resp.status,
                None,
                base_details(vec![
                    ("content_type", content_type.clone()),
                    ("documented", documented),
                ]),
            );
            return Some(response);
        }
    };
    let schema = media.child("schema");
    if doc.get(&schema).is_none() || !body_is_json(&content_type) {
        return Some(response);
    }
    let body: Value = match serde_json::from_slice(&resp.body) {
        Ok(v) => v,
        Err(e) => {
            res.add(
                ctx.prober.catalog(),
                "SCHEMA_VIOLATION",
                format!("Response body at '' breaks the documented schema: it is not JSON ({e})"),
                url,
                resp.status,
                Some(String::new()),
                base_details(vec![("pointer", String::new())]),
            );
            return Some(response);
        }
    };
    match ctx.validators.check(&schema, &body) {
        Ok(violations) => {
            for v in violations {
                res.add(
                    ctx.prober.catalog(),
                    "SCHEMA_VIOLATION",
                    format!(
                        "Response body at '{}' breaks the documented schema: {}",
                        v.pointer, v.reason
                    ),
                    url,
                    resp.status,
                    Some(v.pointer.clone()),
                    base_details(vec![("pointer", v.pointer), ("reason", v.reason)]),
                );
            }
        }
        Err(e) => res.note(e),
    }
    Some(response)
}

/// A broken request must get a 4xx: a 2xx accepted it, a 5xx failed on it.
fn judge_negative(
    ctx: &Ctx<'_>,
    op: &Operation,
    m: &Mutation,
    url: &str,
    resp: &HttpResponse,
    res: &mut OperationResult,
) {
    let status = resp.status;
    let details = vec![
        ("probe", m.breakage.kind().to_string()),
        ("broken", m.breakage.describe()),
    ];
    let field = &m.field;
    if (200..300).contains(&status) {
        if m.breakage == Breakage::NoCredentials {
            res.add(
            ctx.prober.catalog(),
            "ACCEPTED_WITHOUT_CREDENTIALS",
                format!(
                    "{} {} requires {field} in its document but answered {status} to a request without credentials",
                    op.method, op.path
                ),
                url,
                status,
                Some(field.clone()),
                details,
            );
        } else {
            res.add(
                ctx.prober.catalog(),
                "ACCEPTED_INVALID_REQUEST",
                format!(
                    "{} {} accepted a request with '{field}' {} and answered {status}",
                    op.method,
                    op.path,
                    m.breakage.describe()
                ),
                url,
                status,
                Some(field.clone()),
                details,
            );
        }
    } else if status >= 500 && m.breakage != Breakage::NoCredentials {
        res.add(
            ctx.prober.catalog(),
            "SERVER_ERROR_ON_INVALID_INPUT",
            format!(
                "{} {} answered {status} to a request with '{field}' {}; invalid input deserves a 4xx",
                op.method,
                op.path,
                m.breakage.describe()
            ),
            url,
            status,
            Some(field.clone()),
            details,
        );
    }
}

fn grade_error(
    ctx: &Ctx<'_>,
    url: &str,
    resp: &HttpResponse,
    kind: &str,
    broken_field: Option<&str>,
    matched: Option<&Loc>,
    res: &mut OperationResult,
) {
    let explained = apiprobe_explain::explain_response(ctx.prober.catalog(), resp);
    let content_type = header(&resp.headers, "content-type").unwrap_or("");
    // A body that keeps the error schema the document gives for this status is a documented shape.
    let documented = matched.and_then(|r| {
        let media = media_for(ctx.doc, r, content_type).ok()??;
        let schema = media.child("schema");
        let s = ctx.doc.value(&schema);
        if s.as_object().is_none_or(|o| o.is_empty()) {
            return None;
        }
        let body: Value = serde_json::from_slice(&resp.body).ok()?;
        Some(ctx.validators.check(&schema, &body).ok()?.is_empty())
    });
    let g = grade(
        &explained,
        &Context {
            status: resp.status,
            headers: &resp.headers,
            body: &resp.body,
            broken_field,
            matches_documented_schema: documented,
        },
    );
    res.earned += g.earned;
    res.possible += g.possible;
    for miss in g.misses {
        let mut details: Vec<(&str, String)> = vec![("probe", kind.to_string())];
        details.extend(miss.details);
        if let Some(code) = &explained.vendor_code {
            details.push(("vendor_code", code.clone()));
        }
        res.add(
            ctx.prober.catalog(),
            miss.name,
            miss.message,
            url,
            resp.status,
            miss.field,
            details,
        );
    }
}

fn header<'a>(headers: &'a [(String, String)], name: &str) -> Option<&'a str> {
    headers
        .iter()
        .find(|(k, _)| k.eq_ignore_ascii_case(name))
        .map(|(_, v)| v.as_str())
}

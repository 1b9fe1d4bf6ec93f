//! The contract server: a small shop API with its own OpenAPI 3.0 document ([`CONTRACT_DOCUMENT`],
//! also served at `/openapi.json`) in which each operation breaks the document or answers a poor error
//! in exactly one deliberate way, so a contract check must find exactly one finding code per fault:
//!
//! | operation | fault | finding |
//! |---|---|---|
//! | `listItems` | `items[3].price` is a string | SCHEMA_VIOLATION at `/items/3/price` |
//! | `createOrder` | a missing `quantity` is accepted with 201 | ACCEPTED_INVALID_REQUEST at `/quantity` |
//! | `getOrder`, `deleteOrder` | none: they need the id `createOrder` made (404 is undocumented) | |
//! | `createWidget` | a string `size` ends in a 500 with a Python traceback | SERVER_ERROR_ON_INVALID_INPUT at `/size`, STACK_TRACE_LEAKED |
//! | `getReport` | an undocumented 500 | UNDOCUMENTED_STATUS |
//! | `getHealth` | `text/plain` where JSON is documented | UNDOCUMENTED_CONTENT_TYPE |
//! | `getStats` | no `X-Request-Id`, documented as required | MISSING_RESPONSE_HEADER |
//! | `getQuota` | a 429 without Retry-After | RETRY_AFTER_MISSING |
//! | `createNote` | a 400 that names no field | ERROR_NAMES_NO_FIELD at `/text` |
//! | `createTag` | a 400 problem with `type: about:blank` (no code) | ERROR_HAS_NO_CODE |
//! | `createComment` | a 400 in a vendor shape the document does not describe | ERROR_NOT_STANDARD_FORMAT |
//! | `getAdmin` | bearer security declared, none enforced | ACCEPTED_WITHOUT_CREDENTIALS |
//!
//! Every other request that breaks the document (a wrong type, a value out of range or enum, a body
//! that is not an object, a method the path does not have) is refused with a good error:
//! `application/problem+json` with a `type`, naming the field.

use crate::TestkitError;
use bytes::Bytes;
use http_body_util::{BodyExt, Full};
use hyper::{Request, Response};
use serde_json::{json, Value};
use std::collections::HashMap;
use std::net::SocketAddr;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
use tokio::sync::oneshot;

/// The server's OpenAPI 3.0 document (JSON). Its server URL is relative (`/`), so a client that loads
/// it from `/openapi.json` finds the API without `--base-url`.
pub const CONTRACT_DOCUMENT: &str = include_str!("contract_openapi.json");

#[derive(Default)]
struct Shop {
    next_id: AtomicU64,
    orders: Mutex<HashMap<u64, Value>>,
}

/// A running contract server; stops when dropped.
#[derive(Debug)]
pub struct ContractServer {
    /// Where it listens.
    pub addr: SocketAddr,
    stop: Option<oneshot::Sender<()>>,
}

impl ContractServer {
    /// Starts the server on 127.0.0.1 with a free port.
    pub fn spawn() -> Result<ContractServer, TestkitError> {
        let listener = std::net::TcpListener::bind("127.0.0.1:0")?;
        listener.set_nonblocking(true)?;
        let addr = listener.local_addr()?;
        let (tx, rx) = oneshot::channel();
        let rt = tokio::runtime::Builder::new_multi_thread()
            .worker_threads(2)
            .enable_all()
            .build()?;
        let shop = Arc::new(Shop::default());
        std::thread::spawn(move || {
            rt.block_on(async move {
                let Ok(listener) = tokio::net::TcpListener::from_std(listener) else {
                    return;
                };
                tokio::select! {
                    _ = accept_loop(listener, shop) => {}
                    _ = rx => {}
                }
            })
        });
        Ok(ContractServer {
            addr,
            stop: Some(tx),
        })
    }

    /// The URL of a path on this server.
    pub fn url(&self, path: &str) -> String {
        format!("http://{}{path}", self.addr)
    }
}

impl Drop for ContractServer {
    fn drop(&mut self) {
        if let Some(tx) = self.stop.take() {
            let _ = tx.send(());
        }
    }
}

async fn accept_loop(listener: tokio::net::TcpListener, shop: Arc<Shop>) {
    loop {
        let Ok((tcp, _)) = listener.accept().await else {
            continue;
        };
        let shop = shop.clone();
        tokio::spawn(async move {
            let service = hyper::service::service_fn(move |req| {
                let shop = shop.clone();
                async move { Ok::<_, std::convert::Infallible>(route(&shop, req).await) }
            });
            let _ = hyper::server::conn::http1::Builder::new()
                .serve_connection(hyper_util::rt::TokioIo::new(tcp), service)
                .await;
        });
    }
}

fn reply(status: u16, content_type: &str, body: String) -> Response<Full<Bytes>> {
    let mut r = Response::new(Full::new(Bytes::from(body)));
    *r.status_mut() = hyper::StatusCode::from_u16(status).unwrap_or(hyper::StatusCode::OK);
    if let Ok(v) = hyper::header::HeaderValue::from_str(content_type) {
        r.headers_mut().insert(hyper::header::CONTENT_TYPE, v);
    }
    r
}

fn json_reply(status: u16, v: &Value) -> Response<Full<Bytes>> {
    reply(status, "application/json", v.to_string())
}

/// A good error: a problem document with a type URI, naming the field.
fn problem(status: u16, kind: &str, field: &str, detail: &str) -> Response<Full<Bytes>> {
    reply(
        status,
        "application/problem+json",
        json!({
            "type": format!("https://shop.test/problems/{kind}"),
            "title": "Invalid request",
            "status": status,
            "detail": detail,
            "errors": [{ "pointer": format!("/{field}"), "detail": detail }],
        })
        .to_string(),
    )
}

/// The first required member missing or not of its type, in the order given.
fn invalid(body: &Value, fields: &[(&str, &str, bool)]) -> Option<(String, String)> {
    for (name, ty, required) in fields {
        match body.get(*name) {
            None if *required => return Some((name.to_string(), format!("'{name}' is required"))),
            None => {}
            Some(v) => {
                let ok = match *ty {
                    "integer" => v.is_i64(),
                    _ => v.is_string(),
                };
                if !ok {
                    let article = if ty.starts_with(['a', 'e', 'i', 'o', 'u']) {
                        "an"
                    } else {
                        "a"
                    };
                    return Some((name.to_string(), format!("'{name}' must be {article} {ty}")));
                }
            }
        }
    }
    None
}

async fn route(shop: &Shop, req: Request<hyper::body::Incoming>) -> Response<Full<Bytes>> {
    let method = req.method().as_str().to_string();
    let path = req.uri().path().to_string();
    let query = req.uri().query().unwrap_or("").to_string();
    let body = req
        .into_body()
        .collect()
        .await
        .map(|b| b.to_bytes())
        .unwrap_or_default();
    let segments: Vec<&str> = path.trim_matches('/').split('/').collect();
    let json: Value = serde_json::from_slice(&body).unwrap_or(Value::Null);
    let creates = matches!(
        segments.as_slice(),
        ["orders" | "widgets" | "notes" | "tags" | "comments"]
    );
    if method == "POST" && creates && !json.is_object() {
        return problem(400, "malformed", "body", "the body is not a JSON object");
    }
    match (method.as_str(), segments.as_slice()) {
        ("GET", ["openapi.json"]) => json_reply(
            200,
            &serde_json::from_str(CONTRACT_DOCUMENT).unwrap_or(Value::Null),
        ),
        ("GET", ["items"]) => {
            for pair in query.split('&').filter(|p| !p.is_empty()) {
                let (k, v) = pair.split_once('=').unwrap_or((pair, ""));
                if k == "limit" && !v.parse::<u32>().is_ok_and(|n| (1..=100).contains(&n)) {
                    return problem(400, "validation", "limit", "'limit' must be an integer from 1 to 100");
                }
            }
            let mut items: Vec<Value> = (1..=5)
                .map(|i| json!({"id": i, "name": format!("item {i}"), "price": i as f64 * 2.5, "discount": null}))
                .collect();
            // The fault: one price deep in the list sent as a string.
            items[3]["price"] = json!("12.50");
            json_reply(200, &json!({ "items": items }))
        }
        ("POST", ["orders"]) => {
            if let Some((field, detail)) = invalid(
                &json,
                &[("item_id", "integer", true), ("quantity", "integer", false), ("priority", "string", false)],
            ) {
                return problem(400, "validation", &field, &detail);
            }
            for (field, max) in [("item_id", 1_000_000), ("quantity", 1000)] {
                if json.get(field).and_then(Value::as_i64).is_some_and(|n| !(1..=max).contains(&n)) {
                    return problem(400, "validation", field, &format!("'{field}' must be from 1 to {max}"));
                }
            }
            if let Some(p) = json.get("priority").and_then(Value::as_str) {
                if p != "low" && p != "high" {
                    return problem(400, "validation", "priority", "'priority' must be low or high");
                }
            }
            let id = shop.next_id.fetch_add(1, Ordering::Relaxed) + 1;
            // The fault: a missing quantity, required by the document, silently defaults to 1.
            let order = json!({
                "id": id,
                "item_id": json["item_id"],
                "quantity": json.get("quantity").cloned().unwrap_or(json!(1)),
                "priority": json.get("priority").cloned().unwrap_or(json!("low")),
            });
            shop.orders
                .lock()
                .unwrap_or_else(|p| p.into_inner())
                .insert(id, order.clone());
            json_reply(201, &order)
        }
        ("GET" | "DELETE", ["orders", id]) => {
            let id: u64 = id.parse().unwrap_or(0);
            let mut orders = shop.orders.lock().unwrap_or_else(|p| p.into_inner());
            let found = if method == "GET" {
                orders.get(&id).cloned()
            } else {
                orders.remove(&id)
            };
            match (found, method.as_str()) {
                (Some(o), "GET") => json_reply(200, &o),
                (Some(_), _) => reply(204, "application/json", String::new()),
                (None, _) => problem(404, "not-found", "orderId", "no such order"),
            }
        }
        ("POST", ["widgets"]) => {
            if json.get("size").is_some_and(|s| !s.is_i64()) {
                // The fault: the string reaches code that assumed a number, and the trace is sent.
                return reply(
                    500,
                    "application/problem+json",
                    json!({
                        "type": "https://shop.test/problems/internal",
                        "title": "Internal error",
                        "status": 500,
                        "detail": "Traceback (most recent call last):\n  File \"/srv/shop/widgets.py\", line 41, in create\n    area = size * size\nTypeError: can't multiply sequence by non-int of type 'str'",
                    })
                    .to_string(),
                );
            }
            if let Some((field, detail)) = invalid(&json, &[("name", "string", true)]) {
                return problem(400, "validation", &field, &detail);
            }
            if json.get("size").and_then(Value::as_i64).is_some_and(|s| !(1..=1000).contains(&s)) {
                return problem(400, "validation", "size", "'size' must be from 1 to 1000");
            }
            json_reply(201, &json!({"id": 1, "name": json["name"], "size": json.get("size").cloned().unwrap_or(json!(1))}))
        }
        ("GET", ["report"]) => reply(
            500,
            "application/problem+json",
            json!({"type": "https://shop.test/problems/report-unavailable", "title": "Report unavailable", "status": 500, "detail": "the report store is not reachable"}).to_string(),
        ),
        ("GET", ["health"]) => reply(200, "text/plain", "ok".into()),
        ("GET", ["stats"]) => json_reply(200, &json!({"orders": 3})),
        ("GET", ["quota"]) => reply(
            429,
            "application/problem+json",
            json!({"type": "https://shop.test/problems/rate-limited", "title": "Too many requests", "status": 429, "detail": "the quota of 10 requests a minute is used up"}).to_string(),
        ),
        ("POST", ["notes"]) => match invalid(&json, &[("text", "string", true)]) {
            // The fault: the error says something is wrong, not what.
            Some(_) => reply(
                400,
                "application/problem+json",
                json!({"type": "https://shop.test/problems/validation", "title": "Invalid note", "status": 400, "detail": "the request is invalid"}).to_string(),
            ),
            None => json_reply(201, &json!({"id": 1, "text": json["text"]})),
        },
        ("POST", ["tags"]) => match invalid(&json, &[("label", "string", true)]) {
            // The fault: a problem document with no type, so no code a program can match.
            Some((_, detail)) => reply(
                400,
                "application/problem+json",
                json!({"type": "about:blank", "title": "Bad Request", "status": 400, "detail": detail}).to_string(),
            ),
            None => json_reply(201, &json!({"id": 1, "label": json["label"]})),
        },
        ("POST", ["comments"]) => match invalid(&json, &[("body", "string", true)]) {
            // The fault: a vendor envelope of its own, which the document does not describe.
            Some((field, detail)) => json_reply(
                400,
                &json!({"error": {"type": "invalid_request_error", "code": "parameter_invalid", "param": field, "message": detail}}),
            ),
            None => json_reply(201, &json!({"id": 1, "body": json["body"]})),
        },
        // The fault: the document requires a bearer token; nothing checks it.
        ("GET", ["admin"]) => json_reply(200, &json!({"users": 3})),
        // RFC 9110 15.5.6: a known path with another method is 405, listing the allowed ones.
        (_, ["items" | "health" | "stats" | "quota" | "report" | "admin"]) => {
            let mut r = problem(405, "method-not-allowed", "method", "only GET is allowed here");
            r.headers_mut().insert(hyper::header::ALLOW, hyper::header::HeaderValue::from_static("GET"));
            r
        }
        (_, ["orders" | "widgets" | "notes" | "tags" | "comments"]) => {
            let mut r = problem(405, "method-not-allowed", "method", "only POST is allowed here");
            r.headers_mut().insert(hyper::header::ALLOW, hyper::header::HeaderValue::from_static("POST"));
            r
        }
        (_, ["orders", _]) => {
            let mut r = problem(405, "method-not-allowed", "method", "only GET and DELETE are allowed here");
            r.headers_mut().insert(hyper::header::ALLOW, hyper::header::HeaderValue::from_static("GET, DELETE"));
            r
        }
        _ => problem(404, "not-found", "path", "no such route"),
    }
}

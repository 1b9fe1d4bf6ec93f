//! The monitor routes in OpenAPI 3.1, and the layer that adds them to the `/openapi.json` of
//! `apiprobe serve`, so one document describes everything the monitor's address serves.
//!
//! The reference app renders its document once at start; rather than reach into it, the layer reads
//! its answer, adds the `paths` and `components.schemas` of [`document`], and answers with its own
//! ETag (304 on `If-None-Match`).

use axum::body::Body;
use axum::extract::Request;
use axum::http::header::{
    ACCEPT_ENCODING, CACHE_CONTROL, CONTENT_ENCODING, CONTENT_LENGTH, CONTENT_TYPE, ETAG,
    IF_NONE_MATCH, VARY,
};
use axum::http::{HeaderValue, Method, StatusCode};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use serde_json::{json, Map, Value};
use sha2::{Digest, Sha256};

/// The path the reference app serves its document at.
pub const PATH: &str = "/openapi.json";

fn problems(codes: &[(&str, &str)]) -> Value {
    let mut m = Map::new();
    for (status, what) in codes {
        m.insert(
            (*status).to_owned(),
            json!({ "description": format!("{what}: problem details (RFC 9457) with our catalog code"),
                    "content": { "application/problem+json": { "schema": { "$ref": "#/components/schemas/Problem" } } } }),
        );
    }
    Value::Object(m)
}

fn check_param() -> Value {
    json!({ "name": "check", "in": "path", "required": true, "description": "The check's name as in the suite",
            "schema": { "type": "string", "minLength": 1, "maxLength": 512 } })
}

fn window_param(default: &str) -> Value {
    json!({ "name": "window", "in": "query", "required": false,
            "description": format!("How far back: hours, days or weeks (`24h`, `7d`, `30d`, `12w`), 1h to 400d; default {default}"),
            "schema": { "type": "string", "pattern": super::params::WINDOW_PATTERN } })
}

fn time_param(name: &str, what: &str) -> Value {
    json!({ "name": name, "in": "query", "required": false,
            "description": format!("{what}: RFC 3339 or unix milliseconds"),
            "schema": { "anyOf": [ { "type": "string", "pattern": super::params::MILLIS_PATTERN },
                                   { "type": "string", "format": "date-time" } ] } })
}

fn limit_param(default: u32) -> Value {
    json!({ "name": "limit", "in": "query", "required": false, "description": format!("At most this many (default {default})"),
            "schema": { "type": "integer", "minimum": 1, "maximum": 1000 } })
}

const READ_ERRORS: &[(&str, &str)] = &[
    ("400", "A malformed parameter"),
    (
        "401",
        "A token is needed (`[api] public_read = false`) or is wrong",
    ),
    ("404", "No such check, or no catalog entry for `code`"),
];

fn json_ok(description: &str, schema: &str) -> Value {
    json!({ "description": description,
            "content": { "application/json": { "schema": { "$ref": format!("#/components/schemas/{schema}") } } } })
}

fn read_op(summary: &str, params: Vec<Value>, ok: Value) -> Value {
    let mut responses = problems(READ_ERRORS);
    if let Some(m) = responses.as_object_mut() {
        m.insert("200".into(), ok);
    }
    json!({ "get": { "tags": ["monitor"], "summary": summary, "parameters": params, "responses": responses,
                     "security": [ {}, { "bearer": [] } ] } })
}

fn write_op(summary: &str, ok: Value) -> Value {
    let mut responses = problems(&[
        ("400", "A malformed parameter"),
        ("401", "No bearer token, or not one of the suite's"),
        ("403", "A read-only token"),
        ("404", "No such check in the running suite"),
        (
            "503",
            "This server shows history only, with no running monitor",
        ),
    ]);
    if let Some(m) = responses.as_object_mut() {
        m.insert("200".into(), ok);
    }
    json!({ "post": { "tags": ["monitor"], "summary": summary, "parameters": [check_param()], "responses": responses,
                      "security": [ { "bearer": [] } ] } })
}

/// A page or badge: errors come as the same media (a short page, a grey badge), not as JSON.
fn page_op(summary: &str, params: Vec<Value>, media: &str) -> Value {
    let mut responses = Map::new();
    let body = json!({ media: { "schema": { "type": "string" } } });
    responses.insert(
        "200".into(),
        json!({ "description": summary, "content": body }),
    );
    for (status, what) in READ_ERRORS {
        responses.insert(
            (*status).into(),
            json!({ "description": what, "content": body }),
        );
    }
    if media == "image/svg+xml" {
        responses.insert(
            "304".into(),
            json!({ "description": "Not modified (If-None-Match)" }),
        );
    }
    json!({ "get": { "tags": ["monitor pages"], "summary": summary, "parameters": params, "responses": responses,
                     "security": [ {}, { "bearer": [] } ] } })
}

fn paths() -> Map<String, Value> {
    let c = check_param;
    let mut p = Map::new();
    let mut add = |k: &str, v: Value| {
        p.insert(k.to_owned(), v);
    };
    add(
        "/status",
        page_op(
            "The status page: every check, its state and 90 days of uptime",
            vec![],
            "text/html",
        ),
    );
    add(
        "/status/{check}",
        page_op(
            "One check: latency, uptime, failures by code, state changes, last runs",
            vec![c()],
            "text/html",
        ),
    );
    add(
        super::STATUS_CSS_PATH,
        json!({ "get": { "tags": ["monitor pages"], "summary": "The status pages' stylesheet",
                         "responses": { "200": { "description": "The stylesheet",
                                                 "content": { "text/css": { "schema": { "type": "string" } } } } } } }),
    );
    add(
        "/badge/{check}/status.svg",
        page_op("A badge with the check's state", vec![c()], "image/svg+xml"),
    );
    add(
        "/badge/{check}/uptime.svg",
        page_op(
            "A badge with the check's uptime",
            vec![c(), window_param("30d")],
            "image/svg+xml",
        ),
    );
    add(
        "/badge/{check}/latency.svg",
        page_op(
            "A badge with the check's mean latency",
            vec![c(), window_param("24h")],
            "image/svg+xml",
        ),
    );
    add(
        "/api/v1/monitor/checks",
        read_op(
            "The current state of every check",
            vec![],
            json_ok("Every check at every location", "MonitorChecks"),
        ),
    );
    add(
        "/api/v1/monitor/checks/{check}",
        read_op(
            "One check: its state at each location and its uptime",
            vec![c()],
            json_ok("The check", "MonitorCheck"),
        ),
    );
    add(
        "/api/v1/monitor/checks/{check}/runs",
        read_op(
            "The check's runs, newest first, a page at a time",
            vec![
                c(),
                time_param("since", "From (inclusive)"),
                time_param("until", "To (exclusive)"),
                json!({ "name": "code", "in": "query", "required": false, "description": "Only runs that failed with this catalog code, status or name (404 when the catalog has no such entry)", "schema": { "type": "string" } }),
                limit_param(100),
                json!({ "name": "cursor", "in": "query", "required": false, "description": "`next_cursor` of the previous page", "schema": { "type": "string", "pattern": super::params::CURSOR_PATTERN } }),
            ],
            json_ok("A page of runs", "MonitorRunPage"),
        ),
    );
    add(
        "/api/v1/monitor/checks/{check}/events",
        read_op(
            "The check's state changes, newest first",
            vec![c(), limit_param(100)],
            json_ok("State changes", "MonitorEvents"),
        ),
    );
    add(
        "/api/v1/monitor/checks/{check}/uptime",
        read_op(
            "The check's uptime over a window (maintenance left out)",
            vec![c(), window_param("30d")],
            json_ok("Uptime", "MonitorUptime"),
        ),
    );
    add(
        "/api/v1/monitor/checks/{check}/failures",
        read_op(
            "The check's failed runs over a window, counted by catalog code",
            vec![c(), window_param("30d")],
            json_ok("Failures by code", "MonitorFailures"),
        ),
    );
    add(
        "/api/v1/monitor/checks/{check}/run",
        write_op(
            "Run the check now; the answer is its result",
            json_ok(
                "The result, the same fields as `apiprobe check --json`",
                "Report",
            ),
        ),
    );
    add(
        "/api/v1/monitor/checks/{check}/pause",
        write_op(
            "Pause the check: the scheduler skips it until resumed",
            json_ok("Paused", "MonitorPause"),
        ),
    );
    add(
        "/api/v1/monitor/checks/{check}/resume",
        write_op("Resume a paused check", json_ok("Resumed", "MonitorPause")),
    );
    p
}

fn schemas() -> Map<String, Value> {
    let s = |t: &str| json!({ "type": t });
    let opt = |t: &str| json!({ "type": [t, "null"] });
    let mut m = Map::new();
    m.insert("MonitorState".into(), json!({ "type": "object", "properties": {
        "check": s("string"), "location": opt("string"), "suite": s("string"), "url": s("string"),
        "state": { "type": "string", "enum": ["up", "degraded", "down", "maintenance", "paused", "unknown"] },
        "health": s("string"), "since_ms": opt("integer"), "code": opt("string"), "name": opt("string"),
        "title": opt("string"), "message": opt("string"), "last_run_ms": opt("integer"), "last_ok": opt("boolean"),
        "last_total_ms": opt("number"), "tls_not_after_ms": opt("integer"), "paused": s("boolean"), "maintenance": s("boolean") } }));
    m.insert("MonitorChecks".into(), json!({ "type": "object", "properties": {
        "overall": s("string"), "checks": { "type": "array", "items": { "$ref": "#/components/schemas/MonitorState" } } } }));
    m.insert("MonitorUptime".into(), json!({ "type": "object", "properties": {
        "check": s("string"), "window": s("string"), "since_ms": s("integer"), "runs": s("integer"), "ok": s("integer"), "ratio": opt("number") } }));
    m.insert("MonitorCheck".into(), json!({ "type": "object", "properties": {
        "check": s("string"), "state": s("string"),
        "locations": { "type": "array", "items": { "$ref": "#/components/schemas/MonitorState" } },
        "uptime": { "type": "object", "additionalProperties": { "type": "object", "properties": { "runs": s("integer"), "ok": s("integer"), "ratio": opt("number") } } } } }));
    m.insert("MonitorRun".into(), json!({ "type": "object", "properties": {
        "id": s("integer"), "at_ms": s("integer"), "check": s("string"), "location": s("string"), "ok": s("boolean"),
        "degraded": s("boolean"), "maintenance": s("boolean"), "status": opt("integer"), "code": opt("string"),
        "phase": opt("string"), "dns_ms": opt("number"), "connect_ms": opt("number"), "tls_ms": opt("number"),
        "ttfb_ms": opt("number"), "total_ms": s("number"), "message": opt("string") } }));
    m.insert("MonitorRunPage".into(), json!({ "type": "object", "properties": {
        "check": s("string"), "runs": { "type": "array", "items": { "$ref": "#/components/schemas/MonitorRun" } },
        "next_cursor": { "type": ["string", "null"], "description": "Pass as `cursor` for the next page; null at the end" } } }));
    m.insert("MonitorEvents".into(), json!({ "type": "object", "properties": {
        "check": s("string"), "events": { "type": "array", "items": { "type": "object", "properties": {
            "at_ms": s("integer"), "check": s("string"), "location": s("string"), "from": s("string"), "to": s("string"),
            "code": opt("string"), "message": opt("string") } } } } }));
    m.insert("MonitorFailures".into(), json!({ "type": "object", "properties": {
        "check": s("string"), "window": s("string"), "since_ms": s("integer"),
        "failures": { "type": "array", "items": { "type": "object", "properties": {
            "code": s("string"), "name": opt("string"), "title": opt("string"), "category": opt("string"),
            "count": s("integer"), "first_ms": s("integer"), "last_ms": s("integer") } } } } }));
    m.insert(
        "MonitorPause".into(),
        json!({ "type": "object", "properties": {
        "check": s("string"), "paused": s("boolean"), "changed": s("boolean") } }),
    );
    m
}

/// The monitor's part of the document: `paths`, `components.schemas` (which refer to the
/// reference's `Problem` and `Report`) and the bearer scheme.
pub fn document() -> Value {
    json!({
        "paths": paths(),
        "components": {
            "schemas": schemas(),
            "securitySchemes": { "bearer": { "type": "http", "scheme": "bearer",
                "description": "A token named in the suite by `[[token]] env = \"NAME\"`" } }
        }
    })
}

/// Adds [`document`] into a whole document.
pub fn merge_into(doc: &mut Value) {
    let part = document();
    if let Some(paths) = doc
        .as_object_mut()
        .map(|d| d.entry("paths").or_insert_with(|| json!({})))
        .and_then(Value::as_object_mut)
    {
        if let Some(Value::Object(p)) = part.get("paths") {
            paths.extend(p.clone());
        }
    }
    let Some(components) = doc
        .as_object_mut()
        .map(|d| d.entry("components").or_insert_with(|| json!({})))
        .and_then(Value::as_object_mut)
    else {
        return;
    };
    for key in ["schemas", "securitySchemes"] {
        if let (Some(into), Some(Value::Object(add))) = (
            components
                .entry(key)
                .or_insert_with(|| json!({}))
                .as_object_mut(),
            part["components"].get(key),
        ) {
            into.extend(add.clone());
        }
    }
    if let Some(tags) = doc.get_mut("tags").and_then(Value::as_array_mut) {
        tags.push(
            json!({ "name": "monitor", "description": "The monitor's history and controls" }),
        );
    }
}

/// The layer: passes everything but `GET /openapi.json` through; that one is read whole (identity
/// coding), merged and answered with its own ETag.
pub async fn merge_document(mut req: Request, next: Next) -> Response {
    if req.uri().path() != PATH || !(req.method() == Method::GET || req.method() == Method::HEAD) {
        return next.run(req).await;
    }
    let if_none_match = req.headers_mut().remove(IF_NONE_MATCH);
    req.headers_mut().remove(ACCEPT_ENCODING);
    let head = req.method() == Method::HEAD;
    *req.method_mut() = Method::GET;
    let res = next.run(req).await;
    if res.status() != StatusCode::OK {
        return res;
    }
    let (parts, body) = res.into_parts();
    let Ok(bytes) = axum::body::to_bytes(body, 16 << 20).await else {
        return super::ApiError::Internal("reading the OpenAPI document".into()).into_response();
    };
    let Ok(mut doc) = serde_json::from_slice::<Value>(&bytes) else {
        return super::ApiError::Internal("the OpenAPI document is not JSON".into())
            .into_response();
    };
    merge_into(&mut doc);
    let out = doc.to_string();
    let digest = Sha256::digest(out.as_bytes());
    let etag = format!(
        "\"m{}\"",
        digest[..12]
            .iter()
            .map(|b| format!("{b:02x}"))
            .collect::<String>()
    );
    let fresh = if_none_match
        .as_ref()
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| {
            v.split(',')
                .any(|t| t.trim() == "*" || t.trim().trim_start_matches("W/") == etag)
        });
    let mut res = if fresh {
        StatusCode::NOT_MODIFIED.into_response()
    } else if head {
        StatusCode::OK.into_response()
    } else {
        Response::new(Body::from(out))
    };
    let h = res.headers_mut();
    for (name, value) in parts.headers.iter() {
        if ![CONTENT_LENGTH, CONTENT_ENCODING, ETAG, CONTENT_TYPE].contains(name) {
            h.append(name.clone(), value.clone());
        }
    }
    h.insert(CONTENT_TYPE, HeaderValue::from_static("application/json"));
    h.insert(VARY, HeaderValue::from_static("accept-encoding"));
    if !h.contains_key(CACHE_CONTROL) {
        h.insert(CACHE_CONTROL, HeaderValue::from_static("no-cache"));
    }
    if let Ok(v) = HeaderValue::from_str(&etag) {
        h.insert(ETAG, v);
    }
    res
}

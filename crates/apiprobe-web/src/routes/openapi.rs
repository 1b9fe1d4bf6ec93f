//! The OpenAPI 3.1 description of every route, served at `/openapi.json`. A test checks it against the
//! router in both directions.

use serde_json::{json, Value};

/// The same answer under each of `codes`.
fn responses_for(codes: &[&str], answer: Value) -> Value {
    Value::Object(
        codes
            .iter()
            .map(|c| ((*c).to_owned(), answer.clone()))
            .collect(),
    )
}

fn problem() -> Value {
    json!({ "schema": { "$ref": "#/components/schemas/Problem" } })
}

/// Errors of the API routes: problem documents.
fn problem_responses(codes: &[&str]) -> Value {
    responses_for(
        codes,
        json!({ "description": "Problem details (RFC 9457) with our catalog code",
                "content": { "application/problem+json": problem() } }),
    )
}

/// Errors of the HTML routes, negotiated: a page for a browser, a problem document for a client that
/// prefers JSON (`Accept: application/problem+json` or `application/json`), and for the time and size
/// limits, which answer every route with one.
fn page_error_responses(codes: &[&str]) -> Value {
    responses_for(
        codes,
        json!({ "description": "A page saying what went wrong for a browser; problem details (RFC 9457) with our catalog code for a client that prefers JSON, and for the time and size limits",
                "content": { "text/html": { "schema": { "type": "string" } }, "application/problem+json": problem() } }),
    )
}

/// A string with something in it besides white space (the server trims values).
fn text() -> Value {
    json!({ "type": "string", "pattern": "\\S" })
}

fn merge(mut a: Value, b: Value) -> Value {
    if let (Some(a), Value::Object(b)) = (a.as_object_mut(), b) {
        a.extend(b);
    }
    a
}

fn query(name: &str, description: &str, schema: Value) -> Value {
    json!({ "name": name, "in": "query", "required": false, "description": description, "schema": schema })
}

fn code_param() -> Value {
    json!({ "name": "code", "in": "path", "required": true,
            "description": "A status (`404`), a probe code (`PRB-3001`, any case) or a probe name (`CONNECTION_REFUSED`)",
            "schema": { "type": "string" } })
}

fn category_param() -> Value {
    query(
        "category",
        "Only this category",
        json!({ "type": "string", "enum": ["client", "auth", "server", ""] }),
    )
}

fn kind_param() -> Value {
    query(
        "kind",
        "Only HTTP statuses or only probe codes",
        json!({ "type": "string", "enum": ["http", "probe", ""] }),
    )
}

fn ok_json(description: &str, schema: &str) -> Value {
    json!({ "description": description, "headers": { "ETag": { "schema": { "type": "string" } } },
            "content": { "application/json": { "schema": { "$ref": format!("#/components/schemas/{schema}") } } } })
}

fn html(description: &str) -> Value {
    json!({ "description": description, "content": { "text/html": { "schema": { "type": "string" } } } })
}

fn get_static(summary: &str, media: &str) -> Value {
    json!({ "get": { "summary": summary, "responses": {
        "200": { "description": summary, "content": { media: { "schema": { "type": "string" } } } },
        "304": { "description": "Not modified (If-None-Match matched the ETag)" } } } })
}

/// The document.
pub(crate) fn document() -> Value {
    let filters = vec![
        query(
            "q",
            "Status, probe code, name or words; typos are tolerated",
            json!({ "type": "string" }),
        ),
        category_param(),
        kind_param(),
    ];
    json!({
        "openapi": "3.1.0",
        "info": {
            "title": "apiprobe error reference",
            "version": env!("CARGO_PKG_VERSION"),
            "description": "HTTP 4xx/5xx statuses and apiprobe codes: meanings, categories, causes, fixes; and an explainer for error responses and client error lines. Errors are application/problem+json (RFC 9457) whose `code` is a catalog code."
        },
        "paths": {
            "/": { "get": { "summary": "The home page and its search; with a query or filter it lists the matching entries in full", "parameters": filters,
                "responses": merge(json!({ "200": html("The page"), "304": { "description": "Not modified" } }), page_error_responses(&["400", "414"])) } },
            "/reference": { "get": { "summary": "The full reference: every entry, anchored by its code (`/reference#PRB-3001`)",
                "responses": { "200": html("The page"), "304": { "description": "Not modified" } } } },
            "/codes/{code}": { "get": { "summary": "One entry's page", "parameters": [code_param()],
                "responses": merge(json!({ "200": html("The page"), "304": { "description": "Not modified" },
                    "308": { "description": "Redirect from another spelling to the entry's own address" } }), page_error_responses(&["404"])) } },
            "/explain": {
                "get": { "summary": "The explain form", "responses": { "200": html("The form"), "304": { "description": "Not modified" } } },
                "post": { "summary": "Explain a pasted response or log line; the result is shown on the page",
                    "requestBody": { "required": true, "content": { "application/x-www-form-urlencoded": { "schema": {
                        "description": "The form as a browser sends it, every field present and most empty: a non-blank status (with headers and body) or, with the status blank, a non-blank raw",
                        "type": "object", "properties": { "raw": { "type": "string" },
                        "status": { "type": "string", "pattern": "^\\s*([1-9][0-9]{2})?\\s*$" },
                        "headers": { "type": "string" }, "body": { "type": "string" } },
                        "anyOf": [ { "required": ["status"], "properties": { "status": { "pattern": "[1-9]" } } },
                                   { "required": ["raw"], "properties": { "raw": text() } } ] } } } },
                    "responses": merge(json!({ "200": html("The result card and the form") }), page_error_responses(&["400", "408", "413", "415", "422"])) }
            },
            "/static/app.css": get_static("The stylesheet", "text/css"),
            "/static/app.js": get_static("The script (instant search, copy-link buttons)", "text/javascript"),
            "/favicon.svg": get_static("The icon", "image/svg+xml"),
            "/api/v1/codes": { "get": { "summary": "List entries", "parameters": [category_param(), kind_param(),
                    query("status", "An HTTP status: its own entry and the probe codes that usually come with it", json!({ "type": "integer", "minimum": 100, "maximum": 999 }))],
                "responses": merge(json!({ "200": ok_json("The entries", "CodeList"), "304": { "description": "Not modified" } }), problem_responses(&["400", "414"])) } },
            "/api/v1/codes/{code}": { "get": { "summary": "One entry, every field", "parameters": [code_param()],
                "responses": merge(json!({ "200": ok_json("The entry", "Entry"), "304": { "description": "Not modified" } }), problem_responses(&["404"])) } },
            "/api/v1/search": { "get": { "summary": "Search entries, best first",
                "parameters": [filters[0].clone(), filters[1].clone(), filters[2].clone(),
                    query("limit", "Most results (default 20)", json!({ "type": "integer", "minimum": 1 }))],
                "responses": merge(json!({ "200": ok_json("The results", "SearchResult") }), problem_responses(&["400", "414"])) } },
            "/api/v1/explain": { "post": { "summary": "Explain an error response or a client/server error line",
                "requestBody": { "required": true, "content": { "application/json": { "schema": { "$ref": "#/components/schemas/ExplainRequest" } } } },
                "responses": merge(json!({ "200": ok_json("What the input means", "Report") }), problem_responses(&["400", "408", "413", "415", "422"])) } },
            "/api/v1/translate": { "get": { "summary": "Another tool's code (tool and code) or output line (text) to a catalog code",
                // Three plain query parameters, as the server reads them: parameters cannot require one
                // another, so the pairing is said in words, and a request that breaks it gets a 400 naming them.
                "description": "Give either `tool` and `code`, or `text` alone; any other combination is refused with a 400 problem document naming the parameters",
                "parameters": [
                    merge(query("tool", "Another tool's name (curl, node, chromium, k6, datadog, ...); goes with `code`", text()), json!({ "example": "curl" })),
                    merge(query("code", "That tool's own code (60, ECONNREFUSED, ERR_CERT_DATE_INVALID); goes with `tool`", text()), json!({ "example": "60" })),
                    query("text", "A line of the tool's output, instead of `tool` and `code`", text())],
                "responses": merge(json!({ "200": ok_json("The catalog code for it", "Report") }), problem_responses(&["400", "404", "414", "422"])) } },
            "/openapi.json": { "get": { "summary": "This document", "responses": { "200": { "description": "OpenAPI 3.1",
                "content": { "application/json": { "schema": { "type": "object" } } } } } } },
            "/healthz": { "get": { "summary": "Liveness", "responses": { "200": ok_json("Serving", "Health") } } }
        },
        "components": { "schemas": schemas() }
    })
}

fn nullable(t: &str) -> Value {
    json!({ "type": [t, "null"] })
}

fn schemas() -> Value {
    let category = json!({ "type": "string", "enum": ["client", "auth", "server"] });
    let kind = json!({ "type": "string", "enum": ["http", "probe"] });
    let strings = json!({ "type": "array", "items": { "type": "string" } });
    json!({
        "Problem": { "type": "object", "required": ["type", "title", "status", "detail", "code"], "properties": {
            "type": { "type": "string", "description": "The reference page of `code`" },
            "title": { "type": "string" }, "status": { "type": "integer" }, "detail": { "type": "string" },
            "code": { "type": "string", "description": "Our catalog code, e.g. PRB-1101" },
            "errors": { "type": "array", "description": "The request fields or parameters at fault (RFC 9457 section 3): a JSON pointer into the body, or a query parameter's name",
                "items": { "type": "object", "required": ["detail"], "properties": {
                    "detail": { "type": "string" }, "pointer": { "type": "string" }, "parameter": { "type": "string" } } } } } },
        "Summary": { "type": "object", "properties": {
            "code": { "type": "string" }, "kind": kind, "category": category, "title": { "type": "string" },
            "name": nullable("string"), "status": nullable("integer"), "retryable": { "type": "boolean" },
            "meaning": { "type": "string" }, "url": { "type": "string" } } },
        "CodeList": { "type": "object", "properties": { "count": { "type": "integer" },
            "codes": { "type": "array", "items": { "$ref": "#/components/schemas/Summary" } } } },
        "SearchResult": { "type": "object", "properties": { "query": { "type": "string" },
            "category": { "type": ["string", "null"] }, "kind": { "type": ["string", "null"] }, "count": { "type": "integer" },
            "results": { "type": "array", "items": { "$ref": "#/components/schemas/SearchHit" } } } },
        "SearchHit": { "allOf": [ { "$ref": "#/components/schemas/Summary" }, { "type": "object", "properties": {
            "likely_causes": strings, "fixes": strings,
            "related_entries": { "type": "array", "description": "Related codes; `title` is null when the catalog has no such entry",
                "items": { "type": "object", "properties": { "code": { "type": "string" }, "title": nullable("string") } } } } } ] },
        "Alias": { "type": "object", "properties": { "tool": { "type": "string" }, "code": { "type": "string" },
            "name": { "type": "string" }, "text": { "type": "string" } } },
        "Entry": { "type": "object", "properties": {
            "code": { "type": "string" }, "kind": kind, "title": { "type": "string" }, "category": category,
            "meaning": { "type": "string" }, "likely_causes": strings, "fixes": strings, "retryable": { "type": "boolean" },
            "related": strings, "status": nullable("integer"), "origin": nullable("string"), "reference": nullable("string"),
            "variants": { "type": "array", "items": { "type": "object" } }, "name": nullable("string"), "phase": nullable("string"),
            "statuses": { "type": "array", "items": { "type": "integer" } }, "message": nullable("string"),
            "aliases": { "type": "array", "items": { "$ref": "#/components/schemas/Alias" } }, "source": nullable("string") } },
        "ExplainRequest": { "description": "A response as parts (status, with optional headers and body), or raw text", "oneOf": [
            { "type": "object", "required": ["status"], "additionalProperties": false, "properties": {
                "status": { "type": "integer", "minimum": 100, "maximum": 999 },
                "headers": { "oneOf": [ { "type": "object", "additionalProperties": { "type": "string" } },
                    { "type": "array", "items": { "type": "array", "prefixItems": [{ "type": "string" }, { "type": "string" }], "minItems": 2, "maxItems": 2 } } ] },
                "body": { "type": "string" } } },
            { "type": "object", "required": ["raw"], "additionalProperties": false, "properties": {
                "raw": { "type": "string", "pattern": "\\S", "description": "A whole raw response, or a line of client or server log text" } } } ] },
        "Report": { "type": "object", "description": "The result every apiprobe command prints", "properties": {
            "ok": { "type": "boolean" }, "url": nullable("string"), "status": nullable("integer"), "category": { "type": ["string", "null"] },
            "code": nullable("string"), "name": nullable("string"), "title": nullable("string"), "format": nullable("string"),
            "vendor": nullable("string"), "vendor_code": nullable("string"), "message": nullable("string"), "field": nullable("string"),
            "permission": nullable("string"), "resource": nullable("string"), "retryable": nullable("boolean"),
            "retry_after_s": nullable("number"), "confidence": { "type": "number" }, "evidence": strings, "conflict": nullable("string"),
            "next_steps": strings, "phase": nullable("string"), "timings_ms": { "type": ["object", "null"] },
            "assertions": { "type": "array", "items": { "type": "object" } }, "remote_addr": nullable("string"),
            "tls": { "type": ["object", "null"] }, "aliases": { "type": "array", "items": { "type": "object" } },
            "details": { "type": "object", "additionalProperties": { "type": "string" } } } },
        "Health": { "type": "object", "properties": { "status": { "type": "string" }, "entries": { "type": "integer" } } }
    })
}

//! GraphQL responses (GraphQL over HTTP; the spec's "Response" section): `{"errors": [{"message", "locations",
//! "path", "extensions": {"code"}}], "data": ..}`, usually with HTTP 200. GitHub puts `type` beside `message`.

use super::{between, cat, decimal, msg, s, Body, Finding};
use crate::json::Value;

/// Recognises a GraphQL `errors` list: each item has a `message`, and GraphQL's own members show it is not
/// another `errors[]` family (JSON:API, the OCI registry, GitHub REST).
pub(crate) fn parse(b: &Body<'_>) -> Option<Finding> {
    let v = b.json?.as_object()?;
    let errors = v.get("errors")?.as_array()?;
    let first = errors.first()?;
    let message = s(first, "message")?;
    let gql_members = ["locations", "path", "extensions"]
        .iter()
        .any(|k| first.get(k).is_some());
    let by_type = b.media_is("application/graphql-response+json");
    if v.contains_key("message") || !(gql_members || v.contains_key("data") || by_type) {
        return None;
    }
    let ext = first.get("extensions");
    let code = ext.and_then(|e| s(e, "code")).or_else(|| s(first, "type"));
    let has_data = v.get("data").is_some_and(|d| !d.is_null());
    let mut f = Finding {
        format: "graphql",
        vendor: Some("graphql"),
        vendor_code: code.map(str::to_string),
        message: msg(message),
        confidence: if code.is_some() { 0.9 } else { 0.75 },
        ..Finding::default()
    };
    f.evidence.push(cat([
        "body: GraphQL errors[] (",
        &decimal(errors.len() as u64),
        " error(s))",
    ]));
    if has_data {
        f.evidence
            .push("partial data came back with the errors".to_string());
    }
    // `path` is where in the response the error arose; a resource the message names by its id ("Could
    // not resolve to a node with the global id of 'D_1'") is the one that is missing, so it wins.
    let path = first.get("path").and_then(Value::as_array).map(|path| {
        path.iter()
            .map(|p| p.as_str().map_or_else(|| p.to_string(), str::to_string))
            .collect::<Vec<String>>()
            .join(".")
    });
    f.resource = crate::message::read(message, b.status)
        .resource
        .or(path.filter(|p| !p.is_empty()));
    // `Cannot query field "nme" on type "User".` names the field; so does Apollo's BAD_USER_INPUT argumentName.
    f.field = between(message, "field \"", '"')
        .or_else(|| ext.and_then(|e| s(e, "argumentName")))
        .or_else(|| between(message, "argument \"", '"'))
        .map(str::to_string);
    if code.is_none() {
        // The spec's two kinds: a request error (parse or validation, no `path`) means the query is wrong;
        // a field error (raised while resolving `path`) happened on the server.
        let target = if message.starts_with("Syntax Error") {
            "MALFORMED_REQUEST"
        } else if message.starts_with("Cannot query field") {
            "UNKNOWN_FIELD"
        } else if first.get("path").is_some() {
            "INTERNAL_ERROR"
        } else {
            "VALIDATION_FAILED"
        };
        f.maps_to = Some(target.to_string());
        f.confidence = 0.6;
    }
    Some(f)
}

//! The operations of a document: method, path, parameters, request body, responses and security, with
//! path-level parameters merged in and every `$ref` followed.

use crate::document::{Document, Loc};
use serde_json::Value;

const METHODS: &[&str] = &[
    "get", "put", "post", "delete", "options", "head", "patch", "trace",
];

/// Where a parameter goes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum In {
    /// A `{name}` segment of the path.
    Path,
    /// The query string.
    Query,
    /// A request header.
    Header,
    /// A cookie.
    Cookie,
}

/// One parameter of an operation.
#[derive(Debug, Clone)]
pub struct Param {
    /// Its name.
    pub name: String,
    /// Where it goes.
    pub location: In,
    /// Whether the document requires it.
    pub required: bool,
    /// Its schema, when it has one.
    pub schema: Option<Loc>,
    /// Its own example, when the document gives one.
    pub example: Option<Value>,
    /// Whether an array or object value is sent member by member (`explode`, true by default for the
    /// `form` style of query parameters and cookies) or as one comma-separated value.
    pub explode: bool,
}

/// The request body of an operation.
#[derive(Debug, Clone)]
pub struct RequestBody {
    /// The media type sent (a JSON one when the document offers it).
    pub media_type: String,
    /// Its schema.
    pub schema: Option<Loc>,
    /// The document's example for it.
    pub example: Option<Value>,
    /// Whether the body is required.
    pub required: bool,
}

/// How a security scheme carries its credential, so a probe can leave it out.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Credential {
    /// A request header (`Authorization`, or an API key's header).
    Header(String),
    /// A query parameter.
    Query(String),
    /// A cookie.
    Cookie(String),
}

/// One operation.
#[derive(Debug, Clone)]
pub struct Operation {
    /// `operationId`, or `METHOD /path` when it has none.
    pub id: String,
    /// Upper-case method.
    pub method: String,
    /// The path template (`/items/{id}`).
    pub path: String,
    /// Its tags.
    pub tags: Vec<String>,
    /// Where the operation object is.
    pub loc: Loc,
    /// Path-level and operation-level parameters, the operation's winning.
    pub params: Vec<Param>,
    /// The request body, when it has one.
    pub body: Option<RequestBody>,
    /// Where its `responses` object is.
    pub responses: Loc,
    /// Scheme names of its security requirement (empty: none), and how each is carried.
    pub security: Vec<(String, Credential)>,
}

/// Every operation in the order the document lists them: its paths as written, and each path's
/// methods as written (a path item reached by `$ref` in the specification's method order).
pub fn operations(doc: &Document) -> Vec<Operation> {
    let root = doc.root();
    let root_security = doc.value(&root.child("security")).clone();
    let paths_loc = root.child("paths");
    let Some(paths) = doc.value(&paths_loc).as_object() else {
        return Vec::new();
    };
    let mut out = Vec::new();
    for (path, written) in written_order(doc, paths) {
        let Some((item_loc, item)) = doc.resolve(&paths_loc.child(path)) else {
            continue;
        };
        let path_params = item_loc.child("parameters");
        let mut methods: Vec<&str> = Vec::with_capacity(METHODS.len());
        for m in written
            .iter()
            .map(String::as_str)
            .chain(METHODS.iter().copied())
        {
            if METHODS.contains(&m) && !methods.contains(&m) {
                methods.push(m);
            }
        }
        for method in methods {
            if item.get(method).is_none() {
                continue;
            }
            let loc = item_loc.child(method);
            let Some((loc, op)) = doc.resolve(&loc) else {
                continue;
            };
            let mut params = params_at(doc, &path_params);
            for p in params_at(doc, &loc.child("parameters")) {
                params.retain(|q| !(q.name == p.name && q.location == p.location));
                params.push(p);
            }
            let security = match op.get("security") {
                Some(s) => s.clone(),
                None => root_security.clone(),
            };
            out.push(Operation {
                id: op
                    .get("operationId")
                    .and_then(Value::as_str)
                    .map_or_else(|| format!("{} {path}", method.to_uppercase()), Into::into),
                method: method.to_uppercase(),
                path: path.clone(),
                tags: op
                    .get("tags")
                    .and_then(Value::as_array)
                    .map(|t| {
                        t.iter()
                            .filter_map(Value::as_str)
                            .map(String::from)
                            .collect()
                    })
                    .unwrap_or_default(),
                body: request_body(doc, &loc.child("requestBody")),
                responses: loc.child("responses"),
                security: credentials(doc, &security),
                params,
                loc,
            });
        }
    }
    out
}

/// The members of `paths` in written order, each once, with its members as written; any member the
/// loader did not note (none, for a document it read) follows in key order.
fn written_order<'a>(
    doc: &'a Document,
    paths: &'a serde_json::Map<String, Value>,
) -> Vec<(&'a String, &'a [String])> {
    let mut out: Vec<(&String, &[String])> = Vec::with_capacity(paths.len());
    let mut seen = std::collections::HashSet::new();
    for (path, members) in doc.path_order() {
        if let Some((key, _)) = paths.get_key_value(path) {
            if seen.insert(key) {
                out.push((key, members.as_slice()));
            }
        }
    }
    for key in paths.keys() {
        if seen.insert(key) {
            out.push((key, &[]));
        }
    }
    out
}

fn params_at(doc: &Document, loc: &Loc) -> Vec<Param> {
    let Some(list) = doc.value(loc).as_array() else {
        return Vec::new();
    };
    let mut out = Vec::new();
    for i in 0..list.len() {
        let Some((ploc, p)) = doc.resolve(&loc.child(&i.to_string())) else {
            continue;
        };
        let (Some(name), Some(location)) = (
            p.get("name").and_then(Value::as_str),
            p.get("in").and_then(Value::as_str),
        ) else {
            continue;
        };
        let location = match location {
            "path" => In::Path,
            "query" => In::Query,
            "header" => In::Header,
            "cookie" => In::Cookie,
            _ => continue,
        };
        // RFC 9110 fields the client sets itself; OpenAPI says such header parameters are ignored.
        if location == In::Header
            && ["accept", "content-type", "authorization"]
                .contains(&name.to_ascii_lowercase().as_str())
        {
            continue;
        }
        let schema = p.get("schema").map(|_| ploc.child("schema")).or_else(|| {
            // A parameter may give `content` with one media type instead of `schema`.
            let content = p.get("content")?.as_object()?;
            let (mt, _) = content.iter().next()?;
            Some(ploc.child("content").child(mt).child("schema"))
        });
        out.push(Param {
            name: name.to_string(),
            location,
            required: location == In::Path
                || p.get("required").and_then(Value::as_bool) == Some(true),
            schema,
            example: example_of(doc, &ploc, p),
            explode: p.get("explode").and_then(Value::as_bool).unwrap_or(
                p.get("style")
                    .and_then(Value::as_str)
                    .unwrap_or(match location {
                        In::Query | In::Cookie => "form",
                        In::Path | In::Header => "simple",
                    })
                    == "form",
            ),
        });
    }
    out
}

fn request_body(doc: &Document, loc: &Loc) -> Option<RequestBody> {
    let (loc, body) = doc.resolve(loc)?;
    let content = body.get("content")?.as_object()?;
    let media_type = content
        .keys()
        .find(|k| is_json(k))
        .or_else(|| content.keys().next())?
        .clone();
    let mloc = loc.child("content").child(&media_type);
    let media = doc.value(&mloc);
    Some(RequestBody {
        schema: media.get("schema").map(|_| mloc.child("schema")),
        example: example_of(doc, &mloc, media),
        required: body.get("required").and_then(Value::as_bool) == Some(true),
        media_type,
    })
}

/// `example`, or the first of `examples` (following an Example object's `$ref`).
fn example_of(doc: &Document, loc: &Loc, v: &Value) -> Option<Value> {
    if let Some(e) = v.get("example") {
        return Some(e.clone());
    }
    let examples = v.get("examples")?.as_object()?;
    let (name, _) = examples.iter().next()?;
    doc.value(&loc.child("examples").child(name))
        .get("value")
        .cloned()
}

/// The first security requirement's schemes; an empty requirement (`{}`) means anonymous is allowed.
fn credentials(doc: &Document, security: &Value) -> Vec<(String, Credential)> {
    let Some(reqs) = security.as_array() else {
        return Vec::new();
    };
    if reqs
        .iter()
        .any(|r| r.as_object().is_some_and(|o| o.is_empty()))
    {
        return Vec::new();
    }
    let Some(first) = reqs.first().and_then(Value::as_object) else {
        return Vec::new();
    };
    let schemes = doc.root().child("components").child("securitySchemes");
    let mut out = Vec::new();
    for name in first.keys() {
        let s = doc.value(&schemes.child(name));
        let cred = match s.get("type").and_then(Value::as_str) {
            Some("apiKey") => {
                let key = s
                    .get("name")
                    .and_then(Value::as_str)
                    .unwrap_or(name)
                    .to_string();
                match s.get("in").and_then(Value::as_str) {
                    Some("query") => Credential::Query(key),
                    Some("cookie") => Credential::Cookie(key),
                    _ => Credential::Header(key),
                }
            }
            _ => Credential::Header("Authorization".into()),
        };
        out.push((name.clone(), cred));
    }
    out
}

/// Whether a media type is JSON (`application/json`, `application/problem+json`, `text/json`).
pub fn is_json(media_type: &str) -> bool {
    let mt = media_type
        .split(';')
        .next()
        .unwrap_or("")
        .trim()
        .to_ascii_lowercase();
    mt.ends_with("/json") || mt.ends_with("+json")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn merges_path_parameters_and_follows_refs() {
        let doc = Document::from_text(
            "d",
            r##"{"openapi":"3.1.0","paths":{"/items/{id}":{
                "parameters":[{"$ref":"#/components/parameters/Id"}],
                "get":{"operationId":"getItem","tags":["items"],"responses":{"200":{"description":"ok"}}},
                "delete":{"security":[{"bearer":[]}],"responses":{"204":{"description":"gone"}}}}},
              "components":{"parameters":{"Id":{"name":"id","in":"path","required":true,"schema":{"type":"integer"}}},
                "securitySchemes":{"bearer":{"type":"http","scheme":"bearer"}}}}"##,
        )
        .unwrap();
        let ops = operations(&doc);
        assert_eq!(ops.len(), 2);
        assert_eq!(ops[0].id, "getItem");
        assert_eq!(ops[0].params[0].name, "id");
        assert!(ops[0].params[0].required);
        assert_eq!(ops[1].id, "DELETE /items/{id}");
        assert_eq!(
            ops[1].security,
            vec![("bearer".into(), Credential::Header("Authorization".into()))]
        );
    }

    #[test]
    fn operations_keep_the_written_order_of_paths_and_methods() {
        let json = r#"{"openapi":"3.1.0","paths":{
            "/zebras":{"post":{"operationId":"addZebra"},"get":{"operationId":"listZebras"}},
            "/apples":{"get":{"operationId":"listApples"}},
            "/mangoes":{"delete":{"operationId":"dropMango"},"x-note":1,"put":{"operationId":"putMango"}}}}"#;
        let yaml = "openapi: 3.0.3\npaths:\n  /zebras:\n    post: {operationId: addZebra}\n    get: {operationId: listZebras}\n  /apples:\n    get: {operationId: listApples}\n  /mangoes:\n    delete: {operationId: dropMango}\n    x-note: 1\n    put: {operationId: putMango}\n";
        for text in [json, yaml] {
            let doc = Document::from_text("d", text).unwrap();
            let ids: Vec<String> = operations(&doc).into_iter().map(|o| o.id).collect();
            assert_eq!(
                ids,
                [
                    "addZebra",
                    "listZebras",
                    "listApples",
                    "dropMango",
                    "putMango"
                ],
                "{text}"
            );
        }
    }
}

//! Negative probes: a valid request with exactly one thing broken (a required member left out, a value
//! of the wrong type, outside its enum or just past its minimum, maximum or length, a required query
//! parameter left out, the credentials left out). The API must refuse each with a 4xx that names what was broken.

use crate::document::{Document, Loc};
use crate::generate::{alternative, type_of};
use crate::operation::{is_json, In, Operation};
use crate::validate::Validators;
use serde_json::{json, Value};

/// Probes of one kind made per operation; enough to see a pattern, few enough to stay fast.
const MAX_PER_KIND: usize = 4;

/// What a negative probe broke.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Breakage {
    /// A required body member or query parameter was left out.
    Missing,
    /// A value of another type was sent.
    WrongType {
        /// The type the schema asks for.
        expected: String,
    },
    /// A value outside the enum was sent.
    UnknownEnum,
    /// A value past its `minimum`, `maximum`, `minLength` or `maxLength` was sent.
    OutOfRange {
        /// The limit broken, as written (`minimum 1`).
        limit: String,
    },
    /// The credentials were left out.
    NoCredentials,
}

impl Breakage {
    /// Short words for messages: "left out", "of the wrong type (integer expected)".
    pub fn describe(&self) -> String {
        match self {
            Breakage::Missing => "left out".into(),
            Breakage::WrongType { expected } => format!("of the wrong type ({expected} expected)"),
            Breakage::UnknownEnum => "set to a value outside its enum".into(),
            Breakage::OutOfRange { limit } => format!("past its {limit}"),
            Breakage::NoCredentials => "left out (no credentials)".into(),
        }
    }

    /// The name used in `details.probe`.
    pub fn kind(&self) -> &'static str {
        match self {
            Breakage::Missing => "missing_required",
            Breakage::WrongType { .. } => "wrong_type",
            Breakage::UnknownEnum => "unknown_enum",
            Breakage::OutOfRange { .. } => "out_of_range",
            Breakage::NoCredentials => "no_credentials",
        }
    }
}

/// One broken variant of a valid request.
#[derive(Debug, Clone)]
pub struct Mutation {
    /// What was broken.
    pub breakage: Breakage,
    /// The field: a JSON pointer into the body (`/quantity`), or a parameter's name.
    pub field: String,
    /// Where the field is.
    pub place: Place,
}

/// Where a mutation applies.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Place {
    /// The JSON body, with its new value.
    Body(Value),
    /// A query parameter: `None` leaves it out, `Some` sends this text.
    Query(Option<String>),
    /// The request without the security scheme's credential.
    Credentials,
}

/// The mutations of `op` given the valid body it would send.
pub fn mutations(doc: &Document, op: &Operation, body: Option<&Value>) -> Vec<Mutation> {
    let mut out = Vec::new();
    if let (Some(Value::Object(valid)), Some(schema)) =
        (body, op.body.as_ref().and_then(|b| b.schema.as_ref()))
    {
        let (loc, s) = match doc.resolve(schema) {
            Some(x) => x,
            None => return out,
        };
        // In a form body every value is text: only a number or boolean can be sent of the wrong type.
        let json = op.body.as_ref().is_some_and(|b| is_json(&b.media_type));
        let props = properties(doc, &loc, s);
        let required: Vec<String> = required_of(doc, &loc, s);
        for name in required
            .iter()
            .filter(|n| valid.contains_key(*n))
            .take(MAX_PER_KIND)
        {
            let mut broken = valid.clone();
            broken.remove(name);
            out.push(Mutation {
                breakage: Breakage::Missing,
                field: pointer(name),
                place: Place::Body(Value::Object(broken)),
            });
        }
        let mut typed = 0;
        let mut enums = 0;
        let mut ranges = 0;
        for (name, ploc) in &props {
            if !valid.contains_key(name) {
                continue;
            }
            let p = doc.value(ploc);
            let Some(pobj) = p.as_object() else { continue };
            if enums < MAX_PER_KIND {
                if let Some(Value::Array(e)) = pobj.get("enum") {
                    if e.iter().all(Value::is_string) && !e.is_empty() {
                        let mut broken = valid.clone();
                        broken.insert(name.clone(), json!("apiprobe-not-in-enum"));
                        out.push(Mutation {
                            breakage: Breakage::UnknownEnum,
                            field: pointer(name),
                            place: Place::Body(Value::Object(broken)),
                        });
                        enums += 1;
                    }
                }
            }
            if ranges < MAX_PER_KIND {
                if let Some((limit, value)) = out_of_range(pobj) {
                    let mut broken = valid.clone();
                    broken.insert(name.clone(), value);
                    out.push(Mutation {
                        breakage: Breakage::OutOfRange { limit },
                        field: pointer(name),
                        place: Place::Body(Value::Object(broken)),
                    });
                    ranges += 1;
                }
            }
            if typed < MAX_PER_KIND {
                if let Some((expected, wrong)) =
                    wrong_value(pobj).filter(|(t, _)| json || t != "string")
                {
                    let mut broken = valid.clone();
                    broken.insert(name.clone(), wrong);
                    out.push(Mutation {
                        breakage: Breakage::WrongType { expected },
                        field: pointer(name),
                        place: Place::Body(Value::Object(broken)),
                    });
                    typed += 1;
                }
            }
        }
    }
    let mut query = 0;
    for p in op.params.iter().filter(|p| p.location == In::Query) {
        if query >= MAX_PER_KIND {
            break;
        }
        let schema = p.schema.as_ref().map(|s| doc.value(s));
        if p.required {
            out.push(Mutation {
                breakage: Breakage::Missing,
                field: p.name.clone(),
                place: Place::Query(None),
            });
            query += 1;
        } else if let Some(t) = schema.and_then(Value::as_object).and_then(type_of) {
            if matches!(t.as_str(), "integer" | "number" | "boolean") {
                out.push(Mutation {
                    breakage: Breakage::WrongType { expected: t },
                    field: p.name.clone(),
                    place: Place::Query(Some("apiprobe-not-a-number".into())),
                });
                query += 1;
            }
        }
    }
    if !op.security.is_empty() {
        out.push(Mutation {
            breakage: Breakage::NoCredentials,
            field: op.security[0].0.clone(),
            place: Place::Credentials,
        });
    }
    out
}

/// Whether a mutation still breaks the request: a body one that the request schema accepts after all
/// is no negative probe (leaving out a member the picked `oneOf` alternative requires can leave a
/// body another alternative accepts). A schema the validator cannot use keeps the probe.
pub(crate) fn still_broken(validators: &Validators, op: &Operation, m: &Mutation) -> bool {
    let (Place::Body(body), Some(schema)) =
        (&m.place, op.body.as_ref().and_then(|b| b.schema.as_ref()))
    else {
        return true;
    };
    validators
        .check(schema, body)
        .map_or(true, |violations| !violations.is_empty())
}

/// The schema's properties, own and from `allOf` members.
fn properties(doc: &Document, loc: &Loc, s: &Value) -> Vec<(String, Loc)> {
    let mut out = Vec::new();
    for (loc, s) in with_all_of(doc, loc, s) {
        if let Some(m) = s.get("properties").and_then(Value::as_object) {
            out.extend(
                m.keys()
                    .map(|k| (k.clone(), loc.child("properties").child(k))),
            );
        }
    }
    out
}

fn required_of(doc: &Document, loc: &Loc, s: &Value) -> Vec<String> {
    let mut out = Vec::new();
    for (_, s) in with_all_of(doc, loc, s) {
        if let Some(r) = s.get("required").and_then(Value::as_array) {
            out.extend(r.iter().filter_map(Value::as_str).map(String::from));
        }
    }
    out
}

/// The schema and every schema the generated value was built from: its `allOf` members, or else the
/// `oneOf`/`anyOf` alternative the generator picked; each once, so a schema that refers back to
/// itself, or many members sharing one, cost one visit each.
fn with_all_of<'d>(doc: &'d Document, loc: &Loc, s: &'d Value) -> Vec<(Loc, &'d Value)> {
    let mut seen = std::collections::HashSet::from([loc.clone()]);
    let mut out = vec![(loc.clone(), s)];
    let mut i = 0;
    while i < out.len() {
        let (here, v) = out[i].clone();
        i += 1;
        let members: Vec<Loc> = match v.get("allOf").and_then(Value::as_array) {
            Some(all) => (0..all.len())
                .map(|n| here.child("allOf").child(&n.to_string()))
                .collect(),
            None => v
                .as_object()
                .and_then(alternative)
                .map(|(key, pick)| vec![here.child(key).child(&pick.to_string())])
                .unwrap_or_default(),
        };
        for m in members {
            if let Some((l, v)) = doc.resolve(&m) {
                if seen.insert(l.clone()) {
                    out.push((l, v));
                }
            }
        }
    }
    out
}

/// A value just past the schema's first numeric or length limit, and the limit as written.
fn out_of_range(p: &serde_json::Map<String, Value>) -> Option<(String, Value)> {
    let num = |k: &str| p.get(k).and_then(Value::as_f64);
    let int = type_of(p).as_deref() == Some("integer");
    let step = |v: f64, by: f64| {
        let x = if int { v + by } else { v + by / 2.0 };
        if int {
            json!(x as i64)
        } else {
            json!(x)
        }
    };
    if let Some(m) = num("minimum") {
        // A boolean exclusiveMinimum (3.0) makes the limit itself already out of range.
        let by = if p.get("exclusiveMinimum") == Some(&Value::Bool(true)) {
            0.0
        } else {
            -1.0
        };
        return Some((format!("minimum {m}"), step(m, by)));
    }
    if let Some(m) = num("exclusiveMinimum") {
        return Some((format!("exclusiveMinimum {m}"), step(m, 0.0)));
    }
    if let Some(m) = num("maximum") {
        let by = if p.get("exclusiveMaximum") == Some(&Value::Bool(true)) {
            0.0
        } else {
            1.0
        };
        return Some((format!("maximum {m}"), step(m, by)));
    }
    if let Some(m) = num("exclusiveMaximum") {
        return Some((format!("exclusiveMaximum {m}"), step(m, 0.0)));
    }
    if let Some(m) = p
        .get("minLength")
        .and_then(Value::as_u64)
        .filter(|m| (1..=10_000).contains(m))
    {
        return Some((format!("minLength {m}"), json!("x".repeat(m as usize - 1))));
    }
    if let Some(m) = p
        .get("maxLength")
        .and_then(Value::as_u64)
        .filter(|m| *m < 10_000)
    {
        return Some((format!("maxLength {m}"), json!("x".repeat(m as usize + 1))));
    }
    None
}

/// A value no schema of this type accepts, and the type's name.
fn wrong_value(p: &serde_json::Map<String, Value>) -> Option<(String, Value)> {
    // A type list that admits strings and numbers alike leaves no single wrong type to try.
    if let Some(Value::Array(_)) = p.get("type") {
        return None;
    }
    let t = type_of(p)?;
    let wrong = match t.as_str() {
        "string" => json!(12345),
        "integer" | "number" => json!("apiprobe-not-a-number"),
        "boolean" => json!("apiprobe-not-a-boolean"),
        "object" => json!("apiprobe-not-an-object"),
        "array" => json!("apiprobe-not-an-array"),
        _ => return None,
    };
    Some((t, wrong))
}

fn pointer(name: &str) -> String {
    format!("/{}", name.replace('~', "~0").replace('/', "~1"))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::operation::operations;

    #[test]
    fn one_mutation_per_broken_thing() {
        let doc = Document::from_text(
            "d",
            r##"{"openapi":"3.1.0","paths":{"/orders":{"post":{"operationId":"create",
              "security":[{"key":[]}],
              "parameters":[{"name":"dry","in":"query","required":true,"schema":{"type":"boolean"}}],
              "requestBody":{"content":{"application/json":{"schema":{"type":"object",
                "required":["item_id"],"properties":{"item_id":{"type":"integer"},"priority":{"enum":["low","high"]}}}}}},
              "responses":{"201":{"description":"ok"}}}}},
              "components":{"securitySchemes":{"key":{"type":"apiKey","in":"header","name":"X-Key"}}}}"##,
        )
        .unwrap();
        let ops = operations(&doc);
        let valid = json!({"item_id": 3, "priority": "low"});
        let m = mutations(&doc, &ops[0], Some(&valid));
        let kinds: Vec<(&str, &str)> = m
            .iter()
            .map(|m| (m.breakage.kind(), m.field.as_str()))
            .collect();
        assert_eq!(
            kinds,
            vec![
                ("missing_required", "/item_id"),
                ("wrong_type", "/item_id"),
                ("unknown_enum", "/priority"),
                ("missing_required", "dry"),
                ("no_credentials", "key"),
            ]
        );
        assert_eq!(
            m[1].place,
            Place::Body(json!({"item_id": "apiprobe-not-a-number", "priority": "low"}))
        );
    }

    #[test]
    fn values_just_past_each_limit() {
        let limits = |s: Value| out_of_range(s.as_object().expect("object"));
        assert_eq!(
            limits(json!({"type":"integer","minimum":1})),
            Some(("minimum 1".into(), json!(0)))
        );
        assert_eq!(
            limits(json!({"type":"integer","minimum":0,"exclusiveMinimum":true})),
            Some(("minimum 0".into(), json!(0)))
        );
        assert_eq!(
            limits(json!({"type":"integer","maximum":100})),
            Some(("maximum 100".into(), json!(101)))
        );
        assert_eq!(
            limits(json!({"type":"number","exclusiveMinimum":0})),
            Some(("exclusiveMinimum 0".into(), json!(0.0)))
        );
        assert_eq!(
            limits(json!({"type":"string","minLength":3})),
            Some(("minLength 3".into(), json!("xx")))
        );
        assert_eq!(
            limits(json!({"type":"string","maxLength":2})),
            Some(("maxLength 2".into(), json!("xxx")))
        );
        assert_eq!(limits(json!({"type":"string"})), None);
    }

    #[test]
    fn one_of_bodies_are_broken_in_the_picked_alternative_only() {
        let doc = Document::from_text(
            "d",
            r##"{"openapi":"3.1.0","paths":{"/explain":{"post":{"operationId":"explain",
              "requestBody":{"content":{"application/json":{"schema":{"oneOf":[
                {"type":"object","required":["status"],"additionalProperties":false,"properties":{
                  "status":{"type":"integer","minimum":100},"body":{"type":"string"}}},
                {"type":"object","required":["body"],"additionalProperties":false,"properties":{"body":{"type":"string"}}}]}}}},
              "responses":{"200":{"description":"ok"}}}}}}"##,
        )
        .unwrap();
        let op = &operations(&doc)[0];
        let valid = json!({"status": 200, "body": "x"});
        let validators = Validators::new(&doc);
        let all = mutations(&doc, op, Some(&valid));
        let kinds: Vec<(&str, &str)> = all
            .iter()
            .filter(|m| still_broken(&validators, op, m))
            .map(|m| (m.breakage.kind(), m.field.as_str()))
            .collect();
        // Leaving out `status` leaves a body the second alternative accepts: not a probe.
        assert_eq!(
            kinds,
            vec![
                ("wrong_type", "/body"),
                ("out_of_range", "/status"),
                ("wrong_type", "/status"),
            ]
        );
    }
}

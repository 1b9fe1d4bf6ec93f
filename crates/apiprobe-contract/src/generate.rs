//! Request data that satisfies a schema: the document's own examples first, then values built from the
//! schema's keywords, drawn from a seeded generator so a run can be repeated exactly with `--seed`.

use crate::document::{Document, Loc};
use rand_chacha::rand_core::{RngCore, SeedableRng};
use rand_chacha::ChaCha8Rng;
use serde_json::{json, Map, Value};

/// Nesting followed into a schema; recursive schemas stop here with their required members only.
const MAX_DEPTH: usize = 6;

/// The seeded source of every choice a run makes.
pub struct Rng(ChaCha8Rng);

impl Rng {
    /// A generator that repeats for the same seed.
    pub fn new(seed: u64) -> Rng {
        Rng(ChaCha8Rng::seed_from_u64(seed))
    }

    /// A number in `0..n` (0 when `n` is 0).
    pub fn below(&mut self, n: u64) -> u64 {
        if n == 0 {
            0
        } else {
            self.0.next_u64() % n
        }
    }
}

/// A value for the schema at `loc`. `use_examples` takes the schema's own example where it has one.
pub fn value_for(doc: &Document, loc: &Loc, rng: &mut Rng, use_examples: bool) -> Value {
    generate(doc, loc, rng, use_examples, 0)
}

fn generate(doc: &Document, loc: &Loc, rng: &mut Rng, use_examples: bool, depth: usize) -> Value {
    // A required member that recurses forever ends here; the server may refuse it, which is not a finding.
    if depth > MAX_DEPTH {
        return Value::Null;
    }
    let Some((loc, s)) = doc.resolve(loc) else {
        return Value::Null;
    };
    let Some(obj) = s.as_object() else {
        // `true` or `{}` accepts anything.
        return json!("apiprobe");
    };
    if let Some(c) = obj.get("const") {
        return c.clone();
    }
    if let Some(Value::Array(e)) = obj.get("enum") {
        let choices: Vec<&Value> = e.iter().filter(|v| !v.is_null()).collect();
        if !choices.is_empty() {
            return choices[rng.below(choices.len() as u64) as usize].clone();
        }
    }
    if use_examples {
        if let Some(e) = obj.get("example") {
            return e.clone();
        }
        if let Some(e) = obj
            .get("examples")
            .and_then(Value::as_array)
            .and_then(|a| a.first())
        {
            return e.clone();
        }
    }
    if let Some(Value::Array(all)) = obj.get("allOf") {
        let mut merged = Map::new();
        let mut other = None;
        for i in 0..all.len() {
            match generate(
                doc,
                &loc.child("allOf").child(&i.to_string()),
                rng,
                use_examples,
                depth + 1,
            ) {
                Value::Object(m) => merged.extend(m),
                v => other = Some(v),
            }
        }
        if let Some(Value::Object(own)) = own_object(doc, &loc, obj, rng, use_examples, depth) {
            merged.extend(own);
        }
        return if merged.is_empty() {
            other.unwrap_or(Value::Null)
        } else {
            Value::Object(merged)
        };
    }
    for key in ["oneOf", "anyOf"] {
        if let Some(Value::Array(alts)) = obj.get(key) {
            // The first alternative that is not `null`: a 3.1 way to write a nullable value.
            let pick = alts
                .iter()
                .position(|a| a.get("type").and_then(Value::as_str) != Some("null"))
                .unwrap_or(0);
            if !alts.is_empty() {
                return generate(
                    doc,
                    &loc.child(key).child(&pick.to_string()),
                    rng,
                    use_examples,
                    depth + 1,
                );
            }
        }
    }
    match type_of(obj).as_deref() {
        Some("object") => own_object(doc, &loc, obj, rng, use_examples, depth).unwrap_or(json!({})),
        Some("array") => {
            let min = obj.get("minItems").and_then(Value::as_u64).unwrap_or(1);
            let max = obj
                .get("maxItems")
                .and_then(Value::as_u64)
                .unwrap_or(min.max(2));
            let n = if depth >= MAX_DEPTH {
                min
            } else {
                min.max(1).min(max)
            };
            let items = loc.child("items");
            let mut out: Vec<Value> = (0..n.min(8))
                .map(|_| generate(doc, &items, rng, use_examples, depth + 1))
                .collect();
            if obj.get("uniqueItems") == Some(&Value::Bool(true)) {
                out.dedup();
            }
            Value::Array(out)
        }
        Some("integer") => json!(integer(obj, rng)),
        Some("number") => {
            let i = integer(obj, rng);
            // A whole number satisfies `multipleOf` 0.5 or 0.01 too; keep it whole unless asked otherwise.
            json!(i as f64)
        }
        Some("boolean") => json!(rng.below(2) == 1),
        Some("null") => Value::Null,
        _ => json!(string(obj, rng)),
    }
}

/// The object built from `properties`: every required member, and the optional ones while not deep.
fn own_object(
    doc: &Document,
    loc: &Loc,
    obj: &Map<String, Value>,
    rng: &mut Rng,
    use_examples: bool,
    depth: usize,
) -> Option<Value> {
    let props = obj.get("properties")?.as_object()?;
    let required: Vec<&str> = obj
        .get("required")
        .and_then(Value::as_array)
        .map(|r| r.iter().filter_map(Value::as_str).collect())
        .unwrap_or_default();
    let mut out = Map::new();
    for (name, p) in props {
        let is_required = required.contains(&name.as_str());
        if !is_required && depth >= 2 {
            continue;
        }
        // readOnly members are the server's to fill; sending them may be refused.
        if !is_required && p.get("readOnly") == Some(&Value::Bool(true)) {
            continue;
        }
        out.insert(
            name.clone(),
            generate(
                doc,
                &loc.child("properties").child(name),
                rng,
                use_examples,
                depth + 1,
            ),
        );
    }
    Some(Value::Object(out))
}

/// The schema's type: the first non-null of a type list, or inferred from the keywords present.
pub fn type_of(obj: &Map<String, Value>) -> Option<String> {
    match obj.get("type") {
        Some(Value::String(t)) => Some(t.clone()),
        Some(Value::Array(ts)) => ts
            .iter()
            .filter_map(Value::as_str)
            .find(|t| *t != "null")
            .or_else(|| ts.first().and_then(Value::as_str))
            .map(String::from),
        _ if obj.contains_key("properties") => Some("object".into()),
        _ if obj.contains_key("items") => Some("array".into()),
        _ => None,
    }
}

fn integer(obj: &Map<String, Value>, rng: &mut Rng) -> i64 {
    let num = |k: &str| obj.get(k).and_then(Value::as_f64);
    let exclusive = |k: &str| obj.get(k) == Some(&Value::Bool(true));
    let mut lo = num("minimum").map_or(1, |m| m.ceil() as i64);
    if exclusive("exclusiveMinimum") {
        lo += 1;
    }
    if let Some(m) = num("exclusiveMinimum") {
        lo = lo.max(m.floor() as i64 + 1);
    }
    let mut hi = num("maximum").map_or(lo.saturating_add(99), |m| m.floor() as i64);
    if exclusive("exclusiveMaximum") {
        hi -= 1;
    }
    if let Some(m) = num("exclusiveMaximum") {
        hi = hi.min(m.ceil() as i64 - 1);
    }
    if hi < lo {
        return lo;
    }
    let span = (hi - lo) as u64;
    let mut v = lo + rng.below(span.saturating_add(1).min(1000)) as i64;
    if let Some(m) = obj
        .get("multipleOf")
        .and_then(Value::as_i64)
        .filter(|m| *m > 0)
    {
        v = ((v + m - 1) / m) * m;
    }
    v
}

fn string(obj: &Map<String, Value>, rng: &mut Rng) -> String {
    let n = rng.below(1000);
    let s = match obj.get("format").and_then(Value::as_str) {
        Some("date-time") => format!("2024-01-{:02}T10:00:00Z", 1 + n % 28),
        Some("date") => format!("2024-01-{:02}", 1 + n % 28),
        Some("time") => "10:00:00Z".to_string(),
        Some("email") => format!("user{n}@example.com"),
        Some("uuid") => format!("3f0c5a3e-8f5b-4d6a-9c1e-{n:012}"),
        Some("uri" | "url") => format!("https://example.com/{n}"),
        Some("hostname") => "example.com".to_string(),
        Some("ipv4") => "192.0.2.1".to_string(),
        Some("ipv6") => "2001:db8::1".to_string(),
        Some("byte") => "YXBpcHJvYmU=".to_string(),
        _ => format!("apiprobe{n}"),
    };
    let min = obj.get("minLength").and_then(Value::as_u64).unwrap_or(0) as usize;
    let max = obj
        .get("maxLength")
        .and_then(Value::as_u64)
        .map(|m| m as usize);
    let mut s = s;
    while s.chars().count() < min {
        s.push('x');
    }
    if let Some(max) = max {
        s = s.chars().take(max).collect();
    }
    s
}

#[cfg(test)]
mod tests {
    use super::*;

    fn doc() -> Document {
        Document::from_text(
            "d",
            r##"{"openapi":"3.1.0","paths":{},"components":{"schemas":{
              "Order":{"type":"object","required":["item_id","quantity"],"properties":{
                "item_id":{"type":"integer","minimum":10,"maximum":12},
                "quantity":{"type":"integer","exclusiveMinimum":0},
                "priority":{"enum":["low","high"]},
                "email":{"type":"string","format":"email"},
                "tags":{"type":"array","items":{"type":"string","minLength":3,"maxLength":5}},
                "next":{"$ref":"#/components/schemas/Order"}}}}}}"##,
        )
        .unwrap()
    }

    #[test]
    fn values_satisfy_their_schema_and_repeat_per_seed() {
        let d = doc();
        let loc = d.root().child("components").child("schemas").child("Order");
        let a = value_for(&d, &loc, &mut Rng::new(7), true);
        let b = value_for(&d, &loc, &mut Rng::new(7), true);
        assert_eq!(a, b);
        let id = a["item_id"].as_i64().unwrap();
        assert!((10..=12).contains(&id), "{a}");
        assert!(a["quantity"].as_i64().unwrap() >= 1);
        assert!(["low", "high"].contains(&a["priority"].as_str().unwrap()));
        assert!(a["email"].as_str().unwrap().contains('@'));
        let tag = a["tags"][0].as_str().unwrap();
        assert!((3..=5).contains(&tag.len()), "{tag}");
        // The recursion stops: the nested order has only its required members at depth 2.
        assert!(a["next"]["next"].get("tags").is_none(), "{a}");
    }
}

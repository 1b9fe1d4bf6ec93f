//! Request data that satisfies a schema: the document's own examples first, then values built from the
//! schema's keywords, drawn from a seeded generator so a run can be repeated exactly with `--seed`.

use crate::document::{Document, Loc};
use rand_chacha::rand_core::{RngCore, SeedableRng};
use rand_chacha::ChaCha8Rng;
use serde_json::{json, Map, Value};

/// Nesting followed into a schema; recursive schemas stop here with their required members only.
const MAX_DEPTH: usize = 6;

/// Values built for one request value at most. Nesting alone does not bound it: a schema can require
/// thousands of members at each level, and a value of that size is no test of an API anyway.
const MAX_NODES: u32 = 4096;

/// Longest string built for a `minLength`; a longer minimum is left unmet (the server may refuse it,
/// which is not a finding).
const MAX_STRING: usize = 64 * 1024;

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
    let mut g = Gen {
        doc,
        rng,
        use_examples,
        left: MAX_NODES,
    };
    g.value(loc, 0)
}

/// One value being built: the document, the choices and what is left of the size budget.
struct Gen<'a> {
    doc: &'a Document,
    rng: &'a mut Rng,
    use_examples: bool,
    left: u32,
}

impl Gen<'_> {
    fn value(&mut self, loc: &Loc, depth: usize) -> Value {
        generate(self, loc, depth)
    }
}

fn generate(g: &mut Gen<'_>, loc: &Loc, depth: usize) -> Value {
    // Every member costs from the budget, the ones cut short too.
    if g.left == 0 {
        return Value::Null;
    }
    g.left -= 1;
    // A required member that recurses forever ends here; the server may refuse it, which is not a finding.
    if depth > MAX_DEPTH {
        return Value::Null;
    }
    let (doc, use_examples) = (g.doc, g.use_examples);
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
            return choices[g.rng.below(choices.len() as u64) as usize].clone();
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
            match g.value(&loc.child("allOf").child(&i.to_string()), depth + 1) {
                Value::Object(m) => merged.extend(m),
                v => other = Some(v),
            }
        }
        if let Some(Value::Object(own)) = own_object(g, &loc, obj, depth) {
            merged.extend(own);
        }
        return if merged.is_empty() {
            other.unwrap_or(Value::Null)
        } else {
            Value::Object(merged)
        };
    }
    if let Some((key, pick)) = alternative(obj) {
        return g.value(&loc.child(key).child(&pick.to_string()), depth + 1);
    }
    match type_of(obj).as_deref() {
        Some("object") => own_object(g, &loc, obj, depth).unwrap_or(json!({})),
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
            let mut out: Vec<Value> = (0..n.min(8)).map(|_| g.value(&items, depth + 1)).collect();
            if obj.get("uniqueItems") == Some(&Value::Bool(true)) {
                out.dedup();
            }
            Value::Array(out)
        }
        Some("integer") => json!(integer(obj, g.rng)),
        Some("number") => {
            let i = integer(obj, g.rng);
            // A whole number satisfies `multipleOf` 0.5 or 0.01 too; keep it whole unless asked otherwise.
            json!(i as f64)
        }
        Some("boolean") => json!(g.rng.below(2) == 1),
        Some("null") => Value::Null,
        _ => json!(string(obj, g.rng)),
    }
}

/// The `oneOf` or `anyOf` alternative a value is built from: the first that is not `null` (a 3.1 way
/// to write a nullable value). The negative probes break the same alternative.
pub(crate) fn alternative(obj: &Map<String, Value>) -> Option<(&'static str, usize)> {
    ["oneOf", "anyOf"].into_iter().find_map(|key| {
        let alts = obj.get(key)?.as_array().filter(|a| !a.is_empty())?;
        let pick = alts
            .iter()
            .position(|a| a.get("type").and_then(Value::as_str) != Some("null"))
            .unwrap_or(0);
        Some((key, pick))
    })
}

/// The object built from `properties`: every required member, and the optional ones while not deep.
fn own_object(g: &mut Gen<'_>, loc: &Loc, obj: &Map<String, Value>, depth: usize) -> Option<Value> {
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
        if g.left == 0 {
            break;
        }
        out.insert(
            name.clone(),
            g.value(&loc.child("properties").child(name), depth + 1),
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

/// An integer within the schema's limits. Limits past the range of `i64` (documents do write
/// `maximum: 1e300`) are clamped to it, and no step overflows.
fn integer(obj: &Map<String, Value>, rng: &mut Rng) -> i64 {
    let num = |k: &str| obj.get(k).and_then(Value::as_f64);
    let exclusive = |k: &str| obj.get(k) == Some(&Value::Bool(true));
    // `as` saturates: 1e300 becomes i64::MAX.
    let mut lo = num("minimum").map_or(1, |m| m.ceil() as i64);
    if exclusive("exclusiveMinimum") {
        lo = lo.saturating_add(1);
    }
    if let Some(m) = num("exclusiveMinimum") {
        lo = lo.max((m.floor() as i64).saturating_add(1));
    }
    let mut hi = num("maximum").map_or(lo.saturating_add(99), |m| m.floor() as i64);
    if exclusive("exclusiveMaximum") {
        hi = hi.saturating_sub(1);
    }
    if let Some(m) = num("exclusiveMaximum") {
        hi = hi.min((m.ceil() as i64).saturating_sub(1));
    }
    if hi < lo {
        return lo;
    }
    let span = hi.abs_diff(lo);
    let mut v = lo.saturating_add_unsigned(rng.below(span.saturating_add(1).min(1000)));
    if let Some(m) = obj
        .get("multipleOf")
        .and_then(Value::as_i64)
        .filter(|m| *m > 0)
    {
        // The next multiple at or above v, when it is still an i64.
        let up = (i128::from(v) + i128::from(m) - 1).div_euclid(i128::from(m)) * i128::from(m);
        v = i64::try_from(up).unwrap_or(v);
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
    let min = obj.get("minLength").and_then(Value::as_u64).map_or(0, |m| {
        usize::try_from(m).unwrap_or(usize::MAX).min(MAX_STRING)
    });
    let max = obj
        .get("maxLength")
        .and_then(Value::as_u64)
        .map(|m| usize::try_from(m).unwrap_or(usize::MAX));
    let mut s = s;
    let have = s.chars().count();
    if have < min {
        s.extend(std::iter::repeat_n('x', min - have));
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

    fn generated(schema: &str) -> Value {
        let d = Document::from_text(
            "d",
            &format!(
                r#"{{"openapi":"3.1.0","paths":{{}},"components":{{"schemas":{{"S":{schema}}}}}}}"#
            ),
        )
        .unwrap();
        let loc = d.root().child("components").child("schemas").child("S");
        value_for(&d, &loc, &mut Rng::new(1), true)
    }

    #[test]
    fn limits_past_the_integer_range_do_not_overflow() {
        for schema in [
            r#"{"type":"integer","minimum":1e300,"exclusiveMinimum":true}"#,
            r#"{"type":"integer","maximum":-1e300,"exclusiveMaximum":true}"#,
            r#"{"type":"integer","minimum":-1e300,"maximum":1e300}"#,
            r#"{"type":"integer","exclusiveMinimum":9.3e18,"multipleOf":7}"#,
            r#"{"type":"integer","minimum":9223372036854775807,"multipleOf":2}"#,
            r#"{"type":"number","exclusiveMaximum":-9.3e18}"#,
        ] {
            assert!(generated(schema).is_number(), "{schema}");
        }
        let v = generated(r#"{"type":"integer","minimum":-1e300,"maximum":1e300}"#);
        assert!(v.as_i64().is_some(), "{v}");
    }

    #[test]
    fn a_huge_min_length_is_capped_not_built() {
        let v = generated(r#"{"type":"string","minLength":1000000000000}"#);
        assert_eq!(v.as_str().map(str::len), Some(MAX_STRING));
    }

    #[test]
    fn wide_required_objects_stop_at_the_size_budget() {
        // 200 required members, each an object of 200 required members, six levels deep: without the
        // budget, 200^6 values.
        let names: Vec<String> = (0..200).map(|i| format!("\"m{i}\"")).collect();
        let props: Vec<String> = (0..200)
            .map(|i| format!(r##""m{i}":{{"$ref":"#/components/schemas/S"}}"##))
            .collect();
        let schema = format!(
            r#"{{"type":"object","required":[{}],"properties":{{{}}}}}"#,
            names.join(","),
            props.join(",")
        );
        let v = generated(&schema);
        let size = v.to_string().len();
        assert!(size < 200_000, "{size} bytes");
    }
}

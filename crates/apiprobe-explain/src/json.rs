//! The JSON tree the format parsers read: serde_json's parser, with strings borrowed from the body.
//!
//! `serde_json::Value` owns every string and keeps objects in B-tree maps; for a short error document
//! that is most of the cost of reading it. Here a string without escapes is a slice of the body, and an
//! object is one vector of its members as read. The reading is the same as `serde_json::Value`'s:
//! members walked in key order, the last of a repeated key wins, numbers are `serde_json::Number`, and
//! serde_json's nesting limit (128 levels) still turns down hostile depth before a tree is built.

use serde::de::{self, Deserialize, Deserializer, MapAccess, SeqAccess, Visitor};
use serde::{Serialize, Serializer};
use serde_json::Number;
use std::borrow::Cow;
use std::fmt;

/// A JSON value whose strings borrow from the text it was read from where they can.
#[derive(Debug, Clone, PartialEq)]
pub(crate) enum Value<'a> {
    Null,
    Bool(bool),
    Number(Number),
    String(Cow<'a, str>),
    Array(Vec<Value<'a>>),
    Object(Map<'a>),
}

/// The members of an object as read, repeated keys and all. Lookups take the last of a key, and
/// walks see each key once, in key order: what a map built by inserting them in order gives.
#[derive(Debug, Clone, PartialEq, Default)]
pub(crate) struct Map<'a> {
    members: Vec<(Cow<'a, str>, Value<'a>)>,
}

/// Reads `text` as one JSON document (whitespace around it allowed, nothing else).
pub(crate) fn parse(text: &str) -> Result<Value<'_>, serde_json::Error> {
    serde_json::from_str(text)
}

impl<'a> Value<'a> {
    /// A member of an object; `None` for anything else.
    pub fn get(&self, key: &str) -> Option<&Value<'a>> {
        self.as_object()?.get(key)
    }

    pub fn as_str(&self) -> Option<&str> {
        match self {
            Value::String(s) => Some(s),
            _ => None,
        }
    }

    pub fn as_array(&self) -> Option<&Vec<Value<'a>>> {
        match self {
            Value::Array(a) => Some(a),
            _ => None,
        }
    }

    pub fn as_object(&self) -> Option<&Map<'a>> {
        match self {
            Value::Object(m) => Some(m),
            _ => None,
        }
    }

    pub fn as_u64(&self) -> Option<u64> {
        match self {
            Value::Number(n) => n.as_u64(),
            _ => None,
        }
    }

    pub fn as_i64(&self) -> Option<i64> {
        match self {
            Value::Number(n) => n.as_i64(),
            _ => None,
        }
    }

    pub fn is_string(&self) -> bool {
        matches!(self, Value::String(_))
    }

    pub fn is_object(&self) -> bool {
        matches!(self, Value::Object(_))
    }

    pub fn is_null(&self) -> bool {
        matches!(self, Value::Null)
    }

    pub fn is_u64(&self) -> bool {
        self.as_u64().is_some()
    }

    pub fn is_i64(&self) -> bool {
        self.as_i64().is_some()
    }
}

impl<'a> Map<'a> {
    /// A member by key; the last when the key is repeated. Error objects are small: a scan from the end,
    /// where unequal lengths cost no byte compare, beats sorting them once read.
    pub fn get(&self, key: &str) -> Option<&Value<'a>> {
        self.members
            .iter()
            .rev()
            .find(|(k, _)| k.as_ref() == key)
            .map(|(_, v)| v)
    }

    pub fn contains_key(&self, key: &str) -> bool {
        self.get(key).is_some()
    }

    /// How many keys (a repeated key counts once).
    pub fn len(&self) -> usize {
        if self.members.len() < 2 {
            return self.members.len();
        }
        self.in_key_order().len()
    }

    pub fn is_empty(&self) -> bool {
        self.members.is_empty()
    }

    /// The members in key order, each key once with its last value.
    pub fn iter(&self) -> impl Iterator<Item = (&str, &Value<'a>)> {
        self.in_key_order()
            .into_iter()
            .map(|i| (self.members[i].0.as_ref(), &self.members[i].1))
    }

    pub fn keys(&self) -> impl Iterator<Item = &str> {
        self.iter().map(|(k, _)| k)
    }

    pub fn values(&self) -> impl Iterator<Item = &Value<'a>> {
        self.iter().map(|(_, v)| v)
    }

    /// Indexes of the members a walk sees: sorted by key, the last of each repeated key.
    fn in_key_order(&self) -> Vec<usize> {
        let mut order: Vec<usize> = (0..self.members.len()).collect();
        // Stable: among equal keys the order read is kept, so the last read ends its run.
        order.sort_by(|&a, &b| self.members[a].0.cmp(&self.members[b].0));
        order.dedup_by(|later, kept| {
            let same = self.members[*later].0 == self.members[*kept].0;
            if same {
                *kept = *later;
            }
            same
        });
        order
    }
}

impl<'m, 'a> IntoIterator for &'m Map<'a> {
    type Item = (&'m str, &'m Value<'a>);
    type IntoIter = std::vec::IntoIter<(&'m str, &'m Value<'a>)>;

    fn into_iter(self) -> Self::IntoIter {
        self.iter().collect::<Vec<_>>().into_iter()
    }
}

impl Serialize for Value<'_> {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        match self {
            Value::Null => s.serialize_unit(),
            Value::Bool(b) => s.serialize_bool(*b),
            Value::Number(n) => n.serialize(s),
            Value::String(t) => s.serialize_str(t),
            Value::Array(items) => s.collect_seq(items),
            Value::Object(m) => s.collect_map(m.iter()),
        }
    }
}

/// Compact JSON, as `serde_json::Value` prints itself: for quoting a value that is not a string.
impl fmt::Display for Value<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let text = serde_json::to_string(self).map_err(|_| fmt::Error)?;
        f.write_str(&text)
    }
}

/// A string, borrowed when the text has it without escapes.
struct Text<'a>(Cow<'a, str>);

impl<'de> Deserialize<'de> for Text<'de> {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct V;
        impl<'de> Visitor<'de> for V {
            type Value = Text<'de>;
            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("a string")
            }
            fn visit_borrowed_str<E: de::Error>(self, v: &'de str) -> Result<Text<'de>, E> {
                Ok(Text(Cow::Borrowed(v)))
            }
            fn visit_str<E: de::Error>(self, v: &str) -> Result<Text<'de>, E> {
                Ok(Text(Cow::Owned(v.to_string())))
            }
            fn visit_string<E: de::Error>(self, v: String) -> Result<Text<'de>, E> {
                Ok(Text(Cow::Owned(v)))
            }
        }
        d.deserialize_str(V)
    }
}

impl<'de> Deserialize<'de> for Value<'de> {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        d.deserialize_any(ValueVisitor)
    }
}

struct ValueVisitor;

impl<'de> Visitor<'de> for ValueVisitor {
    type Value = Value<'de>;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("any JSON value")
    }

    fn visit_bool<E: de::Error>(self, v: bool) -> Result<Value<'de>, E> {
        Ok(Value::Bool(v))
    }

    fn visit_i64<E: de::Error>(self, v: i64) -> Result<Value<'de>, E> {
        Ok(Value::Number(v.into()))
    }

    fn visit_u64<E: de::Error>(self, v: u64) -> Result<Value<'de>, E> {
        Ok(Value::Number(v.into()))
    }

    fn visit_f64<E: de::Error>(self, v: f64) -> Result<Value<'de>, E> {
        // JSON text has no NaN or infinity; serde_json's own tree makes the same choice for them.
        Ok(Number::from_f64(v).map_or(Value::Null, Value::Number))
    }

    fn visit_borrowed_str<E: de::Error>(self, v: &'de str) -> Result<Value<'de>, E> {
        Ok(Value::String(Cow::Borrowed(v)))
    }

    fn visit_str<E: de::Error>(self, v: &str) -> Result<Value<'de>, E> {
        Ok(Value::String(Cow::Owned(v.to_string())))
    }

    fn visit_string<E: de::Error>(self, v: String) -> Result<Value<'de>, E> {
        Ok(Value::String(Cow::Owned(v)))
    }

    fn visit_unit<E: de::Error>(self) -> Result<Value<'de>, E> {
        Ok(Value::Null)
    }

    fn visit_none<E: de::Error>(self) -> Result<Value<'de>, E> {
        Ok(Value::Null)
    }

    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<Value<'de>, A::Error> {
        // serde_json gives no hint; room for a few items spares the first regrowths. A hint, were there
        // one, is not trusted beyond a small start: a hostile text can claim anything.
        let mut items = Vec::with_capacity(seq.size_hint().unwrap_or(4).min(16));
        while let Some(v) = seq.next_element()? {
            items.push(v);
        }
        Ok(Value::Array(items))
    }

    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Value<'de>, A::Error> {
        let mut members = Vec::with_capacity(map.size_hint().unwrap_or(8).min(16));
        while let Some(Text(k)) = map.next_key()? {
            let v: Value<'de> = map.next_value()?;
            members.push((k, v));
        }
        Ok(Value::Object(Map { members }))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    /// The same tree as serde_json's, member for member.
    fn same(ours: &Value<'_>, theirs: &serde_json::Value) -> bool {
        match (ours, theirs) {
            (Value::Null, serde_json::Value::Null) => true,
            (Value::Bool(a), serde_json::Value::Bool(b)) => a == b,
            (Value::Number(a), serde_json::Value::Number(b)) => a == b,
            (Value::String(a), serde_json::Value::String(b)) => a == b,
            (Value::Array(a), serde_json::Value::Array(b)) => {
                a.len() == b.len() && a.iter().zip(b).all(|(x, y)| same(x, y))
            }
            (Value::Object(a), serde_json::Value::Object(b)) => {
                a.len() == b.len()
                    && a.iter()
                        .zip(b)
                        .all(|((ka, va), (kb, vb))| ka == kb && same(va, vb))
            }
            _ => false,
        }
    }

    #[test]
    fn strings_without_escapes_are_borrowed() {
        let v = parse(r#"{"a":"plain","b":"tab\there"}"#).unwrap();
        assert!(matches!(
            v.get("a"),
            Some(Value::String(Cow::Borrowed("plain")))
        ));
        assert_eq!(v.get("b").and_then(Value::as_str), Some("tab\there"));
    }

    #[test]
    fn the_last_repeated_key_wins_and_members_are_in_key_order() {
        let v = parse(r#"{"b":1,"a":2,"b":3,"c":{"x":null},"b":4,"a":5}"#).unwrap();
        let o = v.as_object().unwrap();
        assert_eq!(o.keys().collect::<Vec<_>>(), ["a", "b", "c"]);
        assert_eq!(v.get("b").and_then(Value::as_u64), Some(4));
        assert_eq!(v.get("a").and_then(Value::as_u64), Some(5));
        assert!(v
            .get("c")
            .and_then(|c| c.get("x"))
            .is_some_and(Value::is_null));
        assert!(v.get("nope").is_none());
        assert!(parse("[1]").unwrap().get("a").is_none());
    }

    #[test]
    fn broken_empty_huge_and_deep_texts_are_errors_or_trees_never_panics() {
        for bad in [
            "",
            "{",
            "{\"a\":",
            "[1,]",
            "{\"a\" 1}",
            "nul",
            "\"\\u12\"",
            "{} {}",
            "\u{0}",
        ] {
            assert!(parse(bad).is_err(), "{bad:?}");
        }
        // Deeper than serde_json's limit: refused before any tree is built.
        let deep = "[".repeat(100_000);
        assert!(parse(&deep).is_err());
        let deep_obj = "{\"a\":".repeat(100_000);
        assert!(parse(&deep_obj).is_err());
        // Many members, many repeats of one key.
        let wide = format!(
            "{{{}\"k\":0}}",
            (0..100_000)
                .map(|i| format!("\"k\":{i},"))
                .collect::<String>()
        );
        let v = parse(&wide).unwrap();
        assert_eq!(v.as_object().map(Map::len), Some(1));
        assert_eq!(v.get("k").and_then(Value::as_u64), Some(0));
    }

    #[test]
    fn numbers_read_as_serde_json_reads_them() {
        let v =
            parse(r#"[0, -1, 18446744073709551615, 1.5, 1e400, -0.0, 12345678901234567890123]"#);
        // serde_json refuses a number that overflows f64, as here.
        assert!(v.is_err());
        let v = parse(r#"[0, -1, 18446744073709551615, 1.5, -0.0, 1e3]"#).unwrap();
        let theirs: serde_json::Value =
            serde_json::from_str(r#"[0, -1, 18446744073709551615, 1.5, -0.0, 1e3]"#).unwrap();
        assert!(same(&v, &theirs));
        assert_eq!(v.to_string(), theirs.to_string());
    }

    proptest! {
        /// Any text: the same answer as serde_json's own tree, and the same tree when it parses.
        #[test]
        fn agrees_with_serde_json_value(text in r#"[\[\]{}:,"a-c0-9\\ .eE+-]{0,40}|\{("[a-c]{0,2}":("[a-c\\n]{0,3}"|[0-9]{1,3}|null|true|\[\]|\{\}),){0,6}"[a-c]":0\}"#) {
            let theirs: Result<serde_json::Value, _> = serde_json::from_str(&text);
            match (parse(&text), theirs) {
                (Ok(ours), Ok(theirs)) => {
                    prop_assert!(same(&ours, &theirs), "{text}");
                    prop_assert_eq!(ours.to_string(), theirs.to_string());
                }
                (Err(_), Err(_)) => {}
                (ours, theirs) => prop_assert!(false, "{text}: {ours:?} vs {theirs:?}"),
            }
        }
    }
}

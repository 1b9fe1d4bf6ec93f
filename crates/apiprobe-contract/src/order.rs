//! The order a document writes its paths and operations in. A parsed JSON object keeps its keys sorted
//! (serde_json's `preserve_order` would change the key order of every crate built into the binary), so
//! the loader notes the order of `paths` and of each path item's members while it reads them, and the
//! operations are listed as the document lists them.

use serde::de::{DeserializeSeed, Deserializer, MapAccess, SeqAccess, Visitor};
use serde_json::{Map, Value};
use std::fmt;

/// The members of `paths` as written, each with its path item's members as written.
pub(crate) type PathOrder = Vec<(String, Vec<String>)>;

/// A JSON document whose top level is an object: its value and the order of its paths.
pub(crate) fn json_object(text: &str) -> Result<(Value, PathOrder), serde_json::Error> {
    let mut order = PathOrder::new();
    let mut de = serde_json::Deserializer::from_str(text);
    let value = Noting {
        level: Level::Root,
        order: &mut order,
    }
    .deserialize(&mut de)?;
    de.end()?;
    Ok((value, order))
}

/// The order of a YAML document's paths, read from its mapping (which keeps the written order).
pub(crate) fn yaml(root: &serde_yaml_ng::Value) -> PathOrder {
    let Some(paths) = root.get("paths").and_then(serde_yaml_ng::Value::as_mapping) else {
        return PathOrder::new();
    };
    paths
        .iter()
        .filter_map(|(k, item)| {
            let members = item
                .as_mapping()
                .map(|m| m.keys().filter_map(yaml_key).collect())
                .unwrap_or_default();
            Some((yaml_key(k)?, members))
        })
        .collect()
}

/// A YAML mapping key as the JSON key it becomes (`200:` is `"200"`); `None` for a list or mapping.
pub(crate) fn yaml_key(k: &serde_yaml_ng::Value) -> Option<String> {
    use serde_yaml_ng::Value as Y;
    match k {
        Y::String(s) => Some(s.clone()),
        Y::Number(n) => Some(n.to_string()),
        Y::Bool(b) => Some(b.to_string()),
        Y::Null => Some("null".to_string()),
        Y::Tagged(t) => yaml_key(&t.value),
        Y::Sequence(_) | Y::Mapping(_) => None,
    }
}

/// Where the value being read sits: the noting stops below the path items.
#[derive(Clone, Copy)]
enum Level {
    Root,
    Paths,
    Item(usize),
}

/// Reads any JSON value as `serde_json::Value` would, noting member order at the levels above.
struct Noting<'a> {
    level: Level,
    order: &'a mut PathOrder,
}

impl<'de> DeserializeSeed<'de> for Noting<'_> {
    type Value = Value;

    fn deserialize<D: Deserializer<'de>>(self, d: D) -> Result<Value, D::Error> {
        d.deserialize_any(self)
    }
}

impl<'de> Visitor<'de> for Noting<'_> {
    type Value = Value;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("any JSON value")
    }

    fn visit_bool<E>(self, v: bool) -> Result<Value, E> {
        Ok(Value::Bool(v))
    }

    fn visit_i64<E>(self, v: i64) -> Result<Value, E> {
        Ok(Value::from(v))
    }

    fn visit_u64<E>(self, v: u64) -> Result<Value, E> {
        Ok(Value::from(v))
    }

    fn visit_f64<E>(self, v: f64) -> Result<Value, E> {
        Ok(serde_json::Number::from_f64(v).map_or(Value::Null, Value::Number))
    }

    fn visit_str<E>(self, v: &str) -> Result<Value, E> {
        Ok(Value::String(v.to_string()))
    }

    fn visit_string<E>(self, v: String) -> Result<Value, E> {
        Ok(Value::String(v))
    }

    fn visit_unit<E>(self) -> Result<Value, E> {
        Ok(Value::Null)
    }

    fn visit_none<E>(self) -> Result<Value, E> {
        Ok(Value::Null)
    }

    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<Value, A::Error> {
        let mut out = Vec::new();
        while let Some(v) = seq.next_element::<Value>()? {
            out.push(v);
        }
        Ok(Value::Array(out))
    }

    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Value, A::Error> {
        let mut out = Map::new();
        while let Some(key) = map.next_key::<String>()? {
            let value = match self.level {
                Level::Root if key == "paths" => map.next_value_seed(Noting {
                    level: Level::Paths,
                    order: &mut *self.order,
                })?,
                Level::Paths => {
                    self.order.push((key.clone(), Vec::new()));
                    let at = self.order.len() - 1;
                    map.next_value_seed(Noting {
                        level: Level::Item(at),
                        order: &mut *self.order,
                    })?
                }
                Level::Item(at) => {
                    self.order[at].1.push(key.clone());
                    map.next_value::<Value>()?
                }
                Level::Root => map.next_value::<Value>()?,
            };
            out.insert(key, value);
        }
        Ok(Value::Object(out))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn json_paths_and_members_keep_their_written_order() {
        let text = r#"{"paths":{"/z":{"post":{},"get":{}},"/a":{"delete":{}},"/m":null},"info":{"b":1,"a":[1.5,"x",null,true]}}"#;
        let (value, order) = json_object(text).unwrap();
        assert_eq!(value, serde_json::from_str::<Value>(text).unwrap());
        assert_eq!(
            order,
            vec![
                ("/z".into(), vec!["post".into(), "get".into()]),
                ("/a".into(), vec!["delete".into()]),
                ("/m".into(), vec![]),
            ]
        );
    }

    #[test]
    fn yaml_paths_keep_their_written_order() {
        let y: serde_yaml_ng::Value =
            serde_yaml_ng::from_str("paths:\n  /z: {put: {}, get: {}}\n  /a: {}\n").unwrap();
        assert_eq!(
            yaml(&y),
            vec![
                ("/z".into(), vec!["put".into(), "get".into()]),
                ("/a".into(), vec![]),
            ]
        );
    }

    #[test]
    fn a_paths_member_that_is_not_an_object_is_kept_as_it_is() {
        let (value, order) = json_object(r#"{"paths":[1,2]}"#).unwrap();
        assert_eq!(value["paths"], serde_json::json!([1, 2]));
        assert!(order.is_empty());
    }
}

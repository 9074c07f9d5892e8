/*!
Parsing only the parts of an event a mapping reads.

An Okta `LogEvent` holds about a hundred keys; the mapping reads thirty. Building a
`serde_json::Value` of the whole object allocated a string and a map node for every key, and
freed them all again: a fifth of the CPU time of an ingest. Here the parser still reads (and so
validates) every byte, but it keeps only the keys a [`Keep`] tree names and skips the rest
without allocating. The result is an ordinary `Value`, so the mapping code and its helpers in
`json.rs` read it exactly as they read a whole one.

Keys match as `json::at` looks them up: ignoring ASCII case, and every spelling present is kept,
so an exact match still wins over a differently-cased one.
*/

use serde::de::{self, DeserializeSeed, Deserializer, IgnoredAny, MapAccess, SeqAccess, Visitor};
use serde_json::{Map, Number, Value};
use std::fmt;

/// What to keep of a value found under a key.
pub(crate) enum Keep {
    /// All of it.
    Whole,
    /// Only these keys of an object (of each object, in an array); scalars are kept as they are.
    Fields(&'static [(&'static str, Keep)]),
}

/// `text` parsed as JSON, with only the keys of `fields` kept at the top level (and below as
/// their [`Keep`] says).
pub(crate) fn parse(text: &str, fields: &'static [(&'static str, Keep)]) -> serde_json::Result<Value> {
    let mut deserializer = serde_json::Deserializer::from_str(text);
    let value = Pruned(fields).deserialize(&mut deserializer)?;
    deserializer.end()?;
    Ok(value)
}

/// Whether `path` (keys from the top) is kept by `fields`: for tests that check a mapping reads
/// nothing its tree leaves out.
#[cfg(test)]
pub(crate) fn keeps(fields: &'static [(&'static str, Keep)], path: &[&str]) -> bool {
    let Some((first, rest)) = path.split_first() else { return true };
    match fields.iter().find(|(name, _)| name.eq_ignore_ascii_case(first)) {
        None => false,
        Some((_, Keep::Whole)) => true,
        Some((_, Keep::Fields(inner))) => keeps(inner, rest),
    }
}

struct Pruned(&'static [(&'static str, Keep)]);

impl<'de> DeserializeSeed<'de> for Pruned {
    type Value = Value;

    fn deserialize<D: Deserializer<'de>>(self, deserializer: D) -> Result<Value, D::Error> {
        deserializer.deserialize_any(self)
    }
}

impl<'de> Visitor<'de> for Pruned {
    type Value = Value;

    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
        f.write_str("any JSON value")
    }

    fn visit_bool<E>(self, b: bool) -> Result<Value, E> {
        Ok(Value::Bool(b))
    }

    fn visit_i64<E>(self, n: i64) -> Result<Value, E> {
        Ok(Value::Number(n.into()))
    }

    fn visit_u64<E>(self, n: u64) -> Result<Value, E> {
        Ok(Value::Number(n.into()))
    }

    fn visit_f64<E>(self, n: f64) -> Result<Value, E> {
        Ok(Number::from_f64(n).map_or(Value::Null, Value::Number))
    }

    fn visit_str<E>(self, s: &str) -> Result<Value, E> {
        Ok(Value::String(s.to_string()))
    }

    fn visit_string<E>(self, s: String) -> Result<Value, E> {
        Ok(Value::String(s))
    }

    fn visit_unit<E>(self) -> Result<Value, E> {
        Ok(Value::Null)
    }

    fn visit_none<E>(self) -> Result<Value, E> {
        Ok(Value::Null)
    }

    fn visit_seq<A: SeqAccess<'de>>(self, mut items: A) -> Result<Value, A::Error> {
        let mut out = Vec::new();
        while let Some(item) = items.next_element_seed(Pruned(self.0))? {
            out.push(item);
        }
        Ok(Value::Array(out))
    }

    fn visit_map<A: MapAccess<'de>>(self, mut entries: A) -> Result<Value, A::Error> {
        let mut out = Map::new();
        while let Some(key) = entries.next_key_seed(KeyOf(self.0))? {
            match key {
                Some((name, Keep::Whole)) => {
                    out.insert(name, entries.next_value()?);
                }
                Some((name, Keep::Fields(inner))) => {
                    out.insert(name, entries.next_value_seed(Pruned(inner))?);
                }
                None => {
                    entries.next_value::<IgnoredAny>()?;
                }
            }
        }
        Ok(Value::Object(out))
    }
}

/// Reads a key: the key and what to keep of its value when `fields` names it, else `None`
/// (and nothing is allocated).
struct KeyOf(&'static [(&'static str, Keep)]);

impl<'de> DeserializeSeed<'de> for KeyOf {
    type Value = Option<(String, &'static Keep)>;

    fn deserialize<D: Deserializer<'de>>(self, deserializer: D) -> Result<Self::Value, D::Error> {
        deserializer.deserialize_str(self)
    }
}

impl<'de> Visitor<'de> for KeyOf {
    type Value = Option<(String, &'static Keep)>;

    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
        f.write_str("an object key")
    }

    fn visit_str<E: de::Error>(self, key: &str) -> Result<Self::Value, E> {
        Ok(self.0.iter().find(|(name, _)| name.eq_ignore_ascii_case(key)).map(|(_, keep)| (key.to_string(), keep)))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    const FIELDS: &[(&str, Keep)] = &[
        ("id", Keep::Whole),
        ("actor", Keep::Fields(&[("login", Keep::Whole), ("geo", Keep::Fields(&[("lat", Keep::Whole)]))])),
        ("targets", Keep::Fields(&[("name", Keep::Whole)])),
        ("detail", Keep::Whole),
    ];

    #[test]
    fn keeps_what_is_named_and_only_that() {
        let text = r#"{"id": "e1", "noise": {"deep": [1, 2, {"x": "y"}]}, "actor": {"login": "a@b.example",
            "password": "x", "geo": {"lat": 1.5, "lon": 2}}, "targets": [{"name": "t", "id": 7}, 3, null],
            "detail": {"anything": ["goes", {"here": true}]}}"#;
        assert_eq!(
            parse(text, FIELDS).unwrap(),
            json!({"id": "e1", "actor": {"login": "a@b.example", "geo": {"lat": 1.5}},
                   "targets": [{"name": "t"}, 3, null], "detail": {"anything": ["goes", {"here": true}]}})
        );
    }

    #[test]
    fn keys_match_in_any_case_and_every_spelling_is_kept() {
        let value = parse(r#"{"ID": 1, "id": 2, "Actor": {"LOGIN": "x"}}"#, FIELDS).unwrap();
        assert_eq!(value, json!({"ID": 1, "id": 2, "Actor": {"LOGIN": "x"}}));
    }

    #[test]
    fn scalars_and_escapes_are_kept_as_json_reads_them() {
        let text = r#"{"id": "a\"b\u00e9", "detail": [1, -2, 3.25, 1e400, true, null, 18446744073709551615]}"#;
        let whole: Result<Value, _> = serde_json::from_str(text);
        // serde_json refuses numbers out of f64's range; so must this.
        assert!(whole.is_err() && parse(text, FIELDS).is_err());
        let text = r#"{"id": "a\"b\u00e9", "detail": [1, -2, 3.25, true, null, 18446744073709551615]}"#;
        assert_eq!(parse(text, FIELDS).unwrap(), serde_json::from_str::<Value>(text).unwrap());
    }

    #[test]
    fn malformed_json_is_refused_even_where_nothing_is_kept() {
        for text in [r#"{"noise": [1, 2}"#, r#"{"noise": "\x"}"#, r#"{"id": 1} trailing"#, r#"{"noise": tru}"#, ""] {
            assert!(parse(text, FIELDS).is_err(), "{text}");
            assert!(serde_json::from_str::<Value>(text).is_err(), "{text}");
        }
    }

    #[test]
    fn paths_are_kept_as_the_tree_says() {
        assert!(keeps(FIELDS, &["actor", "geo", "lat"]));
        assert!(keeps(FIELDS, &["Actor", "LOGIN"]));
        assert!(keeps(FIELDS, &["detail", "anything", "at", "all"]));
        assert!(!keeps(FIELDS, &["actor", "geo", "lon"]));
        assert!(!keeps(FIELDS, &["noise"]));
    }
}

//! Data files (`yaml_data`, `json_data`) and `hiera.yaml` read into [`Value`]s, keys in file
//! order, with Puppet's wording when a file does not parse.

use std::fmt;

use serde::de::{self, Deserializer, MapAccess, SeqAccess, Visitor};

use crate::Value;

/// A [`Value`] read through serde, keeping mapping order (serde_json's own map would sort).
pub(crate) struct Data(pub(crate) Value);

impl<'de> serde::Deserialize<'de> for Data {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Data, D::Error> {
        d.deserialize_any(DataVisitor).map(Data)
    }
}

struct DataVisitor;

impl<'de> Visitor<'de> for DataVisitor {
    type Value = Value;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("data")
    }
    fn visit_bool<E: de::Error>(self, v: bool) -> Result<Value, E> {
        Ok(Value::Bool(v))
    }
    fn visit_i64<E: de::Error>(self, v: i64) -> Result<Value, E> {
        Ok(Value::Int(v))
    }
    fn visit_u64<E: de::Error>(self, v: u64) -> Result<Value, E> {
        i64::try_from(v)
            .map(Value::Int)
            .map_err(|_| E::custom("integer out of range"))
    }
    fn visit_f64<E: de::Error>(self, v: f64) -> Result<Value, E> {
        Ok(Value::Float(v))
    }
    fn visit_str<E: de::Error>(self, v: &str) -> Result<Value, E> {
        Ok(Value::Str(v.to_string()))
    }
    fn visit_string<E: de::Error>(self, v: String) -> Result<Value, E> {
        Ok(Value::Str(v))
    }
    fn visit_unit<E: de::Error>(self) -> Result<Value, E> {
        Ok(Value::Undef)
    }
    fn visit_none<E: de::Error>(self) -> Result<Value, E> {
        Ok(Value::Undef)
    }
    fn visit_some<D: Deserializer<'de>>(self, d: D) -> Result<Value, D::Error> {
        d.deserialize_any(DataVisitor)
    }
    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<Value, A::Error> {
        let mut out = vec![];
        while let Some(Data(v)) = seq.next_element()? {
            out.push(v);
        }
        Ok(Value::Array(out))
    }
    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Value, A::Error> {
        let mut out: Vec<(Value, Value)> = vec![];
        while let Some((Data(k), Data(v))) = map.next_entry()? {
            // A later duplicate key replaces the earlier one, as with Ruby's Hash.
            match out.iter_mut().find(|(x, _)| *x == k) {
                Some(slot) => slot.1 = v,
                None => out.push((k, v)),
            }
        }
        Ok(Value::Hash(out))
    }
    fn visit_enum<A: de::EnumAccess<'de>>(self, data: A) -> Result<Value, A::Error> {
        // A YAML tag (`!foo x`): Psych's safe load refuses unknown tags; orch reads the value.
        let (Data(tag), variant) = data.variant::<Data>()?;
        let _ = tag;
        de::VariantAccess::newtype_variant::<Data>(variant).map(|d| d.0)
    }
}

/// Why a data file could not be read: the message and, when the parser knows it, the
/// 1-based line and column.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct ParseFailure {
    pub(crate) message: String,
    pub(crate) line: Option<usize>,
    pub(crate) column: Option<usize>,
}

/// Parses YAML text (an empty document is `undef`).
pub(crate) fn parse_yaml(text: &str) -> Result<Value, ParseFailure> {
    if text.trim().is_empty() {
        return Ok(Value::Undef);
    }
    match serde_yaml_ng::from_str::<Data>(text) {
        Ok(Data(v)) => Ok(v),
        Err(e) => {
            let (line, column) = match e.location() {
                Some(l) => (Some(l.line()), Some(l.column())),
                None => (None, None),
            };
            let (message, line, column) = psych_message(&e.to_string(), line, column);
            Err(ParseFailure {
                message,
                line,
                column,
            })
        }
    }
}

/// libyaml's error as Psych words it: `PROBLEM CONTEXT` placed at the context's mark
/// (serde_yaml_ng writes `PROBLEM at line L column C, CONTEXT at line L2 column C2`).
fn psych_message(
    text: &str,
    line: Option<usize>,
    column: Option<usize>,
) -> (String, Option<usize>, Option<usize>) {
    let re = regex::Regex::new(
        r"^(.*?) at line (\d+) column (\d+)(?:, (.*?) at line (\d+) column (\d+))?$",
    )
    .expect("valid pattern");
    let Some(c) = re.captures(text) else {
        return (text.to_string(), line, column);
    };
    let num = |i: usize| c.get(i).and_then(|m| m.as_str().parse().ok());
    match c.get(4) {
        Some(context) => (format!("{} {}", &c[1], context.as_str()), num(5), num(6)),
        None => (c[1].to_string(), num(2), num(3)),
    }
}

/// Parses JSON text.
pub(crate) fn parse_json(text: &str) -> Result<Value, ParseFailure> {
    match serde_json::from_str::<Data>(text) {
        Ok(Data(v)) => Ok(v),
        Err(e) => {
            let mut message = e.to_string();
            if let Some(i) = message.find(" at line ") {
                message.truncate(i);
            }
            Err(ParseFailure {
                message,
                line: Some(e.line()),
                column: Some(e.column()),
            })
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn yaml_keeps_key_order_and_types() {
        let v = parse_yaml("b: 1\na: [x, 2.5, true, ~]\n").expect("parses");
        assert_eq!(
            v,
            Value::Hash(vec![
                (Value::Str("b".into()), Value::Int(1)),
                (
                    Value::Str("a".into()),
                    Value::Array(vec![
                        Value::Str("x".into()),
                        Value::Float(2.5),
                        Value::Bool(true),
                        Value::Undef
                    ])
                ),
            ])
        );
    }

    #[test]
    fn json_keeps_key_order() {
        let v = parse_json(r#"{"z": 1, "a": {"y": "s"}}"#).expect("parses");
        let Value::Hash(h) = v else { panic!("hash") };
        assert_eq!(h[0].0, Value::Str("z".into()));
    }

    #[test]
    fn bad_yaml_has_a_position() {
        let e = parse_yaml("a: [1\nb: 2\n").expect_err("fails");
        assert!(e.line.is_some(), "{e:?}");
    }

    proptest! {
        #[test]
        fn arbitrary_text_never_panics(s in "\\PC{0,200}") {
            let _ = parse_yaml(&s);
            let _ = parse_json(&s);
        }

        #[test]
        fn yaml_like_text_never_panics(s in "([-:\\[\\]{}!&*#|>'\" \n]|a|1|%\\{){0,120}") {
            let _ = parse_yaml(&s);
        }
    }
}

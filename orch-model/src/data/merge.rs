//! Hiera's merge strategies (Puppet's `MergeStrategy`): `first`, `unique`, `hash`, `deep` with
//! deep_merge's options, applied to the values found at each level, highest priority first.

use super::HieraError;
use crate::Value;

/// A merge strategy with its options.
#[derive(Debug, Clone, PartialEq, Default)]
pub(crate) enum Merge {
    /// The first value found.
    #[default]
    First,
    /// Arrays and scalars flattened into one array without duplicates.
    Unique,
    /// Hashes merged on their top level; higher priority wins.
    Hash,
    /// Hashes merged recursively (the `deep_merge` gem with `preserve_unmergeables: false`).
    Deep {
        knockout_prefix: Option<String>,
        sort_merged_arrays: bool,
        merge_hash_arrays: bool,
    },
}

impl Merge {
    /// A `merge` argument or `lookup_options` entry: a strategy name or a hash with `strategy`.
    pub(crate) fn from_value(v: &Value) -> Result<Merge, HieraError> {
        let (name, options) = match v {
            Value::Str(s) => (s.clone(), None),
            Value::Hash(h) => match v.hash_get(&Value::Str("strategy".into())) {
                Some(Value::Str(s)) => (s.clone(), Some(h)),
                _ => {
                    return Err(HieraError::type_mismatch(
                        "The hash given as 'merge' must contain the name of a strategy in string form for the key 'strategy'",
                    ));
                }
            },
            other => {
                return Err(HieraError::type_mismatch(format!(
                    "Unknown merge strategy: '{other}'"
                )));
            }
        };
        let opt = |k: &str| {
            options.and_then(|h| {
                h.iter()
                    .find(|(x, _)| *x == Value::Str(k.into()))
                    .map(|(_, v)| v.clone())
            })
        };
        Ok(match name.as_str() {
            "first" => Merge::First,
            "unique" => Merge::Unique,
            "hash" => Merge::Hash,
            "deep" => Merge::Deep {
                knockout_prefix: match opt("knockout_prefix") {
                    Some(Value::Str(s)) => Some(s),
                    _ => None,
                },
                sort_merged_arrays: opt("sort_merged_arrays").is_some_and(|v| v.is_truthy()),
                merge_hash_arrays: opt("merge_hash_arrays").is_some_and(|v| v.is_truthy()),
            },
            other => {
                return Err(HieraError::type_mismatch(format!(
                    "Unknown merge strategy: '{other}'"
                )));
            }
        })
    }

    /// Merges the values found, highest priority first (`None` when there are none).
    pub(crate) fn merge_all(&self, found: Vec<Value>) -> Result<Option<Value>, HieraError> {
        let mut it = found.into_iter();
        let Some(first) = it.next() else {
            return Ok(None);
        };
        if *self == Merge::First {
            return Ok(Some(first));
        }
        // Puppet merges over its provider stack (global, environment, module), so even one
        // value found gets the strategy's conversion: `unique` makes an array of a scalar.
        let mut memo = match self {
            Merge::Unique => match self.convert(first, "first")? {
                Value::Array(a) => Value::Array(uniq(a)),
                other => other,
            },
            _ => first,
        };
        let mut first_checked = false;
        for v in it {
            if !first_checked {
                memo = self.convert(memo, "first")?;
                first_checked = true;
            }
            let v = self.convert(v, "second")?;
            memo = self.merge_two(memo, v);
        }
        Ok(Some(memo))
    }

    /// The type check and conversion a value gets before it is merged.
    fn convert(&self, v: Value, which: &str) -> Result<Value, HieraError> {
        match self {
            Merge::Unique => match v {
                Value::Array(a) => {
                    let mut flat = vec![];
                    flatten(a, &mut flat);
                    Ok(Value::Array(flat))
                }
                Value::Hash(_) => Err(HieraError::type_mismatch(format!(
                    "The {which} element of the merge expects a value of type Variant[Scalar, Array[Data]], got Hash"
                ))),
                other => Ok(Value::Array(vec![other])),
            },
            Merge::Hash => match v {
                Value::Hash(_) => Ok(v),
                other => Err(HieraError::type_mismatch(format!(
                    "The {which} element of the merge expects a Hash value, got {}",
                    other.type_name()
                ))),
            },
            _ => Ok(v),
        }
    }

    fn merge_two(&self, higher: Value, lower: Value) -> Value {
        match self {
            Merge::First => higher,
            Merge::Unique => match (higher, lower) {
                (Value::Array(mut a), Value::Array(b)) => {
                    a.extend(b);
                    Value::Array(uniq(a))
                }
                (h, _) => h,
            },
            Merge::Hash => match (higher, lower) {
                // Ruby's `lower.merge(higher)`: lower's key order, higher's values.
                (Value::Hash(h), Value::Hash(mut l)) => {
                    for (k, v) in h {
                        match l.iter_mut().find(|(x, _)| *x == k) {
                            Some(slot) => slot.1 = v,
                            None => l.push((k, v)),
                        }
                    }
                    Value::Hash(l)
                }
                (h, _) => h,
            },
            Merge::Deep {
                knockout_prefix,
                sort_merged_arrays,
                merge_hash_arrays,
            } => {
                let o = DeepOptions {
                    knockout_prefix: knockout_prefix.as_deref(),
                    sort_merged_arrays: *sort_merged_arrays,
                    merge_hash_arrays: *merge_hash_arrays,
                };
                deep_merge(higher, Some(lower), &o)
            }
        }
    }
}

fn flatten(a: Vec<Value>, out: &mut Vec<Value>) {
    for x in a {
        match x {
            Value::Array(inner) => flatten(inner, out),
            other => out.push(other),
        }
    }
}

fn uniq(a: Vec<Value>) -> Vec<Value> {
    let mut out: Vec<Value> = Vec::with_capacity(a.len());
    for x in a {
        if !out.contains(&x) {
            out.push(x);
        }
    }
    out
}

struct DeepOptions<'a> {
    knockout_prefix: Option<&'a str>,
    sort_merged_arrays: bool,
    merge_hash_arrays: bool,
}

/// Ruby truthiness of a hash slot in deep_merge (`if dest[key]`).
fn present(v: Option<&Value>) -> bool {
    v.is_some_and(|v| !matches!(v, Value::Undef | Value::Bool(false)))
}

/// deep_merge's `deep_merge!(source, dest)`: `source` (the higher priority) into `dest`.
fn deep_merge(source: Value, dest: Option<Value>, o: &DeepOptions<'_>) -> Value {
    if matches!(source, Value::Undef) {
        return dest.unwrap_or(Value::Undef);
    }
    let Some(dest) = dest.filter(|d| !matches!(d, Value::Undef | Value::Bool(false))) else {
        return source;
    };
    match source {
        Value::Hash(src) => match dest {
            Value::Hash(mut d) => {
                for (k, sv) in src {
                    let slot = d.iter().position(|(x, _)| *x == k);
                    match slot {
                        Some(i) if present(Some(&d[i].1)) => {
                            let old = std::mem::replace(&mut d[i].1, Value::Undef);
                            d[i].1 = deep_merge(sv, Some(old), o);
                        }
                        _ => {
                            let merged = deep_merge(sv.clone(), Some(sv), o);
                            match slot {
                                Some(i) => d[i].1 = merged,
                                None => d.push((k, merged)),
                            }
                        }
                    }
                }
                Value::Hash(d)
            }
            other => overwrite_unmergeable(Value::Hash(src), other, o),
        },
        Value::Array(mut src) => {
            let mut dest = dest;
            if let Some(ko) = o.knockout_prefix
                && src.contains(&Value::Str(ko.to_string()))
            {
                dest = match dest {
                    Value::Array(_) => Value::Array(vec![]),
                    Value::Hash(_) => Value::Hash(vec![]),
                    Value::Str(_) => Value::Str(String::new()),
                    _ => Value::Undef,
                };
                src.retain(|x| *x != Value::Str(ko.to_string()));
            }
            match dest {
                Value::Array(mut d) => {
                    if let Some(ko) = o.knockout_prefix {
                        src.retain(|item| match item {
                            Value::Str(s) if s.starts_with(ko) => {
                                let stripped = Value::Str(s[ko.len()..].to_string());
                                d.retain(|x| *x != stripped && x != item);
                                false
                            }
                            _ => true,
                        });
                    }
                    let all_hashes = |a: &[Value]| a.iter().all(|x| matches!(x, Value::Hash(_)));
                    let mut merged = if o.merge_hash_arrays && all_hashes(&src) && all_hashes(&d) {
                        let n = d.len();
                        let mut list: Vec<Value> = d
                            .into_iter()
                            .enumerate()
                            .map(|(i, dv)| {
                                let sv = src.get(i).cloned().unwrap_or(Value::Hash(vec![]));
                                deep_merge(sv, Some(dv), o)
                            })
                            .collect();
                        if src.len() > n {
                            list.extend(src.drain(n..));
                        }
                        list
                    } else {
                        // Ruby's `dest | source`: the lower level's elements first.
                        let mut all = d;
                        all.extend(src);
                        uniq(all)
                    };
                    if o.sort_merged_arrays {
                        merged.sort_by(ruby_cmp);
                    }
                    Value::Array(merged)
                }
                Value::Undef => Value::Array(src),
                other => overwrite_unmergeable(Value::Array(src), other, o),
            }
        }
        other => overwrite_unmergeable(other, dest, o),
    }
}

fn overwrite_unmergeable(source: Value, dest: Value, o: &DeepOptions<'_>) -> Value {
    let Some(ko) = o.knockout_prefix else {
        return source;
    };
    let _ = dest;
    let stripped = match &source {
        Value::Str(s) => Value::Str(s.strip_prefix(ko).unwrap_or(s).to_string()),
        Value::Array(a) => Value::Array(
            a.iter()
                .filter(|x| !matches!(x, Value::Str(s) if s.starts_with(ko)))
                .cloned()
                .collect(),
        ),
        other => other.clone(),
    };
    if stripped == source {
        source
    } else {
        Value::Str(String::new())
    }
}

/// Ruby's `<=>` for `sort!`: numbers, strings; mixed kinds by their text (Ruby would raise).
fn ruby_cmp(a: &Value, b: &Value) -> std::cmp::Ordering {
    match (a, b) {
        (Value::Int(x), Value::Int(y)) => x.cmp(y),
        (Value::Float(x), Value::Float(y)) => x.total_cmp(y),
        (Value::Int(x), Value::Float(y)) => (*x as f64).total_cmp(y),
        (Value::Float(x), Value::Int(y)) => x.total_cmp(&(*y as f64)),
        _ => a.to_string().cmp(&b.to_string()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn s(x: &str) -> Value {
        Value::Str(x.into())
    }
    fn h(e: Vec<(&str, Value)>) -> Value {
        Value::Hash(e.into_iter().map(|(k, v)| (s(k), v)).collect())
    }

    #[test]
    fn unique_flattens_and_dedups_higher_first() {
        let m = Merge::Unique;
        let r = m
            .merge_all(vec![
                Value::Array(vec![s("a"), s("b")]),
                s("a"),
                Value::Array(vec![Value::Array(vec![s("c")])]),
            ])
            .unwrap();
        assert_eq!(r, Some(Value::Array(vec![s("a"), s("b"), s("c")])));
    }

    #[test]
    fn hash_higher_wins() {
        let r = Merge::Hash
            .merge_all(vec![
                h(vec![("a", Value::Int(1))]),
                h(vec![("a", Value::Int(2)), ("b", Value::Int(3))]),
            ])
            .unwrap();
        assert_eq!(r, Some(h(vec![("a", Value::Int(1)), ("b", Value::Int(3))])));
    }

    #[test]
    fn deep_merges_recursively_with_knockout() {
        let m = Merge::Deep {
            knockout_prefix: Some("--".into()),
            sort_merged_arrays: false,
            merge_hash_arrays: false,
        };
        let hi = h(vec![(
            "x",
            h(vec![("l", Value::Array(vec![s("--a"), s("c")]))]),
        )]);
        let lo = h(vec![(
            "x",
            h(vec![
                ("l", Value::Array(vec![s("a"), s("b")])),
                ("k", Value::Int(1)),
            ]),
        )]);
        let r = m.merge_all(vec![hi, lo]).unwrap();
        assert_eq!(
            r,
            Some(h(vec![(
                "x",
                h(vec![
                    ("l", Value::Array(vec![s("b"), s("c")])),
                    ("k", Value::Int(1))
                ])
            )]))
        );
    }

    #[test]
    fn bad_strategy_is_an_error() {
        assert!(Merge::from_value(&s("nope")).is_err());
        assert!(Merge::from_value(&h(vec![("knockout_prefix", s("x"))])).is_err());
    }
}

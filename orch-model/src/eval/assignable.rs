//! Whether one type is assignable to another (every instance of `u` is an instance of `t`), as
//! Puppet's type calculator decides it for `Type[T]` checks and `<`/`<=` between types:
//! ranges within ranges, sizes within sizes, element and entry types, `Optional`/`Variant`/
//! `NotUndef`, the abstract types (`Scalar`, `Data`, ...), aliases resolved.

use super::types::MAX_ALIAS_STEPS;
use crate::Value;
use crate::value::DATA_TYPES;

/// True if every instance of `u` is an instance of `t`; `aliases` resolves an alias's name.
pub(crate) fn is_assignable_in(
    t: &Value,
    u: &Value,
    aliases: &dyn Fn(&str) -> Option<Value>,
    steps: usize,
) -> bool {
    let ok = |t: &Value, u: &Value| is_assignable_in(t, u, aliases, steps + 1);
    if steps > MAX_ALIAS_STEPS {
        return false;
    }
    let (Value::Type(tn, tp), Value::Type(un, up)) = (t, u) else {
        return false;
    };
    // Aliases are their types.
    if tp.is_empty()
        && let Some(r) = aliases(tn)
    {
        return ok(&r, u);
    }
    if up.is_empty()
        && let Some(r) = aliases(un)
    {
        return ok(t, &r);
    }
    let (tn, un) = (tn.as_str(), un.as_str());
    // A union on the right: each of its members must fit.
    match (un, up.as_slice()) {
        ("Variant", members) if !members.is_empty() && members.iter().all(|m| ok(t, m)) => {
            return true;
        }
        ("Optional", [inner]) if tn != "Optional" => {
            return ok(t, &undef()) && ok(t, &optional_inner(inner));
        }
        _ => {}
    }
    match tn {
        "Any" => true,
        "Optional" => match tp.first() {
            None => true,
            Some(inner) => {
                let inner = optional_inner(inner);
                un == "Undef"
                    || ok(&inner, u)
                    || (un == "Optional" && up.first().is_none_or(|x| ok(&inner, &optional_inner(x))))
            }
        },
        "NotUndef" => {
            !matches!(un, "Undef" | "Optional" | "Any")
                && tp
                    .first()
                    .is_none_or(|inner| ok(&optional_inner(inner), u))
        }
        "Variant" => match un {
            "Variant" => up.iter().all(|m| tp.iter().any(|x| ok(x, m))),
            _ => tp.iter().any(|x| ok(x, u)),
        },
        "Undef" => un == "Undef",
        "Default" | "Boolean" => un == tn,
        "Integer" => un == "Integer" && range_within(tp, up),
        "Float" => un == "Float" && range_within(tp, up),
        "Numeric" => matches!(un, "Numeric" | "Integer" | "Float"),
        "String" => match un {
            "String" => size_within(tp, 0, up, 0),
            "Enum" if !up.is_empty() => strings(up).all(|s| size_ok(tp, 0, s.chars().count())),
            "Pattern" => tp.is_empty(),
            _ => false,
        },
        "Enum" => match un {
            "Enum" => {
                !tp.is_empty() && !up.is_empty() && strings(up).all(|s| strings(tp).any(|x| x == s))
            }
            _ => tp.is_empty() && matches!(un, "Pattern"),
        },
        "Pattern" => match un {
            "Pattern" => tp.is_empty() || tp == up,
            "Enum" => {
                tp.is_empty()
                    || (!up.is_empty()
                        && strings(up).all(|s| {
                            tp.iter().any(|p| match p {
                                Value::Regex(r) | Value::Str(r) => {
                                    regex::Regex::new(r).is_ok_and(|re| re.is_match(s))
                                }
                                _ => false,
                            })
                        }))
            }
            _ => false,
        },
        "Regexp" => un == "Regexp" && (tp.is_empty() || tp == up),
        "ScalarData" => is_scalar_data(un),
        "Scalar" => is_scalar_data(un) || matches!(un, "Scalar" | "Regexp" | "Timestamp" | "Timespan" | "SemVer"),
        "Data" => is_data(u, aliases, steps),
        "RichData" => {
            is_data(u, aliases, steps)
                || matches!(un, "RichData" | "Scalar" | "Regexp" | "Default" | "Type" | "Sensitive" | "Timestamp" | "Timespan" | "SemVer" | "SemVerRange" | "Binary" | "URI")
                || element_types(un, up).is_some_and(|es| {
                    es.iter().all(|e| ok(&Value::Type("RichData".into(), vec![]), e))
                })
        }
        "Collection" => {
            matches!(un, "Array" | "Hash" | "Tuple" | "Struct" | "Collection")
                && size_within(tp, 0, &collection_size(un, up), 0)
        }
        "Iterable" => matches!(
            un,
            "Array" | "Hash" | "Tuple" | "Struct" | "Collection" | "String" | "Enum" | "Iterable" | "Iterator"
        ) || un == "Integer"
            || un == "Type" && up.first().is_some_and(|x| matches!(x, Value::Type(n, _) if n == "Integer")),
        "Array" | "Hash" | "Tuple" | "Struct" => is_collection_assignable(tn, tp, un, up, &ok),
        "Type" => {
            un == "Type"
                && match (tp.first(), up.first()) {
                    (None, _) => true,
                    (Some(_), None) => false,
                    (Some(a), Some(b)) => ok(a, b),
                }
        }
        "Sensitive" => {
            un == "Sensitive"
                && match (tp.first(), up.first()) {
                    (None, _) => true,
                    (Some(_), None) => false,
                    (Some(a), Some(b)) => ok(a, b),
                }
        }
        "CatalogEntry" => un == "CatalogEntry" || is_resource(un) || un == "Class",
        "Resource" => match tp.first() {
            None => is_resource(un),
            Some(Value::Str(rt) | Value::Type(rt, _)) => {
                (un.eq_ignore_ascii_case(rt) && tp.get(1).is_none_or(|title| up.first() == Some(title)))
                    || (un == "Resource" && up.first().is_some_and(|x| matches!(x, Value::Str(s) | Value::Type(s, _) if s.eq_ignore_ascii_case(rt))) && up.get(1) == tp.get(1))
            }
            Some(_) => false,
        },
        "Class" => un == "Class" && (tp.is_empty() || tp == up),
        // Resource types (`Lamp::Db`), and types compared by name only (`Callable`, `Runtime`).
        _ => tn.eq_ignore_ascii_case(un) && (tp.is_empty() || tp == up),
    }
}

/// Whether collection type `un[up]` is assignable to `tn[tp]` (`Array`, `Hash`, `Tuple`,
/// `Struct`): sizes within sizes, and elements (positions, keys) assignable one by one.
fn is_collection_assignable(
    tn: &str,
    tp: &[Value],
    un: &str,
    up: &[Value],
    ok: &dyn Fn(&Value, &Value) -> bool,
) -> bool {
    match tn {
        "Array" => {
            let (et, tsize) = array_parts(tp);
            match un {
                "Array" => {
                    let (ut, usize_) = array_parts(up);
                    within(tsize, usize_) && (usize_.1 == 0 || ok(&et, &ut))
                }
                "Tuple" => {
                    let (types, size) = tuple_parts(up);
                    within(tsize, size) && types.iter().all(|x| ok(&et, x))
                }
                _ => false,
            }
        }
        "Hash" => {
            let (kt, vt, tsize) = hash_parts(tp);
            match un {
                "Hash" => {
                    let (uk, uv, usize_) = hash_parts(up);
                    within(tsize, usize_) && (usize_.1 == 0 || (ok(&kt, &uk) && ok(&vt, &uv)))
                }
                "Struct" => {
                    let schema = struct_schema(up);
                    within(
                        tsize,
                        (schema.iter().filter(|(_, _, o)| !o).count(), schema.len()),
                    ) && schema.iter().all(|(k, v, _)| {
                        ok(
                            &kt,
                            &Value::Type("Enum".into(), vec![Value::Str(k.clone())]),
                        ) && ok(&vt, v)
                    })
                }
                _ => false,
            }
        }
        "Tuple" => {
            let (ttypes, tsize) = tuple_parts(tp);
            match un {
                "Tuple" => {
                    let (utypes, usize_) = tuple_parts(up);
                    // Each position `u` can fill: its own types, then its last one repeated
                    // as far as its size allows.
                    let positions = if usize_.1 > utypes.len() {
                        utypes.len().max(ttypes.len())
                    } else {
                        utypes.len()
                    };
                    within(tsize, usize_)
                        && (0..positions).all(|i| {
                            match (
                                ttypes.get(i).or(ttypes.last()),
                                utypes.get(i).or(utypes.last()),
                            ) {
                                (Some(a), Some(b)) => ok(a, b),
                                _ => true,
                            }
                        })
                }
                "Array" => {
                    let (et, size) = array_parts(up);
                    within(tsize, size) && ttypes.iter().all(|x| ok(x, &et))
                }
                _ => false,
            }
        }
        "Struct" => match un {
            "Struct" => {
                let (ts, us) = (struct_schema(tp), struct_schema(up));
                us.iter().all(|(k, _, _)| ts.iter().any(|(x, _, _)| x == k))
                    && ts.iter().all(|(k, tv, t_optional)| {
                        match us.iter().find(|(x, _, _)| x == k) {
                            Some((_, uv, u_optional)) => (*t_optional || !u_optional) && ok(tv, uv),
                            None => *t_optional,
                        }
                    })
            }
            _ => false,
        },
        _ => false,
    }
}

fn any() -> Value {
    Value::Type("Any".into(), vec![])
}

fn undef() -> Value {
    Value::Type("Undef".into(), vec![])
}

/// `Optional['x']` is `Optional[Enum['x']]`.
fn optional_inner(inner: &Value) -> Value {
    match inner {
        Value::Str(s) => Value::Type("Enum".into(), vec![Value::Str(s.clone())]),
        other => other.clone(),
    }
}

fn is_resource(name: &str) -> bool {
    name == "Resource"
        || !DATA_TYPES.contains(&name)
            && !matches!(name, "Class" | "TypeAlias" | "TypeReference" | "URI")
}

fn is_scalar_data(name: &str) -> bool {
    matches!(
        name,
        "ScalarData" | "String" | "Enum" | "Pattern" | "Integer" | "Float" | "Numeric" | "Boolean"
    )
}

/// `Data`: scalar data, `Undef`, and arrays, hashes (String keys), tuples and structs of data.
fn is_data(u: &Value, aliases: &dyn Fn(&str) -> Option<Value>, steps: usize) -> bool {
    let Value::Type(un, up) = u else {
        return false;
    };
    let data = Value::Type("Data".into(), vec![]);
    let ok = |x: &Value| is_assignable_in(&data, x, aliases, steps + 1);
    match un.as_str() {
        "Data" | "Undef" => true,
        n if is_scalar_data(n) => true,
        "Optional" => up.first().is_none_or(|x| ok(&optional_inner(x))),
        "Hash" => {
            hash_is_empty(up) || {
                let (k, v, _) = hash_parts(up);
                is_assignable_in(
                    &Value::Type("String".into(), vec![]),
                    &k,
                    aliases,
                    steps + 1,
                ) && ok(&v)
            }
        }
        n => element_types(n, up).is_some_and(|es| es.iter().all(ok)),
    }
}

/// The element (or value) types of an array, tuple, struct or variant type.
fn element_types(name: &str, params: &[Value]) -> Option<Vec<Value>> {
    match name {
        "Array" => Some(vec![array_parts(params).0]),
        "Tuple" => Some(tuple_parts(params).0),
        "Struct" => Some(
            struct_schema(params)
                .into_iter()
                .map(|(_, v, _)| v)
                .collect(),
        ),
        "Variant" => Some(params.to_vec()),
        _ => None,
    }
}

fn strings(params: &[Value]) -> impl Iterator<Item = &str> {
    params.iter().filter_map(|p| match p {
        Value::Str(s) => Some(s.as_str()),
        _ => None,
    })
}

/// Minimum and maximum of a numeric range from a type's parameters (`Integer[1, default]`).
fn bounds(params: &[Value]) -> (f64, f64) {
    let num = |v: Option<&Value>, unbounded: f64| match v {
        Some(Value::Int(i)) => *i as f64,
        Some(Value::Float(f)) => *f,
        _ => unbounded,
    };
    let min = num(params.first(), f64::NEG_INFINITY);
    // `Integer[5]` is 5 or more.
    let max = if params.len() < 2 {
        f64::INFINITY
    } else {
        num(params.get(1), f64::INFINITY)
    };
    (min, max)
}

fn range_within(t: &[Value], u: &[Value]) -> bool {
    let ((tmin, tmax), (umin, umax)) = (bounds(t), bounds(u));
    umin >= tmin && umax <= tmax
}

/// Size bounds starting at parameter `at` (`String[1, 10]` at 0, `Array[T, 1, 10]` at 1).
fn sizes(params: &[Value], at: usize) -> (usize, usize) {
    let get = |i: usize, unbounded: usize| match params.get(i) {
        Some(Value::Int(n)) => usize::try_from(*n).unwrap_or(0),
        _ => unbounded,
    };
    (get(at, 0), get(at + 1, usize::MAX))
}

fn size_ok(t: &[Value], at: usize, n: usize) -> bool {
    let (min, max) = sizes(t, at);
    n >= min && n <= max
}

/// True if size range `u` lies within size range `t`.
fn within(t: (usize, usize), u: (usize, usize)) -> bool {
    u.0 >= t.0 && u.1 <= t.1
}

fn size_within(t: &[Value], at: usize, u: &[Value], u_at: usize) -> bool {
    within(sizes(t, at), sizes(u, u_at))
}

/// An array type's element type and size bounds (`Array[0, 0]` has no element type).
fn array_parts(params: &[Value]) -> (Value, (usize, usize)) {
    match params.first() {
        Some(t @ Value::Type(..)) => (t.clone(), sizes(params, 1)),
        _ => (any(), sizes(params, 0)),
    }
}

/// A hash type's key and value types and size bounds (`Hash[0, 0]` has no key type).
fn hash_parts(params: &[Value]) -> (Value, Value, (usize, usize)) {
    match (params.first(), params.get(1)) {
        (Some(k @ Value::Type(..)), Some(v @ Value::Type(..))) => {
            (k.clone(), v.clone(), sizes(params, 2))
        }
        _ => (any(), any(), sizes(params, 0)),
    }
}

fn collection_size(name: &str, params: &[Value]) -> Vec<Value> {
    let (min, max) = match name {
        "Array" => array_parts(params).1,
        "Hash" => hash_parts(params).2,
        "Tuple" => tuple_parts(params).1,
        "Struct" => {
            let s = struct_schema(params);
            (s.iter().filter(|(_, _, o)| !o).count(), s.len())
        }
        _ => sizes(params, 0),
    };
    let int = |n: usize| i64::try_from(n).map_or(Value::Default, Value::Int);
    vec![int(min), int(max)]
}

fn hash_is_empty(params: &[Value]) -> bool {
    hash_parts(params).2.1 == 0
}

/// A tuple's element types and its size bounds (its type count unless given).
fn tuple_parts(params: &[Value]) -> (Vec<Value>, (usize, usize)) {
    let types: Vec<Value> = params
        .iter()
        .take_while(|p| matches!(p, Value::Type(..)))
        .cloned()
        .collect();
    let rest = &params[types.len()..];
    let size = if params.is_empty() {
        (0, usize::MAX)
    } else if rest.is_empty() {
        (types.len(), types.len())
    } else {
        sizes(rest, 0)
    };
    (types, size)
}

/// A struct's entries: key, value type, and whether the key may be missing.
fn struct_schema(params: &[Value]) -> Vec<(String, Value, bool)> {
    let Some(Value::Hash(schema)) = params.first() else {
        return vec![];
    };
    schema
        .iter()
        .filter_map(|(k, v)| {
            let (key, optional) = match k {
                Value::Str(s) => (s.clone(), matches!(v, Value::Type(n, _) if n == "Optional")),
                Value::Type(n, p) if n == "Optional" || n == "NotUndef" => match p.first() {
                    Some(Value::Str(s)) => (s.clone(), n == "Optional"),
                    _ => return None,
                },
                _ => return None,
            };
            Some((key, v.clone(), optional))
        })
        .collect()
}

/// A resource reference as the type it is in Puppet: `Class['x']` is `Class[x]`,
/// `Notify['a']` is `Notify['a']` (a resource type with a title).
pub(crate) fn ref_as_type(v: &Value) -> Value {
    match v {
        Value::Ref(r) if r.type_name == "Class" => {
            Value::Type("Class".into(), vec![Value::Str(r.title.clone())])
        }
        Value::Ref(r) => Value::Type(r.type_name.clone(), vec![Value::Str(r.title.clone())]),
        other => other.clone(),
    }
}

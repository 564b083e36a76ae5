//! Type checks of parameter values against Puppet data types (the common ones site and
//! application code declares), with Puppet's "expects ... got ..." wording.

use crate::Value;

/// True if `v` is an instance of the type value `t`.
pub(crate) fn is_instance(v: &Value, t: &Value) -> bool {
    let Value::Type(name, params) = t else {
        return v.puppet_eq(t);
    };
    match name.as_str() {
        "Any" => true,
        "Undef" => matches!(v, Value::Undef),
        "Default" => matches!(v, Value::Default),
        "NotUndef" => !matches!(v, Value::Undef),
        "String" => match v {
            Value::Str(s) => length_ok(s.chars().count(), params),
            _ => false,
        },
        "Integer" => match v {
            Value::Int(i) => range_ok(*i as f64, params),
            _ => false,
        },
        "Float" => match v {
            Value::Float(f) => range_ok(*f, params),
            _ => false,
        },
        "Numeric" => matches!(v, Value::Int(_) | Value::Float(_)),
        "Boolean" => matches!(v, Value::Bool(_)),
        "Regexp" => matches!(v, Value::Regex(_)),
        "Scalar" | "ScalarData" => matches!(
            v,
            Value::Str(_) | Value::Int(_) | Value::Float(_) | Value::Bool(_) | Value::Regex(_)
        ),
        "Data" | "RichData" => !matches!(v, Value::Type(..)),
        "Array" | "Collection" | "Tuple" => match v {
            Value::Array(a) => {
                let elem_ok = match params.first() {
                    Some(et @ Value::Type(..)) if name == "Array" => {
                        a.iter().all(|x| is_instance(x, et))
                    }
                    _ => true,
                };
                let sizes: Vec<Value> = params.iter().skip(1).cloned().collect();
                elem_ok && (name != "Array" || length_ok(a.len(), &sizes))
            }
            Value::Hash(_) => name == "Collection",
            _ => false,
        },
        "Hash" => match v {
            Value::Hash(h) => match (params.first(), params.get(1)) {
                (Some(kt @ Value::Type(..)), Some(vt @ Value::Type(..))) => h
                    .iter()
                    .all(|(k, x)| is_instance(k, kt) && is_instance(x, vt)),
                _ => true,
            },
            _ => false,
        },
        "Optional" => matches!(v, Value::Undef) || params.first().is_none_or(|t| is_instance(v, t)),
        "Variant" => params.iter().any(|t| is_instance(v, t)),
        "Enum" => match v {
            Value::Str(s) => params.iter().any(|p| matches!(p, Value::Str(x) if x == s)),
            _ => false,
        },
        "Pattern" => match v {
            Value::Str(s) => params.iter().any(|p| match p {
                Value::Regex(r) | Value::Str(r) => {
                    regex::Regex::new(r).is_ok_and(|re| re.is_match(s))
                }
                _ => false,
            }),
            _ => false,
        },
        "Type" => match v {
            Value::Type(..) => match params.first() {
                Some(Value::Type(want, _)) => {
                    matches!(v, Value::Type(n, _) if n.eq_ignore_ascii_case(want))
                }
                _ => true,
            },
            Value::Ref(r) => match params.first() {
                Some(Value::Type(want, _)) => {
                    r.type_name.eq_ignore_ascii_case(want)
                        || want == "Resource"
                        || want == "Node" && r.type_name == "Node"
                }
                _ => true,
            },
            _ => false,
        },
        "Resource" | "CatalogEntry" => matches!(v, Value::Ref(_)),
        "Sensitive" => matches!(v, Value::Sensitive(_)),
        "Iterable" | "Iterator" => matches!(
            v,
            Value::Array(_) | Value::Hash(_) | Value::Str(_) | Value::Int(_)
        ),
        // A resource type used as a parameter type: an instance is a reference of that type —
        // but a reference is a *type* value in Puppet, so `Sql $db = Sql['x']` fails (§2.1).
        _ => false,
    }
}

fn length_ok(n: usize, params: &[Value]) -> bool {
    let min = match params.first() {
        Some(Value::Int(m)) => *m as usize,
        _ => 0,
    };
    let max = match params.get(1) {
        Some(Value::Int(m)) => *m as usize,
        _ => usize::MAX,
    };
    n >= min && n <= max
}

fn range_ok(x: f64, params: &[Value]) -> bool {
    let min = match params.first() {
        Some(Value::Int(m)) => *m as f64,
        Some(Value::Float(m)) => *m,
        _ => f64::MIN,
    };
    let max = match params.get(1) {
        Some(Value::Int(m)) => *m as f64,
        Some(Value::Float(m)) => *m,
        _ => f64::MAX,
    };
    x >= min && x <= max
}

/// The name of a value's inferred type as Puppet prints it in "got ..." (`String`,
/// `Type[Resource]`, `Hash[Type[Node['other']], String]`...), simplified.
pub(crate) fn inferred(v: &Value) -> String {
    match v {
        Value::Ref(_) => "Type[Resource]".to_string(),
        Value::Type(..) => "Type".to_string(),
        other => other.type_name(),
    }
}

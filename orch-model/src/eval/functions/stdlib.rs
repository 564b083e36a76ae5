//! Functions of puppetlabs-stdlib that site and application code calls, implemented natively.

use super::{Call, map_strings};
use crate::Value;
use crate::eval::{EvalResult, Evaluator};

/// The functions of this group.
pub(super) const NAMES: &[&str] = &[
    "size",
    "count",
    "upcase",
    "downcase",
    "capitalize",
    "strip",
    "lstrip",
    "rstrip",
    "chomp",
    "chop",
    "sort",
    "concat",
    "merge",
    "member",
    "has_key",
    "pick",
    "pick_default",
    "range",
];

/// Calls one of them.
pub(super) fn call(ev: &mut Evaluator<'_>, c: &Call<'_>, args: Vec<Value>) -> EvalResult<Value> {
    let (name, lambda, e) = (c.name, c.lambda, c.at);
    let _ = (lambda, e);
    Ok(match name {
        "size" | "count" => {
            c.arity(ev, &args, 1)?;
            return super::size_of(ev, c, &args[0]);
        }
        "upcase" | "downcase" | "capitalize" | "strip" | "lstrip" | "rstrip" | "chomp" | "chop" => {
            c.arity(ev, &args, 1)?;
            map_strings(&args[0], &|s: &str| match name {
                "upcase" => s.to_uppercase(),
                "downcase" => s.to_lowercase(),
                "capitalize" => {
                    let mut c = s.chars();
                    match c.next() {
                        Some(f) => f
                            .to_uppercase()
                            .chain(c.flat_map(|x| x.to_lowercase()))
                            .collect(),
                        None => String::new(),
                    }
                }
                "strip" => s.trim().to_string(),
                "lstrip" => s.trim_start().to_string(),
                "rstrip" => s.trim_end().to_string(),
                "chomp" => s
                    .strip_suffix("\r\n")
                    .or_else(|| s.strip_suffix('\n'))
                    .unwrap_or(s)
                    .to_string(),
                _ => {
                    let mut t = s.to_string();
                    t.pop();
                    t
                }
            })
        }
        "sort" => {
            c.arity(ev, &args, 1)?;
            match &args[0] {
                Value::Array(a) => {
                    let mut v = a.clone();
                    v.sort_by(|x, y| match (x, y) {
                        (Value::Int(p), Value::Int(q)) => p.cmp(q),
                        _ => x.to_string().cmp(&y.to_string()),
                    });
                    Value::Array(v)
                }
                other => other.clone(),
            }
        }
        "concat" => {
            let mut out = vec![];
            for a in args {
                match a {
                    Value::Array(x) => out.extend(x),
                    other => out.push(other),
                }
            }
            Value::Array(out)
        }
        "merge" => {
            let mut out: Vec<(Value, Value)> = vec![];
            for a in args {
                if let Value::Hash(h) = a {
                    for (k, v) in h {
                        if let Some(slot) = out.iter_mut().find(|(x, _)| *x == k) {
                            slot.1 = v;
                        } else {
                            out.push((k, v));
                        }
                    }
                }
            }
            Value::Hash(out)
        }
        "member" => {
            c.arity(ev, &args, 2)?;
            Value::Bool(match &args[0] {
                Value::Array(a) => a.iter().any(|x| x.puppet_eq(&args[1])),
                _ => false,
            })
        }
        "has_key" => {
            c.arity(ev, &args, 2)?;
            Value::Bool(args[0].hash_get(&args[1]).is_some())
        }
        "pick" | "pick_default" => args
            .iter()
            .find(|v| !matches!(v, Value::Undef) && *v != &Value::Str(String::new()))
            .cloned()
            .unwrap_or(Value::Undef),
        "range" => {
            c.arity(ev, &args, 2)?;
            match (&args[0], &args[1]) {
                (Value::Int(a), Value::Int(b)) => {
                    let step = match args.get(2) {
                        Some(Value::Int(s)) if *s > 0 => *s,
                        _ => 1,
                    };
                    Value::Array((*a..=*b).step_by(step as usize).map(Value::Int).collect())
                }
                (a, b) => match (a.to_string().parse::<i64>(), b.to_string().parse::<i64>()) {
                    (Ok(x), Ok(y)) => Value::Array((x..=y).map(Value::Int).collect()),
                    _ => return c.fail(ev, "'range' expects integer bounds".to_string()),
                },
            }
        }
        _ => return c.not_in_group(ev),
    })
}

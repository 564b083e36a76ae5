//! Puppet's iterating functions: `with`, `each`, `map`, `filter`, `reduce`.

use super::{Call, pairs};
use crate::Value;
use crate::eval::{EvalResult, Evaluator, Flow};

/// The functions of this group.
pub(super) const NAMES: &[&str] = &["with", "each", "map", "filter", "reduce"];

/// Calls one of them.
pub(super) fn call(ev: &mut Evaluator<'_>, c: &Call<'_>, args: Vec<Value>) -> EvalResult<Value> {
    let (name, lambda, e) = (c.name, c.lambda, c.at);
    let _ = (lambda, e);
    Ok(match name {
        "with" => {
            let l = c.need_lambda(ev)?;
            ev.call_lambda(l, args)?
        }
        "each" => {
            let l = c.need_lambda(ev)?;
            c.arity(ev, &args, 1)?;
            let recv = args[0].clone();
            for item in iteration_args(&recv, l.parameters.len()) {
                match ev.call_lambda(l, item) {
                    Ok(_) => {}
                    Err(Flow::Break) => break,
                    Err(other) => return Err(other),
                }
            }
            recv
        }
        "map" | "filter" => {
            let l = c.need_lambda(ev)?;
            c.arity(ev, &args, 1)?;
            let recv = args[0].clone();
            let items = iteration_args(&recv, l.parameters.len());
            let originals = originals(&recv);
            let mut out = vec![];
            let mut kept = vec![];
            for (item, orig) in items.into_iter().zip(originals) {
                let v = match ev.call_lambda(l, item) {
                    Ok(v) => v,
                    Err(Flow::Break) => break,
                    Err(other) => return Err(other),
                };
                match name {
                    "map" => out.push(v),
                    "filter" if v.is_truthy() => kept.push(orig),
                    _ => {}
                }
            }
            match (name, &recv) {
                ("map", _) => Value::Array(out),
                (_, Value::Hash(_)) => Value::Hash(pairs(kept)),
                _ => Value::Array(kept),
            }
        }
        "reduce" => {
            let l = c.need_lambda(ev)?;
            c.arity(ev, &args, 1)?;
            let items = match &args[0] {
                Value::Hash(h) => h
                    .iter()
                    .map(|(k, v)| Value::Array(vec![k.clone(), v.clone()]))
                    .collect(),
                Value::Array(a) => a.clone(),
                Value::Int(n) => (0..*n).map(Value::Int).collect(),
                other => {
                    return c.fail(
                        ev,
                        format!(
                            "'reduce' expects an Iterable value, got {}",
                            other.type_name()
                        ),
                    );
                }
            };
            let mut it = items.into_iter();
            let mut memo = match args.get(1) {
                Some(start) => start.clone(),
                None => it.next().unwrap_or(Value::Undef),
            };
            for x in it {
                let current = std::mem::replace(&mut memo, Value::Undef);
                match ev.call_lambda(l, vec![current.clone(), x]) {
                    Ok(v) => memo = v,
                    Err(Flow::Break) => {
                        memo = current;
                        break;
                    }
                    Err(other) => return Err(other),
                }
            }
            memo
        }
        _ => return c.not_in_group(ev),
    })
}

/// The argument lists of an iteration: `|$v|` or `|$k, $v|` (index for arrays).
fn iteration_args(recv: &Value, nparams: usize) -> Vec<Vec<Value>> {
    match recv {
        Value::Array(a) => a
            .iter()
            .enumerate()
            .map(|(i, v)| {
                if nparams >= 2 {
                    vec![Value::Int(i as i64), v.clone()]
                } else {
                    vec![v.clone()]
                }
            })
            .collect(),
        Value::Hash(h) => h
            .iter()
            .map(|(k, v)| {
                if nparams >= 2 {
                    vec![k.clone(), v.clone()]
                } else {
                    vec![Value::Array(vec![k.clone(), v.clone()])]
                }
            })
            .collect(),
        Value::Int(n) => (0..*n).map(|i| vec![Value::Int(i)]).collect(),
        Value::Type(..) => integer_range(recv)
            .map(|i| {
                if nparams >= 2 {
                    vec![Value::Int(i - integer_range(recv).start), Value::Int(i)]
                } else {
                    vec![Value::Int(i)]
                }
            })
            .collect(),
        Value::Str(s) => s.chars().map(|c| vec![Value::Str(c.to_string())]).collect(),
        Value::Undef => vec![],
        other => vec![vec![other.clone()]],
    }
}

/// The elements an iteration visits, for `filter` to keep.
fn originals(recv: &Value) -> Vec<Value> {
    match recv {
        Value::Array(a) => a.clone(),
        Value::Hash(h) => h
            .iter()
            .map(|(k, v)| Value::Array(vec![k.clone(), v.clone()]))
            .collect(),
        Value::Int(n) => (0..*n).map(Value::Int).collect(),
        Value::Type(..) => integer_range(recv).map(Value::Int).collect(),
        Value::Str(s) => s.chars().map(|c| Value::Str(c.to_string())).collect(),
        Value::Undef => vec![],
        other => vec![other.clone()],
    }
}

/// `Integer[a, b]` iterates from a to b (Puppet's Iterable integer range); other types, never.
fn integer_range(t: &Value) -> std::ops::Range<i64> {
    match t {
        Value::Type(n, p) if n == "Integer" => match p.as_slice() {
            [Value::Int(a), Value::Int(b)]
                if b >= a && b.checked_sub(*a).is_some_and(|d| d < 1_000_000) && *b < i64::MAX =>
            {
                *a..*b + 1
            }
            _ => 0..0,
        },
        _ => 0..0,
    }
}

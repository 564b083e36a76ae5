//! Puppet's iterating functions and those that call a block: `with`, `each`, `map`, `filter`,
//! `reduce`, `reverse_each`, `step`, `slice`, `then`, `lest`.

use super::signature::{Block, Count, Param, Signature, dispatch};
use super::{Call, pairs};
use crate::Value;
use crate::eval::{EvalResult, Evaluator, Flow};

/// The functions of this group.
pub(super) const NAMES: &[&str] = &[
    "with",
    "each",
    "map",
    "filter",
    "reduce",
    "reverse_each",
    "step",
    "slice",
    "then",
    "lest",
    "all",
    "any",
];

/// Calls one of them.
pub(super) fn call(ev: &mut Evaluator<'_>, c: &Call<'_>, args: Vec<Value>) -> EvalResult<Value> {
    let name = c.name;
    if matches!(name, "reverse_each" | "step" | "slice" | "then" | "lest") {
        return call_with_signature(ev, c, args);
    }
    if name == "with" {
        let l = c.need_lambda(ev)?;
        return ev.call_lambda(l, args);
    }
    let l = c.need_lambda(ev)?;
    let (min, max) = if name == "reduce" { (2, 2) } else { (1, 2) };
    let n = l.parameters.len();
    if n < min || n > max {
        let expected = if min == max {
            format!("{min} arguments")
        } else {
            format!("between {min} and {max} arguments")
        };
        return c.raise(ev, format!("'{name}' block expects {expected}, got {n}"));
    }
    let memo_given = name == "reduce" && args.len() == 2;
    let Some(recv) = args.first().cloned() else {
        return c.raise(
            ev,
            format!("'{name}' expects at least 1 argument, got none"),
        );
    };
    let items = match iterable(&recv) {
        Ok(Some(items)) => items,
        Ok(None) => return c.raise(ev, not_iterable(name, &recv, memo_given)),
        Err(too_many) => return c.raise(ev, too_many),
    };
    Ok(match name {
        "each" => {
            for item in lambda_args(&recv, items, n) {
                match ev.call_lambda(l, item) {
                    Ok(_) => {}
                    Err(Flow::Break) => break,
                    Err(other) => return Err(other),
                }
            }
            recv
        }
        "map" | "filter" => {
            let mut out = vec![];
            for (item, orig) in lambda_args(&recv, items.clone(), n).into_iter().zip(items) {
                let v = match ev.call_lambda(l, item) {
                    Ok(v) => v,
                    Err(Flow::Break) => break,
                    Err(other) => return Err(other),
                };
                match name {
                    "map" => out.push(v),
                    _ if v.is_truthy() => out.push(orig),
                    _ => {}
                }
            }
            match (name, &recv) {
                ("filter", Value::Hash(_)) => Value::Hash(pairs(out)),
                _ => Value::Array(out),
            }
        }
        "all" | "any" => {
            let want = name == "any";
            for item in lambda_args(&recv, items, n) {
                match ev.call_lambda(l, item) {
                    Ok(v) if v.is_truthy() == want => return Ok(Value::Bool(want)),
                    Ok(_) => {}
                    Err(Flow::Break) => break,
                    Err(other) => return Err(other),
                }
            }
            Value::Bool(!want)
        }
        "reduce" => {
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

/// The elements an iteration visits (`[key, value]` pairs of a hash), or `None` if the value
/// is not Iterable: arrays, hashes, strings (characters), integers `n` (0 to n - 1), and the
/// types `Integer[a, b]` and `Enum[...]`. An integer range longer than [`MAX_ELEMENTS`] is an
/// error (Puppet would iterate it).
fn iterable(recv: &Value) -> Result<Option<Vec<Value>>, String> {
    let too_many = |n: u128| {
        Err(format!(
            "{recv} has {n} elements; orch iterates at most {MAX_ELEMENTS}"
        ))
    };
    Ok(Some(match recv {
        Value::Array(a) => a.clone(),
        Value::Hash(h) => h
            .iter()
            .map(|(k, v)| Value::Array(vec![k.clone(), v.clone()]))
            .collect(),
        Value::Int(n) if *n > MAX_ELEMENTS => return too_many(*n as u128),
        Value::Int(n) => (0..*n).map(Value::Int).collect(),
        Value::Str(s) => s.chars().map(|c| Value::Str(c.to_string())).collect(),
        Value::Type(n, p) if n == "Enum" && !p.is_empty() => p.clone(),
        Value::Type(n, p) if n == "Integer" => match p.as_slice() {
            [Value::Int(a), Value::Int(b)] if b >= a => {
                let len = (*b as i128 - *a as i128 + 1) as u128;
                if len > MAX_ELEMENTS as u128 {
                    return too_many(len);
                }
                (*a..=*b).map(Value::Int).collect()
            }
            _ => return Ok(None),
        },
        _ => return Ok(None),
    }))
}

/// The longest integer range orch iterates.
const MAX_ELEMENTS: i64 = 1_000_000;

/// The argument lists of an iteration: `|$v|`, or `|$k, $v|` (an index for everything but
/// hashes, whose pairs are key and value).
fn lambda_args(recv: &Value, items: Vec<Value>, nparams: usize) -> Vec<Vec<Value>> {
    items
        .into_iter()
        .enumerate()
        .map(|(i, v)| match (nparams >= 2, recv, v) {
            (true, Value::Hash(_), Value::Array(mut kv)) if kv.len() == 2 => {
                let v = kv.pop().expect("two");
                vec![kv.pop().expect("two"), v]
            }
            (true, _, v) => vec![Value::Int(i as i64), v],
            (false, _, v) => vec![v],
        })
        .collect()
}

/// Puppet's dispatch error for a value that is not Iterable.
fn not_iterable(name: &str, recv: &Value, memo_given: bool) -> String {
    let got = match recv {
        Value::Type(n, _) => format!("Type[{n}]"),
        other => other.type_name(),
    };
    let enumerable = format!("parameter 'enumerable' expects an Iterable value, got {got}");
    if name == "reduce" {
        let (one, two) = if memo_given {
            ("expects 1 argument, got 2".to_string(), enumerable)
        } else {
            (enumerable, "expects 2 arguments, got 1".to_string())
        };
        return format!(
            "'reduce' expects one of:\n  (Iterable enumerable, Callable[2, 2] block)\n    rejected: {one}\n  (Iterable enumerable, Any memo, Callable[2, 2] block)\n    rejected: {two}"
        );
    }
    let hash = format!("parameter 'hash' expects a Hash value, got {got}");
    format!(
        "'{name}' expects one of:\n  (Hash hash, Callable[2, 2] block)\n    rejected: {hash}\n  (Hash hash, Callable[1, 1] block)\n    rejected: {hash}\n  (Iterable enumerable, Callable[2, 2] block)\n    rejected: {enumerable}\n  (Iterable enumerable, Callable[1, 1] block)\n    rejected: {enumerable}"
    )
}

const ITERABLE: Param = Param("Iterable", "iterable", Count::One);

/// `reverse_each`, `step`, `slice`, `then`, `lest`: checked against Puppet's signatures.
fn call_with_signature(
    ev: &mut Evaluator<'_>,
    c: &Call<'_>,
    args: Vec<Value>,
) -> EvalResult<Value> {
    let sigs: &[Signature] = match c.name {
        "reverse_each" => &[
            Signature {
                params: &[ITERABLE],
                block: Block::No,
            },
            Signature {
                params: &[ITERABLE],
                block: Block::Required,
            },
        ],
        "step" => &[Signature {
            params: &[ITERABLE, Param("Integer[1]", "step", Count::One)],
            block: Block::Optional,
        }],
        "slice" => &[
            Signature {
                params: &[
                    Param("Hash", "hash", Count::One),
                    Param("Integer[1]", "slice_size", Count::One),
                ],
                block: Block::Optional,
            },
            Signature {
                params: &[
                    Param("Iterable", "enumerable", Count::One),
                    Param("Integer[1]", "slice_size", Count::One),
                ],
                block: Block::Optional,
            },
        ],
        "then" => &[Signature {
            params: &[Param("Any", "arg", Count::One)],
            block: Block::Required,
        }],
        _ => &[Signature {
            params: &[Param("Any", "arg", Count::One)],
            block: Block::Required,
        }],
    };
    dispatch(ev, c, sigs, &args)?;
    let recv = args[0].clone();
    match c.name {
        "then" if recv == Value::Undef => return Ok(Value::Undef),
        "then" => return ev.call_lambda(c.need_lambda(ev)?, vec![recv]),
        "lest" if recv == Value::Undef => return ev.call_lambda(c.need_lambda(ev)?, vec![]),
        "lest" => return Ok(recv),
        _ => {}
    }
    let items = match iterable(&recv) {
        Ok(Some(items)) => items,
        Ok(None) => vec![recv.clone()],
        Err(too_many) => return c.raise(ev, too_many),
    };
    let picked: Vec<Value> = match c.name {
        "reverse_each" => items.into_iter().rev().collect(),
        "step" => {
            let n = match args[1] {
                Value::Int(n) => n.max(1) as usize,
                _ => 1,
            };
            items.into_iter().step_by(n).collect()
        }
        _ => {
            let n = match args[1] {
                Value::Int(n) => n.max(1) as usize,
                _ => 1,
            };
            items
                .chunks(n)
                .map(|chunk| Value::Array(chunk.to_vec()))
                .collect()
        }
    };
    let Some(l) = c.lambda else {
        return Ok(Value::Array(picked));
    };
    let spread = c.name == "slice" && l.parameters.len() > 1;
    for item in picked {
        let item_args = match item {
            Value::Array(a) if spread => a,
            other => vec![other],
        };
        match ev.call_lambda(l, item_args) {
            Ok(_) => {}
            Err(Flow::Break) => break,
            Err(other) => return Err(other),
        }
    }
    Ok(recv)
}

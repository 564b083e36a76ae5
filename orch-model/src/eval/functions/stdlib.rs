//! Functions of puppetlabs-stdlib (as of 5.2.0, the Puppet 5.5 era) that site and application
//! code calls, implemented natively with stdlib's results and messages. Available only when a
//! module on the modulepath has the function's file (see `mod.rs`). `files.rs` has the ones
//! that read or write files and data formats.

use super::{Call, flatten_into, map_strings, ruby_class, ruby_inspect};
use crate::Value;
use crate::eval::{EvalResult, Evaluator};

/// String functions.
const STRINGS: &[&str] = &[
    "upcase",
    "downcase",
    "capitalize",
    "strip",
    "lstrip",
    "rstrip",
    "chomp",
    "chop",
    "prefix",
    "suffix",
    "str2bool",
    "bool2str",
];
/// Array and hash functions.
const COLLECTIONS: &[&str] = &[
    "size",
    "count",
    "sort",
    "concat",
    "member",
    "has_key",
    "pick",
    "pick_default",
    "range",
    "delete",
    "union",
    "difference",
    "intersection",
    "zip",
    "hash",
    "min",
    "max",
    "any2array",
    "dig44",
    "merge",
    "deep_merge",
];
/// The legacy `is_*` and `validate_*` functions.
const LEGACY: &[&str] = &[
    "is_string",
    "is_array",
    "is_hash",
    "is_bool",
    "is_integer",
    "is_float",
    "is_numeric",
    "validate_string",
    "validate_array",
    "validate_hash",
    "validate_bool",
    "validate_re",
    "validate_absolute_path",
    "is_absolute_path",
];
/// Functions whose result depends on the node (its facts): the environment compile has none.
pub(super) const NEED_NODE: &[&str] = &[
    "fqdn_rand_string",
    "fqdn_rotate",
    "fqdn_uuid",
    "has_interface_with",
    "has_ip_address",
    "has_ip_network",
    "fact",
];

/// True for the functions of this group.
pub(super) fn provides(name: &str) -> bool {
    STRINGS.contains(&name)
        || COLLECTIONS.contains(&name)
        || LEGACY.contains(&name)
        || super::files::NAMES.contains(&name)
}

pub(super) fn call(ev: &mut Evaluator<'_>, c: &Call<'_>, args: Vec<Value>) -> EvalResult<Value> {
    if STRINGS.contains(&c.name) {
        strings(ev, c, args)
    } else if LEGACY.contains(&c.name) {
        legacy(ev, c, &args)
    } else if super::files::NAMES.contains(&c.name) {
        super::files::call(ev, c, args)
    } else if ["merge", "deep_merge", "dig44", "hash", "zip", "any2array"].contains(&c.name) {
        hashes(ev, c, args)
    } else {
        collections(ev, c, args)
    }
}

/// stdlib's "wrong number of arguments" error.
fn wrong_count<T>(ev: &Evaluator<'_>, c: &Call<'_>, got: usize, want: &str) -> EvalResult<T> {
    c.raise(
        ev,
        format!(
            "{}(): Wrong number of arguments given ({got} for {want})",
            c.name
        ),
    )
}

fn strings(ev: &mut Evaluator<'_>, c: &Call<'_>, args: Vec<Value>) -> EvalResult<Value> {
    let name = c.name;
    if args.is_empty() {
        return wrong_count(ev, c, 0, "1");
    }
    Ok(match name {
        "prefix" | "suffix" => {
            let affix = match args.get(1) {
                None | Some(Value::Undef) => String::new(),
                Some(Value::Str(s)) => s.clone(),
                Some(other) => {
                    return c.raise(
                        ev,
                        format!(
                            "{name}(): expected second argument to be a String, got {}",
                            ruby_inspect(other)
                        ),
                    );
                }
            };
            let f = |s: &str| {
                if name == "prefix" {
                    format!("{affix}{s}")
                } else {
                    format!("{s}{affix}")
                }
            };
            match &args[0] {
                Value::Array(a) => {
                    Value::Array(a.iter().map(|x| Value::Str(f(&x.to_string()))).collect())
                }
                Value::Hash(h) => Value::Hash(
                    h.iter()
                        .map(|(k, v)| (Value::Str(f(&k.to_string())), v.clone()))
                        .collect(),
                ),
                other => {
                    return c.raise(
                        ev,
                        format!(
                            "{name}(): expected first argument to be an Array or a Hash, got {}",
                            ruby_inspect(other)
                        ),
                    );
                }
            }
        }
        "str2bool" => match &args[0] {
            Value::Bool(b) => Value::Bool(*b),
            Value::Str(s) => match s.as_str() {
                "" | "0" | "f" | "n" | "false" | "no" | "undef" | "undefined" => Value::Bool(false),
                "1" | "t" | "y" | "true" | "yes" => Value::Bool(true),
                _ => return c.raise(ev, "str2bool(): Unknown type of boolean given".into()),
            },
            _ => return c.raise(ev, "str2bool(): Requires string to work with".into()),
        },
        "bool2str" => {
            if args.len() != 1 && args.len() != 3 {
                return wrong_count(ev, c, args.len(), "3");
            }
            let Value::Bool(b) = args[0] else {
                return c.raise(ev, "bool2str(): Requires a boolean to work with".into());
            };
            let (t, f) = match (args.get(1), args.get(2)) {
                (Some(Value::Str(t)), Some(Value::Str(f))) => (t.clone(), f.clone()),
                (None, None) => ("true".into(), "false".into()),
                _ => return c.raise(ev, "bool2str(): Requires strings to convert to".into()),
            };
            Value::Str(if b { t } else { f })
        }
        _ => map_strings(&args[0], &|s: &str| match name {
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
        }),
    })
}

/// Elements of `a` in order, each once.
fn uniq(a: impl IntoIterator<Item = Value>) -> Vec<Value> {
    let mut out: Vec<Value> = vec![];
    for x in a {
        if !out.contains(&x) {
            out.push(x);
        }
    }
    out
}

fn two_arrays<'a>(
    ev: &Evaluator<'_>,
    c: &Call<'_>,
    args: &'a [Value],
) -> EvalResult<(&'a [Value], &'a [Value])> {
    if args.len() != 2 {
        return c.raise(
            ev,
            format!(
                "{}(): Wrong number of arguments given ({} for 2)",
                c.name,
                args.len()
            ),
        );
    }
    match (&args[0], &args[1]) {
        (Value::Array(a), Value::Array(b)) => Ok((a, b)),
        _ => c.raise(ev, format!("{}(): Requires 2 arrays", c.name)),
    }
}

fn collections(ev: &mut Evaluator<'_>, c: &Call<'_>, args: Vec<Value>) -> EvalResult<Value> {
    let name = c.name;
    Ok(match name {
        "size" => match args.first() {
            None => {
                return c.raise(
                    ev,
                    "size(): Wrong number of arguments given (0 for 1)".into(),
                );
            }
            Some(Value::Int(_) | Value::Float(_)) => {
                return c.raise(
                    ev,
                    "size(): Requires either string, array or hash to work with".into(),
                );
            }
            Some(Value::Array(_) | Value::Hash(_) | Value::Str(_)) => {
                return super::size_of(ev, c, &args[0]);
            }
            Some(_) => return c.raise(ev, "size(): Unknown type given".into()),
        },
        "count" => {
            let items = match args.first() {
                Some(Value::Array(a)) => a.clone(),
                Some(other) => vec![other.clone()],
                None => {
                    return c.raise(
                        ev,
                        "count(): Wrong number of arguments given 0 for 1 or 2.".into(),
                    );
                }
            };
            let n = match args.get(1) {
                Some(item) => items.iter().filter(|x| *x == item).count(),
                None => items
                    .iter()
                    .filter(|x| !matches!(x, Value::Undef) && **x != Value::Str(String::new()))
                    .count(),
            };
            Value::Int(n as i64)
        }
        "sort" => match args.first() {
            Some(Value::Array(a)) => {
                let mut v = a.clone();
                v.sort_by(|x, y| match (x, y) {
                    (Value::Int(p), Value::Int(q)) => p.cmp(q),
                    _ => x.to_string().cmp(&y.to_string()),
                });
                Value::Array(v)
            }
            Some(Value::Str(s)) => {
                let mut chars: Vec<char> = s.chars().collect();
                chars.sort();
                Value::Str(chars.into_iter().collect())
            }
            _ => Value::Undef,
        },
        "concat" => {
            if args.len() < 2 {
                return wrong_count(ev, c, args.len(), "< 2");
            }
            if !matches!(args[0], Value::Array(_)) {
                return c.raise(ev, "concat(): Requires array to work with".into());
            }
            let mut out = vec![];
            for a in args {
                match a {
                    Value::Array(x) => out.extend(x),
                    other => out.push(other),
                }
            }
            Value::Array(out)
        }
        "member" => {
            if args.len() < 2 {
                return wrong_count(ev, c, args.len(), "2");
            }
            let Value::Array(a) = &args[0] else {
                return c.raise(ev, "member(): Requires array to work with".into());
            };
            let wanted = match &args[1] {
                Value::Array(w) => w.clone(),
                v @ (Value::Str(_) | Value::Int(_)) => vec![v.clone()],
                _ => {
                    return c.raise(
                        ev,
                        "member(): Item to search for must be a string, fixnum, or array".into(),
                    );
                }
            };
            Value::Bool(wanted.iter().all(|w| a.contains(w)))
        }
        "has_key" => {
            if args.len() != 2 {
                return c.raise(
                    ev,
                    format!(
                        "has_key(): wrong number of arguments ({}; must be 2)",
                        args.len()
                    ),
                );
            }
            if !matches!(args[0], Value::Hash(_)) {
                return c.raise(ev,
                    format!(
                        "has_key(): expects the first argument to be a hash, got {} which is of type {}",
                        ruby_inspect(&args[0]),
                        ruby_class(&args[0])
                    ),
                );
            }
            Value::Bool(args[0].hash_get(&args[1]).is_some())
        }
        "pick" | "pick_default" => {
            let empty = |v: &Value| matches!(v, Value::Undef) || *v == Value::Str(String::new());
            match args.iter().find(|v| !empty(v)) {
                Some(v) => v.clone(),
                None if name == "pick" => {
                    return c.raise(
                        ev,
                        "pick(): must receive at least one non empty value".into(),
                    );
                }
                None => args.last().cloned().unwrap_or(Value::Undef),
            }
        }
        "range" => return range(ev, c, &args),
        "delete" => return delete(ev, c, args),
        "union" => {
            if args.len() < 2 {
                return wrong_count(ev, c, args.len(), "< 2");
            }
            let mut all = vec![];
            for a in args {
                let Value::Array(a) = a else {
                    return c.raise(ev, "union(): Every parameter must be an array".into());
                };
                all.extend(a);
            }
            Value::Array(uniq(all))
        }
        "difference" | "intersection" => {
            let (a, b) = two_arrays(ev, c, &args)?;
            let keep = name == "intersection";
            Value::Array(uniq(a.iter().filter(|x| b.contains(x) == keep).cloned()))
        }
        "min" | "max" => {
            if args.is_empty() {
                return c.raise(
                    ev,
                    format!("{name}(): Wrong number of arguments need at least one"),
                );
            }
            // stdlib compares numbers as numbers and anything else as strings.
            let key = |v: &Value| match v {
                Value::Int(i) => (0, *i as f64, String::new()),
                Value::Float(f) => (0, *f, String::new()),
                other => (1, 0.0, other.to_string()),
            };
            let mut best = args[0].clone();
            for v in &args[1..] {
                let (kb, kv) = (key(&best), key(v));
                let less = if kb.0 == 0 && kv.0 == 0 {
                    kv.1 < kb.1
                } else {
                    kv.2.as_str() < kb.2.as_str()
                };
                let greater = if kb.0 == 0 && kv.0 == 0 {
                    kv.1 > kb.1
                } else {
                    kv.2.as_str() > kb.2.as_str()
                };
                if (name == "min" && less) || (name == "max" && greater) {
                    best = v.clone();
                }
            }
            best
        }
        _ => return c.not_in_group(ev),
    })
}

/// `merge`, `deep_merge`, `dig44`, `hash`, `zip`, `any2array`.
fn hashes(ev: &mut Evaluator<'_>, c: &Call<'_>, args: Vec<Value>) -> EvalResult<Value> {
    let name = c.name;
    Ok(match name {
        "merge" | "deep_merge" => {
            if args.len() < 2 {
                return c.raise(
                    ev,
                    format!(
                        "{name}(): wrong number of arguments ({}; must be at least 2)",
                        args.len()
                    ),
                );
            }
            let mut out = Value::Hash(vec![]);
            for a in args {
                match a {
                    Value::Hash(_) => out = merge_into(out, a, name == "deep_merge"),
                    Value::Undef => {}
                    Value::Str(s) if s.is_empty() => {}
                    other => {
                        return c.raise(
                            ev,
                            format!(
                                "{name}: unexpected argument type {}, only expects hash arguments",
                                ruby_class(&other)
                            ),
                        );
                    }
                }
            }
            out
        }
        "dig44" => {
            if args.len() < 2 {
                return wrong_count(ev, c, args.len(), "at least 2");
            }
            if !matches!(args[0], Value::Hash(_) | Value::Array(_)) {
                return c.raise(
                    ev,
                    format!(
                        "dig44(): first argument must be a hash or an array, given {}",
                        ruby_class(&args[0])
                    ),
                );
            }
            let Value::Array(path) = &args[1] else {
                return c.raise(
                    ev,
                    format!(
                        "dig44(): second argument must be an array, given {}",
                        ruby_class(&args[1])
                    ),
                );
            };
            let mut cur = args[0].clone();
            for k in path {
                cur = match (&cur, k) {
                    (Value::Hash(_), _) => cur.hash_get(k).cloned().unwrap_or(Value::Undef),
                    (Value::Array(a), Value::Int(i)) => usize::try_from(*i)
                        .ok()
                        .and_then(|i| a.get(i).cloned())
                        .unwrap_or(Value::Undef),
                    _ => Value::Undef,
                };
                if matches!(cur, Value::Undef) {
                    break;
                }
            }
            match cur {
                Value::Undef => args.get(2).cloned().unwrap_or(Value::Undef),
                v => v,
            }
        }
        "hash" => {
            let Some(Value::Array(a)) = args.first() else {
                if args.is_empty() {
                    return c.raise(
                        ev,
                        "hash(): Wrong number of arguments given (0 for 1)".into(),
                    );
                }
                return c.raise(ev, "hash(): Requires array to work with".into());
            };
            let mut flat = vec![];
            flatten_into(Value::Array(a.clone()), &mut flat);
            if flat.len() % 2 != 0 {
                return c.raise(ev, "hash(): Unable to compute hash from array given".into());
            }
            Value::Hash(super::pairs(flat))
        }
        "zip" => {
            if args.len() < 2 {
                return wrong_count(ev, c, args.len(), "2");
            }
            let (Value::Array(a), Value::Array(b)) = (&args[0], &args[1]) else {
                return c.raise(ev, "zip(): Requires array to work with".into());
            };
            let flatten = args.get(2).is_some_and(Value::is_truthy);
            let mut out = vec![];
            for (i, x) in a.iter().enumerate() {
                let pair = vec![x.clone(), b.get(i).cloned().unwrap_or(Value::Undef)];
                if flatten {
                    out.extend(pair);
                } else {
                    out.push(Value::Array(pair));
                }
            }
            Value::Array(out)
        }
        "any2array" => match args.as_slice() {
            [] | [Value::Undef] => Value::Array(vec![]),
            [Value::Array(a)] => Value::Array(a.clone()),
            [Value::Str(s)] if s.is_empty() => Value::Array(vec![]),
            [Value::Hash(h)] => {
                Value::Array(h.iter().flat_map(|(k, v)| [k.clone(), v.clone()]).collect())
            }
            many => Value::Array(many.to_vec()),
        },
        _ => return c.not_in_group(ev),
    })
}

/// `b` merged into `a` (later keys win; `deep` merges nested hashes too).
fn merge_into(a: Value, b: Value, deep: bool) -> Value {
    let (Value::Hash(mut a), Value::Hash(b)) = (a, b) else {
        return Value::Undef;
    };
    for (k, v) in b {
        match a.iter_mut().find(|(x, _)| *x == k) {
            Some(slot) => {
                let old = std::mem::replace(&mut slot.1, Value::Undef);
                slot.1 = if deep && matches!(old, Value::Hash(_)) && matches!(v, Value::Hash(_)) {
                    merge_into(old, v, true)
                } else {
                    v
                };
            }
            None => a.push((k, v)),
        }
    }
    Value::Hash(a)
}

/// stdlib's `delete`: every occurrence from an array, a key from a hash, a substring.
fn delete(ev: &mut Evaluator<'_>, c: &Call<'_>, args: Vec<Value>) -> EvalResult<Value> {
    if args.len() != 2 {
        return c.raise(
            ev,
            format!(
                "delete(): Wrong number of arguments given {} for 2",
                args.len()
            ),
        );
    }
    let gone: Vec<Value> = match &args[1] {
        Value::Array(a) => a.clone(),
        other => vec![other.clone()],
    };
    Ok(match &args[0] {
        Value::Array(a) => Value::Array(a.iter().filter(|x| !gone.contains(x)).cloned().collect()),
        Value::Hash(h) => Value::Hash(
            h.iter()
                .filter(|(k, _)| !gone.contains(k))
                .cloned()
                .collect(),
        ),
        Value::Str(s) => {
            let mut s = s.clone();
            for g in &gone {
                s = s.replace(&g.to_string(), "");
            }
            Value::Str(s)
        }
        other => {
            return c.raise(ev,
                format!(
                    "delete(): First argument must be an Array, String, or Hash. Given an argument of class {}.",
                    ruby_class(other)
                ),
            );
        }
    })
}

/// stdlib's `range`: integers (`range(1, 5)`, `range('1', '5', 2)`, `range('1..5')`) or Ruby
/// string ranges (`range('a', 'c')`, `range('host01', 'host03')`).
fn range(ev: &mut Evaluator<'_>, c: &Call<'_>, args: &[Value]) -> EvalResult<Value> {
    let (start, stop, step) = match args {
        [] => {
            return c.raise(
                ev,
                "range(): Wrong number of arguments given (0 for 1)".into(),
            );
        }
        [one] => {
            let s = one.to_string();
            let Some((a, b)) = s.split_once("...").or_else(|| s.split_once("..")) else {
                return c.raise(
                    ev,
                    format!("range(): Unable to compute range from the value: {s}"),
                );
            };
            (Value::Str(a.into()), Value::Str(b.into()), 1)
        }
        [a, b, rest @ ..] => {
            let step = match rest.first() {
                Some(s) => s
                    .to_string()
                    .parse::<i64>()
                    .unwrap_or(1)
                    .unsigned_abs()
                    .clamp(1, 1 << 40) as i64,
                None => 1,
            };
            (a.clone(), b.clone(), step)
        }
    };
    let as_int = |v: &Value| match v {
        Value::Int(i) => Some(*i),
        Value::Str(s) => s.parse::<i64>().ok(),
        _ => None,
    };
    if let (Some(a), Some(b)) = (as_int(&start), as_int(&stop)) {
        // In i128: the bounds may be anywhere in i64.
        let n = if b >= a {
            (i128::from(b) - i128::from(a)) / i128::from(step) + 1
        } else {
            0
        };
        // orch's bound (Puppet has none): a list that long is a mistake, not data.
        if n > 1_000_000 {
            return c.raise(
                ev,
                format!("range(): Unable to compute range from the value: {a}..{b}"),
            );
        }
        return Ok(Value::Array(
            (0..n as i64).map(|i| Value::Int(a + i * step)).collect(),
        ));
    }
    let (a, b) = (start.to_string(), stop.to_string());
    let mut out = vec![];
    let mut cur = a;
    // Ruby's String range: succ until the end, never longer than it.
    while cur.chars().count() <= b.chars().count() && out.len() < 1_000_000 {
        out.push(Value::Str(cur.clone()));
        if cur == b {
            break;
        }
        cur = ruby_succ(&cur);
    }
    if out.last() != Some(&Value::Str(b)) {
        out.clear();
    }
    Ok(Value::Array(
        out.into_iter().step_by(step as usize).collect(),
    ))
}

/// Ruby's `String#succ` for alphanumeric strings (`az` → `ba`, `a9` → `b0`, `zz` → `aaa`).
fn ruby_succ(s: &str) -> String {
    let mut chars: Vec<char> = s.chars().collect();
    let mut i = chars.len();
    while i > 0 {
        i -= 1;
        let (next, carry) = match chars[i] {
            'z' => ('a', true),
            'Z' => ('A', true),
            '9' => ('0', true),
            ch if ch.is_ascii_alphanumeric() => ((ch as u8 + 1) as char, false),
            _ => continue,
        };
        chars[i] = next;
        if !carry {
            return chars.into_iter().collect();
        }
        if i == 0 || !chars[..i].iter().any(|c| c.is_ascii_alphanumeric()) {
            let first = match next {
                'a' => 'a',
                'A' => 'A',
                _ => '1',
            };
            chars.insert(i, first);
            return chars.into_iter().collect();
        }
    }
    chars.into_iter().collect()
}

/// `is_*` and `validate_*`.
fn legacy(ev: &mut Evaluator<'_>, c: &Call<'_>, args: &[Value]) -> EvalResult<Value> {
    let name = c.name;
    match name {
        "validate_re" => return validate_re(ev, c, args),
        "validate_absolute_path" | "is_absolute_path" => return absolute_path(ev, c, args),
        _ => {}
    }
    let Some(kind) = name.strip_prefix("is_") else {
        let kind = name.trim_start_matches("validate_");
        if args.is_empty() {
            return c.raise(
                ev,
                format!("{name}(): wrong number of arguments (0; must be > 0)"),
            );
        }
        for a in args {
            let (ok, what) = match kind {
                "string" => (matches!(a, Value::Str(_) | Value::Undef), "a string"),
                "array" => (matches!(a, Value::Array(_)), "an Array"),
                "hash" => (matches!(a, Value::Hash(_)), "a Hash"),
                _ => (matches!(a, Value::Bool(_)), "a boolean"),
            };
            if !ok {
                return c.raise(
                    ev,
                    format!(
                        "{} is not {what}.  It looks to be a {}",
                        ruby_inspect(a),
                        ruby_class(a)
                    ),
                );
            }
        }
        return Ok(Value::Undef);
    };
    let Some(a) = args.first() else {
        return wrong_count(ev, c, 0, "1");
    };
    let numeric_str = |s: &str, int: bool| {
        if int {
            s.parse::<i64>().is_ok()
        } else {
            s.parse::<f64>().is_ok()
        }
    };
    Ok(Value::Bool(match kind {
        "string" => matches!(a, Value::Str(s) if !numeric_str(s, false)),
        "array" => matches!(a, Value::Array(_)),
        "hash" => matches!(a, Value::Hash(_)),
        "bool" => matches!(a, Value::Bool(_)),
        "integer" => {
            matches!(a, Value::Int(_)) || matches!(a, Value::Str(s) if numeric_str(s, true))
        }
        "float" => {
            matches!(a, Value::Float(_))
                || matches!(a, Value::Str(s) if s.contains('.') && numeric_str(s, false))
        }
        _ => {
            matches!(a, Value::Int(_) | Value::Float(_))
                || matches!(a, Value::Str(s) if numeric_str(s, false))
        }
    }))
}

fn validate_re(ev: &mut Evaluator<'_>, c: &Call<'_>, args: &[Value]) -> EvalResult<Value> {
    if args.len() < 2 || args.len() > 3 {
        return c.raise(
            ev,
            format!(
                "validate_re(): wrong number of arguments ({}; must be 2 or 3)",
                args.len()
            ),
        );
    }
    let Value::Str(s) = &args[0] else {
        return c.raise(
            ev,
            format!(
                "validate_re(): input needs to be a String, not a {}",
                ruby_class(&args[0])
            ),
        );
    };
    let mut patterns = vec![];
    flatten_into(args[1].clone(), &mut patterns);
    let matched = patterns.iter().any(|p| {
        let src = match p {
            Value::Regex(r) => r.clone(),
            other => other.to_string(),
        };
        regex::Regex::new(&src).is_ok_and(|re| re.is_match(s))
    });
    if matched {
        return Ok(Value::Undef);
    }
    let msg = match args.get(2) {
        Some(m) => m.to_string(),
        None => format!(
            "validate_re(): {} does not match {}",
            ruby_inspect(&args[0]),
            ruby_inspect(&args[1])
        ),
    };
    c.raise(ev, msg)
}

/// Unix (`/x`) or Windows (`C:\x`, `C:/x`, `\\server`) absolute paths, as stdlib tells them.
fn is_absolute(v: &Value) -> bool {
    let Value::Str(p) = v else {
        return false;
    };
    let b = p.as_bytes();
    p.starts_with('/')
        || p.starts_with("\\\\")
        || (b.len() >= 3
            && b[0].is_ascii_alphabetic()
            && b[1] == b':'
            && matches!(b[2], b'/' | b'\\'))
}

fn absolute_path(ev: &mut Evaluator<'_>, c: &Call<'_>, args: &[Value]) -> EvalResult<Value> {
    if c.name == "is_absolute_path" {
        if args.len() != 1 {
            return wrong_count(ev, c, args.len(), "1");
        }
        return Ok(Value::Bool(is_absolute(&args[0])));
    }
    if args.is_empty() {
        return c.raise(
            ev,
            "validate_absolute_path(): wrong number of arguments (0; must be > 0)".into(),
        );
    }
    for a in args {
        let candidates = match a {
            Value::Array(x) => x.clone(),
            other => vec![other.clone()],
        };
        for p in candidates {
            if !is_absolute(&p) {
                return c.raise(ev, format!("{} is not an absolute path.", ruby_inspect(&p)));
            }
        }
    }
    Ok(Value::Undef)
}

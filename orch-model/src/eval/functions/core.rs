//! Puppet's own functions (Puppet 5.5.22 `lib/puppet/functions`, `lib/puppet/parser/functions`)
//! that site and application code calls; the iterating ones are in `iteration`.

use super::{Call, flatten_into, pairs};
use crate::Value;
use crate::eval::{EvalResult, Evaluator, Flow};
use crate::problem::{Level, Problem};

/// Logging, `fail`, class inclusion, control flow, `defined`, `type`, `create_resources`.
const CONTROL: &[&str] = &[
    "notice",
    "info",
    "debug",
    "warning",
    "err",
    "alert",
    "crit",
    "emerg",
    "fail",
    "include",
    "contain",
    "require",
    "realize",
    "tag",
    "next",
    "break",
    "return",
    "defined",
    "type",
    "create_resources",
];
/// Strings, arrays and hashes.
const DATA: &[&str] = &[
    "empty", "keys", "values", "join", "split", "flatten", "unique", "sprintf", "match",
    "regsubst", "length",
];
/// Types called as functions.
const CONVERSION: &[&str] = &[
    "String",
    "Integer",
    "Float",
    "Numeric",
    "Boolean",
    "Sensitive",
    "Array",
    "Hash",
    "new",
    "unwrap",
];

/// True for the functions of this group.
pub(super) fn provides(name: &str) -> bool {
    CONTROL.contains(&name) || DATA.contains(&name) || CONVERSION.contains(&name)
}

pub(super) fn call(ev: &mut Evaluator<'_>, c: &Call<'_>, args: Vec<Value>) -> EvalResult<Value> {
    if CONTROL.contains(&c.name) {
        control(ev, c, args)
    } else if CONVERSION.contains(&c.name) {
        conversion(ev, c, args)
    } else {
        data(ev, c, args)
    }
}

/// Logging, `fail`, class inclusion, control flow, `defined`, `type`, `create_resources`.
fn control(ev: &mut Evaluator<'_>, c: &Call<'_>, args: Vec<Value>) -> EvalResult<Value> {
    let (name, lambda, e) = (c.name, c.lambda, c.at);
    let _ = (lambda, e);
    Ok(match name {
        "notice" | "info" | "debug" | "warning" | "err" | "alert" | "crit" | "emerg" => {
            let msg = args
                .iter()
                .map(|a| a.to_interpolated())
                .collect::<Vec<_>>()
                .join(" ");
            let level = if name == "warning"
                || name == "err"
                || name == "alert"
                || name == "crit"
                || name == "emerg"
            {
                Level::Warning
            } else {
                Level::Notice
            };
            ev.notices.push(Problem {
                level,
                message: format!("Scope(Site): {msg}"),
                location: ev.loc(e),
            });
            Value::Undef
        }
        "fail" => {
            let msg = args
                .iter()
                .map(|a| a.to_string())
                .collect::<Vec<_>>()
                .join(" ");
            return c.fail(
                ev,
                format!("Evaluation Error: Error while evaluating a Function Call, {msg}"),
            );
        }
        "include" | "contain" | "require" | "realize" | "tag" => {
            // Classes are lazy in the environment compile; declared classes show as
            // `Class[...]` children (and are not application components).
            if name != "tag" && name != "realize" {
                for a in &args {
                    let cls = match a {
                        Value::Str(s) => s.trim_start_matches("::").to_lowercase(),
                        Value::Ref(r) => r.title.to_lowercase(),
                        Value::Type(t, _) => t.to_lowercase(),
                        _ => continue,
                    };
                    ev.declared.push(crate::eval::Declared {
                        type_name: "class".into(),
                        title: cls,
                        attributes: vec![],
                        attribute_at: vec![],
                        location: ev.loc(e),
                    });
                }
            }
            Value::Undef
        }
        "next" => return Err(Flow::Next(args.into_iter().next().unwrap_or(Value::Undef))),
        "break" => return Err(Flow::Break),
        "return" => {
            return Err(Flow::Return(
                args.into_iter().next().unwrap_or(Value::Undef),
            ));
        }
        "defined" => Value::Bool(args.iter().any(|a| match a {
            Value::Str(s) if s.starts_with('$') => ev.lookup_var(&s[1..]).is_some(),
            Value::Str(s) => ev.code.definition(s).is_some(),
            Value::Ref(r) => ev.code.definition(&r.type_name).is_some(),
            Value::Type(t, _) => ev.code.definition(t).is_some(),
            _ => false,
        })),
        "type" => Value::Type(
            args.first().map(|a| a.type_name()).unwrap_or_default(),
            vec![],
        ),
        "create_resources" => {
            c.arity(ev, &args, 2)?;
            let tname = match &args[0] {
                Value::Str(s) => s.trim_start_matches("::").to_lowercase(),
                Value::Type(t, _) => t.to_lowercase(),
                other => {
                    return c.fail(
                        ev,
                        format!(
                            "create_resources expects a type name, got {}",
                            other.type_name()
                        ),
                    );
                }
            };
            let defaults = match args.get(2) {
                Some(Value::Hash(d)) => d.clone(),
                _ => vec![],
            };
            let Value::Hash(instances) = &args[1] else {
                return c.fail(
                    ev,
                    format!(
                        "create_resources expects a Hash, got {}",
                        args[1].type_name()
                    ),
                );
            };
            for (title, attrs) in instances {
                let mut attributes: Vec<(String, Value)> = defaults
                    .iter()
                    .map(|(k, v)| (k.to_string(), v.clone()))
                    .collect();
                if let Value::Hash(a) = attrs {
                    for (k, v) in a {
                        let k = k.to_string();
                        attributes.retain(|(x, _)| *x != k);
                        attributes.push((k, v.clone()));
                    }
                }
                ev.declared.push(crate::eval::Declared {
                    type_name: tname.clone(),
                    title: title.to_string(),
                    attributes,
                    attribute_at: vec![],
                    location: ev.loc(e),
                });
            }
            Value::Undef
        }
        _ => return c.not_in_group(ev),
    })
}

/// Strings, arrays and hashes.
fn data(ev: &mut Evaluator<'_>, c: &Call<'_>, args: Vec<Value>) -> EvalResult<Value> {
    let (name, lambda, e) = (c.name, c.lambda, c.at);
    let _ = (lambda, e);
    Ok(match name {
        "empty" => {
            c.arity(ev, &args, 1)?;
            Value::Bool(match &args[0] {
                Value::Array(a) => a.is_empty(),
                Value::Hash(h) => h.is_empty(),
                Value::Str(s) => s.is_empty(),
                Value::Undef => true,
                _ => false,
            })
        }
        "keys" | "values" => {
            c.arity(ev, &args, 1)?;
            match &args[0] {
                Value::Hash(h) => Value::Array(
                    h.iter()
                        .map(|(k, v)| if name == "keys" { k.clone() } else { v.clone() })
                        .collect(),
                ),
                other => {
                    return c.fail(
                        ev,
                        format!("'{name}' expects a Hash value, got {}", other.type_name()),
                    );
                }
            }
        }
        "join" => {
            c.arity(ev, &args, 1)?;
            let sep = args.get(1).map(|s| s.to_string()).unwrap_or_default();
            match &args[0] {
                Value::Array(a) => Value::Str(
                    a.iter()
                        .map(|x| x.to_string())
                        .collect::<Vec<_>>()
                        .join(&sep),
                ),
                other => {
                    return c.fail(
                        ev,
                        format!("'join' expects an Array value, got {}", other.type_name()),
                    );
                }
            }
        }
        "split" => {
            c.arity(ev, &args, 2)?;
            let s = args[0].to_string();
            match &args[1] {
                Value::Regex(r) | Value::Str(r) => match regex::Regex::new(r) {
                    Ok(re) => {
                        Value::Array(re.split(&s).map(|x| Value::Str(x.to_string())).collect())
                    }
                    Err(e2) => {
                        return c.fail(ev, format!("'split' was given an invalid pattern: {e2}"));
                    }
                },
                other => {
                    return c.fail(
                        ev,
                        format!(
                            "'split' expects a String or Regexp pattern, got {}",
                            other.type_name()
                        ),
                    );
                }
            }
        }
        "flatten" => {
            let mut out = vec![];
            for a in args {
                flatten_into(a, &mut out);
            }
            Value::Array(out)
        }
        "unique" => {
            c.arity(ev, &args, 1)?;
            match &args[0] {
                Value::Array(a) => {
                    let mut out: Vec<Value> = vec![];
                    for x in a {
                        if !out.contains(x) {
                            out.push(x.clone());
                        }
                    }
                    Value::Array(out)
                }
                other => other.clone(),
            }
        }
        "sprintf" => {
            c.arity(ev, &args, 1)?;
            Value::Str(sprintf(&args[0].to_string(), &args[1..]))
        }
        "match" => {
            c.arity(ev, &args, 2)?;
            let s = args[0].to_string();
            let re = match &args[1] {
                Value::Regex(r) | Value::Str(r) => r.clone(),
                _ => return c.fail(ev, "'match' expects a pattern".to_string()),
            };
            if ev.regex_match(&s, &re) {
                let re = regex::Regex::new(&re).expect("matched above");
                match re.captures(&s) {
                    Some(c) => Value::Array(
                        c.iter()
                            .map(|m| m.map_or(Value::Undef, |m| Value::Str(m.as_str().to_string())))
                            .collect(),
                    ),
                    None => Value::Undef,
                }
            } else {
                Value::Undef
            }
        }
        "regsubst" => {
            c.arity(ev, &args, 3)?;
            let s = args[0].to_string();
            let re = match &args[1] {
                Value::Regex(r) | Value::Str(r) => r.clone(),
                _ => return c.fail(ev, "'regsubst' expects a pattern".to_string()),
            };
            let global = args.get(3).is_some_and(|f| f.to_string().contains('G'));
            match regex::Regex::new(&re) {
                Ok(r) => {
                    let rep = args[2]
                        .to_string()
                        .replace("\\0", "${0}")
                        .replace("\\1", "${1}")
                        .replace("\\2", "${2}");
                    Value::Str(if global {
                        r.replace_all(&s, rep.as_str()).into_owned()
                    } else {
                        r.replace(&s, rep.as_str()).into_owned()
                    })
                }
                Err(e2) => {
                    return c.fail(ev, format!("'regsubst' was given an invalid pattern: {e2}"));
                }
            }
        }
        "length" => {
            c.arity(ev, &args, 1)?;
            return super::size_of(ev, c, &args[0]);
        }
        _ => return c.not_in_group(ev),
    })
}

/// Calling a type as a function (`String(x)`, `Integer($s)`, `T.new(...)`).
fn conversion(ev: &mut Evaluator<'_>, c: &Call<'_>, args: Vec<Value>) -> EvalResult<Value> {
    let (name, lambda, e) = (c.name, c.lambda, c.at);
    let _ = (lambda, e);
    Ok(match name {
        // Puppet 5.5's String.new prints a float with `%f`.
        "String" => Value::Str(match args.first() {
            Some(Value::Float(f)) => format!("{f:.6}"),
            Some(a) => a.to_string(),
            None => String::new(),
        }),
        // Sensitive's `unwrap`: the value itself (anything else unchanged, as in Puppet).
        "unwrap" => match args.into_iter().next() {
            Some(Value::Sensitive(s)) => s.reveal().clone(),
            Some(other) => other,
            None => return c.fail(ev, "'unwrap' expects 1 argument, got 0".to_string()),
        },
        "Integer" | "Float" | "Numeric" | "Boolean" | "Sensitive" => {
            let t = Value::Type(name.to_string(), vec![]);
            return new_or_fail(ev, c, &t, args);
        }
        "Array" => match args.into_iter().next() {
            Some(Value::Array(a)) => Value::Array(a),
            Some(Value::Hash(h)) => Value::Array(
                h.into_iter()
                    .map(|(k, v)| Value::Array(vec![k, v]))
                    .collect(),
            ),
            Some(other) => Value::Array(vec![other]),
            None => Value::Array(vec![]),
        },
        "Hash" => match args.into_iter().next() {
            Some(Value::Hash(h)) => Value::Hash(h),
            Some(Value::Array(a)) => Value::Hash(pairs(a)),
            _ => Value::Hash(vec![]),
        },
        "new" => {
            // `Type.new(x)`: the receiver is the type.
            let mut it = args.into_iter();
            let t = it.next();
            let rest: Vec<Value> = it.collect();
            let tname = match &t {
                Some(Value::Type(n, p))
                    if p.is_empty() && matches!(n.as_str(), "String" | "Array" | "Hash") =>
                {
                    n.clone()
                }
                Some(t @ Value::Type(..)) => return new_or_fail(ev, c, t, rest),
                _ => return c.fail(ev, "'new' expects a type".to_string()),
            };
            return ev.call_function(&tname, rest, lambda, e);
        }
        _ => return c.not_in_group(ev),
    })
}

/// Puppet's `new` of a type with arguments, its failure an error of the call.
fn new_or_fail(ev: &Evaluator<'_>, c: &Call<'_>, t: &Value, args: Vec<Value>) -> EvalResult<Value> {
    crate::eval::types::new_instance(t, args).or_else(|m| {
        c.fail(
            ev,
            format!("Evaluation Error: Error while evaluating a Function Call, {m}"),
        )
    })
}

/// A small `sprintf`: `%s`, `%d`, `%i`, `%f`, `%%` with optional width/precision.
fn sprintf(fmt: &str, args: &[Value]) -> String {
    let mut out = String::new();
    let mut it = args.iter();
    let mut chars = fmt.chars().peekable();
    while let Some(c) = chars.next() {
        if c != '%' {
            out.push(c);
            continue;
        }
        let mut spec = String::new();
        while let Some(&n) = chars.peek() {
            if n.is_ascii_digit() || n == '.' || n == '-' {
                spec.push(n);
                chars.next();
            } else {
                break;
            }
        }
        match chars.next() {
            Some('%') => out.push('%'),
            Some('s') => out.push_str(&pad(
                &it.next().map(|v| v.to_string()).unwrap_or_default(),
                &spec,
            )),
            Some('d' | 'i') => {
                let v = match it.next() {
                    Some(Value::Int(i)) => i.to_string(),
                    Some(Value::Float(f)) => (*f as i64).to_string(),
                    Some(other) => other.to_string(),
                    None => String::new(),
                };
                out.push_str(&pad(&v, &spec));
            }
            Some('f') => {
                let v = match it.next() {
                    Some(Value::Int(i)) => *i as f64,
                    Some(Value::Float(f)) => *f,
                    _ => 0.0,
                };
                let prec = spec
                    .split('.')
                    .nth(1)
                    .and_then(|p| p.parse().ok())
                    .unwrap_or(6);
                out.push_str(&format!("{v:.prec$}"));
            }
            Some(other) => {
                out.push('%');
                out.push_str(&spec);
                out.push(other);
            }
            None => out.push('%'),
        }
    }
    out
}

fn pad(s: &str, spec: &str) -> String {
    let left = spec.starts_with('-');
    let width: usize = spec
        .trim_start_matches('-')
        .split('.')
        .next()
        .and_then(|w| w.parse().ok())
        .unwrap_or(0);
    if s.chars().count() >= width {
        return s.to_string();
    }
    let fill = " ".repeat(width - s.chars().count());
    if left {
        format!("{s}{fill}")
    } else {
        format!("{fill}{s}")
    }
}

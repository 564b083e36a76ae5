//! Puppet's own functions (Puppet 5.5.22 `lib/puppet/functions`, `lib/puppet/parser/functions`)
//! that site and application code calls; the iterating ones are in `iteration`.

use super::signature::{Block, Count, Param, Signature, dispatch};
use super::{Call, flatten_into};
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
    "empty",
    "keys",
    "values",
    "join",
    "split",
    "flatten",
    "unique",
    "sprintf",
    "match",
    "regsubst",
    "length",
    "dig",
    "versioncmp",
    "assert_type",
    "convert_to",
    "md5",
    "sha1",
    "sha256",
    "shellquote",
];

/// One signature without a block.
const fn plain(params: &'static [Param]) -> Signature {
    Signature {
        params,
        block: Block::No,
    }
}

/// Puppet 5.5's signatures of the functions here that orch checks before running them.
fn signatures(name: &str) -> &'static [Signature] {
    const ONE: Count = Count::One;
    match name {
        "empty" => {
            const S: &[Signature] = &[
                plain(&[Param("Collection", "coll", ONE)]),
                plain(&[Param("String", "str", ONE)]),
                plain(&[Param("Numeric", "num", ONE)]),
                plain(&[Param("Binary", "bin", ONE)]),
                plain(&[Param("Undef", "x", ONE)]),
            ];
            S
        }
        "keys" | "values" => {
            const S: &[Signature] = &[plain(&[Param("Hash", "hsh", ONE)])];
            S
        }
        "join" => {
            const S: &[Signature] = &[plain(&[
                Param("Array", "arg", ONE),
                Param("String", "delimiter", Count::Optional),
            ])];
            S
        }
        "split" => {
            const S: &[Signature] = &[
                plain(&[Param("String", "str", ONE), Param("String", "pattern", ONE)]),
                plain(&[Param("String", "str", ONE), Param("Regexp", "pattern", ONE)]),
                plain(&[
                    Param("String", "str", ONE),
                    Param("Type[Regexp]", "pattern", ONE),
                ]),
            ];
            S
        }
        "length" => {
            const S: &[Signature] = &[
                plain(&[Param("Collection", "arg", ONE)]),
                plain(&[Param("String", "arg", ONE)]),
                plain(&[Param("Binary", "arg", ONE)]),
            ];
            S
        }
        "dig" => {
            const S: &[Signature] = &[plain(&[
                Param("Optional[Collection]", "data", ONE),
                Param("Any", "arg", Count::Repeated),
            ])];
            S
        }
        "versioncmp" => {
            const S: &[Signature] = &[plain(&[
                Param("String", "a", ONE),
                Param("String", "b", ONE),
            ])];
            S
        }
        "assert_type" => {
            const S: &[Signature] = &[
                Signature {
                    params: &[Param("Type", "type", ONE), Param("Any", "value", ONE)],
                    block: Block::Optional,
                },
                Signature {
                    params: &[
                        Param("String", "type_string", ONE),
                        Param("Any", "value", ONE),
                    ],
                    block: Block::Optional,
                },
            ];
            S
        }
        "convert_to" => {
            const S: &[Signature] = &[Signature {
                params: &[Param("Any", "value", ONE), Param("Type", "type", ONE)],
                block: Block::Optional,
            }];
            S
        }
        _ => &[],
    }
}
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
            // A class, define or application, or any resource type Puppet knows.
            Value::Str(s) | Value::Type(s, _) => {
                ev.code.definition(s).is_some() || crate::code::resource_type_known(ev.code, s)
            }
            Value::Ref(r) => ev.code.definition(&r.type_name).is_some(),
            _ => false,
        })),
        "type" => {
            let v = args.first().cloned().unwrap_or(Value::Undef);
            match args.get(1) {
                Some(Value::Str(m)) if m == "generalized" => {
                    let text = crate::eval::types::generalized(&v);
                    crate::eval::types::parse_type(&text).unwrap_or(Value::Type(text, vec![]))
                }
                _ => detailed_type(&v),
            }
        }
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
    let sigs = signatures(name);
    if !sigs.is_empty() {
        dispatch(ev, c, sigs, &args)?;
    }
    Ok(match name {
        "dig" | "versioncmp" | "assert_type" | "convert_to" => return more_data(ev, c, args),
        "md5" | "sha1" | "sha256" => {
            if args.len() != 1 {
                return c.raise(
                    ev,
                    format!(
                        "{name}(): Wrong number of arguments given ({} for 1)",
                        args.len()
                    ),
                );
            }
            Value::Str(digest(name, args[0].to_string().as_bytes()))
        }
        "shellquote" => {
            let mut words = vec![];
            for a in args {
                flatten_into(a, &mut words);
            }
            let quoted: Vec<String> = words.iter().map(|w| shell_word(&w.to_string())).collect();
            Value::Str(quoted.join(" "))
        }
        "empty" => Value::Bool(match &args[0] {
            Value::Array(a) => a.is_empty(),
            Value::Hash(h) => h.is_empty(),
            Value::Str(s) => s.is_empty(),
            Value::Undef => true,
            _ => false,
        }),
        "keys" | "values" => match &args[0] {
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
        },
        "join" => {
            let sep = args.get(1).map(|s| s.to_string()).unwrap_or_default();
            match &args[0] {
                Value::Array(a) => Value::Str(
                    {
                        let mut flat = vec![];
                        flatten_into(Value::Array(a.clone()), &mut flat);
                        flat
                    }
                    .iter()
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
            let s = args[0].to_string();
            let pattern = match &args[1] {
                Value::Regex(r) | Value::Str(r) => r.clone(),
                Value::Type(_, p) => match p.first() {
                    Some(Value::Regex(r) | Value::Str(r)) => r.clone(),
                    _ => String::new(),
                },
                _ => String::new(),
            };
            match regex::Regex::new(&pattern) {
                Ok(re) => Value::Array(ruby_split(&s, &re)),
                Err(e2) => {
                    return c.fail(ev, format!("'split' was given an invalid pattern: {e2}"));
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
            Value::Str(super::sprintf::sprintf(&args[0].to_string(), &args[1..]))
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
            return super::size_of(ev, c, &args[0]);
        }
        _ => return c.not_in_group(ev),
    })
}

/// Puppet's detailed inferred type of a value (`type($v)`): `Integer[1, 1]`, `Tuple[...]`,
/// `Struct[{...}]`, `Array[0, 0]`.
pub(super) fn detailed_type(v: &Value) -> Value {
    let t = |name: &str, params: Vec<Value>| Value::Type(name.to_string(), params);
    match v {
        Value::Undef => t("Undef", vec![]),
        Value::Default => t("Default", vec![]),
        Value::Bool(b) => t("Boolean", vec![Value::Bool(*b)]),
        Value::Int(i) => t("Integer", vec![Value::Int(*i), Value::Int(*i)]),
        Value::Float(f) => t("Float", vec![Value::Float(*f), Value::Float(*f)]),
        Value::Str(_) => t("String", vec![]),
        Value::Regex(r) => t("Regexp", vec![Value::Regex(r.clone())]),
        Value::Type(..) | Value::Ref(_) => t("Type", vec![v.clone()]),
        Value::Sensitive(s) => t("Sensitive", vec![detailed_type(s.reveal())]),
        Value::Array(a) if a.is_empty() => t("Array", vec![Value::Int(0), Value::Int(0)]),
        Value::Array(a) => t("Tuple", a.iter().map(detailed_type).collect()),
        Value::Hash(h) if h.is_empty() => t("Hash", vec![Value::Int(0), Value::Int(0)]),
        Value::Hash(h) if h.iter().all(|(k, _)| matches!(k, Value::Str(_))) => t(
            "Struct",
            vec![Value::Hash(
                h.iter()
                    .map(|(k, x)| (k.clone(), detailed_type(x)))
                    .collect(),
            )],
        ),
        other => {
            let text = crate::eval::types::generalized(other);
            crate::eval::types::parse_type(&text).unwrap_or(Value::Type(text, vec![]))
        }
    }
}

/// The hex digest Puppet's `md5`, `sha1` and `sha256` give.
fn digest(algorithm: &str, bytes: &[u8]) -> String {
    use sha2::Digest;
    let raw: Vec<u8> = match algorithm {
        "md5" => md5::Md5::digest(bytes).to_vec(),
        "sha1" => sha1::Sha1::digest(bytes).to_vec(),
        _ => sha2::Sha256::digest(bytes).to_vec(),
    };
    raw.iter().map(|b| format!("{b:02x}")).collect()
}

/// One word quoted as Puppet's `shellquote` quotes it for a Bourne shell.
fn shell_word(w: &str) -> String {
    let safe = |c: char| c.is_ascii_alphanumeric() || "@%_+=:,./-".contains(c);
    let dangerous = |c: char| "!\"`$\\".contains(c);
    if !w.is_empty() && w.chars().all(safe) {
        w.to_string()
    } else if !w.chars().any(dangerous) {
        format!("\"{w}\"")
    } else if !w.contains('\'') {
        format!("'{w}'")
    } else {
        let mut r = String::from("\"");
        for c in w.chars() {
            if dangerous(c) {
                r.push('\\');
            }
            r.push(c);
        }
        r.push('"');
        r
    }
}

/// Ruby's `String#split` with a regular expression: an empty pattern splits into characters,
/// trailing empty strings are dropped.
fn ruby_split(s: &str, re: &regex::Regex) -> Vec<Value> {
    let mut parts: Vec<String> = if re.as_str().is_empty() {
        s.chars().map(|c| c.to_string()).collect()
    } else {
        re.split(s).map(str::to_string).collect()
    };
    while parts.last().is_some_and(String::is_empty) {
        parts.pop();
    }
    parts.into_iter().map(Value::Str).collect()
}

/// `dig`, `versioncmp`, `assert_type`, `convert_to` (their arguments checked already).
fn more_data(ev: &mut Evaluator<'_>, c: &Call<'_>, args: Vec<Value>) -> EvalResult<Value> {
    let mut args = args.into_iter();
    let first = args.next().unwrap_or(Value::Undef);
    let second = args.next().unwrap_or(Value::Undef);
    match c.name {
        "dig" => {
            let mut v = first;
            let mut walked = vec![];
            for key in std::iter::once(second).chain(args) {
                let at = walked.clone();
                walked.push(key.clone());
                v = match (&v, &key) {
                    (Value::Undef, _) => return Ok(Value::Undef),
                    (Value::Array(a), Value::Int(i)) => {
                        let i = if *i < 0 { a.len() as i64 + i } else { *i };
                        a.get(i as usize).cloned().unwrap_or(Value::Undef)
                    }
                    (Value::Array(_), _) => Value::Undef,
                    (Value::Hash(_), k) => v.hash_get(k).cloned().unwrap_or(Value::Undef),
                    (other, _) => {
                        return c.raise(
                            ev,
                            format!(
                                "The given data does not contain a Collection at {}, got '{}'",
                                super::sprintf::ruby_inspect(&Value::Array(at)),
                                other.type_name()
                            ),
                        );
                    }
                };
            }
            Ok(v)
        }
        "versioncmp" => Ok(Value::Int(versioncmp(
            &first.to_string(),
            &second.to_string(),
        ))),
        "assert_type" => {
            let t = match &first {
                Value::Str(s) => crate::eval::types::parse_type(s).unwrap_or(first.clone()),
                _ => first.clone(),
            };
            if ev.instance_of(&second, &t) {
                return Ok(second);
            }
            if let Some(l) = c.lambda {
                let actual = detailed_type(&second);
                return ev.call_lambda(l, vec![t, actual]);
            }
            let why = ev.describe_mismatch(&t, &second);
            c.raise(ev, format!("assert_type(): {why}"))
        }
        _ => {
            let v = new_or_fail(ev, c, &second, vec![first])?;
            match c.lambda {
                Some(l) => ev.call_lambda(l, vec![v]),
                None => Ok(v),
            }
        }
    }
}

/// Puppet's `versioncmp` (`Puppet::Util::Package`): `-1`, `0` or `1`.
fn versioncmp(a: &str, b: &str) -> i64 {
    use std::cmp::Ordering;
    fn segments(v: &str) -> Vec<String> {
        let mut out = vec![];
        let mut chars = v.chars().peekable();
        while let Some(c) = chars.next() {
            if c == '-' || c == '.' {
                out.push(c.to_string());
                continue;
            }
            let digit = c.is_ascii_digit();
            let mut seg = c.to_string();
            while let Some(&n) = chars.peek() {
                if n == '-' || n == '.' || n.is_ascii_digit() != digit {
                    break;
                }
                seg.push(n);
                chars.next();
            }
            out.push(seg);
        }
        out
    }
    let sign = |o: Ordering| match o {
        Ordering::Less => -1,
        Ordering::Equal => 0,
        Ordering::Greater => 1,
    };
    for (x, y) in segments(a).iter().zip(segments(b).iter()) {
        let numeric = |s: &str| s.bytes().all(|b| b.is_ascii_digit());
        if x == y {
            continue;
        }
        match (x.as_str(), y.as_str()) {
            ("-", _) | (".", _) => return -1,
            (_, "-") | (_, ".") => return 1,
            _ if numeric(x) && numeric(y) => {
                if x.starts_with('0') || y.starts_with('0') {
                    return sign(x.to_uppercase().cmp(&y.to_uppercase()));
                }
                let (p, q) = (x.parse::<u128>(), y.parse::<u128>());
                return match (p, q) {
                    (Ok(p), Ok(q)) => sign(p.cmp(&q)),
                    _ => sign(x.len().cmp(&y.len()).then(x.cmp(y))),
                };
            }
            _ => return sign(x.to_uppercase().cmp(&y.to_uppercase())),
        }
    }
    sign(a.cmp(b))
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
        "Integer" | "Float" | "Numeric" | "Boolean" | "Sensitive" | "Array" | "Hash" => {
            let t = Value::Type(name.to_string(), vec![]);
            return new_or_fail(ev, c, &t, args);
        }
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

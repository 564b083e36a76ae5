//! stdlib's functions that read data files and write data formats: `loadyaml`, `loadjson`
//! (files on this machine, as the Puppet server read them on its own; a relative path is taken
//! inside the environment, where the server's working directory was arbitrary), `to_json`,
//! `to_json_pretty`, `to_yaml`.

use super::Call;
use crate::Value;
use crate::eval::{EvalResult, Evaluator};
use crate::problem::Problem;

/// The functions of this group.
pub(super) const NAMES: &[&str] = &[
    "loadyaml",
    "loadjson",
    "to_json",
    "to_json_pretty",
    "to_yaml",
];

pub(super) fn call(ev: &mut Evaluator<'_>, c: &Call<'_>, args: Vec<Value>) -> EvalResult<Value> {
    match c.name {
        "loadyaml" | "loadjson" => load(ev, c, &args),
        _ => {
            c.arity(ev, &args, 1)?;
            let v = &args[0];
            Ok(Value::Str(match c.name {
                "to_json" => json(v, None, 0),
                "to_json_pretty" => json(v, Some("  "), 0) + "\n",
                _ => format!(
                    "---\n{}",
                    serde_yaml_ng::to_string(&to_yaml(v)).unwrap_or_default()
                ),
            }))
        }
    }
}

fn load(ev: &mut Evaluator<'_>, c: &Call<'_>, args: &[Value]) -> EvalResult<Value> {
    let Some(path) = args.first() else {
        return c.fail(
            ev,
            "Evaluation Error: Error while evaluating a Function Call, Wrong number of arguments. 1 or 2 arguments should be provided.".into(),
        );
    };
    let path = path.to_string();
    let default = args.get(1).cloned().unwrap_or(Value::Undef);
    if path.starts_with("http://") || path.starts_with("https://") {
        return c.fail(
            ev,
            format!(
                "Unsupported function: '{}' of a URL: orch evaluates the environment without a Puppet server, and does not fetch '{path}'",
                c.name
            ),
        );
    }
    let file = match ev.code.environment_dir() {
        Some(dir) => dir.join(&path),
        None => std::path::PathBuf::from(&path),
    };
    let text = match std::fs::read_to_string(&file) {
        Ok(t) => t,
        Err(_) if !file.exists() => {
            ev.notices.push(Problem::warning(
                format!("Can't load '{path}' File does not exist!"),
                ev.loc(c.at),
            ));
            return Ok(default);
        }
        Err(e) => return failed(ev, c, default, format!("{e} @ rb_sysopen - {path}")),
    };
    // JSON is read as YAML (a superset, for data) so that hashes keep their order.
    let parsed = serde_yaml_ng::from_str::<serde_yaml_ng::Value>(&text);
    match parsed {
        // An empty document gives the default, as `YAML.load_file(f) || default`.
        Ok(serde_yaml_ng::Value::Null) => Ok(default),
        Ok(v) => Ok(from_yaml(v)),
        Err(e) if c.name == "loadyaml" => {
            failed(ev, c, default, format!("({path}): {}", psych(&e)))
        }
        Err(e) => failed(ev, c, default, format!("{e}")),
    }
}

/// A read or parse failure: the default when one was given, else the error.
fn failed(ev: &Evaluator<'_>, c: &Call<'_>, default: Value, msg: String) -> EvalResult<Value> {
    if default.is_truthy() {
        return Ok(default);
    }
    c.fail(
        ev,
        format!("Evaluation Error: Error while evaluating a Function Call, {msg}"),
    )
}

/// Data as Puppet reads it from JSON or YAML.
pub(crate) fn from_yaml(v: serde_yaml_ng::Value) -> Value {
    use serde_yaml_ng::Value as Y;
    match v {
        Y::Null => Value::Undef,
        Y::Bool(b) => Value::Bool(b),
        Y::Number(n) => match n.as_i64() {
            Some(i) => Value::Int(i),
            None => Value::Float(n.as_f64().unwrap_or(0.0)),
        },
        Y::String(s) => Value::Str(s),
        Y::Sequence(a) => Value::Array(a.into_iter().map(from_yaml).collect()),
        Y::Mapping(m) => Value::Hash(
            m.into_iter()
                .map(|(k, v)| (from_yaml(k), from_yaml(v)))
                .collect(),
        ),
        Y::Tagged(t) => from_yaml(t.value),
    }
}

/// A value as YAML (what is not data, as its string form).
fn to_yaml(v: &Value) -> serde_yaml_ng::Value {
    use serde_yaml_ng::Value as Y;
    match v {
        Value::Undef => Y::Null,
        Value::Bool(b) => Y::Bool(*b),
        Value::Int(i) => Y::Number((*i).into()),
        Value::Float(f) => Y::Number((*f).into()),
        Value::Str(s) => Y::String(s.clone()),
        Value::Array(a) => Y::Sequence(a.iter().map(to_yaml).collect()),
        Value::Hash(h) => Y::Mapping(h.iter().map(|(k, v)| (to_yaml(k), to_yaml(v))).collect()),
        other => Y::String(other.to_string()),
    }
}

/// Ruby's `JSON.generate` (`indent: None`) or `JSON.pretty_generate`, keys in hash order.
fn json(v: &Value, indent: Option<&str>, level: usize) -> String {
    let quote = |s: &str| serde_json::Value::String(s.to_string()).to_string();
    let (open, close, items): (&str, &str, Vec<String>) = match v {
        Value::Undef => return "null".into(),
        Value::Bool(b) => return b.to_string(),
        Value::Int(i) => return i.to_string(),
        Value::Float(f) => return crate::value::ruby_float(*f),
        Value::Array(a) => (
            "[",
            "]",
            a.iter().map(|x| json(x, indent, level + 1)).collect(),
        ),
        Value::Hash(h) => (
            "{",
            "}",
            h.iter()
                .map(|(k, x)| {
                    let sep = if indent.is_some() { ": " } else { ":" };
                    format!(
                        "{}{sep}{}",
                        quote(&k.to_string()),
                        json(x, indent, level + 1)
                    )
                })
                .collect(),
        ),
        other => return quote(&other.to_string()),
    };
    if items.is_empty() {
        return format!("{open}{close}");
    }
    match indent {
        None => format!("{open}{}{close}", items.join(",")),
        Some(ind) => {
            let inner = ind.repeat(level + 1);
            let outer = ind.repeat(level);
            let body: Vec<String> = items.iter().map(|i| format!("{inner}{i}")).collect();
            format!("{open}\n{}\n{outer}{close}", body.join(",\n"))
        }
    }
}

/// A YAML error worded as Psych (libyaml) words it: the problem, then its context.
fn psych(e: &serde_yaml_ng::Error) -> String {
    let text = e.to_string();
    match regex::Regex::new(r" at line \d+ column \d+, while") {
        Ok(re) => re.replace(&text, " while").into_owned(),
        Err(_) => text,
    }
}

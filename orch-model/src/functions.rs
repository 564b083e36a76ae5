//! The function registry: Puppet's core functions that site and application code calls,
//! `collect_component_titles` of app_modeling, Puppet-language functions from modules, and a
//! clear error for everything else.

use orch_parser::{Expr, Lambda};

use crate::eval::{EvalResult, Evaluator, Flow};
use crate::problem::{Level, Problem};
use crate::{ResourceRef, Value};

/// Functions orch knows but cannot run, and why.
const UNSUPPORTED: &[(&str, &str)] = &[
    ("puppetdb_query", "it needs PuppetDB"),
    ("lookup", "it needs Hiera data and a node"),
    ("hiera", "it needs Hiera data and a node"),
    ("hiera_array", "it needs Hiera data and a node"),
    ("hiera_hash", "it needs Hiera data and a node"),
    ("hiera_include", "it needs Hiera data and a node"),
    ("loadyaml", "it reads files on the Puppet server"),
    ("loadjson", "it reads files on the Puppet server"),
    ("template", "it renders ERB templates"),
    ("inline_template", "it renders ERB templates"),
    ("epp", "it renders EPP templates"),
    ("inline_epp", "it renders EPP templates"),
    ("file", "it reads files on the Puppet server"),
    ("generate", "it runs commands on the Puppet server"),
    (
        "create_component_app",
        "it is a Ruby function of app_modeling; declare the application instance in Puppet code",
    ),
    ("create_node_order", "it is a Ruby function of app_modeling"),
    ("query_nodes", "it needs PuppetDB"),
    ("query_resources", "it needs PuppetDB"),
];

impl Evaluator<'_> {
    pub(crate) fn call_function(
        &mut self,
        name: &str,
        args: Vec<Value>,
        lambda: Option<&Lambda>,
        e: &Expr,
    ) -> EvalResult<Value> {
        let name = name.trim_start_matches("::");
        let arity = |n: usize, this: &Self| -> EvalResult<()> {
            if args.len() < n {
                return Err(Flow::Error(Problem::error(
                    format!("'{name}' expects {n} arguments, got {}", args.len()),
                    this.loc(e),
                )));
            }
            Ok(())
        };
        let need_lambda = |this: &Self| -> EvalResult<&Lambda> {
            lambda.ok_or_else(|| {
                Flow::Error(Problem::error(
                    format!("'{name}' expects a block"),
                    this.loc(e),
                ))
            })
        };
        let fail = |this: &Self, msg: String| -> EvalResult<Value> {
            Err(Flow::Error(Problem::error(msg, this.loc(e))))
        };
        Ok(match name {
            "notice" | "info" | "debug" | "warning" | "err" | "alert" | "crit" | "emerg" => {
                let msg = args
                    .iter()
                    .map(|a| a.to_string())
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
                self.notices.push(Problem {
                    level,
                    message: format!("Scope(Site): {msg}"),
                    location: self.loc(e),
                });
                Value::Undef
            }
            "fail" => {
                let msg = args
                    .iter()
                    .map(|a| a.to_string())
                    .collect::<Vec<_>>()
                    .join(" ");
                return fail(
                    self,
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
                        self.declared.push(crate::eval::Declared {
                            type_name: "class".into(),
                            title: cls,
                            attributes: vec![],
                            location: self.loc(e),
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
            "size" | "length" | "count" if lambda.is_none() || name != "count" => {
                arity(1, self)?;
                match &args[0] {
                    Value::Array(a) => Value::Int(a.len() as i64),
                    Value::Hash(h) => Value::Int(h.len() as i64),
                    Value::Str(s) => Value::Int(s.chars().count() as i64),
                    other => {
                        return fail(
                            self,
                            format!(
                                "'{name}' expects a Collection or String value, got {}",
                                other.type_name()
                            ),
                        );
                    }
                }
            }
            "empty" => {
                arity(1, self)?;
                Value::Bool(match &args[0] {
                    Value::Array(a) => a.is_empty(),
                    Value::Hash(h) => h.is_empty(),
                    Value::Str(s) => s.is_empty(),
                    Value::Undef => true,
                    _ => false,
                })
            }
            "keys" | "values" => {
                arity(1, self)?;
                match &args[0] {
                    Value::Hash(h) => Value::Array(
                        h.iter()
                            .map(|(k, v)| if name == "keys" { k.clone() } else { v.clone() })
                            .collect(),
                    ),
                    other => {
                        return fail(
                            self,
                            format!("'{name}' expects a Hash value, got {}", other.type_name()),
                        );
                    }
                }
            }
            "join" => {
                arity(1, self)?;
                let sep = args.get(1).map(|s| s.to_string()).unwrap_or_default();
                match &args[0] {
                    Value::Array(a) => Value::Str(
                        a.iter()
                            .map(|x| x.to_string())
                            .collect::<Vec<_>>()
                            .join(&sep),
                    ),
                    other => {
                        return fail(
                            self,
                            format!("'join' expects an Array value, got {}", other.type_name()),
                        );
                    }
                }
            }
            "split" => {
                arity(2, self)?;
                let s = args[0].to_string();
                match &args[1] {
                    Value::Regex(r) | Value::Str(r) => match regex::Regex::new(r) {
                        Ok(re) => {
                            Value::Array(re.split(&s).map(|x| Value::Str(x.to_string())).collect())
                        }
                        Err(e2) => {
                            return fail(
                                self,
                                format!("'split' was given an invalid pattern: {e2}"),
                            );
                        }
                    },
                    other => {
                        return fail(
                            self,
                            format!(
                                "'split' expects a String or Regexp pattern, got {}",
                                other.type_name()
                            ),
                        );
                    }
                }
            }
            "upcase" | "downcase" | "capitalize" | "strip" | "lstrip" | "rstrip" | "chomp"
            | "chop" => {
                arity(1, self)?;
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
            "flatten" => {
                let mut out = vec![];
                for a in args {
                    flatten_into(a, &mut out);
                }
                Value::Array(out)
            }
            "unique" => {
                arity(1, self)?;
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
            "sort" => {
                arity(1, self)?;
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
                arity(2, self)?;
                Value::Bool(match &args[0] {
                    Value::Array(a) => a.iter().any(|x| x.puppet_eq(&args[1])),
                    _ => false,
                })
            }
            "has_key" => {
                arity(2, self)?;
                Value::Bool(args[0].hash_get(&args[1]).is_some())
            }
            "pick" | "pick_default" => args
                .iter()
                .find(|v| !matches!(v, Value::Undef) && *v != &Value::Str(String::new()))
                .cloned()
                .unwrap_or(Value::Undef),
            "range" => {
                arity(2, self)?;
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
                        _ => return fail(self, "'range' expects integer bounds".to_string()),
                    },
                }
            }
            "sprintf" => {
                arity(1, self)?;
                Value::Str(sprintf(&args[0].to_string(), &args[1..]))
            }
            "String" => Value::Str(args.first().map(|a| a.to_string()).unwrap_or_default()),
            "Integer" => match args.first() {
                Some(Value::Int(i)) => Value::Int(*i),
                Some(Value::Float(f)) => Value::Int(*f as i64),
                Some(Value::Str(s)) => match s.trim().parse() {
                    Ok(i) => Value::Int(i),
                    Err(_) => {
                        return fail(
                            self,
                            format!("The string '{s}' cannot be converted to Integer"),
                        );
                    }
                },
                Some(Value::Bool(b)) => Value::Int(i64::from(*b)),
                _ => return fail(self, "Integer() expects one argument".to_string()),
            },
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
            "Hash" | "to_hash" => match args.into_iter().next() {
                Some(Value::Hash(h)) => Value::Hash(h),
                Some(Value::Array(a)) => Value::Hash(pairs(a)),
                _ => Value::Hash(vec![]),
            },
            "new" => {
                // `Type.new(x)`: the receiver is the type.
                let mut it = args.into_iter();
                let t = it.next();
                let rest: Vec<Value> = it.collect();
                let tname = match t {
                    Some(Value::Type(n, _)) => n,
                    _ => return fail(self, "'new' expects a type".to_string()),
                };
                return self.call_function(&tname, rest, lambda, e);
            }
            "match" => {
                arity(2, self)?;
                let s = args[0].to_string();
                let re = match &args[1] {
                    Value::Regex(r) | Value::Str(r) => r.clone(),
                    _ => return fail(self, "'match' expects a pattern".to_string()),
                };
                if self.regex_match(&s, &re) {
                    let re = regex::Regex::new(&re).expect("matched above");
                    match re.captures(&s) {
                        Some(c) => Value::Array(
                            c.iter()
                                .map(|m| {
                                    m.map_or(Value::Undef, |m| Value::Str(m.as_str().to_string()))
                                })
                                .collect(),
                        ),
                        None => Value::Undef,
                    }
                } else {
                    Value::Undef
                }
            }
            "regsubst" => {
                arity(3, self)?;
                let s = args[0].to_string();
                let re = match &args[1] {
                    Value::Regex(r) | Value::Str(r) => r.clone(),
                    _ => return fail(self, "'regsubst' expects a pattern".to_string()),
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
                        return fail(
                            self,
                            format!("'regsubst' was given an invalid pattern: {e2}"),
                        );
                    }
                }
            }
            "defined" => Value::Bool(args.iter().any(|a| match a {
                Value::Str(s) if s.starts_with('$') => self.lookup_var(&s[1..]).is_some(),
                Value::Str(s) => self.env.find_definition(s).is_some(),
                Value::Ref(r) => self.env.find_definition(&r.type_name).is_some(),
                Value::Type(t, _) => self.env.find_definition(t).is_some(),
                _ => false,
            })),
            "get_compiler_environment" => Value::Str(self.env.name.clone()),
            "type" => Value::Type(
                args.first().map(|a| a.type_name()).unwrap_or_default(),
                vec![],
            ),
            "with" => {
                let l = need_lambda(self)?;
                self.call_lambda(l, args)?
            }
            "each" => {
                let l = need_lambda(self)?;
                arity(1, self)?;
                let recv = args[0].clone();
                for item in iteration_args(&recv, l.parameters.len()) {
                    match self.call_lambda(l, item) {
                        Ok(_) => {}
                        Err(Flow::Break) => break,
                        Err(other) => return Err(other),
                    }
                }
                recv
            }
            "map" | "filter" | "collect" | "select" | "reject" => {
                let l = need_lambda(self)?;
                arity(1, self)?;
                let recv = args[0].clone();
                let items = iteration_args(&recv, l.parameters.len());
                let originals = originals(&recv);
                let mut out = vec![];
                let mut kept = vec![];
                for (item, orig) in items.into_iter().zip(originals) {
                    let v = match self.call_lambda(l, item) {
                        Ok(v) => v,
                        Err(Flow::Break) => break,
                        Err(other) => return Err(other),
                    };
                    match name {
                        "map" | "collect" => out.push(v),
                        "filter" | "select" if v.is_truthy() => kept.push(orig),
                        "reject" if !v.is_truthy() => kept.push(orig),
                        _ => {}
                    }
                }
                match (name, &recv) {
                    ("map" | "collect", _) => Value::Array(out),
                    (_, Value::Hash(_)) => Value::Hash(pairs(kept)),
                    _ => Value::Array(kept),
                }
            }
            "reduce" => {
                let l = need_lambda(self)?;
                arity(1, self)?;
                let items = match &args[0] {
                    Value::Hash(h) => h
                        .iter()
                        .map(|(k, v)| Value::Array(vec![k.clone(), v.clone()]))
                        .collect(),
                    Value::Array(a) => a.clone(),
                    Value::Int(n) => (0..*n).map(Value::Int).collect(),
                    other => {
                        return fail(
                            self,
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
                    match self.call_lambda(l, vec![current.clone(), x]) {
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
            "collect_component_titles" => {
                // app_modeling: the titles of the components of a type in a `nodes` mapping.
                arity(2, self)?;
                let want = match &args[1] {
                    Value::Type(t, _) => t.to_lowercase(),
                    Value::Str(s) => s.to_lowercase(),
                    other => {
                        return fail(
                            self,
                            format!(
                                "collect_component_titles expects a type, got {}",
                                other.type_name()
                            ),
                        );
                    }
                };
                let mut titles = vec![];
                if let Value::Hash(h) = &args[0] {
                    for (_, comps) in h {
                        let comps = match comps {
                            Value::Array(a) => a.clone(),
                            other => vec![other.clone()],
                        };
                        for c in comps {
                            if let Value::Ref(r) = c
                                && r.type_name.to_lowercase() == want
                            {
                                titles.push(Value::Str(r.title.clone()));
                            }
                        }
                    }
                }
                Value::Array(titles)
            }
            "create_resources" => {
                arity(2, self)?;
                let tname = match &args[0] {
                    Value::Str(s) => s.trim_start_matches("::").to_lowercase(),
                    Value::Type(t, _) => t.to_lowercase(),
                    other => {
                        return fail(
                            self,
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
                    return fail(
                        self,
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
                    self.declared.push(crate::eval::Declared {
                        type_name: tname.clone(),
                        title: title.to_string(),
                        attributes,
                        location: self.loc(e),
                    });
                }
                Value::Undef
            }
            _ => {
                if let Some(v) = self.call_puppet_function(name, args, e)? {
                    return Ok(v);
                }
                if let Some((_, why)) = UNSUPPORTED.iter().find(|(n, _)| *n == name) {
                    return fail(
                        self,
                        format!(
                            "Unsupported function: '{name}': orch evaluates the environment without a Puppet server, and {why}"
                        ),
                    );
                }
                return fail(
                    self,
                    format!("Evaluation Error: Unknown function: '{name}'."),
                );
            }
        })
    }
}

fn map_strings(v: &Value, f: &dyn Fn(&str) -> String) -> Value {
    match v {
        Value::Str(s) => Value::Str(f(s)),
        Value::Array(a) => Value::Array(a.iter().map(|x| map_strings(x, f)).collect()),
        other => other.clone(),
    }
}

fn flatten_into(v: Value, out: &mut Vec<Value>) {
    match v {
        Value::Array(a) => a.into_iter().for_each(|x| flatten_into(x, out)),
        other => out.push(other),
    }
}

fn pairs(items: Vec<Value>) -> Vec<(Value, Value)> {
    let mut out: Vec<(Value, Value)> = vec![];
    let mut flat = vec![];
    for i in items {
        match i {
            Value::Array(mut kv) if kv.len() == 2 => {
                let v = kv.pop().expect("two");
                let k = kv.pop().expect("two");
                out.push((k, v));
            }
            Value::Hash(h) => out.extend(h),
            other => flat.push(other),
        }
    }
    let mut it = flat.into_iter();
    while let (Some(k), Some(v)) = (it.next(), it.next()) {
        out.push((k, v));
    }
    out
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
        Value::Str(s) => s.chars().map(|c| Value::Str(c.to_string())).collect(),
        Value::Undef => vec![],
        other => vec![other.clone()],
    }
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

/// The refs in a value (a reference or an array of them); `Err` names the first non-reference.
pub(crate) fn refs_of(v: &Value) -> Result<Vec<ResourceRef>, Value> {
    match v {
        Value::Ref(r) => Ok(vec![r.clone()]),
        Value::Array(a) => {
            let mut out = vec![];
            for x in a {
                out.extend(refs_of(x)?);
            }
            Ok(out)
        }
        Value::Undef => Ok(vec![]),
        other => Err(other.clone()),
    }
}

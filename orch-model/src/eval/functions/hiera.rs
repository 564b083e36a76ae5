//! Puppet's data functions — `lookup`, `hiera`, `hiera_array`, `hiera_hash`, `hiera_include`
//! — as Puppet 5.5 ran them in the environment compile, answered by the code source's data
//! layer ([`crate::code::CodeSource::lookup_data`]): every call form of `lookup` (name, value
//! type, merge, default, options hash, default lambda), Puppet's messages.

use orch_parser::{Expr, Lambda};

use super::Call;
use crate::Value;
use crate::data::{DataAnswer, DataRequest, Found, HieraError, Merge};
use crate::eval::scope::lookup_in;
use crate::eval::{EvalResult, Evaluator, Flow};
use crate::problem::{Location, Problem};

/// The functions of this group.
pub(super) const NAMES: &[&str] = &[
    "lookup",
    "hiera",
    "hiera_array",
    "hiera_hash",
    "hiera_include",
];

pub(super) fn call(ev: &mut Evaluator<'_>, c: &Call<'_>, args: Vec<Value>) -> EvalResult<Value> {
    match c.name {
        "lookup" => ev.call_lookup(args, c.lambda, c.at),
        // Puppet's environment compiler replaces `hiera_include` with a function that does
        // nothing (environment_compiler.rb): classes are for node catalogs.
        "hiera_include" => Ok(Value::Undef),
        name => ev.call_hiera(name, args, c.lambda, c.at),
    }
}

/// A `lookup` call's arguments, whatever form they came in.
struct Request {
    names: Vec<String>,
    value_type: Option<Value>,
    merge: Option<Value>,
    default: Option<Value>,
}

impl Evaluator<'_> {
    fn lookup_fail<T>(&self, message: String, e: &Expr) -> EvalResult<T> {
        Err(Flow::Error(Problem::error(
            format!("Evaluation Error: Error while evaluating a Function Call, {message}"),
            self.loc(e),
        )))
    }

    /// One lookup through the code source, with the scope's variables for interpolation;
    /// Hiera's warnings join the compile's.
    fn hiera_lookup(
        &mut self,
        key: &str,
        merge: Option<&Merge>,
        legacy: bool,
    ) -> Result<Option<Found>, HieraError> {
        let request = DataRequest { key, merge, legacy };
        let (frames, matches) = (&self.frames, &self.matches);
        let reply = self
            .code
            .lookup_data(&request, &|name| lookup_in(frames, matches, name));
        for (w, file) in reply.warnings {
            let location = Location {
                file,
                ..Location::default()
            };
            self.notices.push(Problem::warning(w, location));
        }
        match reply.answer {
            DataAnswer::Found(f) => Ok(Some(f)),
            DataAnswer::NotFound => Ok(None),
            DataAnswer::Failed(e) => Err(e),
        }
    }

    /// A lookup error as Puppet reported it: a type assertion as the call's error at the call,
    /// any other on its own (with the file it concerns, if any).
    fn hiera_error<T>(&self, err: HieraError, e: &Expr) -> EvalResult<T> {
        if err.type_assertion {
            return self.lookup_fail(err.message, e);
        }
        let location = Location {
            file: err.file.clone(),
            line: err.line,
            column: None,
        };
        Err(Flow::Error(Problem::error(err.message, location)))
    }

    /// `lookup(...)`.
    fn call_lookup(
        &mut self,
        args: Vec<Value>,
        lambda: Option<&Lambda>,
        e: &Expr,
    ) -> EvalResult<Value> {
        if let Some(m) = super::lookup_dispatch::mismatch(&args, lambda.is_some()) {
            return self.lookup_fail(m, e);
        }
        let req = match self.lookup_request(args, lambda.is_some()) {
            Ok(r) => r,
            Err(m) => return self.lookup_fail(m, e),
        };
        let merge = match req.merge.as_ref().filter(|m| !matches!(m, Value::Undef)) {
            Some(m) => match Merge::from_value(m) {
                Ok(m) => Some(m),
                Err(err) => return self.lookup_fail(err.message, e),
            },
            None => None,
        };
        for name in &req.names {
            let found = match self.hiera_lookup(name, merge.as_ref(), false) {
                Ok(f) => f,
                Err(err) => return self.hiera_error(err, e),
            };
            if let Some(f) = found {
                let v = self.convert_found(name, f, e)?;
                return self.check_type("Found value", req.value_type.as_ref(), v, e);
            }
        }
        if let Some(l) = lambda {
            let arg = if req.names.len() == 1 {
                Value::Str(req.names[0].clone())
            } else {
                Value::Array(req.names.iter().map(|n| Value::Str(n.clone())).collect())
            };
            let v = self.call_lambda(l, vec![arg])?;
            return self.check_type(
                "Value returned from default block",
                req.value_type.as_ref(),
                v,
                e,
            );
        }
        if let Some(d) = req.default {
            return self.check_type("Default value", req.value_type.as_ref(), d, e);
        }
        self.hiera_error(HieraError::msg(not_found("lookup", &req.names)), e)
    }

    /// `lookup_options`' `convert_to`: `new` of the type with the value (and extra arguments).
    fn convert_found(&mut self, key: &str, f: Found, e: &Expr) -> EvalResult<Value> {
        let Some(conv) = f.convert_to else {
            return Ok(f.value);
        };
        let mut parts = match conv {
            Value::Array(a) => a,
            other => vec![other],
        };
        if parts.is_empty() {
            return Ok(f.value);
        }
        let t = parts.remove(0);
        let t = match t {
            Value::Str(s) => match crate::eval::types::parse_type(&s) {
                Some(t) => t,
                None => {
                    return self.lookup_fail(
                        format!("Invalid data type in lookup_options for key '{key}' could not parse '{s}', error: 'Syntax error'"),
                        e,
                    );
                }
            },
            other => other,
        };
        let mut args = vec![f.value];
        args.extend(parts);
        match crate::eval::types::new_instance(&t, args) {
            Ok(v) => Ok(v),
            Err(m) => self.lookup_fail(
                format!("The convert_to lookup_option for key '{key}' raised error: {m}"),
                e,
            ),
        }
    }

    fn check_type(
        &mut self,
        subject: &str,
        t: Option<&Value>,
        v: Value,
        e: &Expr,
    ) -> EvalResult<Value> {
        match t {
            Some(t) if !self.instance_of(&v, t) => {
                let why = self.describe_mismatch(t, &v);
                self.lookup_fail(format!("{subject} has wrong type, {why}"), e)
            }
            _ => Ok(v),
        }
    }

    /// The five dispatches of Puppet's `lookup` (functions/lookup.rb).
    fn lookup_request(&self, args: Vec<Value>, has_block: bool) -> Result<Request, String> {
        let names_of = |v: &Value| -> Option<Vec<String>> {
            match v {
                Value::Str(s) => Some(vec![s.clone()]),
                Value::Array(a) => a
                    .iter()
                    .map(|x| match x {
                        Value::Str(s) => Some(s.clone()),
                        _ => None,
                    })
                    .collect(),
                _ => None,
            }
        };
        let mut it = args.into_iter();
        let first = it.next();
        let rest: Vec<Value> = it.collect();
        let opt = |h: &Value, k: &str| h.hash_get(&Value::Str(k.into())).cloned();
        match (first, rest.as_slice()) {
            (Some(h @ Value::Hash(_)), []) => {
                let names = opt(&h, "name")
                    .as_ref()
                    .and_then(names_of)
                    .ok_or("'lookup' expects an options hash with a 'name' of type Variant[String, Array[String]]")?;
                Ok(Request {
                    names,
                    value_type: opt(&h, "value_type").filter(|v| !matches!(v, Value::Undef)),
                    merge: opt(&h, "merge"),
                    default: h.hash_get(&Value::Str("default_value".into())).cloned(),
                })
            }
            (Some(n), [h @ Value::Hash(_)]) if names_of(&n).is_some() => Ok(Request {
                names: names_of(&n).expect("checked"),
                value_type: opt(h, "value_type").filter(|v| !matches!(v, Value::Undef)),
                merge: opt(h, "merge"),
                default: h.hash_get(&Value::Str("default_value".into())).cloned(),
            }),
            (Some(n), rest) if names_of(&n).is_some() && rest.len() <= 3 => {
                let value_type = rest.first().cloned().filter(|v| !matches!(v, Value::Undef));
                if let Some(t) = &value_type
                    && !matches!(t, Value::Type(..))
                {
                    return Err(format!(
                        "'lookup' parameter 'value_type' expects a Type value, got {}",
                        t.type_name()
                    ));
                }
                if has_block && rest.len() == 3 {
                    return Err("'lookup' expects no default value when given a block".into());
                }
                Ok(Request {
                    names: names_of(&n).expect("checked"),
                    value_type,
                    merge: rest.get(1).cloned(),
                    default: rest.get(2).cloned(),
                })
            }
            (None, _) => Err("'lookup' expects between 1 and 4 arguments, got none".into()),
            (Some(n), _) if names_of(&n).is_none() => Err(format!(
                "'lookup' parameter 'name' expects a value of type String or Array, got {}",
                n.type_name()
            )),
            (_, rest) => Err(format!(
                "'lookup' expects between 1 and 4 arguments, got {}",
                rest.len() + 1
            )),
        }
    }

    /// `hiera`, `hiera_array`, `hiera_hash`: the key, an optional default, an optional
    /// override (a Hiera 3 feature without effect here), or a default lambda.
    fn call_hiera(
        &mut self,
        name: &str,
        args: Vec<Value>,
        lambda: Option<&Lambda>,
        e: &Expr,
    ) -> EvalResult<Value> {
        let key = match args.first() {
            Some(Value::Str(s)) => s.clone(),
            Some(other) => {
                return self.lookup_fail(
                    format!(
                        "'{name}' parameter 'key' expects a String value, got {}",
                        other.type_name()
                    ),
                    e,
                );
            }
            None => {
                return self.lookup_fail(
                    format!("'{name}' expects between 1 and 3 arguments, got none"),
                    e,
                );
            }
        };
        let merge = match name {
            "hiera_array" => Merge::Unique,
            "hiera_hash" => Merge::Hash,
            _ => Merge::First,
        };
        self.notices.push(Problem::warning(
            format!(
                "The function '{name}' is deprecated in favor of using 'lookup'. See https://puppet.com/docs/puppet/5.5/deprecated_language.html"
            ),
            Default::default(),
        ));
        match self.hiera_lookup(&key, Some(&merge), true) {
            Err(err) => self.hiera_error(err, e),
            Ok(Some(f)) => Ok(f.value),
            Ok(None) => match (lambda, args.get(1)) {
                (Some(l), _) => self.call_lambda(l, vec![Value::Str(key)]),
                (None, Some(d)) => Ok(d.clone()),
                // Puppet's legacy functions fail through `lookup`, with its name.
                (None, None) => self.hiera_error(HieraError::msg(not_found("lookup", &[key])), e),
            },
        }
    }
}

/// `Function lookup() did not find a value for the name 'x'` (or for any of several).
fn not_found(function: &str, names: &[String]) -> String {
    if names.len() == 1 {
        format!(
            "Function {function}() did not find a value for the name '{}'",
            names[0]
        )
    } else {
        format!(
            "Function {function}() did not find a value for any of the names [{}]",
            names
                .iter()
                .map(|n| format!("'{n}'"))
                .collect::<Vec<_>>()
                .join(", ")
        )
    }
}

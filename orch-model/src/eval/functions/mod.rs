//! The native functions, grouped by where Puppet gets them: `core` and `iteration` (Puppet
//! itself), `stdlib` (puppetlabs-stdlib), `app_modeling` (puppetlabs-app_modeling); then
//! Puppet-language functions of modules; then a clear error.

mod app_modeling;
mod core;
mod files;
mod hiera;
mod iteration;
mod lookup_dispatch;
pub(super) mod signature;
mod sprintf;
mod stdlib;

use orch_parser::{Expr, Lambda};

use crate::Value;
use crate::eval::{EvalResult, Evaluator, Flow};
use crate::problem::Problem;

/// Functions orch knows but cannot run, and why.
const UNSUPPORTED: &[(&str, &str)] = &[
    ("puppetdb_query", "it needs PuppetDB"),
    ("template", "it renders ERB templates"),
    ("inline_template", "it renders ERB templates"),
    ("epp", "it renders EPP templates"),
    ("inline_epp", "it renders EPP templates"),
    ("file", "it reads files on the Puppet server"),
    ("generate", "it runs commands on the Puppet server"),
    ("query_nodes", "it needs PuppetDB"),
    ("query_resources", "it needs PuppetDB"),
];

/// One call of a native function: its name (without a leading `::`), its lambda, where.
pub(crate) struct Call<'a> {
    pub(crate) name: &'a str,
    pub(crate) lambda: Option<&'a Lambda>,
    pub(crate) at: &'a Expr,
}

impl Call<'_> {
    /// At least `n` arguments.
    pub(crate) fn arity(&self, ev: &Evaluator<'_>, args: &[Value], n: usize) -> EvalResult<()> {
        if args.len() < n {
            return self.fail(
                ev,
                format!("'{}' expects {n} arguments, got {}", self.name, args.len()),
            );
        }
        Ok(())
    }

    /// The lambda the function needs.
    pub(crate) fn need_lambda(&self, ev: &Evaluator<'_>) -> EvalResult<&Lambda> {
        match self.lambda {
            Some(l) => Ok(l),
            None => self.raise(ev, format!("'{}' expects a block", self.name)),
        }
    }

    /// True for `$x.f(...)`, false for `f($x, ...)`.
    fn is_method(&self) -> bool {
        matches!(self.at.kind, orch_parser::ExprKind::CallMethod { .. })
    }

    /// Where Puppet places the call's errors: a function call at its name, a method call at
    /// its `(`, or its `.` without parentheses.
    fn location(&self, ev: &Evaluator<'_>) -> crate::problem::Location {
        ev.loc(self.at)
    }

    /// An error at the call.
    pub(crate) fn fail<T>(&self, ev: &Evaluator<'_>, msg: String) -> EvalResult<T> {
        Err(Flow::Error(Problem::error(msg, self.location(ev))))
    }

    /// An error raised inside the function, as Puppet reports it: in the context of the call.
    pub(crate) fn raise<T>(&self, ev: &Evaluator<'_>, msg: String) -> EvalResult<T> {
        let what = if self.is_method() {
            "Method call"
        } else {
            "Function Call"
        };
        self.fail(
            ev,
            format!("Evaluation Error: Error while evaluating a {what}, {msg}"),
        )
    }

    /// A group was asked for a function it does not have (a bug in the dispatch below).
    fn not_in_group<T>(&self, ev: &Evaluator<'_>) -> EvalResult<T> {
        self.fail(
            ev,
            format!("Internal error: no native function '{}'", self.name),
        )
    }
}

impl Evaluator<'_> {
    pub(crate) fn call_function(
        &mut self,
        name: &str,
        args: Vec<Value>,
        lambda: Option<&Lambda>,
        e: &Expr,
    ) -> EvalResult<Value> {
        let is_method = matches!(e.kind, orch_parser::ExprKind::CallMethod { .. });
        self.calls.push((self.loc(e), is_method));
        let r = self.dispatch_function(name, args, lambda, e);
        self.calls.pop();
        r
    }

    fn dispatch_function(
        &mut self,
        name: &str,
        args: Vec<Value>,
        lambda: Option<&Lambda>,
        e: &Expr,
    ) -> EvalResult<Value> {
        let name = name.trim_start_matches("::");
        self.note_module_loader();
        let c = Call {
            name,
            lambda,
            at: e,
        };
        if core::provides(name) {
            return core::call(self, &c, args);
        }
        if iteration::NAMES.contains(&name) {
            return iteration::call(self, &c, args);
        }
        if hiera::NAMES.contains(&name) {
            return hiera::call(self, &c, args);
        }
        // A module's function exists only when the module has its file, as in Puppet.
        let ruby = self.code.ruby_function(name, self.file).cloned();
        if ruby.is_some() {
            // stdlib's `count` takes no block: one with a block is not that function.
            if stdlib::provides(name) && !(name == "count" && lambda.is_some()) {
                return stdlib::call(self, &c, args);
            }
            if app_modeling::NAMES.contains(&name) {
                return app_modeling::call(self, &c, args);
            }
        }
        if let Some(v) = self.call_puppet_function(name, args, e)? {
            return Ok(v);
        }
        let why = match &ruby {
            Some(_) if stdlib::NEED_NODE.contains(&name) => Some(
                "it needs the node's facts, which the environment compiler does not have"
                    .to_string(),
            ),
            Some(r) => Some(format!(
                "it is a Ruby function of module '{}' ({}) that orch does not implement",
                r.module,
                r.path.display()
            )),
            None => UNSUPPORTED
                .iter()
                .find(|(n, _)| *n == name)
                .map(|(_, why)| why.to_string()),
        };
        if let Some(why) = why {
            return c.fail(
                self,
                format!(
                    "Unsupported function: '{name}': orch evaluates the environment without a Puppet server, and {why}"
                ),
            );
        }
        c.fail(
            self,
            format!("Evaluation Error: Unknown function: '{name}'."),
        )
    }
}

/// `size`, `length`, `count`: the number of elements or characters.
fn size_of(ev: &Evaluator<'_>, c: &Call<'_>, v: &Value) -> EvalResult<Value> {
    match v {
        Value::Array(a) => Ok(Value::Int(a.len() as i64)),
        Value::Hash(h) => Ok(Value::Int(h.len() as i64)),
        Value::Str(s) => Ok(Value::Int(s.chars().count() as i64)),
        other => c.fail(
            ev,
            format!(
                "'{}' expects a Collection or String value, got {}",
                c.name,
                other.type_name()
            ),
        ),
    }
}

pub(super) fn map_strings(v: &Value, f: &dyn Fn(&str) -> String) -> Value {
    match v {
        Value::Str(s) => Value::Str(f(s)),
        Value::Array(a) => Value::Array(a.iter().map(|x| map_strings(x, f)).collect()),
        other => other.clone(),
    }
}

pub(super) fn flatten_into(v: Value, out: &mut Vec<Value>) {
    match v {
        Value::Array(a) => a.into_iter().for_each(|x| flatten_into(x, out)),
        other => out.push(other),
    }
}

pub(super) fn pairs(items: Vec<Value>) -> Vec<(Value, Value)> {
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

/// Ruby's class name of a value (stdlib's messages name them).
pub(super) fn ruby_class(v: &Value) -> &'static str {
    match v {
        Value::Undef => "NilClass",
        Value::Bool(true) => "TrueClass",
        Value::Bool(false) => "FalseClass",
        Value::Int(_) => "Integer",
        Value::Float(_) => "Float",
        Value::Str(_) => "String",
        Value::Array(_) => "Array",
        Value::Hash(_) => "Hash",
        Value::Regex(_) => "Regexp",
        _ => "Puppet::Pops::Types::PAnyType",
    }
}

/// Ruby's `inspect` of a value (stdlib's messages show them so).
pub(super) use crate::value::ruby_inspect;

//! Calls: arguments (with unfolding), lambdas, Puppet-language functions.

use orch_parser::{Expr, ExprKind, Lambda, Parameter};

use super::{EvalResult, Evaluator, Flow, err};
use crate::Value;

impl Evaluator<'_> {
    /// A function call or a method call (`$x.f(...)`: the receiver is the first argument).
    pub(super) fn eval_call(&mut self, e: &Expr) -> EvalResult<Value> {
        use ExprKind as K;
        match &e.kind {
            K::CallNamed {
                functor,
                args,
                lambda,
                ..
            } => {
                let name = match &functor.kind {
                    K::QualifiedName(n) => n.to_string(),
                    K::QualifiedReference(n) => n.to_string(),
                    _ => {
                        return err(
                            "Illegal function call: the function name must be a name",
                            self.loc(e),
                        );
                    }
                };
                let mut vals = Vec::with_capacity(args.len());
                for a in args {
                    self.push_arg(a, &mut vals)?;
                }
                self.call_function(&name, vals, lambda.as_deref(), e)
            }
            K::CallMethod {
                functor,
                args,
                lambda,
            } => {
                let K::NamedAccess { left, right } = &functor.kind else {
                    return err(
                        "Internal error: method call without a receiver",
                        self.loc(e),
                    );
                };
                let name = match &right.kind {
                    K::QualifiedName(n) => n.to_string(),
                    _ => return err("Illegal method name", self.loc(e)),
                };
                let recv = self.eval(left)?;
                let mut vals = vec![recv];
                for a in args {
                    self.push_arg(a, &mut vals)?;
                }
                self.call_function(&name, vals, lambda.as_deref(), e)
            }
            _ => err("Internal error: not a call", self.loc(e)),
        }
    }

    fn push_arg(&mut self, a: &Expr, out: &mut Vec<Value>) -> EvalResult<()> {
        if let ExprKind::Unfold(inner) = &a.kind {
            out.extend(super::unfolded(self.eval(inner)?));
        } else {
            out.push(self.eval(a)?);
        }
        Ok(())
    }

    /// Calls a lambda with arguments (in a local scope that sees the enclosing one).
    pub(crate) fn call_lambda(&mut self, l: &Lambda, args: Vec<Value>) -> EvalResult<Value> {
        let depth = self.frames.len();
        self.push_local_scope();
        let r = self.bind_and_run(&l.parameters, args, l.body.as_deref(), "block");
        self.pop_to(depth);
        match (r, l.body.as_deref()) {
            (Ok(v) | Err(Flow::Next(v)), Some(body)) => self.within_limits(v, body),
            (Ok(v) | Err(Flow::Next(v)), None) => Ok(v),
            (Err(other), _) => Err(other),
        }
    }

    /// Binds the arguments to the parameters (checking the types of those given, as Puppet
    /// did; `who` names the callee in the error: `'f'` or `block`), then runs the body.
    fn bind_and_run(
        &mut self,
        params: &[Parameter],
        mut args: Vec<Value>,
        body: Option<&Expr>,
        who: &str,
    ) -> EvalResult<Value> {
        for (i, p) in params.iter().enumerate() {
            let given = i < args.len();
            let v = if p.captures_rest {
                Value::Array(if given { args.split_off(i) } else { vec![] })
            } else if given {
                std::mem::replace(&mut args[i], Value::Undef)
            } else if let Some(d) = &p.value {
                self.eval(d)?
            } else {
                Value::Undef
            };
            if given && let Some(t) = &p.type_expr {
                let t = self.eval(t)?;
                let values = match (&v, p.captures_rest) {
                    (Value::Array(rest), true) => rest.clone(),
                    _ => vec![v.clone()],
                };
                for x in &values {
                    if !self.instance_of(x, &t) {
                        let why = self.describe_mismatch(&t, x);
                        return self.call_error(format!("{who} parameter '{}' {why}", p.name));
                    }
                }
            }
            self.set_var(&p.name, v);
        }
        self.eval_body(body)
    }

    /// An error raised inside the innermost call, as Puppet reports it: in the context of the
    /// call, at the call.
    fn call_error<T>(&self, message: String) -> EvalResult<T> {
        let (at, is_method) = self.calls.last().cloned().unwrap_or_default();
        let what = if is_method {
            "Method call"
        } else {
            "Function Call"
        };
        err(format!("Error while evaluating a {what}, {message}"), at)
    }

    /// Calls a Puppet-language function (from `<module>/functions`).
    pub(crate) fn call_puppet_function(
        &mut self,
        name: &str,
        args: Vec<Value>,
        e: &Expr,
    ) -> EvalResult<Option<Value>> {
        let Some(def) = self.code.function(name, self.file) else {
            return Ok(None);
        };
        let required = def
            .parameters
            .iter()
            .filter(|p| p.value.is_none() && !p.captures_rest)
            .count();
        let max = (!def.parameters.iter().any(|p| p.captures_rest)).then_some(def.parameters.len());
        if args.len() < required || max.is_some_and(|m| args.len() > m) {
            let count = super::functions::signature::count_text(required, max, args.len());
            return err(
                format!("Error while evaluating a Function Call, '{name}'{count}"),
                self.loc(e),
            );
        }
        // A function that calls itself with a bigger value each time grows it without end.
        let args = args
            .into_iter()
            .map(|a| self.within_limits(a, e))
            .collect::<EvalResult<Vec<_>>>()?;
        let saved_file = self.file;
        let depth = self.push_definition_scope();
        self.file = def.file;
        let r = self.bind_and_run(
            &def.parameters,
            args,
            def.body.as_ref(),
            &format!("'{name}'"),
        );
        let r = match (r, &def.return_type) {
            (Ok(v) | Err(Flow::Return(v)), Some(t)) => self.eval(t).and_then(|t| {
                if self.instance_of(&v, &t) {
                    Ok(v)
                } else {
                    let why = self.describe_mismatch(&t, &v);
                    self.call_error(format!("value returned from {name} has wrong type, {why}"))
                }
            }),
            (r, _) => r,
        };
        self.pop_to(depth);
        self.file = saved_file;
        match r {
            Ok(v) | Err(Flow::Return(v)) => self.within_limits(v, e).map(Some),
            Err(other) => Err(other),
        }
    }
}

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
        let r = self.bind_and_run(&l.parameters, args, l.body.as_deref());
        self.pop_to(depth);
        match (r, l.body.as_deref()) {
            (Ok(v) | Err(Flow::Next(v)), Some(body)) => self.within_limits(v, body),
            (Ok(v) | Err(Flow::Next(v)), None) => Ok(v),
            (Err(other), _) => Err(other),
        }
    }

    fn bind_and_run(
        &mut self,
        params: &[Parameter],
        mut args: Vec<Value>,
        body: Option<&Expr>,
    ) -> EvalResult<Value> {
        for (i, p) in params.iter().enumerate() {
            let v = if p.captures_rest {
                Value::Array(if i < args.len() {
                    args.split_off(i)
                } else {
                    vec![]
                })
            } else if i < args.len() {
                std::mem::replace(&mut args[i], Value::Undef)
            } else if let Some(d) = &p.value {
                self.eval(d)?
            } else {
                Value::Undef
            };
            self.set_var(&p.name, v);
        }
        self.eval_body(body)
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
        if args.len() < required {
            return err(
                format!("'{name}' expects {required} arguments, got {}", args.len()),
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
        let r = self.bind_and_run(&def.parameters, args, def.body.as_ref());
        self.pop_to(depth);
        self.file = saved_file;
        match r {
            Ok(v) | Err(Flow::Return(v)) => self.within_limits(v, e).map(Some),
            Err(other) => Err(other),
        }
    }
}

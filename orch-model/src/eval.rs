//! The evaluator: what Puppet's evaluator does for the code the environment compiler runs (top
//! scope, the site body, application bodies, mapping expressions and Puppet-language
//! functions). Resource declarations are collected, not applied.

use std::collections::HashMap;

use orch_parser::{AttributeOperation, BinaryOp, Expr, ExprKind, Lambda, Parameter, ResourceBody};

use crate::loader::Environment;
use crate::problem::{Location, Problem};
use crate::value::DATA_TYPES;
use crate::{ResourceRef, Value};

/// Why evaluation stopped early.
#[derive(Debug)]
pub(crate) enum Flow {
    /// An evaluation error.
    Error(Problem),
    /// `next(v)` in a lambda.
    Next(Value),
    /// `break()` in an iteration.
    Break,
    /// `return(v)` in a function or lambda.
    Return(Value),
}

pub(crate) type EvalResult<T> = Result<T, Flow>;

/// A resource declared by evaluated code.
#[derive(Debug, Clone)]
pub(crate) struct Declared {
    /// Lower-case type name (`lamp::db`, `class`, `notify`).
    pub(crate) type_name: String,
    pub(crate) title: String,
    /// Attributes in declaration order.
    pub(crate) attributes: Vec<(String, Value)>,
    pub(crate) location: Location,
}

#[derive(Debug, Default)]
struct Frame {
    vars: HashMap<String, Value>,
    /// False for a definition's scope: it sees only itself and top scope.
    sees_parent: bool,
}

/// The evaluation context: scopes, the file being evaluated, declared resources.
pub(crate) struct Evaluator<'e> {
    pub(crate) env: &'e mut Environment,
    frames: Vec<Frame>,
    pub(crate) file: usize,
    pub(crate) declared: Vec<Declared>,
    pub(crate) notices: Vec<Problem>,
    /// Match variables (`$0`, `$1`, ...) of the last successful match.
    matches: Vec<Option<String>>,
    /// How many `eval`s are under way (see [`MAX_EVAL_DEPTH`]).
    depth: u32,
}

/// How deep evaluation may recurse: expressions within expressions, and calls of Puppet
/// functions and lambdas with the expressions of their bodies. The parser bounds the tree's
/// height (`orch_parser::MAX_NESTING`), but a function that calls itself recurses without end:
/// Puppet stops there with Ruby's `SystemStackError`, orch with this error. A level takes up to
/// about 3 KiB of stack in a release build (several times that unoptimised): run evaluation on
/// a thread with [`crate::STACK_SIZE`].
pub const MAX_EVAL_DEPTH: u32 = 2_000;

fn err<T>(message: impl Into<String>, location: Location) -> EvalResult<T> {
    Err(Flow::Error(Problem::error(message, location)))
}

impl<'e> Evaluator<'e> {
    pub(crate) fn new(env: &'e mut Environment) -> Evaluator<'e> {
        Evaluator {
            env,
            frames: vec![Frame {
                vars: HashMap::new(),
                sees_parent: false,
            }],
            file: 0,
            declared: vec![],
            notices: vec![],
            matches: vec![],
            depth: 0,
        }
    }

    pub(crate) fn loc(&self, e: &Expr) -> Location {
        self.env.location(self.file, e.span.start as usize)
    }

    // ---- scopes ---------------------------------------------------------------------------

    /// Starts a definition scope (sees only top scope) and returns the depth to restore.
    pub(crate) fn push_definition_scope(&mut self) -> usize {
        self.frames.push(Frame {
            vars: HashMap::new(),
            sees_parent: false,
        });
        self.frames.len() - 1
    }

    fn push_local_scope(&mut self) {
        self.frames.push(Frame {
            vars: HashMap::new(),
            sees_parent: true,
        });
    }

    pub(crate) fn pop_to(&mut self, depth: usize) {
        self.frames.truncate(depth);
    }

    pub(crate) fn set_var(&mut self, name: &str, value: Value) {
        let frame = self.frames.last_mut().expect("top scope");
        frame.vars.insert(name.to_string(), value);
    }

    fn assign(&mut self, name: &str, value: Value, at: &Expr) -> EvalResult<()> {
        if name.contains("::") {
            return err(
                format!("Cannot assign to variables in other namespaces (${name})"),
                self.loc(at),
            );
        }
        if name.chars().all(|c| c.is_ascii_digit()) {
            return err(
                format!("Illegal attempt to assign to the numeric match result variable '${name}'"),
                self.loc(at),
            );
        }
        let frame = self.frames.last_mut().expect("top scope");
        if frame.vars.contains_key(name) {
            return err(format!("Cannot reassign variable '${name}'"), self.loc(at));
        }
        frame.vars.insert(name.to_string(), value);
        Ok(())
    }

    /// A variable's value, if it is set.
    pub(crate) fn lookup_var(&self, name: &str) -> Option<Value> {
        self.lookup(name)
    }

    fn lookup(&self, name: &str) -> Option<Value> {
        if let Some(top) = name.strip_prefix("::") {
            return self.frames[0].vars.get(top).cloned();
        }
        if name.chars().all(|c| c.is_ascii_digit()) {
            let i: usize = name.parse().ok()?;
            return Some(match self.matches.get(i) {
                Some(Some(s)) => Value::Str(s.clone()),
                _ => Value::Undef,
            });
        }
        for f in self.frames.iter().rev() {
            if let Some(v) = f.vars.get(name) {
                return Some(v.clone());
            }
            if !f.sees_parent {
                break;
            }
        }
        self.frames[0].vars.get(name).cloned()
    }

    // ---- statements -----------------------------------------------------------------------

    /// Evaluates a body (a block or one expression); returns the last value.
    pub(crate) fn eval_body(&mut self, e: Option<&Expr>) -> EvalResult<Value> {
        match e {
            None => Ok(Value::Undef),
            Some(e) => self.eval(e),
        }
    }

    pub(crate) fn eval(&mut self, e: &Expr) -> EvalResult<Value> {
        if self.depth >= MAX_EVAL_DEPTH {
            return err(
                format!(
                    "stack level too deep (evaluation nested more than {MAX_EVAL_DEPTH} levels; a function that calls itself without end?)"
                ),
                self.loc(e),
            );
        }
        self.depth += 1;
        let r = self.eval_expr(e);
        self.depth -= 1;
        r
    }

    fn eval_expr(&mut self, e: &Expr) -> EvalResult<Value> {
        use ExprKind as K;
        Ok(match &e.kind {
            K::Nop | K::Nil => Value::Undef,
            K::Block(stmts) => {
                let mut last = Value::Undef;
                for s in stmts {
                    last = self.eval(s)?;
                }
                last
            }
            K::LiteralString(s) => Value::Str(s.to_string()),
            K::LiteralInteger { value, .. } => match i64::try_from(value.get()) {
                Ok(v) => Value::Int(v),
                Err(_) => return err("Integer value is out of range", self.loc(e)),
            },
            K::LiteralFloat(f) => Value::Float(*f),
            K::LiteralBoolean(b) => Value::Bool(*b),
            K::LiteralUndef => Value::Undef,
            K::LiteralDefault => Value::Default,
            K::LiteralRegex(r) => Value::Regex(r.to_string()),
            K::QualifiedName(n) => Value::Str(n.to_string()),
            K::QualifiedReference(n) => Value::Type(crate::loader::capitalize(n), vec![]),
            K::ReservedWord(w) => {
                return err(
                    format!(
                        "Use of reserved word: {w}, must be quoted if intended to be a String value"
                    ),
                    self.loc(e),
                );
            }
            K::Variable(name) => match self.lookup(name) {
                Some(v) => v,
                None => self.unknown_variable(name, e)?,
            },
            K::BoolVariable(b) => match self.lookup(&b.to_string()) {
                Some(v) => v,
                None => Value::Undef,
            },
            K::ConcatenatedString(segs) => {
                let mut s = String::new();
                for seg in segs {
                    let v = self.eval(seg)?;
                    s.push_str(&v.to_string());
                }
                Value::Str(s)
            }
            K::Text(inner) => {
                let v = self.eval(inner)?;
                Value::Str(v.to_string())
            }
            K::Heredoc(h) => self.eval(&h.text)?,
            K::LiteralList(items) => {
                let mut v = Vec::with_capacity(items.len());
                for i in items {
                    if let K::Unfold(inner) = &i.kind {
                        match self.eval(inner)? {
                            Value::Array(a) => v.extend(a),
                            other => v.push(other),
                        }
                    } else {
                        v.push(self.eval(i)?);
                    }
                }
                Value::Array(v)
            }
            K::LiteralHash { entries, .. } => {
                let mut h: Vec<(Value, Value)> = vec![];
                for en in entries {
                    let k = self.eval(&en.key)?;
                    let v = self.eval(&en.value)?;
                    if let Some(slot) = h.iter_mut().find(|(x, _)| *x == k) {
                        slot.1 = v;
                    } else {
                        h.push((k, v));
                    }
                }
                Value::Hash(h)
            }
            K::KeyedEntry(en) => {
                let k = self.eval(&en.key)?;
                let v = self.eval(&en.value)?;
                Value::Hash(vec![(k, v)])
            }
            K::Access { left, keys } => {
                let l = self.eval(left)?;
                let mut ks = Vec::with_capacity(keys.len());
                for k in keys {
                    ks.push(self.eval(k)?);
                }
                self.access(l, ks, e)?
            }
            K::Binary { op, left, right } => self.binary(*op, left, right, e)?,
            K::Not(inner) => Value::Bool(!self.eval(inner)?.is_truthy()),
            K::UnaryMinus(inner) => match self.eval(inner)? {
                Value::Int(i) => Value::Int(-i),
                Value::Float(f) => Value::Float(-f),
                other => {
                    return err(
                        format!(
                            "Operator '-' is not applicable to {}.",
                            a_an(&other.type_name())
                        ),
                        self.loc(e),
                    );
                }
            },
            K::Unfold(inner) => self.eval(inner)?,
            K::Paren(inner) => self.eval(inner)?,
            K::NamedAccess { .. } => {
                return err("Internal error: named access outside a call", self.loc(e));
            }
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
                self.call_function(&name, vals, lambda.as_deref(), e)?
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
                self.call_function(&name, vals, lambda.as_deref(), e)?
            }
            K::Lambda(_) => return err("A lambda can only be given to a function", self.loc(e)),
            K::If {
                test,
                then_expr,
                else_expr,
            } => {
                if self.eval(test)?.is_truthy() {
                    self.eval_body(then_expr.as_deref())?
                } else {
                    self.eval_body(else_expr.as_deref())?
                }
            }
            K::Unless {
                test,
                then_expr,
                else_expr,
            } => {
                if !self.eval(test)?.is_truthy() {
                    self.eval_body(then_expr.as_deref())?
                } else {
                    self.eval_body(else_expr.as_deref())?
                }
            }
            K::Case { test, options } => {
                let t = self.eval(test)?;
                let mut default = None;
                for o in options {
                    for v in &o.values {
                        if matches!(v.kind, K::LiteralDefault) {
                            default = Some(o);
                            continue;
                        }
                        let m = self.eval(v)?;
                        if self.matches_option(&t, &m) {
                            return self.eval_body(o.then_expr.as_deref());
                        }
                    }
                }
                match default {
                    Some(o) => self.eval_body(o.then_expr.as_deref())?,
                    None => Value::Undef,
                }
            }
            K::Selector { left, entries } => {
                let t = self.eval(left)?;
                for en in entries {
                    if matches!(en.matching.kind, K::LiteralDefault) {
                        continue;
                    }
                    let m = self.eval(&en.matching)?;
                    if self.matches_option(&t, &m) {
                        return self.eval(&en.value);
                    }
                }
                match entries
                    .iter()
                    .find(|en| matches!(en.matching.kind, K::LiteralDefault))
                {
                    Some(en) => self.eval(&en.value)?,
                    None => {
                        return err(
                            format!("No matching entry for selector parameter with value '{t}'"),
                            self.loc(e),
                        );
                    }
                }
            }
            K::Collect { .. } | K::ResourceDefaults { .. } | K::ResourceOverride { .. } => {
                // Collectors, defaults and overrides shape node catalogs, not the application
                // model.
                Value::Undef
            }
            K::Resource {
                type_name, bodies, ..
            } => self.declare(type_name, bodies, e)?,
            // Definitions were registered when their file was loaded.
            K::HostClass { .. }
            | K::ResourceTypeDefinition { .. }
            | K::Application { .. }
            | K::FunctionDefinition { .. }
            | K::NodeDefinition { .. }
            | K::SiteDefinition { .. }
            | K::CapabilityMapping { .. }
            | K::TypeAlias { .. }
            | K::TypeMapping { .. }
            | K::TypeDefinition { .. } => Value::Undef,
        })
    }

    fn unknown_variable(&self, name: &str, e: &Expr) -> EvalResult<Value> {
        if matches!(name, "facts" | "trusted" | "server_facts") {
            // The environment compiler has no node: Puppet fails on facts there too.
            return err(
                format!(
                    "Unknown variable: '{name}'. The environment compiler has no node, so no facts (evaluate this in a node catalog, or give the value as a parameter)"
                ),
                self.loc(e),
            );
        }
        Ok(Value::Undef)
    }

    fn push_arg(&mut self, a: &Expr, out: &mut Vec<Value>) -> EvalResult<()> {
        if let ExprKind::Unfold(inner) = &a.kind {
            match self.eval(inner)? {
                Value::Array(items) => out.extend(items),
                other => out.push(other),
            }
        } else {
            out.push(self.eval(a)?);
        }
        Ok(())
    }

    /// `case` and selector matching: regexes match strings (setting `$0..`), types match
    /// instances, arrays match element-wise, else `==`.
    fn matches_option(&mut self, t: &Value, m: &Value) -> bool {
        match (t, m) {
            (Value::Str(s), Value::Regex(r)) => self.regex_match(s, r),
            (_, Value::Type(..)) => crate::types::is_instance(t, m),
            (_, Value::Array(opts)) if !matches!(t, Value::Array(_)) => {
                opts.iter().any(|o| t.puppet_eq(o))
            }
            _ => t.puppet_eq(m),
        }
    }

    pub(crate) fn regex_match(&mut self, s: &str, r: &str) -> bool {
        match regex::Regex::new(r) {
            Ok(re) => match re.captures(s) {
                Some(c) => {
                    self.matches = c
                        .iter()
                        .map(|m| m.map(|m| m.as_str().to_string()))
                        .collect();
                    true
                }
                None => false,
            },
            Err(_) => false,
        }
    }

    fn binary(&mut self, op: BinaryOp, left: &Expr, right: &Expr, e: &Expr) -> EvalResult<Value> {
        use BinaryOp as B;
        match op {
            B::Assign => {
                let v = self.eval(right)?;
                self.assign_to(left, v.clone())?;
                return Ok(v);
            }
            B::AddAssign | B::SubAssign => {
                return err(
                    format!("The operator '{}' is no longer supported.", op.as_str()),
                    self.loc(e),
                );
            }
            B::And => {
                let l = self.eval(left)?;
                return Ok(Value::Bool(l.is_truthy() && self.eval(right)?.is_truthy()));
            }
            B::Or => {
                let l = self.eval(left)?;
                return Ok(Value::Bool(l.is_truthy() || self.eval(right)?.is_truthy()));
            }
            B::InEdge | B::InEdgeSub | B::OutEdge | B::OutEdgeSub => {
                // Relationships order resources in catalogs; both sides are still evaluated.
                self.eval(left)?;
                self.eval(right)?;
                return Ok(Value::Undef);
            }
            _ => {}
        }
        let l = self.eval(left)?;
        let r = self.eval(right)?;
        let bad = |this: &Self, l: &Value| {
            err(
                format!(
                    "Operator '{}' is not applicable to {}.",
                    op.as_str(),
                    a_an(&l.type_name())
                ),
                this.loc(e),
            )
        };
        Ok(match op {
            B::Add => match (l, r) {
                (Value::Int(a), Value::Int(b)) => Value::Int(a.wrapping_add(b)),
                (Value::Array(mut a), Value::Array(b)) => {
                    a.extend(b);
                    Value::Array(a)
                }
                (Value::Array(mut a), Value::Hash(h)) => {
                    a.extend(h.into_iter().map(|(k, v)| Value::Array(vec![k, v])));
                    Value::Array(a)
                }
                (Value::Array(mut a), other) => {
                    a.push(other);
                    Value::Array(a)
                }
                (Value::Hash(mut a), Value::Hash(b)) => {
                    for (k, v) in b {
                        if let Some(slot) = a.iter_mut().find(|(x, _)| *x == k) {
                            slot.1 = v;
                        } else {
                            a.push((k, v));
                        }
                    }
                    Value::Hash(a)
                }
                (a, b) => match (num(&a), num(&b)) {
                    (Some(x), Some(y)) => Value::Float(x + y),
                    _ => return bad(self, &a),
                },
            },
            B::Sub => match (l, r) {
                (Value::Int(a), Value::Int(b)) => Value::Int(a.wrapping_sub(b)),
                (Value::Array(a), Value::Array(b)) => Value::Array(
                    a.into_iter()
                        .filter(|x| !b.iter().any(|y| x.puppet_eq(y)))
                        .collect(),
                ),
                (Value::Array(a), b) => {
                    Value::Array(a.into_iter().filter(|x| !x.puppet_eq(&b)).collect())
                }
                (Value::Hash(a), Value::Array(b)) => Value::Hash(
                    a.into_iter()
                        .filter(|(k, _)| !b.iter().any(|y| k.puppet_eq(y)))
                        .collect(),
                ),
                (Value::Hash(a), Value::Hash(b)) => Value::Hash(
                    a.into_iter()
                        .filter(|(k, _)| !b.iter().any(|(y, _)| k.puppet_eq(y)))
                        .collect(),
                ),
                (a, b) => match (num(&a), num(&b)) {
                    (Some(x), Some(y)) => Value::Float(x - y),
                    _ => return bad(self, &a),
                },
            },
            B::Mul => match (l, r) {
                (Value::Int(a), Value::Int(b)) => Value::Int(a.wrapping_mul(b)),
                (a, b) => match (num(&a), num(&b)) {
                    (Some(x), Some(y)) => Value::Float(x * y),
                    _ => return bad(self, &a),
                },
            },
            B::Div => match (l, r) {
                (Value::Int(_), Value::Int(0)) => return err("Division by 0", self.loc(e)),
                (Value::Int(a), Value::Int(b)) => Value::Int(a.div_euclid(b)),
                (a, b) => match (num(&a), num(&b)) {
                    (Some(x), Some(y)) => Value::Float(x / y),
                    _ => return bad(self, &a),
                },
            },
            B::Mod => match (l, r) {
                (Value::Int(_), Value::Int(0)) => return err("Division by 0", self.loc(e)),
                (Value::Int(a), Value::Int(b)) => Value::Int(a.rem_euclid(b)),
                (a, _) => return bad(self, &a),
            },
            B::Shl => match (l, r) {
                (Value::Int(a), Value::Int(b)) => Value::Int(a.wrapping_shl(b as u32)),
                (Value::Array(mut a), b) => {
                    a.push(b);
                    Value::Array(a)
                }
                (a, _) => return bad(self, &a),
            },
            B::Shr => match (l, r) {
                (Value::Int(a), Value::Int(b)) => Value::Int(a.wrapping_shr(b as u32)),
                (a, _) => return bad(self, &a),
            },
            B::Eq => Value::Bool(l.puppet_eq(&r)),
            B::Ne => Value::Bool(!l.puppet_eq(&r)),
            B::Lt | B::Le | B::Gt | B::Ge => {
                let ord = match (&l, &r) {
                    (Value::Str(a), Value::Str(b)) => {
                        a.to_lowercase().partial_cmp(&b.to_lowercase())
                    }
                    _ => match (num(&l), num(&r)) {
                        (Some(x), Some(y)) => x.partial_cmp(&y),
                        _ => None,
                    },
                };
                let Some(ord) = ord else {
                    return err(
                        format!(
                            "Comparison of: {} {} {}, is not possible. Caused by 'A {} is not comparable to {}'.",
                            l.type_name(),
                            op.as_str(),
                            r.type_name(),
                            l.type_name(),
                            a_an(&r.type_name())
                        ),
                        self.loc(e),
                    );
                };
                use std::cmp::Ordering::*;
                Value::Bool(match op {
                    B::Lt => ord == Less,
                    B::Le => ord != Greater,
                    B::Gt => ord == Greater,
                    _ => ord != Less,
                })
            }
            B::Match | B::NotMatch => {
                let m = match (&l, &r) {
                    (Value::Str(s), Value::Regex(re)) => self.regex_match(s, re),
                    (Value::Str(s), Value::Str(re)) => self.regex_match(s, re),
                    (_, Value::Type(..)) => crate::types::is_instance(&l, &r),
                    _ => {
                        return err(
                            format!(
                                "Left operand of '{}' must be a String, got {}",
                                op.as_str(),
                                l.type_name()
                            ),
                            self.loc(e),
                        );
                    }
                };
                Value::Bool(if op == B::Match { m } else { !m })
            }
            B::In => Value::Bool(match (&l, &r) {
                (Value::Str(a), Value::Str(b)) => b.to_lowercase().contains(&a.to_lowercase()),
                (Value::Regex(re), Value::Str(b)) => {
                    let re = re.clone();
                    self.regex_match(b, &re)
                }
                (_, Value::Array(items)) => items.iter().any(|x| l.puppet_eq(x)),
                (_, Value::Hash(h)) => h.iter().any(|(k, _)| l.puppet_eq(k)),
                _ => false,
            }),
            _ => Value::Undef,
        })
    }

    fn assign_to(&mut self, target: &Expr, v: Value) -> EvalResult<()> {
        match &target.kind {
            ExprKind::Variable(name) => self.assign(name, v, target),
            ExprKind::LiteralList(targets) => {
                let values = match v {
                    Value::Array(a) => a,
                    other => vec![other],
                };
                if values.len() != targets.len() {
                    return err(
                        format!(
                            "Mismatched number of variables and values: {} variables, {} values",
                            targets.len(),
                            values.len()
                        ),
                        self.loc(target),
                    );
                }
                for (t, x) in targets.iter().zip(values) {
                    self.assign_to(t, x)?;
                }
                Ok(())
            }
            _ => err(
                "Illegal attempt to assign to a non-variable",
                self.loc(target),
            ),
        }
    }

    fn access(&mut self, l: Value, keys: Vec<Value>, e: &Expr) -> EvalResult<Value> {
        Ok(match l {
            Value::Array(items) => match keys.as_slice() {
                [Value::Int(i)] => index(&items, *i).cloned().unwrap_or(Value::Undef),
                [Value::Int(start), Value::Int(count)] => {
                    Value::Array(slice(&items, *start, *count))
                }
                _ => return err("Array index must be an Integer", self.loc(e)),
            },
            Value::Str(s) => {
                let chars: Vec<Value> = s.chars().map(|c| Value::Str(c.to_string())).collect();
                match keys.as_slice() {
                    [Value::Int(i)] => index(&chars, *i)
                        .cloned()
                        .unwrap_or(Value::Str(String::new())),
                    [Value::Int(start), Value::Int(count)] => Value::Str(
                        slice(&chars, *start, *count)
                            .into_iter()
                            .map(|c| c.to_string())
                            .collect(),
                    ),
                    _ => return err("String index must be an Integer", self.loc(e)),
                }
            }
            Value::Hash(_) => match keys.as_slice() {
                [k] => l.hash_get(k).cloned().unwrap_or(Value::Undef),
                many => Value::Array(many.iter().filter_map(|k| l.hash_get(k).cloned()).collect()),
            },
            Value::Type(name, params) if params.is_empty() => self.type_access(&name, keys, e)?,
            Value::Undef => {
                return err(
                    "Operator '[]' is not applicable to an Undef Value.",
                    self.loc(e),
                );
            }
            other => {
                return err(
                    format!(
                        "Operator '[]' is not applicable to {}.",
                        a_an(&other.type_name())
                    ),
                    self.loc(e),
                );
            }
        })
    }

    /// `Type[...]`: a resource reference for resource types, a parameterised data type else.
    fn type_access(&mut self, name: &str, keys: Vec<Value>, e: &Expr) -> EvalResult<Value> {
        if DATA_TYPES.contains(&name) {
            return Ok(Value::Type(name.to_string(), keys));
        }
        let (type_name, titles): (String, Vec<Value>) = match name {
            "Resource" => {
                let mut it = keys.into_iter();
                let t = match it.next() {
                    Some(Value::Str(s)) => crate::loader::capitalize(&s),
                    Some(Value::Type(t, _)) => t,
                    _ => return err("Resource[] needs a type name", self.loc(e)),
                };
                let rest: Vec<Value> = it.collect();
                if rest.is_empty() {
                    return Ok(Value::Type(t, vec![]));
                }
                (t, rest)
            }
            "Class" => (
                "Class".to_string(),
                keys.into_iter()
                    .map(|k| match k {
                        Value::Str(s) => Value::Str(crate::loader::capitalize(&s)),
                        other => other,
                    })
                    .collect(),
            ),
            _ => (name.to_string(), keys),
        };
        let mut refs = vec![];
        for t in titles {
            match t {
                Value::Str(s) => refs.push(Value::Ref(ResourceRef {
                    type_name: type_name.clone(),
                    title: s,
                })),
                Value::Array(a) => {
                    for x in a {
                        refs.push(Value::Ref(ResourceRef {
                            type_name: type_name.clone(),
                            title: x.to_string(),
                        }))
                    }
                }
                Value::Type(t, _) if type_name == "Class" => refs.push(Value::Ref(ResourceRef {
                    type_name: type_name.clone(),
                    title: t,
                })),
                Value::Int(i) => refs.push(Value::Ref(ResourceRef {
                    type_name: type_name.clone(),
                    title: i.to_string(),
                })),
                other => {
                    return err(
                        format!(
                            "{type_name}[] accepts titles as String values, got {}",
                            other.type_name()
                        ),
                        self.loc(e),
                    );
                }
            }
        }
        Ok(if refs.len() == 1 {
            refs.pop().expect("one")
        } else {
            Value::Array(refs)
        })
    }

    // ---- resources ------------------------------------------------------------------------

    fn declare(
        &mut self,
        type_name: &Expr,
        bodies: &[ResourceBody],
        e: &Expr,
    ) -> EvalResult<Value> {
        let tname = match &type_name.kind {
            ExprKind::QualifiedName(n) => n.as_str().to_lowercase(),
            ExprKind::QualifiedReference(n) => n.as_str().to_lowercase(),
            _ => match self.eval(type_name)? {
                Value::Str(s) => s.to_lowercase(),
                Value::Type(t, _) => t.to_lowercase(),
                other => {
                    return err(
                        format!("Illegal resource type: {}", other.type_name()),
                        self.loc(e),
                    );
                }
            },
        };
        let mut refs = vec![];
        for b in bodies {
            let title = self.eval(&b.title)?;
            let attributes = self.attribute_values(&b.operations)?;
            let titles = match title {
                Value::Array(a) => a,
                other => vec![other],
            };
            for t in titles {
                let title = match t {
                    Value::Str(s) => s,
                    Value::Type(name, _) if tname == "class" => name.to_lowercase(),
                    Value::Undef => {
                        return err(
                            "Missing title. The title expression resulted in undef",
                            self.loc(&b.title),
                        );
                    }
                    other => other.to_string(),
                };
                let title = if tname == "class" {
                    title.trim_start_matches("::").to_lowercase()
                } else {
                    title
                };
                refs.push(Value::Ref(ResourceRef::new(&tname, title.clone())));
                self.declared.push(Declared {
                    type_name: tname.clone(),
                    title,
                    attributes: attributes.clone(),
                    location: self.loc(&b.title),
                });
            }
        }
        Ok(if refs.len() == 1 {
            refs.pop().expect("one")
        } else {
            Value::Array(refs)
        })
    }

    pub(crate) fn attribute_values(
        &mut self,
        ops: &[AttributeOperation],
    ) -> EvalResult<Vec<(String, Value)>> {
        let mut out: Vec<(String, Value)> = vec![];
        for op in ops {
            match op {
                AttributeOperation::Attribute { name, value, .. } => {
                    let v = self.eval(value)?;
                    out.push((name.to_string(), v));
                }
                AttributeOperation::Splat { value, .. } => match self.eval(value)? {
                    Value::Hash(h) => {
                        for (k, v) in h {
                            out.push((k.to_string(), v));
                        }
                    }
                    Value::Undef => {}
                    other => {
                        return err(
                            format!(
                                "The value of '* =>' must be a Hash, got {}",
                                other.type_name()
                            ),
                            self.loc(value),
                        );
                    }
                },
            }
        }
        Ok(out)
    }

    // ---- functions and lambdas --------------------------------------------------------------

    /// Calls a lambda with arguments (in a local scope that sees the enclosing one).
    pub(crate) fn call_lambda(&mut self, l: &Lambda, args: Vec<Value>) -> EvalResult<Value> {
        let depth = self.frames.len();
        self.push_local_scope();
        let r = self.bind_and_run(&l.parameters, args, l.body.as_deref());
        self.pop_to(depth);
        match r {
            Ok(v) | Err(Flow::Next(v)) => Ok(v),
            Err(other) => Err(other),
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
        let Some(def) = self.env.find_function(name).cloned() else {
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
        let saved_file = self.file;
        let depth = self.push_definition_scope();
        self.file = def.file;
        let r = self.bind_and_run(&def.parameters, args, def.body.as_ref());
        self.pop_to(depth);
        self.file = saved_file;
        match r {
            Ok(v) | Err(Flow::Return(v)) => Ok(Some(v)),
            Err(other) => Err(other),
        }
    }
}

fn num(v: &Value) -> Option<f64> {
    match v {
        Value::Int(i) => Some(*i as f64),
        Value::Float(f) => Some(*f),
        _ => None,
    }
}

fn index(items: &[Value], i: i64) -> Option<&Value> {
    let n = items.len() as i64;
    let i = if i < 0 { n + i } else { i };
    if i < 0 { None } else { items.get(i as usize) }
}

fn slice(items: &[Value], start: i64, count: i64) -> Vec<Value> {
    let n = items.len() as i64;
    let s = if start < 0 { n + start } else { start }.clamp(0, n);
    let e = if count < 0 { n + count + 1 } else { s + count }.clamp(s, n);
    items[s as usize..e as usize].to_vec()
}

/// `a String`, `an Integer`.
pub(crate) fn a_an(word: &str) -> String {
    let article = if word.starts_with(['A', 'E', 'I', 'O', 'U']) {
        "an"
    } else {
        "a"
    };
    format!("{article} {word} Value")
}

#[cfg(test)]
mod depth_tests {
    /// A Puppet function that calls itself without end stops with an error, not an overflow.
    #[test]
    fn endless_recursion_is_an_error() {
        let dir = std::env::temp_dir().join(format!("orch-recursion-{}", std::process::id()));
        let functions = dir.join("modules/m/functions");
        std::fs::create_dir_all(dir.join("manifests")).expect("dir");
        std::fs::create_dir_all(&functions).expect("dir");
        std::fs::write(dir.join("environment.conf"), "modulepath = modules\n").expect("file");
        std::fs::write(
            functions.join("f.pp"),
            "function m::f($n) { m::f($n + 1) }\n",
        )
        .expect("file");
        std::fs::write(dir.join("manifests/site.pp"), "$x = m::f(1)\n").expect("file");
        let source = crate::EnvironmentSource {
            path: dir.clone(),
            name: "production".into(),
            extra_modulepath: vec![],
        };
        let model = std::thread::Builder::new()
            .stack_size(crate::STACK_SIZE)
            .spawn(move || crate::compile(&mut crate::Environment::load(&source)))
            .expect("thread")
            .join()
            .expect("no panic");
        let _ = std::fs::remove_dir_all(&dir);
        let text: Vec<String> = model.problems.iter().map(|p| p.to_string()).collect();
        assert!(
            text.iter()
                .any(|t| t.contains("stack level too deep")
                    && t.contains("f.pp, line: 1, column: 26")),
            "{text:?}"
        );
    }
}

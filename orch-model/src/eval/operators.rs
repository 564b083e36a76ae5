//! Operators (arithmetic, comparison, matching, `in`, assignment), access (`$a[1]`, `$h[k]`,
//! `Type[...]`), and the matching of `case` options and selector entries.

use orch_parser::{BinaryOp, Expr, ExprKind};

use super::access::{bad_key_type_name, capitalize, value_label, with_article};
use super::{EvalResult, Evaluator, err};
use crate::value::DATA_TYPES;
use crate::{ResourceRef, Value};

impl Evaluator<'_> {
    pub(super) fn unary_minus(&mut self, inner: &Expr, e: &Expr) -> EvalResult<Value> {
        let v = self.eval(inner)?;
        self.negate(&v, e)
    }

    /// `case` and selector matching: regexes match strings (setting `$0..`), types match
    /// instances, arrays match element-wise, else `==`.
    pub(super) fn matches_option(&mut self, t: &Value, m: &Value) -> bool {
        match (t, m) {
            (Value::Str(s), Value::Regex(r)) => self.regex_match(s, r),
            (_, Value::Type(..)) => self.instance_of(t, m),
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

    pub(super) fn binary(
        &mut self,
        op: BinaryOp,
        left: &Expr,
        right: &Expr,
        e: &Expr,
    ) -> EvalResult<Value> {
        use BinaryOp as B;
        match op {
            B::Assign => {
                let v = self.eval(right)?;
                self.assign_to(left, v.clone(), e)?;
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
        self.apply(op, l, r, e)
    }

    /// A binary operator on two evaluated operands.
    fn apply(&mut self, op: BinaryOp, l: Value, r: Value, e: &Expr) -> EvalResult<Value> {
        use BinaryOp as B;
        if matches!(
            op,
            B::Add | B::Sub | B::Mul | B::Div | B::Mod | B::Shl | B::Shr
        ) {
            return self.arithmetic(op, l, r, e);
        }
        Ok(match op {
            B::Eq => Value::Bool(l.puppet_eq(&r)),
            B::Ne => Value::Bool(!l.puppet_eq(&r)),
            // Types compare by assignability (`Integer < Numeric`); with anything else a
            // type is neither smaller nor larger.
            B::Lt | B::Le | B::Gt | B::Ge if matches!(&l, Value::Type(..) | Value::Ref(_)) => {
                if !matches!(&r, Value::Type(..) | Value::Ref(_)) {
                    return Ok(Value::Bool(false));
                }
                let (lt, rt) = (
                    super::assignable::ref_as_type(&l),
                    super::assignable::ref_as_type(&r),
                );
                let (narrower, wider) = match op {
                    B::Lt | B::Le => (&lt, &rt),
                    _ => (&rt, &lt),
                };
                let within = self.is_assignable(wider, narrower);
                Value::Bool(match op {
                    B::Le | B::Ge => within,
                    _ => within && !l.puppet_eq(&r),
                })
            }
            B::Lt | B::Le | B::Gt | B::Ge => {
                // Puppet's CompareOperator: strings case-insensitively, numbers numerically.
                let ord = match (&l, &r) {
                    (Value::Str(a), Value::Str(b)) => Ok(a.to_lowercase().cmp(&b.to_lowercase())),
                    (Value::Str(_), _) => Err("A String is not comparable to a non String"),
                    (Value::Int(_) | Value::Float(_), _) => match (num(&l), num(&r)) {
                        (Some(x), Some(y)) => x
                            .partial_cmp(&y)
                            .ok_or("A Numeric is not comparable to non Numeric"),
                        _ => Err("A Numeric is not comparable to non Numeric"),
                    },
                    (Value::Default, Value::Default) => Ok(std::cmp::Ordering::Equal),
                    (Value::Default, _) => Err("Symbol not comparable to non Symbol"),
                    _ => Err(
                        "Only Strings, Numbers, Timespans, Timestamps, and Versions are comparable",
                    ),
                };
                let ord = match ord {
                    Ok(o) => o,
                    Err(detail) => {
                        let label = |v: &Value| match v {
                            Value::Undef => "Undef Value".to_string(),
                            Value::Default => "Object".to_string(),
                            other => other.type_name(),
                        };
                        return err(
                            format!(
                                "Evaluation Error: Comparison of: {} {} {}, is not possible. Caused by '{detail}'.",
                                label(&l),
                                op.as_str(),
                                label(&r),
                            ),
                            self.loc(e),
                        );
                    }
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
                let m = self.match_operands(&l, &r, e)?;
                Value::Bool(if op == B::Match { m } else { !m })
            }
            B::In => Value::Bool(match (&l, &r) {
                (Value::Str(a), Value::Str(b)) => b.to_lowercase().contains(&a.to_lowercase()),
                (Value::Regex(re), Value::Str(b)) => {
                    let re = re.clone();
                    self.regex_match(b, &re)
                }
                (_, Value::Array(items)) => {
                    let items = items.clone();
                    items.iter().any(|x| self.in_element(&l, x))
                }
                (_, Value::Hash(h)) => {
                    let keys: Vec<Value> = h.iter().map(|(k, _)| k.clone()).collect();
                    keys.iter().any(|k| self.in_element(&l, k))
                }
                _ => false,
            }),
            _ => Value::Undef,
        })
    }

    /// Whether `l in [..., x, ...]` holds for `x`: a regular expression matches a String, a type
    /// has it as an instance, anything else equals it.
    fn in_element(&mut self, l: &Value, x: &Value) -> bool {
        match (l, x) {
            (Value::Regex(re), Value::Str(s)) => self.regex_match(s, re),
            (Value::Regex(_), _) => false,
            (Value::Type(..), _) => self.instance_of(x, l),
            _ => l.puppet_eq(x),
        }
    }

    /// `l =~ r` as Puppet's `eval_MatchExpression`: a type is an instance check, anything else
    /// must make a regular expression, and then the left a String.
    fn match_operands(&mut self, l: &Value, r: &Value, e: &Expr) -> EvalResult<bool> {
        let ExprKind::Binary { left, right, .. } = &e.kind else {
            return err("Internal error: not a binary expression", self.loc(e));
        };
        let pattern = match r {
            Value::Type(..) => return Ok(self.instance_of(l, r)),
            Value::Regex(re) | Value::Str(re) => re.clone(),
            other => {
                // Ruby's `Regexp.new` of anything but a String.
                let what = match other {
                    Value::Undef => "nil".to_string(),
                    Value::Bool(b) => b.to_string(),
                    Value::Int(_) => "Integer".into(),
                    Value::Float(_) => "Float".into(),
                    Value::Array(_) => "Array".into(),
                    Value::Hash(_) => "Hash".into(),
                    Value::Default => "Symbol".into(),
                    _ => "Object".into(),
                };
                return err(
                    format!(
                        "Can not convert right match operand to a regular expression. Caused by 'no implicit conversion of {what} into String'."
                    ),
                    self.loc(right),
                );
            }
        };
        match l {
            Value::Str(s) => Ok(self.regex_match(s, &pattern)),
            other => {
                let label = with_article(&value_label(other));
                err(
                    format!("Left match operand must result in a String value. Got {label}."),
                    self.loc(left),
                )
            }
        }
    }

    /// Assigns to a variable or a list of them; Puppet blames the assignment `e` for a
    /// reassignment or a count that does not match.
    fn assign_to(&mut self, target: &Expr, v: Value, e: &Expr) -> EvalResult<()> {
        match &target.kind {
            ExprKind::Variable(name) => self.assign(name, v, target, e),
            ExprKind::LiteralList(targets) => {
                let values = match v {
                    Value::Array(a) => a,
                    other => vec![other],
                };
                if values.len() != targets.len() {
                    return err(
                        format!(
                            "Mismatched number of assignable entries and values, expected {}, got {}",
                            targets.len(),
                            values.len()
                        ),
                        self.loc(e),
                    );
                }
                for (t, x) in targets.iter().zip(values) {
                    self.assign_to(t, x, e)?;
                }
                Ok(())
            }
            _ => err(
                "Illegal attempt to assign to a non-variable",
                self.loc(target),
            ),
        }
    }

    /// `Type[...]` for a type that is not a data type: a resource or class reference.
    pub(super) fn type_access(
        &mut self,
        name: &str,
        keys: Vec<Value>,
        key_exprs: &[Expr],
        e: &Expr,
    ) -> EvalResult<Value> {
        if name == "Class" {
            return self.class_access(keys, key_exprs, e);
        }
        let mut keys = keys;
        let mut key_exprs = key_exprs;
        let type_name = if name == "Resource" {
            if keys.is_empty() {
                return err(
                    "Evaluation Error: 'Resource' expects at least 1 argument, got 0",
                    self.loc(e),
                );
            }
            let first = keys.remove(0);
            let first_at = key_exprs.first();
            key_exprs = &key_exprs[key_exprs.len().min(1)..];
            match first {
                Value::Str(s) => crate::reference::capitalize_type(&s),
                Value::Type(t, p) if p.is_empty() => t,
                other => {
                    let at = first_at.map_or_else(|| self.loc(e), |k| self.loc(k));
                    return err(
                        format!(
                            "Evaluation Error: First argument to Resource[] must be a resource type or a String. Got {}.",
                            bad_key_type_name(&other)
                        ),
                        at,
                    );
                }
            }
        } else {
            // Resolving the reference autoloads its type's file, as Puppet does; a type
            // that is nowhere is an error here, not later.
            if !crate::code::resource_type_known(self.code, name) {
                return err(
                    format!("Evaluation Error: Resource type not found: {name}"),
                    self.loc(e),
                );
            }
            name.to_string()
        };
        if name == "Resource" && keys.is_empty() {
            return Ok(Value::Type(type_name, vec![]));
        }
        // Puppet flattens the titles and drops undef ones: `Notify[undef]` is undef,
        // `Notify[[]]` an empty array, `Notify[undef, 'a']` `[Notify['a']]`.
        let given = keys.len();
        let (titles, as_array) = match reference_keys(keys) {
            Ok(keys) => keys,
            Err(none) => return Ok(none),
        };
        let mut refs = Vec::with_capacity(titles.len());
        for (i, t) in titles.iter().enumerate() {
            let Value::Str(title) = t else {
                // Puppet blames the key at this index, one further when flattening changed
                // the count (its own arithmetic, kept).
                let at = if given != titles.len() { i + 1 } else { i };
                let at = key_exprs
                    .get(at)
                    .map_or_else(|| self.loc(e), |k| self.loc(k));
                return err(
                    format!(
                        "Evaluation Error: Error creating type specialization of {}, Cannot use {} where a resource title String is expected",
                        with_article(&format!("{name}-Type")),
                        bad_key_type_name(t)
                    ),
                    at,
                );
            };
            refs.push(Value::Ref(ResourceRef {
                type_name: type_name.clone(),
                title: title.clone(),
            }));
        }
        Ok(if as_array {
            Value::Array(refs)
        } else {
            refs.pop().expect("one title")
        })
    }

    /// A type reference as Puppet's type parser reads it, without evaluating it: a data type, a
    /// resource type or an alias by name, else a `TypeReference` (no error).
    pub(super) fn interpret_type_name(&mut self, name: &str) -> Value {
        let name = crate::reference::capitalize_type(name);
        let lower = name.to_lowercase();
        if DATA_TYPES.contains(&name.as_str()) {
            return Value::Type(name, vec![]);
        }
        self.note_module_loader();
        if crate::code::resource_type_known(self.code, &name)
            || self.code.type_alias(&lower, Some(self.file)).is_some()
        {
            Value::Type(name, vec![])
        } else {
            Value::Type("TypeReference".into(), vec![Value::Str(name)])
        }
    }

    /// `Class[...]`: class references by name; keys written as type references are not
    /// evaluated (Puppet interprets them as types, then rejects them as class names).
    fn class_access(
        &mut self,
        keys: Vec<Value>,
        key_exprs: &[Expr],
        e: &Expr,
    ) -> EvalResult<Value> {
        let (names, as_array) = match reference_keys(keys) {
            Ok(keys) => keys,
            Err(none) => return Ok(none),
        };
        let mut refs = Vec::with_capacity(names.len());
        for (i, c) in names.iter().enumerate() {
            // Puppet blames the key at the flattened index.
            let at = key_exprs
                .get(i)
                .map_or_else(|| self.loc(e), |k| self.loc(k));
            let Value::Str(c) = c else {
                return err(
                    format!(
                        "Evaluation Error: Illegal Class name in class reference. {} cannot be used where a String is expected",
                        capitalize(&with_article(&class_key_label(c)))
                    ),
                    at,
                );
            };
            let name = c.to_lowercase();
            let name = name.strip_prefix("::").unwrap_or(&name);
            if !is_class_name(name) {
                // Puppet's message loses the first `\\w`'s backslash (a Ruby string escape):
                // kept as Puppet printed it.
                return err(
                    format!(
                        "Evaluation Error: Illegal name. The given name '{c}' does not conform to the naming rule /^((::)?[a-z_]w*)(::[a-z]\\w*)*$/"
                    ),
                    at,
                );
            }
            refs.push(Value::Ref(ResourceRef {
                type_name: "Class".into(),
                title: crate::reference::capitalize_type(name),
            }));
        }
        Ok(if as_array {
            Value::Array(refs)
        } else {
            refs.pop().expect("one name")
        })
    }
}

/// Reference keys flattened with the undef ones dropped, or, when none is left, the
/// reference's value: undef, or an empty array when written as one (`Notify[[]]`). With the
/// keys, whether the reference is an array of references (more than one key, or an array).
fn reference_keys(keys: Vec<Value>) -> Result<(Vec<Value>, bool), Value> {
    let as_array = keys.len() > 1 || matches!(keys.first(), Some(Value::Array(_)));
    let flat = flatten_defined(keys);
    match (flat.is_empty(), as_array) {
        (false, _) => Ok((flat, as_array)),
        (true, true) => Err(Value::Array(vec![])),
        (true, false) => Err(Value::Undef),
    }
}

/// Nested arrays flattened, undef dropped.
fn flatten_defined(keys: Vec<Value>) -> Vec<Value> {
    let mut out = Vec::with_capacity(keys.len());
    let mut stack: Vec<std::vec::IntoIter<Value>> = vec![keys.into_iter()];
    while let Some(top) = stack.last_mut() {
        match top.next() {
            Some(Value::Array(a)) => stack.push(a.into_iter()),
            Some(Value::Undef) => {}
            Some(v) => out.push(v),
            None => {
                stack.pop();
            }
        }
    }
    out
}

/// How Puppet's label provider names a non-String class key: a type as `X-Type`.
fn class_key_label(v: &Value) -> String {
    match v {
        Value::Type(..) | Value::Ref(_) => format!("{v}-Type"),
        other => other.type_name(),
    }
}

/// Puppet's class name rule `/^((::)?[a-z_]\w*)(::[a-z]\w*)*$/` (leading `::` removed).
fn is_class_name(name: &str) -> bool {
    name.split("::").enumerate().all(|(i, seg)| {
        let mut c = seg.chars();
        match c.next() {
            Some(f) if f.is_ascii_lowercase() || (i == 0 && f == '_') => {
                c.all(|x| x.is_alphanumeric() || x == '_')
            }
            _ => false,
        }
    })
}

fn num(v: &Value) -> Option<f64> {
    match v {
        Value::Int(i) => Some(*i as f64),
        Value::Float(f) => Some(*f),
        _ => None,
    }
}

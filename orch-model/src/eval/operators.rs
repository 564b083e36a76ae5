//! Operators (arithmetic, comparison, matching, `in`, assignment), access (`$a[1]`, `$h[k]`,
//! `Type[...]`), and the matching of `case` options and selector entries.

use orch_parser::{BinaryOp, Expr, ExprKind};

use super::{EvalResult, Evaluator, a_an, err};
use crate::value::DATA_TYPES;
use crate::{ResourceRef, Value};

impl Evaluator<'_> {
    pub(super) fn unary_minus(&mut self, inner: &Expr, e: &Expr) -> EvalResult<Value> {
        match self.eval(inner)? {
            Value::Int(i) => Ok(Value::Int(-i)),
            Value::Float(f) => Ok(Value::Float(-f)),
            other => err(
                format!(
                    "Operator '-' is not applicable to {}.",
                    a_an(&other.type_name())
                ),
                self.loc(e),
            ),
        }
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
        self.apply(op, l, r, e)
    }

    /// A binary operator on two evaluated operands.
    fn apply(&mut self, op: BinaryOp, l: Value, r: Value, e: &Expr) -> EvalResult<Value> {
        use BinaryOp as B;
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
                    (_, Value::Type(..)) => self.instance_of(&l, &r),
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

    pub(super) fn access(&mut self, l: Value, keys: Vec<Value>, e: &Expr) -> EvalResult<Value> {
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
                    Some(Value::Str(s)) => crate::reference::capitalize_type(&s),
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
                        Value::Str(s) => Value::Str(crate::reference::capitalize_type(&s)),
                        other => other,
                    })
                    .collect(),
            ),
            _ => {
                // Resolving the reference autoloads its type's file, as Puppet does; a type
                // that is nowhere is an error here, not later.
                if !crate::code::resource_type_known(self.code, name) {
                    return err(
                        format!("Evaluation Error: Resource type not found: {name}"),
                        self.loc(e),
                    );
                }
                (name.to_string(), keys)
            }
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

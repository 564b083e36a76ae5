//! The arithmetic operators (`+ - * / % << >>`) as Puppet 5.5's `calculate` does them:
//! collections concatenate, delete and append; anything else is coerced to a number (a numeric
//! string with Puppet's warning, else `The value '...' cannot be converted to Numeric.` at that
//! operand), then Ruby's arithmetic with Puppet's 64-bit bounds.

use orch_parser::{BinaryOp, Expr, ExprKind};

use super::{EvalResult, Evaluator, err};
use crate::Value;
use crate::problem::Problem;
use crate::value::{ruby_float, ruby_inspect};

/// A number as Ruby holds it.
#[derive(Clone, Copy)]
pub(super) enum Num {
    Int(i64),
    Float(f64),
}

impl Evaluator<'_> {
    /// `l op r` for an arithmetic `op`; `e` is the binary expression.
    pub(super) fn arithmetic(
        &mut self,
        op: BinaryOp,
        l: Value,
        r: Value,
        e: &Expr,
    ) -> EvalResult<Value> {
        use BinaryOp as B;
        let ExprKind::Binary { left, right, .. } = &e.kind else {
            return err("Internal error: not a binary expression", self.loc(e));
        };
        let sym = op.as_str();
        match (op, l) {
            (B::Add, Value::Array(mut a)) => {
                match r {
                    Value::Array(b) => a.extend(b),
                    Value::Hash(h) => {
                        a.extend(h.into_iter().map(|(k, v)| Value::Array(vec![k, v])))
                    }
                    other => a.push(other),
                }
                Ok(Value::Array(a))
            }
            (B::Add, Value::Hash(mut a)) => {
                let added = match r {
                    Value::Hash(b) => b,
                    Value::Array(b) => match super::types::hash_from_array(b) {
                        Some(h) => h,
                        None => {
                            return self.runtime_error(sym, "odd number of arguments for Hash", e);
                        }
                    },
                    _ => {
                        return self.runtime_error(
                            sym,
                            "Can only append Array or Hash to a Hash",
                            e,
                        );
                    }
                };
                for (k, v) in added {
                    match a.iter_mut().find(|(x, _)| *x == k) {
                        Some(slot) => slot.1 = v,
                        None => a.push((k, v)),
                    }
                }
                Ok(Value::Hash(a))
            }
            (B::Sub, Value::Array(a)) => {
                let gone: Vec<Value> = match r {
                    Value::Array(b) => b,
                    Value::Hash(h) => h
                        .into_iter()
                        .map(|(k, v)| Value::Array(vec![k, v]))
                        .collect(),
                    other => vec![other],
                };
                Ok(Value::Array(
                    a.into_iter()
                        .filter(|x| !gone.iter().any(|y| x.puppet_eq(y)))
                        .collect(),
                ))
            }
            (B::Sub, Value::Hash(a)) => {
                let keys: Vec<Value> = match r {
                    Value::Array(b) => b,
                    Value::Hash(h) => h.into_iter().map(|(k, _)| k).collect(),
                    other => vec![other],
                };
                Ok(Value::Hash(
                    a.into_iter()
                        .filter(|(k, _)| !keys.iter().any(|y| k.puppet_eq(y)))
                        .collect(),
                ))
            }
            (B::Shl, Value::Array(mut a)) => {
                a.push(r);
                Ok(Value::Array(a))
            }
            (B::Shl, h @ Value::Hash(_)) => err(
                format!(
                    "Evaluation Error: Operator '<<' is not applicable to {}.",
                    label(&h)
                ),
                self.loc(left),
            ),
            (_, l) => {
                let x = self.coerce_numeric(&l, left)?;
                let y = self.coerce_numeric(&r, right)?;
                self.calculate(op, x, y, e, left, right)
            }
        }
    }

    /// `-v`: a number, or a numeric string, negated.
    pub(super) fn negate(&mut self, v: &Value, e: &Expr) -> EvalResult<Value> {
        Ok(match self.coerce_numeric(v, e)? {
            Num::Int(i) => Value::Int(i.saturating_neg()),
            Num::Float(f) => Value::Float(-f),
        })
    }

    /// A number, a numeric string (with Puppet's warning), or Puppet's error at `at`.
    pub(super) fn coerce_numeric(&mut self, v: &Value, at: &Expr) -> EvalResult<Num> {
        match v {
            Value::Int(i) => Ok(Num::Int(*i)),
            Value::Float(f) => Ok(Num::Float(*f)),
            Value::Str(s) if let Some(n) = numeric_string(s) => {
                let shown = match n {
                    Num::Int(i) => i.to_string(),
                    Num::Float(f) => ruby_float(f),
                };
                self.notices.push(Problem::warning(
                    format!(
                        "The string '{s}' was automatically coerced to the numerical value {shown}"
                    ),
                    self.loc(at),
                ));
                Ok(n)
            }
            other => {
                let shown = match other {
                    Value::Str(s) => s.clone(),
                    Value::Undef => String::new(),
                    Value::Array(_) | Value::Hash(_) => ruby_inspect(other),
                    // Ruby's `Regexp#to_s`.
                    Value::Regex(r) => format!("(?-mix:{r})"),
                    v => v.to_string(),
                };
                err(
                    format!(
                        "Evaluation Error: The value '{shown}' cannot be converted to Numeric."
                    ),
                    self.loc(at),
                )
            }
        }
    }

    fn calculate(
        &mut self,
        op: BinaryOp,
        x: Num,
        y: Num,
        e: &Expr,
        left: &Expr,
        right: &Expr,
    ) -> EvalResult<Value> {
        use BinaryOp as B;
        let sym = op.as_str();
        let not_applicable = |this: &Self, what: String| {
            err(
                format!("Evaluation Error: Operator '{sym}' is not applicable to {what}."),
                this.loc(left),
            )
        };
        let result = match (x, y) {
            (Num::Int(a), Num::Int(b)) => {
                let (a, b) = (i128::from(a), i128::from(b));
                let exact = match op {
                    B::Add => Some(a + b),
                    B::Sub => Some(a - b),
                    B::Mul => Some(a * b),
                    B::Div | B::Mod if b == 0 => {
                        return err("Evaluation Error: Division by 0", self.loc(right));
                    }
                    // Ruby floors: -7 / 2 is -4, -7 % 3 is 2.
                    B::Div => Some(a.div_euclid(b) - i128::from(b < 0 && a.rem_euclid(b) != 0)),
                    B::Mod => {
                        Some(a - b * (a.div_euclid(b) - i128::from(b < 0 && a.rem_euclid(b) != 0)))
                    }
                    B::Shl => shift(a, b),
                    B::Shr => shift(a, -b),
                    _ => None,
                };
                match exact {
                    Some(v) => match i64::try_from(v) {
                        Ok(v) => Value::Int(v),
                        Err(_) => return self.overflow(sym, v, e),
                    },
                    None => return self.overflow(sym, i128::MAX, e),
                }
            }
            (a, b) => {
                if op == B::Mod {
                    return match a {
                        Num::Float(_) => not_applicable(self, "a Float".into()),
                        Num::Int(_) => {
                            not_applicable(self, "an Integer when right side is a Float".into())
                        }
                    };
                }
                let (a, b) = (as_f64(a), as_f64(b));
                let v = match op {
                    B::Add => a + b,
                    B::Sub => a - b,
                    B::Mul => a * b,
                    B::Div => a / b,
                    _ => {
                        let kind = if matches!(x, Num::Float(_)) {
                            "a Float"
                        } else {
                            "an Integer"
                        };
                        return not_applicable(self, kind.into());
                    }
                };
                if v.is_infinite() {
                    return err(
                        format!("Evaluation Error: The result of the {sym} expression is Infinity"),
                        self.loc(left),
                    );
                }
                Value::Float(v)
            }
        };
        Ok(result)
    }

    fn runtime_error<T>(&self, sym: &str, detail: &str, e: &Expr) -> EvalResult<T> {
        err(
            format!("Evaluation Error: Error while evaluating a '{sym}' expression, {detail}"),
            self.loc(e),
        )
    }

    fn overflow<T>(&self, sym: &str, v: i128, e: &Expr) -> EvalResult<T> {
        let (bound, shown) = if v > 0 {
            ("max", format!("+{:#x}", v))
        } else {
            ("min", format!("-{:#x}", v.unsigned_abs()))
        };
        err(
            format!(
                "Evaluation Error: A '{sym}' expression resulted in a value outside of Puppet Integer {bound} range, got '{shown}'"
            ),
            self.loc(e),
        )
    }
}

/// `a << n` (a right shift for negative `n`), exact while it fits in 128 bits.
fn shift(a: i128, n: i128) -> Option<i128> {
    if n >= 0 {
        let n = u32::try_from(n).ok().filter(|n| *n < 127)?;
        let v = a.checked_shl(n)?;
        (v >> n == a).then_some(v)
    } else {
        let n = u32::try_from(-n).unwrap_or(127).min(127);
        Some(a >> n)
    }
}

fn as_f64(n: Num) -> f64 {
    match n {
        Num::Int(i) => i as f64,
        Num::Float(f) => f,
    }
}

/// Puppet's label of a value in "not applicable" messages: `a Hash`.
fn label(v: &Value) -> String {
    let name = v.type_name();
    let article = if name.starts_with(['A', 'E', 'I', 'O', 'U']) {
        "an"
    } else {
        "a"
    };
    format!("{article} {name}")
}

/// Puppet's `Utils.to_n` of a string: blanks around, a sign, then hex (`0x1F`), a decimal or
/// leading-zero octal integer, or a float (`1.5`, `1e3`); else not a number.
pub(super) fn numeric_string(s: &str) -> Option<Num> {
    let blank = |c: char| c == ' ' || c == '\t';
    let t = s.trim_matches(blank);
    let (negative, body) = match t.strip_prefix('-') {
        Some(b) => (true, b),
        None => (false, t.strip_prefix('+').unwrap_or(t)),
    };
    let body = body.trim_start_matches(blank);
    let sign = |v: i64| if negative { -v } else { v };
    if let Some(hex) = body.strip_prefix("0x").or_else(|| body.strip_prefix("0X")) {
        if hex.is_empty() || !hex.chars().all(|c| c.is_ascii_hexdigit()) {
            return None;
        }
        return i64::from_str_radix(hex, 16).ok().map(|v| Num::Int(sign(v)));
    }
    let digits_end = body
        .find(|c: char| !c.is_ascii_digit())
        .unwrap_or(body.len());
    let (int, rest) = body.split_at(digits_end);
    if int.is_empty() {
        return None;
    }
    if rest.is_empty() {
        // Ruby's Integer(): a leading zero is octal, and `08` is no number.
        return if int.len() > 1 && int.starts_with('0') {
            i64::from_str_radix(&int[1..], 8)
                .ok()
                .map(|v| Num::Int(sign(v)))
        } else {
            int.parse::<i64>().ok().map(|v| Num::Int(sign(v)))
        };
    }
    // The float part: `(?:\.\d+)?(?:[eE]-?\d+)?`, on an integer part of `0?\d+`.
    let mut r = rest;
    if let Some(f) = r.strip_prefix('.') {
        let n = f.find(|c: char| !c.is_ascii_digit()).unwrap_or(f.len());
        if n == 0 {
            return None;
        }
        r = &f[n..];
    }
    if let Some(x) = r.strip_prefix(['e', 'E']) {
        let x = x.strip_prefix('-').unwrap_or(x);
        if x.is_empty() || !x.chars().all(|c| c.is_ascii_digit()) {
            return None;
        }
        r = "";
    }
    if !r.is_empty() {
        return None;
    }
    let text = format!("{}{int}{rest}", if negative { "-" } else { "" });
    text.parse::<f64>().ok().map(Num::Float)
}

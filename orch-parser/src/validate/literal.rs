//! Literal values of hash keys (Puppet's `LiteralEvaluator`), compared and printed as Ruby does
//! (`eql?`, `to_s`, `inspect`), for the `DUPLICATE_KEY` check.

use crate::ast::{Expr, ExprKind};

/// A Ruby value a literal expression evaluates to.
#[derive(Debug, Clone)]
pub(super) enum Lit {
    Str(String),
    Int(i128),
    Float(f64),
    Bool(bool),
    Nil,
    Default,
    Regex(String),
    List(Vec<Lit>),
    Hash(Vec<(Lit, Lit)>),
}

/// `LiteralEvaluator#literal`: the value of a literal expression, `None` when it is not one.
pub(super) fn literal(e: &Expr) -> Option<Lit> {
    use ExprKind as K;
    Some(match &e.kind {
        K::LiteralString(s) | K::QualifiedName(s) => Lit::Str(s.to_string()),
        K::LiteralInteger { value, .. } => Lit::Int(value.get()),
        K::LiteralFloat(f) => Lit::Float(*f),
        K::LiteralBoolean(b) => Lit::Bool(*b),
        K::LiteralUndef => Lit::Nil,
        K::LiteralDefault => Lit::Default,
        K::LiteralRegex(r) => Lit::Regex(r.to_string()),
        K::ConcatenatedString(segs) => match segs.as_slice() {
            [
                Expr {
                    kind: K::LiteralString(s),
                    ..
                },
            ] => Lit::Str(s.to_string()),
            _ => return None,
        },
        K::LiteralList(values) => Lit::List(values.iter().map(literal).collect::<Option<_>>()?),
        K::LiteralHash { entries, .. } => {
            let mut h: Vec<(Lit, Lit)> = vec![];
            for en in entries {
                let (k, v) = (literal(&en.key)?, literal(&en.value)?);
                match h.iter_mut().find(|(hk, _)| hk.ruby_eql(&k)) {
                    Some(slot) => slot.1 = v,
                    None => h.push((k, v)),
                }
            }
            Lit::Hash(h)
        }
        _ => return None,
    })
}

impl Lit {
    /// Ruby's `eql?` (how a `Set` tells its members apart): `1` and `1.0` differ.
    pub(super) fn ruby_eql(&self, other: &Lit) -> bool {
        match (self, other) {
            (Lit::Str(a), Lit::Str(b)) | (Lit::Regex(a), Lit::Regex(b)) => a == b,
            (Lit::Int(a), Lit::Int(b)) => a == b,
            (Lit::Float(a), Lit::Float(b)) => a == b,
            (Lit::Bool(a), Lit::Bool(b)) => a == b,
            (Lit::Nil, Lit::Nil) | (Lit::Default, Lit::Default) => true,
            (Lit::List(a), Lit::List(b)) => {
                a.len() == b.len() && a.iter().zip(b).all(|(x, y)| x.ruby_eql(y))
            }
            (Lit::Hash(a), Lit::Hash(b)) => {
                a.len() == b.len()
                    && a.iter()
                        .all(|(k, v)| b.iter().any(|(k2, v2)| k.ruby_eql(k2) && v.ruby_eql(v2)))
            }
            _ => false,
        }
    }

    /// Ruby's `to_s`.
    pub(super) fn to_ruby_s(&self) -> String {
        match self {
            Lit::Str(s) => s.clone(),
            Lit::Nil => String::new(),
            Lit::Default => "default".into(),
            Lit::Regex(r) => format!("(?-mix:{})", escape_slashes(r)),
            _ => self.inspect(),
        }
    }

    /// Ruby's `inspect`.
    fn inspect(&self) -> String {
        match self {
            Lit::Str(s) => inspect_str(s),
            Lit::Int(i) => i.to_string(),
            Lit::Float(f) => ruby_float(*f),
            Lit::Bool(b) => b.to_string(),
            Lit::Nil => "nil".into(),
            Lit::Default => ":default".into(),
            Lit::Regex(r) => format!("/{}/", escape_slashes(r)),
            Lit::List(v) => {
                let items: Vec<String> = v.iter().map(Lit::inspect).collect();
                format!("[{}]", items.join(", "))
            }
            Lit::Hash(h) => {
                let items: Vec<String> = h
                    .iter()
                    .map(|(k, v)| format!("{}=>{}", k.inspect(), v.inspect()))
                    .collect();
                format!("{{{}}}", items.join(", "))
            }
        }
    }
}

/// A regexp's source as Ruby shows it: `/` escaped.
fn escape_slashes(src: &str) -> String {
    let mut out = String::with_capacity(src.len());
    let mut escaped = false;
    for c in src.chars() {
        if c == '/' && !escaped {
            out.push('\\');
        }
        escaped = c == '\\' && !escaped;
        out.push(c);
    }
    out
}

/// Ruby's `String#inspect`.
fn inspect_str(s: &str) -> String {
    let mut out = String::from("\"");
    let mut chars = s.chars().peekable();
    while let Some(c) = chars.next() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            '\n' => out.push_str("\\n"),
            '\r' => out.push_str("\\r"),
            '\t' => out.push_str("\\t"),
            '\x0c' => out.push_str("\\f"),
            '\x0b' => out.push_str("\\v"),
            '\x08' => out.push_str("\\b"),
            '\x07' => out.push_str("\\a"),
            '\x1b' => out.push_str("\\e"),
            '#' if matches!(chars.peek(), Some('{' | '$' | '@')) => out.push_str("\\#"),
            c if (c as u32) < 0x20 || c == '\x7f' => {
                out.push_str(&format!("\\u{:04X}", c as u32));
            }
            c => out.push(c),
        }
    }
    out.push('"');
    out
}

/// Ruby's `Float#to_s`: the shortest representation, in fixed notation for decimal exponents
/// -4 to 14, otherwise as `d.ddde+XX`.
pub(super) fn ruby_float(f: f64) -> String {
    if f.is_nan() {
        return "NaN".into();
    }
    if f.is_infinite() {
        return if f > 0.0 { "Infinity" } else { "-Infinity" }.into();
    }
    if f == 0.0 {
        return if f.is_sign_negative() { "-0.0" } else { "0.0" }.into();
    }
    // `{:e}` gives the shortest round-trip digits: `-1.2345e-7`.
    let sci = format!("{f:e}");
    let (mantissa, exp) = sci.split_once('e').expect("exponent notation");
    let exp: i32 = exp.parse().expect("an integer exponent");
    let (sign, mantissa) = match mantissa.strip_prefix('-') {
        Some(m) => ("-", m),
        None => ("", mantissa),
    };
    let digits: String = mantissa.chars().filter(|c| *c != '.').collect();
    if (-4..15).contains(&exp) {
        let decpt = exp + 1;
        if decpt <= 0 {
            format!("{sign}0.{}{digits}", "0".repeat((-decpt) as usize))
        } else {
            let d = decpt as usize;
            if digits.len() <= d {
                format!("{sign}{digits}{}.0", "0".repeat(d - digits.len()))
            } else {
                format!("{sign}{}.{}", &digits[..d], &digits[d..])
            }
        }
    } else {
        let frac = if digits.len() > 1 { &digits[1..] } else { "0" };
        let esign = if exp < 0 { '-' } else { '+' };
        format!("{sign}{}.{frac}e{esign}{:02}", &digits[..1], exp.abs())
    }
}

#[cfg(test)]
mod tests {
    use super::ruby_float;

    #[test]
    fn floats_print_as_ruby_prints_them() {
        let cases = [
            (1.0, "1.0"),
            (1e15, "1.0e+15"),
            (1.23e16, "1.23e+16"),
            (0.0001, "0.0001"),
            (1e-5, "1.0e-05"),
            (123_456_789.123_456_79, "123456789.12345679"),
            (1e100, "1.0e+100"),
            (-2.5, "-2.5"),
            (0.1 + 0.2, "0.30000000000000004"),
            (1e14, "100000000000000.0"),
            (1234567890123456.0, "1.234567890123456e+15"),
            (0.00012, "0.00012"),
        ];
        for (f, want) in cases {
            assert_eq!(ruby_float(f), want, "{f}");
        }
    }
}

//! `sprintf` as Puppet's runs it, on Ruby's `Kernel#format`: `%[flags][width][.precision]type`
//! with the flags `-`, `+`, space, `0`, `#`, and the conversions `d i u f e E g G s p x X o b B
//! c %`. Numbers given as strings are converted as Ruby's `Integer()`/`Float()` would.

use crate::Value;

/// One directive's flags, width and precision.
#[derive(Default, Clone, Copy)]
struct Spec {
    left: bool,
    plus: bool,
    space: bool,
    zero: bool,
    alt: bool,
    width: usize,
    precision: Option<usize>,
}

/// Formats `fmt` with `args`; a directive without an argument formats nothing.
pub(super) fn sprintf(fmt: &str, args: &[Value]) -> String {
    let mut out = String::new();
    let mut it = args.iter();
    let mut chars = fmt.chars().peekable();
    while let Some(c) = chars.next() {
        if c != '%' {
            out.push(c);
            continue;
        }
        let mut spec = Spec::default();
        while let Some(&f) = chars.peek() {
            match f {
                '-' => spec.left = true,
                '+' => spec.plus = true,
                ' ' => spec.space = true,
                '0' => spec.zero = true,
                '#' => spec.alt = true,
                _ => break,
            }
            chars.next();
        }
        while let Some(d) = chars.peek().and_then(|c| c.to_digit(10)) {
            spec.width = spec.width.saturating_mul(10).saturating_add(d as usize);
            chars.next();
        }
        if chars.peek() == Some(&'.') {
            chars.next();
            let mut p = 0usize;
            while let Some(d) = chars.peek().and_then(|c| c.to_digit(10)) {
                p = p.saturating_mul(10).saturating_add(d as usize);
                chars.next();
            }
            spec.precision = Some(p.min(1_000));
        }
        spec.width = spec.width.min(10_000);
        let Some(conv) = chars.next() else {
            out.push('%');
            break;
        };
        if conv == '%' {
            out.push('%');
            continue;
        }
        let arg = it.next().cloned().unwrap_or(Value::Undef);
        out.push_str(&directive(conv, &spec, &arg));
    }
    out
}

/// One conversion of one argument.
fn directive(conv: char, spec: &Spec, arg: &Value) -> String {
    match conv {
        'd' | 'i' | 'u' => {
            let n = integer(arg);
            let digits = n.unsigned_abs().to_string();
            let digits = match spec.precision {
                Some(p) if digits.len() < p => format!("{}{digits}", "0".repeat(p - digits.len())),
                _ => digits,
            };
            number(spec, n < 0, "", &digits)
        }
        'x' | 'X' | 'o' | 'b' | 'B' => {
            let n = integer(arg);
            let abs = n.unsigned_abs();
            let (digits, prefix) = match conv {
                'x' => (format!("{abs:x}"), "0x"),
                'X' => (format!("{abs:X}"), "0X"),
                'o' => (format!("{abs:o}"), "0"),
                'b' => (format!("{abs:b}"), "0b"),
                _ => (format!("{abs:b}"), "0B"),
            };
            let prefix = if spec.alt && abs != 0 { prefix } else { "" };
            if n < 0 && !spec.plus && !spec.space && matches!(conv, 'x' | 'X' | 'b' | 'B') {
                // Ruby shows a negative number's two's complement: `..f01` for -255.
                let (all, top) = match conv {
                    'x' => (format!("{:x}", n as u64), 'f'),
                    'X' => (format!("{:X}", n as u64), 'F'),
                    _ => (format!("{:b}", n as u64), '1'),
                };
                let rest = all.trim_start_matches(top);
                return pad(spec, &format!("{prefix}..{top}{rest}"));
            }
            number(spec, n < 0, prefix, &digits)
        }
        'f' | 'e' | 'E' | 'g' | 'G' => {
            let x = float(arg);
            if !x.is_finite() {
                let text = if x.is_nan() { "NaN" } else { "Inf" };
                return number(
                    &Spec {
                        zero: false,
                        ..*spec
                    },
                    x < 0.0,
                    "",
                    text,
                );
            }
            let p = spec.precision.unwrap_or(6);
            let body = match conv {
                'f' => format!("{:.p$}", x.abs()),
                'e' | 'E' => exponent(x.abs(), p, conv == 'E'),
                _ => general(x.abs(), p, spec.alt, conv == 'G'),
            };
            number(spec, x.is_sign_negative() && x != 0.0, "", &body)
        }
        'c' => {
            let s = match arg {
                Value::Int(i) => char::from_u32(*i as u32)
                    .map(String::from)
                    .unwrap_or_default(),
                other => other.to_string().chars().take(1).collect(),
            };
            pad(spec, &s)
        }
        'p' => pad_truncated(spec, &ruby_inspect(arg)),
        // Ruby's `to_s` of an Array or Hash is its `inspect`.
        _ => match arg {
            Value::Array(_) | Value::Hash(_) => pad_truncated(spec, &ruby_inspect(arg)),
            other => pad_truncated(spec, &other.to_string()),
        },
    }
}

/// Ruby's `inspect`: `[1, "a"]`, `{"k"=>1}`, `nil`.
pub(super) fn ruby_inspect(v: &Value) -> String {
    match v {
        Value::Undef => "nil".into(),
        Value::Default => ":default".into(),
        Value::Str(s) => format!("{s:?}"),
        Value::Array(a) => {
            let items: Vec<String> = a.iter().map(ruby_inspect).collect();
            format!("[{}]", items.join(", "))
        }
        Value::Hash(h) => {
            let items: Vec<String> = h
                .iter()
                .map(|(k, x)| format!("{}=>{}", ruby_inspect(k), ruby_inspect(x)))
                .collect();
            format!("{{{}}}", items.join(", "))
        }
        Value::Regex(r) => format!("/{r}/"),
        other => other.to_string(),
    }
}

/// A string padded to the width, cut to the precision.
fn pad_truncated(spec: &Spec, s: &str) -> String {
    let s: String = match spec.precision {
        Some(p) => s.chars().take(p).collect(),
        None => s.to_string(),
    };
    pad(spec, &s)
}

fn pad(spec: &Spec, s: &str) -> String {
    let len = s.chars().count();
    if len >= spec.width {
        return s.to_string();
    }
    let fill = " ".repeat(spec.width - len);
    if spec.left {
        format!("{s}{fill}")
    } else {
        format!("{fill}{s}")
    }
}

/// A number's sign, prefix and digits, padded with spaces or (flag `0`) zeros after the sign.
fn number(spec: &Spec, negative: bool, prefix: &str, digits: &str) -> String {
    let sign = if negative {
        "-"
    } else if spec.plus {
        "+"
    } else if spec.space {
        " "
    } else {
        ""
    };
    let len = sign.len() + prefix.len() + digits.chars().count();
    if spec.zero && !spec.left && len < spec.width {
        let zeros = "0".repeat(spec.width - len);
        return format!("{sign}{prefix}{zeros}{digits}");
    }
    pad(spec, &format!("{sign}{prefix}{digits}"))
}

/// `%e`: `d.ddde+XX`, at least two exponent digits.
fn exponent(x: f64, p: usize, upper: bool) -> String {
    let text = format!("{x:.p$e}");
    let (mantissa, exp) = text.split_once('e').unwrap_or((&text, "0"));
    let exp: i32 = exp.parse().unwrap_or(0);
    let e = if upper { 'E' } else { 'e' };
    let sign = if exp < 0 { '-' } else { '+' };
    format!("{mantissa}{e}{sign}{:02}", exp.abs())
}

/// `%g`: `%e` for very small or large exponents, `%f` otherwise, trailing zeros dropped
/// (kept with `#`).
fn general(x: f64, p: usize, alt: bool, upper: bool) -> String {
    let p = p.max(1);
    let exp = if x == 0.0 {
        0
    } else {
        let e = exponent(x, p - 1, false);
        e.rsplit_once('e')
            .and_then(|(_, x)| x.parse::<i32>().ok())
            .unwrap_or(0)
    };
    let text = if exp < -4 || exp >= p as i32 {
        exponent(x, p - 1, upper)
    } else {
        let decimals = (p as i32 - 1 - exp).max(0) as usize;
        format!("{x:.decimals$}")
    };
    if alt {
        return text;
    }
    match text.split_once(['e', 'E']) {
        Some((m, e)) => {
            let m = trim_zeros(m);
            let mark = if upper { 'E' } else { 'e' };
            format!("{m}{mark}{e}")
        }
        None => trim_zeros(&text),
    }
}

fn trim_zeros(s: &str) -> String {
    if s.contains('.') {
        s.trim_end_matches('0').trim_end_matches('.').to_string()
    } else {
        s.to_string()
    }
}

/// An integer as Ruby's `format` takes it: floats cut toward negative infinity, numeric
/// strings read.
fn integer(v: &Value) -> i64 {
    match v {
        Value::Int(i) => *i,
        Value::Float(f) => f.floor() as i64,
        Value::Str(s) => {
            let t = s.trim();
            let (neg, t) = match t.strip_prefix('-') {
                Some(r) => (true, r),
                None => (false, t.strip_prefix('+').unwrap_or(t)),
            };
            let n = if let Some(h) = t.strip_prefix("0x").or_else(|| t.strip_prefix("0X")) {
                i64::from_str_radix(h, 16).ok()
            } else if let Some(b) = t.strip_prefix("0b").or_else(|| t.strip_prefix("0B")) {
                i64::from_str_radix(b, 2).ok()
            } else if t.len() > 1 && t.starts_with('0') {
                i64::from_str_radix(&t[1..], 8).ok()
            } else {
                t.parse().ok()
            };
            let n = n.unwrap_or(0);
            if neg { -n } else { n }
        }
        Value::Bool(_) | Value::Undef => 0,
        _ => 0,
    }
}

fn float(v: &Value) -> f64 {
    match v {
        Value::Int(i) => *i as f64,
        Value::Float(f) => *f,
        Value::Str(s) => s.trim().parse().unwrap_or(0.0),
        _ => 0.0,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn f(fmt: &str, args: &[Value]) -> String {
        sprintf(fmt, args)
    }

    #[test]
    fn formats_as_ruby_does() {
        let (i, fl, s) = (Value::Int, Value::Float, |x: &str| Value::Str(x.into()));
        assert_eq!(
            f("%05.1f|%s|%d|%x", &[fl(3.25159), s("a"), i(42), i(255)]),
            "003.3|a|42|ff"
        );
        assert_eq!(
            f("%-5s|%5s|%.2s", &[s("ab"), s("ab"), s("abc")]),
            "ab   |   ab|ab"
        );
        assert_eq!(f("%+d % d %05d", &[i(3), i(3), i(-42)]), "+3  3 -0042");
        assert_eq!(
            f("%#x %#o %b %X", &[i(255), i(8), i(5), i(255)]),
            "0xff 010 101 FF"
        );
        assert_eq!(
            f("%e|%.2E", &[fl(12345.678), fl(0.000123)]),
            "1.234568e+04|1.23E-04"
        );
        assert_eq!(
            f("%g|%g|%g", &[fl(0.0001), fl(123456789.0), fl(2.5)]),
            "0.0001|1.23457e+08|2.5"
        );
        assert_eq!(f("%d%%", &[s("7")]), "7%");
        assert_eq!(f("%.3d|%c", &[i(7), i(65)]), "007|A");
    }
}

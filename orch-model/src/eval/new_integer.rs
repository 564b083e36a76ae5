//! `Integer.new` (`Integer($x)`, `Integer($s, 16)`, `Integer({from => $s, abs => true})`) as
//! Puppet 5.5's `PIntegerType.new_function` dispatches it: a string must look like an integer
//! (decimal, `0x` hex, `0b` binary, leading-zero octal, a sign) before Ruby's `Integer()`
//! converts it, the radix is 2, 8, 10 or 16, and each failure has Puppet's words.

use crate::Value;

/// Puppet's `Convertible` string pattern (`INTEGER_PATTERN_LENIENT`), as it prints it.
const PATTERN: &str = r"/\A[+-]?\s*(?:(?:\d+)|(?:0[xX][0-9A-Fa-f]+)|(?:0[bB][01]+))\z/";
const RADIX: &str =
    "Radix = Variant[Default, Integer[2, 2], Integer[8, 8], Integer[10, 10], Integer[16, 16]]";

/// `Integer.new(args)`: the value, or Puppet's message without its call context.
pub(crate) fn integer_new(args: &[Value]) -> Result<Value, String> {
    match args {
        [Value::Hash(h)] => from_hash(h),
        [from] => from_args(from, &Value::Default, &Value::Bool(false), 1),
        [from, radix] => from_args(from, radix, &Value::Bool(false), 2),
        [from, radix, abs] => from_args(from, radix, abs, 3),
        _ => Err(expects_one_of(
            &format!("expects between 1 and 3 arguments, got {}", args.len()),
            args.len(),
        )),
    }
}

/// The positional form; `given` is how many arguments the call had (for the dispatch error).
fn from_args(from: &Value, radix: &Value, abs: &Value, given: usize) -> Result<Value, String> {
    let radix = match radix {
        Value::Default => None,
        Value::Int(r @ (2 | 8 | 10 | 16)) => Some(*r as u32),
        // Puppet's mismatch handler asserts an Integer radix before anything else.
        Value::Int(r) => return Err(illegal_radix(r)),
        other => {
            return Err(expects_one_of(
                &format!(
                    "parameter 'radix' expects a {RADIX} value, got {}",
                    super::types::generalized(other)
                ),
                given,
            ));
        }
    };
    let abs = match abs {
        Value::Bool(b) => *b,
        other => {
            return Err(expects_one_of(
                &format!(
                    "parameter 'abs' expects a Boolean value, got {}",
                    super::types::generalized(other)
                ),
                given,
            ));
        }
    };
    let value = convert(from, radix)?;
    Ok(Value::Int(if abs { value.saturating_abs() } else { value }))
}

fn illegal_radix(r: &dyn std::fmt::Display) -> String {
    format!("Illegal radix: {r}, expected 2, 8, 10, 16, or default")
}

fn convert(from: &Value, radix: Option<u32>) -> Result<i64, String> {
    match from {
        Value::Int(i) => Ok(*i),
        Value::Float(f) => Ok(f.trunc() as i64),
        Value::Bool(b) => Ok(i64::from(*b)),
        Value::Str(s) if is_convertible(s) => ruby_integer(s, radix).or_else(|e| {
            // Puppet retries once without the blanks between a sign and the number.
            let mut chars = s.chars();
            match chars.next() {
                Some(sign @ ('+' | '-')) if chars.as_str().starts_with([' ', '\t']) => {
                    let rest = chars.as_str().trim_start_matches([' ', '\t']);
                    ruby_integer(&format!("{sign}{rest}"), radix).map_err(|_| e)
                }
                _ => Err(e),
            }
        }),
        Value::Str(s) => Err(format!(
            "'new' The string '{s}' cannot be converted to Integer"
        )),
        other => Err(format!(
            "'new' Value of type {} cannot be converted to Integer",
            super::types::generalized(other)
        )),
    }
}

/// The hash form: `{from => X, radix => R, abs => B}`, checked as Puppet's `NamedArgs` struct.
fn from_hash(h: &[(Value, Value)]) -> Result<Value, String> {
    let get = |k: &str| {
        h.iter()
            .find(|(x, _)| matches!(x, Value::Str(s) if s == k))
            .map(|(_, v)| v)
    };
    if let Some(from) = get("from")
        && !matches!(from, Value::Int(_) | Value::Float(_) | Value::Bool(_))
        && !matches!(from, Value::Str(s) if is_convertible(s))
    {
        return convert(from, None).map(Value::Int);
    }
    match get("radix") {
        None | Some(Value::Default | Value::Int(2 | 8 | 10 | 16)) => {}
        Some(r) => return Err(illegal_radix(r)),
    }
    let mut errors = vec![];
    if h.is_empty() {
        errors.push("expects size to be between 1 and 3, got 0".to_string());
    } else {
        if get("from").is_none() {
            errors.push("expects a value for key 'from'".to_string());
        }
        if let Some(abs) = get("abs").filter(|a| !matches!(a, Value::Bool(_))) {
            errors.push(format!(
                "entry 'abs' expects a Boolean value, got {}",
                super::types::generalized(abs)
            ));
        }
        for (k, _) in h {
            if !matches!(k, Value::Str(s) if matches!(s.as_str(), "from" | "radix" | "abs")) {
                errors.push(format!("unrecognized key '{k}'"));
            }
        }
    }
    match errors.as_slice() {
        [] => from_args(
            get("from").unwrap_or(&Value::Undef),
            get("radix").unwrap_or(&Value::Default),
            get("abs").unwrap_or(&Value::Bool(false)),
            1,
        ),
        [one] => Err(format!("Integer.new has wrong type, {one}")),
        many => Err(many
            .iter()
            .map(|e| format!(" Integer.new has wrong type, {e}"))
            .collect::<Vec<_>>()
            .join("\n ")),
    }
}

/// Puppet's dispatch failure: neither signature of `Integer.new` takes these arguments.
fn expects_one_of(rejected_positional: &str, given: usize) -> String {
    format!(
        "'new' expects one of:\n  (Convertible = Variant[Numeric, Boolean, Pattern[{PATTERN}], Timespan, Timestamp] from, {RADIX} radix?, Boolean abs?)\n    rejected: {rejected_positional}\n  (NamedArgs = Struct[{{'from' => Convertible = Variant[Numeric, Boolean, Pattern[{PATTERN}], Timespan, Timestamp], Optional['radix'] => {RADIX}, Optional['abs'] => Boolean}}] hash_args)\n    rejected: expects 1 argument, got {given}"
    )
}

/// True if `s` is what Puppet's `Convertible` pattern accepts: `[+-]?\s*` then decimal
/// digits, `0x` and hex digits, or `0b` and binary digits, to the end.
fn is_convertible(s: &str) -> bool {
    let s = s.strip_prefix(['+', '-']).unwrap_or(s);
    let s = s.trim_start_matches(|c: char| c.is_ascii_whitespace());
    let digits = |d: &str, ok: fn(&char) -> bool| !d.is_empty() && d.chars().all(|c| ok(&c));
    if let Some(h) = s.strip_prefix("0x").or_else(|| s.strip_prefix("0X")) {
        return digits(h, char::is_ascii_hexdigit);
    }
    if let Some(b) = s.strip_prefix("0b").or_else(|| s.strip_prefix("0B")) {
        return digits(b, |c| matches!(c, '0' | '1'));
    }
    digits(s, char::is_ascii_digit)
}

/// Ruby's `Integer(s)` or `Integer(s, radix)` for a string the pattern accepted: a sign, then
/// a prefix the radix allows (`0x` for 16, `0b` for 2, `0`/`0o` for 8; without a radix they
/// choose it, and a leading zero means octal), then digits of the radix.
fn ruby_integer(s: &str, radix: Option<u32>) -> Result<i64, String> {
    let invalid = || {
        format!(
            "invalid value for Integer(): \"{}\"",
            s.replace('\\', "\\\\").replace('"', "\\\"")
        )
    };
    let t = s.trim_start();
    let (negative, body) = match t.strip_prefix('-') {
        Some(b) => (true, b),
        None => (false, t.strip_prefix('+').unwrap_or(t)),
    };
    let lower = body.to_ascii_lowercase();
    let (digits, base) = match radix {
        None => match lower.as_bytes() {
            [b'0', b'x', ..] => (&lower[2..], 16),
            [b'0', b'b', ..] => (&lower[2..], 2),
            [b'0', b'o', ..] => (&lower[2..], 8),
            [b'0', _, ..] => (&lower[1..], 8),
            _ => (lower.as_str(), 10),
        },
        Some(16) => (lower.strip_prefix("0x").unwrap_or(&lower), 16),
        Some(2) => (lower.strip_prefix("0b").unwrap_or(&lower), 2),
        Some(8) => (lower.strip_prefix("0o").unwrap_or(&lower), 8),
        Some(r) => (lower.as_str(), r),
    };
    if digits.is_empty() || !digits.chars().all(|c| c.is_digit(base)) {
        return Err(invalid());
    }
    let magnitude = u64::from_str_radix(digits, base).ok();
    let value = match (negative, magnitude) {
        (false, Some(m)) => i64::try_from(m).ok(),
        (true, Some(m)) => 0i64.checked_sub_unsigned(m),
        (_, None) => None,
    };
    // Ruby's integers have no bound; orch's values are 64-bit.
    value.ok_or_else(|| format!("The string '{s}' is an Integer out of the 64-bit range"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn pattern_and_prefixes() {
        for (s, ok) in [
            ("12", true),
            (" 12", true),
            ("- 5", true),
            ("+0b101", true),
            ("0x", false),
            (" -1", false),
            ("1_000", false),
            ("12 ", false),
            ("0o17", false),
        ] {
            assert_eq!(is_convertible(s), ok, "{s}");
        }
        assert_eq!(ruby_integer("017", None), Ok(15));
        assert_eq!(ruby_integer("0b11", Some(16)), Ok(0xb11));
        assert!(ruby_integer("08", None).is_err());
        assert_eq!(ruby_integer("-9223372036854775808", None), Ok(i64::MIN));
        assert!(ruby_integer("9223372036854775808", None).is_err());
    }
}

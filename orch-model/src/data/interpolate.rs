//! Hiera's `%{...}` interpolation (Puppet's `Lookup::Interpolation`): `%{var}`, `%{::var}`,
//! `%{var.key.0}`, and the methods `scope`, `lookup`/`hiera`, `alias` and `literal`.

use super::HieraError;
use crate::Value;

/// Where interpolation gets its values: the scope's variables and lookups of other keys.
pub(crate) trait Resolver {
    /// A variable of the calling scope (`None`: not set).
    fn variable(&mut self, name: &str) -> Option<Value>;
    /// `lookup('key')` from inside data (`None`: not found).
    fn lookup(&mut self, key: &str) -> Result<Option<Value>, HieraError>;
}

/// Interpolates strings in a value, recursively through arrays and hashes (keys too).
pub(crate) fn interpolate(
    value: &Value,
    r: &mut dyn Resolver,
    allow_methods: bool,
    depth: usize,
) -> Result<Value, HieraError> {
    // A variable whose value interpolates itself would recurse without end; Puppet stops
    // such cycles with its recursion check.
    if depth > 64 {
        return Err(HieraError::msg(
            "Recursive lookup detected in interpolation",
        ));
    }
    Ok(match value {
        Value::Str(s) if s.contains("%{") => interpolate_string(s, r, allow_methods, depth)?,
        Value::Array(a) => Value::Array(
            a.iter()
                .map(|x| interpolate(x, r, allow_methods, depth))
                .collect::<Result<_, _>>()?,
        ),
        Value::Hash(h) => {
            let mut out: Vec<(Value, Value)> = Vec::with_capacity(h.len());
            for (k, v) in h {
                let k = interpolate(k, r, allow_methods, depth)?;
                let v = interpolate(v, r, allow_methods, depth)?;
                match out.iter_mut().find(|(x, _)| *x == k) {
                    Some(slot) => slot.1 = v,
                    None => out.push((k, v)),
                }
            }
            Value::Hash(out)
        }
        other => other.clone(),
    })
}

/// An expression that interpolates to nothing.
fn is_empty_expression(e: &str) -> bool {
    matches!(e, "" | "::" | "\"\"" | "''" | "\"::\"" | "'::'")
}

fn interpolate_string(
    s: &str,
    r: &mut dyn Resolver,
    allow_methods: bool,
    depth: usize,
) -> Result<Value, HieraError> {
    let mut out = String::new();
    let mut rest = s;
    while let Some(start) = rest.find("%{") {
        let Some(len) = rest[start + 2..].find('}') else {
            break;
        };
        out.push_str(&rest[..start]);
        let whole = &rest[start..start + 2 + len + 1];
        let expr = rest[start + 2..start + 2 + len].trim();
        rest = &rest[start + 2 + len + 1..];
        if is_empty_expression(expr) {
            continue;
        }
        let (method, key) = method_and_key(expr, allow_methods)?;
        let value = match method {
            "literal" => Some(Value::Str(key.to_string())),
            "scope" => scope_value(key, r, s)?,
            "lookup" | "hiera" | "alias" => {
                if method == "alias" && whole != s {
                    return Err(HieraError::msg(
                        "'alias' interpolation is only permitted if the expression is equal to the entire string",
                    ));
                }
                let found = r.lookup(key)?;
                if method == "alias" {
                    return Ok(found.unwrap_or(Value::Undef));
                }
                found
            }
            other => {
                return Err(HieraError::msg(format!(
                    "Unknown interpolation method '{other}'"
                )));
            }
        };
        let value = match value {
            Some(v) if method != "literal" => interpolate(&v, r, allow_methods, depth + 1)?,
            other => other.unwrap_or(Value::Undef),
        };
        out.push_str(&ruby_to_s(&value));
    }
    out.push_str(rest);
    Ok(Value::Str(out))
}

/// `name('key')` or `name("key")` is a method call; anything else a scope lookup.
fn method_and_key(expr: &str, allow_methods: bool) -> Result<(&str, &str), HieraError> {
    if let Some(open) = expr.find('(')
        && expr.ends_with(')')
    {
        let name = &expr[..open];
        let arg = &expr[open + 1..expr.len() - 1];
        let quoted = arg.len() >= 3
            && ((arg.starts_with('"')
                && arg.ends_with('"')
                && !arg[1..arg.len() - 1].contains('"'))
                || (arg.starts_with('\'')
                    && arg.ends_with('\'')
                    && !arg[1..arg.len() - 1].contains('\'')));
        if !name.is_empty() && name.chars().all(|c| c.is_alphanumeric() || c == '_') && quoted {
            if !allow_methods {
                return Err(HieraError::msg(
                    "Interpolation using method syntax is not allowed in this context",
                ));
            }
            return Ok((name, &arg[1..arg.len() - 1]));
        }
    }
    Ok(("scope", expr))
}

/// A variable, then `.key`/`.0` into its value.
fn scope_value(
    key: &str,
    r: &mut dyn Resolver,
    subject: &str,
) -> Result<Option<Value>, HieraError> {
    let segments = super::split_key(key)
        .ok_or_else(|| HieraError::msg(format!("Syntax error in string: {subject}")))?;
    let (root, rest) = segments.split_first().expect("split_key gives a root");
    let root = match root {
        super::Segment::Key(k) => k.clone(),
        super::Segment::Index(i) => i.to_string(),
    };
    let Some(v) = r.variable(&root) else {
        return Ok(None);
    };
    Ok(super::dig(&v, rest))
}

/// Ruby's `to_s`, which `gsub` applies to what an interpolation found.
pub(crate) fn ruby_to_s(v: &Value) -> String {
    match v {
        Value::Undef => String::new(),
        Value::Str(s) => s.clone(),
        Value::Array(_) | Value::Hash(_) => crate::value::ruby_inspect(v),
        other => other.to_string(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    struct Vars;
    impl Resolver for Vars {
        fn variable(&mut self, name: &str) -> Option<Value> {
            match name {
                "x" => Some(Value::Str("ex".into())),
                "::x" => Some(Value::Str("top".into())),
                "h" => Some(Value::Hash(vec![(
                    Value::Str("k".into()),
                    Value::Array(vec![Value::Int(7)]),
                )])),
                "self" => Some(Value::Str("%{self}".into())),
                _ => None,
            }
        }
        fn lookup(&mut self, key: &str) -> Result<Option<Value>, HieraError> {
            Ok((key == "k").then(|| Value::Array(vec![Value::Int(1)])))
        }
    }

    fn run(s: &str) -> Result<Value, HieraError> {
        interpolate(&Value::Str(s.into()), &mut Vars, true, 0)
    }

    #[test]
    fn forms() {
        assert_eq!(run("a%{x}b").unwrap(), Value::Str("aexb".into()));
        assert_eq!(run("%{::x}").unwrap(), Value::Str("top".into()));
        assert_eq!(run("%{ h.k.0 }").unwrap(), Value::Str("7".into()));
        assert_eq!(run("<%{nope}>").unwrap(), Value::Str("<>".into()));
        assert_eq!(
            run("%{literal('%')}{x}").unwrap(),
            Value::Str("%{x}".into())
        );
        assert_eq!(
            run("%{alias('k')}").unwrap(),
            Value::Array(vec![Value::Int(1)])
        );
        assert_eq!(run("%{lookup('k')}").unwrap(), Value::Str("[1]".into()));
        assert!(run("a%{alias('k')}").is_err());
        assert!(run("%{nosuch('k')}").is_err());
        assert!(run("%{self}").is_err());
    }

    #[test]
    fn methods_can_be_refused() {
        let e = interpolate(&Value::Str("%{lookup('k')}".into()), &mut Vars, false, 0)
            .expect_err("refused");
        assert!(e.message.contains("not allowed in this context"));
    }

    proptest! {
        #[test]
        fn arbitrary_strings_never_panic(s in "(%\\{|\\}|'|\"|\\(|\\)|\\.|:|x|h|k|0| |alias|lookup|literal|scope){0,40}") {
            let _ = run(&s);
        }
    }
}

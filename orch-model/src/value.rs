//! Runtime values of the evaluator (the subset of Puppet's type system site and application
//! code uses), with Puppet's string conversion and equality.

use std::fmt;

use crate::ResourceRef;

/// A Puppet value.
#[derive(Debug, Clone, PartialEq)]
pub enum Value {
    /// `undef`
    Undef,
    /// `default`
    Default,
    /// `true` / `false`
    Bool(bool),
    /// An integer.
    Int(i64),
    /// A float.
    Float(f64),
    /// A string.
    Str(String),
    /// A regular expression (its source).
    Regex(String),
    /// An array.
    Array(Vec<Value>),
    /// A hash, in insertion order.
    Hash(Vec<(Value, Value)>),
    /// A titled resource reference: `Sql['x']`, `Node['db']`, `Lamp::Db['prod']`.
    Ref(ResourceRef),
    /// A type: a resource type name (`Lamp::Db`) or a data type (`String`, `Array[Integer]`),
    /// with its parameters.
    Type(String, Vec<Value>),
    /// A `Sensitive` value: never printed, not even by `Debug`.
    Sensitive(Secret),
}

/// How deep a value may nest (an array in an array in ...). Literals cannot come near it (the
/// parser allows [`orch_parser::MAX_NESTING`] levels of code); only iteration or recursion that
/// wraps a value again and again can. Puppet shares such values by reference and has no limit,
/// but printing one failed with Ruby's `SystemStackError`; orch copies values, so a deep one
/// also costs time quadratic in its depth. Keeping every value within this bound keeps every
/// walk over a value (printing, comparing, serialising, dropping) within any thread's stack.
pub const MAX_VALUE_DEPTH: usize = 1_000;

/// How many elements (arrays, hashes and scalars, counted through every level) one value may
/// hold: doubling a value in a loop (`$m + $m`, `[$m, $m]`) reaches any machine's memory in a
/// few dozen steps. Puppet has no such limit (it shares the copies). Twice the longest
/// iteration orch runs, so mapping that iteration still fits; a value this size takes a few
/// hundred MiB with the copies evaluation makes of it.
pub const MAX_VALUE_ELEMENTS: usize = 2_000_000;

impl Value {
    /// Why this value is beyond [`MAX_VALUE_DEPTH`] or [`MAX_VALUE_ELEMENTS`], if it is.
    /// The walk uses its own stack and stops at the first limit it passes.
    pub(crate) fn beyond_limits(&self) -> Option<String> {
        let mut todo: Vec<(&Value, usize)> = vec![(self, 1)];
        let mut elements = 0usize;
        while let Some((v, depth)) = todo.pop() {
            elements += 1;
            if depth > MAX_VALUE_DEPTH {
                return Some(format!(
                    "a value nests more than {MAX_VALUE_DEPTH} levels deep (orch's limit; Puppet has none)"
                ));
            }
            if elements > MAX_VALUE_ELEMENTS {
                return Some(format!(
                    "a value holds more than {MAX_VALUE_ELEMENTS} elements (orch's limit; Puppet has none)"
                ));
            }
            match v {
                Value::Array(items) | Value::Type(_, items) => {
                    todo.extend(items.iter().map(|x| (x, depth + 1)));
                }
                Value::Hash(pairs) => {
                    for (k, x) in pairs {
                        todo.push((k, depth + 1));
                        todo.push((x, depth + 1));
                    }
                }
                Value::Sensitive(s) => todo.push((s.reveal(), depth + 1)),
                _ => {}
            }
        }
        None
    }
}

/// What a `Sensitive` holds. Every way of printing it (`Display` and `Debug` included) says
/// `[value redacted]`, so no output, error or log can show it by accident.
#[derive(Clone, PartialEq)]
pub struct Secret(Box<Value>);

impl Secret {
    /// Wraps a value.
    pub fn new(v: Value) -> Secret {
        Secret(Box::new(v))
    }

    /// The value itself (Puppet's `unwrap`): only for code that must compute with it.
    pub fn reveal(&self) -> &Value {
        &self.0
    }
}

impl fmt::Debug for Secret {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("[value redacted]")
    }
}

/// The data types of Puppet (not resource types): `Foo[...]` on them is a parameterised type.
pub(crate) const DATA_TYPES: &[&str] = &[
    "Any",
    "Array",
    "Binary",
    "Boolean",
    "Callable",
    "CatalogEntry",
    "Collection",
    "Data",
    "Default",
    "Enum",
    "Error",
    "Float",
    "Hash",
    "Init",
    "Integer",
    "Iterable",
    "Iterator",
    "NotUndef",
    "Numeric",
    "Object",
    "Optional",
    "Pattern",
    "Regexp",
    "RichData",
    "Runtime",
    "Scalar",
    "ScalarData",
    "SemVer",
    "SemVerRange",
    "Sensitive",
    "String",
    "Struct",
    "Timespan",
    "Timestamp",
    "Tuple",
    "Type",
    "TypeSet",
    "Undef",
    "Variant",
];

impl Value {
    /// Puppet's truthiness: `undef` and `false` are false, everything else is true.
    pub fn is_truthy(&self) -> bool {
        !matches!(self, Value::Undef | Value::Bool(false))
    }

    /// The name of the value's type, for error messages (`String`, `Integer`, `Hash`, ...).
    pub fn type_name(&self) -> String {
        match self {
            Value::Undef => "Undef".into(),
            Value::Default => "Default".into(),
            Value::Bool(_) => "Boolean".into(),
            Value::Int(_) => "Integer".into(),
            Value::Float(_) => "Float".into(),
            Value::Str(_) => "String".into(),
            Value::Regex(_) => "Regexp".into(),
            Value::Array(_) => "Array".into(),
            Value::Hash(_) => "Hash".into(),
            Value::Ref(r) => format!("Type[{}]", r.type_name),
            Value::Type(_, _) => "Type".into(),
            Value::Sensitive(_) => "Sensitive".into(),
        }
    }

    /// Looks up a hash key.
    pub fn hash_get(&self, key: &Value) -> Option<&Value> {
        match self {
            Value::Hash(entries) => entries
                .iter()
                .find(|(k, _)| k.puppet_eq(key))
                .map(|(_, v)| v),
            _ => None,
        }
    }

    /// Puppet's `==`: strings compare case-insensitively, numbers by value.
    pub fn puppet_eq(&self, other: &Value) -> bool {
        match (self, other) {
            (Value::Str(a), Value::Str(b)) => a.to_lowercase() == b.to_lowercase(),
            (Value::Int(a), Value::Float(b)) | (Value::Float(b), Value::Int(a)) => {
                (*a as f64) == *b
            }
            (Value::Array(a), Value::Array(b)) => {
                a.len() == b.len() && a.iter().zip(b).all(|(x, y)| x.puppet_eq(y))
            }
            // Keys match exactly (as Ruby's `Hash#include?`), values as `==` compares them.
            (Value::Hash(a), Value::Hash(b)) => {
                a.len() == b.len()
                    && a.iter().all(|(k, v)| {
                        b.iter()
                            .find(|(k2, _)| k2 == k)
                            .is_some_and(|(_, w)| v.puppet_eq(w))
                    })
            }
            (Value::Ref(a), Value::Ref(b)) => {
                a.type_name.eq_ignore_ascii_case(&b.type_name) && a.title == b.title
            }
            (Value::Type(a, x), Value::Type(b, y)) => {
                a.eq_ignore_ascii_case(b)
                    && x.len() == y.len()
                    && x.iter().zip(y).all(|(p, q)| p.puppet_eq(q))
            }
            _ => self == other,
        }
    }
}

/// Puppet's string conversion, as used by interpolation and `String(x)`.
impl fmt::Display for Value {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Value::Undef => Ok(()),
            Value::Default => f.write_str("default"),
            Value::Bool(b) => write!(f, "{b}"),
            Value::Int(i) => write!(f, "{i}"),
            Value::Float(x) => f.write_str(&ruby_float(*x)),
            Value::Str(s) => f.write_str(s),
            Value::Regex(r) => write!(f, "/{r}/"),
            Value::Array(items) => {
                f.write_str("[")?;
                for (i, v) in items.iter().enumerate() {
                    if i > 0 {
                        f.write_str(", ")?;
                    }
                    v.fmt_nested(f)?;
                }
                f.write_str("]")
            }
            Value::Hash(entries) => {
                f.write_str("{")?;
                for (i, (k, v)) in entries.iter().enumerate() {
                    if i > 0 {
                        f.write_str(", ")?;
                    }
                    k.fmt_nested(f)?;
                    f.write_str(" => ")?;
                    v.fmt_nested(f)?;
                }
                f.write_str("}")
            }
            // Puppet's type formatter: `Notify['c']`, but a class reference `Class[foo]`.
            Value::Ref(r) if r.type_name == "Class" => {
                write!(f, "Class[{}]", r.title.to_lowercase())
            }
            Value::Ref(r) => write!(f, "{}[{}]", r.type_name, puppet_quote(&r.title)),
            Value::Type(name, params) => {
                f.write_str(name)?;
                if !params.is_empty() {
                    f.write_str("[")?;
                    for (i, p) in params.iter().enumerate() {
                        if i > 0 {
                            f.write_str(", ")?;
                        }
                        p.fmt_nested(f)?;
                    }
                    f.write_str("]")?;
                }
                Ok(())
            }
            Value::Sensitive(_) => f.write_str("Sensitive [value redacted]"),
        }
    }
}

/// A string quoted as Puppet's string converter quotes it: single quotes with `'` escaped, or
/// double quotes with escapes when it holds a control character.
fn puppet_quote(s: &str) -> String {
    if s.chars().any(|c| (c as u32) < 0x20) {
        let mut out = String::with_capacity(s.len() + 2);
        out.push('"');
        for c in s.chars() {
            match c {
                '\t' => out.push_str("\\t"),
                '\n' => out.push_str("\\n"),
                '\r' => out.push_str("\\r"),
                '"' => out.push_str("\\\""),
                '$' => out.push_str("\\$"),
                '\\' => out.push_str("\\\\"),
                c if (c as u32) < 0x20 => out.push_str(&format!("\\u{{{:X}}}", c as u32)),
                c => out.push(c),
            }
        }
        out.push('"');
        return out;
    }
    let mut out = String::with_capacity(s.len() + 2);
    out.push('\'');
    // A backslash is written with the character after it, so `\'` stays as it is; Puppet
    // writes a final lone backslash once.
    let mut escaped = false;
    for c in s.chars() {
        if escaped {
            out.push('\\');
            out.push(c);
            escaped = false;
        } else if c == '\'' {
            out.push_str("\\'");
        } else if c == '\\' {
            escaped = true;
        } else {
            out.push(c);
        }
    }
    if escaped {
        out.push('\\');
    }
    out.push('\'');
    out
}

impl Value {
    /// Inside a collection strings are quoted and `undef` shows.
    fn fmt_nested(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Value::Str(s) => f.write_str(&puppet_quote(s)),
            Value::Undef => f.write_str("undef"),
            other => fmt::Display::fmt(other, f),
        }
    }
}

impl Value {
    /// Puppet 5.5's string form in string interpolation and in `notice`/`warning` messages
    /// (Ruby's `to_s` of Puppet 3 days): no quotes in arrays and hashes, `undef` as nothing.
    /// `String(x)` quotes (the `Display` form).
    pub fn to_interpolated(&self) -> String {
        match self {
            Value::Array(items) => format!(
                "[{}]",
                items
                    .iter()
                    .map(Value::to_interpolated)
                    .collect::<Vec<_>>()
                    .join(", ")
            ),
            Value::Hash(entries) => format!(
                "{{{}}}",
                entries
                    .iter()
                    .map(|(k, v)| format!("{} => {}", k.to_interpolated(), v.to_interpolated()))
                    .collect::<Vec<_>>()
                    .join(", ")
            ),
            other => other.to_string(),
        }
    }
}

/// Ruby's `Float#to_s` (how Puppet prints floats).
pub(crate) fn ruby_float(f: f64) -> String {
    if !f.is_finite() || f == 0.0 {
        return if f == 0.0 {
            format!("{f:.1}")
        } else {
            format!("{f}")
        };
    }
    // Ruby writes a decimal exponent below -4 or from 16 on in scientific form: `1.0e+20`.
    let sci = format!("{f:e}");
    let (mantissa, exp) = sci.split_once('e').unwrap_or((&sci, "0"));
    let exp: i32 = exp.parse().unwrap_or(0);
    if !(-4..16).contains(&exp) {
        let mantissa = if mantissa.contains('.') {
            mantissa.to_string()
        } else {
            format!("{mantissa}.0")
        };
        let sign = if exp < 0 { '-' } else { '+' };
        return format!("{mantissa}e{sign}{:02}", exp.abs());
    }
    if f == f.trunc() {
        return format!("{f:.1}");
    }
    format!("{f}")
}

/// Ruby's `inspect` of a value: how stdlib's messages and Hiera's interpolation (`to_s` of a
/// collection) show one.
pub(crate) fn ruby_inspect(v: &Value) -> String {
    match v {
        Value::Undef => "nil".into(),
        Value::Str(s) => format!("{s:?}"),
        Value::Array(a) => format!(
            "[{}]",
            a.iter().map(ruby_inspect).collect::<Vec<_>>().join(", ")
        ),
        Value::Hash(h) => format!(
            "{{{}}}",
            h.iter()
                .map(|(k, v)| format!("{}=>{}", ruby_inspect(k), ruby_inspect(v)))
                .collect::<Vec<_>>()
                .join(", ")
        ),
        other => other.to_string(),
    }
}

//! The access operator `[]` on values and data types, as Puppet 5.5's `AccessOperator` does it:
//! array and string indexes and slices (keys coerced to numbers), hash lookups, and data types
//! parameterised with Puppet's checks of each type's arguments, and its messages and blame.
//! Resource and class references (`Notify['x']`, `Class[c]`) are in `operators.rs`.

use orch_parser::Expr;

use super::arithmetic::{Num, numeric_string};
use super::{EvalResult, Evaluator, err};
use crate::Value;
use crate::value::DATA_TYPES;

impl Evaluator<'_> {
    /// `l[keys]`; `key_exprs` are the keys' expressions (for blame), `e` the access.
    pub(super) fn access(
        &mut self,
        l: Value,
        keys: Vec<Value>,
        key_exprs: &[Expr],
        e: &Expr,
    ) -> EvalResult<Value> {
        match l {
            Value::Array(items) => self.array_access(&items, keys, key_exprs, e),
            Value::Str(s) => self.string_access(&s, keys, key_exprs, e),
            Value::Hash(_) => Ok(match keys.as_slice() {
                [k] => l.hash_get(k).cloned().unwrap_or(Value::Undef),
                many => Value::Array(many.iter().filter_map(|k| l.hash_get(k).cloned()).collect()),
            }),
            // Puppet makes a new type of the keys (`Integer[1][2]` is `Integer[2]`).
            Value::Type(name, _) if DATA_TYPES.contains(&name.as_str()) => {
                self.parameterize(&name, keys, key_exprs, e)
            }
            Value::Type(name, params) if params.is_empty() => {
                self.type_access(&name, keys, key_exprs, e)
            }
            other => err(
                format!(
                    "Operator '[]' is not applicable to {}.",
                    with_article(&value_label(&other))
                ),
                self.loc(e),
            ),
        }
    }

    /// Where Puppet blames key `i` (the whole access when there is no such key expression).
    fn key_at(&self, key_exprs: &[Expr], i: usize, e: &Expr) -> crate::problem::Location {
        key_exprs
            .get(i)
            .map_or_else(|| self.loc(e), |k| self.loc(k))
    }

    /// The keys of an index or slice, flattened: one or two of them.
    fn one_or_two_keys(&self, what: &str, keys: Vec<Value>, e: &Expr) -> EvalResult<Vec<Value>> {
        let keys = flatten(keys);
        if keys.is_empty() || keys.len() > 2 {
            return err(
                format!(
                    "{what} supports [] with one or two arguments. Got {}",
                    keys.len()
                ),
                self.loc(e),
            );
        }
        Ok(keys)
    }

    fn array_access(
        &mut self,
        items: &[Value],
        keys: Vec<Value>,
        key_exprs: &[Expr],
        e: &Expr,
    ) -> EvalResult<Value> {
        let keys = self.one_or_two_keys("Array", keys, e)?;
        let mut ints = vec![];
        for (i, k) in keys.iter().enumerate() {
            let at = key_exprs.get(i).unwrap_or(e);
            match self.coerce_numeric(k, at)? {
                Num::Int(n) => ints.push(n),
                Num::Float(_) => {
                    return err(
                        "An Array[] cannot use Float where Integer is expected",
                        self.key_at(key_exprs, i, e),
                    );
                }
            }
        }
        Ok(match ints[..] {
            [i] => index(items, i).cloned().unwrap_or(Value::Undef),
            [start, count] => Value::Array(slice(items, start, count).to_vec()),
            _ => unreachable!("one or two keys"),
        })
    }

    fn string_access(
        &mut self,
        s: &str,
        keys: Vec<Value>,
        key_exprs: &[Expr],
        e: &Expr,
    ) -> EvalResult<Value> {
        let keys = self.one_or_two_keys("String", keys, e)?;
        let mut ints = vec![];
        for (i, k) in keys.iter().enumerate() {
            // A numeric string is its number here, without the arithmetic's warning.
            let n = match k {
                Value::Str(text) => numeric_string(text),
                Value::Int(n) => Some(Num::Int(*n)),
                Value::Float(f) => Some(Num::Float(*f)),
                _ => None,
            };
            match n {
                Some(Num::Int(n)) => ints.push(n),
                other => {
                    let shown = match other {
                        Some(Num::Float(_)) => "Float".to_string(),
                        _ => bad_key_type_name(k),
                    };
                    return err(
                        format!(
                            "A substring operation does not accept {} as a character index. Expected an Integer",
                            with_article(&shown)
                        ),
                        self.key_at(key_exprs, i, e),
                    );
                }
            }
        }
        let chars: Vec<char> = s.chars().collect();
        let picked: String = match ints[..] {
            [i] => {
                let i = if i < 0 { chars.len() as i64 + i } else { i };
                if i < 0 {
                    String::new()
                } else {
                    chars
                        .get(i as usize)
                        .map(|c| c.to_string())
                        .unwrap_or_default()
                }
            }
            [start, count] => slice(&chars, start, count).iter().collect(),
            _ => unreachable!("one or two keys"),
        };
        Ok(Value::Str(picked))
    }

    /// `T[keys]` for a data type `T`, checked as Puppet's
    /// `access_P<T>Type` checks it.
    fn parameterize(
        &mut self,
        name: &str,
        keys: Vec<Value>,
        key_exprs: &[Expr],
        e: &Expr,
    ) -> EvalResult<Value> {
        // Struct and Callable take their keys as given; every other type flattens them.
        let keys = if matches!(name, "Struct" | "Callable" | "Init") {
            keys
        } else {
            flatten(keys)
        };
        let check = TypeKeys {
            ev: self,
            name,
            keys: &keys,
            key_exprs,
            e,
        };
        check.check()?;
        self.bounds_in_order(name, &keys, e)?;
        Ok(Value::Type(name.to_string(), keys))
    }

    /// Ranges and sizes must not be reversed (`Integer[5, 1]`).
    fn bounds_in_order(&self, name: &str, keys: &[Value], e: &Expr) -> EvalResult<()> {
        let bounds_at = match name {
            "Integer" | "Float" | "String" | "Collection" => Some(0),
            "Array" if matches!(keys.first(), Some(Value::Type(..))) => Some(1),
            "Hash" if matches!(keys.get(1), Some(Value::Type(..))) => Some(2),
            "Array" | "Hash" => Some(0),
            _ => None,
        };
        let num = |v: Option<&Value>| match v {
            Some(Value::Int(i)) => Some(*i as f64),
            Some(Value::Float(f)) => Some(*f),
            _ => None,
        };
        if let Some(at) = bounds_at
            && let (Some(from), Some(to)) = (num(keys.get(at)), num(keys.get(at + 1)))
            && from > to
        {
            let show = |x: f64| match name {
                "Float" => crate::value::ruby_float(x),
                _ => (x as i64).to_string(),
            };
            return err(
                format!(
                    "Error while evaluating a '[]' expression, 'from' must be less or equal to 'to'. Got ({}, {}",
                    show(from),
                    show(to)
                ),
                self.loc(e),
            );
        }
        Ok(())
    }
}

/// One data type's keys under check.
struct TypeKeys<'a, 'e, 'c> {
    ev: &'a Evaluator<'c>,
    name: &'a str,
    keys: &'a [Value],
    key_exprs: &'a [Expr],
    e: &'e Expr,
}

/// What a key may be, by the Ruby class Puppet's checks name.
#[derive(Clone, Copy)]
enum Class {
    Type,
    String,
    Regexp,
    Hash,
    Boolean,
    VersionRange,
    PatternType,
    RegexpType,
}

impl Class {
    fn admits(self, v: &Value) -> bool {
        match self {
            Class::Type => matches!(v, Value::Type(..) | Value::Ref(_)),
            Class::String => matches!(v, Value::Str(_)),
            Class::Regexp => matches!(v, Value::Regex(_)),
            Class::Hash => matches!(v, Value::Hash(_)),
            Class::Boolean => matches!(v, Value::Bool(_)),
            Class::VersionRange => false,
            Class::PatternType => matches!(v, Value::Type(n, _) if n == "Pattern"),
            Class::RegexpType => matches!(v, Value::Type(n, _) if n == "Regexp"),
        }
    }

    /// Puppet's label of the class (`label_Class`).
    fn label(self) -> &'static str {
        match self {
            Class::Type => "Any-Type",
            Class::String => "String",
            Class::Regexp => "Regexp",
            Class::Hash => "Hash",
            Class::Boolean => "TrueClass or FalseClass",
            Class::VersionRange => "SemanticPuppet::VersionRange",
            Class::PatternType => "Pattern-Type",
            Class::RegexpType => "Regexp-Type",
        }
    }
}

impl TypeKeys<'_, '_, '_> {
    fn n(&self) -> usize {
        self.keys.len()
    }

    fn fail(&self, message: String, at: Option<usize>) -> EvalResult<()> {
        let loc = match at {
            Some(i) => self.ev.key_at(self.key_exprs, i, self.e),
            None => self.ev.loc(self.e),
        };
        err(message, loc)
    }

    /// `A Boolean-Type[] accepts 1 argument. Got 2` (`base` given as text is used as is).
    fn arity(&self, base: Option<&str>, min: usize, max: Option<usize>) -> EvalResult<()> {
        let base = base.map_or_else(
            || capitalize(&with_article(&format!("{}-Type", self.name))),
            str::to_string,
        );
        let got = self.n();
        let message = match max {
            None => format!("{base}[] accepts {min} or more arguments. Got {got}"),
            Some(max) if max != min => {
                format!("{base}[] accepts {min} to {max} arguments. Got {got}")
            }
            Some(_) => {
                let s = if min == 1 { "" } else { "s" };
                format!("{base}[] accepts {min} argument{s}. Got {got}")
            }
        };
        self.fail(message, None)
    }

    /// `Array-Type[] arguments must be types. Got Integer` at key `i`.
    fn not_a_type(&self, i: usize) -> EvalResult<()> {
        self.fail(
            format!(
                "{}-Type[] arguments must be types. Got {}",
                self.name,
                ruby_class(&self.keys[i])
            ),
            Some(i),
        )
    }

    /// Puppet's `assert_keys`: between `min` and `max` keys, each of one of `classes`.
    fn assert_keys(&self, min: usize, max: Option<usize>, classes: &[Class]) -> EvalResult<()> {
        if self.n() < min || max.is_some_and(|m| self.n() > m) {
            // Puppet reports the minimum as 1 whatever it is.
            return self.arity(None, 1, max);
        }
        for (i, k) in self.keys.iter().enumerate() {
            if !classes.iter().any(|c| c.admits(k)) {
                let expected: Vec<&str> = classes.iter().map(|c| c.label()).collect();
                return self.fail(
                    format!(
                        "Error creating type specialization of {}, Cannot use {} where {} is expected",
                        with_article(&format!("{}-Type", self.name)),
                        bad_key_type_name(k),
                        expected.join(" or ")
                    ),
                    Some(i),
                );
            }
        }
        Ok(())
    }

    /// A size constraint: one `Integer` type, or one or two integers (or `default`), from key
    /// `start` on.
    fn size(&self, start: usize) -> EvalResult<()> {
        let keys = &self.keys[start..];
        if let [Value::Type(n, _)] = keys
            && n == "Integer"
        {
            return Ok(());
        }
        for (i, k) in keys.iter().enumerate() {
            if !matches!(k, Value::Int(_) | Value::Default) {
                return self.fail(
                    format!(
                        "A Type's size constraint arguments must be a single Integer type, or 1-2 integers (or default). Got {}",
                        with_article(&class_label(k))
                    ),
                    Some(start + i),
                );
            }
        }
        Ok(())
    }

    /// One key that must be a type (or, where `strings`, a String).
    fn one_type(&self, strings: bool) -> EvalResult<()> {
        if self.n() != 1 {
            return self.arity(Some(&format!("{}-Type", self.name)), 1, Some(1));
        }
        let k = &self.keys[0];
        if Class::Type.admits(k) || (strings && matches!(k, Value::Str(_))) {
            Ok(())
        } else {
            self.not_a_type(0)
        }
    }

    fn check(&self) -> EvalResult<()> {
        let n = self.n();
        let is_int = |v: &Value| matches!(v, Value::Int(_) | Value::Default);
        match self.name {
            "Integer" | "Float" => {
                let float = self.name == "Float";
                if !(1..=2).contains(&n) {
                    return self.fail(
                        format!(
                            "{}-Type supports [] with one or two arguments (from, to). Got {n}",
                            self.name
                        ),
                        None,
                    );
                }
                for (i, k) in self.keys.iter().enumerate() {
                    if !(is_int(k) || (float && matches!(k, Value::Float(_)))) {
                        let what = if float {
                            "floats, or integers"
                        } else {
                            "integers"
                        };
                        return self.fail(
                            format!(
                                "{}-Type [] requires all arguments to be {what} (or default). Got {}",
                                self.name,
                                ruby_class(k)
                            ),
                            Some(i),
                        );
                    }
                }
                Ok(())
            }
            "String" => match n {
                1 | 2 => self.size(0),
                _ => self.fail(
                    format!("String supports [] with one or two arguments. Got {n}"),
                    None,
                ),
            },
            "Collection" => match n {
                1 | 2 => self.size(0),
                _ => self.arity(Some("Collection-Type"), 1, Some(2)),
            },
            "Array" => self.check_array(),
            "Hash" => self.check_hash(),
            "Boolean" => self.assert_keys(1, Some(1), &[Class::Boolean]),
            "Enum" => {
                // A last Boolean says whether to ignore case.
                let strings = match self.keys.last() {
                    Some(Value::Bool(_)) => &self.keys[..n - 1],
                    _ => self.keys,
                };
                TypeKeys {
                    keys: strings,
                    ..*self
                }
                .assert_keys(1, None, &[Class::String])
            }
            "Variant" => self.assert_keys(1, None, &[Class::Type]),
            "SemVer" => self.assert_keys(1, None, &[Class::String, Class::VersionRange]),
            "Timestamp" | "Timespan" if n > 2 => self.arity(None, 0, Some(2)),
            "Tuple" => {
                let range = |v: Option<&Value>| v.is_some_and(is_int);
                let types = if n >= 2 && range(self.keys.get(n - 2)) && range(self.keys.get(n - 1))
                {
                    n - 2
                } else if range(self.keys.last()) {
                    n - 1
                } else {
                    n
                };
                TypeKeys {
                    keys: &self.keys[..types],
                    ..*self
                }
                .assert_keys(1, None, &[Class::Type])
            }
            "Struct" => self.assert_keys(1, Some(1), &[Class::Hash]),
            "Pattern" => self.assert_keys(
                1,
                None,
                &[
                    Class::String,
                    Class::Regexp,
                    Class::PatternType,
                    Class::RegexpType,
                ],
            ),
            "Regexp" => {
                if n != 1 {
                    let blamed = if n == 0 { None } else { Some(1) };
                    let message = format!("A Regexp-Type[] accepts 1 argument. Got {n}");
                    return self.fail(message, blamed);
                }
                self.assert_keys(1, Some(1), &[Class::String, Class::Regexp])
            }
            "Optional" => self.one_type(true),
            "Sensitive" | "Type" | "Iterable" | "Iterator" => self.one_type(false),
            "Init" => match self.keys.first() {
                Some(k) if Class::Type.admits(k) => Ok(()),
                _ => self.not_a_type(0),
            },
            "NotUndef" => match n {
                0 => Ok(()),
                1 if Class::Type.admits(&self.keys[0]) || matches!(self.keys[0], Value::Str(_)) => {
                    Ok(())
                }
                1 => self.fail(
                    format!(
                        "NotUndef-Type[] argument must be a Type or a String. Got {}",
                        ruby_class(&self.keys[0])
                    ),
                    Some(0),
                ),
                _ => self.arity(Some("NotUndef-Type"), 0, Some(1)),
            },
            "Runtime" => self.assert_keys(2, Some(2), &[Class::String]),
            "Object" | "TypeSet" | "URI" if n != 1 => {
                self.arity(Some(&format!("{}-Type", self.name)), 1, Some(1))
            }
            "URI" if !matches!(self.keys[0], Value::Str(_) | Value::Hash(_)) => self.not_a_type(0),
            "Timestamp" | "Timespan" | "Callable" | "Object" | "TypeSet" | "URI" | "Binary" => {
                Ok(())
            }
            // Types that take no parameters.
            _ => self.fail(
                format!(
                    "Operator '[]' is not applicable to {}.",
                    with_article(&format!("{}-Type", self.name))
                ),
                None,
            ),
        }
    }

    fn check_array(&self) -> EvalResult<()> {
        let first_is_type = self.keys.first().is_some_and(|k| Class::Type.admits(k));
        match self.n() {
            1 if first_is_type => Ok(()),
            1 => self.not_a_type(0),
            2 if first_is_type => self.size(1),
            2 => self.size(0),
            3 if first_is_type => self.size(1),
            3 => self.not_a_type(0),
            _ => self.arity(Some("Array-Type"), 1, Some(3)),
        }
    }

    fn check_hash(&self) -> EvalResult<()> {
        if let [Value::Int(_), Value::Int(_)] = self.keys {
            return Ok(());
        }
        for (i, k) in self.keys.iter().take(2).enumerate() {
            if !Class::Type.admits(k) {
                return self.not_a_type(i);
            }
        }
        match self.n() {
            2 => Ok(()),
            // The third key is the minimum size, taken as is: Ruby fails to compare what is
            // not a number.
            3 => match &self.keys[2] {
                Value::Int(_) | Value::Float(_) | Value::Undef | Value::Type(..) => Ok(()),
                other => self.fail(
                    format!(
                        "Error while evaluating a '[]' expression, comparison of {} with Infinity failed",
                        ruby_class(other)
                    ),
                    None,
                ),
            },
            4 => self.size(2),
            _ => self.arity(Some("Hash-Type"), 2, Some(4)),
        }
    }
}

/// Puppet flattens most keys: `Enum[['a', 'b']]` is `Enum['a', 'b']`.
fn flatten(keys: Vec<Value>) -> Vec<Value> {
    let mut out = Vec::with_capacity(keys.len());
    let mut todo: Vec<Value> = keys.into_iter().rev().collect();
    while let Some(k) = todo.pop() {
        match k {
            Value::Array(inner) => todo.extend(inner.into_iter().rev()),
            other => out.push(other),
        }
    }
    out
}

/// Ruby's `a[i]`: from the end when negative.
fn index(items: &[Value], i: i64) -> Option<&Value> {
    let n = items.len() as i64;
    let i = if i < 0 { n + i } else { i };
    if i < 0 { None } else { items.get(i as usize) }
}

/// Puppet's `[start, count]`: a negative start counts from the end, a negative count up to
/// that many from the end; what lies outside is cut off.
fn slice<T>(items: &[T], start: i64, count: i64) -> &[T] {
    let len = items.len() as i64;
    let mut k1 = if start < 0 { len + start } else { start };
    let mut k2 = if count < 0 {
        len - k1 + count + 1
    } else {
        count
    };
    if k1 < 0 {
        k2 += k1;
        k1 = 0;
    }
    if k1 > len || k2 < 0 {
        return &[];
    }
    let end = k1.saturating_add(k2).min(len);
    &items[k1 as usize..end as usize]
}

/// `a String`, `an Integer`.
pub(super) fn with_article(word: &str) -> String {
    let an = word.starts_with(['A', 'E', 'I', 'O', 'U', 'a', 'e', 'i', 'o', 'u']);
    format!("{} {word}", if an { "an" } else { "a" })
}

pub(super) fn capitalize(s: &str) -> String {
    let mut c = s.chars();
    c.next()
        .map(|f| f.to_uppercase().chain(c).collect())
        .unwrap_or_default()
}

/// Puppet's label of a value (`ModelLabelProvider`): `Integer`, `Undef Value`, `String-Type`.
pub(super) fn value_label(v: &Value) -> String {
    match v {
        Value::Undef => "Undef Value".into(),
        Value::Default => "Object".into(),
        Value::Type(..) => format!("{v}-Type"),
        Value::Ref(_) => format!("{v} Resource-Reference"),
        other => other.type_name(),
    }
}

/// The Ruby class of a value as Puppet's messages show it (`x.class`).
fn ruby_class(v: &Value) -> String {
    match v {
        Value::Undef => "NilClass".into(),
        Value::Default => "Symbol".into(),
        Value::Bool(true) => "TrueClass".into(),
        Value::Bool(false) => "FalseClass".into(),
        Value::Sensitive(_) => "Puppet::Pops::Types::PSensitiveType::Sensitive".into(),
        Value::Type(..) | Value::Ref(_) => format!("Puppet::Pops::Types::P{}Type", type_class(v)),
        // Integer, Float, String, Regexp, Array, Hash: the class has the type's name.
        other => other.type_name(),
    }
}

/// Puppet's label of a value's class (`label_Class`): `String`, `String-Type`.
fn class_label(v: &Value) -> String {
    match v {
        Value::Type(..) | Value::Ref(_) => format!("{}-Type", type_class(v)),
        other => ruby_class(other),
    }
}

/// The middle of Puppet's type class name: `String` of `PStringType`.
fn type_class(v: &Value) -> &str {
    match v {
        Value::Type(name, _) => match name.as_str() {
            "Data" | "RichData" => "TypeAlias",
            "Error" => "Object",
            n if DATA_TYPES.contains(&n) => n,
            n @ ("Class" | "TypeReference") => n,
            _ => "Resource",
        },
        _ => "Resource",
    }
}

/// Puppet's name for a key's type in its type-specialization errors.
pub(super) fn bad_key_type_name(v: &Value) -> String {
    match v {
        Value::Undef => "Undef".into(),
        Value::Default => "Default".into(),
        other => super::types::generalized(other),
    }
}

//! Type checks of parameter values against Puppet data types (the common ones site and
//! application code declares), with Puppet's "expects ... got ..." wording.

use crate::Value;

/// True if `v` is an instance of the type value `t` (type aliases unknown: see
/// [`is_instance_in`]).
pub(crate) fn is_instance(v: &Value, t: &Value) -> bool {
    is_instance_in(v, t, &|_| None, 0)
}

/// How many aliases an instance check follows in a row before it gives up (an alias that is
/// itself, `type A = A`, would never end).
pub(crate) const MAX_ALIAS_STEPS: usize = 64;

/// True if `v` is an instance of `t`; `aliases` resolves a type alias's name to its type.
pub(crate) fn is_instance_in(
    v: &Value,
    t: &Value,
    aliases: &dyn Fn(&str) -> Option<Value>,
    steps: usize,
) -> bool {
    let is_instance = |x: &Value, t: &Value| is_instance_in(x, t, aliases, 0);
    let Value::Type(name, params) = t else {
        return v.puppet_eq(t);
    };
    match name.as_str() {
        "Any" => true,
        "Undef" => matches!(v, Value::Undef),
        "Default" => matches!(v, Value::Default),
        "NotUndef" => !matches!(v, Value::Undef),
        "String" => match v {
            Value::Str(s) => length_ok(s.chars().count(), params),
            _ => false,
        },
        "Integer" => match v {
            Value::Int(i) => range_ok(*i as f64, params),
            _ => false,
        },
        "Float" => match v {
            Value::Float(f) => range_ok(*f, params),
            _ => false,
        },
        "Numeric" => matches!(v, Value::Int(_) | Value::Float(_)),
        "Boolean" => matches!(v, Value::Bool(_)),
        "Regexp" => matches!(v, Value::Regex(_)),
        "Scalar" | "ScalarData" => matches!(
            v,
            Value::Str(_) | Value::Int(_) | Value::Float(_) | Value::Bool(_) | Value::Regex(_)
        ),
        "Data" | "RichData" => !matches!(v, Value::Type(..)),
        "Tuple" => match v {
            Value::Array(a) => {
                let types: Vec<&Value> = params
                    .iter()
                    .take_while(|p| matches!(p, Value::Type(..)))
                    .collect();
                let sizes: Vec<Value> = params[types.len()..].to_vec();
                let (min, max) = match sizes.as_slice() {
                    [] => (types.len(), types.len()),
                    _ => (
                        int_param(&sizes, 0).unwrap_or(types.len()),
                        int_param(&sizes, 1).unwrap_or(usize::MAX),
                    ),
                };
                a.len() >= min
                    && a.len() <= max
                    && a.iter().enumerate().all(|(i, x)| {
                        types
                            .get(i)
                            .or(types.last())
                            .is_none_or(|t| is_instance(x, t))
                    })
            }
            _ => false,
        },
        "Struct" => match (v, params.first()) {
            (Value::Hash(h), Some(Value::Hash(schema))) => {
                let mut known = 0;
                for (k, vt) in schema {
                    let (key, optional) = match k {
                        Value::Str(s) => (s.clone(), false),
                        Value::Type(n, p) if n == "Optional" || n == "NotUndef" => {
                            match p.first() {
                                Some(Value::Str(s)) => (s.clone(), n == "Optional"),
                                _ => return false,
                            }
                        }
                        _ => return false,
                    };
                    match v.hash_get(&Value::Str(key)) {
                        Some(x) => {
                            known += 1;
                            if !is_instance(x, vt) {
                                return false;
                            }
                        }
                        None => {
                            let undef_ok = optional || is_instance(&Value::Undef, vt);
                            if !undef_ok {
                                return false;
                            }
                        }
                    }
                }
                known == h.len()
            }
            (Value::Hash(_), None) => true,
            _ => false,
        },
        "Array" | "Collection" => match v {
            Value::Array(a) => {
                let elem_ok = match params.first() {
                    Some(et @ Value::Type(..)) if name == "Array" => {
                        a.iter().all(|x| is_instance(x, et))
                    }
                    _ => true,
                };
                let sizes: Vec<Value> = params.iter().skip(1).cloned().collect();
                elem_ok && (name != "Array" || length_ok(a.len(), &sizes))
            }
            Value::Hash(_) => name == "Collection",
            _ => false,
        },
        "Hash" => match v {
            Value::Hash(h) => match (params.first(), params.get(1)) {
                (Some(kt @ Value::Type(..)), Some(vt @ Value::Type(..))) => h
                    .iter()
                    .all(|(k, x)| is_instance(k, kt) && is_instance(x, vt)),
                _ => true,
            },
            _ => false,
        },
        "Optional" => matches!(v, Value::Undef) || params.first().is_none_or(|t| is_instance(v, t)),
        "Variant" => params.iter().any(|t| is_instance(v, t)),
        "Enum" => match v {
            Value::Str(s) => params.iter().any(|p| matches!(p, Value::Str(x) if x == s)),
            _ => false,
        },
        "Pattern" => match v {
            Value::Str(s) => params.iter().any(|p| match p {
                Value::Regex(r) | Value::Str(r) => {
                    regex::Regex::new(r).is_ok_and(|re| re.is_match(s))
                }
                _ => false,
            }),
            _ => false,
        },
        "Type" => match v {
            Value::Type(..) => match params.first().map(super::assignable::ref_as_type) {
                Some(want @ Value::Type(..)) => {
                    super::assignable::is_assignable_in(&want, v, aliases, 0)
                }
                _ => true,
            },
            Value::Ref(r) => match params.first() {
                Some(Value::Type(want, _)) => {
                    r.type_name.eq_ignore_ascii_case(want)
                        || want == "Resource"
                        || want == "Node" && r.type_name == "Node"
                }
                _ => true,
            },
            _ => false,
        },
        "Resource" | "CatalogEntry" => matches!(v, Value::Ref(_)),
        "Sensitive" => match v {
            Value::Sensitive(s) => params.first().is_none_or(|t| is_instance(s.reveal(), t)),
            _ => false,
        },
        "Iterable" | "Iterator" => matches!(
            v,
            Value::Array(_) | Value::Hash(_) | Value::Str(_) | Value::Int(_)
        ),
        // A type alias is its type.
        _ if steps < MAX_ALIAS_STEPS && params.is_empty() && aliases(name).is_some() => {
            let resolved = aliases(name).expect("checked");
            is_instance_in(v, &resolved, aliases, steps + 1)
        }
        // A resource type used as a parameter type: an instance is a reference of that type —
        // but a reference is a *type* value in Puppet, so `Sql $db = Sql['x']` fails (§2.1).
        _ => false,
    }
}

fn int_param(params: &[Value], i: usize) -> Option<usize> {
    match params.get(i) {
        Some(Value::Int(n)) => usize::try_from(*n).ok(),
        _ => None,
    }
}

fn length_ok(n: usize, params: &[Value]) -> bool {
    let min = match params.first() {
        Some(Value::Int(m)) => *m as usize,
        _ => 0,
    };
    let max = match params.get(1) {
        Some(Value::Int(m)) => *m as usize,
        _ => usize::MAX,
    };
    n >= min && n <= max
}

fn range_ok(x: f64, params: &[Value]) -> bool {
    let min = match params.first() {
        Some(Value::Int(m)) => *m as f64,
        Some(Value::Float(m)) => *m,
        _ => f64::MIN,
    };
    let max = match params.get(1) {
        Some(Value::Int(m)) => *m as f64,
        Some(Value::Float(m)) => *m,
        _ => f64::MAX,
    };
    x >= min && x <= max
}

/// The name of a value's inferred type as Puppet prints it in "got ..." (`String`,
/// `Type[Resource]`, `Hash[Type[Node['other']], String]`...), simplified.
pub(crate) fn inferred(v: &Value) -> String {
    match v {
        Value::Ref(_) => "Type[Resource]".to_string(),
        Value::Type(..) => "Type".to_string(),
        other => other.type_name(),
    }
}

/// The generalised inferred type Puppet names in conversion errors (`Array[Integer]`,
/// `Hash[String, Integer]`, `Type[Integer]`, `Regexp[/x/]`): element types joined to their
/// common type (`Integer` and `Float` are `Numeric`, scalars of several kinds `ScalarData`).
pub(crate) fn generalized(v: &Value) -> String {
    fn is_data(v: &Value) -> bool {
        match v {
            Value::Undef | Value::Bool(_) | Value::Int(_) | Value::Float(_) | Value::Str(_) => true,
            Value::Array(a) => a.iter().all(is_data),
            Value::Hash(h) => h
                .iter()
                .all(|(k, x)| matches!(k, Value::Str(_)) && is_data(x)),
            _ => false,
        }
    }
    fn common<'v>(values: impl Iterator<Item = &'v Value> + Clone) -> String {
        let mut seen: Vec<String> = vec![];
        for t in values.clone().map(generalized) {
            if !seen.contains(&t) {
                seen.push(t);
            }
        }
        let numeric = |t: &String| matches!(t.as_str(), "Integer" | "Float");
        let scalar_data = |t: &String| numeric(t) || matches!(t.as_str(), "String" | "Boolean");
        let scalar = |t: &String| scalar_data(t) || t.starts_with("Regexp");
        match seen.as_slice() {
            [] => "Unit".into(),
            [one] => one.clone(),
            many if many.iter().all(numeric) => "Numeric".into(),
            many if many.iter().all(scalar_data) => "ScalarData".into(),
            many if many.iter().all(scalar) => "Scalar".into(),
            _ if values.clone().all(is_data) => "Data".into(),
            _ => "Any".into(),
        }
    }
    match v {
        Value::Regex(r) => format!("Regexp[/{r}/]"),
        Value::Type(..) => format!("Type[{v}]"),
        Value::Array(a) => format!("Array[{}]", common(a.iter())),
        Value::Hash(h) => format!(
            "Hash[{}, {}]",
            common(h.iter().map(|(k, _)| k)),
            common(h.iter().map(|(_, x)| x))
        ),
        other => inferred(other),
    }
}

/// Puppet's TypeMismatchDescriber, for the common shapes: `expects a String value, got
/// Integer`, `expects a value of type Undef or String, got Integer`, `entry 'a' expects ...`,
/// `index 1 expects ...`.
pub(crate) fn describe_mismatch(t: &Value, v: &Value) -> String {
    describe_mismatch_in(t, v, &|_| None, 0)
}

/// [`describe_mismatch`] with type aliases: an alias reads `M::Port = Integer[1, 65535]`.
pub(crate) fn describe_mismatch_in(
    t: &Value,
    v: &Value,
    aliases: &dyn Fn(&str) -> Option<Value>,
    steps: usize,
) -> String {
    let inst = |x: &Value, t: &Value| is_instance_in(x, t, aliases, 0);
    let again = |t: &Value, x: &Value| describe_mismatch_in(t, x, aliases, 0);
    let show = |t: &Value| match t {
        Value::Type(n, p) if p.is_empty() => match aliases(n) {
            Some(r) => format!("{n} = {r}"),
            None => t.to_string(),
        },
        other => other.to_string(),
    };
    if let Value::Type(name, params) = t {
        if params.is_empty()
            && steps < MAX_ALIAS_STEPS
            && let Some(r) = aliases(name)
            && matches!(&r, Value::Type(n, _) if matches!(n.as_str(), "Hash" | "Array" | "Optional" | "Variant" | "Struct"))
        {
            return describe_mismatch_in(&r, v, aliases, steps + 1);
        }
        match (name.as_str(), v) {
            ("Hash", Value::Hash(h)) if params.len() >= 2 => {
                for (k, x) in h {
                    if !inst(k, &params[0]) {
                        return format!("key of entry '{k}' {}", again(&params[0], k));
                    }
                    if !inst(x, &params[1]) {
                        return format!("entry '{k}' {}", again(&params[1], x));
                    }
                }
            }
            ("Array", Value::Array(a)) if !params.is_empty() => {
                for (i, x) in a.iter().enumerate() {
                    if !inst(x, &params[0]) {
                        return format!("index {i} {}", again(&params[0], x));
                    }
                }
            }
            ("Optional", _) if params.len() == 1 => {
                return format!(
                    "expects a value of type Undef or {}, got {}",
                    show(&params[0]),
                    inferred_set(v)
                );
            }
            ("Variant", _) if !params.is_empty() => {
                let names: Vec<String> = params.iter().map(&show).collect();
                let list = match names.len() {
                    1 => names[0].clone(),
                    2 => format!("{} or {}", names[0], names[1]),
                    n => format!("{}, or {}", names[..n - 1].join(", "), names[n - 1]),
                };
                return format!("expects a value of type {list}, got {}", inferred_set(v));
            }
            _ => {}
        }
    }
    // Against a ranged number or sized string Puppet shows the value's own range.
    let resolved = match t {
        Value::Type(n, p) if p.is_empty() => aliases(n).unwrap_or_else(|| t.clone()),
        other => other.clone(),
    };
    let got = match (&resolved, v) {
        (Value::Type(n, p), Value::Int(i)) if n == "Integer" && !p.is_empty() => {
            format!("Integer[{i}, {i}]")
        }
        (Value::Type(n, p), Value::Str(x)) if n == "String" && !p.is_empty() => {
            let len = x.chars().count();
            format!("String[{len}, {len}]")
        }
        _ => inferred_set(v),
    };
    format!(
        "expects {} value, got {got}",
        super::access::with_article(&show(t)),
    )
}

/// The generalised inferred type the mismatch describer prints: arrays are tuples and hashes
/// structs there (`got Tuple`), as Puppet's `infer_set` makes them.
fn inferred_set(v: &Value) -> String {
    match v {
        Value::Sensitive(s) => format!("Sensitive[{}]", inferred_set(s.reveal())),
        Value::Array(_) => "Tuple".into(),
        Value::Hash(_) => "Struct".into(),
        other => inferred(other),
    }
}

/// A type written as text (`lookup_options`' `convert_to`): a name with optional
/// parameters of types, integers, floats, quoted strings and `default`.
pub(crate) fn parse_type(s: &str) -> Option<Value> {
    let mut p = TypeText {
        s: s.as_bytes(),
        i: 0,
        depth: 0,
    };
    let v = p.value()?;
    p.ws();
    (p.i == p.s.len() && matches!(v, Value::Type(..))).then_some(v)
}

struct TypeText<'a> {
    s: &'a [u8],
    i: usize,
    depth: usize,
}

impl TypeText<'_> {
    fn ws(&mut self) {
        while self.i < self.s.len() && self.s[self.i].is_ascii_whitespace() {
            self.i += 1;
        }
    }
    fn value(&mut self) -> Option<Value> {
        self.depth += 1;
        if self.depth > 100 {
            return None;
        }
        self.ws();
        let c = *self.s.get(self.i)?;
        let v = if c == b'\'' || c == b'"' {
            let end = self.s[self.i + 1..].iter().position(|&x| x == c)? + self.i + 1;
            let text = std::str::from_utf8(&self.s[self.i + 1..end])
                .ok()?
                .to_string();
            self.i = end + 1;
            Value::Str(text)
        } else if c == b'-' || c.is_ascii_digit() {
            let start = self.i;
            self.i += 1;
            while self.i < self.s.len()
                && (self.s[self.i].is_ascii_digit() || self.s[self.i] == b'.')
            {
                self.i += 1;
            }
            let t = std::str::from_utf8(&self.s[start..self.i]).ok()?;
            if t.contains('.') {
                Value::Float(t.parse().ok()?)
            } else {
                Value::Int(t.parse().ok()?)
            }
        } else if c.is_ascii_alphabetic() {
            let start = self.i;
            while self.i < self.s.len()
                && (self.s[self.i].is_ascii_alphanumeric()
                    || self.s[self.i] == b'_'
                    || self.s[self.i] == b':')
            {
                self.i += 1;
            }
            let name = std::str::from_utf8(&self.s[start..self.i]).ok()?;
            if name == "default" {
                Value::Default
            } else if name.starts_with(|c: char| c.is_ascii_uppercase()) {
                let mut params = vec![];
                self.ws();
                if self.s.get(self.i) == Some(&b'[') {
                    self.i += 1;
                    loop {
                        params.push(self.value()?);
                        self.ws();
                        match self.s.get(self.i)? {
                            b',' => self.i += 1,
                            b']' => {
                                self.i += 1;
                                break;
                            }
                            _ => return None,
                        }
                    }
                }
                Value::Type(name.to_string(), params)
            } else {
                return None;
            }
        } else {
            return None;
        };
        self.depth -= 1;
        Some(v)
    }
}

/// Puppet's `new` for the data types a lookup or a call converts to: `Integer`, `Float`,
/// `Numeric`, `String`, `Boolean`, `Array`, `Hash`, `Sensitive`, `Optional`/`Variant` (the first
/// type that converts). The error is Puppet's message without its call context.
pub(crate) fn new_instance(t: &Value, args: Vec<Value>) -> Result<Value, String> {
    let Value::Type(name, params) = t else {
        return Err(format!(
            "Creation of new instance of type '{t}' is not supported"
        ));
    };
    let mut it = args.into_iter();
    let Some(v) = it.next() else {
        return Err(format!(
            "Creation of new instance of type '{name}' needs a value"
        ));
    };
    let rest: Vec<Value> = it.collect();
    let converted = match name.as_str() {
        "Integer" => {
            let args: Vec<Value> = std::iter::once(v.clone()).chain(rest.clone()).collect();
            super::new_integer::integer_new(&args)?
        }
        "Float" => match &v {
            Value::Float(_) => v.clone(),
            Value::Int(i) => Value::Float(*i as f64),
            Value::Bool(b) => Value::Float(f64::from(u8::from(*b))),
            Value::Str(s) => match s.trim().parse::<f64>() {
                Ok(f) => Value::Float(f),
                Err(_) => match to_integer(&v, None) {
                    Ok(Value::Int(i)) => Value::Float(i as f64),
                    _ => {
                        return Err(format!(
                            "'new_float' The string '{s}' cannot be converted to Float"
                        ));
                    }
                },
            },
            other => {
                return Err(format!(
                    "Value of type {} cannot be converted to Float",
                    other.type_name()
                ));
            }
        },
        "Numeric" => match &v {
            Value::Int(_) | Value::Float(_) => v.clone(),
            Value::Str(s) if s.contains(['.', 'e', 'E']) && !s.starts_with("0x") => {
                new_instance(&Value::Type("Float".into(), vec![]), vec![v.clone()])?
            }
            _ => to_integer(&v, None)
                .map_err(|_| format!("The string '{v}' cannot be converted to Numeric"))?,
        },
        "String" => Value::Str(match &v {
            Value::Sensitive(_) => {
                return Err("Value of type Sensitive cannot be converted to String".into());
            }
            other => other.to_string(),
        }),
        "Boolean" => match &v {
            Value::Bool(_) => v.clone(),
            Value::Int(i) => Value::Bool(*i != 0),
            Value::Float(f) => Value::Bool(*f != 0.0),
            Value::Str(s) => match s.to_lowercase().as_str() {
                "true" | "yes" | "y" => Value::Bool(true),
                "false" | "no" | "n" | "" => Value::Bool(false),
                _ => {
                    return Err(format!(
                        "'new_boolean' The string '{s}' cannot be converted to Boolean"
                    ));
                }
            },
            other => {
                return Err(format!(
                    "Value of type {} cannot be converted to Boolean",
                    other.type_name()
                ));
            }
        },
        "Array" | "Tuple" => match v {
            Value::Array(a) => Value::Array(a),
            Value::Hash(h) => Value::Array(
                h.into_iter()
                    .map(|(k, x)| Value::Array(vec![k, x]))
                    .collect(),
            ),
            // Wrapped: anything else is the one element.
            other if rest.first().is_some_and(|w| w.is_truthy()) => Value::Array(vec![other]),
            // A String is Iterable: its characters.
            Value::Str(s) => Value::Array(s.chars().map(|c| Value::Str(c.to_string())).collect()),
            other => {
                return Err(format!(
                    "'new_array' Value of type {} cannot be converted to Array",
                    other.type_name()
                ));
            }
        },
        "Hash" | "Struct" => match v {
            Value::Hash(h) => Value::Hash(h),
            Value::Array(a) => match hash_from_array(a) {
                Some(h) => Value::Hash(h),
                None => return Err("odd number of arguments for Hash".into()),
            },
            other => {
                return Err(format!(
                    "Value of type {} cannot be converted to Hash",
                    other.type_name()
                ));
            }
        },
        "Sensitive" => match v {
            s @ Value::Sensitive(_) => s,
            other => Value::Sensitive(crate::value::Secret::new(other)),
        },
        "Optional" | "Variant" => {
            if matches!(v, Value::Undef) && name == "Optional" {
                return Ok(Value::Undef);
            }
            let mut last = format!("Creation of new instance of type '{t}' is not supported");
            for p in params {
                match new_instance(
                    p,
                    std::iter::once(v.clone())
                        .chain(rest.iter().cloned())
                        .collect(),
                ) {
                    Ok(x) => return Ok(x),
                    Err(m) => last = m,
                }
            }
            return Err(last);
        }
        _ => {
            return Err(format!(
                "Creation of new instance of type '{name}' is not supported"
            ));
        }
    };
    if !is_instance(&converted, t) {
        return Err(format!(
            "Converted value from {name}.new() has wrong type, {}",
            describe_mismatch(t, &converted)
        ));
    }
    Ok(converted)
}

/// A number, boolean or integer string as an Integer, for `Float.new` and `Numeric.new`.
fn to_integer(v: &Value, radix: Option<&Value>) -> Result<Value, String> {
    let mut args = vec![v.clone()];
    args.extend(radix.cloned());
    super::new_integer::integer_new(&args)
}

/// Ruby's `Hash[array]`, as Puppet makes a hash of an array (`Hash($a)`, `$h + $a`): `[k, v]`
/// pairs or a flat list of keys and values; a repeated key keeps its first place and its last
/// value. `None` for an odd number of elements.
pub(crate) fn hash_from_array(a: Vec<Value>) -> Option<Vec<(Value, Value)>> {
    let pairs = !a.is_empty()
        && a.iter()
            .all(|x| matches!(x, Value::Array(p) if p.len() == 2));
    let flat: Vec<Value> = if pairs {
        a.into_iter()
            .flat_map(|x| match x {
                Value::Array(p) => p,
                other => vec![other],
            })
            .collect()
    } else {
        a
    };
    if !flat.len().is_multiple_of(2) {
        return None;
    }
    let mut out: Vec<(Value, Value)> = vec![];
    let mut it = flat.into_iter();
    while let (Some(k), Some(v)) = (it.next(), it.next()) {
        match out.iter_mut().find(|(x, _)| *x == k) {
            Some(slot) => slot.1 = v,
            None => out.push((k, v)),
        }
    }
    Some(out)
}

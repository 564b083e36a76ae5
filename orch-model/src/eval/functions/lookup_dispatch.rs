//! Puppet's argument check of `lookup` (functions/lookup.rb's five dispatches): when no
//! dispatch takes the arguments, Puppet's `expects one of:` text, each signature with why it
//! rejected them.

use crate::Value;

const NAME_T: &str = "NameType = Variant[String, Array[String]]";
const VALUE_T: &str = "ValueType = Type";
const MERGE_T: &str = "MergeType = Variant[String[1], Hash[String, Scalar]]";
const OPTIONS: &str = "'value_type' => Optional[ValueType = Type], 'default_value' => DefaultValueType = Any, 'override' => Optional[Hash[String, Any]], 'default_values_hash' => Optional[Hash[String, Any]], 'merge' => Optional[MergeType = Variant[String[1], Hash[String, Scalar]]]";

/// The type name the describer prints for a rejected argument.
fn got(v: &Value) -> String {
    match v {
        Value::Hash(_) => "Struct".into(),
        Value::Array(_) => "Tuple".into(),
        other => crate::eval::types::inferred(other),
    }
}

fn is_name(v: &Value) -> bool {
    match v {
        Value::Str(_) => true,
        Value::Array(a) => a.iter().all(|x| matches!(x, Value::Str(_))),
        _ => false,
    }
}

fn is_merge(v: &Value) -> bool {
    match v {
        Value::Str(s) => !s.is_empty(),
        Value::Hash(h) => h.iter().all(|(k, x)| {
            matches!(k, Value::Str(_))
                && matches!(
                    x,
                    Value::Str(_) | Value::Int(_) | Value::Float(_) | Value::Bool(_)
                )
        }),
        _ => false,
    }
}

fn count(n: usize) -> String {
    if n == 1 {
        "1 argument".into()
    } else {
        format!("{n} arguments")
    }
}

/// Why the name/value type/merge positions reject `args` (`optional`: undef is allowed).
fn positional(args: &[Value], optional: bool) -> Option<String> {
    let undef_ok = |v: &Value| optional && matches!(v, Value::Undef);
    if let Some(n) = args.first().filter(|n| !is_name(n)) {
        return Some(format!(
            "parameter 'name' expects a {NAME_T} value, got {}",
            got(n)
        ));
    }
    if let Some(t) = args
        .get(1)
        .filter(|t| !matches!(t, Value::Type(..)) && !undef_ok(t))
    {
        return Some(format!(
            "parameter 'value_type' expects a {VALUE_T} value, got {}",
            got(t)
        ));
    }
    if let Some(m) = args.get(2).filter(|m| !is_merge(m) && !undef_ok(m)) {
        return Some(format!(
            "parameter 'merge' expects a {MERGE_T} value, got {}",
            got(m)
        ));
    }
    None
}

/// Puppet's error when no dispatch of `lookup` takes these arguments, `None` when one does.
pub(super) fn mismatch(args: &[Value], has_block: bool) -> Option<String> {
    let n = args.len();
    if n == 0 || n > 4 {
        let got = if n == 0 {
            "none".to_string()
        } else {
            n.to_string()
        };
        return Some(format!(
            "'lookup' expects between 1 and 4 arguments, got {got}"
        ));
    }
    let with_name = format!("Struct[{{'name' => {NAME_T}, {OPTIONS}}}]");
    let without_name = format!("Struct[{{{OPTIONS}}}]");
    let block_t = "BlockType = Callable[NameType = Variant[String, Array[String]]] block?";
    let no_block = |r: Option<String>| match r {
        None if has_block => Some("does not expect a block".to_string()),
        other => other,
    };
    let r1 = no_block(if n <= 3 {
        positional(args, false)
    } else {
        Some(format!("expects between 1 and 3 arguments, got {n}"))
    });
    let r2 = no_block(if n == 4 {
        positional(args, true)
    } else {
        Some(format!("expects 4 arguments, got {n}"))
    });
    let r3 = if n <= 3 {
        positional(args, false).or_else(|| (!has_block).then(|| "expects a block".to_string()))
    } else {
        Some(format!("expects between 1 and 3 arguments, got {n}"))
    };
    let r4 = match args {
        [Value::Hash(_)] if args[0].hash_get(&Value::Str("name".into())).is_none() => {
            Some("parameter 'options_hash' expects a value for key 'name'".to_string())
        }
        [Value::Hash(_)] => None,
        [other] => Some(format!(
            "parameter 'options_hash' expects an OptionsWithName = {with_name} value, got {}",
            got(other)
        )),
        _ => Some(format!("expects 1 argument, got {n}")),
    };
    let r5 = match args {
        [name, _] if !is_name(name) => Some(format!(
            "parameter 'name' expects a Variant[String, Array[String]] value, got {}",
            got(name)
        )),
        [_, Value::Hash(_)] => None,
        [_, other] => Some(format!(
            "parameter 'options_hash' expects an OptionsWithoutName = {without_name} value, got {}",
            got(other)
        )),
        _ => Some(format!("expects {}, got {n}", count(2))),
    };
    let reasons = [r1, r2, r3, r4, r5];
    if reasons.iter().any(Option::is_none) {
        return None;
    }
    let signatures = [
        format!("({NAME_T} name, {VALUE_T} value_type?, {MERGE_T} merge?)"),
        format!(
            "({NAME_T} name, Optional[ValueType] value_type, Optional[MergeType] merge, DefaultValueType = Any default_value)"
        ),
        format!("({NAME_T} name, {VALUE_T} value_type?, {MERGE_T} merge?)"),
        format!("(OptionsWithName = {with_name} options_hash, {block_t})"),
        format!(
            "(Variant[String, Array[String]] name, OptionsWithoutName = {without_name} options_hash, {block_t})"
        ),
    ];
    let mut out = String::from("'lookup' expects one of:");
    for (sig, why) in signatures.iter().zip(reasons) {
        out.push_str(&format!(
            "\n  {sig}\n    rejected: {}",
            why.expect("all rejected")
        ));
    }
    Some(out)
}

//! Functions of puppetlabs-app_modeling, implemented natively.

use super::Call;
use crate::Value;
use crate::eval::{EvalResult, Evaluator};

/// The functions of this group.
pub(super) const NAMES: &[&str] = &["collect_component_titles"];

/// Calls one of them.
pub(super) fn call(ev: &mut Evaluator<'_>, c: &Call<'_>, args: Vec<Value>) -> EvalResult<Value> {
    let (name, lambda, e) = (c.name, c.lambda, c.at);
    let _ = (lambda, e);
    Ok(match name {
        "collect_component_titles" => {
            // app_modeling: the titles of the components of a type in a `nodes` mapping.
            c.arity(ev, &args, 2)?;
            let want = match &args[1] {
                Value::Type(t, _) => t.to_lowercase(),
                Value::Str(s) => s.to_lowercase(),
                other => {
                    return c.fail(
                        ev,
                        format!(
                            "collect_component_titles expects a type, got {}",
                            other.type_name()
                        ),
                    );
                }
            };
            let mut titles = vec![];
            if let Value::Hash(h) = &args[0] {
                for (_, comps) in h {
                    let comps = match comps {
                        Value::Array(a) => a.clone(),
                        other => vec![other.clone()],
                    };
                    for c in comps {
                        if let Value::Ref(r) = c
                            && r.type_name.to_lowercase() == want
                        {
                            titles.push(Value::Str(r.title.clone()));
                        }
                    }
                }
            }
            Value::Array(titles)
        }
        _ => return c.not_in_group(ev),
    })
}

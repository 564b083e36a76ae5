//! Functions of puppetlabs-app_modeling (`lib/puppet/parser/functions`), implemented natively:
//! `collect_component_titles`, `collect_component_nodes`, `create_component_app`,
//! `create_node_order`.

use super::Call;
use crate::eval::{EvalResult, Evaluator};
use crate::{ResourceRef, Value};

/// The functions of this group.
pub(super) const NAMES: &[&str] = &[
    "collect_component_titles",
    "collect_component_nodes",
    "create_component_app",
    "create_node_order",
];

pub(super) fn call(ev: &mut Evaluator<'_>, c: &Call<'_>, args: Vec<Value>) -> EvalResult<Value> {
    match c.name {
        "collect_component_titles" | "collect_component_nodes" => collect(ev, c, &args),
        _ => {
            let want = if c.name == "create_component_app" {
                3
            } else {
                2
            };
            if args.len() != want {
                return c.raise(
                    ev,
                    format!(
                        "{}(): Wrong number of arguments given ({} for {want})",
                        c.name,
                        args.len()
                    ),
                );
            }
            if c.name == "create_component_app" {
                create_component_app(ev, c, args)
            } else {
                create_node_order(ev, c, args)
            }
        }
    }
}

/// The components of one entry of a `nodes` hash (one, or an array of them).
fn components(v: &Value) -> Vec<&ResourceRef> {
    match v {
        Value::Ref(r) => vec![r],
        Value::Array(a) => a
            .iter()
            .filter_map(|x| match x {
                Value::Ref(r) => Some(r),
                _ => None,
            })
            .collect(),
        _ => vec![],
    }
}

/// The titles of the components of a type in a `nodes` hash, or the nodes that have one.
fn collect(ev: &mut Evaluator<'_>, c: &Call<'_>, args: &[Value]) -> EvalResult<Value> {
    let present = |v: Option<&Value>| v.is_some_and(|v| !matches!(v, Value::Undef));
    if !present(args.first()) || !present(args.get(1)) {
        return c.raise(
            ev,
            format!("{} requires a nodes hash and component", c.name),
        );
    }
    let target = match &args[1] {
        Value::Type(t, _) => crate::reference::capitalize_type(t),
        Value::Ref(r) => r.type_name.clone(),
        Value::Str(s) => crate::reference::capitalize_type(s),
        other => {
            return c.raise(
                ev,
                format!("undefined method `type' for {}", other.type_name()),
            );
        }
    };
    let Value::Hash(nodes) = &args[0] else {
        return c.raise(
            ev,
            format!("undefined method `map' for {}", args[0].type_name()),
        );
    };
    let mut out = vec![];
    for (node, comps) in nodes {
        let matching: Vec<&ResourceRef> = components(comps)
            .into_iter()
            .filter(|r| r.type_name == target)
            .collect();
        if c.name == "collect_component_titles" {
            out.extend(matching.iter().map(|r| Value::Str(r.title.clone())));
        } else if !matching.is_empty() {
            let title = match node {
                Value::Ref(r) => r.title.clone(),
                other => other.to_string(),
            };
            out.push(Value::Str(title));
        }
    }
    Ok(Value::Array(out))
}

/// `create_component_app($app, $title, $params)`: an instance whose `nodes` come from
/// `$params['components']` (component type → node names; each component titled
/// `<title>-<node>`), declared with `create_resources`.
fn create_component_app(
    ev: &mut Evaluator<'_>,
    c: &Call<'_>,
    args: Vec<Value>,
) -> EvalResult<Value> {
    let mut it = args.into_iter();
    let (app, title, params) = (
        it.next().unwrap_or(Value::Undef),
        it.next().unwrap_or(Value::Undef).to_string(),
        it.next().unwrap_or(Value::Undef),
    );
    let Value::Hash(mut params) = params else {
        return c.raise(
            ev,
            format!("undefined method `[]' for {}", params.type_name()),
        );
    };
    let components = params
        .iter()
        .position(|(k, _)| *k == Value::Str("components".into()))
        .map(|i| params.remove(i).1);
    let Some(Value::Hash(components)) = components else {
        return c.raise(ev, "undefined method `each' for nil:NilClass".into());
    };
    let mut nodes: Vec<(String, Vec<Value>)> = vec![];
    for (comp, node_names) in components {
        let Value::Array(node_names) = node_names else {
            return c.raise(
                ev,
                format!("undefined method `each' for {}", node_names.type_name()),
            );
        };
        for n in node_names {
            let n = n.to_string();
            let r = Value::Ref(ResourceRef::new(&comp.to_string(), format!("{title}-{n}")));
            match nodes.iter_mut().find(|(x, _)| *x == n) {
                Some((_, list)) => list.push(r),
                None => nodes.push((n, vec![r])),
            }
        }
    }
    let nodes = nodes
        .into_iter()
        .map(|(n, comps)| (Value::Ref(ResourceRef::new("Node", n)), Value::Array(comps)))
        .collect();
    params.push((Value::Str("nodes".into()), Value::Hash(nodes)));
    let instances = Value::Hash(vec![(Value::Str(title), Value::Hash(params))]);
    ev.call_function("create_resources", vec![app, instances], None, c.at)
}

/// `create_node_order($title, $order)`: an `app_modeling::node_order` instance with one
/// `App_modeling::Dependency` component per node, in the order's layers.
fn create_node_order(ev: &mut Evaluator<'_>, c: &Call<'_>, args: Vec<Value>) -> EvalResult<Value> {
    let title = args[0].to_string();
    let mut flat = vec![];
    super::flatten_into(args[1].clone(), &mut flat);
    let mut nodes: Vec<(Value, Value)> = vec![];
    for n in flat {
        let n = n.to_string();
        let node = Value::Ref(ResourceRef::new("Node", n.clone()));
        if nodes.iter().any(|(k, _)| *k == node) {
            return c.raise(
                ev,
                format!("Cannot create node_order '{title}' node '{n}' is included twice"),
            );
        }
        let comp = ResourceRef::new("App_modeling::Dependency", format!("{title}-{n}"));
        nodes.push((node, Value::Ref(comp)));
    }
    let params = Value::Hash(vec![(
        Value::Str(title),
        Value::Hash(vec![
            (Value::Str("order".into()), args[1].clone()),
            (Value::Str("nodes".into()), Value::Hash(nodes)),
        ]),
    )]);
    ev.call_function(
        "create_resources",
        vec![Value::Str("app_modeling::node_order".into()), params],
        None,
        c.at,
    )
}

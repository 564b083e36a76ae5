//! One application instance: its arguments and the `nodes` mapping checked, parameters bound,
//! the body evaluated; its components checked; the nodes assigned with the graph builder's
//! checks.

use std::collections::{BTreeMap, BTreeSet};

use super::component::component;
use super::{Later, is_component, known_type, push_flow, unknown_type};
use crate::code::Definition;
use crate::eval::types::inferred;
use crate::eval::{Declared, Evaluator, refs_of};
use crate::model::{AppInstance, Component, Model};
use crate::problem::Problem;
use crate::{ResourceRef, Value};

pub(super) fn evaluate_instance(
    ev: &mut Evaluator<'_>,
    d: &Declared,
    model: &mut Model,
    later: &mut Later,
) -> Option<AppInstance> {
    let reference = ResourceRef::new(&d.type_name, d.title.clone());
    let def = ev.code.definition(&d.type_name)?;
    // Parameters: declared ones, `nodes`, and metaparameters.
    let declared_names: BTreeSet<&str> = def.parameters.iter().map(|p| p.name.as_str()).collect();
    let mut nodes_value = None;
    let mut given: BTreeMap<String, Value> = BTreeMap::new();
    for (k, v) in &d.attributes {
        if k == "nodes" {
            nodes_value = Some(v.clone());
        } else if declared_names.contains(k.as_str()) {
            given.insert(k.clone(), v.clone());
        } else if !is_metaparam(k) {
            err(
                model,
                d,
                format!("{reference}: has no parameter named '{k}'"),
            );
            return None;
        }
    }
    let Some(nodes_value) = nodes_value else {
        err(
            model,
            d,
            format!("{reference}: expects a value for parameter 'nodes'"),
        );
        return None;
    };
    let nodes = match node_mapping(&reference, &nodes_value) {
        Ok(n) => n,
        Err(m) => {
            err(model, d, m);
            return None;
        }
    };

    let (parameters, declared) = run_body(ev, d, &def, &given, nodes_value, model)?;
    let mut components = components_of(ev, &declared, model, later);
    assign_nodes(&reference, &nodes, &mut components, d, &mut later.graph);
    Some(AppInstance {
        reference,
        parameters,
        nodes,
        components,
        location: d.location.clone(),
    })
}

/// Binds the parameters in the application's scope (defaults, type checks) and evaluates the
/// body: the parameters and what the body declared.
fn run_body(
    ev: &mut Evaluator<'_>,
    d: &Declared,
    def: &Definition,
    given: &BTreeMap<String, Value>,
    nodes_value: Value,
    model: &mut Model,
) -> Option<(BTreeMap<String, Value>, Vec<Declared>)> {
    let reference = ResourceRef::new(&d.type_name, d.title.clone());
    // Bind and evaluate the body in the application's scope.
    let saved_file = ev.file;
    let depth = ev.push_definition_scope();
    ev.file = def.file;
    ev.set_var("name", Value::Str(d.title.clone()));
    ev.set_var("title", Value::Str(d.title.clone()));
    ev.set_var("nodes", nodes_value);
    let mut parameters = BTreeMap::new();
    let mut failed = false;
    for p in &def.parameters {
        let v = match given.get(&p.name.to_string()) {
            Some(v) => v.clone(),
            None => match &p.value {
                Some(default) => match ev.eval(default) {
                    Ok(v) => v,
                    Err(f) => {
                        push_flow(model, f);
                        failed = true;
                        break;
                    }
                },
                None => {
                    err(
                        model,
                        d,
                        format!("{reference}: expects a value for parameter '{}'", p.name),
                    );
                    failed = true;
                    break;
                }
            },
        };
        if let Some(t) = &p.type_expr
            && let Ok(tv) = ev.eval(t)
            && !ev.instance_of(&v, &tv)
        {
            // A resource type as a parameter type expects a resource, which a reference (a
            // type value) is not; data types and aliases get Puppet's mismatch description.
            let resource = matches!(&tv, Value::Type(n, _) if !crate::value::DATA_TYPES.contains(&n.as_str()))
                && !ev.is_alias(&tv);
            let why = if resource {
                format!("expects a Resource value, got {}", inferred(&v))
            } else {
                ev.describe_mismatch(&tv, &v)
            };
            err(
                model,
                d,
                format!("{reference}: parameter '{}' {why}", p.name),
            );
            failed = true;
            break;
        }
        ev.set_var(&p.name, v.clone());
        parameters.insert(p.name.to_string(), v);
    }
    if failed {
        ev.pop_to(depth);
        ev.file = saved_file;
        return None;
    }
    let before = ev.declared.len();
    let r = ev.eval_body(def.body.as_ref());
    let declared: Vec<Declared> = ev.declared.drain(before..).collect();
    ev.pop_to(depth);
    ev.file = saved_file;
    if let Err(f) = r {
        push_flow(model, f);
        return None;
    }
    Some((parameters, declared))
}

/// The components an application body declared, each checked.
fn components_of(
    ev: &mut Evaluator<'_>,
    declared: &[Declared],
    model: &mut Model,
    later: &mut Later,
) -> Vec<Component> {
    // The components.
    let mut components = vec![];
    let mut refs_seen = BTreeSet::new();
    for c in declared {
        let cref = ResourceRef::new(&c.type_name, c.title.clone());
        if !refs_seen.insert(cref.clone()) {
            model.problems.push(Problem::error(
                format!("Duplicate declaration: {cref} is already declared; cannot redeclare"),
                c.location.clone(),
            ));
            continue;
        }
        if !known_type(ev, &c.type_name) {
            model.problems.push(unknown_type(c));
            continue;
        }
        if !is_component(ev, c) {
            later.site.push(Problem::error(
                format!(
                    "Only application components can appear inside a site - {cref} is not allowed"
                ),
                c.location.clone(),
            ));
            continue;
        }
        if let Some(comp) = component(ev, &cref, c, model) {
            components.push(comp);
        }
    }

    components
}

/// The environment-graph builder's checks of the `nodes` mapping; each component gets its node.
fn assign_nodes(
    reference: &ResourceRef,
    nodes: &[(String, Vec<ResourceRef>)],
    components: &mut [Component],
    d: &Declared,
    graph: &mut Vec<Problem>,
) {
    // Nodes (the environment-graph checks).
    let declared_refs: BTreeSet<ResourceRef> =
        components.iter().map(|c| c.reference.clone()).collect();
    let mut assigned: BTreeMap<ResourceRef, String> = BTreeMap::new();
    let mut nonexistent = vec![];
    let mut multiple = BTreeSet::new();
    for (node, comps) in nodes {
        for c in comps {
            let c = normalize_component_ref(c);
            if !declared_refs.contains(&c) {
                if !nonexistent.contains(&c) {
                    nonexistent.push(c);
                }
                continue;
            }
            if let Some(prev) = assigned.get(&c)
                && prev != node
            {
                multiple.insert(c.clone());
            }
            if assigned.contains_key(&c) && assigned[&c] == *node {
                multiple.insert(c.clone());
            }
            assigned.entry(c).or_insert_with(|| node.clone());
        }
    }
    if !nonexistent.is_empty() {
        graph_err(
            graph,
            d,
            format!(
                "Application {reference} assigns nodes to non-existent components: {}",
                nonexistent
                    .iter()
                    .map(|r| r.to_string())
                    .collect::<Vec<_>>()
                    .join(", ")
            ),
        );
    }
    let unmapped: Vec<String> = components
        .iter()
        .filter(|c| !assigned.contains_key(&c.reference))
        .map(|c| c.reference.to_string())
        .collect();
    if !unmapped.is_empty() {
        graph_err(
            graph,
            d,
            format!(
                "Application {reference} has components without assigned nodes: {}",
                unmapped.join(", ")
            ),
        );
    }
    for c in &multiple {
        graph_err(
            graph,
            d,
            format!("Application {reference} assigns multiple nodes to component {c}"),
        );
    }
    for c in components.iter_mut() {
        c.node = assigned.get(&c.reference).cloned();
    }
}

fn graph_err(graph: &mut Vec<Problem>, d: &Declared, m: String) {
    graph.push(Problem::error(m, d.location.clone()));
}

fn err(model: &mut Model, d: &Declared, m: String) {
    model.problems.push(Problem::error(m, d.location.clone()));
}

/// `Class[foo]` in a node mapping names the class component `Class[Foo]`.
fn normalize_component_ref(r: &ResourceRef) -> ResourceRef {
    ResourceRef::new(&r.type_name, r.title.clone())
}

pub(super) fn is_metaparam(k: &str) -> bool {
    matches!(
        k,
        "alias"
            | "audit"
            | "before"
            | "consume"
            | "export"
            | "loglevel"
            | "noop"
            | "notify"
            | "require"
            | "schedule"
            | "stage"
            | "subscribe"
            | "tag"
    )
}

/// The `nodes` parameter as node → components, with the environment compiler's type-check
/// wording for bad values.
fn node_mapping(app: &ResourceRef, v: &Value) -> Result<Vec<(String, Vec<ResourceRef>)>, String> {
    let Value::Hash(entries) = v else {
        return Err(format!(
            "{app}: parameter 'nodes' expects a Hash value, got {}",
            inferred(v)
        ));
    };
    let mut out = vec![];
    for (k, val) in entries {
        let node = match k {
            Value::Ref(r) if r.type_name == "Node" => r.title.clone(),
            Value::Ref(_) | Value::Type(..) => {
                return Err(format!(
                    "{app}: parameter 'nodes' expects a Hash[Type[Node], Variant[Type[Resource], Array[Type[Resource]]]] value, got Hash[{}, {}]",
                    describe_ref(k),
                    describe_ref(val)
                ));
            }
            other => {
                return Err(format!(
                    "{app}: parameter 'nodes' key of entry '{other}' expects a Type[Resource] value, got {}",
                    inferred(other)
                ));
            }
        };
        let comps = match refs_of(val) {
            Ok(r) => r,
            Err(bad) => {
                return Err(format!(
                    "{app}: parameter 'nodes' expects a Hash[Type[Node], Variant[Type[Resource], Array[Type[Resource]]]] value, got Hash[Type[Node['{node}']], {}]",
                    inferred(&bad)
                ));
            }
        };
        out.push((node, comps));
    }
    Ok(out)
}

fn describe_ref(v: &Value) -> String {
    match v {
        Value::Ref(r) => format!("Type[{}['{}']]", r.type_name, r.title),
        Value::Array(_) => "Array".to_string(),
        other => inferred(other),
    }
}

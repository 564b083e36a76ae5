//! The environment compile: top scope, the `site` body, every application instance's body;
//! then the checks of Puppet's environment compiler and environment-graph builder.

use std::collections::{BTreeMap, BTreeSet};

use orch_parser::CapabilityKind;

use crate::eval::{Declared, Evaluator, Flow};
use crate::functions::refs_of;
use crate::loader::{DefKind, Environment, Mapping};
use crate::model::{AppInstance, Capability, Component, Model};
use crate::problem::{Location, Problem};
use crate::types::{inferred, is_instance};
use crate::{ResourceRef, Value};

/// Metaparameters that order resources; only `require` (and `consume`, `export`) may point at
/// capabilities.
const RELATIONSHIP_PARAMS: &[&str] = &["before", "notify", "subscribe"];

/// Resource types built into Puppet agents: declaring them needs no definition.
const CORE_TYPES: &[&str] = &[
    "augeas",
    "computer",
    "cron",
    "exec",
    "file",
    "filebucket",
    "group",
    "host",
    "interface",
    "k5login",
    "macauthorization",
    "mailalias",
    "maillist",
    "mcx",
    "mount",
    "nagios_command",
    "notify",
    "package",
    "resources",
    "router",
    "schedule",
    "scheduled_task",
    "selboolean",
    "selmodule",
    "service",
    "ssh_authorized_key",
    "sshkey",
    "stage",
    "tidy",
    "user",
    "vlan",
    "yumrepo",
    "zfs",
    "zone",
    "zpool",
    "anchor",
    "node",
];

/// Evaluates a loaded environment into the application model.
pub fn compile(env: &mut Environment) -> Model {
    let mut model = Model {
        environment: env.name.clone(),
        ..Model::default()
    };
    model.problems.extend(env.problems.iter().cloned());
    if model.has_errors() {
        return model;
    }
    let loaded_problems = env.problems.len();
    evaluate(env, &mut model);
    // Problems of module files autoloaded during evaluation (syntax, validation, clashes) come
    // first: they explain what follows from them.
    let late: Vec<Problem> = env.problems[loaded_problems..].to_vec();
    if !late.is_empty() {
        model.problems.splice(0..0, late);
    }
    model
}

/// Top scope, the site, the application instances, then the capability checks.
fn evaluate(env: &mut Environment, model: &mut Model) {
    let main: Vec<(usize, orch_parser::Program)> = std::mem::take(&mut env.main);
    let site = env.site.clone();
    let mut ev = Evaluator::new(env);

    // Top scope. Resources declared there are pruned from the environment catalog, except
    // application instances, which Puppet only allows inside a site.
    for (file, program) in &main {
        ev.file = *file;
        if let Err(f) = ev.eval(&program.body) {
            push_flow(model, f);
            model.problems.append(&mut ev.notices);
            return;
        }
    }
    let top_declared = std::mem::take(&mut ev.declared);
    for d in &top_declared {
        if is_application(&mut ev, &d.type_name) {
            model.problems.push(Problem::error(
                format!(
                    "Evaluation Error: Error while evaluating a Resource Statement, Application instances like '{}' can only be contained within a Site",
                    ResourceRef::new(&d.type_name, d.title.clone())
                ),
                d.location.clone(),
            ));
        }
    }

    // Every mapping must name an existing define (or class, for `Class[x]`).
    let mappings: Vec<(CapabilityKind, String, bool, usize, usize)> = ev
        .env
        .mappings
        .iter()
        .map(|m| (m.kind, m.component.clone(), m.is_class, m.file, m.offset))
        .collect();
    for (kind, component, is_class, file, offset) in mappings {
        let found = ev.env.find_definition(&component).map(|d| d.kind);
        let ok = match found {
            Some(DefKind::Class) => is_class,
            Some(DefKind::Define) => !is_class,
            _ => false,
        };
        if !ok {
            model.problems.push(Problem::error(
                format!(
                    "Capability mapping error: {} clause references nonexistent {} {}",
                    kind.as_str(),
                    if is_class { "class" } else { "type" },
                    crate::loader::capitalize(&component)
                ),
                ev.env.location(file, offset),
            ));
        }
    }

    // The site.
    let mut instances: Vec<Declared> = vec![];
    match &site {
        None => model.problems.push(Problem::warning(
            "Environment Compiler: Could not find a site definition to evaluate",
            Location::default(),
        )),
        Some((file, offset, body)) => {
            ev.file = *file;
            let in_main = main
                .iter()
                .filter(|(f, _)| f == file)
                .find_map(|(_, p)| find_site(&p.body, *offset));
            let body = match in_main {
                Some(b) => b,
                None => body.as_ref(),
            };
            let depth = ev.push_definition_scope();
            let r = ev.eval_body(body);
            ev.pop_to(depth);
            if let Err(f) = r {
                push_flow(model, f);
            }
            for d in std::mem::take(&mut ev.declared) {
                if is_application(&mut ev, &d.type_name) {
                    instances.push(d);
                } else if ev.env.is_unloadable(&d.type_name) {
                    // Its file's errors are reported: nothing more to say about it.
                } else if !known_type(&mut ev, &d.type_name) {
                    model.problems.push(unknown_type(&d));
                } else if !is_component(&mut ev, &d) {
                    model.problems.push(Problem::error(
                        format!(
                            "Only application components can appear inside a site - {} is not allowed",
                            ResourceRef::new(&d.type_name, d.title.clone())
                        ),
                        d.location.clone(),
                    ));
                }
            }
        }
    }

    // Each application instance.
    let mut seen = BTreeSet::new();
    for d in &instances {
        let reference = ResourceRef::new(&d.type_name, d.title.clone());
        if !seen.insert(reference.clone()) {
            model.problems.push(Problem::error(
                format!("Duplicate declaration: {reference} is already declared; cannot redeclare"),
                d.location.clone(),
            ));
            continue;
        }
        if let Some(app) = evaluate_instance(&mut ev, d, model) {
            model.instances.push(app);
        }
    }
    model.problems.append(&mut ev.notices);
    model
        .instances
        .sort_by(|a, b| a.reference.cmp(&b.reference));

    check_capabilities(&mut ev, model);
}

/// The body of the site defined at `offset` in a tree.
fn find_site(e: &orch_parser::Expr, offset: usize) -> Option<Option<&orch_parser::Expr>> {
    if let orch_parser::ExprKind::SiteDefinition { body } = &e.kind
        && e.span.start as usize == offset
    {
        return Some(body.as_deref());
    }
    let mut found = None;
    crate::walk::children(e, &mut |c| {
        if found.is_none() {
            found = find_site(c, offset);
        }
    });
    found
}

fn push_flow(model: &mut Model, f: Flow) {
    match f {
        Flow::Error(p) => model.problems.push(p),
        Flow::Next(_) | Flow::Break | Flow::Return(_) => model.problems.push(Problem::error(
            "next(), break() or return() used outside of a function or lambda",
            Location::default(),
        )),
    }
}

/// A type Puppet can declare: a class, a define or application of the environment, a core
/// type, a capability type.
fn known_type(ev: &mut Evaluator<'_>, type_name: &str) -> bool {
    type_name == "class"
        || CORE_TYPES.contains(&type_name)
        || ev.env.find_definition(type_name).is_some()
        || ev
            .env
            .capability_types
            .contains_key(&crate::loader::capitalize(type_name))
}

fn unknown_type(d: &Declared) -> Problem {
    Problem::error(
        format!(
            "Evaluation Error: Error while evaluating a Resource Statement, Unknown resource type: '{}'",
            d.type_name
        ),
        d.location.clone(),
    )
}

fn is_application(ev: &mut Evaluator<'_>, type_name: &str) -> bool {
    ev.env
        .find_definition(type_name)
        .is_some_and(|d| d.kind == DefKind::Application)
}

/// `Puppet::Resource#is_application_component?`: a non-empty `export`, any `consume`, or a
/// `require` that names a capability.
fn is_component(ev: &mut Evaluator<'_>, d: &Declared) -> bool {
    d.attributes.iter().any(|(k, v)| match k.as_str() {
        "export" => !matches!(v, Value::Undef) && v != &Value::Array(vec![]),
        "consume" => true,
        "require" => refs_of(v)
            .unwrap_or_default()
            .iter()
            .any(|r| ev.env.capability_types.contains_key(&r.type_name)),
        _ => false,
    })
}

fn evaluate_instance(
    ev: &mut Evaluator<'_>,
    d: &Declared,
    model: &mut Model,
) -> Option<AppInstance> {
    let reference = ResourceRef::new(&d.type_name, d.title.clone());
    let def = ev.env.find_definition(&d.type_name)?.clone();
    let err =
        |model: &mut Model, m: String| model.problems.push(Problem::error(m, d.location.clone()));

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
            err(model, format!("{reference}: has no parameter named '{k}'"));
            return None;
        }
    }
    let Some(nodes_value) = nodes_value else {
        err(
            model,
            format!("{reference}: expects a value for parameter 'nodes'"),
        );
        return None;
    };
    let nodes = match node_mapping(&reference, &nodes_value) {
        Ok(n) => n,
        Err(m) => {
            err(model, m);
            return None;
        }
    };

    // Bind and evaluate the body in the application's scope.
    let saved_file = ev.file;
    let depth = ev.push_definition_scope();
    ev.file = def.file;
    ev.set_var("name", Value::Str(d.title.clone()));
    ev.set_var("title", Value::Str(d.title.clone()));
    ev.set_var("nodes", nodes_value.clone());
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
                        format!("{reference}: expects a value for parameter '{}'", p.name),
                    );
                    failed = true;
                    break;
                }
            },
        };
        if let Some(t) = &p.type_expr
            && let Ok(tv) = ev.eval(t)
            && !is_instance(&v, &tv)
        {
            // A resource type as a parameter type expects a resource, which a reference
            // (a type value) is not.
            let expected = match &tv {
                Value::Type(n, _) if !crate::value::DATA_TYPES.contains(&n.as_str()) => {
                    "Resource".to_string()
                }
                other => other.to_string(),
            };
            err(
                model,
                format!(
                    "{reference}: parameter '{}' expects {} value, got {}",
                    p.name,
                    article(&expected),
                    inferred(&v)
                ),
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

    // The components.
    let mut components = vec![];
    let mut refs_seen = BTreeSet::new();
    for c in &declared {
        let cref = ResourceRef::new(&c.type_name, c.title.clone());
        if !refs_seen.insert(cref.clone()) {
            model.problems.push(Problem::error(
                format!("Duplicate declaration: {cref} is already declared; cannot redeclare"),
                c.location.clone(),
            ));
            continue;
        }
        if c.type_name != "class"
            && !CORE_TYPES.contains(&c.type_name.as_str())
            && ev.env.find_definition(&c.type_name).is_none()
            && !ev
                .env
                .capability_types
                .contains_key(&crate::loader::capitalize(&c.type_name))
        {
            model.problems.push(Problem::error(
                format!("Evaluation Error: Error while evaluating a Resource Statement, Unknown resource type: '{}'", c.type_name),
                c.location.clone(),
            ));
            continue;
        }
        if !is_component(ev, c) {
            model.problems.push(Problem::error(
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

    // Nodes (the environment-graph checks).
    let declared_refs: BTreeSet<ResourceRef> =
        components.iter().map(|c| c.reference.clone()).collect();
    let mut assigned: BTreeMap<ResourceRef, String> = BTreeMap::new();
    let mut nonexistent = vec![];
    let mut multiple = BTreeSet::new();
    for (node, comps) in &nodes {
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
        err(
            model,
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
        err(
            model,
            format!(
                "Application {reference} has components without assigned nodes: {}",
                unmapped.join(", ")
            ),
        );
    }
    for c in &multiple {
        err(
            model,
            format!("Application {reference} assigns multiple nodes to component {c}"),
        );
    }
    for c in &mut components {
        c.node = assigned.get(&c.reference).cloned();
    }
    components.sort_by(|a, b| a.reference.cmp(&b.reference));
    Some(AppInstance {
        reference,
        parameters,
        nodes,
        components,
        location: d.location.clone(),
    })
}

/// `Class[foo]` in a node mapping names the class component `Class[Foo]`.
fn normalize_component_ref(r: &ResourceRef) -> ResourceRef {
    ResourceRef::new(&r.type_name, r.title.clone())
}

fn is_metaparam(k: &str) -> bool {
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

fn article(t: &str) -> String {
    if t.starts_with(['A', 'E', 'I', 'O', 'U']) {
        format!("an {t}")
    } else {
        format!("a {t}")
    }
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

/// A component: its relationships checked, its parameters.
fn component(
    ev: &mut Evaluator<'_>,
    cref: &ResourceRef,
    c: &Declared,
    model: &mut Model,
) -> Option<Component> {
    let mut export = vec![];
    let mut consume = vec![];
    let mut require = vec![];
    let mut parameters = BTreeMap::new();
    let mut ok = true;
    for (k, v) in &c.attributes {
        match k.as_str() {
            "export" | "consume" => {
                let what = k.as_str();
                let refs = match refs_of(v) {
                    Ok(r) => r,
                    Err(bad) => {
                        model.problems.push(Problem::error(
                            format!("Evaluation Error: Error while evaluating a Resource Statement, Invalid {what} in {cref}: {bad} is not a resource"),
                            c.location.clone(),
                        ));
                        ok = false;
                        continue;
                    }
                };
                for r in refs {
                    if !ev.env.capability_types.contains_key(&r.type_name) {
                        model.problems.push(Problem::error(
                            format!("Evaluation Error: Error while evaluating a Resource Statement, Invalid {what} in {cref}: {r} is not a capability resource"),
                            c.location.clone(),
                        ));
                        ok = false;
                        continue;
                    }
                    let kind = if what == "export" {
                        CapabilityKind::Produces
                    } else {
                        CapabilityKind::Consumes
                    };
                    if find_mapping(ev.env, cref, kind, &r.type_name).is_none() {
                        let msg = if what == "export" {
                            format!(
                                "Evaluation Error: Error while evaluating a Resource Statement, Resource type {} does not produce {}",
                                component_type_name(cref),
                                r.type_name
                            )
                        } else {
                            format!(
                                "Evaluation Error: Error while evaluating a Resource Statement, Resource {cref} tries to consume {r} but no 'consumes' mapping exists for {} and {}",
                                component_type_name(cref),
                                r.type_name
                            )
                        };
                        model.problems.push(Problem::error(msg, c.location.clone()));
                        ok = false;
                        continue;
                    }
                    if what == "export" {
                        export.push(r);
                    } else {
                        consume.push(r);
                    }
                }
            }
            "require" => {
                for r in refs_of(v).unwrap_or_default() {
                    if ev.env.capability_types.contains_key(&r.type_name) {
                        require.push(r);
                    }
                }
            }
            p if RELATIONSHIP_PARAMS.contains(&p) => {
                for r in refs_of(v).unwrap_or_default() {
                    if ev.env.capability_types.contains_key(&r.type_name) {
                        model.problems.push(Problem::error(
                            format!("'{p}' is not a valid relationship to a capability"),
                            c.location.clone(),
                        ));
                        ok = false;
                    }
                }
            }
            _ => {
                parameters.insert(k.clone(), v.clone());
            }
        }
    }
    // A component with a bad relationship is still a component (of its node): only the bad
    // references are left out, so that one mistake gives one error.
    let _ = ok;
    Some(Component {
        reference: cref.clone(),
        node: None,
        parameters,
        export,
        consume,
        require,
        location: c.location.clone(),
    })
}

/// The type a mapping names for a component: `Lamp::Db`, or `Class[Foo]`... Puppet prints the
/// define's name.
fn component_type_name(r: &ResourceRef) -> String {
    if r.type_name == "Class" {
        crate::loader::capitalize(&r.title)
    } else {
        r.type_name.clone()
    }
}

fn find_mapping<'a>(
    env: &'a Environment,
    cref: &ResourceRef,
    kind: CapabilityKind,
    cap: &str,
) -> Option<&'a Mapping> {
    let (name, is_class) = if cref.type_name == "Class" {
        (cref.title.to_lowercase(), true)
    } else {
        (cref.type_name.to_lowercase(), false)
    };
    env.mappings.iter().find(|m| {
        m.kind == kind && m.component == name && m.is_class == is_class && m.capability == cap
    })
}

/// Never-exported and doubly exported capabilities; capability attribute values from the
/// `produces` mappings; consumer parameters from the `consumes` mappings.
fn check_capabilities(ev: &mut Evaluator<'_>, model: &mut Model) {
    let mut producers: BTreeMap<ResourceRef, (ResourceRef, ResourceRef)> = BTreeMap::new();
    for app in &model.instances {
        for c in &app.components {
            for cap in &c.export {
                if let Some((prev, _)) = producers.get(cap) {
                    model.problems.push(Problem::error(
                        format!("'{cap}' is exported by both '{prev}' and '{}'", c.reference),
                        c.location.clone(),
                    ));
                } else {
                    producers.insert(cap.clone(), (c.reference.clone(), app.reference.clone()));
                }
            }
        }
    }
    for app in &model.instances {
        for c in &app.components {
            for (what, caps) in [("consume", &c.consume), ("require", &c.require)] {
                for cap in caps {
                    if !producers.contains_key(cap) {
                        model.problems.push(Problem::error(
                            format!("Capability '{cap}' referenced by '{what}' is never exported"),
                            c.location.clone(),
                        ));
                    }
                }
            }
        }
    }
    // Attribute values of produced capabilities.
    let mut capabilities = BTreeMap::new();
    for app in &model.instances {
        for c in &app.components {
            for cap in &c.export {
                let attributes = produced_attributes(ev, c, cap);
                capabilities.insert(
                    cap.clone(),
                    Capability {
                        reference: cap.clone(),
                        producer: c.reference.clone(),
                        application: app.reference.clone(),
                        attributes,
                    },
                );
            }
        }
    }
    // Consumer parameters.
    let mut problems = vec![];
    for app in &mut model.instances {
        for c in &mut app.components {
            let mut filled: BTreeMap<String, ResourceRef> = BTreeMap::new();
            let mut reported = BTreeSet::new();
            let explicit: BTreeSet<String> = c.parameters.keys().cloned().collect();
            for cap in c.consume.clone() {
                let Some(produced) = capabilities.get(&cap) else {
                    continue;
                };
                for (k, v) in consumed_parameters(ev, c, produced) {
                    if explicit.contains(&k) {
                        continue;
                    }
                    if let Some(prev) = filled.get(&k)
                        && *prev != cap
                    {
                        if !reported.insert(k.clone()) {
                            continue;
                        }
                        problems.push(Problem::error(
                            format!(
                                "Attempt to reassign attribute '{k}' in '{}' caused by multiple consumed mappings to the same attribute",
                                c.reference
                            ),
                            c.location.clone(),
                        ));
                        continue;
                    }
                    filled.insert(k.clone(), cap.clone());
                    c.parameters.insert(k, v);
                }
            }
        }
    }
    model.problems.extend(problems);
    model.capabilities = capabilities;
}

/// The scope of a define component: its attributes, defaults, `$name`/`$title`.
fn component_scope(ev: &mut Evaluator<'_>, c: &Component) -> Option<usize> {
    let def_name = if c.reference.type_name == "Class" {
        c.reference.title.to_lowercase()
    } else {
        c.reference.type_name.to_lowercase()
    };
    let def = ev.env.find_definition(&def_name)?.clone();
    let depth = ev.push_definition_scope();
    ev.file = def.file;
    ev.set_var("name", Value::Str(c.reference.title.clone()));
    ev.set_var("title", Value::Str(c.reference.title.clone()));
    for p in &def.parameters {
        let v = match c.parameters.get(p.name.as_str()) {
            Some(v) => v.clone(),
            None => match &p.value {
                Some(d) => ev.eval(d).unwrap_or(Value::Undef),
                None => Value::Undef,
            },
        };
        ev.set_var(&p.name, v);
    }
    Some(depth)
}

fn produced_attributes(
    ev: &mut Evaluator<'_>,
    c: &Component,
    cap: &ResourceRef,
) -> BTreeMap<String, Option<Value>> {
    let mut out = BTreeMap::new();
    let params: Vec<String> = ev
        .env
        .capability_types
        .get(&cap.type_name)
        .map(|t| {
            t.parameters
                .iter()
                .filter(|p| *p != "name")
                .cloned()
                .collect()
        })
        .unwrap_or_default();
    let mapping = find_mapping(
        ev.env,
        &c.reference,
        CapabilityKind::Produces,
        &cap.type_name,
    )
    .cloned();
    let saved_file = ev.file;
    let Some(depth) = component_scope(ev, c) else {
        return out;
    };
    let mapped = mapping.map(|m| m.mappings).unwrap_or_default();
    let mut names: Vec<String> = params;
    for op in &mapped {
        if let orch_parser::AttributeOperation::Attribute { name, .. } = op
            && !names.contains(&name.to_string())
        {
            names.push(name.to_string());
        }
    }
    for p in names {
        let expr = mapped.iter().find_map(|op| match op {
            orch_parser::AttributeOperation::Attribute { name, value, .. } if *name == p => {
                Some(value.clone())
            }
            _ => None,
        });
        let v = match expr {
            Some(e) => ev.eval(&e).ok(),
            None => ev.lookup_var(&p),
        };
        out.insert(p, v.filter(|v| !matches!(v, Value::Undef)));
    }
    ev.pop_to(depth);
    ev.file = saved_file;
    out
}

fn consumed_parameters(
    ev: &mut Evaluator<'_>,
    c: &Component,
    produced: &Capability,
) -> Vec<(String, Value)> {
    let def_name = if c.reference.type_name == "Class" {
        c.reference.title.to_lowercase()
    } else {
        c.reference.type_name.to_lowercase()
    };
    let Some(def) = ev.env.find_definition(&def_name).cloned() else {
        return vec![];
    };
    let mapping = find_mapping(
        ev.env,
        &c.reference,
        CapabilityKind::Consumes,
        &produced.reference.type_name,
    )
    .cloned();
    let mapped = mapping.map(|m| m.mappings).unwrap_or_default();
    let saved_file = ev.file;
    let depth = ev.push_definition_scope();
    ev.file = mapping_file(ev, &c.reference, &produced.reference.type_name).unwrap_or(def.file);
    ev.set_var("name", Value::Str(produced.reference.title.clone()));
    for (k, v) in &produced.attributes {
        ev.set_var(k, v.clone().unwrap_or(Value::Undef));
    }
    let mut out = vec![];
    for p in &def.parameters {
        let expr = mapped.iter().find_map(|op| match op {
            orch_parser::AttributeOperation::Attribute { name, value, .. } if *name == p.name => {
                Some(value.clone())
            }
            _ => None,
        });
        let v = match expr {
            Some(e) => ev.eval(&e).ok(),
            None => produced.attributes.get(p.name.as_str()).cloned().flatten(),
        };
        if let Some(v) = v.filter(|v| !matches!(v, Value::Undef)) {
            out.push((p.name.to_string(), v));
        }
    }
    ev.pop_to(depth);
    ev.file = saved_file;
    out
}

fn mapping_file(ev: &Evaluator<'_>, cref: &ResourceRef, cap: &str) -> Option<usize> {
    find_mapping(ev.env, cref, CapabilityKind::Consumes, cap).map(|m| m.file)
}

//! The environment compile: top scope, the `site` body, every application instance's body;
//! then the checks of Puppet's environment compiler and environment-graph builder: `instance`
//! (one application instance), `component` (its components), `capabilities` (the checks
//! across instances, capability values).

mod capabilities;
mod component;
mod instance;

use std::collections::BTreeSet;

use orch_parser::CapabilityKind;

use crate::code::DefKind;
use crate::eval::{Declared, Evaluator, Flow, refs_of};
use crate::load::Environment;
use crate::model::Model;
use crate::problem::{Location, Problem};
use crate::{ResourceRef, Value};

/// Metaparameters that order resources; only `require` (and `consume`, `export`) may point at
/// capabilities.
pub(super) const RELATIONSHIP_PARAMS: &[&str] = &["before", "notify", "subscribe"];

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

    // The main manifests' definitions are instantiated as they load, before top scope runs.
    if let Err(f) = ev.instantiate_loaded() {
        push_flow(model, f);
        return;
    }
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
        .code
        .mappings()
        .iter()
        .map(|m| (m.kind, m.component.clone(), m.is_class, m.file, m.offset))
        .collect();
    for (kind, component, is_class, file, offset) in mappings {
        let found = ev.code.definition(&component).map(|d| d.kind);
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
                    crate::reference::capitalize_type(&component)
                ),
                ev.code.location(file, offset),
            ));
        }
    }

    if let Err(f) = ev.instantiate_loaded() {
        push_flow(model, f);
        return;
    }

    // The site.
    let mut later = Later::default();
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
                } else if ev.code.is_unloadable(&d.type_name) {
                    // Its file's errors are reported: nothing more to say about it.
                } else if !known_type(&mut ev, &d.type_name) {
                    model.problems.push(unknown_type(&d));
                } else if !is_component(&mut ev, &d) {
                    later.site.push(Problem::error(
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
        if let Some(app) = instance::evaluate_instance(&mut ev, d, model, &mut later) {
            model.instances.push(app);
        }
    }
    model.problems.append(&mut ev.notices);
    // The checks see instances and components in catalog order (Puppet names things in it);
    // the model is sorted after them.
    capabilities::check_capabilities(&mut ev, model, &mut later);
    let Later {
        site,
        relationships,
        graph,
    } = later;
    model.problems.extend(site);
    model.problems.extend(relationships);
    model.problems.extend(graph);
    model
        .instances
        .sort_by(|a, b| a.reference.cmp(&b.reference));
    for app in &mut model.instances {
        app.components.sort_by(|a, b| a.reference.cmp(&b.reference));
    }
}

/// Problems found after evaluation, kept apart so that every evaluation error comes first and
/// these follow in Puppet's order: the environment compiler's validators (the site's, then the
/// relationships'), then the environment-graph builder's checks.
#[derive(Default)]
pub(super) struct Later {
    pub(super) site: Vec<Problem>,
    pub(super) relationships: Vec<Problem>,
    pub(super) graph: Vec<Problem>,
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
    crate::code::resource_type_known(ev.code, type_name)
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
    ev.code
        .definition(type_name)
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
            .any(|r| ev.code.capability_type(&r.type_name).is_some()),
        _ => false,
    })
}

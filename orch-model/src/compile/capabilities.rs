//! The capability checks (never exported, exported twice), capability attribute values from
//! `produces` mappings, consumer parameters from `consumes` mappings.

use std::collections::{BTreeMap, BTreeSet};

use orch_parser::CapabilityKind;

use super::Later;
use super::component::find_mapping;
use crate::eval::Evaluator;
use crate::model::{Capability, Component, Model};
use crate::problem::Problem;
use crate::{ResourceRef, Value};

/// Never-exported and doubly exported capabilities; capability attribute values from the
/// `produces` mappings; consumer parameters from the `consumes` mappings.
pub(super) fn check_capabilities(ev: &mut Evaluator<'_>, model: &mut Model, later: &mut Later) {
    let mut producers: BTreeMap<ResourceRef, (ResourceRef, ResourceRef)> = BTreeMap::new();
    for app in &model.instances {
        for c in &app.components {
            for cap in &c.export {
                if let Some((prev, _)) = producers.get(cap) {
                    later.relationships.push(Problem::error(
                        format!("'{cap}' is exported by both '{prev}' and '{}'", c.reference),
                        c.relationship_at
                            .get("export")
                            .unwrap_or(&c.location)
                            .clone(),
                    ));
                } else {
                    producers.insert(cap.clone(), (c.reference.clone(), app.reference.clone()));
                }
            }
        }
    }
    let mut never = vec![];
    for app in &model.instances {
        for c in &app.components {
            for (what, caps) in [("consume", &c.consume), ("require", &c.require)] {
                for cap in caps {
                    if !producers.contains_key(cap) {
                        never.push(Problem::error(
                            format!("Capability '{cap}' referenced by '{what}' is never exported"),
                            c.relationship_at.get(what).unwrap_or(&c.location).clone(),
                        ));
                    }
                }
            }
        }
    }
    // Puppet raises the first double export at once, and the never-exported ones after.
    later.relationships.append(&mut never);
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
    let def = ev.code.definition(&def_name)?;
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
        .code
        .capability_type(&cap.type_name)
        .map(|t| {
            t.parameters
                .iter()
                .filter(|p| *p != "name")
                .cloned()
                .collect()
        })
        .unwrap_or_default();
    let mapping = find_mapping(
        ev.code.mappings(),
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
    let Some(def) = ev.code.definition(&def_name) else {
        return vec![];
    };
    let mapping = find_mapping(
        ev.code.mappings(),
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
    find_mapping(ev.code.mappings(), cref, CapabilityKind::Consumes, cap).map(|m| m.file)
}

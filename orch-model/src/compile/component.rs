//! A component's relationships (`export`, `consume`, `require`, and the ones that may not
//! point at capabilities) checked against the capability types and mappings.

use std::collections::BTreeMap;

use orch_parser::CapabilityKind;

use super::RELATIONSHIP_PARAMS;
use crate::ResourceRef;
use crate::code::Mapping;
use crate::eval::{Declared, Evaluator, refs_of};
use crate::model::{Component, Model};
use crate::problem::Problem;

/// A component: its relationships checked, its parameters.
pub(super) fn component(
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
                    if ev.code.capability_type(&r.type_name).is_none() {
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
                    if find_mapping(ev.code.mappings(), cref, kind, &r.type_name).is_none() {
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
                    if ev.code.capability_type(&r.type_name).is_some() {
                        require.push(r);
                    }
                }
            }
            p if RELATIONSHIP_PARAMS.contains(&p) => {
                for r in refs_of(v).unwrap_or_default() {
                    if ev.code.capability_type(&r.type_name).is_some() {
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
        relationship_at: ["export", "consume", "require"]
            .into_iter()
            .map(|k| (k.to_string(), c.location_of(k)))
            .collect(),
        location: c.location.clone(),
    })
}

/// The type a mapping names for a component: `Lamp::Db`, or `Class[Foo]`... Puppet prints the
/// define's name.
fn component_type_name(r: &ResourceRef) -> String {
    if r.type_name == "Class" {
        crate::reference::capitalize_type(&r.title)
    } else {
        r.type_name.clone()
    }
}

pub(super) fn find_mapping<'a>(
    mappings: &'a [Mapping],
    cref: &ResourceRef,
    kind: CapabilityKind,
    cap: &str,
) -> Option<&'a Mapping> {
    let (name, is_class) = if cref.type_name == "Class" {
        (cref.title.to_lowercase(), true)
    } else {
        (cref.type_name.to_lowercase(), false)
    };
    mappings.iter().find(|m| {
        m.kind == kind && m.component == name && m.is_class == is_class && m.capability == cap
    })
}

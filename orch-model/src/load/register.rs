//! Registering definitions as a file is loaded, with Puppet's clash rules (`TypeCollection`):
//! classes, defines, applications and functions by name, the one site, capability mappings.

use std::rc::Rc;

use orch_parser::{AttributeOperation, CapabilityKind, Expr, ExprKind, Parameter, Program};

use super::{Environment, key};
use crate::code::{CapabilityType, DefKind, Definition, Mapping};
use crate::problem::{Location, Problem};
use crate::reference::capitalize_type;

impl Environment {
    /// Registers every definition of a program, however deeply nested (Puppet collects them at
    /// parse time).
    pub(super) fn register(&mut self, file: usize, program: &Program) {
        let mut defs = vec![];
        collect_definitions(&program.body, &mut defs);
        for e in defs {
            let offset = e.span.start as usize;
            let def = |kind| (kind, file, offset);
            match &e.kind {
                ExprKind::HostClass(c) => self.add_definition(
                    def(DefKind::Class),
                    &c.name,
                    &c.parameters,
                    c.body.as_ref(),
                ),
                ExprKind::ResourceTypeDefinition(d) => self.add_definition(
                    def(DefKind::Define),
                    &d.name,
                    &d.parameters,
                    d.body.as_ref(),
                ),
                ExprKind::Application(d) => self.add_definition(
                    def(DefKind::Application),
                    &d.name,
                    &d.parameters,
                    d.body.as_ref(),
                ),
                ExprKind::FunctionDefinition(f) => {
                    self.add_definition(
                        def(DefKind::Function),
                        &f.name,
                        &f.parameters,
                        f.body.as_ref(),
                    );
                    // A function's return type is checked when it returns.
                    if let Some(t) = &f.return_type
                        && let Some(d) = self
                            .definitions
                            .get_mut(&format!("function {}", key(&f.name)))
                        && let Some(d) = Rc::get_mut(d)
                    {
                        d.return_type = Some(t.clone());
                    }
                }
                ExprKind::TypeAlias(a) => {
                    self.add_definition(def(DefKind::TypeAlias), &a.name, &[], Some(&a.type_expr))
                }
                ExprKind::SiteDefinition { body } => self.add_site(body.as_deref(), file, offset),
                ExprKind::CapabilityMapping(m) => self.add_mapping(
                    m.kind,
                    &m.component,
                    &m.capability,
                    &m.mappings,
                    file,
                    offset,
                ),
                _ => {}
            }
        }
    }

    fn add_site(&mut self, body: Option<&Expr>, file: usize, offset: usize) {
        if let Some((f0, o0, _)) = &self.site {
            let prev = self.location(*f0, *o0);
            let here = self.location(file, offset);
            self.problems.push(Problem::error(
                format!(
                    "Site is already defined{}; cannot redefine",
                    error_context(&prev)
                ),
                here,
            ));
        } else {
            let body = if self.loading_main {
                None
            } else {
                body.cloned()
            };
            self.site = Some((file, offset, body));
        }
    }

    fn add_definition(
        &mut self,
        (kind, file, offset): (DefKind, usize, usize),
        name: &str,
        parameters: &[Parameter],
        body: Option<&Expr>,
    ) {
        let key = key(name);
        // Functions and type aliases have name spaces of their own.
        let own_space = |k: DefKind| matches!(k, DefKind::Function | DefKind::TypeAlias);
        if !own_space(kind)
            && let Some(prev) = self.definitions.get(&key)
            && !own_space(prev.kind)
        {
            let ctx = error_context(&self.location(prev.file, prev.offset));
            let message = clash_message(prev.kind, kind, &key, &ctx);
            let here = self.location(file, offset);
            self.problems.push(Problem::error(message, here));
            return;
        }
        let fkey = match kind {
            DefKind::Function => format!("function {key}"),
            DefKind::TypeAlias => format!("type {key}"),
            _ => key.clone(),
        };
        let definition = Rc::new(Definition {
            return_type: None,
            kind,
            parameters: parameters.to_vec(),
            body: body.cloned(),
            file,
            offset,
        });
        // Puppet evaluates these parameter types as it instantiates the definition, when its
        // file loads (functions' when they are called, aliases' never: they are interpreted).
        if matches!(
            kind,
            DefKind::Class | DefKind::Define | DefKind::Application
        ) && parameters.iter().any(|p| p.type_expr.is_some())
        {
            self.loaded_typed.push(definition.clone());
        }
        self.definitions.insert(fkey, definition);
    }

    fn add_mapping(
        &mut self,
        kind: CapabilityKind,
        component: &Expr,
        capability: &str,
        mappings: &[AttributeOperation],
        file: usize,
        offset: usize,
    ) {
        let (name, is_class) = match &component.kind {
            ExprKind::QualifiedReference(n) => (n.to_lowercase(), false),
            ExprKind::Access { keys, .. } => match keys.first().map(|k| &k.kind) {
                Some(ExprKind::LiteralString(s))
                | Some(ExprKind::QualifiedName(s))
                | Some(ExprKind::QualifiedReference(s)) => (s.to_lowercase(), true),
                _ => return,
            },
            _ => return,
        };
        let name = name.trim_start_matches("::").to_string();
        let cap = capitalize_type(capability);
        // Puppet silently took the first of two mappings for one (component, capability)
        // pair; the documentation says it is an error, and so does orch.
        if let Some(prev) = self.mappings.iter().find(|m| {
            m.kind == kind && m.component == name && m.is_class == is_class && m.capability == cap
        }) {
            let ctx = error_context(&self.location(prev.file, prev.offset));
            let here = self.location(file, offset);
            let shown = if is_class {
                format!("Class[{}]", capitalize_type(&name))
            } else {
                capitalize_type(&name)
            };
            self.problems.push(Problem::error(
                format!(
                    "Capability mapping '{shown} {} {cap}' is already defined{ctx}; cannot redefine",
                    kind.as_str()
                ),
                here,
            ));
            return;
        }
        self.capability_types
            .entry(cap.clone())
            .or_insert_with(|| CapabilityType {
                name: cap.clone(),
                parameters: vec![],
                file: None,
            });
        self.mappings.push(Mapping {
            kind,
            component: name,
            is_class,
            capability: cap,
            mappings: mappings.to_vec(),
            file,
            offset,
        });
    }
}

/// Puppet's message for a second definition of a name (`type_collection.rb`).
fn clash_message(prev: DefKind, kind: DefKind, key: &str, ctx: &str) -> String {
    match (prev, kind) {
        (DefKind::Class, DefKind::Class) => {
            format!("Class '{key}' is already defined{ctx}; cannot redefine")
        }
        (DefKind::Define, DefKind::Class) => {
            format!("Definition '{key}' is already defined{ctx}; cannot be redefined as a class")
        }
        (DefKind::Application, DefKind::Class) => {
            format!("Application '{key}' is already defined{ctx}; cannot be redefined as a class")
        }
        (DefKind::Class, DefKind::Define) => {
            format!("'{key}' is already defined{ctx} as a class; cannot redefine as a definition")
        }
        (DefKind::Define, DefKind::Define) => {
            format!("Definition '{key}' is already defined{ctx}; cannot be redefined")
        }
        (DefKind::Application, DefKind::Define) => {
            format!("'{key}' is already defined{ctx} as an application; cannot be redefined")
        }
        (DefKind::Class, DefKind::Application) => {
            format!("'{key}' is already defined{ctx} as a class; cannot redefine as an application")
        }
        (DefKind::Define, DefKind::Application) => format!(
            "'{key}' is already defined{ctx} as a definition; cannot redefine as an application"
        ),
        _ => format!("'{key}' is already defined{ctx} as an application; cannot be redefined"),
    }
}

/// Puppet's ` (file: F, line: L)` context of an earlier definition.
fn error_context(loc: &Location) -> String {
    match (&loc.file, loc.line) {
        (Some(f), Some(l)) => format!(" (file: {}, line: {l})", f.display()),
        (None, Some(l)) => format!(" (line: {l})"),
        _ => String::new(),
    }
}

/// Every definition in a tree (classes, defines, applications, functions, sites, mappings),
/// in source order.
fn collect_definitions<'e>(e: &'e Expr, out: &mut Vec<&'e Expr>) {
    use ExprKind as K;
    match &e.kind {
        K::HostClass(_)
        | K::ResourceTypeDefinition(_)
        | K::Application(_)
        | K::FunctionDefinition(_)
        | K::SiteDefinition { .. } => {
            out.push(e);
            if let Some(b) = e.definition_body() {
                collect_definitions(b, out);
            }
            return;
        }
        K::CapabilityMapping { .. } | K::TypeAlias(_) => {
            out.push(e);
            return;
        }
        _ => {}
    }
    crate::walk::children(e, &mut |c| collect_definitions(c, out));
}

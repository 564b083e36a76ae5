//! Visiting the direct children of a syntax-tree node.

use orch_parser::{AttributeOperation, Expr, ExprKind};

fn ops<'e>(ops: &'e [AttributeOperation], f: &mut dyn FnMut(&'e Expr)) {
    for op in ops {
        match op {
            AttributeOperation::Attribute { value, .. }
            | AttributeOperation::Splat { value, .. } => f(value),
        }
    }
}

/// Calls `f` on every direct child expression of `e`, in source order.
pub(crate) fn children<'e>(e: &'e Expr, f: &mut dyn FnMut(&'e Expr)) {
    use ExprKind as K;
    let opt = |x: Option<&'e Expr>, f: &mut dyn FnMut(&'e Expr)| {
        if let Some(x) = x {
            f(x)
        }
    };
    match &e.kind {
        K::Block(v) | K::ConcatenatedString(v) | K::LiteralList(v) => v.iter().for_each(&mut *f),
        K::Text(x) | K::Not(x) | K::UnaryMinus(x) | K::Unfold(x) | K::Paren(x) => f(x),
        K::Heredoc(h) => f(&h.text),
        K::LiteralHash { entries, .. } => {
            for en in entries {
                f(&en.key);
                f(&en.value);
            }
        }
        K::KeyedEntry(en) => {
            f(&en.key);
            f(&en.value);
        }
        K::Access { left, keys } => {
            f(left);
            keys.iter().for_each(&mut *f);
        }
        K::Binary { left, right, .. } | K::NamedAccess { left, right } => {
            f(left);
            f(right);
        }
        K::CallNamed {
            functor,
            args,
            lambda,
            ..
        }
        | K::CallMethod {
            functor,
            args,
            lambda,
        } => {
            f(functor);
            args.iter().for_each(&mut *f);
            if let Some(l) = lambda {
                lambda_children(l, f);
            }
        }
        K::Lambda(l) => lambda_children(l, f),
        K::If {
            test,
            then_expr,
            else_expr,
        }
        | K::Unless {
            test,
            then_expr,
            else_expr,
        } => {
            f(test);
            opt(then_expr.as_deref(), f);
            opt(else_expr.as_deref(), f);
        }
        K::Case { test, options } => {
            f(test);
            for o in options {
                o.values.iter().for_each(&mut *f);
                opt(o.then_expr.as_deref(), f);
            }
        }
        K::Selector { left, entries } => {
            f(left);
            for en in entries {
                f(&en.matching);
                f(&en.value);
            }
        }
        K::Collect(c) => {
            f(&c.type_expr);
            opt(c.query.as_ref(), f);
            ops(&c.operations, f);
        }
        K::Resource {
            type_name, bodies, ..
        } => {
            f(type_name);
            for b in bodies {
                f(&b.title);
                ops(&b.operations, f);
            }
        }
        K::ResourceDefaults {
            type_ref,
            operations,
            ..
        } => {
            f(type_ref);
            ops(operations, f);
        }
        K::ResourceOverride {
            resources,
            operations,
            ..
        } => {
            f(resources);
            ops(operations, f);
        }
        K::HostClass(_)
        | K::ResourceTypeDefinition(_)
        | K::Application(_)
        | K::FunctionDefinition(_) => {
            for p in e.definition_parameters() {
                if let Some(t) = &p.type_expr {
                    f(t);
                }
                if let Some(v) = &p.value {
                    f(v);
                }
            }
            opt(e.definition_body(), f);
        }
        K::NodeDefinition {
            host_matches,
            parent,
            body,
        } => {
            host_matches.iter().for_each(&mut *f);
            opt(parent.as_deref(), f);
            opt(body.as_deref(), f);
        }
        K::SiteDefinition { .. } | K::TypeDefinition(_) => opt(e.definition_body(), f),
        K::CapabilityMapping(m) => {
            f(&m.component);
            ops(&m.mappings, f);
        }
        K::TypeAlias(a) => f(&a.type_expr),
        K::TypeMapping {
            type_expr,
            mapping_expr,
        } => {
            f(type_expr);
            f(mapping_expr);
        }
        _ => {}
    }
}

fn lambda_children<'e>(l: &'e orch_parser::Lambda, f: &mut dyn FnMut(&'e Expr)) {
    for p in &l.parameters {
        if let Some(t) = &p.type_expr {
            f(t);
        }
        if let Some(v) = &p.value {
            f(v);
        }
    }
    if let Some(b) = &l.body {
        f(b);
    }
}

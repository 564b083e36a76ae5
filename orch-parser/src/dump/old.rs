//! The `old` format: Puppet's `ModelTreeDumper`, the Lisp-like dump its parser tests use
//! (`puppet parser dump --format old`). Reproduced with its quirks: indentation state that
//! leaks out of `if` without `else`, collector operations never shown, strings not escaped.

use crate::ast::*;

/// A part of the dump tree before formatting.
#[derive(Debug, Clone)]
enum Part {
    Text(String),
    /// Ruby `nil` in the part list: prints nothing but still takes separators.
    Nil,
    List(Vec<Part>),
    Indent,
    Dedent,
    Break,
}

fn t(s: impl Into<String>) -> Part {
    Part::Text(s.into())
}

/// Dumps a program in the `old` format (without the trailing newline Puppet's face adds).
pub(crate) fn dump_old(program: &Program) -> String {
    let mut d = Dumper { indent_count: 0 };
    // `dump_Program` formats the body.
    let tree = d.do_dump(&program.body);
    d.format(&tree)
}

struct Dumper {
    indent_count: i64,
}

impl Dumper {
    fn format(&mut self, x: &Part) -> String {
        let mut parts: Vec<Option<String>> = vec![];
        self.format_r(x, &mut parts);
        let mut result = String::new();
        for i in 0..parts.len() {
            if i > 0 {
                let cur = parts[i].as_deref();
                let prev = parts[i - 1].as_deref();
                let sep = cur != Some(")")
                    && !prev.is_some_and(ends_with_space_or_paren)
                    && !cur.is_some_and(line_starts_with_space);
                if sep {
                    result.push(' ');
                }
            }
            if let Some(p) = &parts[i] {
                result.push_str(p);
            }
        }
        result
    }

    fn format_r(&mut self, x: &Part, out: &mut Vec<Option<String>>) {
        match x {
            Part::Break => {
                let mut s = String::from("\n");
                for _ in 0..self.indent_count.max(0) {
                    s.push_str("  ");
                }
                out.push(Some(s));
            }
            Part::Indent => self.indent_count += 1,
            Part::Dedent => self.indent_count -= 1,
            Part::List(items) => {
                out.push(Some("(".to_string()));
                for i in items {
                    self.format_r(i, out);
                }
                out.push(Some(")".to_string()));
            }
            Part::Text(s) => out.push(Some(s.clone())),
            Part::Nil => out.push(None),
        }
    }

    /// `dump(o)`: formats immediately (used by `!` and variables), with the shared indent state.
    fn dump(&mut self, e: &Expr) -> Part {
        let tree = self.do_dump(e);
        Part::Text(self.format(&tree))
    }

    fn opt(&mut self, e: Option<&Expr>) -> Part {
        match e {
            Some(e) => self.do_dump(e),
            None => t("()"),
        }
    }

    fn body_or_empty(&mut self, e: Option<&Expr>) -> Part {
        match e {
            Some(e) => self.do_dump(e),
            None => Part::List(vec![]),
        }
    }

    fn op(&mut self, op: &AttributeOperation) -> Part {
        match op {
            AttributeOperation::Attribute {
                name, op, value, ..
            } => Part::List(vec![t(name.clone()), t(op.as_str()), self.do_dump(value)]),
            AttributeOperation::Splat { value, .. } => {
                Part::List(vec![t("* =>"), self.do_dump(value)])
            }
        }
    }

    fn param(&mut self, p: &Parameter) -> Part {
        let name = format!("{}{}", if p.captures_rest { "*" } else { "" }, p.name);
        match (&p.value, &p.type_expr) {
            (Some(v), Some(ty)) => {
                let ty = self.do_dump(ty);
                let v = self.do_dump(v);
                Part::List(vec![t("=t"), ty, t(name), v])
            }
            (Some(v), None) => Part::List(vec![t("="), t(name), self.do_dump(v)]),
            (None, Some(ty)) => Part::List(vec![t("t"), self.do_dump(ty), t(name)]),
            (None, None) => t(name),
        }
    }

    fn params_part(&mut self, params: &[Parameter]) -> Option<Part> {
        if params.is_empty() {
            return None;
        }
        let mut v = vec![t("parameters")];
        for p in params {
            v.push(self.param(p));
        }
        Some(Part::List(v))
    }

    fn lambda(&mut self, l: &Lambda) -> Part {
        let mut v = vec![t("lambda")];
        if let Some(p) = self.params_part(&l.parameters) {
            v.push(p);
        }
        if let Some(r) = &l.return_type {
            let r = self.do_dump(r);
            v.push(Part::List(vec![t("return_type"), r]));
        }
        v.push(self.body_or_empty(l.body.as_deref()));
        Part::List(v)
    }

    fn with_ops(&mut self, mut v: Vec<Part>, ops: &[AttributeOperation]) -> Part {
        v.push(Part::Indent);
        for o in ops {
            v.push(Part::Break);
            v.push(self.op(o));
        }
        v.push(Part::Dedent);
        Part::List(v)
    }

    fn if_like(
        &mut self,
        name: &str,
        test: &Expr,
        then_e: Option<&Expr>,
        else_e: Option<&Expr>,
    ) -> Part {
        let test = self.do_dump(test);
        let then_part = self.opt(then_e);
        let mut v = vec![
            t(name),
            test,
            Part::Indent,
            Part::Break,
            Part::List(vec![t("then"), Part::Indent, then_part, Part::Dedent]),
        ];
        let else_is_nop = matches!(
            else_e,
            None | Some(Expr {
                kind: ExprKind::Nop,
                ..
            })
        );
        if !else_is_nop {
            let else_part = self.opt(else_e);
            v.push(Part::Break);
            v.push(Part::List(vec![
                t("else"),
                Part::Indent,
                else_part,
                Part::Dedent,
            ]));
            v.push(Part::Dedent);
        }
        Part::List(v)
    }

    fn call(&mut self, name: &str, functor: &Expr, args: &[Expr], lambda: Option<&Lambda>) -> Part {
        let mut v = vec![t(name), self.do_dump(functor)];
        for a in args {
            v.push(self.do_dump(a));
        }
        if let Some(l) = lambda {
            v.push(self.lambda(l));
        }
        Part::List(v)
    }

    fn named_definition(
        &mut self,
        kind: &str,
        name: &str,
        params: &[Parameter],
        body: Option<&Expr>,
    ) -> Part {
        let mut v = vec![t(kind), t(name)];
        if let Some(p) = self.params_part(params) {
            v.push(p);
        }
        v.push(self.body_or_empty(body));
        Part::List(v)
    }

    fn do_dump(&mut self, e: &Expr) -> Part {
        use ExprKind as K;
        match &e.kind {
            K::Nop => t(":nop"),
            K::Nil => t("()"),
            K::Block(stmts) => {
                let mut v = vec![t("block"), Part::Indent];
                for s in stmts {
                    v.push(Part::Break);
                    v.push(self.do_dump(s));
                }
                v.push(Part::Dedent);
                v.push(Part::Break);
                Part::List(v)
            }
            K::LiteralString(s) => t(format!("'{s}'")),
            K::LiteralInteger { value, radix } => t(match (radix, value.get()) {
                (8, value) => format!("0{value:o}"),
                (16, value) => format!("0x{value:X}"),
                (_, value) => value.to_string(),
            }),
            K::LiteralFloat(f) => t(super::pn::ruby_float(*f)),
            K::LiteralBoolean(b) => t(b.to_string()),
            K::LiteralUndef => t(":undef"),
            K::LiteralDefault => t(":default"),
            K::LiteralRegex(r) => t(regexp_inspect(r)),
            K::QualifiedName(n) => t(n.clone()),
            K::QualifiedReference(n) => t(n.clone()),
            K::ReservedWord(w) => Part::List(vec![t("reserved"), t(w.clone())]),
            K::Variable(n) => t(format!("${n}")),
            K::BoolVariable(b) => t(format!("${b}")),
            K::ConcatenatedString(segs) => {
                let mut v = vec![t("cat")];
                for s in segs {
                    v.push(self.do_dump(s));
                }
                Part::List(v)
            }
            K::Text(inner) => Part::List(vec![t("str"), self.do_dump(inner)]),
            K::Heredoc(h) => Part::List(vec![
                t(format!("@({})", h.syntax)),
                Part::Indent,
                Part::Break,
                self.do_dump(&h.text),
                Part::Dedent,
                Part::Break,
            ]),
            K::LiteralList(vs) => {
                let mut v = vec![t("[]")];
                for x in vs {
                    v.push(self.do_dump(x));
                }
                Part::List(v)
            }
            K::LiteralHash { entries, .. } => {
                let mut v = vec![t("{}")];
                for en in entries {
                    let k = self.do_dump(&en.key);
                    let val = self.do_dump(&en.value);
                    v.push(Part::List(vec![k, val]));
                }
                Part::List(v)
            }
            K::KeyedEntry(en) => {
                let k = self.do_dump(&en.key);
                let val = self.do_dump(&en.value);
                Part::List(vec![k, val])
            }
            K::Access { left, keys } => {
                let l = self.do_dump(left);
                if keys.len() <= 1 {
                    let k = self.opt(keys.first());
                    Part::List(vec![t("slice"), l, k])
                } else {
                    let ks = keys.iter().map(|k| self.do_dump(k)).collect();
                    Part::List(vec![t("slice"), l, Part::List(ks)])
                }
            }
            K::Binary { op, left, right } => {
                let name = match op {
                    BinaryOp::And => "&&",
                    BinaryOp::Or => "||",
                    other => other.as_str(),
                };
                let l = self.do_dump(left);
                let r = self.do_dump(right);
                Part::List(vec![t(name), l, r])
            }
            K::Not(inner) => {
                let d = self.dump(inner);
                Part::List(vec![t("!"), d])
            }
            K::UnaryMinus(inner) => Part::List(vec![t("-"), self.do_dump(inner)]),
            K::Unfold(inner) => Part::List(vec![t("unfold"), self.do_dump(inner)]),
            K::Paren(inner) => self.do_dump(inner),
            K::NamedAccess { left, right } => {
                let l = self.do_dump(left);
                let r = self.do_dump(right);
                Part::List(vec![t("."), l, r])
            }
            K::CallNamed {
                functor,
                rval_required,
                args,
                lambda,
            } => self.call(
                if *rval_required { "call" } else { "invoke" },
                functor,
                args,
                lambda.as_deref(),
            ),
            K::CallMethod {
                functor,
                args,
                lambda,
            } => self.call("call-method", functor, args, lambda.as_deref()),
            K::Lambda(l) => self.lambda(l),
            K::If {
                test,
                then_expr,
                else_expr,
            } => self.if_like("if", test, then_expr.as_deref(), else_expr.as_deref()),
            K::Unless {
                test,
                then_expr,
                else_expr,
            } => self.if_like("unless", test, then_expr.as_deref(), else_expr.as_deref()),
            K::Case { test, options } => {
                let mut v = vec![t("case"), self.do_dump(test), Part::Indent];
                for o in options {
                    v.push(Part::Break);
                    let values = o.values.iter().map(|x| self.do_dump(x)).collect();
                    let then_part = self.opt(o.then_expr.as_deref());
                    v.push(Part::List(vec![
                        t("when"),
                        Part::List(values),
                        Part::List(vec![t("then"), then_part]),
                    ]));
                }
                v.push(Part::Dedent);
                Part::List(v)
            }
            K::Selector { left, entries } => {
                let mut v = vec![t("?"), self.do_dump(left)];
                for en in entries {
                    let m = self.do_dump(&en.matching);
                    let val = self.do_dump(&en.value);
                    v.push(Part::List(vec![m, t("=>"), val]));
                }
                Part::List(v)
            }
            K::Collect(_)
            | K::Resource { .. }
            | K::ResourceDefaults { .. }
            | K::ResourceOverride { .. } => self.dump_resource(e),
            K::HostClass(_)
            | K::ResourceTypeDefinition(_)
            | K::Application(_)
            | K::FunctionDefinition(_)
            | K::NodeDefinition { .. }
            | K::SiteDefinition { .. }
            | K::CapabilityMapping(_)
            | K::TypeAlias(_)
            | K::TypeMapping { .. }
            | K::TypeDefinition(_) => self.dump_definition(e),
        }
    }

    /// A resource expression, resource defaults, override or collector.
    fn dump_resource(&mut self, e: &Expr) -> Part {
        use ExprKind as K;
        match &e.kind {
            K::Collect(node) => {
                let Collect {
                    type_expr,
                    exported,
                    query,
                    ..
                } = &**node;
                let ty = self.do_dump(type_expr);
                let mut q = vec![t(if *exported { "<<| |>>" } else { "<| |>" })];
                if let Some(qe) = query.as_ref().filter(|q| !matches!(q.kind, K::Nop)) {
                    q.push(self.do_dump(qe));
                }
                // Puppet's dumper never shows the operations (its loop has no block).
                Part::List(vec![
                    t("collect"),
                    ty,
                    Part::Indent,
                    Part::Break,
                    Part::List(q),
                    Part::Indent,
                    Part::Dedent,
                    Part::Dedent,
                ])
            }
            K::Resource {
                type_name,
                bodies,
                form,
            } => {
                let mut v = vec![
                    t(form_prefix(*form, "resource")),
                    self.do_dump(type_name),
                    Part::Indent,
                ];
                for b in bodies {
                    v.push(Part::Break);
                    let title = self.do_dump(&b.title);
                    let body = self.with_ops(vec![title], &b.operations);
                    v.push(body);
                }
                v.push(Part::Dedent);
                Part::List(v)
            }
            K::ResourceDefaults {
                type_ref,
                operations,
                form,
            } => {
                let ty = self.do_dump(type_ref);
                self.with_ops(
                    vec![t(form_prefix(*form, "resource-defaults")), ty],
                    operations,
                )
            }
            K::ResourceOverride {
                resources,
                operations,
                form,
            } => {
                let r = self.do_dump(resources);
                self.with_ops(vec![t(form_prefix(*form, "override")), r], operations)
            }
            _ => unreachable!("do_dump dispatches only resources here"),
        }
    }

    /// A definition: class, defined type, application, function, node, site, capability
    /// mapping, type alias, type mapping, type definition.
    fn dump_definition(&mut self, e: &Expr) -> Part {
        use ExprKind as K;
        match &e.kind {
            K::HostClass(node) => {
                let HostClass {
                    name,
                    parameters,
                    parent,
                    body,
                } = &**node;
                let mut v = vec![t("class"), t(name.clone())];
                if let Some(p) = parent {
                    v.push(Part::List(vec![t("inherits"), t(p.to_string())]));
                }
                if let Some(p) = self.params_part(parameters) {
                    v.push(p);
                }
                v.push(self.body_or_empty(body.as_ref()));
                Part::List(v)
            }
            K::ResourceTypeDefinition(d) => {
                self.named_definition("define", &d.name, &d.parameters, d.body.as_ref())
            }
            K::Application(node) => {
                let Definition {
                    name,
                    parameters,
                    body,
                } = &**node;
                let ps = parameters.iter().map(|p| self.param(p)).collect();
                let b = self.opt(body.as_ref());
                Part::List(vec![t("application"), t(name.clone()), Part::List(ps), b])
            }
            K::FunctionDefinition(node) => {
                let FunctionDefinition {
                    name,
                    parameters,
                    body,
                    return_type,
                } = &**node;
                let mut v = vec![t("function"), t(name.clone())];
                if let Some(p) = self.params_part(parameters) {
                    v.push(p);
                }
                if let Some(r) = return_type {
                    let r = self.do_dump(r);
                    v.push(Part::List(vec![t("return_type"), r]));
                }
                v.push(self.body_or_empty(body.as_ref()));
                Part::List(v)
            }
            K::NodeDefinition {
                host_matches,
                parent,
                body,
            } => {
                let mut m = vec![t("matches")];
                for h in host_matches {
                    m.push(self.do_dump(h));
                }
                let mut v = vec![t("node"), Part::List(m)];
                if let Some(p) = parent {
                    let p = self.do_dump(p);
                    v.push(Part::List(vec![t("parent"), p]));
                }
                v.push(self.body_or_empty(body.as_deref()));
                Part::List(v)
            }
            K::SiteDefinition { body } => {
                let b = self.body_or_empty(body.as_deref());
                Part::List(vec![t("site"), b])
            }
            K::CapabilityMapping(node) => {
                let CapabilityMapping {
                    kind,
                    component,
                    capability,
                    mappings,
                } = &**node;
                let c = self.do_dump(component);
                let ms = mappings.iter().map(|m| self.op(m)).collect();
                Part::List(vec![
                    t(kind.as_str()),
                    c,
                    t(capability.clone()),
                    Part::List(ms),
                ])
            }
            K::TypeAlias(node) => {
                let TypeAlias { name, type_expr } = &**node;
                let te = self.do_dump(type_expr);
                Part::List(vec![t("type-alias"), t(name.clone()), te])
            }
            K::TypeMapping {
                type_expr,
                mapping_expr,
            } => {
                let a = self.do_dump(type_expr);
                let b = self.do_dump(mapping_expr);
                Part::List(vec![t("type-mapping"), a, b])
            }
            K::TypeDefinition(node) => {
                let TypeDefinition { name, parent, body } = &**node;
                let b = self.opt(body.as_ref());
                Part::List(vec![
                    t("type-definition"),
                    t(name.clone()),
                    parent.as_ref().map_or(Part::Nil, |p| t(p.clone())),
                    b,
                ])
            }
            _ => unreachable!("do_dump dispatches only definitions here"),
        }
    }
}

fn form_prefix(form: ResourceForm, name: &str) -> String {
    match form {
        ResourceForm::Regular => name.to_string(),
        f => format!("{}-{name}", f.as_str()),
    }
}

/// Ruby's `/.*(?:\s+|\()$/`: some line of `s` ends with whitespace or `(`.
fn ends_with_space_or_paren(s: &str) -> bool {
    let b = s.as_bytes();
    (0..=b.len()).any(|p| {
        let at_eol = p == b.len() || b[p] == b'\n';
        at_eol && p > 0 && matches!(b[p - 1], b' ' | b'\t' | b'\n' | b'\r' | 0x0B | 0x0C | b'(')
    })
}

/// Ruby's `/^\s+/`: some line of `s` starts with whitespace.
fn line_starts_with_space(s: &str) -> bool {
    let b = s.as_bytes();
    (0..b.len()).any(|p| {
        (p == 0 || b[p - 1] == b'\n') && matches!(b[p], b' ' | b'\t' | b'\n' | b'\r' | 0x0B | 0x0C)
    })
}

/// Ruby's `Regexp#inspect` for a pattern without options: `/source/` with unescaped `/`
/// escaped.
fn regexp_inspect(src: &str) -> String {
    if !src.is_ascii() {
        // Fixed-encoding regexps (non-ASCII source) print through `Regexp#to_s`.
        return format!("/(?-mix:{src})/");
    }
    let mut out = String::from("/");
    let mut chars = src.chars().peekable();
    while let Some(c) = chars.next() {
        match c {
            '\\' => {
                out.push('\\');
                if let Some(n) = chars.next() {
                    out.push(n);
                }
            }
            '/' => out.push_str("\\/"),
            c if (c as u32) < 0x20 && !c.is_whitespace() || c as u32 == 0x7f => {
                out.push_str(&format!("\\x{:02X}", c as u32))
            }
            c => out.push(c),
        }
    }
    out.push('/');
    out
}

//! Puppet Extended S-Expression Notation (PN): the tree Puppet's `PNTransformer` builds from a
//! program, and its text rendering (`puppet parser dump --format pn [--pretty]`).

use std::borrow::Cow;

use crate::ast::*;

/// A PN value.
#[derive(Debug, Clone, PartialEq)]
pub(crate) enum Pn {
    /// `(name elements...)`
    Call(Cow<'static, str>, Vec<Pn>),
    /// `[elements...]`
    List(Vec<Pn>),
    /// `{:key value ...}`
    Map(Vec<(Cow<'static, str>, Pn)>),
    /// A literal value.
    Lit(PnLit),
}

/// A PN literal.
#[derive(Debug, Clone, PartialEq)]
pub(crate) enum PnLit {
    /// `nil`
    Nil,
    /// A string.
    Str(String),
    /// An integer.
    Int(i128),
    /// A float.
    Float(f64),
    /// A boolean.
    Bool(bool),
}

fn call(name: &'static str, elements: Vec<Pn>) -> Pn {
    Pn::Call(Cow::Borrowed(name), elements)
}

fn s(v: &str) -> Pn {
    Pn::Lit(PnLit::Str(v.to_string()))
}

fn nop() -> Pn {
    call("nop", vec![])
}

/// Turns a program into PN, as `PNTransformer.transform` does.
pub(crate) fn to_pn(program: &Program) -> Pn {
    transform(&program.body)
}

fn transform_opt(e: Option<&Expr>) -> Pn {
    e.map_or_else(nop, transform)
}

fn list(es: &[Expr]) -> Vec<Pn> {
    es.iter().map(transform).collect()
}

fn binary(op: &'static str, l: &Expr, r: &Expr) -> Pn {
    call(op, vec![transform(l), transform(r)])
}

/// `block_as_entry`: a block's statements, or the single expression, as a list.
fn block_list(e: Option<&Expr>) -> Pn {
    match e {
        Some(Expr {
            kind: ExprKind::Block(stmts),
            ..
        }) => Pn::List(list(stmts)),
        Some(e) => Pn::List(vec![transform(e)]),
        None => Pn::List(vec![nop()]),
    }
}

fn is_nop(e: Option<&Expr>) -> bool {
    matches!(
        e,
        None | Some(Expr {
            kind: ExprKind::Nop,
            ..
        })
    )
}

fn attribute_op(op: &AttributeOperation) -> Pn {
    match op {
        AttributeOperation::Attribute {
            name, op, value, ..
        } => call(op.as_str(), vec![s(name), transform(value)]),
        AttributeOperation::Splat { value, .. } => call("splat-hash", vec![transform(value)]),
    }
}

fn ops(ops: &[AttributeOperation]) -> Pn {
    Pn::List(ops.iter().map(attribute_op).collect())
}

fn parameters_entry(params: &[Parameter]) -> Pn {
    Pn::Map(
        params
            .iter()
            .map(|p| {
                let mut entries = vec![];
                if let Some(t) = &p.type_expr {
                    entries.push((Cow::Borrowed("type"), transform(t)));
                }
                if p.captures_rest {
                    entries.push((Cow::Borrowed("splat"), Pn::Lit(PnLit::Bool(true))));
                }
                if let Some(v) = &p.value {
                    entries.push((Cow::Borrowed("value"), transform(v)));
                }
                (Cow::Owned(p.name.to_string()), Pn::Map(entries))
            })
            .collect(),
    )
}

fn definition(
    kind: &'static str,
    name: &str,
    parent: Option<&str>,
    params: &[Parameter],
    body: Option<&Expr>,
    return_type: Option<&Expr>,
) -> Pn {
    let mut entries = vec![(Cow::Borrowed("name"), s(name))];
    if let Some(p) = parent {
        entries.push((Cow::Borrowed("parent"), s(p)));
    }
    if !params.is_empty() {
        entries.push((Cow::Borrowed("params"), parameters_entry(params)));
    }
    if body.is_some() {
        entries.push((Cow::Borrowed("body"), block_list(body)));
    }
    if let Some(r) = return_type {
        entries.push((Cow::Borrowed("returns"), transform(r)));
    }
    call(kind, vec![Pn::Map(entries)])
}

fn lambda(l: &Lambda) -> Pn {
    let mut entries = vec![];
    if !l.parameters.is_empty() {
        entries.push((Cow::Borrowed("params"), parameters_entry(&l.parameters)));
    }
    if let Some(r) = &l.return_type {
        entries.push((Cow::Borrowed("returns"), transform(r)));
    }
    if l.body.is_some() {
        entries.push((Cow::Borrowed("body"), block_list(l.body.as_deref())));
    }
    call("lambda", vec![Pn::Map(entries)])
}

fn call_to_pn(
    r: &'static str,
    nr: &'static str,
    rval: bool,
    functor: &Expr,
    args: &[Expr],
    l: Option<&Lambda>,
) -> Pn {
    let mut entries = vec![
        (Cow::Borrowed("functor"), transform(functor)),
        (Cow::Borrowed("args"), Pn::List(list(args))),
    ];
    if let Some(l) = l {
        entries.push((Cow::Borrowed("block"), lambda(l)));
    }
    call(if rval { r } else { nr }, vec![Pn::Map(entries)])
}

fn if_to_pn(name: &'static str, test: &Expr, then_e: Option<&Expr>, else_e: Option<&Expr>) -> Pn {
    let mut entries = vec![(Cow::Borrowed("test"), transform(test))];
    if !is_nop(then_e) {
        entries.push((Cow::Borrowed("then"), block_list(then_e)));
    }
    if !is_nop(else_e) {
        entries.push((Cow::Borrowed("else"), block_list(else_e)));
    }
    call(name, vec![Pn::Map(entries)])
}

fn with_form(
    mut entries: Vec<(Cow<'static, str>, Pn)>,
    form: ResourceForm,
) -> Vec<(Cow<'static, str>, Pn)> {
    if form != ResourceForm::Regular {
        entries.push((Cow::Borrowed("form"), s(form.as_str())));
    }
    entries
}

fn transform(e: &Expr) -> Pn {
    use ExprKind as K;
    match &e.kind {
        K::Nop | K::Nil => nop(),
        K::Block(stmts) => Pn::Call(Cow::Borrowed("block"), list(stmts)),
        K::LiteralString(v) => s(v),
        K::LiteralInteger { value, radix } => {
            let value = &value.get();
            if *radix == 10 {
                Pn::Lit(PnLit::Int(*value))
            } else {
                call(
                    "int",
                    vec![Pn::Map(vec![
                        (Cow::Borrowed("radix"), Pn::Lit(PnLit::Int(*radix as i128))),
                        (Cow::Borrowed("value"), Pn::Lit(PnLit::Int(*value))),
                    ])],
                )
            }
        }
        K::LiteralFloat(f) => Pn::Lit(PnLit::Float(*f)),
        K::LiteralBoolean(b) => Pn::Lit(PnLit::Bool(*b)),
        K::LiteralUndef => Pn::Lit(PnLit::Nil),
        K::LiteralDefault => call("default", vec![]),
        K::LiteralRegex(r) => {
            // Ruby marks a regexp with non-ASCII source as fixed-encoding, a non-zero option
            // that `regexp_to_s` shows as a flags group.
            if r.is_ascii() {
                call("regexp", vec![s(r)])
            } else {
                call("regexp", vec![s(&format!("(?-imx:{r})"))])
            }
        }
        K::QualifiedName(n) => call("qn", vec![s(n)]),
        K::QualifiedReference(n) => call("qr", vec![s(n)]),
        K::ReservedWord(w) => call("reserved", vec![s(w)]),
        K::Variable(n) => call("var", vec![s(n)]),
        K::BoolVariable(b) => call("var", vec![Pn::Lit(PnLit::Bool(*b))]),
        K::ConcatenatedString(segs) => Pn::Call(Cow::Borrowed("concat"), list(segs)),
        K::Text(inner) => call("str", vec![transform(inner)]),
        K::Heredoc(h) => {
            let mut entries = vec![];
            if !h.syntax.is_empty() {
                entries.push((Cow::Borrowed("syntax"), s(&h.syntax)));
            }
            entries.push((Cow::Borrowed("text"), transform(&h.text)));
            call("heredoc", vec![Pn::Map(entries)])
        }
        K::LiteralList(vs) => Pn::Call(Cow::Borrowed("array"), list(vs)),
        K::LiteralHash { entries, .. } => Pn::Call(
            Cow::Borrowed("hash"),
            entries
                .iter()
                .map(|k| call("=>", vec![transform(&k.key), transform(&k.value)]))
                .collect(),
        ),
        K::KeyedEntry(k) => call("=>", vec![transform(&k.key), transform(&k.value)]),
        K::Access { left, keys } => {
            let mut v = vec![transform(left)];
            v.extend(list(keys));
            Pn::Call(Cow::Borrowed("access"), v)
        }
        K::Binary { op, left, right } => binary(op.as_str(), left, right),
        K::Not(inner) => call("!", vec![transform(inner)]),
        K::UnaryMinus(inner) => match &inner.kind {
            K::LiteralInteger { value, .. } => Pn::Lit(PnLit::Int(-value.get())),
            K::LiteralFloat(f) => Pn::Lit(PnLit::Float(-*f)),
            _ => call("-", vec![transform(inner)]),
        },
        K::Unfold(inner) => call("unfold", vec![transform(inner)]),
        K::Paren(inner) => call("paren", vec![transform(inner)]),
        K::NamedAccess { left, right } => binary(".", left, right),
        K::CallNamed {
            functor,
            rval_required,
            args,
            lambda,
        } => call_to_pn(
            "call",
            "invoke",
            *rval_required,
            functor,
            args,
            lambda.as_deref(),
        ),
        K::CallMethod {
            functor,
            args,
            lambda,
        } => call_to_pn(
            "call-method",
            "invoke-method",
            true,
            functor,
            args,
            lambda.as_deref(),
        ),
        K::Lambda(l) => lambda(l),
        K::If {
            test,
            then_expr,
            else_expr,
        } => if_to_pn("if", test, then_expr.as_deref(), else_expr.as_deref()),
        K::Unless {
            test,
            then_expr,
            else_expr,
        } => if_to_pn("unless", test, then_expr.as_deref(), else_expr.as_deref()),
        K::Case { test, options } => call(
            "case",
            vec![
                transform(test),
                Pn::List(
                    options
                        .iter()
                        .map(|o| {
                            Pn::Map(vec![
                                (Cow::Borrowed("when"), Pn::List(list(&o.values))),
                                (Cow::Borrowed("then"), block_list(o.then_expr.as_deref())),
                            ])
                        })
                        .collect(),
                ),
            ],
        ),
        K::Selector { left, entries } => call(
            "?",
            vec![
                transform(left),
                Pn::List(
                    entries
                        .iter()
                        .map(|en| call("=>", vec![transform(&en.matching), transform(&en.value)]))
                        .collect(),
                ),
            ],
        ),
        K::Collect(_)
        | K::Resource { .. }
        | K::ResourceDefaults { .. }
        | K::ResourceOverride { .. } => transform_resource(e),
        K::HostClass(_)
        | K::ResourceTypeDefinition(_)
        | K::Application(_)
        | K::FunctionDefinition(_)
        | K::NodeDefinition { .. }
        | K::SiteDefinition { .. }
        | K::CapabilityMapping(_)
        | K::TypeAlias(_)
        | K::TypeMapping { .. }
        | K::TypeDefinition(_) => transform_definition(e),
    }
}

/// A resource expression, resource defaults, override or collector.
fn transform_resource(e: &Expr) -> Pn {
    use ExprKind as K;
    match &e.kind {
        K::Collect(c) => {
            let Collect {
                type_expr,
                exported,
                query,
                operations,
                ..
            } = &**c;
            let qname = if *exported {
                "exported-query"
            } else {
                "virtual-query"
            };
            let q = match query.as_ref() {
                Some(q) if !matches!(q.kind, K::Nop) => call(qname, vec![transform(q)]),
                _ => call(qname, vec![]),
            };
            let mut entries = vec![
                (Cow::Borrowed("type"), transform(type_expr)),
                (Cow::Borrowed("query"), q),
            ];
            if !operations.is_empty() {
                entries.push((Cow::Borrowed("ops"), self::ops(operations)));
            }
            call("collect", vec![Pn::Map(entries)])
        }
        K::Resource {
            type_name,
            bodies,
            form,
        } => {
            let bodies = bodies
                .iter()
                .map(|b| {
                    Pn::Map(vec![
                        (Cow::Borrowed("title"), transform(&b.title)),
                        (Cow::Borrowed("ops"), self::ops(&b.operations)),
                    ])
                })
                .collect();
            let entries = with_form(
                vec![
                    (Cow::Borrowed("type"), transform(type_name)),
                    (Cow::Borrowed("bodies"), Pn::List(bodies)),
                ],
                *form,
            );
            call("resource", vec![Pn::Map(entries)])
        }
        K::ResourceDefaults {
            type_ref,
            operations,
            form,
        } => {
            let entries = with_form(
                vec![
                    (Cow::Borrowed("type"), transform(type_ref)),
                    (Cow::Borrowed("ops"), self::ops(operations)),
                ],
                *form,
            );
            call("resource-defaults", vec![Pn::Map(entries)])
        }
        K::ResourceOverride {
            resources,
            operations,
            form,
        } => {
            let entries = with_form(
                vec![
                    (Cow::Borrowed("resources"), transform(resources)),
                    (Cow::Borrowed("ops"), self::ops(operations)),
                ],
                *form,
            );
            call("resource-override", vec![Pn::Map(entries)])
        }
        _ => unreachable!("transform dispatches only resources here"),
    }
}

/// A definition: class, defined type, application, function, node, site, capability
/// mapping, type alias, type mapping, type definition.
fn transform_definition(e: &Expr) -> Pn {
    use ExprKind as K;
    match &e.kind {
        K::HostClass(c) => definition(
            "class",
            &c.name,
            c.parent.as_deref(),
            &c.parameters,
            c.body.as_ref(),
            None,
        ),
        K::ResourceTypeDefinition(d) => definition(
            "define",
            &d.name,
            None,
            &d.parameters,
            d.body.as_ref(),
            None,
        ),
        K::Application(d) => definition(
            "application",
            &d.name,
            None,
            &d.parameters,
            d.body.as_ref(),
            None,
        ),
        K::FunctionDefinition(f) => definition(
            "function",
            &f.name,
            None,
            &f.parameters,
            f.body.as_ref(),
            f.return_type.as_ref(),
        ),
        K::NodeDefinition {
            host_matches,
            parent,
            body,
        } => {
            let mut entries = vec![(Cow::Borrowed("matches"), Pn::List(list(host_matches)))];
            if let Some(p) = parent {
                entries.push((Cow::Borrowed("parent"), transform(p)));
            }
            if body.is_some() {
                entries.push((Cow::Borrowed("body"), block_list(body.as_deref())));
            }
            call("node", vec![Pn::Map(entries)])
        }
        K::SiteDefinition { body } => match body.as_deref() {
            Some(Expr {
                kind: K::Block(stmts),
                ..
            }) => Pn::Call(Cow::Borrowed("site"), list(stmts)),
            Some(other) => call("site", vec![transform(other)]),
            None => call("site", vec![]),
        },
        K::CapabilityMapping(m) => {
            let mut l = vec![s(&m.capability)];
            l.extend(m.mappings.iter().map(attribute_op));
            call(m.kind.as_str(), vec![transform(&m.component), Pn::List(l)])
        }
        K::TypeAlias(a) => call("type-alias", vec![s(&a.name), transform(&a.type_expr)]),
        K::TypeMapping {
            type_expr,
            mapping_expr,
        } => call(
            "type-mapping",
            vec![transform(type_expr), transform(mapping_expr)],
        ),
        K::TypeDefinition(d) => call(
            "type-definition",
            vec![
                s(&d.name),
                d.parent.as_deref().map_or(Pn::Lit(PnLit::Nil), s),
                transform_opt(d.body.as_ref()),
            ],
        ),
        _ => unreachable!("transform dispatches only definitions here"),
    }
}

/// Renders PN as Puppet's `PN#format`: compact when `pretty` is false, else indented by two
/// spaces per level.
pub(crate) fn format_pn(pn: &Pn, pretty: bool, out: &mut String) {
    fmt(pn, if pretty { Some(0) } else { None }, out);
}

fn push_indent(out: &mut String, level: usize) {
    out.push('\n');
    for _ in 0..level {
        out.push_str("  ");
    }
}

fn fmt_elements(elements: &[Pn], indent: Option<usize>, out: &mut String) {
    for (i, e) in elements.iter().enumerate() {
        match indent {
            Some(level) => push_indent(out, level),
            None if i > 0 => out.push(' '),
            None => {}
        }
        fmt(e, indent, out);
    }
}

fn fmt(pn: &Pn, indent: Option<usize>, out: &mut String) {
    match pn {
        Pn::Call(name, elements) => {
            out.push('(');
            out.push_str(name);
            if !elements.is_empty() {
                if indent.is_none() {
                    out.push(' ');
                }
                fmt_elements(elements, indent.map(|l| l + 1), out);
            }
            out.push(')');
        }
        Pn::List(elements) => {
            out.push('[');
            if !elements.is_empty() {
                fmt_elements(elements, indent.map(|l| l + 1), out);
            }
            out.push(']');
        }
        Pn::Map(entries) => {
            let local = indent.map(|l| l + 1);
            out.push('{');
            for (i, (k, v)) in entries.iter().enumerate() {
                match local {
                    Some(level) => push_indent(out, level),
                    None if i > 0 => out.push(' '),
                    None => {}
                }
                out.push(':');
                out.push_str(k);
                out.push(' ');
                fmt(v, local, out);
            }
            out.push('}');
        }
        Pn::Lit(l) => match l {
            PnLit::Nil => out.push_str("nil"),
            PnLit::Str(v) => double_quote(v, out),
            PnLit::Int(i) => out.push_str(&i.to_string()),
            PnLit::Float(f) => out.push_str(&ruby_float(*f)),
            PnLit::Bool(b) => out.push_str(if *b { "true" } else { "false" }),
        },
    }
}

fn double_quote(v: &str, out: &mut String) {
    out.push('"');
    for c in v.chars() {
        match c {
            '\t' => out.push_str("\\t"),
            '\n' => out.push_str("\\n"),
            '\r' => out.push_str("\\r"),
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            c if (c as u32) < 0x20 => out.push_str(&format!("\\o{:03o}", c as u32)),
            c => out.push(c),
        }
    }
    out.push('"');
}

/// `Float#to_s` of Ruby: shortest round-trip digits, fixed notation for decimal exponents from
/// -4 to 15, else `d.ddde+XX`.
pub(crate) fn ruby_float(f: f64) -> String {
    if f.is_nan() {
        return "NaN".to_string();
    }
    if f.is_infinite() {
        return if f > 0.0 { "Infinity" } else { "-Infinity" }.to_string();
    }
    if f == 0.0 {
        return if f.is_sign_negative() { "-0.0" } else { "0.0" }.to_string();
    }
    let sci = format!("{:e}", f.abs());
    let (mant, exp) = sci.split_once('e').unwrap_or((&sci, "0"));
    let exp: i32 = exp.parse().unwrap_or(0);
    let digits: String = mant.chars().filter(|c| c.is_ascii_digit()).collect();
    let decpt = exp + 1;
    let mut out = String::new();
    if f < 0.0 {
        out.push('-');
    }
    if decpt > -4 && decpt <= 15 {
        if decpt > 0 {
            let d = decpt as usize;
            if digits.len() <= d {
                out.push_str(&digits);
                out.push_str(&"0".repeat(d - digits.len()));
                out.push_str(".0");
            } else {
                out.push_str(&digits[..d]);
                out.push('.');
                out.push_str(&digits[d..]);
            }
        } else {
            out.push_str("0.");
            out.push_str(&"0".repeat((-decpt) as usize));
            out.push_str(&digits);
        }
    } else {
        out.push_str(&digits[..1]);
        out.push('.');
        if digits.len() > 1 {
            out.push_str(&digits[1..]);
        } else {
            out.push('0');
        }
        let e = decpt - 1;
        out.push('e');
        out.push(if e < 0 { '-' } else { '+' });
        out.push_str(&format!("{:02}", e.abs()));
    }
    out
}

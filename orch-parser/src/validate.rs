//! Static validation (Puppet's `Checker4_0`): the checks Puppet runs on a parsed program before
//! evaluating it, with Puppet's messages.
//!
//! This is a port of `Puppet::Pops::Validation::Checker4_0` as of Puppet 7.23, plus the
//! application-orchestration checks of Puppet 5.5.22 (`application`, `site`, capability
//! mappings, and the `DEPRECATED_APP_ORCHESTRATION` deprecations).
//!
//! Puppet validates by walking its model depth first, pre-order (`check(o)`, then the children in
//! the order of the model's attributes), with the chain of containers at hand for the checks that
//! depend on where an element is. [`Checker`] walks the syntax tree the same way; a few elements
//! of Puppet's model that the tree does not hold as nodes (the query of a collector, the
//! `Object[{...}]` Puppet makes of `type T = Parent {...}`) are visited as virtual nodes, so that
//! containers, order and positions are Puppet's.
//!
//! Positions: a diagnostic is at the start of the model element it is about, as Puppet records it
//! (`Factory#record_position`). For most elements that is the start of the node's span; the
//! exceptions (operators, `=>`, the `.` of a method call, a parameter's `$`, the name of a type
//! alias, ...) are computed in [`Checker::expr_offset`] and the other `*_offset` functions.
//! Several of those positions lie between two nodes (the `+` of `a + b`): [`validate_with_source`]
//! finds them exactly in the source text; [`validate`], which has only the tree, assumes that the
//! operator follows its left operand after at most one blank.

mod json;
mod literal;
mod syntax;

use std::borrow::Cow;

use crate::ast::*;
use crate::error::{Diagnostic, Severity};
use crate::lexer::Dialect;

use literal::{Lit, literal};

/// Validates a program; returns the problems as Puppet reports them: warnings (and
/// deprecations) first, then errors, each in the order Puppet finds them, at most 10 of each
/// severity (Puppet's `max_warnings`, `max_deprecations`, `max_errors`). When Puppet's checker
/// stops with an exception (a heredoc whose text fails its syntax check, a checker crash), that
/// exception alone is reported, as Puppet does.
///
/// Positions that lie between two nodes (operators, `=>`) are estimated; see
/// [`validate_with_source`] for exact positions.
pub fn validate(program: &Program) -> Vec<Diagnostic> {
    Checker::new(None, Dialect::Puppet5).run(program)
}

/// [`validate`] with the source text the program was parsed from, for exact positions of
/// operators, `=>`, parameters and type alias names (what `SourceFile::check` uses), and the
/// dialect's rules: Puppet 5.5's checker reserves fewer type names, only warns about virtual
/// classes and does not check heredoc syntaxes; Puppet 7.23's does.
pub fn validate_with_source(program: &Program, src: &str, dialect: Dialect) -> Vec<Diagnostic> {
    Checker::new(Some(src), dialect).run(program)
}

/// The end of a validation that Puppet does not finish: an exception in the checker (which
/// Puppet reports instead of everything found so far).
struct Abort(Vec<Diagnostic>);

type Res = Result<(), Abort>;

/// One element of Puppet's model, as the checker sees it.
#[derive(Clone, Copy)]
enum N<'a> {
    Program,
    Expr(&'a Expr),
    /// A `key => value` of a hash.
    Entry(&'a KeyedEntry),
    SelEntry(&'a SelectorEntry),
    CaseOpt(&'a CaseOption),
    Body(&'a ResourceBody),
    Op(&'a AttributeOperation),
    Param(&'a Parameter),
    Lambda(&'a Lambda),
    /// The `<| |>`/`<<| |>>` of a collector (Puppet's `VirtualQuery`/`ExportedQuery`).
    Query(&'a Expr),
    /// `Object[hash]` (or `Parent[hash]`) that Puppet makes of the right side of
    /// `type T = Parent { ... }` (a `KeyedEntry`) or `type T = { ... }` (a hash).
    AliasAccess(&'a Expr),
    /// The `Object` reference of an [`N::AliasAccess`].
    ObjectRef,
    /// The hash of an [`N::AliasAccess`], with `parent => Parent` appended when the parent is
    /// neither `Object` nor `TypeSet`.
    AliasHash(&'a Expr, Option<&'a Expr>),
    /// The appended `parent => Parent` entry (holds the parent reference).
    ParentEntry(&'a Expr),
    /// The `parent` name of a [`N::ParentEntry`].
    ParentKey,
}

/// A model element and Puppet's position of it.
#[derive(Clone, Copy)]
struct Node<'a> {
    n: N<'a>,
    off: usize,
}

/// The value of a `Diagnostic::severity` for Puppet's issue codes (`validator_factory_4_0.rb`
/// with Puppet 7.23's defaults, `strict=warning`; 5.5.22's for the orchestration deprecations).
fn severity(code: &str) -> Severity {
    match code {
        "DUPLICATE_KEY" => Severity::Warning,
        "FUTURE_RESERVED_WORD" | "DEPRECATED_APP_ORCHESTRATION" => Severity::Deprecation,
        _ => Severity::Error,
    }
}

/// Type names Puppet reserves (`RESERVED_TYPE_NAMES`).
const RESERVED_TYPE_NAMES: &[&str] = &[
    "type",
    "any",
    "unit",
    "scalar",
    "boolean",
    "numeric",
    "integer",
    "float",
    "collection",
    "array",
    "hash",
    "tuple",
    "struct",
    "variant",
    "optional",
    "enum",
    "regexp",
    "pattern",
    "runtime",
    "init",
    "object",
    "sensitive",
    "semver",
    "semverrange",
    "string",
    "timestamp",
    "timespan",
    "typeset",
];

/// How many of [`RESERVED_TYPE_NAMES`] Puppet 5.5 reserves.
const RESERVED_TYPE_NAMES_5: usize = 19;

/// Words reserved for future use (`FUTURE_RESERVED_WORDS`).
const FUTURE_RESERVED_WORDS: &[&str] = &["plan"];

/// Parameter names a class or define may not declare (`RESERVED_PARAMETERS`).
const RESERVED_PARAMETERS: &[&str] = &["name", "title"];

const MAX_INTEGER: i128 = i64::MAX as i128;
const MIN_INTEGER: i128 = i64::MIN as i128;

struct Checker<'a> {
    src: Option<&'a str>,
    /// Puppet 5.5's rules (else 7.23's).
    puppet5: bool,
    /// The containers of the element being checked, outermost first.
    path: Vec<Node<'a>>,
    diags: Vec<Diagnostic>,
    /// What Puppet logs as it goes (the warnings of `pp` heredocs): printed before the rest.
    logged: Vec<Diagnostic>,
    /// The nesting levels of the code around this program (see [`PP_CHECK_LEVELS`]).
    base: u32,
}

/// What a `pp` heredoc's check costs of the nesting budget ([`crate::MAX_NESTING`]), besides the
/// heredoc's own depth: the check recurses (parser, checker) on top of the walk that found the
/// heredoc, so heredocs nested in heredocs must run out of budget after a few levels.
const PP_CHECK_LEVELS: u32 = 100;

/// Puppet's position of an expression of `src`, where its errors are placed: the start of
/// its first token, except where Puppet's grammar positions it elsewhere (a binary operation
/// at its operator, a method call at its `(` or else its `.`, ...).
pub fn puppet_offset(src: &str, e: &Expr) -> usize {
    Checker::new(Some(src), Dialect::Puppet7).expr_offset(e)
}

impl<'a> Checker<'a> {
    fn new(src: Option<&'a str>, dialect: Dialect) -> Self {
        Checker {
            src,
            puppet5: dialect == Dialect::Puppet5,
            path: vec![],
            diags: vec![],
            logged: vec![],
            base: 0,
        }
    }

    fn run(self, program: &'a Program) -> Vec<Diagnostic> {
        match self.validate_raw(program) {
            Ok(d) => reported(d),
            Err(Abort(d)) => d,
        }
    }

    /// Validates; `Err` when Puppet's validation would stop with an exception (its diagnostics
    /// are then what Puppet prints instead).
    fn validate_raw(mut self, program: &'a Program) -> Result<Vec<Diagnostic>, Abort> {
        let root = Node {
            n: N::Program,
            off: 0,
        };
        let body = Node {
            n: N::Expr(&program.body),
            off: self.block_offset_top(&program.body),
        };
        // `check(model)` finds nothing in a Program; then every element below it.
        self.path.push(root);
        let result = self.walk(body);
        let mut out = std::mem::take(&mut self.logged);
        match result {
            Ok(()) => {
                // Puppet prints the warnings (and deprecations) first, then the errors.
                let (warnings, errors): (Vec<_>, Vec<_>) = self
                    .diags
                    .into_iter()
                    .partition(|d| d.severity != Severity::Error);
                out.extend(warnings);
                out.extend(errors);
                Ok(out)
            }
            Err(Abort(d)) => {
                out.extend(d);
                Err(Abort(out))
            }
        }
    }

    fn walk(&mut self, node: Node<'a>) -> Res {
        self.check(node)?;
        let children = self.children(node);
        self.path.push(node);
        for c in children {
            self.walk(c)?;
        }
        self.path.pop();
        Ok(())
    }

    // ---- reporting ------------------------------------------------------------------------

    fn accept(&mut self, code: &'static str, off: usize, message: impl Into<String>) {
        self.diags.push(Diagnostic {
            message: message.into(),
            offset: Some(off),
            severity: severity(code),
            code,
        });
    }

    /// The container `index` levels up (`1` is the parent), as Puppet's `container(-index)`.
    fn container(&self, index: usize) -> Option<Node<'a>> {
        self.path.len().checked_sub(index).map(|i| self.path[i])
    }

    // ---- the model: children and positions --------------------------------------------------

    fn node(&self, e: &'a Expr) -> Node<'a> {
        Node {
            n: N::Expr(e),
            off: self.expr_offset(e),
        }
    }

    /// The contents of an element, in the order of Puppet's `_pcore_contents`.
    fn children(&self, node: Node<'a>) -> Vec<Node<'a>> {
        let mut v: Vec<Node<'a>> = vec![];
        let off = node.off;
        match node.n {
            N::Program | N::ObjectRef | N::ParentKey => {}
            N::Expr(e) => self.expr_children(e, off, &mut v),
            N::Entry(en) => {
                // The entries of the hash Puppet makes of `name { attr => value }` have no
                // position of their own: they (and their key) are at the hash's.
                let transformed = en.key.span == en.span;
                let key_off = if transformed {
                    off
                } else {
                    self.expr_offset(&en.key)
                };
                v.push(Node {
                    n: N::Expr(&en.key),
                    off: key_off,
                });
                v.push(self.node(&en.value));
            }
            N::SelEntry(se) => {
                v.push(self.node(&se.matching));
                v.push(self.node(&se.value));
            }
            N::CaseOpt(co) => {
                v.extend(co.values.iter().map(|x| self.node(x)));
                if let Some(t) = &co.then_expr {
                    v.push(self.node(t));
                }
            }
            N::Body(b) => {
                v.push(self.node(&b.title));
                v.extend(b.operations.iter().map(|o| self.op_node(o)));
            }
            N::Op(op) => match op {
                AttributeOperation::Attribute { value, .. }
                | AttributeOperation::Splat { value, .. } => v.push(self.node(value)),
            },
            N::Param(p) => {
                if let Some(x) = &p.value {
                    v.push(self.node(x));
                }
                if let Some(x) = &p.type_expr {
                    v.push(self.node(x));
                }
            }
            N::Lambda(l) => self.lambda_children(l, &mut v),
            N::Query(c) => {
                if let ExprKind::Collect(collect) = &c.kind
                    && let Some(q) = &collect.query
                {
                    v.push(self.node(q));
                }
            }
            N::AliasAccess(rhs) => match &rhs.kind {
                ExprKind::KeyedEntry(en) => {
                    let is_object = matches!(
                        &en.key.kind,
                        ExprKind::QualifiedReference(n) if n == "Object" || n == "TypeSet"
                    );
                    if is_object {
                        v.push(self.node(&en.key));
                    } else {
                        v.push(Node {
                            n: N::ObjectRef,
                            off,
                        });
                    }
                    let parent = (!is_object).then_some(&en.key);
                    v.push(Node {
                        n: N::AliasHash(&en.value, parent),
                        off: self.expr_offset(&en.value),
                    });
                }
                _ => {
                    v.push(Node {
                        n: N::ObjectRef,
                        off,
                    });
                    v.push(Node {
                        n: N::AliasHash(rhs, None),
                        off: self.expr_offset(rhs),
                    });
                }
            },
            N::AliasHash(hash, parent) => {
                if let ExprKind::LiteralHash { entries, .. } = &hash.kind {
                    v.extend(entries.iter().map(|en| Node {
                        n: N::Entry(en),
                        off: self.entry_offset(en, off),
                    }));
                }
                if let Some(p) = parent {
                    v.push(Node {
                        n: N::ParentEntry(p),
                        off,
                    });
                }
            }
            N::ParentEntry(p) => {
                v.push(Node {
                    n: N::ParentKey,
                    off,
                });
                v.push(self.node(p));
            }
        }
        v
    }

    fn lambda_children(&self, l: &'a Lambda, v: &mut Vec<Node<'a>>) {
        v.extend(l.parameters.iter().map(|p| self.param_node(p)));
        if let Some(b) = &l.body {
            v.push(self.node(b));
        }
        if let Some(r) = &l.return_type {
            v.push(self.node(r));
        }
    }

    fn param_node(&self, p: &'a Parameter) -> Node<'a> {
        Node {
            n: N::Param(p),
            off: self.param_offset(p),
        }
    }

    fn op_node(&self, o: &'a AttributeOperation) -> Node<'a> {
        Node {
            n: N::Op(o),
            off: o.span().start as usize,
        }
    }

    fn lambda_node(&self, l: &'a Lambda) -> Node<'a> {
        Node {
            n: N::Lambda(l),
            off: l.span.start as usize,
        }
    }

    fn expr_children(&self, e: &'a Expr, off: usize, v: &mut Vec<Node<'a>>) {
        use ExprKind as K;
        let opt = |v: &mut Vec<Node<'a>>, x: Option<&'a Expr>| {
            if let Some(x) = x {
                v.push(self.node(x));
            }
        };
        match &e.kind {
            K::Nop
            | K::Nil
            | K::LiteralString(_)
            | K::LiteralInteger { .. }
            | K::LiteralFloat(_)
            | K::LiteralBoolean(_)
            | K::LiteralUndef
            | K::LiteralDefault
            | K::LiteralRegex(_)
            | K::QualifiedName(_)
            | K::QualifiedReference(_)
            | K::ReservedWord(_)
            // The name inside a variable is a `QualifiedName` (or a boolean): nothing to check.
            | K::Variable(_)
            | K::BoolVariable(_) => {}
            K::Block(stmts) => {
                v.extend(stmts.iter().map(|s| self.node(s)));
                if let [name, hash] = stmts.as_slice()
                    && let Some(o) = self.untitled_hash_offset(name, hash)
                {
                    v[1].off = o;
                }
            }
            K::ConcatenatedString(segs) => v.extend(segs.iter().map(|s| {
                if matches!(s.kind, K::Text(_)) {
                    // A `TextExpression` has no position of its own: it is at its string's.
                    Node { n: N::Expr(s), off }
                } else {
                    self.node(s)
                }
            })),
            K::Text(x)
            | K::Not(x)
            | K::UnaryMinus(x)
            | K::Unfold(x)
            | K::Paren(x) => v.push(self.node(x)),
            K::Heredoc(h) => v.push(Node {
                n: N::Expr(&h.text),
                off: self.heredoc_text_offset(&h.text),
            }),
            K::LiteralList(xs) => v.extend(xs.iter().map(|x| self.node(x))),
            K::KeyedEntry(en) => {
                v.push(self.node(&en.key));
                v.push(self.node(&en.value));
            }
            K::LiteralHash { entries, .. } => v.extend(entries.iter().map(|en| Node {
                n: N::Entry(en),
                off: self.entry_offset(en, off),
            })),
            K::Access { left, keys } => {
                v.push(self.node(left));
                v.extend(keys.iter().map(|x| self.node(x)));
            }
            K::Binary { left, right, .. } | K::NamedAccess { left, right } => {
                v.push(self.node(left));
                v.push(self.node(right));
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
                v.push(self.node(functor));
                v.extend(args.iter().map(|x| self.node(x)));
                if let [hash] = args.as_slice()
                    && let Some(o) = self.untitled_hash_offset(functor, hash)
                {
                    v[1].off = o;
                }
                if let Some(l) = lambda {
                    v.push(self.lambda_node(l));
                }
            }
            K::Lambda(l) => self.lambda_children(l, v),
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
                v.push(self.node(test));
                opt(v, then_expr.as_deref());
                opt(v, else_expr.as_deref());
            }
            K::Case { test, options } => {
                v.push(self.node(test));
                v.extend(options.iter().map(|o| Node {
                    n: N::CaseOpt(o),
                    off: o.span.start as usize,
                }));
            }
            K::Selector { left, entries } => {
                v.push(self.node(left));
                v.extend(entries.iter().map(|se| Node {
                    n: N::SelEntry(se),
                    off: self.between(se.matching.span.end, se.value.span.start, 2),
                }));
            }
            K::Collect(c) => {
                v.push(self.node(&c.type_expr));
                v.push(Node {
                    n: N::Query(e),
                    off: c.query_span.start as usize,
                });
                v.extend(c.operations.iter().map(|o| self.op_node(o)));
            }
            K::Resource {
                type_name, bodies, ..
            } => {
                v.push(self.node(type_name));
                // A resource body has no position of its own: it is at its resource's.
                v.extend(bodies.iter().map(|b| Node {
                    n: N::Body(b),
                    off,
                }));
            }
            K::ResourceDefaults {
                type_ref: x,
                operations,
                ..
            }
            | K::ResourceOverride {
                resources: x,
                operations,
                ..
            } => {
                v.push(self.node(x));
                v.extend(operations.iter().map(|o| self.op_node(o)));
            }
            K::HostClass(_)
            | K::ResourceTypeDefinition(_)
            | K::Application(_)
            | K::FunctionDefinition(_) => {
                v.extend(e.definition_parameters().iter().map(|p| self.param_node(p)));
                opt(v, e.definition_body());
                if let K::FunctionDefinition(f) = &e.kind {
                    opt(v, f.return_type.as_ref());
                }
            }
            K::NodeDefinition {
                host_matches,
                parent,
                body,
            } => {
                opt(v, parent.as_deref());
                v.extend(host_matches.iter().map(|x| self.node(x)));
                opt(v, body.as_deref());
            }
            K::SiteDefinition { body } => opt(v, body.as_deref()),
            K::TypeDefinition(d) => opt(v, d.body.as_ref()),
            K::CapabilityMapping(m) => {
                v.push(self.node(&m.component));
                v.extend(m.mappings.iter().map(|o| self.op_node(o)));
            }
            K::TypeAlias(alias) => match &alias.type_expr.kind {
                // Puppet makes `Object[{...}]` of these (`Factory#build_TypeAlias`); the
                // access has no position of its own: it is at the alias's.
                K::KeyedEntry(_) | K::LiteralHash { .. } => v.push(Node {
                    n: N::AliasAccess(&alias.type_expr),
                    off,
                }),
                _ => v.push(self.node(&alias.type_expr)),
            },
            K::TypeMapping {
                type_expr,
                mapping_expr,
            } => {
                v.push(self.node(type_expr));
                v.push(self.node(mapping_expr));
            }
        }
    }

    /// Puppet's position of an expression (`Factory#record_position` in `egrammar.ra`): the
    /// start of its first token, except where the grammar positions it elsewhere.
    fn expr_offset(&self, e: &Expr) -> usize {
        use ExprKind as K;
        match &e.kind {
            // `loc result, val[1]`: at the operator.
            K::Binary { op, left, right } => {
                self.between(left.span.end, right.span.start, op.as_str().len())
            }
            // At the `.`.
            K::NamedAccess { left, right } => self.dot_offset(left, right),
            // At the `(` when there are parentheses, else at the `.`.
            K::CallMethod {
                functor,
                args,
                lambda,
            } => {
                let f_end = functor.span.end as usize;
                let paren = match self.src {
                    Some(s) => {
                        let i = skip_trivia(s, f_end, e.span.end as usize);
                        (s.as_bytes().get(i) == Some(&b'(')).then_some(i)
                    }
                    None => {
                        let parens = !args.is_empty()
                            || match lambda {
                                None => e.span.end as usize > f_end,
                                Some(l) => l.span.start as usize >= f_end + 2,
                            };
                        parens.then_some(f_end)
                    }
                };
                paren.unwrap_or_else(|| self.expr_offset(functor))
            }
            // `loc result, val[0]` where `val[0]` is an expression: at that expression's
            // position.
            K::CallNamed { functor, .. } => self.expr_offset(functor),
            K::Access { left, .. } => self.expr_offset(left),
            K::Selector { left, .. } => self.expr_offset(left),
            K::Collect(c) => self.expr_offset(&c.type_expr),
            K::Resource {
                type_name: x, form, ..
            }
            | K::ResourceDefaults {
                type_ref: x, form, ..
            }
            | K::ResourceOverride {
                resources: x, form, ..
            } => {
                if *form == ResourceForm::Regular {
                    self.expr_offset(x)
                } else {
                    // Relocated to the `@`/`@@`.
                    e.span.start as usize
                }
            }
            K::CapabilityMapping(m) => self.expr_offset(&m.component),
            // An argument list's hash (`f(a => 1)`) is at its first `=>`.
            K::LiteralHash {
                entries,
                unfolded: true,
            } => match entries.first() {
                Some(en) => self.between(en.key.span.end, en.value.span.start, 2),
                None => e.span.start as usize,
            },
            // `type_alias_lhs`: at the name, not at `type`.
            K::TypeAlias { .. } => {
                let kw_end = e.span.start as usize + "type".len();
                match self.src {
                    Some(s) => skip_trivia(s, kw_end, e.span.end as usize),
                    None => kw_end + 1,
                }
            }
            K::TypeMapping { type_expr, .. } => self.expr_offset(type_expr),
            _ => e.span.start as usize,
        }
    }

    /// The hash Puppet makes of `name { attr => value }` is at its `{` (the tree's span of it
    /// starts at the name).
    fn untitled_hash_offset(&self, name: &Expr, hash: &Expr) -> Option<usize> {
        match &hash.kind {
            ExprKind::LiteralHash {
                entries,
                unfolded: false,
            } if hash.span.start == name.span.start && hash.span.end > name.span.end => {
                let next = entries.first().map_or(hash.span.end, |en| en.span.start);
                Some(self.between(name.span.end, next, 1))
            }
            _ => None,
        }
    }

    /// The body of a program: a block there is positioned from its first statement (no braces).
    fn block_offset_top(&self, body: &Expr) -> usize {
        match &body.kind {
            ExprKind::Block(stmts) if !stmts.is_empty() => self.expr_offset(&stmts[0]),
            _ => self.expr_offset(body),
        }
    }

    /// A hash entry is at its `=>`; in the hash made of `name { attr => value }` it is at the
    /// hash (`hash_off`).
    fn entry_offset(&self, en: &KeyedEntry, hash_off: usize) -> usize {
        if en.key.span == en.span {
            hash_off
        } else {
            self.between(en.key.span.end, en.value.span.start, 2)
        }
    }

    /// A parameter is at its `$` (not at its type or `*`).
    fn param_offset(&self, p: &Parameter) -> usize {
        let start = p.span.start as usize;
        let after_type = p.type_expr.as_ref().map(|t| t.span.end as usize);
        match self.src {
            Some(s) => {
                let mut i = skip_trivia(s, after_type.unwrap_or(start), p.span.end as usize);
                if p.captures_rest && s.as_bytes().get(i) == Some(&b'*') {
                    i = skip_trivia(s, i + 1, p.span.end as usize);
                }
                i
            }
            None => {
                if p.value.is_none() {
                    (p.span.end as usize).saturating_sub(p.name.len() + 1)
                } else {
                    let base = after_type.map_or(start, |e| e + 1);
                    base + usize::from(p.captures_rest)
                }
            }
        }
    }

    /// The text of a heredoc is at the start of its first line (Puppet's `SubLocator` maps
    /// offset 0 to the line start, before any margin).
    fn heredoc_text_offset(&self, text: &Expr) -> usize {
        let start = text.span.start as usize;
        match self.src {
            Some(s) => {
                let b = s.as_bytes();
                let mut i = start.min(b.len());
                while i > 0 && matches!(b[i - 1], b' ' | b'\t') {
                    i -= 1;
                }
                if i == 0 || b[i - 1] == b'\n' {
                    i
                } else {
                    start
                }
            }
            None => start,
        }
    }

    /// The position of a token between `from` (end of the left node) and `to` (start of the
    /// right node): exact with the source, else assumed right after the left node or one blank
    /// after it.
    fn between(&self, from: u32, to: u32, token_len: usize) -> usize {
        let (from, to) = (from as usize, to as usize);
        match self.src {
            Some(s) => skip_trivia(s, from, to),
            None => {
                if to.saturating_sub(from) <= token_len {
                    from
                } else {
                    from + 1
                }
            }
        }
    }

    fn dot_offset(&self, left: &Expr, right: &Expr) -> usize {
        match self.src {
            Some(s) => skip_trivia(s, left.span.end as usize, right.span.start as usize),
            None => (right.span.start as usize)
                .saturating_sub(1)
                .max(left.span.end as usize),
        }
    }

    // ---- labels (`ModelLabelProvider`) ----------------------------------------------------

    fn label(&self, n: N<'a>) -> Cow<'static, str> {
        match n {
            N::Program => "Object".into(),
            N::Expr(e) => expr_label(e),
            N::Entry(_) | N::ParentEntry(_) => "Hash Entry".into(),
            N::SelEntry(_) => "Selector Option".into(),
            N::CaseOpt(_) => "Case Option".into(),
            N::Body(_) => "Resource Instance Definition".into(),
            N::Op(AttributeOperation::Attribute { op, .. }) => {
                format!("'{}' expression", op.as_str()).into()
            }
            // No label for `AttributesOperation`: `label_Object`.
            N::Op(AttributeOperation::Splat { .. }) => "Object".into(),
            N::Param(_) => "Parameter Definition".into(),
            N::Lambda(_) => "Lambda".into(),
            N::Query(c) => query_label(c).into(),
            N::AliasAccess(_) => "'[]' expression".into(),
            N::ObjectRef => "Type-Name".into(),
            N::AliasHash(..) => "Hash Expression".into(),
            N::ParentKey => "Name".into(),
        }
    }

    fn a_an(&self, n: N<'a>) -> String {
        a_an(&self.label(n))
    }

    // ---- checks -----------------------------------------------------------------------------

    fn check(&mut self, node: Node<'a>) -> Res {
        match node.n {
            N::Program | N::ObjectRef | N::ParentKey => {}
            N::Expr(e) => self.check_expr(e, node)?,
            N::Entry(en) => {
                self.rvalue(&en.key)?;
                self.rvalue(&en.value)?;
            }
            N::ParentEntry(_) => {}
            N::SelEntry(se) => self.rvalue(&se.matching)?,
            N::CaseOpt(co) => {
                for v in &co.values {
                    self.rvalue(v)?;
                }
            }
            N::Body(b) => {
                let mut seen_unfolding = false;
                for op in &b.operations {
                    if let AttributeOperation::Splat { span, .. } = op {
                        if seen_unfolding {
                            self.accept(
                                "MULTIPLE_ATTRIBUTES_UNFOLD",
                                span.start as usize,
                                "Unfolding of attributes from Hash can only be used once per resource body",
                            );
                        } else {
                            seen_unfolding = true;
                        }
                    }
                }
            }
            N::Op(op) => self.check_attribute_operation(op, node)?,
            N::Param(p) => self.check_parameter(p, node),
            N::Lambda(l) => {
                self.check_capture_last(&l.parameters);
                if let Some(r) = &l.return_type {
                    self.check_type_ref(N::Lambda(l), r);
                }
            }
            N::Query(c) => {
                if let ExprKind::Collect(collect) = &c.kind
                    && let Some(q) = &collect.query
                {
                    self.query(q);
                }
            }
            // `Object[...]` always has a key and a valid reference.
            N::AliasAccess(_) => {}
            N::AliasHash(hash, parent) => {
                if let ExprKind::LiteralHash { entries, .. } = &hash.kind {
                    let mut keys: Vec<(Option<Lit>, usize)> = entries
                        .iter()
                        .map(|en| (literal(&en.key), self.entry_offset(en, node.off)))
                        .collect();
                    if parent.is_some() {
                        keys.push((Some(Lit::Str("parent".into())), node.off));
                    }
                    self.check_duplicate_keys(keys);
                }
            }
        }
        Ok(())
    }

    fn check_expr(&mut self, e: &'a Expr, node: Node<'a>) -> Res {
        use ExprKind as K;
        let off = node.off;
        match &e.kind {
            K::Binary { op, left, right } => match op {
                BinaryOp::Assign => {
                    self.assign(left, false);
                    self.rvalue(right)?;
                }
                BinaryOp::AddAssign | BinaryOp::SubAssign => self.accept(
                    "APPENDS_DELETES_NO_LONGER_SUPPORTED",
                    off,
                    format!(
                        "The operator '{}' is no longer supported. See http://links.puppet.com/remove-plus-equals",
                        op.as_str()
                    ),
                ),
                o if o.is_relationship() => {
                    self.relation(left)?;
                    self.relation(right)?;
                }
                _ => {
                    self.rvalue(left)?;
                    self.rvalue(right)?;
                }
            },
            K::NamedAccess { right, .. } => {
                if !matches!(right.kind, K::QualifiedName(_)) {
                    let container = self.container(1).map_or(N::Program, |c| c.n);
                    let msg = format!(
                        "Illegal expression. {} is unacceptable as function name in {}",
                        a_an_uc(&expr_label(right)),
                        self.a_an(container)
                    );
                    self.accept("ILLEGAL_EXPRESSION", self.expr_offset(right), msg);
                }
            }
            K::Block(stmts) => {
                if let Some(name) = resource_without_title(e) {
                    self.accept(
                        "RESOURCE_WITHOUT_TITLE",
                        off,
                        format!(
                            "This expression is invalid. Did you try declaring a '{name}' resource without a title?"
                        ),
                    );
                } else if let Some(s) = stmts[..stmts.len().saturating_sub(1)]
                    .iter()
                    .find(|s| idem(s))
                {
                    let msg = format!(
                        "This {} has no effect. A value was produced and then forgotten (one or more preceding expressions may have the wrong form)",
                        expr_label(s)
                    );
                    self.accept("IDEM_EXPRESSION_NOT_LAST", self.expr_offset(s), msg);
                }
            }
            K::CallNamed { functor, .. } => {
                let ok = match &functor.kind {
                    K::QualifiedReference(_) | K::QualifiedName(_) => true,
                    K::Access { left, .. } => matches!(left.kind, K::QualifiedReference(_)),
                    _ => false,
                };
                if !ok {
                    let msg = format!(
                        "Illegal expression. {} is unacceptable as function name in {}",
                        a_an_uc(&expr_label(functor)),
                        a_an(&expr_label(e))
                    );
                    self.accept("ILLEGAL_EXPRESSION", self.expr_offset(functor), msg);
                }
            }
            K::Case { test, options } => {
                self.rvalue(test)?;
                let mut found_default = false;
                for v in options.iter().flat_map(|o| o.values.iter()) {
                    if matches!(v.kind, K::LiteralDefault) {
                        if found_default {
                            self.accept(
                                "DUPLICATE_DEFAULT",
                                self.expr_offset(v),
                                "This 'case' statement already has a 'default' entry - this is a duplicate",
                            );
                        }
                        found_default = true;
                    }
                }
            }
            K::Collect(c) => {
                let type_expr = &c.type_expr;
                if !matches!(type_expr.kind, K::QualifiedReference(_)) {
                    let msg = format!(
                        "Illegal expression. {} is unacceptable as type name in {}",
                        a_an_uc(&expr_label(type_expr)),
                        a_an(query_label(e))
                    );
                    self.accept("ILLEGAL_EXPRESSION", self.expr_offset(type_expr), msg);
                }
            }
            K::Heredoc(_)
            | K::LiteralList(_)
            | K::LiteralInteger { .. }
            | K::LiteralHash { .. }
            | K::QualifiedReference(_)
            | K::ReservedWord(_) => self.check_literal(e, off)?,
            K::If { test, .. } | K::Unless { test, .. } => self.rvalue(test)?,
            K::NodeDefinition { .. }
            | K::HostClass(_)
            | K::ResourceTypeDefinition(_)
            | K::FunctionDefinition(_)
            | K::Application(_)
            | K::SiteDefinition { .. }
            | K::CapabilityMapping(_)
            | K::TypeAlias(_)
            | K::TypeMapping { .. }
            | K::TypeDefinition(_) => self.check_definition(e, off),
            K::Resource {
                type_name, form, ..
            } => {
                if *form != ResourceForm::Regular
                    && matches!(&type_name.kind, K::QualifiedName(n) if n == "class")
                {
                    if self.puppet5 {
                        // Puppet 5.5 only warned.
                        self.diags.push(Diagnostic {
                            message: "Classes are not virtualizable".into(),
                            offset: Some(off),
                            severity: Severity::Warning,
                            code: "CLASS_NOT_VIRTUALIZABLE",
                        });
                    } else {
                        self.accept("CLASS_NOT_VIRTUALIZABLE", off, "Classes are not virtualizable");
                    }
                }
            }
            K::ResourceDefaults { form, .. } | K::ResourceOverride { form, .. } => {
                if *form != ResourceForm::Regular {
                    self.accept(
                        "NOT_VIRTUALIZEABLE",
                        off,
                        "Resource Defaults are not virtualizable",
                    );
                }
            }
            K::Selector { left, entries } => {
                self.rvalue(left)?;
                let defaults: Vec<&Expr> = entries
                    .iter()
                    .map(|se| &se.matching)
                    .filter(|m| matches!(m.kind, K::LiteralDefault))
                    .collect();
                if defaults.len() > 1 {
                    self.accept(
                        "DUPLICATE_DEFAULT",
                        self.expr_offset(defaults[1]),
                        "This Selector Expression already has a 'default' entry - this is a duplicate",
                    );
                }
            }
            K::Not(x) | K::UnaryMinus(x) | K::Unfold(x) | K::Paren(x) | K::Text(x) => {
                self.rvalue(x)?
            }
            K::Variable(name) => self.check_variable_name(name, off),
            K::BoolVariable(b) => {
                // Puppet's checker takes the boolean for a name and fails.
                return Err(Abort(vec![crash(format!(
                    "undefined method `[]' for {b}:{}Class",
                    if *b { "True" } else { "False" }
                ))]));
            }
            K::KeyedEntry(en) => {
                self.rvalue(&en.key)?;
                self.rvalue(&en.value)?;
            }
            K::Nop
            | K::Nil
            | K::LiteralString(_)
            | K::LiteralFloat(_)
            | K::LiteralBoolean(_)
            | K::LiteralUndef
            | K::LiteralDefault
            | K::LiteralRegex(_)
            | K::QualifiedName(_)
            | K::ConcatenatedString(_)
            | K::Access { .. }
            | K::CallMethod { .. } => {}
            K::Lambda(l) => {
                self.check_capture_last(&l.parameters);
                if let Some(r) = &l.return_type {
                    self.check_type_ref(N::Expr(e), r);
                }
            }
        }
        Ok(())
    }

    /// The checks of literals and names: integer bounds, duplicate hash keys, heredoc syntaxes,
    /// class references, reserved words.
    fn check_literal(&mut self, e: &'a Expr, off: usize) -> Res {
        use ExprKind as K;
        match &e.kind {
            K::Heredoc(h) => {
                let Heredoc { syntax, text } = &**h;
                // Puppet 5.5's validator did not check heredoc syntaxes.
                if let (false, K::LiteralString(value)) = (self.puppet5, &text.kind) {
                    let text_off = self.heredoc_text_offset(text);
                    let depth = (self.path.len() as u32)
                        .saturating_add(self.base)
                        .saturating_add(PP_CHECK_LEVELS);
                    match syntax::check(syntax, value, text_off, depth) {
                        syntax::Outcome::Valid(logged) => self.logged.extend(logged),
                        syntax::Outcome::Invalid(failure) => return Err(Abort(failure)),
                    }
                }
            }
            K::LiteralList(values) => {
                for v in values {
                    self.rvalue(v)?;
                }
            }
            K::LiteralInteger { value, .. } => {
                let v = value.get();
                if !(MIN_INTEGER..=MAX_INTEGER).contains(&v) {
                    let sign = if v < 0 { '-' } else { '+' };
                    let range = if v > 0 { "max" } else { "min" };
                    self.accept(
                        "NUMERIC_OVERFLOW",
                        off,
                        format!(
                            "A Literal Integer resulted in a value outside of Puppet Integer {range} range, got '{sign}{:#x}'",
                            v.unsigned_abs()
                        ),
                    );
                }
            }
            K::LiteralHash { entries, .. } => {
                let keys = entries
                    .iter()
                    .map(|en| (literal(&en.key), self.entry_offset(en, off)))
                    .collect();
                self.check_duplicate_keys(keys);
            }
            K::QualifiedReference(name) if !is_classref_ext(name) => {
                self.illegal_classref(off, name);
            }
            K::ReservedWord(word) => self.accept(
                "RESERVED_WORD",
                off,
                format!(
                    "Use of reserved word: {word}, must be quoted if intended to be a String value"
                ),
            ),
            _ => {}
        }
        Ok(())
    }

    /// The checks of a definition (node, class, defined type, function, application, site,
    /// capability mapping, type alias, type mapping and type definition).
    fn check_definition(&mut self, e: &'a Expr, off: usize) {
        use ExprKind as K;
        match &e.kind {
            K::NodeDefinition {
                host_matches,
                parent,
                body,
            } => {
                for h in host_matches {
                    self.hostname(h, e);
                }
                self.top(e, off);
                self.check_no_idem_last(e, body.as_deref());
                if let Some(p) = parent {
                    self.accept(
                        "ILLEGAL_NODE_INHERITANCE",
                        self.expr_offset(p),
                        "Node inheritance is not supported in Puppet >= 4.0.0. See http://links.puppet.com/puppet-node-inheritance-deprecation",
                    );
                }
            }
            K::HostClass(_) | K::ResourceTypeDefinition(_) => {
                let (name, parameters, body) = match &e.kind {
                    K::HostClass(c) => (&c.name, &c.parameters, c.body.as_ref()),
                    K::ResourceTypeDefinition(d) => (&d.name, &d.parameters, d.body.as_ref()),
                    _ => unreachable!("matched above"),
                };
                self.check_named_definition(e, name, off);
                self.check_no_capture(e, parameters);
                self.check_parameter_uniqueness(parameters);
                for p in parameters {
                    if RESERVED_PARAMETERS.contains(&p.name.as_str()) {
                        let msg = format!(
                            "The parameter ${} redefines a built in parameter in the {}",
                            p.name,
                            expr_label(e)
                        );
                        self.accept("RESERVED_PARAMETER", self.param_offset(p), msg);
                    }
                }
                self.check_no_idem_last(e, body);
            }
            K::FunctionDefinition(f) => {
                self.check_named_definition(e, &f.name, off);
                if let Some(r) = &f.return_type {
                    self.check_type_ref(N::Expr(e), r);
                }
                self.check_parameter_uniqueness(&f.parameters);
            }
            K::Application(d) => {
                self.check_named_definition(e, &d.name, off);
                self.deprecated_app_orchestration(e, off);
            }
            K::SiteDefinition { .. } => self.deprecated_app_orchestration(e, off),
            K::CapabilityMapping(m) => {
                let (component, capability) = (&m.component, &m.capability);
                self.deprecated_app_orchestration(e, off);
                let ok = match &component.kind {
                    K::QualifiedReference(name) => {
                        if !is_classref_ext(name) {
                            self.illegal_classref(self.expr_offset(component), name);
                        }
                        true
                    }
                    K::Access { left, keys } => {
                        matches!(left.kind, K::QualifiedReference(_))
                            && keys.len() == 1
                            && matches!(
                                keys[0].kind,
                                K::LiteralString(_)
                                    | K::QualifiedName(_)
                                    | K::QualifiedReference(_)
                            )
                    }
                    _ => false,
                };
                if !ok {
                    let msg = format!(
                        "Illegal expression. {} is unacceptable as capability mapping in {}",
                        a_an_uc(&expr_label(component)),
                        a_an(&expr_label(e))
                    );
                    self.accept("ILLEGAL_EXPRESSION", self.expr_offset(component), msg);
                }
                if !is_classref_ext(capability) {
                    self.illegal_classref(off, capability);
                }
            }
            K::TypeAlias(alias) => {
                let TypeAlias { name, type_expr } = &**alias;
                self.top(e, off);
                if !is_classref_ext_decl(name) {
                    self.illegal_definition_name(e, name, off);
                }
                self.check_reserved_type_name(e, name, off);
                if matches!(type_expr.kind, K::KeyedEntry(_) | K::LiteralHash { .. }) {
                    // `Object[...]` (or `Parent[...]`): a valid type reference; only its name
                    // can be a future reserved word.
                    let parent = match &type_expr.kind {
                        K::KeyedEntry(en) => match &en.key.kind {
                            K::QualifiedReference(n) if n == "Object" || n == "TypeSet" => {
                                n.to_lowercase()
                            }
                            _ => "object".into(),
                        },
                        _ => "object".into(),
                    };
                    self.check_future_reserved_word(off, &parent);
                } else {
                    self.check_type_ref(N::Expr(e), type_expr);
                }
            }
            K::TypeMapping {
                type_expr,
                mapping_expr,
            } => {
                self.top(e, off);
                self.check_type_mapping(e, off, type_expr, mapping_expr);
            }
            K::TypeDefinition(d) => {
                self.top(e, off);
                self.check_reserved_type_name(e, &d.name, off);
                self.accept(
                    "UNSUPPORTED_EXPRESSION",
                    off,
                    format!(
                        "Expressions of type {} are not supported in this version of Puppet",
                        a_an(&expr_label(e))
                    ),
                );
            }
            _ => {}
        }
    }

    fn illegal_classref(&mut self, off: usize, name: &str) {
        self.accept(
            "ILLEGAL_CLASSREF",
            off,
            format!("Illegal type reference. The given name '{name}' does not conform to the naming rule"),
        );
    }

    fn illegal_definition_name(&mut self, e: &Expr, name: &str, off: usize) {
        self.accept(
            "ILLEGAL_DEFINITION_NAME",
            off,
            format!(
                "Unacceptable name. The name '{name}' is unacceptable as the name of {}",
                a_an(&expr_label(e))
            ),
        );
    }

    fn deprecated_app_orchestration(&mut self, e: &Expr, off: usize) {
        self.accept(
            "DEPRECATED_APP_ORCHESTRATION",
            off,
            format!(
                "Use of the application-orchestration {} is deprecated. See https://puppet.com/docs/puppet/5.5/deprecated_language.html",
                expr_label(e)
            ),
        );
    }

    /// `check_NamedDefinition`: classes, defines, functions, applications. (Puppet also checks
    /// that a definition in a module file is named after the file; files outside a module path,
    /// which is all `orch` sees, are exempt.)
    fn check_named_definition(&mut self, e: &Expr, name: &str, off: usize) {
        self.top(e, off);
        if !is_classref_decl(name) {
            self.illegal_definition_name(e, name, off);
        }
        self.check_reserved_type_name(e, name, off);
        self.check_future_reserved_word(off, name);
    }

    fn check_reserved_type_name(&mut self, e: &Expr, name: &str, off: usize) {
        // Applications exist in Puppet 5.5 only, whose list ends before `init`.
        let reserved = if self.puppet5 || matches!(e.kind, ExprKind::Application { .. }) {
            &RESERVED_TYPE_NAMES[..RESERVED_TYPE_NAMES_5]
        } else {
            RESERVED_TYPE_NAMES
        };
        if reserved.contains(&name) {
            self.accept(
                "RESERVED_TYPE_NAME",
                off,
                format!(
                    "The name: '{name}' is already defined by Puppet and can not be used as the name of {}.",
                    a_an(&expr_label(e))
                ),
            );
        }
    }

    fn check_future_reserved_word(&mut self, off: usize, word: &str) {
        if FUTURE_RESERVED_WORDS.contains(&word) {
            self.accept(
                "FUTURE_RESERVED_WORD",
                off,
                format!("Use of future reserved word: '{word}'"),
            );
        }
    }

    /// `internal_check_type_ref`: a return type or aliased type must be a type reference
    /// (possibly parameterized).
    fn check_type_ref(&mut self, container: N<'a>, r: &Expr) {
        let n = match &r.kind {
            ExprKind::Access { left, .. } => left,
            _ => r,
        };
        match &n.kind {
            ExprKind::QualifiedReference(name) => {
                self.check_future_reserved_word(self.expr_offset(r), &name.to_lowercase());
            }
            _ => {
                let msg = format!(
                    "Illegal expression. {} is unacceptable as a type reference in {}",
                    a_an_uc(&expr_label(r)),
                    self.a_an(container)
                );
                self.accept("ILLEGAL_EXPRESSION", self.expr_offset(r), msg);
            }
        }
    }

    fn check_type_mapping(&mut self, e: &Expr, off: usize, lhs: &Expr, rhs: &Expr) {
        // 0: not Runtime[...], 1: Runtime[...], 2: Runtime[x, [/regexp/, 'replacement']]
        let mut lhs_type = 0;
        if let ExprKind::Access { left, keys } = &lhs.kind
            && matches!(&left.kind, ExprKind::QualifiedReference(n) if n == "Runtime")
        {
            lhs_type = 1;
            if keys.len() == 2 && pattern_with_replacement(&keys[1]) {
                lhs_type = 2;
            }
        }
        let label = a_an_uc(&expr_label(e));
        let single = format!("Illegal type mapping. Expected a Type on the left side, got {label}");
        let regexp = format!(
            "Illegal type mapping. Expected a Tuple[Regexp,String] on the left side, got {label}"
        );
        if lhs_type == 0 {
            self.accept(
                "UNSUPPORTED_EXPRESSION",
                off,
                format!(
                    "Expressions of type {} are not supported in this version of Puppet",
                    a_an(&expr_label(e))
                ),
            );
        } else if pattern_with_replacement(rhs) {
            if lhs_type == 1 {
                self.accept("ILLEGAL_TYPE_MAPPING", off, single);
            }
        } else if is_type_ref(rhs) {
            if lhs_type == 2 {
                self.accept("ILLEGAL_TYPE_MAPPING", off, regexp);
            }
        } else {
            self.accept(
                "ILLEGAL_TYPE_MAPPING",
                off,
                if lhs_type == 1 { single } else { regexp },
            );
        }
    }

    /// `top`: definitions only at top level or directly in a class body (functions, type aliases
    /// and type definitions only at the very top).
    fn top(&mut self, def: &Expr, off: usize) {
        let absolute_only = matches!(
            def.kind,
            ExprKind::FunctionDefinition { .. }
                | ExprKind::TypeAlias { .. }
                | ExprKind::TypeDefinition { .. }
        );
        let mut idx = 1;
        loop {
            let Some(o) = self.container(idx) else {
                return;
            };
            match o.n {
                N::Program => return,
                N::Expr(Expr {
                    kind: ExprKind::HostClass { .. },
                    ..
                }) => return,
                N::Expr(Expr {
                    kind: ExprKind::Block(_),
                    ..
                }) => {
                    let c = self.container(idx + 1);
                    if !matches!(c.map(|c| c.n), Some(N::Program)) && absolute_only {
                        let msg =
                            format!("{} may only appear at toplevel", a_an_uc(&expr_label(def)));
                        self.accept("NOT_ABSOLUTE_TOP_LEVEL", off, msg);
                        return;
                    }
                    idx += 1;
                }
                _ => {
                    self.accept(
                        "NOT_TOP_LEVEL",
                        off,
                        "Classes, definitions, and nodes may only appear at toplevel or inside other classes",
                    );
                    return;
                }
            }
        }
    }

    /// `internal_check_no_idem_last`: a class, define or node may not end with a value.
    fn check_no_idem_last(&mut self, def: &Expr, body: Option<&Expr>) {
        let Some(body) = body else {
            return;
        };
        let violator = match &body.kind {
            ExprKind::Block(stmts) => stmts.last().filter(|s| idem(s)),
            _ => Some(body).filter(|s| idem(s)),
        };
        if let Some(v) = violator
            && resource_without_title(v).is_none()
        {
            let msg = format!(
                "This {} has no effect. {} can not end with a value-producing expression without other effect",
                expr_label(v),
                a_an_uc(&expr_label(def))
            );
            self.accept("IDEM_NOT_ALLOWED_LAST", self.expr_offset(v), msg);
        }
    }

    fn check_no_capture(&mut self, def: &Expr, params: &[Parameter]) {
        for p in params.iter().filter(|p| p.captures_rest) {
            let msg = format!(
                "Parameter ${} has 'captures rest' - not supported in {}",
                p.name,
                a_an(&expr_label(def))
            );
            self.accept("CAPTURES_REST_NOT_SUPPORTED", self.param_offset(p), msg);
        }
    }

    fn check_capture_last(&mut self, params: &[Parameter]) {
        let last = params.len().saturating_sub(1);
        for (i, p) in params.iter().enumerate() {
            if p.captures_rest && i != last {
                let msg = format!("Parameter ${} is not last, and has 'captures rest'", p.name);
                self.accept("CAPTURES_REST_NOT_LAST", self.param_offset(p), msg);
            }
        }
    }

    fn check_parameter_uniqueness(&mut self, params: &[Parameter]) {
        let mut seen: Vec<&str> = vec![];
        for p in params {
            if seen.contains(&p.name.as_str()) {
                let msg = format!(
                    "The parameter '{}' is declared more than once in the parameter list",
                    p.name
                );
                self.accept("DUPLICATE_PARAMETER", self.param_offset(p), msg);
            } else {
                seen.push(&p.name);
            }
        }
    }

    fn check_parameter(&mut self, p: &'a Parameter, node: Node<'a>) {
        let name = p.name.as_str();
        let digits = name.strip_prefix("0x").unwrap_or(name);
        if !digits.is_empty() && digits.bytes().all(|b| b.is_ascii_digit()) {
            self.accept(
                "ILLEGAL_NUMERIC_PARAMETER",
                node.off,
                format!(
                    "The numeric parameter name '${name}' cannot be used (clashes with numeric match result variables)"
                ),
            );
        }
        if !is_param_name(name) {
            self.accept(
                "ILLEGAL_PARAM_NAME",
                node.off,
                format!(
                    "Illegal parameter name. The given name '{name}' does not conform to the naming rule /^[a-z_]\\w*$/"
                ),
            );
        }
        if let Some(v) = &p.value {
            self.check_illegal_assignment(self.node(v));
        }
    }

    /// `internal_check_illegal_assignment`: no assignment in a parameter's default value, except
    /// inside a lambda.
    fn check_illegal_assignment(&mut self, node: Node<'a>) {
        match node.n {
            N::Expr(Expr {
                kind: ExprKind::Binary { op, .. },
                ..
            }) if op.is_assignment() => {
                self.accept(
                    "ILLEGAL_ASSIGNMENT_CONTEXT",
                    node.off,
                    "Assignment not allowed here",
                );
            }
            N::Lambda(_)
            | N::Expr(Expr {
                kind: ExprKind::Lambda(_),
                ..
            }) => {}
            _ => {
                for c in self.children(node) {
                    self.check_illegal_assignment(c);
                }
            }
        }
    }

    fn check_variable_name(&mut self, name: &str, off: usize) {
        if name.starts_with(|c: char| c.is_ascii_digit()) {
            if !is_numeric_var_name(name) {
                self.accept(
                    "ILLEGAL_NUMERIC_VAR_NAME",
                    off,
                    format!(
                        "Illegal numeric variable name, The given name '{name}' must be a decimal value if it starts with a digit 0-9"
                    ),
                );
            }
        } else if !is_var_name(name) {
            self.accept(
                "ILLEGAL_VAR_NAME",
                off,
                format!(
                    "Illegal variable name, The given name '{name}' does not conform to the naming rule /^((::)?[a-z]\\w*)*((::)?[a-z_]\\w*)$/"
                ),
            );
        }
    }

    fn check_attribute_operation(&mut self, op: &'a AttributeOperation, node: Node<'a>) -> Res {
        let parent = self.container(1);
        match op {
            AttributeOperation::Attribute {
                name,
                op: AttributeOp::Append,
                value,
                ..
            } => {
                let ok = matches!(
                    parent.map(|p| p.n),
                    Some(N::Expr(Expr {
                        kind: ExprKind::Collect { .. } | ExprKind::ResourceOverride { .. },
                        ..
                    }))
                );
                if !ok {
                    let p = parent.map_or(N::Program, |p| p.n);
                    let msg = format!(
                        "Illegal +> operation on attribute {name}. This operator can not be used in {}",
                        self.a_an(p)
                    );
                    self.accept("ILLEGAL_ATTRIBUTE_APPEND", node.off, msg);
                }
                self.rvalue(value)
            }
            AttributeOperation::Attribute { value, .. } => self.rvalue(value),
            AttributeOperation::Splat { value, .. } => {
                let kind = parent.map(|p| p.n);
                match kind {
                    Some(N::Expr(Expr {
                        kind:
                            ExprKind::Resource { .. }
                            | ExprKind::ResourceDefaults { .. }
                            | ExprKind::ResourceOverride { .. }
                            | ExprKind::Collect { .. },
                        ..
                    })) => {}
                    // Puppet 5.5: not in a capability mapping.
                    Some(
                        n @ N::Expr(Expr {
                            kind: ExprKind::CapabilityMapping { .. },
                            ..
                        }),
                    ) => {
                        let p = parent.expect("matched");
                        self.unsupported_splat(n, p.off);
                    }
                    _ => {
                        // In a resource body: fine when the body is in a resource.
                        let parent2 = match parent {
                            None => node,
                            Some(_) => self.container(2).unwrap_or(Node {
                                n: N::Program,
                                off: 0,
                            }),
                        };
                        let is_resource = matches!(
                            parent2.n,
                            N::Expr(Expr {
                                kind: ExprKind::Resource { .. }
                                    | ExprKind::ResourceDefaults { .. }
                                    | ExprKind::ResourceOverride { .. },
                                ..
                            })
                        );
                        if !is_resource {
                            self.unsupported_splat(parent2.n, parent2.off);
                        }
                    }
                }
                self.rvalue(value)
            }
        }
    }

    fn unsupported_splat(&mut self, at: N<'a>, off: usize) {
        let msg = format!("The operator '* =>' in {} is not supported.", self.a_an(at));
        self.accept("UNSUPPORTED_OPERATOR_IN_CONTEXT", off, msg);
    }

    fn check_duplicate_keys(&mut self, keys: Vec<(Option<Lit>, usize)>) {
        let mut seen: Vec<Lit> = vec![];
        for (key, off) in keys {
            let Some(key) = key else {
                continue;
            };
            if seen.iter().any(|k| k.ruby_eql(&key)) {
                self.accept(
                    "DUPLICATE_KEY",
                    off,
                    format!("The key '{}' is declared more than once", key.to_ruby_s()),
                );
            } else {
                seen.push(key);
            }
        }
    }

    // ---- rvalue, assignment, relationship, query, hostname checks ---------------------------

    /// `rvalue`: definitions and collectors produce no value.
    fn rvalue(&mut self, e: &Expr) -> Res {
        use ExprKind as K;
        match &e.kind {
            K::Collect { .. }
            | K::HostClass { .. }
            | K::ResourceTypeDefinition { .. }
            | K::Application { .. }
            | K::FunctionDefinition { .. }
            | K::NodeDefinition { .. }
            | K::SiteDefinition { .. }
            | K::CapabilityMapping { .. }
            | K::TypeAlias { .. }
            | K::TypeMapping { .. }
            | K::TypeDefinition { .. } => {
                let msg = format!(
                    "Invalid use of expression. {} does not produce a value",
                    a_an_uc(&expr_label(e))
                );
                self.accept("NOT_RVALUE", self.expr_offset(e), msg);
            }
            K::Not(x) | K::UnaryMinus(x) | K::Unfold(x) | K::Paren(x) | K::Text(x) => {
                self.rvalue(x)?
            }
            // The value Puppet leaves unset in the hash it makes of `name { * => x }`: its
            // checker cannot handle it.
            K::Nil => {
                return Err(Abort(vec![crash(
                    "Visitor Error: the configured receiver (Puppet::Pops::Validation::Checker4_0) can't handle instance of: NilClass",
                )]));
            }
            _ => {}
        }
        Ok(())
    }

    /// `assign`: what may be assigned to.
    fn assign(&mut self, e: &Expr, via_index: bool) {
        use ExprKind as K;
        match &e.kind {
            K::Variable(name) => {
                if is_numeric_var_name(name) {
                    self.accept(
                        "ILLEGAL_NUMERIC_ASSIGNMENT",
                        self.expr_offset(e),
                        format!(
                            "Illegal attempt to assign to the numeric match result variable '${name}'. Numeric variables are not assignable"
                        ),
                    );
                }
                if name.contains("::") {
                    self.accept(
                        "CROSS_SCOPE_ASSIGNMENT",
                        self.expr_offset(e),
                        format!(
                            "Illegal attempt to assign to '{name}'. Cannot assign to variables in other namespaces"
                        ),
                    );
                }
            }
            // The name of `${true}` is not a string: nothing to check.
            K::BoolVariable(_) => {}
            K::Access { .. } => self.accept(
                "ILLEGAL_INDEXED_ASSIGNMENT",
                self.expr_offset(e),
                "Illegal attempt to assign via [index/key]. Not an assignable reference",
            ),
            K::LiteralList(values) => {
                for v in values {
                    self.assign(v, false);
                }
            }
            _ => {
                let label = a_an(&expr_label(e));
                if via_index {
                    self.accept(
                        "ILLEGAL_ASSIGNMENT_VIA_INDEX",
                        self.expr_offset(e),
                        format!(
                            "Illegal attempt to assign to {label} via [index/key]. Not an assignable reference"
                        ),
                    );
                } else {
                    self.accept(
                        "ILLEGAL_ASSIGNMENT",
                        self.expr_offset(e),
                        format!(
                            "Illegal attempt to assign to '{label}'. Not an assignable reference"
                        ),
                    );
                }
            }
        }
    }

    /// `relation`: a relationship operand must produce a value (collectors and relationships
    /// may be operands).
    fn relation(&mut self, e: &Expr) -> Res {
        match &e.kind {
            ExprKind::Collect { .. } => Ok(()),
            ExprKind::Binary { op, .. } if op.is_relationship() => Ok(()),
            _ => self.rvalue(e),
        }
    }

    /// `query`: a collector's query may only compare with `==`/`!=`, combine with `and`/`or`,
    /// and hold variables, names, numbers, strings and booleans.
    fn query(&mut self, e: &Expr) {
        use ExprKind as K;
        let ok = match &e.kind {
            K::Binary { op, left, right } => match op {
                BinaryOp::Eq | BinaryOp::Ne => true,
                BinaryOp::And | BinaryOp::Or => {
                    self.query(left);
                    self.query(right);
                    true
                }
                _ => false,
            },
            K::Paren(x) => {
                self.query(x);
                true
            }
            K::Variable(_)
            | K::BoolVariable(_)
            | K::QualifiedName(_)
            | K::LiteralInteger { .. }
            | K::LiteralFloat(_)
            | K::LiteralString(_)
            | K::LiteralBoolean(_) => true,
            _ => false,
        };
        if !ok {
            let msg = format!(
                "Illegal query expression. {} cannot be used in a query",
                a_an_uc(&expr_label(e))
            );
            self.accept("ILLEGAL_QUERY_EXPRESSION", self.expr_offset(e), msg);
        }
    }

    /// `hostname`: what a node definition may match.
    fn hostname(&mut self, e: &Expr, node_def: &Expr) {
        use ExprKind as K;
        match &e.kind {
            K::LiteralString(s) | K::QualifiedName(s) => self.hostname_string(s, e),
            K::QualifiedReference(s) => self.hostname_string(&s.to_lowercase(), e),
            K::LiteralBoolean(b) => self.hostname_string(if *b { "true" } else { "false" }, e),
            K::LiteralInteger { .. }
            | K::LiteralFloat(_)
            | K::LiteralDefault
            | K::LiteralRegex(_) => {}
            K::ConcatenatedString(segs) => {
                if let Some(K::Text(x)) = segs
                    .iter()
                    .map(|s| &s.kind)
                    .find(|k| matches!(k, K::Text(_)))
                {
                    self.accept(
                        "ILLEGAL_HOSTNAME_INTERPOLATION",
                        self.expr_offset(x),
                        "An interpolated expression is not allowed in a hostname of a node",
                    );
                } else if segs.len() != 1 {
                    self.accept(
                        "ILLEGAL_HOSTNAME_INTERPOLATION",
                        self.expr_offset(e),
                        "An interpolated expression is not allowed in a hostname of a node",
                    );
                }
                // A single segment is not checked (Puppet matches the segment object, not its
                // text, against the pattern).
            }
            _ => {
                let msg = format!(
                    "Illegal expression. {} is unacceptable as hostname in {}",
                    a_an_uc(&expr_label(e)),
                    a_an(&expr_label(node_def))
                );
                self.accept("ILLEGAL_EXPRESSION", self.expr_offset(e), msg);
            }
        }
    }

    fn hostname_string(&mut self, s: &str, e: &Expr) {
        let illegal = s
            .chars()
            .any(|c| !(c.is_ascii_alphanumeric() || c == '_' || c == '-' || c == '.'));
        if illegal {
            self.accept(
                "ILLEGAL_HOSTNAME_CHARS",
                self.expr_offset(e),
                format!(
                    "The hostname '{s}' contains illegal characters (only letters, digits, '_', '-', and '.' are allowed)"
                ),
            );
        }
    }
}

/// What Puppet's reporter (`IssueReporter.assert_and_report`) prints of what validation found:
/// at most `max_warnings` warnings, `max_deprecations` deprecations and `max_errors` errors
/// (10 each by default).
fn reported(found: Vec<Diagnostic>) -> Vec<Diagnostic> {
    let (mut warnings, mut deprecations, mut errors) = (0, 0, 0);
    found
        .into_iter()
        .filter(|d| {
            if d.offset.is_none() {
                // Logged as found (by a `pp` heredoc check), not by the reporter.
                return true;
            }
            let count = match d.severity {
                Severity::Warning => &mut warnings,
                Severity::Deprecation => &mut deprecations,
                Severity::Error => &mut errors,
            };
            *count += 1;
            *count <= MAX_REPORTED
        })
        .collect()
}

/// Puppet's `max_errors`, `max_warnings` and `max_deprecations`.
const MAX_REPORTED: usize = 10;

/// A diagnostic for an exception Puppet's checker raises (it reports it without a position).
fn crash(message: impl Into<String>) -> Diagnostic {
    Diagnostic {
        message: message.into(),
        offset: None,
        severity: Severity::Error,
        code: "VALIDATOR_EXCEPTION",
    }
}

/// Skips blanks and comments from `from`; returns where the next token starts (at most `to`).
fn skip_trivia(s: &str, from: usize, to: usize) -> usize {
    let b = s.as_bytes();
    let to = to.min(b.len());
    let mut i = from.min(to);
    while i < to {
        match b[i] {
            b' ' | b'\t' | b'\r' | b'\n' => i += 1,
            b'#' => {
                while i < to && b[i] != b'\n' {
                    i += 1;
                }
            }
            b'/' if b.get(i + 1) == Some(&b'*') => match s[i + 2..].find("*/") {
                Some(k) => i += k + 4,
                None => return to,
            },
            _ => break,
        }
    }
    i.min(to)
}

/// `resource_without_title?`: the block Puppet makes of `name { attr => value }`.
fn resource_without_title(e: &Expr) -> Option<&str> {
    match &e.kind {
        ExprKind::Block(stmts) if stmts.len() == 2 => match (&stmts[0].kind, &stmts[1].kind) {
            (ExprKind::QualifiedName(n), ExprKind::LiteralHash { .. }) => Some(n),
            _ => None,
        },
        _ => None,
    }
}

/// `idem`: true when an expression is known to have no effect.
fn idem(e: &Expr) -> bool {
    use ExprKind as K;
    match &e.kind {
        K::Nop
        | K::Nil
        | K::LiteralString(_)
        | K::LiteralInteger { .. }
        | K::LiteralFloat(_)
        | K::LiteralBoolean(_)
        | K::LiteralUndef
        | K::LiteralDefault
        | K::LiteralRegex(_)
        | K::QualifiedName(_)
        | K::QualifiedReference(_)
        | K::ReservedWord(_)
        | K::LiteralList(_)
        | K::LiteralHash { .. }
        | K::Access { .. }
        | K::ConcatenatedString(_)
        | K::Heredoc { .. }
        | K::Selector { .. }
        // Unary expressions (whatever their operand), variables included.
        | K::Variable(_)
        | K::BoolVariable(_)
        | K::Not(_)
        | K::UnaryMinus(_)
        | K::Unfold(_)
        | K::Text(_)
        | K::NamedAccess { .. } => true,
        K::Paren(x) => idem(x),
        K::Binary { op, .. } => !matches!(
            op,
            BinaryOp::Match
                | BinaryOp::NotMatch
                | BinaryOp::Assign
                | BinaryOp::AddAssign
                | BinaryOp::SubAssign
                | BinaryOp::InEdge
                | BinaryOp::InEdgeSub
                | BinaryOp::OutEdge
                | BinaryOp::OutEdgeSub
        ),
        K::Block(stmts) => stmts.iter().all(idem),
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
            idem(test)
                && then_expr.as_deref().is_none_or(idem)
                && else_expr.as_deref().is_none_or(idem)
        }
        K::Case { test, options } => {
            idem(test)
                && options.iter().all(|o| {
                    o.values.iter().all(idem) && o.then_expr.as_deref().is_none_or(idem)
                })
        }
        _ => false,
    }
}

fn pattern_with_replacement(e: &Expr) -> bool {
    match &e.kind {
        ExprKind::LiteralList(v) => {
            v.len() == 2
                && matches!(v[0].kind, ExprKind::LiteralRegex(_))
                && matches!(v[1].kind, ExprKind::LiteralString(_))
        }
        _ => false,
    }
}

fn is_type_ref(e: &Expr) -> bool {
    let e = match &e.kind {
        ExprKind::Access { left, .. } => left,
        _ => e,
    };
    matches!(e.kind, ExprKind::QualifiedReference(_))
}

// ---- labels -------------------------------------------------------------------------------

/// `ModelLabelProvider#label` of an expression.
fn expr_label(e: &Expr) -> Cow<'static, str> {
    use ExprKind as K;
    let s: &'static str = match &e.kind {
        K::Nop => "Nop Expression",
        K::Nil => "Undef Value",
        K::Block(_) => "Block Expression",
        K::LiteralString(_) => "String",
        K::LiteralInteger { .. } => "Literal Integer",
        K::LiteralFloat(_) => "Literal Float",
        K::LiteralBoolean(_) => "Boolean",
        K::LiteralUndef => "'undef' expression",
        K::LiteralDefault => "'default' expression",
        K::LiteralRegex(_) => "Regular Expression",
        K::QualifiedName(_) => "Name",
        K::QualifiedReference(_) => "Type-Name",
        K::ReservedWord(w) => return format!("Reserved Word '{w}'").into(),
        K::Variable(_) | K::BoolVariable(_) => "Variable",
        K::ConcatenatedString(_) => "Double Quoted String",
        K::Text(_) => "Expression in Interpolated String",
        K::Heredoc(h) => return format!("'@({})' expression", h.syntax).into(),
        K::LiteralList(_) => "Array Expression",
        K::KeyedEntry(_) => "Hash Entry",
        K::LiteralHash { .. } => "Hash Expression",
        K::Access { .. } => "'[]' expression",
        K::Binary { op, .. } => return format!("'{}' expression", op.as_str()).into(),
        K::Not(_) => "'not' expression",
        K::UnaryMinus(_) => "Unary Minus",
        K::Unfold(_) => "Unfold",
        K::Paren(_) => "Parenthesized Expression",
        K::NamedAccess { .. } => "'.' expression",
        K::CallNamed { .. } => "Function Call",
        K::CallMethod { .. } => "Method call",
        K::Lambda(_) => "Lambda",
        K::If { .. } => "'if' statement",
        K::Unless { .. } => "'unless' Statement",
        K::Case { .. } => "'case' statement",
        K::Selector { .. } => "Selector Expression",
        K::Collect { .. } => query_label(e),
        K::Resource { .. } => "Resource Statement",
        K::ResourceDefaults { .. } => "Resource Defaults Expression",
        K::ResourceOverride { .. } => "Resource Override",
        K::HostClass { .. } => "Host Class Definition",
        K::ResourceTypeDefinition { .. } => "'define' expression",
        K::Application { .. } => "Application",
        K::FunctionDefinition { .. } => "Function Definition",
        K::NodeDefinition { .. } => "Node Definition",
        K::SiteDefinition { .. } => "Site Definition",
        K::CapabilityMapping { .. } => "Capability Mapping",
        K::TypeAlias { .. } => "Type Alias",
        K::TypeMapping { .. } => "Type Mapping",
        K::TypeDefinition { .. } => "Type Definition",
    };
    s.into()
}

/// The label of a collector (its query's).
fn query_label(collect: &Expr) -> &'static str {
    match &collect.kind {
        ExprKind::Collect(c) if c.exported => "Exported Query",
        _ => "Virtual Query",
    }
}

/// `LabelProvider#article`: "an" before a vowel (or `y`), skipping a leading quote.
fn article(label: &str) -> &'static str {
    let mut chars = label.chars();
    let mut c = chars.next();
    if matches!(c, Some('"' | '\'')) {
        c = chars.next();
    }
    match c.map(|c| c.to_ascii_lowercase()) {
        Some('a' | 'e' | 'i' | 'o' | 'u' | 'y') => "an",
        _ => "a",
    }
}

fn a_an(label: &str) -> String {
    format!("{} {label}", article(label))
}

fn a_an_uc(label: &str) -> String {
    let art = article(label);
    let art = if art == "an" { "An" } else { "A" };
    format!("{art} {label}")
}

// ---- name patterns (`Puppet::Pops::Patterns`; `\w` is ASCII in Ruby) ---------------------

fn is_word(c: u8) -> bool {
    c.is_ascii_alphanumeric() || c == b'_'
}

/// A segment: a first character accepted by `first`, then `\w*`.
fn is_segment(s: &str, first: impl Fn(u8) -> bool) -> bool {
    let b = s.as_bytes();
    !b.is_empty() && first(b[0]) && b[1..].iter().all(|c| is_word(*c))
}

/// `CLASSREF_DECL`: `\A[a-z]\w*(?:::[a-z]\w*)*\z`.
fn is_classref_decl(s: &str) -> bool {
    s.split("::")
        .all(|seg| is_segment(seg, |c| c.is_ascii_lowercase()))
}

/// `CLASSREF_EXT`: `\A((::){0,1}[A-Z][\w]*)+\z`.
fn is_classref_ext(s: &str) -> bool {
    let s = s.strip_prefix("::").unwrap_or(s);
    s.split("::")
        .all(|seg| is_segment(seg, |c| c.is_ascii_uppercase()))
}

/// `CLASSREF_EXT_DECL`: `\A[A-Z][\w]*(?:::[A-Z][\w]*)*\z`.
fn is_classref_ext_decl(s: &str) -> bool {
    s.split("::")
        .all(|seg| is_segment(seg, |c| c.is_ascii_uppercase()))
}

/// `VAR_NAME`: `\A(?:::)?(?:[a-z]\w*::)*[a-z_]\w*\z`.
fn is_var_name(s: &str) -> bool {
    let s = s.strip_prefix("::").unwrap_or(s);
    let segs: Vec<&str> = s.split("::").collect();
    let (last, init) = segs.split_last().expect("split yields one item at least");
    init.iter()
        .all(|seg| is_segment(seg, |c| c.is_ascii_lowercase()))
        && is_segment(last, |c| c.is_ascii_lowercase() || c == b'_')
}

/// `PARAM_NAME`: `\A[a-z_]\w*\z`.
fn is_param_name(s: &str) -> bool {
    is_segment(s, |c| c.is_ascii_lowercase() || c == b'_')
}

/// `NUMERIC_VAR_NAME`: `\A(?:0|(?:[1-9][0-9]*))\z`.
fn is_numeric_var_name(s: &str) -> bool {
    s == "0"
        || (s.starts_with(|c: char| ('1'..='9').contains(&c))
            && s.bytes().all(|b| b.is_ascii_digit()))
}

#[cfg(test)]
mod tests {
    use super::{Checker, Dialect, validate, validate_with_source};
    use crate::{LineIndex, Severity, parse};

    /// `Error: message (line:column)` for every diagnostic, as `validate` returns them.
    fn found(src: &str, exact: bool) -> Vec<String> {
        let parsed = parse(src);
        assert!(!parsed.has_errors(), "{:?}", parsed.diagnostics);
        let index = LineIndex::new(src);
        // The unit tests state Puppet 7.23's rules (the checker's base).
        let diagnostics = if exact {
            validate_with_source(&parsed.program, src, Dialect::Puppet7)
        } else {
            Checker::new(None, Dialect::Puppet7).run(&parsed.program)
        };
        diagnostics
            .iter()
            .map(|d| {
                let severity = match d.severity {
                    Severity::Error => "Error",
                    Severity::Warning => "Warning",
                    Severity::Deprecation => "Deprecation",
                };
                match d.offset {
                    Some(o) => {
                        let (l, c) = index.line_col(src, o);
                        format!("{severity}: {} ({l}:{c})", d.message)
                    }
                    None => format!("{severity}: {}", d.message),
                }
            })
            .collect()
    }

    fn check(src: &str) -> Vec<String> {
        found(src, false)
    }

    fn check_exact(src: &str) -> Vec<String> {
        found(src, true)
    }

    const NOT_TOP_LEVEL: &str = "Error: Classes, definitions, and nodes may only appear at toplevel or inside other classes";
    const APP_DEPRECATED: &str = "Deprecation: Use of the application-orchestration Application is deprecated. See https://puppet.com/docs/puppet/5.5/deprecated_language.html";
    const SITE_DEPRECATED: &str = "Deprecation: Use of the application-orchestration Site Definition is deprecated. See https://puppet.com/docs/puppet/5.5/deprecated_language.html";
    const MAPPING_DEPRECATED: &str = "Deprecation: Use of the application-orchestration Capability Mapping is deprecated. See https://puppet.com/docs/puppet/5.5/deprecated_language.html";

    #[test]
    fn valid_code_has_no_diagnostics() {
        let src = "class a($x = 1) {\n  file { '/tmp/x': ensure => file }\n}\n\
                   node 'n.example.com' { include a }\n$y = [1, 2].map |$v| { $v * 2 }\n\
                   File <| tag == 'x' |> -> Package['p']\n";
        assert_eq!(check(src), Vec::<String>::new());
    }

    #[test]
    fn application_in_if_is_not_top_level() {
        assert_eq!(
            check("if $facts['enabled'] {\n  application x {}\n}\n"),
            [
                format!("{APP_DEPRECATED} (2:3)"),
                format!("{NOT_TOP_LEVEL} (2:3)")
            ]
        );
    }

    #[test]
    fn application_in_define_is_not_top_level() {
        assert_eq!(
            check("define d() {\n  application x {}\n}\n"),
            [
                format!("{APP_DEPRECATED} (2:3)"),
                format!("{NOT_TOP_LEVEL} (2:3)")
            ]
        );
    }

    #[test]
    fn application_in_node_is_not_top_level() {
        assert_eq!(
            check("node 'n.example.com' {\n  application x {}\n}\n"),
            [
                format!("{APP_DEPRECATED} (2:3)"),
                format!("{NOT_TOP_LEVEL} (2:3)")
            ]
        );
    }

    #[test]
    fn application_in_site_is_not_top_level() {
        assert_eq!(
            check("site {\n  application x {}\n}\n"),
            [
                format!("{SITE_DEPRECATED} (1:1)"),
                format!("{APP_DEPRECATED} (2:3)"),
                format!("{NOT_TOP_LEVEL} (2:3)")
            ]
        );
    }

    #[test]
    fn application_in_application_is_not_top_level() {
        assert_eq!(
            check("application outer {\n  application inner {}\n}\n"),
            [
                format!("{APP_DEPRECATED} (1:1)"),
                format!("{APP_DEPRECATED} (2:3)"),
                format!("{NOT_TOP_LEVEL} (2:3)")
            ]
        );
    }

    #[test]
    fn application_in_lambda_is_not_top_level() {
        assert_eq!(
            check("['a'].each |$n| {\n  application x {}\n}\n"),
            [
                format!("{APP_DEPRECATED} (2:3)"),
                format!("{NOT_TOP_LEVEL} (2:3)")
            ]
        );
    }

    #[test]
    fn application_names_must_be_lower_case_and_relative() {
        assert_eq!(
            check("application Y {}\napplication ::top::app {}\n"),
            [
                format!("{APP_DEPRECATED} (1:1)"),
                format!("{APP_DEPRECATED} (2:1)"),
                "Error: Unacceptable name. The name 'Y' is unacceptable as the name of an Application (1:1)".to_string(),
                "Error: Unacceptable name. The name '::top::app' is unacceptable as the name of an Application (2:1)".to_string(),
            ]
        );
    }

    #[test]
    fn lower_case_mapping_component_is_reported_twice() {
        let msg = "Error: Illegal type reference. The given name 'foo' does not conform to the naming rule (1:1)";
        assert_eq!(
            check("foo produces Bar { a => 1 }\n"),
            [
                format!("{MAPPING_DEPRECATED} (1:1)"),
                msg.into(),
                msg.into()
            ]
        );
    }

    #[test]
    fn lower_case_mapping_capability_is_an_illegal_classref() {
        assert_eq!(
            check("Foo produces sql { a => 1 }\n"),
            [
                format!("{MAPPING_DEPRECATED} (1:1)"),
                "Error: Illegal type reference. The given name 'sql' does not conform to the naming rule (1:1)".into()
            ]
        );
    }

    #[test]
    fn mapping_names_in_a_class_are_qualified_with_the_class_name() {
        let component = "Error: Illegal type reference. The given name 'profile::Foo' does not conform to the naming rule (2:3)";
        assert_eq!(
            check("class profile {\n  Foo consumes Sql { host => 'x' }\n}\n"),
            [
                format!("{MAPPING_DEPRECATED} (2:3)"),
                component.into(),
                "Error: Illegal type reference. The given name 'profile::Sql' does not conform to the naming rule (2:3)".into(),
                component.into(),
            ]
        );
    }

    #[test]
    fn mapping_component_must_be_a_reference_with_one_name() {
        for src in [
            "Foo[1] produces Sql {}\n",
            "Foo[a, b] produces Sql {}\n",
            "$x[a] produces Sql {}\n",
        ] {
            assert_eq!(
                check(src),
                [
                    format!("{MAPPING_DEPRECATED} (1:1)"),
                    "Error: Illegal expression. A '[]' expression is unacceptable as capability mapping in a Capability Mapping (1:1)".into()
                ],
                "{src}"
            );
        }
        assert_eq!(
            check("Foo['x'] produces Sql {}\n"),
            [format!("{MAPPING_DEPRECATED} (1:1)")]
        );
    }

    #[test]
    fn append_operator_is_illegal_in_a_mapping() {
        assert_eq!(
            check("Foo produces Sql { hosts +> ['a'] }\n"),
            [
                format!("{MAPPING_DEPRECATED} (1:1)"),
                "Error: Illegal +> operation on attribute hosts. This operator can not be used in a Capability Mapping (1:20)".into()
            ]
        );
    }

    #[test]
    fn splat_operator_is_unsupported_in_a_mapping() {
        assert_eq!(
            check("Foo produces Sql { * => $attrs }\n"),
            [
                format!("{MAPPING_DEPRECATED} (1:1)"),
                "Error: The operator '* =>' in a Capability Mapping is not supported. (1:1)".into()
            ]
        );
    }

    #[test]
    fn orchestration_deprecations_are_deprecation_severity() {
        let parsed = parse("site {}\napplication a {}\nFoo produces Sql {}\n");
        let d = validate(&parsed.program);
        assert_eq!(d.len(), 3);
        assert!(d.iter().all(|d| d.severity == Severity::Deprecation));
        assert!(d.iter().all(|d| d.code == "DEPRECATED_APP_ORCHESTRATION"));
    }

    #[test]
    fn orchestration_constructs_produce_no_value() {
        assert_eq!(
            check("$x = site {}\n"),
            [
                format!("{SITE_DEPRECATED} (1:6)"),
                "Error: Invalid use of expression. A Site Definition does not produce a value (1:6)".into()
            ]
        );
    }

    #[test]
    fn definitions_nest_only_in_classes() {
        assert_eq!(check("class a { class b {} }\n"), Vec::<String>::new());
        assert_eq!(
            check("if true { class x {} }\n"),
            [format!("{NOT_TOP_LEVEL} (1:11)")]
        );
        assert_eq!(
            check("define a { define b {} }\n"),
            [format!("{NOT_TOP_LEVEL} (1:12)")]
        );
        assert_eq!(
            check("class a { function f() {} }\n"),
            ["Error: A Function Definition may only appear at toplevel (1:11)"]
        );
        assert_eq!(
            check("class a { type X = Integer }\n"),
            ["Error: A Type Alias may only appear at toplevel (1:16)"]
        );
    }

    #[test]
    fn value_not_last_in_a_block() {
        assert_eq!(
            check("1 + 2\nnotice(1)\n"),
            [
                "Error: This '+' expression has no effect. A value was produced and then forgotten (one or more preceding expressions may have the wrong form) (1:3)"
            ]
        );
        assert_eq!(
            check("if $x {}\nnotice(1)\n"),
            [
                "Error: This 'if' statement has no effect. A value was produced and then forgotten (one or more preceding expressions may have the wrong form) (1:1)"
            ]
        );
        assert_eq!(check("$x =~ /a/\nnotice(1)\n"), Vec::<String>::new());
    }

    #[test]
    fn definition_ending_with_a_value() {
        assert_eq!(
            check("class a { notice(1) 1 }\n"),
            [
                "Error: This Literal Integer has no effect. A Host Class Definition can not end with a value-producing expression without other effect (1:21)"
            ]
        );
        assert_eq!(
            check("node n { 'x' }\n"),
            [
                "Error: This String has no effect. A Node Definition can not end with a value-producing expression without other effect (1:10)"
            ]
        );
    }

    #[test]
    fn resource_without_title() {
        assert_eq!(
            check("foo { a => 1, a => 2 }\n"),
            [
                "Warning: The key 'a' is declared more than once (1:5)",
                "Error: This expression is invalid. Did you try declaring a 'foo' resource without a title? (1:1)"
            ]
        );
    }

    #[test]
    fn assignments() {
        assert_eq!(
            check("$::a = 1\n"),
            [
                "Error: Illegal attempt to assign to '::a'. Cannot assign to variables in other namespaces (1:1)"
            ]
        );
        assert_eq!(
            check("$1 = 1\n"),
            [
                "Error: Illegal attempt to assign to the numeric match result variable '$1'. Numeric variables are not assignable (1:1)"
            ]
        );
        assert_eq!(
            check("$x[1] = 2\n"),
            ["Error: Illegal attempt to assign via [index/key]. Not an assignable reference (1:1)"]
        );
        assert_eq!(
            check("foo = 1\n"),
            ["Error: Illegal attempt to assign to 'a Name'. Not an assignable reference (1:1)"]
        );
        assert_eq!(
            check("$x += 1\n$y -= 1\n"),
            [
                "Error: The operator '+=' is no longer supported. See http://links.puppet.com/remove-plus-equals (1:4)",
                "Error: The operator '-=' is no longer supported. See http://links.puppet.com/remove-plus-equals (2:4)"
            ]
        );
    }

    #[test]
    fn variable_names() {
        assert_eq!(
            check("$A = 1\n"),
            [
                "Error: Illegal variable name, The given name 'A' does not conform to the naming rule /^((::)?[a-z]\\w*)*((::)?[a-z_]\\w*)$/ (1:1)"
            ]
        );
        assert_eq!(
            check("$x = \"${01}\"\n"),
            [
                "Error: Illegal numeric variable name, The given name '01' must be a decimal value if it starts with a digit 0-9 (1:9)"
            ]
        );
    }

    #[test]
    fn parameters() {
        assert_eq!(
            check("class a($name, $x, $x, *$r, $A, $y = [$z = 1]) {}\n"),
            [
                "Error: Parameter $r has 'captures rest' - not supported in a Host Class Definition (1:25)",
                "Error: The parameter 'x' is declared more than once in the parameter list (1:20)",
                "Error: The parameter $name redefines a built in parameter in the Host Class Definition (1:9)",
                "Error: Illegal parameter name. The given name 'A' does not conform to the naming rule /^[a-z_]\\w*$/ (1:29)",
                "Error: Assignment not allowed here (1:42)",
            ]
        );
        assert_eq!(
            check("[1].each |*$a, $b| {}\n"),
            ["Error: Parameter $a is not last, and has 'captures rest' (1:12)"]
        );
    }

    #[test]
    fn collector_queries_and_values() {
        assert_eq!(
            check("File <| title =~ 'x' |>\n"),
            ["Error: Illegal query expression. A '=~' expression cannot be used in a query (1:15)"]
        );
        assert_eq!(
            check("$x = File <<| |>>\n"),
            ["Error: Invalid use of expression. An Exported Query does not produce a value (1:6)"]
        );
    }

    #[test]
    fn hostnames_and_node_inheritance() {
        assert_eq!(
            check("node 'a b' {}\nnode \"a${x}\" {}\nnode n inherits m {}\n"),
            [
                "Error: The hostname 'a b' contains illegal characters (only letters, digits, '_', '-', and '.' are allowed) (1:6)",
                "Error: An interpolated expression is not allowed in a hostname of a node (2:10)",
                "Error: Node inheritance is not supported in Puppet >= 4.0.0. See http://links.puppet.com/puppet-node-inheritance-deprecation (3:17)",
            ]
        );
    }

    #[test]
    fn resources_forms_and_attribute_operators() {
        assert_eq!(
            check("@class { 'x': }\n"),
            ["Error: Classes are not virtualizable (1:1)"]
        );
        assert_eq!(
            check("@File { a => 1 }\n"),
            ["Error: Resource Defaults are not virtualizable (1:1)"]
        );
        assert_eq!(
            check("file { 'x': a +> 1 }\n"),
            [
                "Error: Illegal +> operation on attribute a. This operator can not be used in a Resource Instance Definition (1:13)"
            ]
        );
        assert_eq!(check("File['x'] { a +> 1 }\n"), Vec::<String>::new());
        assert_eq!(
            check("file { 'x': * => $a, * => $b }\n"),
            [
                "Error: Unfolding of attributes from Hash can only be used once per resource body (1:22)"
            ]
        );
    }

    #[test]
    fn case_and_selector_defaults() {
        assert_eq!(
            check("case $x { default: {} 1, default: {} }\n"),
            [
                "Error: This 'case' statement already has a 'default' entry - this is a duplicate (1:26)"
            ]
        );
        assert_eq!(
            check("$y = $x ? { default => 1, default => 2 }\n"),
            [
                "Error: This Selector Expression already has a 'default' entry - this is a duplicate (1:27)"
            ]
        );
    }

    #[test]
    fn literals() {
        assert_eq!(
            check("$x = 9223372036854775808\n"),
            [
                "Error: A Literal Integer resulted in a value outside of Puppet Integer max range, got '+0x8000000000000000' (1:6)"
            ]
        );
        assert_eq!(
            check("$x = attr\n"),
            [
                "Error: Use of reserved word: attr, must be quoted if intended to be a String value (1:6)"
            ]
        );
        assert_eq!(
            check("$h = {1 => 1, 0x1 => 2, [1, 'a'] => 3, [1, 'a'] => 4}\n"),
            [
                "Warning: The key '1' is declared more than once (1:19)",
                "Warning: The key '[1, \"a\"]' is declared more than once (1:49)",
            ]
        );
    }

    #[test]
    fn definition_names() {
        assert_eq!(
            check("class Foo {}\n"),
            [
                "Error: Unacceptable name. The name 'Foo' is unacceptable as the name of a Host Class Definition (1:1)"
            ]
        );
        assert_eq!(
            check("define string {}\n"),
            [
                "Error: The name: 'string' is already defined by Puppet and can not be used as the name of a 'define' expression. (1:1)"
            ]
        );
        assert_eq!(
            check("class plan {}\n"),
            ["Deprecation: Use of future reserved word: 'plan' (1:1)"]
        );
    }

    #[test]
    fn type_definitions_and_mappings() {
        assert_eq!(
            check("type X = [1]\n"),
            [
                "Error: Illegal expression. An Array Expression is unacceptable as a type reference in a Type Alias (1:10)"
            ]
        );
        assert_eq!(check("type X = Object { a => 1 }\n"), Vec::<String>::new());
        assert_eq!(
            check("type X inherits Y {}\n"),
            [
                "Error: Expressions of type a Type Definition are not supported in this version of Puppet (1:1)"
            ]
        );
        assert_eq!(
            check("type Runtime['ruby', 'a'] = [1]\n"),
            [
                "Error: Illegal type mapping. Expected a Type on the left side, got A Type Mapping (1:6)"
            ]
        );
    }

    #[test]
    fn heredoc_syntax_checks_stop_validation() {
        assert_eq!(
            check("$A = 1\n$a = @(END:json)\n{\"a\": 1,}\nEND\n"),
            [
                "Error: Invalid produced text having syntax: 'json'. JSON syntax checker: Cannot parse invalid JSON string. \"859: unexpected token at '{\"a\": 1,}\\n'\" (3:1)"
            ]
        );
        assert_eq!(
            check_exact("$a = @(END:base64)\n  YWJjZA=\n  | END\n"),
            [
                "Error: Invalid produced text having syntax: 'base64'. Base64 syntax checker: Cannot parse invalid Base64 string - padding is not correct (2:1)"
            ]
        );
        assert_eq!(
            check_exact("$a = @(END:pp)\n  $A = 1\n  | END\n"),
            [
                "Error: Invalid produced text having syntax: 'pp'. PP syntax checker: \"Illegal variable name, The given name 'A' does not conform to the naming rule /^((::)?[a-z]\\w*)*((::)?[a-z_]\\w*)$/ (line: 1, column: 1)\" (2:1)"
            ]
        );
        assert_eq!(
            check("$a = @(END:json)\n[1, {\"b\": null}]\nEND\n"),
            Vec::<String>::new()
        );
    }

    #[test]
    fn checker_exceptions_are_reported_alone() {
        assert_eq!(
            check("$A = 1\n$a = \"${true}\"\n"),
            ["Error: undefined method `[]' for true:TrueClass"]
        );
        assert_eq!(
            check("foo { * => $x }\n"),
            [
                "Error: Visitor Error: the configured receiver (Puppet::Pops::Validation::Checker4_0) can't handle instance of: NilClass"
            ]
        );
    }

    #[test]
    fn operator_positions_with_the_source() {
        let src = "$x = 1 /* c */ + 2 ; 3 /* d */ + 4\nnotice($x)\n";
        assert_eq!(
            check_exact(src),
            [
                "Error: This '+' expression has no effect. A value was produced and then forgotten (one or more preceding expressions may have the wrong form) (1:32)"
            ]
        );
        assert_eq!(
            check_exact("$a\n  and $b\nnotice(1)\n"),
            [
                "Error: This 'and' expression has no effect. A value was produced and then forgotten (one or more preceding expressions may have the wrong form) (2:3)"
            ]
        );
        assert_eq!(
            check_exact("class a(Integer  $x, String\n   $x) {}\n"),
            ["Error: The parameter 'x' is declared more than once in the parameter list (2:4)"]
        );
    }

    #[test]
    fn at_most_ten_problems_of_each_severity() {
        let src: String = (0..12).map(|i| format!("$A{i} = 1\nsite {{}}\n")).collect();
        let d = check(&src);
        assert_eq!(d.iter().filter(|d| d.starts_with("Error")).count(), 10);
        assert_eq!(
            d.iter().filter(|d| d.starts_with("Deprecation")).count(),
            10
        );
    }
}

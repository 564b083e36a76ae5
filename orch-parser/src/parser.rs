//! The parser: tokens to [`Program`], following the productions of Puppet's `egrammar.ra`
//! (5.5.22) with operator precedence climbing in place of the LALR tables.
//!
//! Like Puppet, it stops at the first syntax error and reports it at the token where the grammar
//! cannot go on, in Puppet's words.

use crate::ast::*;
use crate::error::Diagnostic;
use crate::lexer::{Lexed, Tok, Token};
use crate::span::Span;
use compact_str::ToCompactString;
use thin_vec::thin_vec;

/// Errors are boxed: the `Ok` path, taken for every node, stays small.
type PResult<T> = Result<T, Box<Diagnostic>>;

/// Function names that may be called without parentheses as statements (`include a, b`).
const STATEMENT_CALLS: &[&str] = &[
    "require", "realize", "include", "contain", "tag", "debug", "info", "notice", "warning", "err",
    "fail", "import", "break", "next", "return",
];

/// One statement as the grammar sees it: an expression, or a comma-separated list (the
/// arguments of a parenthesis-free call).
enum Syntactic {
    Single(Expr),
    List(List<Expr>, Span),
}

pub(crate) struct Parser<'a> {
    src: &'a str,
    toks: &'a [Token],
    lexed: &'a Lexed,
    pos: usize,
    namestack: Vec<Str>,
    /// The level the program starts at: more than 0 for code checked inside a heredoc.
    base: u32,
    /// The nesting level being parsed (see [`MAX_NESTING`]).
    depth: u32,
    /// The highest level reached in the current chain scope: an upper bound of the height of
    /// what was built there, on which a chain (`a + b + c`, `$x[0][1]`, `a -> b`) stacks.
    peak: u32,
}

/// How deep expressions may nest, in levels: each nested expression (an operand, an element,
/// a statement in a body, ...) and each link of a chain (`a + b + c`, `$x[0][0]`, `a -> b`,
/// `elsif`) is one level. This bounds both the parser's recursion and the height of the tree,
/// so every later walk over the tree (validation, dumps, drop, evaluation) is bounded too.
///
/// This is orch's own limit, not Puppet's: Puppet has none, and fails on such input with
/// Ruby's `SystemStackError` ("stack level too deep"). Real manifests nest a few dozen levels;
/// 1,000 levels of the deepest walk fit with a wide margin in a 2 MiB thread stack in a
/// release build (and in 8 MiB unoptimised).
pub const MAX_NESTING: u32 = 500;

// Binding powers (higher binds tighter), after the `prechigh` table of egrammar.ra.
const BP_OR: u8 = 1;
const BP_AND: u8 = 2;
const BP_QMARK: u8 = 3;
const BP_REL: u8 = 4;
const BP_EQ: u8 = 5;
const BP_SHIFT: u8 = 6;
const BP_ADD: u8 = 7;
const BP_MUL: u8 = 8;
const BP_MATCH: u8 = 9;
const BP_IN: u8 = 10;
const BP_UMINUS: u8 = 11;
const BP_SPLAT: u8 = 12;
const BP_NOT: u8 = 13;

fn infix(t: Tok) -> Option<(u8, BinaryOp)> {
    use BinaryOp as B;
    Some(match t {
        Tok::Or => (BP_OR, B::Or),
        Tok::And => (BP_AND, B::And),
        Tok::GreaterThan => (BP_REL, B::Gt),
        Tok::GreaterEqual => (BP_REL, B::Ge),
        Tok::LessThan => (BP_REL, B::Lt),
        Tok::LessEqual => (BP_REL, B::Le),
        Tok::IsEqual => (BP_EQ, B::Eq),
        Tok::NotEqual => (BP_EQ, B::Ne),
        Tok::LShift => (BP_SHIFT, B::Shl),
        Tok::RShift => (BP_SHIFT, B::Shr),
        Tok::Plus => (BP_ADD, B::Add),
        Tok::Minus => (BP_ADD, B::Sub),
        Tok::Times => (BP_MUL, B::Mul),
        Tok::Div => (BP_MUL, B::Div),
        Tok::Modulo => (BP_MUL, B::Mod),
        Tok::Match => (BP_MATCH, B::Match),
        Tok::NoMatch => (BP_MATCH, B::NotMatch),
        Tok::In => (BP_IN, B::In),
        _ => return None,
    })
}

fn boxed(e: Expr) -> Box<Expr> {
    Box::new(e)
}

impl<'a> Parser<'a> {
    pub(crate) fn new(src: &'a str, lexed: &'a Lexed, base: u32) -> Parser<'a> {
        Parser {
            src,
            toks: &lexed.tokens,
            lexed,
            pos: 0,
            namestack: vec![],
            base,
            depth: base,
            peak: base,
        }
    }

    // ---- nesting bound ------------------------------------------------------------------

    /// Runs `f` one nesting level deeper, in a chain scope of its own; fails without calling
    /// `f` when that level is beyond [`MAX_NESTING`].
    #[inline(always)]
    fn nested<T>(&mut self, f: impl FnOnce(&mut Self) -> PResult<T>) -> PResult<T> {
        let (depth, peak) = (self.depth, self.peak);
        if depth >= MAX_NESTING {
            return Err(self.too_deep());
        }
        self.depth = depth + 1;
        self.peak = depth + 1;
        let r = f(self);
        self.depth = depth;
        self.peak = self.peak.max(peak);
        r
    }

    /// Runs `f` (which builds a chain with [`Parser::above`] and [`Parser::grew`]) in a chain
    /// scope at the current level.
    #[inline(always)]
    fn chain_scope<T>(&mut self, f: impl FnOnce(&mut Self) -> PResult<T>) -> PResult<T> {
        let (depth, peak) = (self.depth, self.peak);
        self.peak = depth;
        let r = f(self);
        self.depth = depth;
        self.peak = self.peak.max(peak);
        r
    }

    /// What follows is parsed above everything built so far in this chain scope.
    #[inline(always)]
    fn above(&mut self) {
        self.depth = self.peak;
    }

    /// The chain's last node was wrapped in one more: one level higher.
    #[inline(always)]
    fn grew(&mut self) -> PResult<()> {
        if self.peak >= MAX_NESTING {
            return Err(self.too_deep());
        }
        self.peak += 1;
        self.depth = self.peak;
        Ok(())
    }

    /// The error for input nested beyond [`MAX_NESTING`], at the current token.
    #[cold]
    #[inline(never)]
    fn too_deep(&self) -> Box<Diagnostic> {
        let at = self.tok().start;
        Box::new(Diagnostic::error(
            "NESTING_TOO_DEEP",
            crate::error::LexErrorKind::NestingTooDeep.to_string(),
            at as usize,
        ))
    }

    // ---- token access -------------------------------------------------------------------

    fn tok(&self) -> &'a Token {
        &self.toks[self.pos.min(self.toks.len() - 1)]
    }

    fn kind(&self) -> Tok {
        self.tok().kind
    }

    fn kind_at(&self, n: usize) -> Tok {
        self.toks.get(self.pos + n).map_or(Tok::Eof, |t| t.kind)
    }

    fn bump(&mut self) -> &'a Token {
        let t = self.tok();
        if self.pos < self.toks.len() - 1 {
            self.pos += 1;
        }
        t
    }

    fn at(&self, k: Tok) -> bool {
        self.kind() == k
    }

    fn eat(&mut self, k: Tok) -> bool {
        if self.at(k) {
            self.bump();
            true
        } else {
            false
        }
    }

    fn expect(&mut self, k: Tok) -> PResult<&'a Token> {
        if self.at(k) {
            Ok(self.bump())
        } else {
            Err(self.syntax_error())
        }
    }

    fn span_of(t: &Token) -> Span {
        Span {
            start: t.start,
            end: t.end,
        }
    }

    #[inline(always)]
    fn text(&self, t: &'a Token) -> &'a str {
        match self.lexed.value(t) {
            Some(v) => v,
            None => crate::lexer::token_text(t.kind, &self.src[t.start as usize..t.end as usize]),
        }
    }

    /// Puppet's `Syntax error at '<token>'` for the current token (or the lexical error that
    /// ended the token stream).
    pub(crate) fn syntax_error(&self) -> Box<Diagnostic> {
        Box::new(self.syntax_diagnostic())
    }

    fn syntax_diagnostic(&self) -> Diagnostic {
        let t = self.tok();
        match t.kind {
            Tok::LexError => {
                let (kind, off) = self
                    .lexed
                    .error
                    .clone()
                    .expect("a LexError token comes with its error");
                let mut d = Diagnostic::error(lex_code(&kind), kind.to_string(), off);
                if off == usize::MAX {
                    // A byte order mark is reported without a position.
                    d.offset = None;
                }
                d
            }
            Tok::Eof => Diagnostic {
                message: "Syntax error at end of input".to_string(),
                offset: None,
                severity: crate::error::Severity::Error,
                code: "SYNTAX_ERROR",
            },
            _ => {
                let value = match t.kind {
                    Tok::Regex => format!("(?-mix:{})", self.text(t)),
                    _ => self.text(t).to_string(),
                };
                Diagnostic::error(
                    "SYNTAX_ERROR",
                    format!("Syntax error at '{value}'"),
                    t.start as usize,
                )
            }
        }
    }

    fn error_at(&self, message: &str, offset: u32) -> Box<Diagnostic> {
        Box::new(Diagnostic::error("SYNTAX_ERROR", message, offset as usize))
    }

    // ---- program and statements -----------------------------------------------------------

    /// Parses the whole token stream. After a syntax error it goes on from the next definition
    /// that starts a line (`class`, `define`, `node`, ...), so that one run reports the errors of
    /// every independent part of the file; the first error is the one Puppet reports. Returns
    /// the statements that parsed (a partial program after errors) and the errors.
    pub(crate) fn parse_program_recovering(&mut self) -> (Program, Vec<Diagnostic>) {
        let end = self.src.len();
        let mut stmts: List<Expr> = thin_vec![];
        let mut errors = vec![];
        while !self.at(Tok::Eof) {
            let (segment, error) = self.parse_segment();
            stmts.extend(segment);
            match error {
                None => break,
                Some(e) => {
                    errors.push(*e);
                    if !self.resync() {
                        break;
                    }
                }
            }
        }
        let body = if stmts.is_empty() {
            Expr::new(ExprKind::Nop, Span::new(end, end))
        } else {
            block_or_expression(stmts, None)
        };
        (Program { body }, errors)
    }

    /// Top-level statements up to the end of input or the first syntax error.
    fn parse_segment(&mut self) -> (List<Expr>, Option<Box<Diagnostic>>) {
        self.depth = self.base;
        self.peak = self.base;
        let mut parsed: Vec<Syntactic> = vec![];
        let error = loop {
            match self.parse_syntactic_statement() {
                Ok(s) => parsed.push(s),
                Err(e) => break Some(e),
            }
            if self.at(Tok::Semic) {
                self.bump();
                continue;
            }
            if self.at(Tok::Eof) {
                break None;
            }
            if !self.starts_expression() {
                break Some(self.syntax_error());
            }
        };
        match transform_calls(parsed) {
            Ok(stmts) => (stmts, error),
            Err(e) => (thin_vec![], error.or(Some(e))),
        }
    }

    /// Moves to the next definition keyword at the start of a line, after the current token.
    /// False when there is none, or when the lexer stopped (nothing after a lexical error).
    fn resync(&mut self) -> bool {
        let bytes = self.src.as_bytes();
        let mut i = self.pos + 1;
        while let Some(t) = self.toks.get(i) {
            if matches!(t.kind, Tok::Eof | Tok::LexError) {
                return false;
            }
            let line_start = t.start == 0 || bytes.get(t.start as usize - 1) == Some(&b'\n');
            let next = self.toks.get(i + 1).map_or(Tok::Eof, |n| n.kind);
            let starts_definition = match t.kind {
                Tok::Class => matches!(next, Tok::Name | Tok::Word | Tok::ClassRef),
                Tok::Define | Tok::Application | Tok::Function => {
                    matches!(next, Tok::Name | Tok::Word | Tok::ClassRef)
                }
                Tok::Node => true,
                Tok::Site => next == Tok::LBrace,
                Tok::Type => next == Tok::ClassRef,
                _ => false,
            };
            if line_start && starts_definition {
                self.pos = i;
                return true;
            }
            i += 1;
        }
        false
    }

    /// `statements`: one or more syntactic statements separated by `;` or nothing.
    fn parse_statements(&mut self) -> PResult<List<Expr>> {
        let mut list = vec![self.parse_syntactic_statement()?];
        loop {
            if self.eat(Tok::Semic) || self.starts_expression() {
                list.push(self.parse_syntactic_statement()?);
            } else {
                break;
            }
        }
        transform_calls(list)
    }

    /// True if the current token can start an expression (a new statement).
    fn starts_expression(&self) -> bool {
        use Tok::*;
        matches!(
            self.kind(),
            Variable
                | BoolVariable
                | Name
                | Word
                | String
                | DqPre
                | Heredoc
                | ClassRef
                | Number
                | Boolean
                | Default
                | Undef
                | Regex
                | Attr
                | Private
                | ListStart
                | LBrack
                | LBrace
                | If
                | Unless
                | Case
                | Class
                | Define
                | Application
                | Node
                | Site
                | Function
                | Type
                | Not
                | Minus
                | Times
                | LParen
                | WsLParen
                | At
                | AtAt
        )
    }

    fn parse_syntactic_statement(&mut self) -> PResult<Syntactic> {
        let first = self.parse_assignment()?;
        if !self.at(Tok::Comma) {
            return Ok(Syntactic::Single(first));
        }
        let comma = Self::span_of(self.tok());
        let mut items = thin_vec![first];
        while self.eat(Tok::Comma) {
            items.push(self.parse_assignment()?);
        }
        Ok(Syntactic::List(items, comma))
    }

    /// `{ statements }` or `{ }`: returns the statements (empty for `{}`) and the brace span.
    fn parse_braced_statements(&mut self) -> PResult<(List<Expr>, Span)> {
        let lb = self.expect(Tok::LBrace)?;
        if self.at(Tok::RBrace) {
            let rb = self.bump();
            return Ok((thin_vec![], Self::span_of(lb).to(Self::span_of(rb))));
        }
        let stmts = self.parse_statements()?;
        let rb = self.expect(Tok::RBrace)?;
        Ok((stmts, Self::span_of(lb).to(Self::span_of(rb))))
    }

    // ---- assignment, relationship, resource ----------------------------------------------

    fn parse_assignment(&mut self) -> PResult<Expr> {
        let left = self.parse_relationship()?;
        let op = match self.kind() {
            Tok::Equals => BinaryOp::Assign,
            Tok::Appends => BinaryOp::AddAssign,
            Tok::Deletes => BinaryOp::SubAssign,
            _ => return Ok(left),
        };
        self.bump();
        let right = self.nested(Self::parse_assignment)?;
        let span = left.span.to(right.span);
        Ok(Expr::new(
            ExprKind::Binary {
                op,
                left: boxed(left),
                right: boxed(right),
            },
            span,
        ))
    }

    #[inline(always)]
    fn parse_relationship(&mut self) -> PResult<Expr> {
        self.chain_scope(Self::parse_relationship_chain)
    }

    fn parse_relationship_chain(&mut self) -> PResult<Expr> {
        let mut left = self.parse_resource()?;
        self.above();
        loop {
            let op = match self.kind() {
                Tok::InEdge => BinaryOp::InEdge,
                Tok::InEdgeSub => BinaryOp::InEdgeSub,
                Tok::OutEdge => BinaryOp::OutEdge,
                Tok::OutEdgeSub => BinaryOp::OutEdgeSub,
                _ => return Ok(left),
            };
            self.bump();
            let right = self.parse_resource()?;
            let span = left.span.to(right.span);
            left = Expr::new(
                ExprKind::Binary {
                    op,
                    left: boxed(left),
                    right: boxed(right),
                },
                span,
            );
            self.grew()?;
        }
    }

    fn parse_resource(&mut self) -> PResult<Expr> {
        match self.kind() {
            Tok::At | Tok::AtAt => {
                let at = self.bump();
                let form = if at.kind == Tok::At {
                    ResourceForm::Virtual
                } else {
                    ResourceForm::Exported
                };
                let mut inner = self.nested(Self::parse_resource)?;
                let ok = match &mut inner.kind {
                    ExprKind::Resource { form: f, .. }
                    | ExprKind::ResourceDefaults { form: f, .. }
                    | ExprKind::ResourceOverride { form: f, .. } => {
                        *f = form;
                        true
                    }
                    _ => false,
                };
                if !ok {
                    let msg = if form == ResourceForm::Virtual {
                        "Virtual (@) can only be applied to a Resource Expression"
                    } else {
                        "Exported (@@) can only be applied to a Resource Expression"
                    };
                    return Err(self.error_at(msg, at.start));
                }
                inner.span = Self::span_of(at).to(inner.span);
                Ok(inner)
            }
            Tok::Class if self.kind_at(1) == Tok::LBrace => {
                let kw = self.bump();
                self.bump(); // {
                let bodies = self.parse_resource_bodies()?;
                self.eat(Tok::Semic);
                let rb = self.expect(Tok::RBrace)?;
                let type_name = Expr::new(
                    ExprKind::QualifiedName(Str::const_new("class")),
                    Self::span_of(kw),
                );
                let e = Expr::new(
                    ExprKind::Resource {
                        type_name: boxed(type_name),
                        bodies,
                        form: ResourceForm::Regular,
                    },
                    Self::span_of(kw).to(Self::span_of(rb)),
                );
                self.resource_tail(e)
            }
            _ => {
                let e = self.parse_expression(0)?;
                self.resource_tail(e)
            }
        }
    }

    /// `resource LBRACE ...` (left recursive in the grammar).
    fn resource_tail(&mut self, mut e: Expr) -> PResult<Expr> {
        if self.at(Tok::LBrace) {
            self.above();
            while self.at(Tok::LBrace) {
                e = self.parse_resource_body_after(e)?;
                self.grew()?;
            }
        }
        Ok(e)
    }

    fn at_attribute_operation(&self) -> bool {
        let k = self.kind();
        let k1 = self.kind_at(1);
        (k == Tok::Times && k1 == Tok::FArrow)
            || ((k == Tok::Name || k.is_keyword()) && matches!(k1, Tok::FArrow | Tok::PArrow))
    }

    #[inline(never)]
    fn parse_resource_body_after(&mut self, left: Expr) -> PResult<Expr> {
        let lb = self.expect(Tok::LBrace)?;
        if self.at(Tok::RBrace) || self.at_attribute_operation() {
            // `resource LBRACE attribute_operations endcomma RBRACE`
            let ops = self.parse_attribute_operations()?;
            self.eat(Tok::Comma);
            let rb = self.expect(Tok::RBrace)?;
            let span = left.span.to(Self::span_of(rb));
            return self.untitled_resource(left, ops, lb, span);
        }
        // `resource LBRACE expression COLON attribute_operations additional_resource_bodies RBRACE`
        let title = self.parse_expression(0)?;
        self.expect(Tok::Colon)?;
        let ops = self.parse_attribute_operations()?;
        let first_span = title.span.to(self.prev_span());
        let mut bodies = thin_vec![ResourceBody {
            title,
            operations: ops,
            span: first_span,
        }];
        self.eat(Tok::Comma);
        if self.eat(Tok::Semic) && !self.at(Tok::RBrace) {
            bodies.extend(self.parse_resource_bodies()?);
            self.eat(Tok::Semic);
        }
        let rb = self.expect(Tok::RBrace)?;
        let span = left.span.to(Self::span_of(rb));
        Ok(Expr::new(
            ExprKind::Resource {
                type_name: boxed(left),
                bodies,
                form: ResourceForm::Regular,
            },
            span,
        ))
    }

    fn prev_span(&self) -> Span {
        if self.pos == 0 {
            Span::default()
        } else {
            Self::span_of(&self.toks[self.pos - 1])
        }
    }

    /// `resource_bodies`: `title: ops` separated by `;` (an optional `,` ends each).
    fn parse_resource_bodies(&mut self) -> PResult<List<ResourceBody>> {
        let mut bodies = thin_vec![];
        loop {
            let title = self.parse_expression(0)?;
            self.expect(Tok::Colon)?;
            let ops = self.parse_attribute_operations()?;
            self.eat(Tok::Comma);
            let span = title.span.to(self.prev_span());
            bodies.push(ResourceBody {
                title,
                operations: ops,
                span,
            });
            if self.at(Tok::Semic) && !matches!(self.kind_at(1), Tok::RBrace) {
                self.bump();
                continue;
            }
            return Ok(bodies);
        }
    }

    /// The shapes of `X { attribute_operations }`.
    fn untitled_resource(
        &mut self,
        left: Expr,
        ops: List<AttributeOperation>,
        lb: &Token,
        span: Span,
    ) -> PResult<Expr> {
        match &left.kind {
            ExprKind::QualifiedName(_) => {
                // Not a resource: a name followed by a hash (`notice {a => 1}` is a call).
                let mut entries = thin_vec![];
                for op in ops {
                    match op {
                        AttributeOperation::Attribute {
                            name,
                            op: AttributeOp::Set,
                            value,
                            span,
                        } => entries.push(KeyedEntry {
                            key: Expr::new(ExprKind::LiteralString(name), span),
                            value,
                            span,
                        }),
                        AttributeOperation::Attribute { .. } => {
                            return Err(self.error_at(
                                "Syntax error resource body without title or hash with +>",
                                lb.start,
                            ));
                        }
                        AttributeOperation::Splat { span, .. } => entries.push(KeyedEntry {
                            key: Expr::new(ExprKind::Nop, span),
                            value: Expr::new(ExprKind::Nil, span),
                            span,
                        }),
                    }
                }
                let hash_span = Self::span_of(lb).to(span);
                let hash = Expr::new(
                    ExprKind::LiteralHash {
                        entries,
                        unfolded: false,
                    },
                    hash_span,
                );
                let stmts =
                    transform_calls(vec![Syntactic::Single(left), Syntactic::Single(hash)])?;
                Ok(block_or_expression(stmts, None))
            }
            ExprKind::QualifiedReference(_) => Ok(Expr::new(
                ExprKind::ResourceDefaults {
                    type_ref: boxed(left),
                    operations: ops,
                    form: ResourceForm::Regular,
                },
                span,
            )),
            ExprKind::Access { .. } => Ok(Expr::new(
                ExprKind::ResourceOverride {
                    resources: boxed(left),
                    operations: ops,
                    form: ResourceForm::Regular,
                },
                span,
            )),
            _ => Err(self.error_at(
                "Expression is not valid as a resource, resource-default, or resource-override",
                crate::validate::puppet_offset(self.src, &left) as u32,
            )),
        }
    }

    /// `attribute_operations` (possibly empty), separated by commas; a trailing comma is left
    /// for the caller.
    fn parse_attribute_operations(&mut self) -> PResult<List<AttributeOperation>> {
        let mut ops = thin_vec![];
        loop {
            if self.at_attribute_operation() {
                ops.push(self.parse_attribute_operation()?);
            } else if self.at_attribute_start() {
                // The grammar takes the name, then fails on what follows it.
                self.bump();
                return Err(self.syntax_error());
            } else {
                return Ok(ops);
            }
            if self.at(Tok::Comma) && {
                let k = self.kind_at(1);
                k == Tok::Times || k == Tok::Name || k.is_keyword()
            } {
                self.bump();
                continue;
            }
            return Ok(ops);
        }
    }

    fn at_attribute_start(&self) -> bool {
        let k = self.kind();
        k == Tok::Times || k == Tok::Name || k.is_keyword()
    }

    fn parse_attribute_operation(&mut self) -> PResult<AttributeOperation> {
        let first = self.bump();
        if first.kind == Tok::Times {
            self.expect(Tok::FArrow)?;
            let value = self.parse_expression(0)?;
            let span = Self::span_of(first).to(value.span);
            return Ok(AttributeOperation::Splat { value, span });
        }
        let name = Str::from(self.text(first));
        let op = match self.bump().kind {
            Tok::FArrow => AttributeOp::Set,
            _ => AttributeOp::Append,
        };
        let value = self.parse_expression(0)?;
        let span = Self::span_of(first).to(value.span);
        Ok(AttributeOperation::Attribute {
            name,
            op,
            value,
            span,
        })
    }

    // ---- expressions --------------------------------------------------------------------

    pub(crate) fn parse_expression(&mut self, min_bp: u8) -> PResult<Expr> {
        self.nested(|p| p.parse_operators(min_bp))
    }

    /// An operand and its postfix and infix operators (precedence climbing).
    fn parse_operators(&mut self, min_bp: u8) -> PResult<Expr> {
        let mut left = self.parse_prefix()?;
        self.above();
        loop {
            left = match self.kind() {
                Tok::LBrack => self.parse_access(left)?,
                Tok::Dot => self.parse_method_call(left)?,
                Tok::LParen => self.parse_call(left)?,
                Tok::LCollect | Tok::LLCollect => self.parse_collect(left)?,
                Tok::QMark if BP_QMARK >= min_bp => self.parse_selector(left)?,
                Tok::Produces | Tok::Consumes => self.parse_capability_mapping(left)?,
                k => match infix(k) {
                    Some((bp, op)) if bp >= min_bp => {
                        self.bump();
                        let right = self.parse_expression(bp + 1)?;
                        let span = left.span.to(right.span);
                        Expr::new(
                            ExprKind::Binary {
                                op,
                                left: boxed(left),
                                right: boxed(right),
                            },
                            span,
                        )
                    }
                    _ => return Ok(left),
                },
            };
            self.grew()?;
        }
    }

    #[inline(always)]
    fn parse_prefix(&mut self) -> PResult<Expr> {
        let t = self.tok();
        match t.kind {
            Tok::Not => {
                self.bump();
                let e = self.parse_expression(BP_NOT)?;
                let span = Self::span_of(t).to(e.span);
                Ok(Expr::new(ExprKind::Not(boxed(e)), span))
            }
            Tok::Minus => {
                self.bump();
                let e = self.parse_expression(BP_UMINUS)?;
                let span = Self::span_of(t).to(e.span);
                Ok(Expr::new(ExprKind::UnaryMinus(boxed(e)), span))
            }
            Tok::Times => {
                self.bump();
                let e = self.parse_expression(BP_SPLAT)?;
                let span = Self::span_of(t).to(e.span);
                Ok(Expr::new(ExprKind::Unfold(boxed(e)), span))
            }
            Tok::LParen | Tok::WsLParen => {
                self.bump();
                let e = self.parse_assignment()?;
                let rp = self.expect(Tok::RParen)?;
                Ok(Expr::new(
                    ExprKind::Paren(boxed(e)),
                    Self::span_of(t).to(Self::span_of(rp)),
                ))
            }
            _ => self.parse_primary(),
        }
    }

    #[inline(never)]
    fn parse_access(&mut self, left: Expr) -> PResult<Expr> {
        self.bump(); // [
        let keys = self.parse_access_args()?;
        self.eat(Tok::Comma);
        let rb = self.expect(Tok::RBrack)?;
        let span = left.span.to(Self::span_of(rb));
        Ok(Expr::new(
            ExprKind::Access {
                left: boxed(left),
                keys,
            },
            span,
        ))
    }

    /// `access_args`: expressions or `k => v` pairs (adjacent pairs merge into one hash).
    fn parse_access_args(&mut self) -> PResult<List<Expr>> {
        let mut args: List<Expr> = thin_vec![];
        loop {
            let e = self.parse_expression(0)?;
            let arg = if self.at(Tok::FArrow) {
                self.bump();
                let v = self.parse_hash_entry_value()?;
                unfolded_pair(e, v)
            } else {
                e
            };
            push_argument(&mut args, arg);
            if self.at(Tok::Comma) && self.kind_at(1) != Tok::RBrack {
                self.bump();
                continue;
            }
            return Ok(args);
        }
    }

    fn parse_hash_entry_value(&mut self) -> PResult<Expr> {
        if let Some(e) = self.collection_keyword() {
            return Ok(e);
        }
        self.parse_assignment()
    }

    /// `TYPE`, `FUNCTION` and the application-orchestration keywords as string values in
    /// collections (when not followed by something that makes them an expression).
    fn collection_keyword(&mut self) -> Option<Expr> {
        let t = self.tok();
        let is_kw = matches!(
            t.kind,
            Tok::Type
                | Tok::Function
                | Tok::Application
                | Tok::Consumes
                | Tok::Produces
                | Tok::Site
        );
        if !is_kw {
            return None;
        }
        // `type(...)` is a call, `type Foo = ...` an alias, `site { }` a site, ...
        let next = self.kind_at(1);
        let is_value = matches!(next, Tok::Comma | Tok::RBrack | Tok::RBrace | Tok::FArrow);
        if !is_value {
            return None;
        }
        self.bump();
        Some(Expr::new(
            ExprKind::LiteralString(Str::from(self.text(t))),
            Self::span_of(t),
        ))
    }

    #[inline(never)]
    fn parse_method_call(&mut self, left: Expr) -> PResult<Expr> {
        self.bump(); // .
        let name_tok = self.tok();
        if !matches!(name_tok.kind, Tok::Name | Tok::Type) {
            return Err(self.syntax_error());
        }
        self.bump();
        let name = Expr::new(
            ExprKind::QualifiedName(Str::from(self.text(name_tok))),
            Self::span_of(name_tok),
        );
        let na_span = left.span.to(name.span);
        let functor = Expr::new(
            ExprKind::NamedAccess {
                left: boxed(left),
                right: boxed(name),
            },
            na_span,
        );
        let mut args = thin_vec![];
        let mut end = na_span;
        if self.at(Tok::LParen) {
            self.bump();
            if !self.at(Tok::RParen) {
                args = self.parse_arguments()?;
                if self.eat(Tok::Comma) {
                    // No trailing comma in a method call's arguments.
                    return Err(self.syntax_error());
                }
            }
            end = Self::span_of(self.expect(Tok::RParen)?);
        }
        let lambda = if self.at(Tok::Pipe) {
            Some(Box::new(self.parse_lambda()?))
        } else {
            None
        };
        if let Some(l) = &lambda {
            end = l.span;
        }
        Ok(Expr::new(
            ExprKind::CallMethod {
                functor: boxed(functor),
                args,
                lambda,
            },
            na_span.to(end),
        ))
    }

    #[inline(never)]
    fn parse_call(&mut self, functor: Expr) -> PResult<Expr> {
        self.bump(); // (
        let args = if self.at(Tok::RParen) {
            thin_vec![]
        } else {
            let a = self.parse_arguments()?;
            self.eat(Tok::Comma);
            a
        };
        let rp = self.expect(Tok::RParen)?;
        let mut span = functor.span.to(Self::span_of(rp));
        let lambda = if self.at(Tok::Pipe) {
            let l = self.parse_lambda()?;
            span = span.to(l.span);
            Some(Box::new(l))
        } else {
            None
        };
        Ok(Expr::new(
            ExprKind::CallNamed {
                functor: boxed(functor),
                rval_required: true,
                args,
                lambda,
            },
            span,
        ))
    }

    /// `arguments`: assignments or `k => v` pairs (adjacent pairs merge into one hash).
    fn parse_arguments(&mut self) -> PResult<List<Expr>> {
        let mut args: List<Expr> = thin_vec![];
        loop {
            let arg = self.parse_argument()?;
            push_argument(&mut args, arg);
            if self.at(Tok::Comma) && !matches!(self.kind_at(1), Tok::RParen) {
                self.bump();
                continue;
            }
            return Ok(args);
        }
    }

    fn parse_argument(&mut self) -> PResult<Expr> {
        self.parse_entry(false)
    }

    /// An argument or array entry: an assignment or a `key => value` pair. In arrays a lone
    /// collection keyword (`type`, `site`, ...) is a string.
    fn parse_entry(&mut self, in_array: bool) -> PResult<Expr> {
        let key = match self.collection_keyword() {
            Some(k) if in_array || self.at(Tok::FArrow) => k,
            Some(_) => {
                // `f(type)`: the keyword is not an argument; fail at what follows it.
                return Err(self.syntax_error());
            }
            None => self.parse_assignment()?,
        };
        if self.at(Tok::FArrow) {
            self.bump();
            let v = self.parse_hash_entry_value()?;
            return Ok(unfolded_pair(key, v));
        }
        Ok(key)
    }

    fn parse_lambda(&mut self) -> PResult<Lambda> {
        let start = self.expect(Tok::Pipe)?;
        let mut params = thin_vec![];
        if !self.eat(Tok::Pipe) {
            params = self.parse_parameters()?;
            self.eat(Tok::Comma);
            self.expect(Tok::Pipe)?;
        }
        let return_type = self.parse_opt_return_type()?;
        let (body, braces) = self.parse_body()?;
        Ok(Lambda {
            parameters: params,
            return_type: return_type.map(boxed),
            body: body.map(boxed),
            span: Self::span_of(start).to(braces),
        })
    }

    fn parse_opt_return_type(&mut self) -> PResult<Option<Expr>> {
        if !self.at(Tok::RShift) {
            return Ok(None);
        }
        self.bump();
        let t = self.parse_type()?;
        if self.at(Tok::LBrack) {
            self.bump();
            let keys = self.parse_access_args()?;
            let rb = self.expect(Tok::RBrack)?;
            let span = t.span.to(Self::span_of(rb));
            return Ok(Some(Expr::new(
                ExprKind::Access {
                    left: boxed(t),
                    keys,
                },
                span,
            )));
        }
        Ok(Some(t))
    }

    fn parse_type(&mut self) -> PResult<Expr> {
        let t = self.expect(Tok::ClassRef)?;
        Ok(Expr::new(
            ExprKind::QualifiedReference(Str::from(self.text(t))),
            Self::span_of(t),
        ))
    }

    #[inline(never)]
    fn parse_collect(&mut self, type_expr: Expr) -> PResult<Expr> {
        let open = self.bump();
        let exported = open.kind == Tok::LLCollect;
        let close_kind = if exported {
            Tok::RRCollect
        } else {
            Tok::RCollect
        };
        let query = if self.at(close_kind) {
            None
        } else {
            Some(self.parse_expression(0)?)
        };
        let close = self.expect(close_kind)?;
        let query_span = Self::span_of(open).to(Self::span_of(close));
        let mut span = type_expr.span.to(query_span);
        let mut operations = thin_vec![];
        if self.at(Tok::LBrace) {
            self.bump();
            operations = self.parse_attribute_operations()?;
            self.eat(Tok::Comma);
            span = span.to(Self::span_of(self.expect(Tok::RBrace)?));
        }
        Ok(Expr::new(
            ExprKind::Collect(Box::new(Collect {
                type_expr,
                exported,
                query,
                query_span,
                operations,
            })),
            span,
        ))
    }

    #[inline(never)]
    fn parse_selector(&mut self, left: Expr) -> PResult<Expr> {
        self.bump(); // ?
        let mut entries = thin_vec![];
        let end;
        if self.at(Tok::SelBrace) {
            self.bump();
            loop {
                entries.push(self.parse_selector_entry()?);
                if self.at(Tok::Comma) {
                    self.bump();
                    if self.at(Tok::RBrace) {
                        break;
                    }
                    continue;
                }
                break;
            }
            end = Self::span_of(self.expect(Tok::RBrace)?);
        } else {
            let e = self.parse_selector_entry()?;
            end = e.span;
            entries.push(e);
        }
        let span = left.span.to(end);
        Ok(Expr::new(
            ExprKind::Selector {
                left: boxed(left),
                entries,
            },
            span,
        ))
    }

    fn parse_selector_entry(&mut self) -> PResult<SelectorEntry> {
        let matching = self.parse_expression(0)?;
        self.expect(Tok::FArrow)?;
        let value = self.parse_expression(0)?;
        let span = matching.span.to(value.span);
        Ok(SelectorEntry {
            matching,
            value,
            span,
        })
    }

    /// `Component produces Cap { mappings }` (the component already parsed).
    #[inline(never)]
    fn parse_capability_mapping(&mut self, component: Expr) -> PResult<Expr> {
        if matches!(component.kind, ExprKind::LiteralString(_))
            && matches!(
                self.src.as_bytes().get(component.span.start as usize),
                Some(b'\'' | b'"')
            )
        {
            return Err(self.error_at(
                "A quoted string is not valid as a name here",
                component.span.start,
            ));
        }
        // Only a class name or a bracketed (access) expression may stand on the left.
        let component = match component.kind {
            ExprKind::QualifiedName(ref n) | ExprKind::QualifiedReference(ref n)
                if !self.component_was_paren(&component) =>
            {
                let name = self.classname(n);
                Expr::new(ExprKind::QualifiedReference(name), component.span)
            }
            ExprKind::LiteralString(ref n) if self.was_word(&component) => {
                let name = self.classname(n);
                Expr::new(ExprKind::QualifiedReference(name), component.span)
            }
            ExprKind::Access { .. } => component,
            _ => return Err(self.syntax_error()),
        };
        let kw = self.bump();
        let kind = if kw.kind == Tok::Produces {
            CapabilityKind::Produces
        } else {
            CapabilityKind::Consumes
        };
        let cap = self.parse_classname()?;
        let capability = self.classname(&cap);
        self.expect(Tok::LBrace)?;
        let mappings = self.parse_attribute_operations()?;
        self.eat(Tok::Comma);
        let rb = self.expect(Tok::RBrace)?;
        let span = component.span.to(Self::span_of(rb));
        Ok(Expr::new(
            ExprKind::CapabilityMapping(Box::new(CapabilityMapping {
                kind,
                component,
                capability: capability.clone(),
                mappings,
            })),
            span,
        ))
    }

    fn component_was_paren(&self, e: &Expr) -> bool {
        self.src
            .as_bytes()
            .get(e.span.start as usize)
            .is_some_and(|b| *b == b'(')
    }

    fn was_word(&self, e: &Expr) -> bool {
        // A WORD token (bare word with a hyphen etc.), not a quoted string.
        self.src
            .as_bytes()
            .get(e.span.start as usize)
            .is_some_and(|b| b.is_ascii_lowercase() || *b == b'_' || *b == b':')
    }

    /// `classname`: NAME, WORD or CLASSREF (with Puppet's errors for `class` and strings).
    fn parse_classname(&mut self) -> PResult<Str> {
        let t = self.tok();
        match t.kind {
            Tok::Name | Tok::Word | Tok::ClassRef => {
                self.bump();
                Ok(Str::from(self.text(t)))
            }
            Tok::Class => {
                Err(self.error_at("'class' keyword not allowed at this location", t.start))
            }
            Tok::String => {
                Err(self.error_at("A quoted string is not valid as a name here", t.start))
            }
            _ => Err(self.syntax_error()),
        }
    }

    /// The name prefixed with the enclosing classes' names (Puppet's parse-time namespace).
    fn classname(&self, name: &str) -> Str {
        if self.namestack.is_empty() {
            // `"::" + name` with one leading `::` removed.
            return Str::from(name);
        }
        let joined = format!("{}::{}", self.namestack.join("::"), name);
        Str::from(joined.strip_prefix("::").unwrap_or(&joined))
    }

    // ---- primaries ----------------------------------------------------------------------

    fn parse_primary(&mut self) -> PResult<Expr> {
        let t = self.tok();
        let sp = Self::span_of(t);
        let e = match t.kind {
            Tok::Variable => {
                self.bump();
                Expr::new(ExprKind::Variable(Str::from(self.text(t))), sp)
            }
            Tok::BoolVariable => {
                self.bump();
                Expr::new(ExprKind::BoolVariable(self.text(t) == "true"), sp)
            }
            Tok::Name => {
                self.bump();
                Expr::new(ExprKind::QualifiedName(Str::from(self.text(t))), sp)
            }
            Tok::Word => {
                self.bump();
                Expr::new(ExprKind::LiteralString(Str::from(self.text(t))), sp)
            }
            Tok::String => {
                self.bump();
                Expr::new(ExprKind::LiteralString(Str::from(self.text(t))), sp)
            }
            Tok::DqPre => self.parse_dq_string()?,
            Tok::Heredoc => self.parse_heredoc()?,
            Tok::ClassRef => {
                self.bump();
                Expr::new(ExprKind::QualifiedReference(Str::from(self.text(t))), sp)
            }
            Tok::Number => {
                self.bump();
                number_expr(self.text(t), sp)
            }
            Tok::Boolean => {
                self.bump();
                Expr::new(ExprKind::LiteralBoolean(self.text(t) == "true"), sp)
            }
            Tok::Default => {
                self.bump();
                Expr::new(ExprKind::LiteralDefault, sp)
            }
            Tok::Undef => {
                self.bump();
                Expr::new(ExprKind::LiteralUndef, sp)
            }
            Tok::Regex => {
                self.bump();
                Expr::new(ExprKind::LiteralRegex(Str::from(self.text(t))), sp)
            }
            Tok::Attr | Tok::Private => {
                self.bump();
                Expr::new(ExprKind::ReservedWord(Str::from(self.text(t))), sp)
            }
            Tok::ListStart | Tok::LBrack => self.parse_array()?,
            Tok::LBrace => self.parse_hash()?,
            Tok::If => self.parse_if()?,
            Tok::Unless => self.parse_unless()?,
            Tok::Case => self.parse_case()?,
            Tok::Class => self.parse_hostclass()?,
            Tok::Define => self.parse_define()?,
            Tok::Application => self.parse_application()?,
            Tok::Node => self.parse_node()?,
            Tok::Site => self.parse_site()?,
            Tok::Function => self.parse_function()?,
            Tok::Type => self.parse_type_keyword()?,
            _ => return Err(self.syntax_error()),
        };
        Ok(e)
    }

    fn parse_dq_string(&mut self) -> PResult<Expr> {
        let pre = self.bump();
        let mut segments = thin_vec![];
        let mut span = Self::span_of(pre);
        push_literal_segment(&mut segments, self.text(pre), Self::span_of(pre));
        loop {
            let e = self.parse_assignment()?;
            let tspan = e.span;
            segments.push(Expr::new(ExprKind::Text(boxed(interpolate(e))), tspan));
            let t = self.tok();
            match t.kind {
                Tok::DqMid => {
                    self.bump();
                    push_literal_segment(&mut segments, self.text(t), Self::span_of(t));
                }
                Tok::DqPost => {
                    self.bump();
                    push_literal_segment(&mut segments, self.text(t), Self::span_of(t));
                    span = span.to(Self::span_of(t));
                    break;
                }
                _ => return Err(self.syntax_error()),
            }
        }
        Ok(Expr::new(ExprKind::ConcatenatedString(segments), span))
    }

    fn parse_heredoc(&mut self) -> PResult<Expr> {
        let h = self.bump();
        let syntax = Str::from(self.text(h));
        let text = match self.kind() {
            Tok::String => {
                let t = self.bump();
                Expr::new(
                    ExprKind::LiteralString(Str::from(self.text(t))),
                    Self::span_of(t),
                )
            }
            Tok::DqPre => self.parse_dq_string()?,
            _ => return Err(self.syntax_error()),
        };
        Ok(Expr::new(
            ExprKind::Heredoc(Box::new(Heredoc { syntax, text })),
            Self::span_of(h),
        ))
    }

    fn parse_array(&mut self) -> PResult<Expr> {
        let open = self.bump();
        let mut values: List<Expr> = thin_vec![];
        if let Some(rb) = self.eat_tok(Tok::RBrack) {
            return Ok(Expr::new(
                ExprKind::LiteralList(values),
                Self::span_of(open).to(Self::span_of(rb)),
            ));
        }
        loop {
            let entry = self.parse_entry(true)?;
            push_argument(&mut values, entry);
            if self.at(Tok::Comma) {
                self.bump();
                if self.at(Tok::RBrack) {
                    break;
                }
                continue;
            }
            break;
        }
        let rb = self.expect(Tok::RBrack)?;
        Ok(Expr::new(
            ExprKind::LiteralList(values),
            Self::span_of(open).to(Self::span_of(rb)),
        ))
    }

    fn eat_tok(&mut self, k: Tok) -> Option<&'a Token> {
        if self.at(k) { Some(self.bump()) } else { None }
    }

    fn parse_hash(&mut self) -> PResult<Expr> {
        let open = self.bump();
        let mut entries = thin_vec![];
        if let Some(rb) = self.eat_tok(Tok::RBrace) {
            return Ok(Expr::new(
                ExprKind::LiteralHash {
                    entries,
                    unfolded: false,
                },
                Self::span_of(open).to(Self::span_of(rb)),
            ));
        }
        loop {
            let key = match self.collection_keyword() {
                Some(k) => k,
                None => self.parse_assignment()?,
            };
            let arrow = self.expect(Tok::FArrow)?;
            let value = self.parse_hash_entry_value()?;
            let span = key.span.to(value.span).to(Self::span_of(arrow));
            entries.push(KeyedEntry { key, value, span });
            if self.at(Tok::Comma) {
                self.bump();
                if self.at(Tok::RBrace) {
                    break;
                }
                continue;
            }
            break;
        }
        let rb = self.expect(Tok::RBrace)?;
        Ok(Expr::new(
            ExprKind::LiteralHash {
                entries,
                unfolded: false,
            },
            Self::span_of(open).to(Self::span_of(rb)),
        ))
    }

    fn parse_if(&mut self) -> PResult<Expr> {
        let kw = self.bump();
        let mut e = self.parse_if_part()?;
        e.span = Self::span_of(kw).to(e.span);
        Ok(e)
    }

    fn parse_if_part(&mut self) -> PResult<Expr> {
        let test = self.parse_expression(0)?;
        let (stmts, braces) = self.parse_braced_statements()?;
        let then_expr =
            (!stmts.is_empty()).then(|| boxed(block_or_expression(stmts, Some(braces))));
        let mut end = braces;
        let else_expr = match self.kind() {
            Tok::Elsif => {
                let kw = self.bump();
                let mut e = self.nested(Self::parse_if_part)?;
                e.span = Self::span_of(kw).to(e.span);
                end = e.span;
                Some(boxed(e))
            }
            Tok::Else => {
                self.bump();
                let (stmts, braces) = self.parse_braced_statements()?;
                end = braces;
                (!stmts.is_empty()).then(|| boxed(block_or_expression(stmts, Some(braces))))
            }
            _ => None,
        };
        let span = test.span.to(end);
        Ok(Expr::new(
            ExprKind::If {
                test: boxed(test),
                then_expr,
                else_expr,
            },
            span,
        ))
    }

    fn parse_unless(&mut self) -> PResult<Expr> {
        let kw = self.bump();
        let test = self.parse_expression(0)?;
        let (stmts, braces) = self.parse_braced_statements()?;
        let then_expr =
            (!stmts.is_empty()).then(|| boxed(block_or_expression(stmts, Some(braces))));
        let mut end = braces;
        let else_expr = if self.at(Tok::Else) {
            self.bump();
            let (stmts, braces) = self.parse_braced_statements()?;
            end = braces;
            (!stmts.is_empty()).then(|| boxed(block_or_expression(stmts, Some(braces))))
        } else {
            None
        };
        Ok(Expr::new(
            ExprKind::Unless {
                test: boxed(test),
                then_expr,
                else_expr,
            },
            Self::span_of(kw).to(end),
        ))
    }

    fn parse_case(&mut self) -> PResult<Expr> {
        let kw = self.bump();
        let test = self.parse_expression(0)?;
        self.expect(Tok::LBrace)?;
        let mut options = thin_vec![];
        loop {
            let mut values = thin_vec![self.parse_expression(0)?];
            while self.eat(Tok::Comma) {
                values.push(self.parse_expression(0)?);
            }
            let colon = self.expect(Tok::Colon)?;
            let (then_expr, braces) = self.parse_body()?;
            options.push(CaseOption {
                values,
                then_expr: then_expr.map(boxed),
                span: Self::span_of(colon).to(braces),
            });
            if self.at(Tok::RBrace) {
                break;
            }
        }
        let rb = self.expect(Tok::RBrace)?;
        Ok(Expr::new(
            ExprKind::Case {
                test: boxed(test),
                options,
            },
            Self::span_of(kw).to(Self::span_of(rb)),
        ))
    }

    fn parse_parameter_list(&mut self) -> PResult<List<Parameter>> {
        if !matches!(self.kind(), Tok::LParen | Tok::WsLParen) {
            return Ok(thin_vec![]);
        }
        self.bump();
        if self.eat(Tok::RParen) {
            return Ok(thin_vec![]);
        }
        let params = self.parse_parameters()?;
        self.eat(Tok::Comma);
        self.expect(Tok::RParen)?;
        Ok(params)
    }

    fn parse_parameters(&mut self) -> PResult<List<Parameter>> {
        let mut params = thin_vec![self.parse_parameter()?];
        while self.at(Tok::Comma)
            && matches!(self.kind_at(1), Tok::Variable | Tok::Times | Tok::ClassRef)
        {
            self.bump();
            params.push(self.parse_parameter()?);
        }
        Ok(params)
    }

    fn parse_parameter(&mut self) -> PResult<Parameter> {
        let start = self.tok().start;
        let type_expr = if self.at(Tok::ClassRef) {
            let t = self.parse_type()?;
            if self.at(Tok::LBrack) {
                self.bump();
                let keys = self.parse_access_args()?;
                let rb = self.expect(Tok::RBrack)?;
                let span = t.span.to(Self::span_of(rb));
                Some(Expr::new(
                    ExprKind::Access {
                        left: boxed(t),
                        keys,
                    },
                    span,
                ))
            } else {
                Some(t)
            }
        } else {
            None
        };
        let captures_rest = self.eat(Tok::Times);
        let var = self.expect(Tok::Variable)?;
        let name = Str::from(self.text(var));
        let value = if self.eat(Tok::Equals) {
            Some(self.parse_expression(0)?)
        } else {
            None
        };
        let end = value.as_ref().map_or(var.end, |v| v.span.end);
        Ok(Parameter {
            name,
            type_expr,
            value,
            captures_rest,
            span: Span { start, end },
        })
    }

    /// `{ opt_statements }` (of a definition, lambda, case option, ...): `None` for `{}`, else
    /// always a block; with the braces' span.
    fn parse_body(&mut self) -> PResult<(Option<Expr>, Span)> {
        let (stmts, braces) = self.parse_braced_statements()?;
        Ok(((!stmts.is_empty()).then(|| block_of(stmts, braces)), braces))
    }

    fn parse_hostclass(&mut self) -> PResult<Expr> {
        let kw = self.bump();
        if !matches!(
            self.kind(),
            Tok::Name | Tok::Word | Tok::ClassRef | Tok::Class | Tok::String
        ) {
            if self.lexed.dialect == crate::lexer::Dialect::Puppet5 {
                // Puppet 5.5's grammar reduces a lone `class` to the class name of a capability
                // mapping, whose action is this error.
                return Err(self.error_at("'class' keyword not allowed at this location", kw.start));
            }
            return Err(self.syntax_error());
        }
        let raw = self.parse_classname()?;
        self.namestack.push(raw.clone());
        let result = (|| -> PResult<_> {
            let parameters = self.parse_parameter_list()?;
            let parent = if self.eat(Tok::Inherits) {
                let t = self.tok();
                match t.kind {
                    Tok::Default => {
                        self.bump();
                        Some(Str::from("default"))
                    }
                    _ => Some(self.parse_classname()?),
                }
            } else {
                None
            };
            let (body, braces) = self.parse_body()?;
            Ok((parameters, parent, body, braces))
        })();
        self.namestack.pop();
        let (parameters, parent, body, braces) = result?;
        Ok(Expr::new(
            ExprKind::HostClass(Box::new(HostClass {
                name: self.classname(&raw),
                parameters,
                parent,
                body,
            })),
            Self::span_of(kw).to(braces),
        ))
    }

    /// `define` and `application`: keyword, name (namespaced), parameters, body.
    fn parse_named_definition(&mut self, make: fn(Box<Definition>) -> ExprKind) -> PResult<Expr> {
        let kw = self.bump();
        let raw = self.parse_classname()?;
        let parameters = self.parse_parameter_list()?;
        let (body, braces) = self.parse_body()?;
        Ok(Expr::new(
            make(Box::new(Definition {
                name: self.classname(&raw),
                parameters,
                body,
            })),
            Self::span_of(kw).to(braces),
        ))
    }

    fn parse_define(&mut self) -> PResult<Expr> {
        self.parse_named_definition(ExprKind::ResourceTypeDefinition)
    }

    fn parse_application(&mut self) -> PResult<Expr> {
        self.parse_named_definition(ExprKind::Application)
    }

    fn parse_site(&mut self) -> PResult<Expr> {
        let kw = self.bump();
        let (body, braces) = self.parse_body()?;
        Ok(Expr::new(
            ExprKind::SiteDefinition {
                body: body.map(boxed),
            },
            Self::span_of(kw).to(braces),
        ))
    }

    fn parse_function(&mut self) -> PResult<Expr> {
        let kw = self.bump();
        let name = self.parse_classname()?;
        let parameters = self.parse_parameter_list()?;
        let return_type = self.parse_opt_return_type()?;
        let (body, braces) = self.parse_body()?;
        Ok(Expr::new(
            ExprKind::FunctionDefinition(Box::new(FunctionDefinition {
                name,
                parameters,
                body,
                return_type,
            })),
            Self::span_of(kw).to(braces),
        ))
    }

    fn parse_node(&mut self) -> PResult<Expr> {
        let kw = self.bump();
        let mut host_matches = thin_vec![self.parse_hostname()?];
        while self.at(Tok::Comma) {
            self.bump();
            if matches!(self.kind(), Tok::LBrace | Tok::Inherits) {
                break;
            }
            host_matches.push(self.parse_hostname()?);
        }
        let parent = if self.eat(Tok::Inherits) {
            Some(boxed(self.parse_hostname()?))
        } else {
            None
        };
        let (body, braces) = self.parse_body()?;
        Ok(Expr::new(
            ExprKind::NodeDefinition {
                host_matches,
                parent,
                body: body.map(boxed),
            },
            Self::span_of(kw).to(braces),
        ))
    }

    fn parse_hostname(&mut self) -> PResult<Expr> {
        let t = self.tok();
        match t.kind {
            Tok::Name | Tok::Number => {
                self.bump();
                let mut text = Str::from(self.text(t));
                let mut span = Self::span_of(t);
                while self.at(Tok::Dot) && matches!(self.kind_at(1), Tok::Name | Tok::Number) {
                    self.bump();
                    let n = self.bump();
                    text.push('.');
                    text.push_str(self.text(n));
                    span = span.to(Self::span_of(n));
                }
                Ok(Expr::new(ExprKind::LiteralString(text), span))
            }
            Tok::String | Tok::Word => {
                self.bump();
                Ok(Expr::new(
                    ExprKind::LiteralString(Str::from(self.text(t))),
                    Self::span_of(t),
                ))
            }
            Tok::DqPre => self.parse_dq_string(),
            Tok::Heredoc => self.parse_heredoc(),
            Tok::Default => {
                self.bump();
                Ok(Expr::new(ExprKind::LiteralDefault, Self::span_of(t)))
            }
            Tok::Regex => {
                self.bump();
                Ok(Expr::new(
                    ExprKind::LiteralRegex(Str::from(self.text(t))),
                    Self::span_of(t),
                ))
            }
            _ => Err(self.syntax_error()),
        }
    }

    /// `type`: an alias, a mapping, a type definition, or `type(...)` (a call).
    fn parse_type_keyword(&mut self) -> PResult<Expr> {
        let kw = self.tok();
        match self.kind_at(1) {
            Tok::LParen => {
                self.bump();
                let f = Expr::new(
                    ExprKind::QualifiedName(Str::const_new("type")),
                    Self::span_of(kw),
                );
                self.parse_call(f)
            }
            Tok::ClassRef => {
                self.bump();
                // `type Name {` / `type Name inherits Parent {`: a type definition.
                if matches!(self.kind_at(1), Tok::LBrace | Tok::Inherits) {
                    let name_t = self.bump();
                    let name = Str::from(self.text(name_t));
                    let parent = if self.eat(Tok::Inherits) {
                        let p = self.expect(Tok::ClassRef)?;
                        Some(Str::from(self.text(p)))
                    } else {
                        None
                    };
                    let (body, braces) = self.parse_body()?;
                    return Ok(Expr::new(
                        ExprKind::TypeDefinition(Box::new(TypeDefinition { name, parent, body })),
                        Self::span_of(kw).to(braces),
                    ));
                }
                let lhs_t = self.parse_type()?;
                let lhs = if self.at(Tok::LBrack) {
                    self.bump();
                    let keys = self.parse_access_args()?;
                    let rb = self.expect(Tok::RBrack)?;
                    let span = lhs_t.span.to(Self::span_of(rb));
                    Expr::new(
                        ExprKind::Access {
                            left: boxed(lhs_t),
                            keys,
                        },
                        span,
                    )
                } else {
                    lhs_t
                };
                self.expect(Tok::Equals)?;
                let rhs = match self.kind() {
                    Tok::ClassRef => {
                        let t = self.parse_type()?;
                        match self.kind() {
                            Tok::LBrace => {
                                let h = self.parse_hash()?;
                                let span = t.span.to(h.span);
                                Expr::new(
                                    ExprKind::KeyedEntry(Box::new(KeyedEntry {
                                        key: t,
                                        value: h,
                                        span,
                                    })),
                                    span,
                                )
                            }
                            Tok::LBrack => {
                                self.bump();
                                let keys = self.parse_access_args()?;
                                self.eat(Tok::Comma);
                                let rb = self.expect(Tok::RBrack)?;
                                let span = t.span.to(Self::span_of(rb));
                                Expr::new(
                                    ExprKind::Access {
                                        left: boxed(t),
                                        keys,
                                    },
                                    span,
                                )
                            }
                            _ => t,
                        }
                    }
                    Tok::LBrace => self.parse_hash()?,
                    Tok::ListStart | Tok::LBrack => self.parse_array()?,
                    _ => return Err(self.syntax_error()),
                };
                let span = Self::span_of(kw).to(rhs.span);
                Ok(match lhs.kind {
                    ExprKind::Access { .. } => Expr::new(
                        ExprKind::TypeMapping {
                            type_expr: boxed(lhs),
                            mapping_expr: boxed(rhs),
                        },
                        span,
                    ),
                    ExprKind::QualifiedReference(name) => Expr::new(
                        ExprKind::TypeAlias(Box::new(TypeAlias {
                            name,
                            type_expr: rhs,
                        })),
                        span,
                    ),
                    _ => unreachable!("type alias left side is a type or an access"),
                })
            }
            _ => {
                self.bump();
                Err(self.syntax_error())
            }
        }
    }
}

fn lex_code(kind: &crate::error::LexErrorKind) -> &'static str {
    use crate::error::LexErrorKind as K;
    match kind {
        K::UnclosedQuote { .. } => "UNCLOSED_QUOTE",
        K::UnclosedMlComment => "UNCLOSED_MLCOMMENT",
        K::IllegalClassReference => "ILLEGAL_CLASS_REFERENCE",
        K::IllegalFullyQualifiedClassReference => "ILLEGAL_FULLY_QUALIFIED_CLASS_REFERENCE",
        K::IllegalFullyQualifiedName => "ILLEGAL_FULLY_QUALIFIED_NAME",
        K::IllegalNameOrBareWord => "ILLEGAL_NAME_OR_BARE_WORD",
        K::IllegalNumber { .. } => "ILLEGAL_NUMBER",
        K::InvalidHexNumber { .. } => "INVALID_HEX_NUMBER",
        K::InvalidOctalNumber { .. } => "INVALID_OCTAL_NUMBER",
        K::InvalidDecimalNumber { .. } => "INVALID_DECIMAL_NUMBER",
        K::HeredocUnclosedParenthesis { .. } => "HEREDOC_UNCLOSED_PARENTHESIS",
        K::HeredocWithoutEndTaggedLine => "HEREDOC_WITHOUT_END_TAGGED_LINE",
        K::HeredocInvalidEscape { .. } => "HEREDOC_INVALID_ESCAPE",
        K::HeredocInvalidSyntax => "HEREDOC_INVALID_SYNTAX",
        K::HeredocWithoutText => "HEREDOC_WITHOUT_TEXT",
        K::HeredocEmptyEndtag => "HEREDOC_EMPTY_ENDTAG",
        K::HeredocMultipleAtEscapes { .. } => "HEREDOC_MULTIPLE_AT_ESCAPES",
        K::IllegalBom { .. } => "ILLEGAL_BOM",
        K::NestingTooDeep => "NESTING_TOO_DEEP",
    }
}

/// `Factory.block_or_expression`: several statements make a block, one stays itself.
fn block_or_expression(mut stmts: List<Expr>, braces: Option<Span>) -> Expr {
    if stmts.len() == 1 {
        return stmts.pop().expect("one statement");
    }
    let span = braces.unwrap_or_else(|| {
        let first = stmts.first().map(|e| e.span).unwrap_or_default();
        let last = stmts.last().map(|e| e.span).unwrap_or_default();
        first.to(last)
    });
    Expr::new(ExprKind::Block(stmts), span)
}

/// A definition body: always a block (Puppet's `f_build_body` of an array).
fn block_of(stmts: List<Expr>, braces: Span) -> Expr {
    Expr::new(ExprKind::Block(stmts), braces)
}

fn unfolded_pair(key: Expr, value: Expr) -> Expr {
    let span = key.span.to(value.span);
    Expr::new(
        ExprKind::LiteralHash {
            entries: thin_vec![KeyedEntry { key, value, span }],
            unfolded: true,
        },
        span,
    )
}

/// `Factory.ARGUMENTS`: an unfolded hash right after another unfolded hash merges into it.
fn push_argument(args: &mut List<Expr>, arg: Expr) {
    if let ExprKind::LiteralHash {
        unfolded: true,
        entries,
    } = &arg.kind
        && let Some(Expr {
            kind:
                ExprKind::LiteralHash {
                    unfolded: true,
                    entries: last_entries,
                },
            span,
        }) = args.last_mut()
    {
        last_entries.extend(entries.iter().cloned());
        *span = span.to(arg.span);
        return;
    }
    args.push(arg);
}

fn push_literal_segment(segments: &mut List<Expr>, text: &str, span: Span) {
    // Empty literal segments are dropped (`build_ConcatenatedString`).
    if !text.is_empty() {
        segments.push(Expr::new(ExprKind::LiteralString(Str::from(text)), span));
    }
}

/// `Factory#interpolate`: names (and decimal numbers) at the head of an interpolated
/// expression become variables.
fn interpolate(e: Expr) -> Expr {
    let span = e.span;
    match e.kind {
        ExprKind::QualifiedName(name) => Expr::new(ExprKind::Variable(name), span),
        ExprKind::LiteralInteger { value, .. } => {
            Expr::new(ExprKind::Variable(value.get().to_compact_string()), span)
        }
        ExprKind::Access { left, keys } => {
            let left = if is_interop_rewriteable(&left) {
                boxed(interpolate(*left))
            } else {
                left
            };
            Expr::new(ExprKind::Access { left, keys }, span)
        }
        ExprKind::NamedAccess { left, right } => {
            let left = if is_interop_rewriteable(&left) {
                boxed(interpolate(*left))
            } else {
                left
            };
            Expr::new(ExprKind::NamedAccess { left, right }, span)
        }
        ExprKind::CallMethod {
            functor,
            args,
            lambda,
        } => {
            let functor = if is_interop_rewriteable(&functor) {
                boxed(interpolate(*functor))
            } else {
                functor
            };
            Expr::new(
                ExprKind::CallMethod {
                    functor,
                    args,
                    lambda,
                },
                span,
            )
        }
        kind => Expr::new(kind, span),
    }
}

fn is_interop_rewriteable(e: &Expr) -> bool {
    match &e.kind {
        ExprKind::Access { .. }
        | ExprKind::QualifiedName(_)
        | ExprKind::NamedAccess { .. }
        | ExprKind::CallMethod { .. } => true,
        ExprKind::LiteralInteger { radix, .. } => *radix == 10,
        _ => false,
    }
}

/// `Factory.transform_calls`: a statement-call name followed by an expression (or a comma
/// list) becomes a call without parentheses.
fn transform_calls(stmts: Vec<Syntactic>) -> PResult<List<Expr>> {
    let mut memo: List<Expr> = List::with_capacity(stmts.len());
    for s in stmts {
        let is_stmt_name = memo
            .last()
            .and_then(|e| e.as_qualified_name())
            .is_some_and(|n| STATEMENT_CALLS.contains(&n));
        if is_stmt_name {
            let name = memo.pop().expect("checked above");
            let args = match s {
                Syntactic::Single(mut e) => {
                    if let ExprKind::CallNamed { rval_required, .. } = &mut e.kind {
                        *rval_required = true;
                    }
                    thin_vec![e]
                }
                Syntactic::List(items, _) => items,
            };
            let span = name.span.to(args.last().map_or(name.span, |a| a.span));
            memo.push(Expr::new(
                ExprKind::CallNamed {
                    functor: boxed(name),
                    rval_required: false,
                    args,
                    lambda: None,
                },
                span,
            ));
            continue;
        }
        match s {
            Syntactic::List(_, comma) => {
                let message = match memo.last().and_then(|e| e.as_qualified_name()) {
                    Some(n) => format!(
                        "attempt to pass argument list to the function '{n}' which cannot be called without parentheses"
                    ),
                    None => "illegal comma separated argument list".to_string(),
                };
                return Err(Box::new(Diagnostic::error(
                    "SYNTAX_ERROR",
                    message,
                    comma.start as usize,
                )));
            }
            Syntactic::Single(mut e) => {
                if let ExprKind::CallNamed { rval_required, .. } = &mut e.kind {
                    *rval_required = false;
                }
                memo.push(e);
            }
        }
    }
    Ok(memo)
}

/// A NUMBER token as a literal (`Factory.NUMBER`).
fn number_expr(text: &str, span: Span) -> Expr {
    let b = text.as_bytes();
    if b.len() > 2 && b[0] == b'0' && (b[1] == b'x' || b[1] == b'X') {
        let v = i128::from_str_radix(&text[2..], 16).unwrap_or(i128::MAX);
        return Expr::new(
            ExprKind::LiteralInteger {
                value: Int128::new(v),
                radix: 16,
            },
            span,
        );
    }
    if text.contains(['.', 'e', 'E']) {
        let v: f64 = text.parse().unwrap_or(f64::NAN);
        return Expr::new(ExprKind::LiteralFloat(v), span);
    }
    if b.len() > 1 && b[0] == b'0' {
        let v = i128::from_str_radix(&text[1..], 8).unwrap_or(i128::MAX);
        return Expr::new(
            ExprKind::LiteralInteger {
                value: Int128::new(v),
                radix: 8,
            },
            span,
        );
    }
    let v: i128 = text.parse().unwrap_or(i128::MAX);
    Expr::new(
        ExprKind::LiteralInteger {
            value: Int128::new(v),
            radix: 10,
        },
        span,
    )
}

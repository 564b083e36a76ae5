//! The syntax tree: one node type per Puppet model class (`Puppet::Pops::Model`), so that the
//! dumps can be rendered exactly as Puppet renders them.

use crate::span::Span;

/// The string type of the tree: short strings (most names) are stored inline, without
/// allocation.
pub type Str = compact_str::CompactString;

/// The list type of the tree: one pointer wide (length and capacity live in the allocation),
/// so that nodes stay small; an empty list does not allocate.
pub type List<T> = thin_vec::ThinVec<T>;

/// A parsed file: its top-level expression and every definition found in it, however deeply
/// nested (Puppet collects those at parse time).
#[derive(Debug, Clone, PartialEq)]
pub struct Program {
    /// The body: a single expression, a [`ExprKind::Block`], or [`ExprKind::Nop`] for empty input.
    pub body: Expr,
}

/// A 128-bit integer kept as two 64-bit halves, so that the tree needs only 8-byte alignment
/// (an `i128` field would make every node 16 bytes larger).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Int128 {
    hi: i64,
    lo: u64,
}

impl Int128 {
    /// Wraps a value.
    pub fn new(v: i128) -> Int128 {
        Int128 {
            hi: (v >> 64) as i64,
            lo: v as u64,
        }
    }

    /// The value.
    pub fn get(self) -> i128 {
        (i128::from(self.hi) << 64) | i128::from(self.lo)
    }
}

/// An expression with its byte span in the source.
#[derive(Debug, Clone, PartialEq)]
pub struct Expr {
    /// What the expression is.
    pub kind: ExprKind,
    /// Where it is (byte offsets into the file that was parsed).
    pub span: Span,
}

/// The form of a resource expression (`@` virtual, `@@` exported).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ResourceForm {
    /// A plain resource.
    Regular,
    /// `@type { ... }`
    Virtual,
    /// `@@type { ... }`
    Exported,
}

impl ResourceForm {
    /// Puppet's name of the form.
    pub fn as_str(self) -> &'static str {
        match self {
            ResourceForm::Regular => "regular",
            ResourceForm::Virtual => "virtual",
            ResourceForm::Exported => "exported",
        }
    }
}

/// Binary operators, with the text Puppet uses for them.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum BinaryOp {
    /// `+`
    Add,
    /// `-`
    Sub,
    /// `*`
    Mul,
    /// `/`
    Div,
    /// `%`
    Mod,
    /// `<<`
    Shl,
    /// `>>`
    Shr,
    /// `==`
    Eq,
    /// `!=`
    Ne,
    /// `<`
    Lt,
    /// `<=`
    Le,
    /// `>`
    Gt,
    /// `>=`
    Ge,
    /// `=~`
    Match,
    /// `!~`
    NotMatch,
    /// `in`
    In,
    /// `and`
    And,
    /// `or`
    Or,
    /// `=`
    Assign,
    /// `+=`
    AddAssign,
    /// `-=`
    SubAssign,
    /// `->`
    InEdge,
    /// `~>`
    InEdgeSub,
    /// `<-`
    OutEdge,
    /// `<~`
    OutEdgeSub,
}

impl BinaryOp {
    /// The operator as written in Puppet source.
    pub fn as_str(self) -> &'static str {
        use BinaryOp::*;
        match self {
            Add => "+",
            Sub => "-",
            Mul => "*",
            Div => "/",
            Mod => "%",
            Shl => "<<",
            Shr => ">>",
            Eq => "==",
            Ne => "!=",
            Lt => "<",
            Le => "<=",
            Gt => ">",
            Ge => ">=",
            Match => "=~",
            NotMatch => "!~",
            In => "in",
            And => "and",
            Or => "or",
            Assign => "=",
            AddAssign => "+=",
            SubAssign => "-=",
            InEdge => "->",
            InEdgeSub => "~>",
            OutEdge => "<-",
            OutEdgeSub => "<~",
        }
    }

    /// True for `=`, `+=`, `-=`.
    pub fn is_assignment(self) -> bool {
        matches!(
            self,
            BinaryOp::Assign | BinaryOp::AddAssign | BinaryOp::SubAssign
        )
    }

    /// True for the four relationship arrows.
    pub fn is_relationship(self) -> bool {
        matches!(
            self,
            BinaryOp::InEdge | BinaryOp::InEdgeSub | BinaryOp::OutEdge | BinaryOp::OutEdgeSub
        )
    }
}

/// `=>` or `+>` in an attribute operation.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum AttributeOp {
    /// `=>`
    Set,
    /// `+>`
    Append,
}

impl AttributeOp {
    /// The operator as written.
    pub fn as_str(self) -> &'static str {
        match self {
            AttributeOp::Set => "=>",
            AttributeOp::Append => "+>",
        }
    }
}

/// One operation in a resource body, override, collector or capability mapping.
#[derive(Debug, Clone, PartialEq)]
pub enum AttributeOperation {
    /// `name => value` or `name +> value`.
    Attribute {
        /// Attribute name (any keyword is allowed).
        name: Str,
        /// `=>` or `+>`.
        op: AttributeOp,
        /// The value.
        value: Expr,
        /// From the name to the end of the value.
        span: Span,
    },
    /// `* => hash`
    Splat {
        /// The hash expression.
        value: Expr,
        /// From `*` to the end of the value.
        span: Span,
    },
}

impl AttributeOperation {
    /// The span of the whole operation.
    pub fn span(&self) -> Span {
        match self {
            AttributeOperation::Attribute { span, .. } | AttributeOperation::Splat { span, .. } => {
                *span
            }
        }
    }
}

/// `title: ops` in a resource expression.
#[derive(Debug, Clone, PartialEq)]
pub struct ResourceBody {
    /// The title expression.
    pub title: Expr,
    /// The attribute operations.
    pub operations: List<AttributeOperation>,
    /// From the title to the last operation.
    pub span: Span,
}

/// A parameter of a class, define, application, function or lambda.
#[derive(Debug, Clone, PartialEq)]
pub struct Parameter {
    /// Name without `$`.
    pub name: Str,
    /// Optional type expression.
    pub type_expr: Option<Expr>,
    /// Optional default value.
    pub value: Option<Expr>,
    /// `*$rest`
    pub captures_rest: bool,
    /// Where it is.
    pub span: Span,
}

/// A `key => value` entry of a hash literal.
#[derive(Debug, Clone, PartialEq)]
pub struct KeyedEntry {
    /// Key.
    pub key: Expr,
    /// Value.
    pub value: Expr,
    /// Where it is.
    pub span: Span,
}

/// `matching => value` in a selector.
#[derive(Debug, Clone, PartialEq)]
pub struct SelectorEntry {
    /// What to match.
    pub matching: Expr,
    /// The value when it matches.
    pub value: Expr,
    /// Where it is.
    pub span: Span,
}

/// `values: { body }` in a case expression.
#[derive(Debug, Clone, PartialEq)]
pub struct CaseOption {
    /// The option values.
    pub values: List<Expr>,
    /// The body (a block, a single expression, or `Nop`).
    pub then_expr: Option<Box<Expr>>,
    /// Where it is.
    pub span: Span,
}

/// A lambda: `|params| >> Type { body }`.
#[derive(Debug, Clone, PartialEq)]
pub struct Lambda {
    /// Parameters.
    pub parameters: List<Parameter>,
    /// Optional return type.
    pub return_type: Option<Box<Expr>>,
    /// Body; `None` for `{}`.
    pub body: Option<Box<Expr>>,
    /// Where it is.
    pub span: Span,
}

/// `produces` or `consumes`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum CapabilityKind {
    /// `X produces Cap { }`
    Produces,
    /// `X consumes Cap { }`
    Consumes,
}

impl CapabilityKind {
    /// The keyword.
    pub fn as_str(self) -> &'static str {
        match self {
            CapabilityKind::Produces => "produces",
            CapabilityKind::Consumes => "consumes",
        }
    }
}

/// `@(TAG:syntax)` heredoc.
#[derive(Debug, Clone, PartialEq)]
pub struct Heredoc {
    /// The syntax, `""` when none.
    pub syntax: Str,
    /// The text: `LiteralString` or `ConcatenatedString`.
    pub text: Expr,
}

/// `Type <| query |> { ops }` / `Type <<| query |>> { ops }`
#[derive(Debug, Clone, PartialEq)]
pub struct Collect {
    /// The collected type.
    pub type_expr: Expr,
    /// `<<| |>>` (exported resources).
    pub exported: bool,
    /// The query, if any.
    pub query: Option<Expr>,
    /// Span of the query part (`<| ... |>`).
    pub query_span: Span,
    /// Override operations.
    pub operations: List<AttributeOperation>,
}

/// `class name(params) inherits parent { body }`
#[derive(Debug, Clone, PartialEq)]
pub struct HostClass {
    /// Fully qualified name.
    pub name: Str,
    /// Parameters.
    pub parameters: List<Parameter>,
    /// Parent class.
    pub parent: Option<Str>,
    /// Body.
    pub body: Option<Expr>,
}

/// `define name(params) { body }` and `application name(params) { body }`
#[derive(Debug, Clone, PartialEq)]
pub struct Definition {
    /// Fully qualified name.
    pub name: Str,
    /// Parameters.
    pub parameters: List<Parameter>,
    /// Body.
    pub body: Option<Expr>,
}

/// `function name(params) >> Type { body }`
#[derive(Debug, Clone, PartialEq)]
pub struct FunctionDefinition {
    /// Name.
    pub name: Str,
    /// Parameters.
    pub parameters: List<Parameter>,
    /// Body.
    pub body: Option<Expr>,
    /// Return type.
    pub return_type: Option<Expr>,
}

/// `Component produces Cap { mappings }` / `Component consumes Cap { mappings }`
#[derive(Debug, Clone, PartialEq)]
pub struct CapabilityMapping {
    /// Produces or consumes.
    pub kind: CapabilityKind,
    /// The component (`QualifiedReference` or an access such as `Class[x]`).
    pub component: Expr,
    /// The capability type name.
    pub capability: Str,
    /// Attribute mappings.
    pub mappings: List<AttributeOperation>,
}

/// `type Name = TypeExpr`
#[derive(Debug, Clone, PartialEq)]
pub struct TypeAlias {
    /// Name as written.
    pub name: Str,
    /// The aliased type.
    pub type_expr: Expr,
}

/// `type Name inherits Parent { body }`
#[derive(Debug, Clone, PartialEq)]
pub struct TypeDefinition {
    /// Name.
    pub name: Str,
    /// Parent.
    pub parent: Option<Str>,
    /// Body.
    pub body: Option<Expr>,
}

/// The shape of every expression, one variant per Puppet model class.
#[derive(Debug, Clone, PartialEq)]
pub enum ExprKind {
    /// Nothing (an empty program, Puppet's `Nop`).
    Nop,
    /// An absent expression where Puppet's model holds `nil` (only inside the hash Puppet makes
    /// of `name { * => x }`); dumped as `(nop)` in PN and `()` in the old format.
    Nil,
    /// A sequence of statements.
    Block(List<Expr>),
    /// A string literal (single quoted, bare word, or a literal heredoc).
    LiteralString(Str),
    /// An integer with the radix it was written in (8, 10 or 16).
    LiteralInteger {
        /// Value.
        value: Int128,
        /// 8, 10 or 16.
        radix: u32,
    },
    /// A float.
    LiteralFloat(f64),
    /// `true` / `false`.
    LiteralBoolean(bool),
    /// `undef`
    LiteralUndef,
    /// `default`
    LiteralDefault,
    /// A regular expression literal (source with `\/` turned into `/`).
    LiteralRegex(Str),
    /// A lower-case name such as `foo::bar`.
    QualifiedName(Str),
    /// A type reference such as `Foo::Bar` (the text as written).
    QualifiedReference(Str),
    /// `attr` / `private` used as a value.
    ReservedWord(Str),
    /// `$x`: the variable's name (digits for `$0`).
    Variable(Str),
    /// `${true}` / `${false}`: a variable Puppet names with a boolean.
    BoolVariable(bool),
    /// A double-quoted string with interpolation: literal segments and `Text` segments.
    ConcatenatedString(List<Expr>),
    /// An interpolated expression inside a string.
    Text(Box<Expr>),
    /// `@(TAG:syntax)` heredoc.
    Heredoc(Box<Heredoc>),
    /// `[a, b]`
    LiteralList(List<Expr>),
    /// A lone `key => value` (only as the right side of `type X = Object {...}`).
    KeyedEntry(Box<KeyedEntry>),
    /// `{a => b}`; `unfolded` for `f(a => b)` argument hashes.
    LiteralHash {
        /// Entries.
        entries: List<KeyedEntry>,
        /// True when written without braces (in arguments and array entries).
        unfolded: bool,
    },
    /// `left[keys]`
    Access {
        /// The accessed expression.
        left: Box<Expr>,
        /// The keys.
        keys: List<Expr>,
    },
    /// Any binary operator, assignment or relationship.
    Binary {
        /// The operator.
        op: BinaryOp,
        /// Left operand.
        left: Box<Expr>,
        /// Right operand.
        right: Box<Expr>,
    },
    /// `!x`
    Not(Box<Expr>),
    /// `-x`
    UnaryMinus(Box<Expr>),
    /// `*x` (splat)
    Unfold(Box<Expr>),
    /// `(x)`
    Paren(Box<Expr>),
    /// `left.right`
    NamedAccess {
        /// Receiver.
        left: Box<Expr>,
        /// Method name (a `QualifiedName`).
        right: Box<Expr>,
    },
    /// `name(args) |params| { }`, or a statement call `include a, b`.
    CallNamed {
        /// The function (usually a `QualifiedName`).
        functor: Box<Expr>,
        /// False when used as a statement.
        rval_required: bool,
        /// Arguments.
        args: List<Expr>,
        /// Optional lambda.
        lambda: Option<Box<Lambda>>,
    },
    /// `recv.name(args) |params| { }`
    CallMethod {
        /// A `NamedAccess`.
        functor: Box<Expr>,
        /// Arguments.
        args: List<Expr>,
        /// Optional lambda.
        lambda: Option<Box<Lambda>>,
    },
    /// A lambda used as a value (only inside calls in practice).
    Lambda(Box<Lambda>),
    /// `if test { } elsif ... else { }`
    If {
        /// Condition.
        test: Box<Expr>,
        /// Then branch (`None` for `{}`).
        then_expr: Option<Box<Expr>>,
        /// Else branch (`None` when absent or `{}`).
        else_expr: Option<Box<Expr>>,
    },
    /// `unless test { } else { }`
    Unless {
        /// Condition.
        test: Box<Expr>,
        /// Then branch.
        then_expr: Option<Box<Expr>>,
        /// Else branch.
        else_expr: Option<Box<Expr>>,
    },
    /// `case test { options }`
    Case {
        /// Tested value.
        test: Box<Expr>,
        /// Options.
        options: List<CaseOption>,
    },
    /// `left ? { entries }`
    Selector {
        /// Tested value.
        left: Box<Expr>,
        /// Entries.
        entries: List<SelectorEntry>,
    },
    /// `Type <| query |> { ops }` / `<<| |>>`
    Collect(Box<Collect>),
    /// `type { title: ops; ... }`
    Resource {
        /// The type name expression.
        type_name: Box<Expr>,
        /// Bodies.
        bodies: List<ResourceBody>,
        /// Virtual/exported.
        form: ResourceForm,
    },
    /// `Type { ops }`
    ResourceDefaults {
        /// The type reference.
        type_ref: Box<Expr>,
        /// Operations.
        operations: List<AttributeOperation>,
        /// Virtual/exported.
        form: ResourceForm,
    },
    /// `Type[title] { ops }`
    ResourceOverride {
        /// The resources.
        resources: Box<Expr>,
        /// Operations.
        operations: List<AttributeOperation>,
        /// Virtual/exported.
        form: ResourceForm,
    },
    /// `class name(params) inherits parent { body }`
    HostClass(Box<HostClass>),
    /// `define name(params) { body }`
    ResourceTypeDefinition(Box<Definition>),
    /// `application name(params) { body }`
    Application(Box<Definition>),
    /// `function name(params) >> Type { body }`
    FunctionDefinition(Box<FunctionDefinition>),
    /// `node matchers inherits parent { body }`
    NodeDefinition {
        /// Host matchers.
        host_matches: List<Expr>,
        /// Parent (an error in Puppet 4+, but parsed).
        parent: Option<Box<Expr>>,
        /// Body.
        body: Option<Box<Expr>>,
    },
    /// `site { body }`
    SiteDefinition {
        /// Body.
        body: Option<Box<Expr>>,
    },
    /// `Component produces Cap { mappings }`
    CapabilityMapping(Box<CapabilityMapping>),
    /// `type Name = TypeExpr`
    TypeAlias(Box<TypeAlias>),
    /// `type Name[args] = Mapping`
    TypeMapping {
        /// Left side.
        type_expr: Box<Expr>,
        /// Right side.
        mapping_expr: Box<Expr>,
    },
    /// `type Name inherits Parent { body }`
    TypeDefinition(Box<TypeDefinition>),
}

impl Expr {
    /// Makes an expression.
    pub fn new(kind: ExprKind, span: Span) -> Expr {
        Expr { kind, span }
    }

    /// The body of a definition (class, define, application, function, type definition,
    /// node or site); `None` for an empty body or any other expression.
    pub fn definition_body(&self) -> Option<&Expr> {
        match &self.kind {
            ExprKind::HostClass(c) => c.body.as_ref(),
            ExprKind::ResourceTypeDefinition(d) | ExprKind::Application(d) => d.body.as_ref(),
            ExprKind::FunctionDefinition(f) => f.body.as_ref(),
            ExprKind::TypeDefinition(d) => d.body.as_ref(),
            ExprKind::NodeDefinition { body, .. } | ExprKind::SiteDefinition { body } => {
                body.as_deref()
            }
            _ => None,
        }
    }

    /// The parameters of a class, define, application or function definition (empty for any
    /// other expression).
    pub fn definition_parameters(&self) -> &[Parameter] {
        match &self.kind {
            ExprKind::HostClass(c) => &c.parameters,
            ExprKind::ResourceTypeDefinition(d) | ExprKind::Application(d) => &d.parameters,
            ExprKind::FunctionDefinition(f) => &f.parameters,
            _ => &[],
        }
    }

    /// The name if this is a `QualifiedName`.
    pub fn as_qualified_name(&self) -> Option<&str> {
        match &self.kind {
            ExprKind::QualifiedName(n) => Some(n),
            _ => None,
        }
    }
}

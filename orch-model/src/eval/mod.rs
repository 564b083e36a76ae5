//! The evaluator: what Puppet's evaluator does for the code the environment compiler runs (top
//! scope, the site body, application bodies, mapping expressions and Puppet-language
//! functions). Resource declarations are collected, not applied. It reads code only through
//! [`CodeSource`]: `scope` (variables), `operators` (operators, access, matching),
//! `resources` (declarations), `call` (lambdas and Puppet functions), `functions` (the native
//! functions, by where Puppet gets them), `types` (type checks and `new`), `new_integer`
//! (`Integer.new`'s dispatch).

mod access;
mod arithmetic;
mod assignable;
mod call;
pub(crate) mod functions;
mod new_integer;
mod operators;
mod resources;
pub(crate) mod scope;
pub(crate) mod types;

use orch_parser::{Expr, ExprKind};

use crate::code::CodeSource;
use crate::problem::{Location, Problem};
use crate::value::DATA_TYPES;
use crate::{ResourceRef, Value};

pub(crate) use scope::Frame;

/// Why evaluation stopped early.
#[derive(Debug)]
pub(crate) enum Flow {
    /// An evaluation error.
    Error(Problem),
    /// `next(v)` in a lambda.
    Next(Value),
    /// `break()` in an iteration.
    Break,
    /// `return(v)` in a function or lambda.
    Return(Value),
}

pub(crate) type EvalResult<T> = Result<T, Flow>;

/// A resource declared by evaluated code.
#[derive(Debug, Clone)]
pub(crate) struct Declared {
    /// Lower-case type name (`lamp::db`, `class`, `notify`).
    pub(crate) type_name: String,
    pub(crate) title: String,
    /// Attributes in declaration order.
    pub(crate) attributes: Vec<(String, Value)>,
    /// Where each attribute written as `name => value` is (Puppet places relationship errors
    /// at the attribute, not the resource).
    pub(crate) attribute_at: Vec<(String, Location)>,
    pub(crate) location: Location,
}

impl Declared {
    /// Where an attribute was set, or else where the resource was.
    pub(crate) fn location_of(&self, attribute: &str) -> Location {
        self.attribute_at
            .iter()
            .find(|(n, _)| n == attribute)
            .map_or_else(|| self.location.clone(), |(_, l)| l.clone())
    }
}

/// The evaluation context: scopes, the file being evaluated, declared resources.
pub(crate) struct Evaluator<'e> {
    pub(crate) code: &'e mut dyn CodeSource,
    frames: Vec<Frame>,
    pub(crate) file: usize,
    pub(crate) declared: Vec<Declared>,
    pub(crate) notices: Vec<Problem>,
    /// Match variables (`$0`, `$1`, ...) of the last successful match.
    matches: Vec<Option<String>>,
    /// How many `eval`s are under way (see [`MAX_EVAL_DEPTH`]).
    depth: u32,
    /// How many `eval`s have run (see [`MAX_EVAL_STEPS`]).
    steps: u64,
    /// Above 0 while a type alias's body is evaluated: Puppet interprets those with its type
    /// parser, where a reference to an unknown type is a type reference, not an error.
    interpreting_alias: u32,
    /// Type aliases resolved so far (`None` while one is being resolved, or when it is not
    /// an alias). References to aliases inside them stay names, so recursive aliases are
    /// finite values.
    aliases: std::collections::BTreeMap<String, Option<Value>>,
    /// The function calls under way, innermost last: where each is and whether it is a method
    /// call. Puppet reports a block's or a Puppet function's parameter errors at the call.
    pub(crate) calls: Vec<(Location, bool)>,
}

/// How deep evaluation may recurse: expressions within expressions, and calls of Puppet
/// functions and lambdas with the expressions of their bodies. The parser bounds the tree's
/// height (`orch_parser::MAX_NESTING`), but a function that calls itself recurses without end:
/// Puppet stops there with Ruby's `SystemStackError`, orch with this error. A level takes up to
/// about 3 KiB of stack in a release build (several times that unoptimised): run evaluation on
/// a thread with [`crate::STACK_SIZE`].
pub const MAX_EVAL_DEPTH: u32 = 2_000;

/// How many expressions one environment compile may evaluate. Iteration nested in iteration
/// (`$s.each |$c| { $s.each |$d| { ... } }`) can ask for more work than any machine does:
/// Puppet ran on until the server's request timed out, orch stops with this error at the
/// expression where the budget ran out. Real sites and applications take thousands of steps;
/// this is a few seconds of evaluation, and 100 steps each for 100,000 generated nodes.
pub const MAX_EVAL_STEPS: u64 = 20_000_000;

/// Puppet's built-in types: the data types and the few others its type parser knows.
const BUILTIN_TYPES: &[&str] = &{
    let mut all = [""; DATA_TYPES.len() + 5];
    let others = ["Class", "Resource", "TypeAlias", "TypeReference", "URI"];
    let mut i = 0;
    while i < all.len() {
        all[i] = if i < DATA_TYPES.len() {
            DATA_TYPES[i]
        } else {
            others[i - DATA_TYPES.len()]
        };
        i += 1;
    }
    all
};

/// An evaluation error: Puppet's evaluator says `Evaluation Error: ` before every message.
pub(crate) fn err<T>(message: impl Into<String>, location: Location) -> EvalResult<T> {
    const PREFIX: &str = "Evaluation Error: ";
    let message = message.into();
    let message = if message.starts_with(PREFIX) {
        message
    } else {
        format!("{PREFIX}{message}")
    };
    Err(Flow::Error(Problem::error(message, location)))
}

impl<'e> Evaluator<'e> {
    pub(crate) fn new(code: &'e mut dyn CodeSource) -> Evaluator<'e> {
        Evaluator {
            code,
            frames: vec![Frame::top()],
            file: 0,
            declared: vec![],
            notices: vec![],
            matches: vec![],
            depth: 0,
            steps: 0,
            interpreting_alias: 0,
            aliases: Default::default(),
            calls: vec![],
        }
    }

    /// True if `v` is an instance of type `t`, type aliases in `t` resolved (and autoloaded).
    pub(crate) fn instance_of(&mut self, v: &Value, t: &Value) -> bool {
        self.resolve_aliases(t);
        if matches!(v, Value::Type(..)) {
            // A type value is checked by assignability, which needs its aliases too.
            self.resolve_aliases(v);
        }
        let aliases = &self.aliases;
        types::is_instance_in(v, t, &|n| aliases.get(n).cloned().flatten(), 0)
    }

    /// Puppet's description of why `v` is not a `t` (`expects a M::Port = Integer[1, 65535]
    /// value, got String`), aliases resolved.
    pub(crate) fn describe_mismatch(&mut self, t: &Value, v: &Value) -> String {
        self.resolve_aliases(t);
        let aliases = &self.aliases;
        types::describe_mismatch_in(t, v, &|n| aliases.get(n).cloned().flatten(), 0)
    }

    /// True if every instance of type `u` is an instance of type `t`, aliases resolved.
    pub(crate) fn is_assignable(&mut self, t: &Value, u: &Value) -> bool {
        self.resolve_aliases(t);
        self.resolve_aliases(u);
        let aliases = &self.aliases;
        assignable::is_assignable_in(t, u, &|n| aliases.get(n).cloned().flatten(), 0)
    }

    /// True if `t` names a type alias.
    pub(crate) fn is_alias(&mut self, t: &Value) -> bool {
        self.resolve_aliases(t);
        matches!(t, Value::Type(n, _) if self.aliases.get(n).is_some_and(|a| a.is_some()))
    }

    /// Resolves every alias a type value names, however deep.
    fn resolve_aliases(&mut self, t: &Value) {
        let mut todo = vec![t.clone()];
        while let Some(t) = todo.pop() {
            match t {
                Value::Type(name, params) => {
                    if !DATA_TYPES.contains(&name.as_str()) && !self.aliases.contains_key(&name) {
                        self.aliases.insert(name.clone(), None);
                        // The type value was made where its alias is seen: resolving it
                        // needs no view.
                        if let Some(def) = self.code.type_alias(&name, None)
                            && let Some(body) = &def.body
                        {
                            let saved = self.file;
                            self.file = def.file;
                            self.interpreting_alias += 1;
                            let v = self.eval(body).ok();
                            self.interpreting_alias -= 1;
                            self.file = saved;
                            if let Some(v) = v {
                                todo.push(v.clone());
                                self.aliases.insert(name, Some(v));
                            }
                        }
                    }
                    todo.extend(params);
                }
                Value::Hash(h) => {
                    for (k, v) in h {
                        todo.push(k);
                        todo.push(v);
                    }
                }
                Value::Array(a) => todo.extend(a),
                _ => {}
            }
        }
    }

    /// Puppet's warning about a module's unresolved dependencies, when the code being
    /// evaluated is that module's and first looks a function or type up.
    pub(crate) fn note_module_loader(&mut self) {
        if let Some(w) = self.code.module_warning(self.file) {
            self.notices.push(w);
        }
    }

    /// Where Puppet places an error about `e` (see [`orch_parser::puppet_offset`]).
    pub(crate) fn loc(&self, e: &Expr) -> Location {
        let offset = orch_parser::puppet_offset(self.code.text(self.file), e);
        self.code.location(self.file, offset)
    }

    /// `v`, or an error at `at` if it is beyond orch's value limits ([`crate::MAX_VALUE_DEPTH`],
    /// [`crate::MAX_VALUE_ELEMENTS`]). Checked where a value can grow without end: collection
    /// literals, and what lambdas and Puppet functions return.
    pub(crate) fn within_limits(&self, v: Value, at: &Expr) -> EvalResult<Value> {
        match v.beyond_limits() {
            None => Ok(v),
            Some(why) => err(why, self.loc(at)),
        }
    }

    /// Evaluates a body (a block or one expression); returns the last value.
    pub(crate) fn eval_body(&mut self, e: Option<&Expr>) -> EvalResult<Value> {
        match e {
            None => Ok(Value::Undef),
            Some(e) => self.eval(e),
        }
    }

    pub(crate) fn eval(&mut self, e: &Expr) -> EvalResult<Value> {
        if self.depth >= MAX_EVAL_DEPTH {
            return err(
                format!(
                    "stack level too deep (evaluation nested more than {MAX_EVAL_DEPTH} levels; a function that calls itself without end?)"
                ),
                self.loc(e),
            );
        }
        self.steps += 1;
        if self.steps > MAX_EVAL_STEPS {
            return err(
                format!(
                    "evaluation took more than {MAX_EVAL_STEPS} steps (an iteration without end, or nested too deep?)"
                ),
                self.loc(e),
            );
        }
        self.depth += 1;
        let mut r = self.eval_expr(e);
        // A file loaded while evaluating `e` was loaded first: its errors come first.
        if self.code.has_loaded()
            && let Err(f) = self.instantiate_loaded()
        {
            r = Err(f);
        }
        self.depth -= 1;
        r
    }

    /// Evaluates the parameter types of the definitions loaded since the last call, in top
    /// scope, as Puppet did when it instantiated them (`Resource type not found` for a type
    /// that is nowhere, at the parameter, even if the definition is never used).
    pub(crate) fn instantiate_loaded(&mut self) -> EvalResult<()> {
        while self.code.has_loaded() {
            for def in self.code.take_loaded() {
                let (saved, depth) = (self.file, self.push_definition_scope());
                self.file = def.file;
                let r = def
                    .parameters
                    .iter()
                    .filter_map(|p| p.type_expr.as_ref())
                    .try_for_each(|t| self.eval(t).map(drop));
                self.pop_to(depth);
                self.file = saved;
                r?;
            }
        }
        Ok(())
    }

    /// True if `name` (capitalised) is a type Puppet's loaders find: a built-in type, a type
    /// alias, or a resource type (a class is not one).
    fn is_known_type(&mut self, name: &str) -> bool {
        if BUILTIN_TYPES.contains(&name) {
            return true;
        }
        // Puppet's type parser knows the built-in names itself; others it asks a loader for.
        self.note_module_loader();
        crate::code::resource_type_known(self.code, name)
            || self.code.type_alias(name, Some(self.file)).is_some()
            || self.code.is_unloadable(name)
    }

    fn eval_expr(&mut self, e: &Expr) -> EvalResult<Value> {
        use ExprKind as K;
        match &e.kind {
            K::Block(stmts) => {
                let mut last = Value::Undef;
                for s in stmts {
                    last = self.eval(s)?;
                }
                Ok(last)
            }
            K::Variable(name) => match self.lookup(name) {
                Some(v) => Ok(v),
                None => self.unknown_variable(name, e),
            },
            K::BoolVariable(b) => Ok(self.lookup(&b.to_string()).unwrap_or(Value::Undef)),
            K::Access { left, keys } => {
                let l = self.eval(left)?;
                let class = matches!(&l, Value::Type(n, p) if n == "Class" && p.is_empty());
                let mut ks = Vec::with_capacity(keys.len());
                for k in keys {
                    ks.push(match &k.kind {
                        // Puppet interprets these as types without evaluating them.
                        K::QualifiedReference(name) if class => self.interpret_type_name(name),
                        _ => self.eval(k)?,
                    });
                }
                self.access(l, ks, keys, e)
            }
            K::Binary { op, left, right } => self.binary(*op, left, right, e),
            K::Not(inner) => Ok(Value::Bool(!self.eval(inner)?.is_truthy())),
            K::UnaryMinus(inner) => self.unary_minus(inner, e),
            K::Unfold(inner) => Ok(Value::Array(unfolded(self.eval(inner)?))),
            K::Paren(inner) => self.eval(inner),
            K::NamedAccess { .. } => {
                err("Internal error: named access outside a call", self.loc(e))
            }
            K::CallNamed { .. } | K::CallMethod { .. } => self.eval_call(e),
            K::Lambda(_) => err("A lambda can only be given to a function", self.loc(e)),
            K::If { .. } | K::Unless { .. } | K::Case { .. } | K::Selector { .. } => {
                self.eval_conditional(e)
            }
            K::Collect { .. } | K::ResourceDefaults { .. } | K::ResourceOverride { .. } => {
                // Collectors, defaults and overrides shape node catalogs, not the application
                // model.
                Ok(Value::Undef)
            }
            K::Resource {
                type_name, bodies, ..
            } => self.declare(type_name, bodies, e),
            // Definitions were registered when their file was loaded.
            K::HostClass { .. }
            | K::ResourceTypeDefinition { .. }
            | K::Application { .. }
            | K::FunctionDefinition { .. }
            | K::NodeDefinition { .. }
            | K::SiteDefinition { .. }
            | K::CapabilityMapping { .. }
            | K::TypeAlias { .. }
            | K::TypeMapping { .. }
            | K::TypeDefinition { .. } => Ok(Value::Undef),
            _ => self.eval_literal(e),
        }
    }

    /// Literals, strings with interpolation, arrays and hashes.
    fn eval_literal(&mut self, e: &Expr) -> EvalResult<Value> {
        use ExprKind as K;
        Ok(match &e.kind {
            K::LiteralString(s) => Value::Str(s.to_string()),
            K::LiteralInteger { value, .. } => match i64::try_from(value.get()) {
                Ok(v) => Value::Int(v),
                Err(_) => return err("Integer value is out of range", self.loc(e)),
            },
            K::LiteralFloat(f) => Value::Float(*f),
            K::LiteralBoolean(b) => Value::Bool(*b),
            K::LiteralDefault => Value::Default,
            K::LiteralRegex(r) => Value::Regex(r.to_string()),
            K::QualifiedName(n) => Value::Str(n.to_string()),
            K::QualifiedReference(n) => {
                // Built-in types in any case are their own spelling (`notundef` is `NotUndef`).
                let name = match BUILTIN_TYPES.iter().find(|t| t.eq_ignore_ascii_case(n)) {
                    Some(t) => t.to_string(),
                    None => crate::reference::capitalize_type(n),
                };
                if self.interpreting_alias == 0 && !self.is_known_type(&name) {
                    return err(
                        format!("Evaluation Error: Resource type not found: {name}"),
                        self.loc(e),
                    );
                }
                Value::Type(name, vec![])
            }
            K::ReservedWord(w) => {
                return err(
                    format!(
                        "Use of reserved word: {w}, must be quoted if intended to be a String value"
                    ),
                    self.loc(e),
                );
            }
            K::ConcatenatedString(segs) => {
                let mut s = String::new();
                for seg in segs {
                    let v = self.eval(seg)?;
                    s.push_str(&v.to_interpolated());
                }
                Value::Str(s)
            }
            K::Text(inner) => Value::Str(self.eval(inner)?.to_interpolated()),
            K::Heredoc(h) => self.eval(&h.text)?,
            K::LiteralList(items) => {
                let mut v = Vec::with_capacity(items.len());
                for i in items {
                    if let K::Unfold(inner) = &i.kind {
                        v.extend(unfolded(self.eval(inner)?));
                    } else {
                        v.push(self.eval(i)?);
                    }
                }
                self.within_limits(Value::Array(v), e)?
            }
            K::LiteralHash { entries, .. } => {
                let mut h: Vec<(Value, Value)> = vec![];
                for en in entries {
                    let k = self.eval(&en.key)?;
                    let v = self.eval(&en.value)?;
                    if let Some(slot) = h.iter_mut().find(|(x, _)| *x == k) {
                        slot.1 = v;
                    } else {
                        h.push((k, v));
                    }
                }
                self.within_limits(Value::Hash(h), e)?
            }
            K::KeyedEntry(en) => {
                let k = self.eval(&en.key)?;
                let v = self.eval(&en.value)?;
                Value::Hash(vec![(k, v)])
            }
            // `Nop`, `Nil`, `undef`.
            _ => Value::Undef,
        })
    }

    /// `if`, `unless`, `case` and selectors.
    fn eval_conditional(&mut self, e: &Expr) -> EvalResult<Value> {
        use ExprKind as K;
        match &e.kind {
            K::If {
                test,
                then_expr,
                else_expr,
            } => {
                if self.eval(test)?.is_truthy() {
                    self.eval_body(then_expr.as_deref())
                } else {
                    self.eval_body(else_expr.as_deref())
                }
            }
            K::Unless {
                test,
                then_expr,
                else_expr,
            } => {
                if !self.eval(test)?.is_truthy() {
                    self.eval_body(then_expr.as_deref())
                } else {
                    self.eval_body(else_expr.as_deref())
                }
            }
            K::Case { test, options } => {
                let t = self.eval(test)?;
                let mut default = None;
                for o in options {
                    for v in &o.values {
                        if matches!(v.kind, K::LiteralDefault) {
                            default = Some(o);
                            continue;
                        }
                        let m = self.eval(v)?;
                        if self.matches_option(&t, &m) {
                            return self.eval_body(o.then_expr.as_deref());
                        }
                    }
                }
                match default {
                    Some(o) => self.eval_body(o.then_expr.as_deref()),
                    None => Ok(Value::Undef),
                }
            }
            K::Selector { left, entries } => {
                let t = self.eval(left)?;
                for en in entries {
                    if matches!(en.matching.kind, K::LiteralDefault) {
                        continue;
                    }
                    let m = self.eval(&en.matching)?;
                    if self.matches_option(&t, &m) {
                        return self.eval(&en.value);
                    }
                }
                match entries
                    .iter()
                    .find(|en| matches!(en.matching.kind, K::LiteralDefault))
                {
                    Some(en) => self.eval(&en.value),
                    None => err(
                        format!("No matching entry for selector parameter with value '{t}'"),
                        self.loc(e),
                    ),
                }
            }
            _ => Ok(Value::Undef),
        }
    }
}

/// The refs in a value (a reference or an array of them); `Err` names the first non-reference.
pub(crate) fn refs_of(v: &Value) -> Result<Vec<ResourceRef>, Value> {
    match v {
        Value::Ref(r) => Ok(vec![r.clone()]),
        Value::Array(a) => {
            let mut out = vec![];
            for x in a {
                out.extend(refs_of(x)?);
            }
            Ok(out)
        }
        Value::Undef => Ok(vec![]),
        other => Err(other.clone()),
    }
}

/// `a String`, `an Integer`.
/// What `*v` spreads (Puppet's `eval_UnfoldExpression`): an array's elements, a hash's
/// `[key, value]` pairs, nothing for undef, else the value itself.
pub(crate) fn unfolded(v: Value) -> Vec<Value> {
    match v {
        Value::Undef => vec![],
        Value::Array(a) => a,
        Value::Hash(h) => h
            .into_iter()
            .map(|(k, x)| Value::Array(vec![k, x]))
            .collect(),
        other => vec![other],
    }
}

#[cfg(test)]
mod depth_tests {
    /// A Puppet function that calls itself without end stops with an error, not an overflow.
    #[test]
    fn endless_recursion_is_an_error() {
        let dir = std::env::temp_dir().join(format!("orch-recursion-{}", std::process::id()));
        let functions = dir.join("modules/m/functions");
        std::fs::create_dir_all(dir.join("manifests")).expect("dir");
        std::fs::create_dir_all(&functions).expect("dir");
        std::fs::write(dir.join("environment.conf"), "modulepath = modules\n").expect("file");
        std::fs::write(
            functions.join("f.pp"),
            "function m::f($n) { m::f($n + 1) }\n",
        )
        .expect("file");
        std::fs::write(dir.join("manifests/site.pp"), "$x = m::f(1)\n").expect("file");
        let source = crate::EnvironmentSource {
            path: dir.clone(),
            name: "production".into(),
            extra_modulepath: vec![],
        };
        let model = std::thread::Builder::new()
            .stack_size(crate::STACK_SIZE)
            .spawn(move || crate::compile(&mut crate::Environment::load(&source)))
            .expect("thread")
            .join()
            .expect("no panic");
        let _ = std::fs::remove_dir_all(&dir);
        let text: Vec<String> = model.problems.iter().map(|p| p.to_string()).collect();
        assert!(
            text.iter()
                .any(|t| t.contains("stack level too deep")
                    && t.contains("f.pp, line: 1, column: 29")),
            "{text:?}"
        );
    }
}

//! Scopes and variables: top scope, definition scopes (which see only themselves and top
//! scope), local scopes of lambdas (which see the enclosing one), match variables.

use std::collections::HashMap;

use orch_parser::Expr;

use super::{EvalResult, Evaluator, err};
use crate::{Problem, Value};

#[derive(Debug, Default)]
pub(crate) struct Frame {
    vars: HashMap<String, Value>,
    /// False for a definition's scope: it sees only itself and top scope.
    sees_parent: bool,
}

impl Frame {
    pub(crate) fn top() -> Frame {
        Frame::default()
    }
}

impl Evaluator<'_> {
    /// Starts a definition scope (sees only top scope) and returns the depth to restore.
    pub(crate) fn push_definition_scope(&mut self) -> usize {
        self.frames.push(Frame {
            vars: HashMap::new(),
            sees_parent: false,
        });
        self.frames.len() - 1
    }

    pub(super) fn push_local_scope(&mut self) {
        self.frames.push(Frame {
            vars: HashMap::new(),
            sees_parent: true,
        });
    }

    pub(crate) fn pop_to(&mut self, depth: usize) {
        self.frames.truncate(depth);
    }

    pub(crate) fn set_var(&mut self, name: &str, value: Value) {
        let frame = self.frames.last_mut().expect("top scope");
        frame.vars.insert(name.to_string(), value);
    }

    /// `$name = value`: `at` is the variable, `assignment` the whole assignment (where Puppet
    /// reports a reassignment).
    pub(super) fn assign(
        &mut self,
        name: &str,
        value: Value,
        at: &Expr,
        assignment: &Expr,
    ) -> EvalResult<()> {
        if name.contains("::") {
            return err(
                format!("Cannot assign to variables in other namespaces (${name})"),
                self.loc(at),
            );
        }
        if name.chars().all(|c| c.is_ascii_digit()) {
            return err(
                format!("Illegal attempt to assign to the numeric match result variable '${name}'"),
                self.loc(at),
            );
        }
        let frame = self.frames.last_mut().expect("top scope");
        if frame.vars.contains_key(name) {
            return err(
                format!("Cannot reassign variable '${name}'"),
                self.loc(assignment),
            );
        }
        frame.vars.insert(name.to_string(), value);
        Ok(())
    }

    /// A variable's value, if it is set.
    pub(crate) fn lookup_var(&self, name: &str) -> Option<Value> {
        self.lookup(name)
    }

    pub(super) fn lookup(&self, name: &str) -> Option<Value> {
        lookup_in(&self.frames, &self.matches, name)
    }

    /// An unset variable is undef, with Puppet's warning at the reference (every time it is
    /// evaluated, as Puppet's `strict = warning` did). The environment compiler has no node,
    /// so `$facts`, `$trusted`, `$server_facts` and even `$environment` are unset too. Match
    /// variables and `$module_name`/`$caller_module_name` are undef without a warning.
    pub(super) fn unknown_variable(&mut self, name: &str, e: &Expr) -> EvalResult<Value> {
        let quiet = name.bytes().all(|b| b.is_ascii_digit())
            || matches!(name, "module_name" | "caller_module_name");
        if !quiet {
            let at = self.loc(e);
            self.notices
                .push(Problem::warning(format!("Unknown variable: '{name}'."), at));
        }
        Ok(Value::Undef)
    }
}

/// A variable in a stack of frames (separate from [`Evaluator`] so that a data lookup can read
/// variables while the code source is borrowed).
pub(crate) fn lookup_in(frames: &[Frame], matches: &[Option<String>], name: &str) -> Option<Value> {
    if let Some(top) = name.strip_prefix("::") {
        return frames[0].vars.get(top).cloned();
    }
    if name.chars().all(|c| c.is_ascii_digit()) {
        let i: usize = name.parse().ok()?;
        return Some(match matches.get(i) {
            Some(Some(s)) => Value::Str(s.clone()),
            _ => Value::Undef,
        });
    }
    for f in frames.iter().rev() {
        if let Some(v) = f.vars.get(name) {
            return Some(v.clone());
        }
        if !f.sees_parent {
            break;
        }
    }
    frames[0].vars.get(name).cloned()
}

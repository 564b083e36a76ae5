//! Static validation (Puppet's `Checker4_0`): the checks Puppet runs on a parsed program before
//! evaluating it, with Puppet's messages.

use crate::ast::Program;
use crate::error::Diagnostic;

/// Validates a program; returns every problem found, in source order.
pub fn validate(_program: &Program) -> Vec<Diagnostic> {
    vec![]
}

//! orch-parser: the Puppet language (Puppet 4/5, including the application-orchestration
//! constructs of Puppet 5.5: `application`, `site`, `produces`, `consumes`) parsed into a
//! syntax tree that mirrors Puppet's own model, statically validated with Puppet's checks and
//! messages, and dumped in Puppet's `pn`, `json` and `old` formats byte for byte.
//!
//! ```
//! let parsed = orch_parser::parse("$x = [1, 'a']\n");
//! assert!(parsed.diagnostics.is_empty());
//! let pn = orch_parser::dump(&parsed.program, orch_parser::DumpFormat::Pn, false);
//! assert_eq!(pn, "(= (var \"x\") (array 1 \"a\"))\n");
//! ```

mod ast;
mod dump;
mod error;
mod lexer;
mod parallel;
mod parser;
mod source;
mod span;
mod validate;

pub use ast::{
    AttributeOp, AttributeOperation, BinaryOp, CapabilityKind, CaseOption, Expr, ExprKind, Int128,
    KeyedEntry, Lambda, List, Parameter, Program, ResourceBody, ResourceForm, SelectorEntry, Str,
};
pub use dump::{DumpFormat, dump};
pub use error::{Diagnostic, LexErrorKind, ParseError, Severity};
pub use lexer::Dialect;
pub use parallel::par_map;
pub use parser::MAX_NESTING;
pub use source::{SourceFile, manifest_files};
pub use span::{LineIndex, Span};
pub use validate::{puppet_offset, validate, validate_with_source};

/// The result of parsing one source text: always a program (partial when there were syntax
/// errors) and the problems found.
#[derive(Debug, Clone)]
pub struct Parsed {
    /// The program. After a syntax error it holds the statements before the error.
    pub program: Program,
    /// Syntax errors and lexer warnings, in source order.
    pub diagnostics: Vec<Diagnostic>,
}

impl Parsed {
    /// True when there is an error (warnings do not count).
    pub fn has_errors(&self) -> bool {
        self.diagnostics
            .iter()
            .any(|d| d.severity == Severity::Error)
    }
}

/// Parses Puppet 5.5 source text. Never panics; never fails: problems are diagnostics.
pub fn parse(src: &str) -> Parsed {
    parse_dialect(src, Dialect::Puppet5)
}

/// Parses many source texts on all cores; the results are in the texts' order.
pub fn parse_all<S: AsRef<str> + Sync>(texts: &[S], dialect: Dialect) -> Vec<Parsed> {
    par_map(texts, |t| parse_dialect(t.as_ref(), dialect))
}

/// Parses source text in the given dialect of the language.
pub fn parse_dialect(src: &str, dialect: Dialect) -> Parsed {
    parse_at(src, dialect, 0)
}

/// [`parse_dialect`] for code that is already `base` levels deep (the text of a `pp` heredoc,
/// checked while its container is being validated): [`MAX_NESTING`] bounds both together.
pub(crate) fn parse_at(src: &str, dialect: Dialect, base: u32) -> Parsed {
    let lexed = lexer::lex(src, dialect, base);
    let mut p = parser::Parser::new(src, &lexed, base);
    let (program, errors) = p.parse_program_recovering();
    // Puppet stops at its (first) error: warnings after it are not seen.
    let first_error = errors.first();
    let mut diagnostics: Vec<Diagnostic> = lexed
        .warnings
        .iter()
        .filter(|(_, off)| first_error.is_none_or(|e| e.offset.is_none_or(|eo| *off < eo)))
        .map(|(m, off)| Diagnostic {
            message: m.clone(),
            offset: Some(*off),
            severity: Severity::Warning,
            code: "LEXER_WARNING",
        })
        .collect();
    diagnostics.extend(errors);
    Parsed {
        program,
        diagnostics,
    }
}

#[cfg(test)]
mod size_tests {
    #[test]
    fn expr_stays_small() {
        // Every node is moved through the parser's returns: its size is parse speed.
        assert!(
            std::mem::size_of::<crate::Expr>() <= 40,
            "{}",
            std::mem::size_of::<crate::Expr>()
        );
    }
}

//! Diagnostics: every problem the parser and validator find, with Puppet's message text.

use crate::span::LineIndex;

/// A lexical error (Puppet's lexer issues), with the data its message needs.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[allow(missing_docs)]
pub enum LexErrorKind {
    #[error("Unclosed quote after {after} followed by '{followed_by}'")]
    UnclosedQuote { after: String, followed_by: String },
    #[error("Unclosed multiline comment")]
    UnclosedMlComment,
    #[error("Illegal class reference")]
    IllegalClassReference,
    #[error("Illegal fully qualified class reference")]
    IllegalFullyQualifiedClassReference,
    #[error("Illegal fully qualified name")]
    IllegalFullyQualifiedName,
    #[error("Illegal name or bare word")]
    IllegalNameOrBareWord,
    #[error("Illegal number '{value}'")]
    IllegalNumber { value: String },
    #[error("Not a valid hex number {value}")]
    InvalidHexNumber { value: String },
    #[error("Not a valid octal number {value}")]
    InvalidOctalNumber { value: String },
    #[error("Not a valid decimal number {value}")]
    InvalidDecimalNumber { value: String },
    #[error("Unclosed parenthesis after '@(' followed by '{followed_by}'")]
    HeredocUnclosedParenthesis { followed_by: String },
    #[error("Heredoc without end-tagged line")]
    HeredocWithoutEndTaggedLine,
    #[error("Invalid heredoc escape char. Only t, r, n, s,  u, L, $ allowed. Got '{actual}'")]
    HeredocInvalidEscape { actual: String },
    #[error("Invalid syntax in heredoc expected @(endtag[:syntax][/escapes])")]
    HeredocInvalidSyntax,
    #[error("Heredoc without any following lines of text")]
    HeredocWithoutText,
    #[error("Heredoc with an empty endtag")]
    HeredocEmptyEndtag,
    #[error("An escape char for @() may only appear once. Got '{escapes}'")]
    HeredocMultipleAtEscapes { escapes: String },
    #[error(
        "Illegal {format} Byte Order mark at beginning of input: {bytes} - remove these from the puppet source"
    )]
    IllegalBom { format: String, bytes: String },
    /// orch's own: Puppet has no limit (see [`crate::MAX_NESTING`]).
    #[error(
        "Expression nesting is too deep (more than {} levels)",
        crate::parser::MAX_NESTING
    )]
    NestingTooDeep,
}

/// How bad a diagnostic is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum Severity {
    /// Stops the file from being used.
    Error,
    /// Reported, not fatal.
    Warning,
    /// A deprecation notice (Puppet's `:deprecation` severity).
    Deprecation,
}

/// One problem found in a file: Puppet's message, where it is, how bad.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Diagnostic {
    /// Puppet's message text, without position.
    pub message: String,
    /// Byte offset in the file; `None` for problems without a position.
    pub offset: Option<usize>,
    /// Severity.
    pub severity: Severity,
    /// Puppet's issue code (`SYNTAX_ERROR`, `NOT_TOP_LEVEL`, ...).
    pub code: &'static str,
}

impl Diagnostic {
    /// An error at an offset.
    pub fn error(code: &'static str, message: impl Into<String>, offset: usize) -> Diagnostic {
        Diagnostic {
            message: message.into(),
            offset: Some(offset),
            severity: Severity::Error,
            code,
        }
    }

    /// Renders as Puppet prints it: `Error: <message> (file: F, line: L, column: C)`, or without
    /// the file when `file` is `None`.
    pub fn render(&self, file: Option<&str>, text: &str, index: &LineIndex) -> String {
        let label = match self.severity {
            Severity::Error => "Error",
            Severity::Warning | Severity::Deprecation => "Warning",
        };
        let pos = self.offset.map(|o| index.line_col(text, o));
        match (file, pos) {
            (Some(f), Some((l, c))) => {
                format!(
                    "{label}: {} (file: {f}, line: {l}, column: {c})",
                    self.message
                )
            }
            (None, Some((l, c))) => format!("{label}: {} (line: {l}, column: {c})", self.message),
            (Some(f), None) => format!("{label}: {} (file: {f})", self.message),
            (None, None) => format!("{label}: {}", self.message),
        }
    }
}

/// Errors of the parser crate's file-level API.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum ParseError {
    /// A file could not be read.
    #[error("could not read `{path}`: {source}")]
    Io {
        /// The path.
        path: String,
        /// The cause.
        source: std::io::Error,
    },
    /// A file is not UTF-8.
    #[error("`{path}` is not valid UTF-8 (byte offset {offset})")]
    NotUtf8 {
        /// The path.
        path: String,
        /// First invalid byte.
        offset: usize,
    },
}

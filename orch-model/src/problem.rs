//! Problems found while loading and evaluating an environment: Puppet's message and where.

use std::fmt;
use std::path::PathBuf;

/// A position in a loaded file.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Default)]
pub struct Location {
    /// The file (as found on disk).
    pub file: Option<PathBuf>,
    /// 1-based line.
    pub line: Option<usize>,
    /// 1-based column (characters).
    pub column: Option<usize>,
}

impl Location {
    /// ` (file: F, line: L, column: C)` as Puppet appends it, or nothing.
    pub fn suffix(&self) -> String {
        let mut parts = vec![];
        if let Some(f) = &self.file {
            parts.push(format!("file: {}", f.display()));
        }
        if let Some(l) = self.line {
            parts.push(format!("line: {l}"));
        }
        if let Some(c) = self.column {
            parts.push(format!("column: {c}"));
        }
        if parts.is_empty() {
            String::new()
        } else {
            format!(" ({})", parts.join(", "))
        }
    }
}

/// How bad a problem is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum Level {
    /// Stops the model from being used.
    Error,
    /// Reported, not fatal.
    Warning,
    /// Output of `notice`, `info`, ... in evaluated code.
    Notice,
}

/// One problem: Puppet's wording, where it is.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Problem {
    /// Error, warning or notice.
    pub level: Level,
    /// The message, in Puppet's words.
    pub message: String,
    /// Where.
    pub location: Location,
}

impl Problem {
    /// An error.
    pub fn error(message: impl Into<String>, location: Location) -> Problem {
        Problem {
            level: Level::Error,
            message: message.into(),
            location,
        }
    }

    /// A warning.
    pub fn warning(message: impl Into<String>, location: Location) -> Problem {
        Problem {
            level: Level::Warning,
            message: message.into(),
            location,
        }
    }
}

impl fmt::Display for Problem {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let label = match self.level {
            Level::Error => "Error",
            Level::Warning => "Warning",
            Level::Notice => "Notice",
        };
        write!(f, "{label}: {}{}", self.message, self.location.suffix())
    }
}

//! The syntax checkers Puppet 7 runs on the text of a heredoc with a syntax (`@(END:json)`):
//! `json`, `base64` and `pp` (`Puppet::SyntaxCheckers`; `epp` is not checked here). A failure
//! is an exception in Puppet's validation: it is reported alone, and validation stops.

use crate::error::{Diagnostic, Severity};
use crate::span::LineIndex;

use super::{Abort, Checker, MAX_REPORTED};

/// What a syntax check found.
pub(super) enum Outcome {
    /// The text is valid; Puppet logged these on the way (warnings of `pp` text).
    Valid(Vec<Diagnostic>),
    /// The text is invalid: what Puppet prints (messages it logged, then the failure).
    Invalid(Vec<Diagnostic>),
}

/// Checks `text` (a heredoc's static text, at `off`, `depth` levels deep) with the checker
/// registered for `syntax`.
pub(super) fn check(syntax: &str, text: &str, off: usize, depth: u32) -> Outcome {
    let Some(checker) = lookup_keys(syntax)
        .into_iter()
        .find(|k| matches!(k.as_str(), "json" | "base64" | "pp"))
    else {
        return Outcome::Valid(vec![]);
    };
    let (mut logged, failure) = match checker.as_str() {
        "json" => (vec![], json(text)),
        "base64" => (vec![], base64(text)),
        _ => pp(text, depth),
    };
    match failure {
        None => Outcome::Valid(logged),
        Some(message) => {
            logged.push(Diagnostic {
                message: format!("Invalid produced text having syntax: '{syntax}'. {message}"),
                offset: Some(off),
                severity: Severity::Error,
                code: "ILLEGAL_SYNTAX",
            });
            Outcome::Invalid(logged)
        }
    }
}

/// `lookup_keys_for_syntax`: `a+b+json` is looked up as `a+b+json`, `b+json`, `json`.
fn lookup_keys(syntax: &str) -> Vec<String> {
    let mut segments: Vec<&str> = syntax.split('+').collect();
    // Ruby's `split` drops trailing empty fields.
    while segments.last() == Some(&"") {
        segments.pop();
    }
    let mut keys = vec![];
    loop {
        keys.push(segments.join("+"));
        if segments.is_empty() {
            break;
        }
        segments.remove(0);
        if segments.is_empty() {
            break;
        }
    }
    keys
}

fn json(text: &str) -> Option<String> {
    let message = super::json::parse_error(text)?;
    // `e.message().slice(0,100).gsub(/\r?\n/, "\\n")`
    let sliced: String = message.chars().take(100).collect();
    let sliced = sliced.replace("\r\n", "\\n").replace('\n', "\\n");
    Some(format!(
        "JSON syntax checker: Cannot parse invalid JSON string. \"{sliced}\""
    ))
}

fn base64(text: &str) -> Option<String> {
    // `text.gsub(/[\r?\n[:blank:]]/, '')`
    let cleaned: Vec<u8> = text
        .bytes()
        .filter(|b| !matches!(b, b'\r' | b'?' | b'\n' | b' ' | b'\t'))
        .collect();
    if strict_base64(&cleaned) {
        return None;
    }
    Some(if !(cleaned.len() * 8).is_multiple_of(6) {
        "Base64 syntax checker: Cannot parse invalid Base64 string - padding is not correct".into()
    } else {
        "Base64 syntax checker: Cannot parse invalid Base64 string - contains letters outside strict base 64 range (or whitespace)".into()
    })
}

/// Ruby's `Base64.strict_decode64` accepts it.
fn strict_base64(b: &[u8]) -> bool {
    let value = |c: u8| match c {
        b'A'..=b'Z' => Some(c - b'A'),
        b'a'..=b'z' => Some(c - b'a' + 26),
        b'0'..=b'9' => Some(c - b'0' + 52),
        b'+' => Some(62),
        b'/' => Some(63),
        _ => None,
    };
    if !b.len().is_multiple_of(4) {
        return false;
    }
    let quads = b.len() / 4;
    for (i, q) in b.chunks(4).enumerate() {
        let last = i + 1 == quads;
        let pad = q.iter().rev().take_while(|c| **c == b'=').count();
        if pad > 2 || (pad > 0 && !last) {
            return false;
        }
        let mut v = [0u8; 4];
        for (j, c) in q[..4 - pad].iter().enumerate() {
            match value(*c) {
                Some(x) => v[j] = x,
                None => return false,
            }
        }
        // The bits a padded quad does not use must be zero.
        if (pad == 1 && v[2] & 0x3 != 0) || (pad == 2 && v[1] & 0xf != 0) {
            return false;
        }
    }
    true
}

/// Parses and validates the text as Puppet code (`EvaluatingParser#parse_string`). Returns the
/// messages Puppet logs (as positionless diagnostics, with their location in the text in the
/// message), and the failure if the code is not valid.
fn pp(text: &str, depth: u32) -> (Vec<Diagnostic>, Option<String>) {
    let index = LineIndex::new(text);
    let located = |d: &Diagnostic| match d.offset {
        Some(o) => {
            let (l, c) = index.line_col(text, o);
            format!("{} (line: {l}, column: {c})", d.message)
        }
        None => d.message.clone(),
    };
    let log = |d: &Diagnostic| Diagnostic {
        message: located(d),
        offset: None,
        severity: d.severity,
        code: d.code,
    };
    // The check is Puppet 7's (Puppet 5.5 checks no heredoc text): the text is Puppet 7 code.
    let parsed = crate::parse_at(text, crate::Dialect::Puppet7, depth);
    // Lexer warnings are logged as they are found.
    let mut logged: Vec<Diagnostic> = parsed
        .diagnostics
        .iter()
        .filter(|d| d.severity != Severity::Error)
        .map(log)
        .collect();
    if let Some(e) = parsed
        .diagnostics
        .iter()
        .find(|d| d.severity == Severity::Error)
    {
        return (logged, Some(pp_message(&located(e))));
    }
    let mut checker = Checker::new(Some(text), crate::lexer::Dialect::Puppet7);
    checker.base = depth;
    let found = match checker.validate_raw(&parsed.program) {
        Ok(found) => found,
        Err(Abort(mut d)) => {
            let failure = d.pop().map(|f| located(&f)).unwrap_or_default();
            logged.extend(d);
            return (logged, Some(pp_message(&failure)));
        }
    };
    // What a nested check logged is already located.
    let (nested, found): (Vec<Diagnostic>, Vec<Diagnostic>) =
        found.into_iter().partition(|d| d.offset.is_none());
    logged.extend(nested);
    let (warnings, errors): (Vec<Diagnostic>, Vec<Diagnostic>) = found
        .into_iter()
        .partition(|d| d.severity != Severity::Error);
    // `IssueReporter.assert_and_report(..., :emit_warnings => true)`
    let (mut plain, mut deprecations) = (0, 0);
    for w in &warnings {
        let shown = if w.severity == Severity::Deprecation {
            &mut deprecations
        } else {
            &mut plain
        };
        if *shown < MAX_REPORTED {
            logged.push(log(w));
        }
        *shown += 1;
    }
    let failure = match errors.len() {
        0 => None,
        1 => Some(located(&errors[0])),
        n => {
            logged.extend(errors.iter().take(MAX_REPORTED).map(log));
            Some(if warnings.is_empty() {
                format!("Language validation logged {n} errors. Giving up")
            } else {
                format!(
                    "Language validation logged {n} errors, and {} warnings. Giving up",
                    warnings.len()
                )
            })
        }
    };
    (logged, failure.map(|f| pp_message(&f)))
}

fn pp_message(inner: &str) -> String {
    // `e.message().slice(0,500).gsub(/\r?\n/, "\\n")`
    let sliced: String = inner.chars().take(500).collect();
    let sliced = sliced.replace("\r\n", "\\n").replace('\n', "\\n");
    format!("PP syntax checker: \"{sliced}\"")
}

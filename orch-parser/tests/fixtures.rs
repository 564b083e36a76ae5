//! Data-driven conformance: every `tests/fixtures/<group>/NAME.pp` is parsed and its dumps are
//! compared byte for byte with what Puppet printed for it (`NAME.pn`, `NAME.old`, `NAME.json`,
//! `NAME.pretty.pn`), and its errors with Puppet's (`NAME.errors`). `lang/` holds Puppet 7.23's
//! output for the general language, `ao/` Puppet 5.5.22's for application orchestration.

use std::fmt::Write as _;
use std::path::{Path, PathBuf};

use orch_parser::{Dialect, DumpFormat, LineIndex, Severity, SourceFile};

fn fixture_dir(group: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/fixtures")
        .join(group)
}

fn sources(group: &str) -> Vec<PathBuf> {
    let mut v: Vec<PathBuf> = std::fs::read_dir(fixture_dir(group))
        .expect("fixture directory")
        .map(|e| e.expect("entry").path())
        .filter(|p| p.extension().is_some_and(|e| e == "pp"))
        .collect();
    v.sort();
    v
}

fn expected(pp: &Path, ext: &str) -> Option<String> {
    std::fs::read_to_string(pp.with_extension(ext)).ok()
}

/// Renders diagnostics as the fixture files hold them: `Error: msg (line: L, column: C)`.
fn rendered(file: &SourceFile, severity: &[Severity], validate: bool) -> Vec<String> {
    let index = LineIndex::new(&file.text);
    file.check(validate)
        .iter()
        .filter(|d| severity.contains(&d.severity))
        .map(|d| d.render(None, &file.text, &index))
        .collect()
}

/// True if Puppet 5.5 and Puppet 7 read the file differently: it uses one of the four
/// orchestration words, or a rule of the checker that changed (reserved type names, virtual
/// classes, heredoc syntax checks).
fn uses_orchestration_words(text: &str) -> bool {
    let f5 = SourceFile::from_text(None, text.to_string(), Dialect::Puppet5);
    let f7 = SourceFile::from_text(None, text.to_string(), Dialect::Puppet7);
    f5.parsed.program != f7.parsed.program || f5.check(true) != f7.check(true)
}

/// Fixtures whose expected error comes from outside the parser and checker: Puppet's loader
/// (`Attempt to redefine entity`) and a Ruby exception (`invalid byte sequence`).
const OUTSIDE_THE_PARSER: &[&str] = &[
    "quirk_type_alias_redefine_builtin.pp",
    "quirk_unicode_escape_out_of_range.pp",
];

/// Checks one group read as `dialect`; returns (files checked, failure report).
fn check_group(group: &str, dialect: Dialect) -> (usize, String) {
    let mut failures = String::new();
    let files = sources(group);
    for pp in &files {
        let name = pp.file_name().unwrap().to_string_lossy().to_string();
        if OUTSIDE_THE_PARSER.contains(&name.as_str()) {
            continue;
        }
        if dialect == Dialect::Puppet5
            && group == "lang"
            && uses_orchestration_words(&std::fs::read_to_string(pp).unwrap_or_default())
        {
            // Puppet 7's output for the four words as names is not Puppet 5.5's.
            continue;
        }
        let file = match SourceFile::read_dialect(pp, dialect) {
            Ok(f) => f,
            Err(e) => {
                // A fixture Puppet rejects for its encoding: orch must reject it too.
                if expected(pp, "pn").is_some() {
                    let _ = writeln!(failures, "{name}: unreadable: {e}");
                }
                continue;
            }
        };
        let dumps = [
            ("pn", DumpFormat::Pn, false),
            ("old", DumpFormat::Old, false),
            ("json", DumpFormat::Json, false),
            ("pretty.pn", DumpFormat::Pn, true),
        ];
        let mut has_dump = false;
        for (ext, format, pretty) in dumps {
            let Some(want) = expected(pp, ext) else {
                continue;
            };
            has_dump = true;
            if file.parsed.has_errors() {
                let _ = writeln!(
                    failures,
                    "{name}: Puppet dumps it ({ext}), orch reports {:?}",
                    rendered(&file, &[Severity::Error], false)
                );
                break;
            }
            let got = orch_parser::dump(&file.parsed.program, format, pretty);
            if got != want {
                let _ = writeln!(failures, "{name} ({ext}):\n  want {want:?}\n  got  {got:?}");
            }
        }
        if !has_dump {
            // Puppet could not parse it: the first error must be Puppet's, word for word.
            if let Some(want) = expected(pp, "errors") {
                let got = rendered(&file, &[Severity::Error], false);
                let want_first = want.lines().next().unwrap_or_default();
                if got.first().map(String::as_str) != Some(want_first) {
                    let _ = writeln!(failures, "{name}: want error {want_first:?}, got {got:?}");
                }
            }
            continue;
        }
        // Puppet parsed it: its validation errors and its warnings must be orch's, all of them,
        // in order.
        let want_errors: Vec<String> = expected(pp, "errors")
            .map(|t| t.lines().map(str::to_string).collect())
            .unwrap_or_default();
        let got_errors = rendered(&file, &[Severity::Error], true);
        if got_errors != want_errors {
            let _ = writeln!(
                failures,
                "{name} (errors):\n  want {want_errors:?}\n  got  {got_errors:?}"
            );
        }
        let want_warnings: Vec<String> = expected(pp, "warnings")
            .map(|t| t.lines().map(str::to_string).collect())
            .unwrap_or_default();
        let got_warnings = rendered(&file, &[Severity::Warning, Severity::Deprecation], true);
        if got_warnings != want_warnings {
            let _ = writeln!(
                failures,
                "{name} (warnings):\n  want {want_warnings:?}\n  got  {got_warnings:?}"
            );
        }
    }
    (files.len(), failures)
}

#[test]
fn general_language_matches_puppet_7() {
    let (n, failures) = check_group("lang", Dialect::Puppet7);
    assert!(n >= 300, "the corpus has {n} files");
    assert!(failures.is_empty(), "{failures}");
}

/// The default (Puppet 5.5) dialect reads every file of the general corpus as Puppet 7 does,
/// except the few that use `application`, `site`, `produces` or `consumes` as names.
#[test]
fn general_language_is_the_same_in_the_puppet_5_dialect() {
    let (n, failures) = check_group("lang", Dialect::Puppet5);
    let skipped = sources("lang")
        .iter()
        .filter(|pp| uses_orchestration_words(&std::fs::read_to_string(pp).unwrap_or_default()))
        .count();
    assert!(skipped * 20 < n, "{skipped} of {n} files read differently");
    assert!(failures.is_empty(), "{failures}");
}

#[test]
fn orchestration_constructs_match_puppet_5_5() {
    let (n, failures) = check_group("ao", Dialect::Puppet5);
    assert!(n >= 60, "the corpus has {n} files");
    assert!(failures.is_empty(), "{failures}");
}

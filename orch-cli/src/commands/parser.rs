//! `orch parser validate|dump`.

use std::io::Write;
use std::path::{Path, PathBuf};

use orch_parser::{DumpFormat, LineIndex, Severity, SourceFile};

use crate::cli::{CodeArgs, DumpArgs, Format, ParserCommand};
use crate::exit::Exit;

pub(crate) fn run(cmd: ParserCommand) -> Exit {
    match cmd {
        ParserCommand::Validate {
            code,
            language,
            paths,
        } => validate(&code, language.into(), &paths),
        ParserCommand::Dump(args) => dump(&args),
    }
}

/// Prints a file's diagnostics to stderr as Puppet does; returns true if any is an error.
fn report(file: &SourceFile, diagnostics: &[orch_parser::Diagnostic]) -> bool {
    let index = LineIndex::new(&file.text);
    let mut stderr = std::io::stderr().lock();
    for d in diagnostics {
        let _ = writeln!(
            stderr,
            "{}",
            d.render(file.name.as_deref(), &file.text, &index)
        );
    }
    diagnostics.iter().any(|d| d.severity == Severity::Error)
}

fn validate(code: &CodeArgs, dialect: orch_parser::Dialect, paths: &[PathBuf]) -> Exit {
    let roots: Vec<PathBuf> = if paths.is_empty() {
        vec![default_root(code)]
    } else {
        paths.to_vec()
    };
    let files = match orch_parser::manifest_files(&roots) {
        Ok(f) => f,
        Err(e) => {
            eprintln!("Error: {e}");
            return Exit::InvalidInput;
        }
    };
    let mut problems = false;
    for path in files {
        match SourceFile::read_dialect(&path, dialect) {
            Ok(file) => {
                let diagnostics = file.check(true);
                problems |= report(&file, &diagnostics);
            }
            Err(e) => {
                eprintln!("Error: {e}");
                problems = true;
            }
        }
    }
    if problems {
        Exit::Problems
    } else {
        Exit::Success
    }
}

/// The environment directory named by `-m`, `--codedir`/`--environment`, or the current one.
fn default_root(code: &CodeArgs) -> PathBuf {
    if let Some(m) = &code.manifest {
        return m.clone();
    }
    if let Some(dir) = &code.codedir {
        return dir.join("environments").join(&code.environment);
    }
    PathBuf::from(".")
}

fn dump(args: &DumpArgs) -> Exit {
    let format = match args.format {
        Format::Pn => DumpFormat::Pn,
        Format::Json => DumpFormat::Json,
        Format::Old => DumpFormat::Old,
    };
    let files: Vec<Result<SourceFile, String>> = match &args.source {
        Some(src) => vec![Ok(SourceFile::from_text(
            None,
            src.clone(),
            args.language.into(),
        ))],
        None => args
            .files
            .iter()
            .map(|p| {
                SourceFile::read_dialect(Path::new(p), args.language.into())
                    .map_err(|e| e.to_string())
            })
            .collect(),
    };
    let several = files.len() > 1;
    let mut out = std::io::stdout().lock();
    let mut exit = Exit::Success;
    for file in files {
        let file = match file {
            Ok(f) => f,
            Err(e) => {
                eprintln!("Error: {e}");
                exit = Exit::Problems;
                continue;
            }
        };
        let diagnostics = file.check(args.validate);
        if report(&file, &diagnostics) {
            exit = Exit::Problems;
            continue;
        }
        let text = orch_parser::dump(&file.parsed.program, format, args.pretty);
        let header = if several {
            format!("--- {}", file.name.as_deref().unwrap_or("-"))
        } else {
            String::new()
        };
        if out
            .write_all(header.as_bytes())
            .and_then(|()| out.write_all(text.as_bytes()))
            .is_err()
        {
            return Exit::Internal;
        }
    }
    exit
}

//! `orch parser validate|dump`.

use std::io::Write;
use std::path::PathBuf;

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
    for checked in SourceFile::read_and_check_all(&files, dialect, true) {
        match checked {
            Ok((file, diagnostics)) => {
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
    let files = match &args.source {
        Some(src) => {
            let file = SourceFile::from_text(None, src.clone(), args.language.into());
            let diagnostics = file.check(args.validate);
            vec![Ok((file, diagnostics))]
        }
        None => {
            let paths: Vec<PathBuf> = args.files.iter().map(PathBuf::from).collect();
            SourceFile::read_and_check_all(&paths, args.language.into(), args.validate)
        }
    };
    let several = files.len() > 1;
    let mut out = std::io::stdout().lock();
    let mut exit = Exit::Success;
    for checked in files {
        let (file, diagnostics) = match checked {
            Ok(checked) => checked,
            Err(e) => {
                eprintln!("Error: {e}");
                exit = Exit::Problems;
                continue;
            }
        };
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

//! Source files: reading, finding the manifests under directories, and checking them.

use std::path::{Path, PathBuf};

use crate::error::{Diagnostic, ParseError};
use crate::{Dialect, Parsed, par_map, parse_dialect, validate_with_source};

/// A parsed source file with its name and text.
#[derive(Debug, Clone)]
pub struct SourceFile {
    /// The path as given (`None` for `-e` source text).
    pub name: Option<String>,
    /// The text.
    pub text: String,
    /// The parse result.
    pub parsed: Parsed,
    /// The dialect it was read as.
    pub dialect: Dialect,
}

impl SourceFile {
    /// Reads and parses a file (UTF-8, as Puppet requires) as Puppet 5.5 code.
    pub fn read(path: &Path) -> Result<SourceFile, ParseError> {
        SourceFile::read_dialect(path, Dialect::Puppet5)
    }

    /// Reads and parses a file in the given dialect.
    pub fn read_dialect(path: &Path, dialect: Dialect) -> Result<SourceFile, ParseError> {
        let bytes = std::fs::read(path).map_err(|source| ParseError::Io {
            path: path.display().to_string(),
            source,
        })?;
        let text = String::from_utf8(bytes).map_err(|e| ParseError::NotUtf8 {
            path: path.display().to_string(),
            offset: e.utf8_error().valid_up_to(),
        })?;
        Ok(SourceFile::from_text(
            Some(path.display().to_string()),
            text,
            dialect,
        ))
    }

    /// Reads, parses and checks many files on all cores (see [`SourceFile::check`]); the
    /// results are in the paths' order.
    pub fn read_and_check_all(
        paths: &[PathBuf],
        dialect: Dialect,
        validate: bool,
    ) -> Vec<Result<(SourceFile, Vec<Diagnostic>), ParseError>> {
        par_map(paths, |p| {
            let file = SourceFile::read_dialect(p, dialect)?;
            let diagnostics = file.check(validate);
            Ok((file, diagnostics))
        })
    }

    /// Parses source text.
    pub fn from_text(name: Option<String>, text: String, dialect: Dialect) -> SourceFile {
        let parsed = parse_dialect(&text, dialect);
        SourceFile {
            name,
            text,
            parsed,
            dialect,
        }
    }

    /// The file's problems: syntax errors and lexer warnings, plus static validation when
    /// `validate` is true and the file parsed.
    pub fn check(&self, validate: bool) -> Vec<Diagnostic> {
        let mut d = self.parsed.diagnostics.clone();
        if validate && !self.parsed.has_errors() {
            d.extend(validate_with_source(
                &self.parsed.program,
                &self.text,
                self.dialect,
            ));
        }
        d
    }
}

/// The `.pp` files named by `paths`: files as given, directories searched recursively, each
/// directory's files in sorted order.
pub fn manifest_files(paths: &[PathBuf]) -> Result<Vec<PathBuf>, ParseError> {
    let mut out = vec![];
    for p in paths {
        let meta = std::fs::metadata(p).map_err(|source| ParseError::Io {
            path: p.display().to_string(),
            source,
        })?;
        if meta.is_dir() {
            let start = out.len();
            walk(p, &mut out)?;
            if p == Path::new(".") {
                // Report `manifests/site.pp`, not `./manifests/site.pp`.
                for f in &mut out[start..] {
                    if let Ok(rel) = f.strip_prefix(".") {
                        *f = rel.to_path_buf();
                    }
                }
            }
        } else {
            out.push(p.clone());
        }
    }
    Ok(out)
}

fn walk(dir: &Path, out: &mut Vec<PathBuf>) -> Result<(), ParseError> {
    let io = |source| ParseError::Io {
        path: dir.display().to_string(),
        source,
    };
    let mut entries: Vec<PathBuf> = std::fs::read_dir(dir)
        .map_err(io)?
        .filter_map(|e| e.ok().map(|e| e.path()))
        .collect();
    entries.sort();
    for e in entries {
        // Symbolic links to directories are not followed: a link cycle would never end.
        let is_link = std::fs::symlink_metadata(&e).is_ok_and(|m| m.file_type().is_symlink());
        if e.is_dir() && !is_link {
            walk(&e, out)?;
        } else if e.extension().is_some_and(|x| x == "pp") {
            out.push(e);
        }
    }
    Ok(())
}

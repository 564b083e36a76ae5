//! Finding an environment's code (Puppet's layout: `environment.conf`'s `manifest` and
//! `modulepath`), and reading, parsing and validating one file.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use orch_parser::{LineIndex, Program, Severity, SourceFile};

use super::{Environment, EnvironmentSource, LoadedFile};
use crate::problem::{Location, Problem};

impl Environment {
    /// Sets the modulepath and returns the main manifests, in the order Puppet reads them.
    pub(super) fn find_code(&mut self, source: &EnvironmentSource) -> Vec<PathBuf> {
        let path = &source.path;
        let mut manifests = vec![];
        self.root = if path.is_dir() {
            Some(path.clone())
        } else {
            path.parent().map(Path::to_path_buf)
        };
        if path.is_dir() {
            let conf = read_environment_conf(path);
            let manifest = conf
                .get("manifest")
                .map(|m| path.join(m))
                .unwrap_or_else(|| path.join("manifests"));
            let modulepath = conf
                .get("modulepath")
                .map(|m| m.as_str())
                .unwrap_or("modules");
            for p in modulepath.split(':') {
                if p.is_empty() || p.starts_with('$') {
                    continue;
                }
                self.modulepath.push(path.join(p));
            }
            if manifest.is_dir() {
                manifests = orch_parser::manifest_files(std::slice::from_ref(&manifest))
                    .unwrap_or_default();
            } else if manifest.is_file() {
                manifests.push(manifest);
            }
        } else if path.is_file() {
            manifests.push(path.clone());
        } else {
            self.problems.push(Problem::error(
                format!(
                    "Could not find an environment or manifest at {}",
                    path.display()
                ),
                Location::default(),
            ));
        }
        self.modulepath
            .extend(source.extra_modulepath.iter().cloned());
        manifests
    }

    /// Parses, validates and registers a file; returns its index, or `None` when it could not
    /// be read or has errors.
    pub(super) fn load_file(&mut self, path: &Path) -> Option<usize> {
        if let Some(i) = self.loaded.get(path) {
            return Some(*i);
        }
        let file = match SourceFile::read(path) {
            Ok(f) => f,
            Err(e) => {
                self.problems
                    .push(Problem::error(e.to_string(), Location::default()));
                return None;
            }
        };
        let diagnostics = file.check(true);
        let SourceFile { text, parsed, .. } = file;
        let idx = self.files.len();
        let index = LineIndex::new(&text);
        let module = if self.loading_main {
            None
        } else {
            self.modules.iter().position(|m| path.starts_with(&m.dir))
        };
        // The text moves into the environment (for positions); it is not copied.
        self.files.push(LoadedFile {
            path: path.to_path_buf(),
            text,
            index,
            module,
        });
        self.loaded.insert(path.to_path_buf(), idx);
        let mut failed = false;
        for d in &diagnostics {
            if d.severity != Severity::Error {
                continue;
            }
            failed = true;
            let loc = match d.offset {
                Some(o) => self.location(idx, o),
                None => Location {
                    file: Some(path.to_path_buf()),
                    ..Location::default()
                },
            };
            self.problems.push(Problem::error(d.message.clone(), loc));
        }
        if failed {
            return None;
        }
        self.register(idx, &parsed.program);
        self.pending.insert(idx, parsed.program);
        Some(idx)
    }

    pub(super) fn take_program(&mut self, idx: usize) -> Option<Program> {
        self.pending.remove(&idx)
    }
}

/// The `key = value` settings of `environment.conf` (comments and sections ignored).
fn read_environment_conf(dir: &Path) -> BTreeMap<String, String> {
    let mut out = BTreeMap::new();
    if let Ok(text) = std::fs::read_to_string(dir.join("environment.conf")) {
        for line in text.lines() {
            let line = line.trim();
            if line.starts_with('#') || line.starts_with(';') || line.starts_with('[') {
                continue;
            }
            if let Some((k, v)) = line.split_once('=') {
                out.insert(k.trim().to_string(), v.trim().trim_matches('"').to_string());
            }
        }
    }
    out
}

//! The modules of the modulepath as Puppet 5.5 knew them (`Puppet::Module`,
//! `Puppet::Pops::Loaders`): directories with a valid module name, the first of a name wins,
//! `metadata.json` read once; and what a module's code sees. A module whose metadata.json has
//! content sees, of the other modules, only those its `dependencies` name (Puppet-language and
//! 4.x Ruby functions, type aliases); a module without sees them all. Metadata that lacks a
//! required key takes the module out of the environment.

use std::path::{Path, PathBuf};

use serde_json::Value as Json;

use super::semver;
use crate::problem::{Location, Problem};

/// A module of the environment.
#[derive(Debug, Clone)]
pub(crate) struct Module {
    pub(crate) name: String,
    pub(crate) dir: PathBuf,
    /// The modules its code may see besides itself, by name, when its metadata restricts it.
    pub(crate) sees_only: Option<Vec<String>>,
    /// A dependency is missing, by another author, or of a version outside the range.
    pub(crate) unmet: bool,
    /// Puppet's warning about unmet dependencies was given (once, when the module's code first
    /// looks something up).
    pub(crate) warned: bool,
}

/// What a module's metadata.json says, as far as loading goes.
struct Metadata {
    /// `author/name` (the `name` key, `-` read as `/`).
    forge_name: Option<String>,
    version: String,
    /// (`author/name`, version requirement) of each dependency.
    dependencies: Vec<(Option<String>, String)>,
}

/// The modules under `modulepath`, in modulepath then name order, with the warnings Puppet gave
/// about their metadata.
pub(crate) fn find_modules(modulepath: &[PathBuf]) -> (Vec<Module>, Vec<Problem>) {
    let mut dirs: Vec<(String, PathBuf)> = vec![];
    for mp in modulepath {
        let Ok(entries) = std::fs::read_dir(mp) else {
            continue;
        };
        let mut found: Vec<PathBuf> = entries
            .filter_map(|e| e.ok().map(|e| e.path()))
            .filter(|p| p.is_dir())
            .collect();
        found.sort();
        for dir in found {
            let name = dir
                .file_name()
                .map(|n| n.to_string_lossy().into_owned())
                .unwrap_or_default();
            if is_module_name(&name) && !dirs.iter().any(|(n, _)| *n == name) {
                dirs.push((name, dir));
            }
        }
    }
    let mut problems = vec![];
    let mut read: Vec<(Module, Option<Metadata>)> = vec![];
    for (name, dir) in dirs {
        let file = dir.join("metadata.json");
        let at = Location {
            file: Some(file.clone()),
            ..Location::default()
        };
        let metadata = match read_metadata(&name, &file) {
            Read::Metadata(m) => Some(m),
            Read::None => None,
            Read::Unparsable(why) => {
                problems.push(Problem::warning(why, at));
                None
            }
            Read::Incomplete(why) => {
                // Puppet's `Puppet::Module.new` raised: the module is not in the environment.
                problems.push(Problem::warning(why, at));
                continue;
            }
        };
        let sees_only = metadata.as_ref().map(|m| {
            m.dependencies
                .iter()
                .filter_map(|(forge, _)| forge.as_deref()?.split('/').nth(1).map(str::to_string))
                .collect()
        });
        let module = Module {
            name,
            dir,
            sees_only,
            unmet: false,
            warned: false,
        };
        read.push((module, metadata));
    }
    let mut modules: Vec<Module> = read.iter().map(|(m, _)| m.clone()).collect();
    for (i, (_, metadata)) in read.iter().enumerate() {
        if let Some(md) = metadata {
            modules[i].unmet = md
                .dependencies
                .iter()
                .any(|(forge, range)| !dependency_met(forge.as_deref(), range, &read));
        }
    }
    (modules, problems)
}

/// Puppet's installed-module name: `/^[a-z][a-z0-9_]*$/`.
fn is_module_name(name: &str) -> bool {
    let mut chars = name.chars();
    chars.next().is_some_and(|c| c.is_ascii_lowercase())
        && chars.all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '_')
}

/// What reading a metadata.json gave.
enum Read {
    /// No metadata that counts: no file, `{}`, not an object.
    None,
    /// Puppet warned and read it as none.
    Unparsable(String),
    /// A required key is missing: Puppet's message, and the module is left out.
    Incomplete(String),
    Metadata(Metadata),
}

fn read_metadata(module: &str, file: &Path) -> Read {
    let Ok(text) = std::fs::read_to_string(file) else {
        return Read::None;
    };
    let data: Json = match serde_json::from_str(&text) {
        Ok(d) => d,
        Err(e) => {
            return Read::Unparsable(format!(
                "{module} has an invalid and unparsable metadata.json file. The parse error: {e}"
            ));
        }
    };
    let Some(data) = data.as_object().filter(|o| !o.is_empty()) else {
        return Read::None;
    };
    for key in ["source", "author", "version", "license", "dependencies"] {
        if data.get(key).is_none_or(Json::is_null) {
            return Read::Incomplete(format!("No {key} module metadata provided for {module}"));
        }
    }
    let Some(deps) = data["dependencies"].as_array() else {
        return Read::Incomplete(format!(
            "The value for the key dependencies in the file metadata.json of the module {module} must be an array, not: '{}'",
            ruby_to_s(&data["dependencies"])
        ));
    };
    // `author-name` is read as `author/name`.
    let forge_name = |name: Option<&Json>| name.and_then(Json::as_str).map(|n| n.replace('-', "/"));
    let dependencies = deps
        .iter()
        .map(|d| {
            let range = d
                .get("version_requirement")
                .and_then(Json::as_str)
                .unwrap_or(">= 0.0.0")
                .to_string();
            (forge_name(d.get("name")), range)
        })
        .collect();
    Read::Metadata(Metadata {
        forge_name: forge_name(data.get("name")),
        version: data["version"].as_str().unwrap_or_default().to_string(),
        dependencies,
    })
}

/// A JSON value as Ruby's `to_s` shows it in Puppet's message (strings bare).
fn ruby_to_s(v: &Json) -> String {
    match v {
        Json::String(s) => s.clone(),
        other => other.to_string(),
    }
}

/// Puppet's `unmet_dependencies`: the module of the dependency's name is there, by the same
/// author, with a version in the range.
fn dependency_met(forge: Option<&str>, range: &str, read: &[(Module, Option<Metadata>)]) -> bool {
    let Some(forge) = forge else {
        return false;
    };
    let Some(name) = forge.split('/').nth(1) else {
        return false;
    };
    let Some((_, Some(md))) = read.iter().find(|(m, _)| m.name == name) else {
        return false;
    };
    if md.forge_name.as_deref() != Some(forge) {
        return false;
    }
    match (
        semver::Range::parse(range),
        semver::Version::parse(&md.version),
    ) {
        (Some(r), Some(v)) => r.includes(&v),
        _ => false,
    }
}

/// Puppet's warning when a module's code first looks something up and its dependencies are
/// not all there.
pub(crate) fn unmet_warning(module: &str) -> String {
    format!(
        "ModuleLoader: module '{module}' has unresolved dependencies - it will only see those that are resolved. Use 'puppet module list --tree' to see information about modules"
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    fn tree(files: &[(&str, &str)]) -> PathBuf {
        let dir = std::env::temp_dir().join(format!("orch-modules-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        for (path, text) in files {
            let p = dir.join(path);
            std::fs::create_dir_all(p.parent().expect("parent")).expect("dir");
            std::fs::write(p, text).expect("file");
        }
        dir
    }

    #[test]
    fn modules_and_their_metadata_as_puppet_read_them() {
        let full = |name: &str, deps: &str| {
            format!(
                r#"{{"name": "{name}", "version": "1.2.0", "author": "a", "license": "l", "source": "s", "dependencies": {deps}}}"#
            )
        };
        let dir = tree(&[
            ("a/manifests/init.pp", ""),
            (
                "a/metadata.json",
                &full(
                    "me-a",
                    r#"[{"name": "me/b", "version_requirement": ">= 1.0.0 < 2.0.0"}, {"name": "me-gone"}]"#,
                ),
            ),
            ("b/metadata.json", &full("me-b", "[]")),
            ("c/metadata.json", r#"{"name": "me-c", "version": "1.0.0"}"#),
            ("d/metadata.json", "{not json"),
            ("e/metadata.json", &full("me-e", r#""none""#)),
            ("Not-A-Module/manifests/init.pp", ""),
        ]);
        let (modules, problems) = find_modules(std::slice::from_ref(&dir));
        let names: Vec<&str> = modules.iter().map(|m| m.name.as_str()).collect();
        // Incomplete metadata takes a module out; a directory name Puppet rejects is none.
        assert_eq!(names, ["a", "b", "d"]);
        assert_eq!(
            modules[0].sees_only,
            Some(vec!["b".to_string(), "gone".to_string()])
        );
        assert!(modules[0].unmet, "me/gone is missing");
        assert_eq!(modules[1].sees_only, Some(vec![]));
        assert!(!modules[1].unmet);
        assert_eq!(modules[2].sees_only, None, "unparsable metadata is none");
        let messages: Vec<&str> = problems.iter().map(|p| p.message.as_str()).collect();
        assert_eq!(messages[0], "No source module metadata provided for c");
        assert!(
            messages[1].starts_with(
                "d has an invalid and unparsable metadata.json file. The parse error: "
            )
        );
        assert_eq!(
            messages[2],
            "The value for the key dependencies in the file metadata.json of the module e must be an array, not: 'none'"
        );
        let _ = std::fs::remove_dir_all(&dir);
    }
}

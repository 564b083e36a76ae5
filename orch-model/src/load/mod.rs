//! Loading an environment: finding its code (`files`), parsing, validating and registering
//! definitions with Puppet's clash rules (`register`), autoloading module code by name
//! (`autoload`), and capability types from `lib/puppet/type/*.rb` (`rbtype`). The evaluator
//! reaches all of it through [`CodeSource`] only.

mod autoload;
mod files;
mod rbtype;
mod register;

use std::collections::{BTreeMap, BTreeSet};
use std::path::PathBuf;
use std::rc::Rc;

use orch_parser::{Expr, LineIndex, Program};

use crate::Value;
use crate::code::{CapabilityType, CodeSource, DefKind, Definition, Mapping, RubyFunction};
use crate::data::{DataReply, DataRequest};
use crate::problem::{Location, Problem};

/// Where an environment's code is.
#[derive(Debug, Clone, Default)]
pub struct EnvironmentSource {
    /// A manifest file, or an environment directory.
    pub path: PathBuf,
    /// The environment's name (reported in plans, passed to agents).
    pub name: String,
    /// Extra module directories, after the environment's own.
    pub extra_modulepath: Vec<PathBuf>,
}

/// A loaded file.
#[derive(Debug)]
pub(crate) struct LoadedFile {
    pub(crate) path: PathBuf,
    pub(crate) text: String,
    pub(crate) index: LineIndex,
}

/// The site: file, offset, and its body when it lives outside the main manifests (a main
/// manifest's site is evaluated in place, not copied).
pub(crate) type Site = (usize, usize, Option<Expr>);

/// The loaded code of an environment.
#[derive(Debug, Default)]
pub struct Environment {
    pub(crate) name: String,
    /// The environment's directory (a single manifest's directory).
    root: Option<PathBuf>,
    pub(crate) files: Vec<LoadedFile>,
    pub(crate) main: Vec<(usize, Program)>,
    /// Shared: evaluation takes a definition per instance and component without copying it.
    pub(crate) definitions: BTreeMap<String, Rc<Definition>>,
    pub(crate) site: Option<Site>,
    /// True while the main manifests load.
    loading_main: bool,
    pub(crate) mappings: Vec<Mapping>,
    pub(crate) capability_types: BTreeMap<String, CapabilityType>,
    pub(crate) modulepath: Vec<PathBuf>,
    /// Resource types of the modules written in Ruby (`lib/puppet/type/*.rb`), lower case.
    ruby_types: BTreeSet<String>,
    /// Ruby function files of the modules, by function name.
    ruby_functions: BTreeMap<String, RubyFunction>,
    /// Files already loaded (by path), to load each once.
    loaded: BTreeMap<PathBuf, usize>,
    /// Programs parsed and not yet taken (main manifests are kept for evaluation).
    pending: BTreeMap<usize, Program>,
    /// Names whose autoloaded file has errors.
    unloadable: BTreeSet<String>,
    /// Classes, defines and applications with typed parameters, loaded and not yet taken by
    /// [`CodeSource::take_loaded`].
    loaded_typed: Vec<Rc<Definition>>,
    pub(crate) problems: Vec<Problem>,
    /// Hiera data of the environment and its modules, read as lookups ask for it.
    hiera: crate::data::Hiera,
}

impl Environment {
    /// Loads an environment: the main manifest(s) are parsed, validated and registered; module
    /// code is loaded later, by name, as Puppet's autoloader does. Problems (syntax, validation,
    /// clashes) are collected in [`Environment::problems`].
    pub fn load(source: &EnvironmentSource) -> Environment {
        let mut env = Environment {
            name: source.name.clone(),
            ..Environment::default()
        };
        let manifests = env.find_code(source);
        env.hiera = crate::data::Hiera::new(
            source.path.is_dir().then(|| source.path.clone()),
            env.modulepath.clone(),
        );
        env.loading_main = true;
        for m in manifests {
            if let Some(idx) = env.load_file(&m)
                && let Some(p) = env.take_program(idx)
            {
                env.main.push((idx, p));
            }
        }
        env.loading_main = false;
        env.read_capability_types();
        env.read_ruby_functions();
        env
    }

    /// The problems found so far.
    pub fn problems(&self) -> &[Problem] {
        &self.problems
    }

    /// Capability types known to the environment.
    pub fn capability_types(&self) -> &BTreeMap<String, CapabilityType> {
        &self.capability_types
    }

    pub(crate) fn location(&self, file: usize, offset: usize) -> Location {
        let f = &self.files[file];
        let (line, column) = f.index.line_col(&f.text, offset);
        Location {
            file: Some(f.path.clone()),
            line: Some(line),
            column: Some(column),
        }
    }
}

impl CodeSource for Environment {
    fn environment_dir(&self) -> Option<&std::path::Path> {
        self.root.as_deref()
    }

    fn location(&self, file: usize, offset: usize) -> Location {
        Environment::location(self, file, offset)
    }

    fn text(&self, file: usize) -> &str {
        self.files.get(file).map_or("", |f| f.text.as_str())
    }

    fn definition(&mut self, name: &str) -> Option<Rc<Definition>> {
        self.find_definition(name).cloned()
    }

    fn function(&mut self, name: &str) -> Option<Rc<Definition>> {
        self.find_function(name).cloned()
    }

    fn type_alias(&mut self, name: &str) -> Option<Rc<Definition>> {
        // Puppet's loaders ask for a resource type first (autoloading `manifests/`), and a
        // resource type of the name hides an alias of it.
        if self
            .find_definition(name)
            .is_some_and(|d| matches!(d.kind, DefKind::Define | DefKind::Application))
        {
            return None;
        }
        self.find_type_alias(name).cloned()
    }

    fn has_loaded(&self) -> bool {
        !self.loaded_typed.is_empty()
    }

    fn take_loaded(&mut self) -> Vec<Rc<Definition>> {
        std::mem::take(&mut self.loaded_typed)
    }

    fn is_unloadable(&self, name: &str) -> bool {
        self.unloadable.contains(&key(name))
    }

    fn capability_type(&self, name: &str) -> Option<&CapabilityType> {
        self.capability_types.get(name)
    }

    fn is_ruby_type(&self, name: &str) -> bool {
        self.ruby_types.contains(&key(name))
    }

    fn mappings(&self) -> &[Mapping] {
        &self.mappings
    }

    fn ruby_function(&self, name: &str) -> Option<&RubyFunction> {
        self.ruby_functions.get(&key(name))
    }

    fn lookup_data(
        &mut self,
        request: &DataRequest<'_>,
        vars: &dyn Fn(&str) -> Option<Value>,
    ) -> DataReply {
        self.hiera.answer(request, vars)
    }
}

/// A name as Puppet keys definitions: lower case, no leading `::`.
pub(crate) fn key(name: &str) -> String {
    name.trim_start_matches("::").to_lowercase()
}

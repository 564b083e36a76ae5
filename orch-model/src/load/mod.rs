//! Loading an environment: finding its code (`files`), parsing, validating and registering
//! definitions with Puppet's clash rules (`register`), autoloading module code by name
//! (`autoload`), and capability types from `lib/puppet/type/*.rb` (`rbtype`). The evaluator
//! reaches all of it through [`CodeSource`] only.

mod autoload;
mod files;
mod modules;
mod rbtype;
mod register;
mod semver;

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
    /// The module it belongs to (an index into [`Environment::modules`]); `None` for the main
    /// manifests.
    pub(crate) module: Option<usize>,
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
    /// The modules on the modulepath, as Puppet knew them.
    modules: Vec<modules::Module>,
    /// Resource types of the modules written in Ruby (`lib/puppet/type/*.rb`), lower case.
    ruby_types: BTreeSet<String>,
    /// Ruby function files of the modules, by function name, in module order.
    ruby_functions: BTreeMap<String, Vec<RubyFunction>>,
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
        let (modules, problems) = modules::find_modules(&env.modulepath);
        env.modules = modules;
        env.problems.extend(problems);
        env.hiera = crate::data::Hiera::new(
            source.path.is_dir().then(|| source.path.clone()),
            env.modules(),
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

    fn function(&mut self, name: &str, from: usize) -> Option<Rc<Definition>> {
        self.seen_from(name, Some(from), Environment::find_function)
    }

    fn type_alias(&mut self, name: &str, from: Option<usize>) -> Option<Rc<Definition>> {
        // Puppet's loaders ask for a resource type first (autoloading `manifests/`), and a
        // resource type of the name hides an alias of it.
        if self
            .find_definition(name)
            .is_some_and(|d| matches!(d.kind, DefKind::Define | DefKind::Application))
        {
            return None;
        }
        self.seen_from(name, from, Environment::find_type_alias)
    }

    fn module_warning(&mut self, from: usize) -> Option<Problem> {
        let m = self.module_of(Some(from))?;
        let module = &mut self.modules[m];
        if !module.unmet || module.sees_only.is_none() || module.warned {
            return None;
        }
        module.warned = true;
        Some(Problem::warning(
            modules::unmet_warning(&module.name),
            Location::default(),
        ))
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

    fn ruby_function(&self, name: &str, from: usize) -> Option<&RubyFunction> {
        let from = self.module_of(Some(from));
        let files = self.ruby_functions.get(&key(name))?;
        // A 4.x function is found by the loaders the calling code sees (a qualified name in
        // its own module only); a 3.x one anywhere, as Puppet's fallback did.
        let namespace = key(name).split_once("::").map(|(m, _)| m.to_string());
        files
            .iter()
            .filter(|f| f.api4)
            .find(|f| {
                namespace.as_ref().is_none_or(|n| *n == f.module)
                    && self.sees(from, self.module_index(&f.module))
            })
            .or_else(|| files.iter().find(|f| !f.api4))
    }

    fn lookup_data(
        &mut self,
        request: &DataRequest<'_>,
        vars: &dyn Fn(&str) -> Option<Value>,
    ) -> DataReply {
        self.hiera.answer(request, vars)
    }
}

impl Environment {
    /// The module of a loaded file.
    fn module_of(&self, file: Option<usize>) -> Option<usize> {
        self.files.get(file?)?.module
    }

    /// A function or type alias as code of the loaded file `from` sees it: autoloaded only
    /// from a module that code sees, and then only if its file is in such a module.
    fn seen_from(
        &mut self,
        name: &str,
        from: Option<usize>,
        find: for<'e> fn(&'e mut Environment, &str, bool) -> Option<&'e Rc<Definition>>,
    ) -> Option<Rc<Definition>> {
        let from = self.module_of(from);
        let autoload = self.sees_namespace(from, name);
        let def = find(self, name, autoload)?.clone();
        self.sees(from, self.files[def.file].module).then_some(def)
    }

    /// True if code of module `from` sees code of module `provider` (the main manifests'
    /// code sees and is seen by all).
    fn sees(&self, from: Option<usize>, provider: Option<usize>) -> bool {
        let (Some(from), Some(provider)) = (from, provider) else {
            return true;
        };
        from == provider
            || self.modules[from]
                .sees_only
                .as_ref()
                .is_none_or(|deps| deps.contains(&self.modules[provider].name))
    }

    /// True if code of module `from` sees the module `name` is in (`mod::x`): whether Puppet
    /// would autoload it from there.
    fn sees_namespace(&self, from: Option<usize>, name: &str) -> bool {
        let namespace = key(name);
        let namespace = namespace.split("::").next().unwrap_or_default();
        self.sees(from, self.module_index(namespace))
    }

    fn module_index(&self, name: &str) -> Option<usize> {
        self.modules.iter().position(|m| m.name == name)
    }
}

/// A name as Puppet keys definitions: lower case, no leading `::`.
pub(crate) fn key(name: &str) -> String {
    name.trim_start_matches("::").to_lowercase()
}

//! What loaded code is, as the evaluator and the compile see it: definitions, capability
//! mappings, capability types, module functions, and [`CodeSource`], the one interface through
//! which they reach the loader (which autoloads behind it).

use std::path::PathBuf;
use std::rc::Rc;

use orch_parser::{AttributeOperation, CapabilityKind, Expr, Parameter};

use crate::Value;
use crate::data::{DataReply, DataRequest};
use crate::problem::Location;

/// A class, define, application or Puppet-language function.
#[derive(Debug, Clone)]
pub(crate) struct Definition {
    pub(crate) kind: DefKind,
    pub(crate) parameters: Vec<Parameter>,
    pub(crate) body: Option<Expr>,
    /// A function's return type (`>> String`).
    pub(crate) return_type: Option<Expr>,
    pub(crate) file: usize,
    pub(crate) offset: usize,
}

/// What a definition is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum DefKind {
    Class,
    Define,
    Application,
    Function,
    /// `type Name = T`: its body is the type expression.
    TypeAlias,
}

/// A `produces`/`consumes` mapping.
#[derive(Debug, Clone)]
pub(crate) struct Mapping {
    pub(crate) kind: CapabilityKind,
    /// The component type, lower case (`lamp::db`), or the class name for `Class[name]`.
    pub(crate) component: String,
    /// True for `Class[x]` components.
    pub(crate) is_class: bool,
    /// The capability type, capitalised (`Sql`).
    pub(crate) capability: String,
    pub(crate) mappings: Vec<AttributeOperation>,
    pub(crate) file: usize,
    pub(crate) offset: usize,
}

/// A capability type: its name and parameters.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CapabilityType {
    /// Capitalised name (`Sql`).
    pub name: String,
    /// Parameter names, `name` first when declared.
    pub parameters: Vec<String>,
    /// Where it was declared (`None` when only named by mappings).
    pub file: Option<PathBuf>,
}

/// A Ruby function file of a module (`lib/puppet/functions/**/*.rb`, 4.x API, or
/// `lib/puppet/parser/functions/*.rb`, 3.x API): Puppet can call the function because the file
/// is there; orch can only if it implements the function natively.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct RubyFunction {
    /// The module that has the file.
    pub(crate) module: String,
    /// The file.
    pub(crate) path: PathBuf,
    /// True for the 4.x API (`lib/puppet/functions`): seen only by code that sees the module.
    pub(crate) api4: bool,
}

/// The evaluator's and the compile's view of the environment's code. The loader implements it;
/// every method that takes a name autoloads what that name needs first, as Puppet's autoloader
/// does, so callers never load anything themselves.
pub(crate) trait CodeSource {
    /// The environment's directory (a single manifest's directory), where relative data paths
    /// are found.
    fn environment_dir(&self) -> Option<&std::path::Path>;

    /// Line and column of a byte offset in a loaded file.
    fn location(&self, file: usize, offset: usize) -> Location;

    /// The text of a loaded file.
    fn text(&self, file: usize) -> &str;

    /// A class, define or application by name (any case, leading `::` allowed).
    fn definition(&mut self, name: &str) -> Option<Rc<Definition>>;

    /// A Puppet-language function by name (`mod::f`, from `<module>/functions`), as the code
    /// of the loaded file `from` sees it: a module with metadata.json sees only itself, the
    /// main manifests and the modules it depends on.
    fn function(&mut self, name: &str, from: usize) -> Option<Rc<Definition>>;

    /// A type alias by name (`Mod::Port`, autoloaded from `<module>/types`), as the code of the
    /// loaded file `from` sees it (`None`: as the main manifests see it, which is everything).
    fn type_alias(&mut self, name: &str, from: Option<usize>) -> Option<Rc<Definition>>;

    /// Puppet's warning, once, when code of a module whose dependencies are not all there
    /// (the loaded file `from`) first looks a function or type up.
    fn module_warning(&mut self, from: usize) -> Option<crate::Problem>;

    /// True if definitions with typed parameters were loaded since [`CodeSource::take_loaded`]
    /// last ran (cheap: the evaluator asks after every expression).
    fn has_loaded(&self) -> bool;

    /// The classes, defines and applications with typed parameters loaded since the last
    /// call, in load order: the evaluator evaluates their parameter types, as Puppet did
    /// when it instantiated them.
    fn take_loaded(&mut self) -> Vec<Rc<Definition>>;

    /// True if the file that should define `name` exists but could not be loaded: its errors
    /// are reported already, so "unknown type" would only repeat them.
    fn is_unloadable(&self, name: &str) -> bool;

    /// A capability type by its capitalised name.
    fn capability_type(&self, name: &str) -> Option<&CapabilityType>;

    /// True if a module has `lib/puppet/type/<name>.rb` (a resource type written in Ruby).
    fn is_ruby_type(&self, name: &str) -> bool;

    /// Every capability mapping, in the order registered.
    fn mappings(&self) -> &[Mapping];

    /// The Ruby function file a module on the modulepath has for `name`, if any, as the code
    /// of the loaded file `from` sees it.
    fn ruby_function(&self, name: &str, from: usize) -> Option<&RubyFunction>;

    /// Hiera: the data `lookup` (and `hiera*`) asks for. `vars` gives the variables in scope at
    /// the call, for `%{...}` interpolation.
    fn lookup_data(
        &mut self,
        request: &DataRequest<'_>,
        vars: &dyn Fn(&str) -> Option<Value>,
    ) -> DataReply;
}

/// Resource types built into Puppet agents: declaring them needs no definition.
pub(crate) const CORE_TYPES: &[&str] = &[
    "augeas",
    "computer",
    "cron",
    "exec",
    "file",
    "filebucket",
    "group",
    "host",
    "interface",
    "k5login",
    "macauthorization",
    "mailalias",
    "maillist",
    "mcx",
    "mount",
    "nagios_command",
    "notify",
    "package",
    "resources",
    "router",
    "schedule",
    "scheduled_task",
    "selboolean",
    "selmodule",
    "service",
    "ssh_authorized_key",
    "sshkey",
    "stage",
    "tidy",
    "user",
    "vlan",
    "yumrepo",
    "zfs",
    "zone",
    "zpool",
    "anchor",
    "node",
];

/// A resource type Puppet knows (any case): a define or application of the environment
/// (autoloaded), a core type, a Ruby type of a module, `Class`, `Node`.
pub(crate) fn resource_type_known(code: &mut dyn CodeSource, name: &str) -> bool {
    let lower = name.trim_start_matches("::").to_lowercase();
    lower == "class"
        || lower == "node"
        || CORE_TYPES.contains(&lower.as_str())
        // A class is not a resource type: `Foo['x']` for a class `foo` is not found.
        || code
            .definition(&lower)
            .is_some_and(|d| matches!(d.kind, DefKind::Define | DefKind::Application))
        || code.is_ruby_type(&lower)
        || code
            .capability_type(&crate::reference::capitalize_type(&lower))
            .is_some()
}

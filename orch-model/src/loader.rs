//! Loading an environment: finding its files (Puppet's layout), parsing and validating them,
//! registering definitions with Puppet's clash rules, autoloading module code by name, and
//! reading capability types from `lib/puppet/type/*.rb`.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::rc::Rc;

use orch_parser::{
    AttributeOperation, CapabilityKind, Expr, ExprKind, LineIndex, Parameter, Program, Severity,
    SourceFile,
};

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

/// A class, define, application or Puppet-language function.
#[derive(Debug, Clone)]
pub(crate) struct Definition {
    pub(crate) kind: DefKind,
    pub(crate) parameters: Vec<Parameter>,
    pub(crate) body: Option<Expr>,
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
}

/// A `produces`/`consumes` mapping.
#[derive(Debug, Clone)]
pub(crate) struct Mapping {
    pub(crate) kind: CapabilityKind,
    /// The component type, lower case (`lamp::db`), or `class <name>` for `Class[name]`.
    pub(crate) component: String,
    /// True for `Class[x]` components.
    pub(crate) is_class: bool,
    /// The capability type as written (`Sql`).
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

/// The loaded code of an environment.
#[derive(Debug, Default)]
pub struct Environment {
    pub(crate) name: String,
    pub(crate) files: Vec<LoadedFile>,
    pub(crate) main: Vec<(usize, Program)>,
    /// Shared: evaluation takes a definition per instance and component without copying it.
    pub(crate) definitions: BTreeMap<String, Rc<Definition>>,
    /// The site: file, offset, and its body when it lives outside the main manifests (a main
    /// manifest's site is evaluated in place, not copied).
    pub(crate) site: Option<(usize, usize, Option<Expr>)>,
    /// True while the main manifests load.
    loading_main: bool,
    pub(crate) mappings: Vec<Mapping>,
    pub(crate) capability_types: BTreeMap<String, CapabilityType>,
    pub(crate) modulepath: Vec<PathBuf>,
    /// Files already loaded (by path), to load each once.
    loaded: BTreeMap<PathBuf, usize>,
    /// Programs parsed and not yet taken (main manifests are kept for evaluation).
    pending: BTreeMap<usize, Program>,
    /// Names whose autoloaded file has errors.
    unloadable: std::collections::BTreeSet<String>,
    pub(crate) problems: Vec<Problem>,
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
        let path = &source.path;
        let mut manifests = vec![];
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
                env.modulepath.push(path.join(p));
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
            env.problems.push(Problem::error(
                format!(
                    "Could not find an environment or manifest at {}",
                    path.display()
                ),
                Location::default(),
            ));
        }
        env.modulepath
            .extend(source.extra_modulepath.iter().cloned());
        env.loading_main = true;
        for m in manifests {
            if let Some(idx) = env.load_file(&m) {
                let program = env.take_program(idx);
                if let Some(p) = program {
                    env.main.push((idx, p));
                }
            }
        }
        env.loading_main = false;
        env.read_capability_types();
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

    /// Parses, validates and registers a file; returns its index, or `None` when it could not
    /// be read or has errors.
    fn load_file(&mut self, path: &Path) -> Option<usize> {
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
        // The text moves into the environment (for positions); it is not copied.
        self.files.push(LoadedFile {
            path: path.to_path_buf(),
            text,
            index,
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

    fn take_program(&mut self, idx: usize) -> Option<Program> {
        self.pending.remove(&idx)
    }

    /// Registers every definition of a program, however deeply nested (Puppet collects them at
    /// parse time).
    fn register(&mut self, file: usize, program: &Program) {
        let mut defs = vec![];
        collect_definitions(&program.body, &mut defs);
        for e in defs {
            let offset = e.span.start as usize;
            match &e.kind {
                ExprKind::HostClass(c) => self.add_definition(
                    DefKind::Class,
                    &c.name,
                    &c.parameters,
                    c.body.as_ref(),
                    file,
                    offset,
                ),
                ExprKind::ResourceTypeDefinition(d) => self.add_definition(
                    DefKind::Define,
                    &d.name,
                    &d.parameters,
                    d.body.as_ref(),
                    file,
                    offset,
                ),
                ExprKind::Application(d) => self.add_definition(
                    DefKind::Application,
                    &d.name,
                    &d.parameters,
                    d.body.as_ref(),
                    file,
                    offset,
                ),
                ExprKind::FunctionDefinition(f) => self.add_definition(
                    DefKind::Function,
                    &f.name,
                    &f.parameters,
                    f.body.as_ref(),
                    file,
                    offset,
                ),
                ExprKind::SiteDefinition { body } => {
                    if let Some((f0, o0, _)) = &self.site {
                        let prev = self.location(*f0, *o0);
                        let here = self.location(file, offset);
                        self.problems.push(Problem::error(
                            format!(
                                "Site is already defined{}; cannot redefine",
                                error_context(&prev)
                            ),
                            here,
                        ));
                    } else {
                        let body = if self.loading_main {
                            None
                        } else {
                            body.as_deref().cloned()
                        };
                        self.site = Some((file, offset, body));
                    }
                }
                ExprKind::CapabilityMapping(m) => self.add_mapping(
                    m.kind,
                    &m.component,
                    &m.capability,
                    &m.mappings,
                    file,
                    offset,
                ),
                _ => {}
            }
        }
    }

    fn add_definition(
        &mut self,
        kind: DefKind,
        name: &str,
        parameters: &[Parameter],
        body: Option<&Expr>,
        file: usize,
        offset: usize,
    ) {
        let key = name.trim_start_matches("::").to_lowercase();
        if kind != DefKind::Function
            && let Some(prev) = self.definitions.get(&key)
            && prev.kind != DefKind::Function
        {
            let ctx = error_context(&self.location(prev.file, prev.offset));
            let message = match (prev.kind, kind) {
                (DefKind::Class, DefKind::Class) => {
                    format!("Class '{key}' is already defined{ctx}; cannot redefine")
                }
                (DefKind::Define, DefKind::Class) => format!(
                    "Definition '{key}' is already defined{ctx}; cannot be redefined as a class"
                ),
                (DefKind::Application, DefKind::Class) => format!(
                    "Application '{key}' is already defined{ctx}; cannot be redefined as a class"
                ),
                (DefKind::Class, DefKind::Define) => format!(
                    "'{key}' is already defined{ctx} as a class; cannot redefine as a definition"
                ),
                (DefKind::Define, DefKind::Define) => {
                    format!("Definition '{key}' is already defined{ctx}; cannot be redefined")
                }
                (DefKind::Application, DefKind::Define) => format!(
                    "'{key}' is already defined{ctx} as an application; cannot be redefined"
                ),
                (DefKind::Class, DefKind::Application) => format!(
                    "'{key}' is already defined{ctx} as a class; cannot redefine as an application"
                ),
                (DefKind::Define, DefKind::Application) => format!(
                    "'{key}' is already defined{ctx} as a definition; cannot redefine as an application"
                ),
                _ => format!(
                    "'{key}' is already defined{ctx} as an application; cannot be redefined"
                ),
            };
            let here = self.location(file, offset);
            self.problems.push(Problem::error(message, here));
            return;
        }
        let fkey = if kind == DefKind::Function {
            format!("function {key}")
        } else {
            key.clone()
        };
        self.definitions.insert(
            fkey,
            Rc::new(Definition {
                kind,
                parameters: parameters.to_vec(),
                body: body.cloned(),
                file,
                offset,
            }),
        );
    }

    fn add_mapping(
        &mut self,
        kind: CapabilityKind,
        component: &Expr,
        capability: &str,
        mappings: &[AttributeOperation],
        file: usize,
        offset: usize,
    ) {
        let (name, is_class) = match &component.kind {
            ExprKind::QualifiedReference(n) => (n.to_lowercase(), false),
            ExprKind::Access { keys, .. } => match keys.first().map(|k| &k.kind) {
                Some(ExprKind::LiteralString(s))
                | Some(ExprKind::QualifiedName(s))
                | Some(ExprKind::QualifiedReference(s)) => (s.to_lowercase(), true),
                _ => return,
            },
            _ => return,
        };
        let name = name.trim_start_matches("::").to_string();
        let cap = capitalize(capability.trim_start_matches("::"));
        // Puppet silently took the first of two mappings for one (component, capability)
        // pair; the documentation says it is an error, and so does orch.
        if let Some(prev) = self.mappings.iter().find(|m| {
            m.kind == kind && m.component == name && m.is_class == is_class && m.capability == cap
        }) {
            let ctx = error_context(&self.location(prev.file, prev.offset));
            let here = self.location(file, offset);
            let shown = if is_class {
                format!("Class[{}]", capitalize(&name))
            } else {
                capitalize(&name)
            };
            self.problems.push(Problem::error(
                format!(
                    "Capability mapping '{shown} {} {cap}' is already defined{ctx}; cannot redefine",
                    kind.as_str()
                ),
                here,
            ));
            return;
        }
        self.capability_types
            .entry(cap.clone())
            .or_insert_with(|| CapabilityType {
                name: cap.clone(),
                parameters: vec![],
                file: None,
            });
        self.mappings.push(Mapping {
            kind,
            component: name,
            is_class,
            capability: cap,
            mappings: mappings.to_vec(),
            file,
            offset,
        });
    }

    /// Finds a class, define or application by name, autoloading it from the module path.
    pub(crate) fn find_definition(&mut self, name: &str) -> Option<&Rc<Definition>> {
        let key = name.trim_start_matches("::").to_lowercase();
        if !self.definitions.contains_key(&key) {
            for path in self.autoload_paths(&key, "manifests") {
                if path.is_file() {
                    if !self.load_module_file(&path) {
                        self.unloadable.insert(key.clone());
                    }
                    if self.definitions.contains_key(&key) {
                        break;
                    }
                }
            }
        }
        self.definitions.get(&key)
    }

    /// True if the file that should define `name` exists but could not be loaded (its errors
    /// are reported already; an "unknown type" error would only repeat them).
    pub(crate) fn is_unloadable(&self, name: &str) -> bool {
        self.unloadable
            .contains(&name.trim_start_matches("::").to_lowercase())
    }

    /// Finds a Puppet-language function, autoloading it from `<module>/functions`.
    pub(crate) fn find_function(&mut self, name: &str) -> Option<&Rc<Definition>> {
        let key = format!("function {}", name.trim_start_matches("::").to_lowercase());
        if !self.definitions.contains_key(&key) {
            let bare = name.trim_start_matches("::").to_lowercase();
            if bare.contains("::") {
                for path in self.autoload_paths(&bare, "functions") {
                    if path.is_file() {
                        self.load_module_file(&path);
                    }
                }
            }
        }
        self.definitions.get(&key)
    }

    /// Loads a module file for its definitions; false when it has errors.
    fn load_module_file(&mut self, path: &Path) -> bool {
        match self.load_file(path) {
            Some(idx) => {
                // Module files contribute definitions only.
                self.take_program(idx);
                true
            }
            None => false,
        }
    }

    /// `a::b::c` → `<modulepath>/a/manifests/b/c.pp` (or `init.pp` for `a`).
    fn autoload_paths(&self, name: &str, dir: &str) -> Vec<PathBuf> {
        let segs: Vec<&str> = name.split("::").collect();
        let mut out = vec![];
        for mp in &self.modulepath {
            let mut p = mp.join(segs[0]).join(dir);
            if segs.len() == 1 {
                p.push("init.pp");
            } else {
                for s in &segs[1..segs.len() - 1] {
                    p.push(s);
                }
                p.push(format!("{}.pp", segs[segs.len() - 1]));
            }
            out.push(p);
        }
        out
    }

    /// Reads `<module>/lib/puppet/type/*.rb` of every module for capability types.
    fn read_capability_types(&mut self) {
        let mut found = vec![];
        for mp in &self.modulepath {
            let Ok(mods) = std::fs::read_dir(mp) else {
                continue;
            };
            let mut mods: Vec<PathBuf> = mods.filter_map(|e| e.ok().map(|e| e.path())).collect();
            mods.sort();
            for m in mods {
                let dir = m.join("lib/puppet/type");
                let Ok(entries) = std::fs::read_dir(&dir) else {
                    continue;
                };
                let mut files: Vec<PathBuf> =
                    entries.filter_map(|e| e.ok().map(|e| e.path())).collect();
                files.sort();
                for f in files {
                    if f.extension().is_some_and(|x| x == "rb")
                        && let Ok(text) = std::fs::read_to_string(&f)
                        && let Some(mut t) = crate::rbtype::capability_type(&text)
                    {
                        t.file = Some(f.clone());
                        found.push(t);
                    }
                }
            }
        }
        for t in found {
            self.capability_types.insert(t.name.clone(), t);
        }
    }
}

/// Puppet's ` (file: F, line: L)` context of an earlier definition.
fn error_context(loc: &Location) -> String {
    match (&loc.file, loc.line) {
        (Some(f), Some(l)) => format!(" (file: {}, line: {l})", f.display()),
        (None, Some(l)) => format!(" (line: {l})"),
        _ => String::new(),
    }
}

/// `lamp::db` → `Lamp::Db`.
pub(crate) fn capitalize(name: &str) -> String {
    crate::reference::capitalize_type(name)
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

/// Every definition in a tree (classes, defines, applications, functions, sites, mappings),
/// in source order.
fn collect_definitions<'e>(e: &'e Expr, out: &mut Vec<&'e Expr>) {
    use ExprKind as K;
    match &e.kind {
        K::HostClass(_)
        | K::ResourceTypeDefinition(_)
        | K::Application(_)
        | K::FunctionDefinition(_)
        | K::SiteDefinition { .. } => {
            out.push(e);
            if let Some(b) = e.definition_body() {
                collect_definitions(b, out);
            }
            return;
        }
        K::CapabilityMapping { .. } => {
            out.push(e);
            return;
        }
        _ => {}
    }
    crate::walk::children(e, &mut |c| collect_definitions(c, out));
}

//! Autoloading by name, as Puppet's autoloader does: `mod::a::b` from
//! `<modulepath>/mod/manifests/a/b.pp` (`init.pp` for `mod`), functions from `functions/`; and
//! what modules offer without Puppet code: capability types (`lib/puppet/type/*.rb`) and Ruby
//! function files (`lib/puppet/functions/**/*.rb`, `lib/puppet/parser/functions/*.rb`).

use std::path::{Path, PathBuf};
use std::rc::Rc;

use super::{Environment, key};
use crate::code::{Definition, RubyFunction};

impl Environment {
    /// Finds a class, define or application by name, autoloading it from the module path.
    pub(crate) fn find_definition(&mut self, name: &str) -> Option<&Rc<Definition>> {
        let key = key(name);
        if !self.definitions.contains_key(&key)
            && let Some(path) = self.autoload_path(&key, "manifests")
            && path.is_file()
            && !self.load_module_file(&path)
        {
            self.unloadable.insert(key.clone());
        }
        self.definitions.get(&key)
    }

    /// Finds a Puppet-language function, autoloading it from `<module>/functions` if
    /// `autoload`.
    pub(crate) fn find_function(&mut self, name: &str, autoload: bool) -> Option<&Rc<Definition>> {
        self.find_in_module_dir(name, ("function", "functions"), autoload)
    }

    /// Finds a type alias, autoloading it from `<module>/types` if `autoload`.
    pub(crate) fn find_type_alias(
        &mut self,
        name: &str,
        autoload: bool,
    ) -> Option<&Rc<Definition>> {
        self.find_in_module_dir(name, ("type", "types"), autoload)
    }

    /// A function or type alias (registered under `<prefix> <name>`), autoloaded from the
    /// module directory `dir` when it is a module's (`mod::x`).
    fn find_in_module_dir(
        &mut self,
        name: &str,
        (prefix, dir): (&str, &str),
        autoload: bool,
    ) -> Option<&Rc<Definition>> {
        let bare = key(name);
        let full = format!("{prefix} {bare}");
        if autoload
            && !self.definitions.contains_key(&full)
            && bare.contains("::")
            && let Some(path) = self.autoload_path(&bare, dir)
            && path.is_file()
        {
            self.load_module_file(&path);
        }
        self.definitions.get(&full)
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

    /// `a::b::c` → `<module a>/<dir>/b/c.pp` (or `init.pp` for `a`), in the first module of
    /// the name on the modulepath.
    fn autoload_path(&self, name: &str, dir: &str) -> Option<PathBuf> {
        let segs: Vec<&str> = name.split("::").collect();
        let module = self.modules.iter().find(|m| m.name == segs[0])?;
        let mut p = module.dir.join(dir);
        if segs.len() == 1 {
            p.push("init.pp");
        } else {
            for s in &segs[1..segs.len() - 1] {
                p.push(s);
            }
            p.push(format!("{}.pp", segs[segs.len() - 1]));
        }
        Some(p)
    }

    /// The modules' names and directories, in modulepath then name order.
    pub(super) fn modules(&self) -> Vec<(String, PathBuf)> {
        self.modules
            .iter()
            .map(|m| (m.name.clone(), m.dir.clone()))
            .collect()
    }

    /// Reads `<module>/lib/puppet/type/*.rb` of every module for capability types.
    pub(super) fn read_capability_types(&mut self) {
        let mut found = vec![];
        for (_, m) in self.modules() {
            for f in sorted_files(&m.join("lib/puppet/type")) {
                if let Some(stem) = rb_stem(&f) {
                    self.ruby_types.insert(key(&stem));
                }
                if f.extension().is_some_and(|x| x == "rb")
                    && let Ok(text) = std::fs::read_to_string(&f)
                    && let Some(mut t) = super::rbtype::capability_type(&text)
                {
                    t.file = Some(f.clone());
                    found.push(t);
                }
            }
        }
        for t in found {
            self.capability_types.insert(t.name.clone(), t);
        }
    }

    /// Notes every module's Ruby function files: `lib/puppet/functions/a/b.rb` is `a::b`
    /// (4.x API), `lib/puppet/parser/functions/f.rb` is `f` (3.x API).
    pub(super) fn read_ruby_functions(&mut self) {
        for (module, m) in self.modules() {
            let mut files = vec![];
            ruby_files(&m.join("lib/puppet/functions"), "", &mut files, 0);
            let api4 = files.len();
            for f in sorted_files(&m.join("lib/puppet/parser/functions")) {
                if let Some(stem) = rb_stem(&f) {
                    files.push((stem, f));
                }
            }
            for (i, (name, path)) in files.into_iter().enumerate() {
                self.ruby_functions
                    .entry(key(&name))
                    .or_default()
                    .push(RubyFunction {
                        module: module.clone(),
                        path,
                        api4: i < api4,
                    });
            }
        }
    }
}

/// A directory's entries, sorted (none when it cannot be read).
fn sorted_files(dir: &Path) -> Vec<PathBuf> {
    let Ok(entries) = std::fs::read_dir(dir) else {
        return vec![];
    };
    let mut files: Vec<PathBuf> = entries.filter_map(|e| e.ok().map(|e| e.path())).collect();
    files.sort();
    files
}

fn rb_stem(f: &Path) -> Option<String> {
    if f.extension().is_some_and(|x| x == "rb") && f.is_file() {
        f.file_stem().map(|s| s.to_string_lossy().into_owned())
    } else {
        None
    }
}

/// `lib/puppet/functions/**/*.rb` as (`a::b`, path); a few levels deep at most (function
/// namespaces are module names and a name or two).
fn ruby_files(dir: &Path, prefix: &str, out: &mut Vec<(String, PathBuf)>, depth: usize) {
    if depth > 8 {
        return;
    }
    for f in sorted_files(dir) {
        if f.is_dir() {
            let seg = f
                .file_name()
                .map(|n| n.to_string_lossy().into_owned())
                .unwrap_or_default();
            ruby_files(&f, &format!("{prefix}{seg}::"), out, depth + 1);
        } else if let Some(stem) = rb_stem(&f) {
            out.push((format!("{prefix}{stem}"), f));
        }
    }
}

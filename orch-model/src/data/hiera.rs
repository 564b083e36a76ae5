//! Hiera 5 as Puppet 5.5's `lookup` saw it in the environment compile: the environment layer
//! (`<env>/hiera.yaml`) and the module layer (a
//! module's own `hiera.yaml`, for keys in its namespace), `lookup_options`, merge strategies and
//! `%{...}` interpolation. There is no global layer (orch has no `confdir`) and no node: facts
//! and trusted data are unset and interpolate as any unset variable does, to nothing.
//!
//! Self-contained: variables come from the caller through [`Variables`], so the evaluator is
//! the only thing that knows scopes.

use std::collections::BTreeMap;
use std::fmt;
use std::path::{Path, PathBuf};

use super::config::{self, Backend, Config, Layer, Locations, Read};
use super::interpolate;
use super::merge::Merge;

use crate::Value;

/// A lookup that failed (bad configuration or data, bad options, recursion): Puppet's
/// message and, when known, the file and line it concerns.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct HieraError {
    pub(crate) message: String,
    pub(crate) file: Option<PathBuf>,
    pub(crate) line: Option<usize>,
    /// A type assertion (Puppet's `TypeAssertionError`), which the evaluator reports as an
    /// error of the function call at the call's position; other lookup errors stand alone.
    pub(crate) type_assertion: bool,
}

impl HieraError {
    pub(crate) fn msg(message: impl Into<String>) -> HieraError {
        HieraError {
            message: message.into(),
            file: None,
            line: None,
            type_assertion: false,
        }
    }

    pub(crate) fn at(message: impl Into<String>, file: &Path, line: Option<usize>) -> HieraError {
        HieraError {
            file: Some(file.to_path_buf()),
            line,
            ..HieraError::msg(message)
        }
    }

    /// A type assertion's failure.
    pub(crate) fn type_mismatch(message: impl Into<String>) -> HieraError {
        HieraError {
            type_assertion: true,
            ..HieraError::msg(message)
        }
    }
}

/// Puppet's `LookupError#to_s`: the message, then `(file: F, line: L)` when known.
impl fmt::Display for HieraError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.message)?;
        match (&self.file, self.line) {
            (Some(p), Some(l)) => write!(f, " (file: {}, line: {l})", p.display()),
            (Some(p), None) => write!(f, " (file: {})", p.display()),
            (None, Some(l)) => write!(f, " (line: {l})"),
            (None, None) => Ok(()),
        }
    }
}

/// A segment of a dotted key: `a.b.0` is `a`, `b`, index 0.
#[derive(Debug, Clone, PartialEq)]
pub(crate) enum Segment {
    Key(String),
    Index(i64),
}

/// Puppet's `SubLookup#split_key`: dots separate segments unless quoted; a segment of digits
/// is an index. `None` for a syntax error.
pub(crate) fn split_key(key: &str) -> Option<Vec<Segment>> {
    if !key.contains(['.', '"', '\'']) {
        return Some(vec![Segment::Key(key.to_string())]);
    }
    let mut out = vec![];
    let mut rest = key;
    loop {
        let trimmed = rest.trim_start();
        let (seg, after) = if let Some(q @ ('"' | '\'')) = trimmed.chars().next() {
            let end = trimmed[1..].find(q)? + 1;
            if end == 1 {
                return None;
            }
            let after = trimmed[end + 1..].trim_start();
            (Segment::Key(trimmed[1..end].to_string()), after)
        } else {
            let end = trimmed.find(['.', '"', '\'']).unwrap_or(trimmed.len());
            let s = &trimmed[..end];
            if s.is_empty() {
                return None;
            }
            let seg = match s.trim().parse::<i64>() {
                Ok(i)
                    if s.trim()
                        .chars()
                        .all(|c| c.is_ascii_digit() || c == '-' || c == '+') =>
                {
                    Segment::Index(i)
                }
                _ => Segment::Key(s.to_string()),
            };
            (seg, &trimmed[end..])
        };
        out.push(seg);
        if after.is_empty() {
            return Some(out);
        }
        rest = after.strip_prefix('.')?;
        if rest.is_empty() {
            return None;
        }
    }
}

/// Digs into a value along segments (`None`: a segment is missing).
pub(crate) fn dig(v: &Value, segments: &[Segment]) -> Option<Value> {
    let mut cur = v.clone();
    for s in segments {
        cur = match (&cur, s) {
            (Value::Hash(_), Segment::Key(k)) => cur.hash_get(&Value::Str(k.clone()))?.clone(),
            (Value::Hash(_), Segment::Index(i)) => cur.hash_get(&Value::Int(*i))?.clone(),
            (Value::Array(a), Segment::Index(i)) => {
                let n = a.len() as i64;
                let i = if *i < 0 { n + i } else { *i };
                a.get(usize::try_from(i).ok()?)?.clone()
            }
            _ => return None,
        };
    }
    Some(cur)
}

/// What a lookup found: the value, and the `convert_to` of its `lookup_options`.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct Found {
    pub(crate) value: Value,
    pub(crate) convert_to: Option<Value>,
}

/// The per-compile Hiera state: configurations and data files read once, warnings once.
#[derive(Debug, Default)]
pub(crate) struct Hiera {
    env_root: Option<PathBuf>,
    /// The environment's modules: name and directory.
    modules: Vec<(String, PathBuf)>,
    env_config: Option<Result<Option<Config>, HieraError>>,
    module_configs: BTreeMap<String, Result<Option<Config>, HieraError>>,
    files: BTreeMap<PathBuf, Result<Value, HieraError>>,
    /// Keys being looked up (Puppet's recursion check).
    stack: Vec<String>,
    warned: std::collections::BTreeSet<String>,
    /// Warnings not yet taken by the caller, with the file they concern.
    pub(crate) warnings: Vec<(String, Option<PathBuf>)>,
}

/// The variables of the scope a lookup is made in.
pub(crate) trait Variables {
    fn variable(&mut self, name: &str) -> Option<Value>;
}

impl Hiera {
    /// Hiera for an environment directory (`None` for a single manifest: no data then, as
    /// Puppet has no environment layer without an environment) and its modules.
    pub(crate) fn new(env_root: Option<PathBuf>, modules: Vec<(String, PathBuf)>) -> Hiera {
        Hiera {
            env_root,
            modules,
            ..Hiera::default()
        }
    }

    fn warn(&mut self, message: String, file: Option<PathBuf>) {
        if self.warned.insert(message.clone()) {
            self.warnings.push((message, file));
        }
    }

    /// True when the environment has a data layer (a usable `hiera.yaml`); without one the
    /// legacy `hiera*` functions look only at the global layer, which orch does not have.
    pub(crate) fn has_environment_layer(&mut self) -> Result<bool, HieraError> {
        Ok(self.config(Layer::Environment, None)?.is_some())
    }

    /// Looks a key up through the environment and module layers. `merge`: the caller's
    /// strategy (`None`: the key's `lookup_options`, else `first`).
    pub(crate) fn lookup(
        &mut self,
        key: &str,
        merge: Option<&Merge>,
        vars: &mut dyn Variables,
    ) -> Result<Option<Found>, HieraError> {
        if key == "lookup_options" || key.starts_with("lookup_options.") {
            return Ok(None);
        }
        let segments = split_key(key)
            .ok_or_else(|| HieraError::msg(format!("Syntax error in key: '{key}'")))?;
        let root = match &segments[0] {
            Segment::Key(k) => k.clone(),
            Segment::Index(i) => i.to_string(),
        };
        if self.stack.contains(&key.to_string()) {
            let names = self.stack.clone();
            // Puppet's global layer rewraps this error (lookup_adapter.rb, lookup_global).
            return Err(HieraError::msg(format!(
                "Lookup of key '{}' failed: Recursive lookup detected in [{}]",
                self.stack[0],
                names.join(", ")
            )));
        }
        let module = root
            .find("::")
            .map(|i| root[..i].to_string())
            .filter(|m| !m.is_empty());
        self.stack.push(key.to_string());
        let r = self.lookup_root(&root, module.as_deref(), merge, vars);
        self.stack.pop();
        let Some(found) = r? else { return Ok(None) };
        Ok(dig(&found.value, &segments[1..]).map(|value| Found { value, ..found }))
    }

    fn lookup_root(
        &mut self,
        root: &str,
        module: Option<&str>,
        merge: Option<&Merge>,
        vars: &mut dyn Variables,
    ) -> Result<Option<Found>, HieraError> {
        let options = self.options_for(root, module, vars)?;
        let merge = match (
            merge,
            options
                .as_ref()
                .and_then(|o| o.hash_get(&Value::Str("merge".into()))),
        ) {
            (Some(m), _) => m.clone(),
            (None, Some(m)) => Merge::from_value(m)?,
            (None, None) => Merge::First,
        };
        let convert_to = options
            .as_ref()
            .and_then(|o| o.hash_get(&Value::Str("convert_to".into())))
            .cloned();
        let mut found = vec![];
        let first_only = merge == Merge::First;
        let mut layers = vec![Layer::Environment];
        if module.is_some() {
            layers.push(Layer::Module);
        }
        for layer in layers {
            self.values_in_layer(layer, module, root, vars, &mut found, first_only)?;
            if first_only && !found.is_empty() {
                break;
            }
        }
        Ok(merge
            .merge_all(found)?
            .map(|value| Found { value, convert_to }))
    }

    /// The `lookup_options` entry for a key: the environment's (hash-merged over its
    /// hierarchy), with the module's merged under it for a module key; exact key first, then
    /// the first matching `^` pattern.
    fn options_for(
        &mut self,
        root: &str,
        module: Option<&str>,
        vars: &mut dyn Variables,
    ) -> Result<Option<Value>, HieraError> {
        let mut found = vec![];
        self.values_in_layer(
            Layer::Environment,
            None,
            "lookup_options",
            vars,
            &mut found,
            false,
        )?;
        let mut all = Merge::Hash.merge_all(found)?;
        if let Some(Value::Hash(_)) | None = &all {
        } else {
            return Err(HieraError::msg("value of lookup_options must be a hash"));
        }
        if let Some(m) = module {
            let mut mfound = vec![];
            self.values_in_layer(
                Layer::Module,
                Some(m),
                "lookup_options",
                vars,
                &mut mfound,
                false,
            )?;
            if let Some(mo) = Merge::Hash.merge_all(mfound)? {
                let Value::Hash(entries) = &mo else {
                    return Err(HieraError::msg("value of lookup_options must be a hash"));
                };
                let pfx = format!("{m}::");
                for (k, _) in entries {
                    let k = k.to_string();
                    if let Some(p) = k.strip_prefix('^') {
                        if !p.starts_with(&pfx) {
                            return Err(HieraError::msg(format!(
                                "all lookup_options patterns must match a key starting with module name '{m}'"
                            )));
                        }
                    } else if !k.starts_with(&pfx) {
                        return Err(HieraError::msg(format!(
                            "all lookup_options keys must start with module name '{m}'"
                        )));
                    }
                }
                all = match all {
                    Some(env) => Merge::Hash.merge_all(vec![env, mo])?,
                    None => Some(mo),
                };
            }
        }
        let Some(Value::Hash(entries)) = all else {
            return Ok(None);
        };
        if let Some((_, v)) = entries.iter().find(|(k, _)| *k == Value::Str(root.into())) {
            return Ok(Some(v.clone()));
        }
        for (k, v) in &entries {
            if let Value::Str(p) = k
                && p.starts_with('^')
            {
                let re = regex::Regex::new(p)
                    .map_err(|e| HieraError::msg(format!("lookup_options pattern {p}: {e}")))?;
                if re.is_match(root) {
                    return Ok(Some(v.clone()));
                }
            }
        }
        Ok(None)
    }

    fn config(&mut self, layer: Layer, module: Option<&str>) -> Result<Option<Config>, HieraError> {
        let cached = match (layer, module) {
            (Layer::Environment, _) => self.env_config.clone(),
            (Layer::Module, Some(m)) => self.module_configs.get(m).cloned(),
            (Layer::Module, None) => return Ok(None),
        };
        if let Some(c) = cached {
            return c;
        }
        let root = match (layer, module) {
            (Layer::Environment, _) => self.env_root.clone(),
            (Layer::Module, Some(m)) => self
                .modules
                .iter()
                .find(|(name, _)| name == m)
                .map(|(_, dir)| dir.clone()),
            _ => None,
        };
        let mut warnings = vec![];
        let read = match root {
            None => Ok(None),
            Some(r) => config::read(&r, layer, &mut warnings).map(|read| match read {
                Some(Read::Config(c)) => Some(c),
                Some(Read::Ignored(w, f)) => {
                    warnings.push((w, Some(f)));
                    None
                }
                None => None,
            }),
        };
        for (w, f) in warnings {
            self.warn(w, f);
        }
        match (layer, module) {
            (Layer::Environment, _) => self.env_config = Some(read.clone()),
            (_, Some(m)) => {
                self.module_configs.insert(m.to_string(), read.clone());
            }
            _ => {}
        }
        read
    }

    /// The values of `root` in each location of a layer's hierarchy, in priority order.
    fn values_in_layer(
        &mut self,
        layer: Layer,
        module: Option<&str>,
        root: &str,
        vars: &mut dyn Variables,
        out: &mut Vec<Value>,
        first_only: bool,
    ) -> Result<(), HieraError> {
        let Some(config) = self.config(layer, module)? else {
            return Ok(());
        };
        for level in &config.levels {
            let files = self.level_files(level, &config.path, vars)?;
            for f in files {
                if !f.is_file() {
                    continue;
                }
                let data = self.data_file(&f, level.backend, layer, module)?;
                if let Some(v) = data.hash_get(&Value::Str(root.into())) {
                    let v = v.clone();
                    let v = if root == "lookup_options" {
                        v
                    } else {
                        let mut r = DataResolver {
                            hiera: self,
                            vars: &mut *vars,
                        };
                        interpolate::interpolate(&v, &mut r, true, 0)?
                    };
                    out.push(v);
                    if first_only {
                        return Ok(());
                    }
                }
            }
        }
        Ok(())
    }

    /// The files of a hierarchy level, its paths interpolated with the scope's variables.
    fn level_files(
        &mut self,
        level: &config::Level,
        config_path: &Path,
        vars: &mut dyn Variables,
    ) -> Result<Vec<PathBuf>, HieraError> {
        let mut resolver = PathResolver {
            vars,
            undefined: vec![],
        };
        let r = (|| {
            let datadir = PathBuf::from(interpolate_path(&level.datadir, &mut resolver)?);
            Ok(match &level.locations {
                Locations::Paths(ps) => ps
                    .iter()
                    .map(|p| interpolate_path(p, &mut resolver).map(|p| datadir.join(p)))
                    .collect::<Result<_, HieraError>>()?,
                Locations::Globs(gs) => {
                    let mut all = vec![];
                    for g in gs {
                        let g = interpolate_path(g, &mut resolver)?;
                        all.extend(glob(&datadir, &g));
                    }
                    all
                }
            })
        })();
        for name in std::mem::take(&mut resolver.undefined) {
            self.warn_undefined(&name);
        }
        r.map_err(|mut e: HieraError| {
            e.file.get_or_insert_with(|| config_path.to_path_buf());
            e
        })
    }

    /// Puppet's warning for an unset variable in an interpolation (its text, `\n` and all).
    fn warn_undefined(&mut self, name: &str) {
        self.warn(
            format!("Undefined variable '{name}'; \\n   (file & line not available)"),
            None,
        );
    }

    /// A data file's hash, read once.
    fn data_file(
        &mut self,
        path: &Path,
        backend: Backend,
        layer: Layer,
        module: Option<&str>,
    ) -> Result<Value, HieraError> {
        if let Some(r) = self.files.get(path) {
            return r.clone();
        }
        let r = self.read_data_file(path, backend, layer, module);
        self.files.insert(path.to_path_buf(), r.clone());
        r
    }

    fn read_data_file(
        &mut self,
        path: &Path,
        backend: Backend,
        layer: Layer,
        module: Option<&str>,
    ) -> Result<Value, HieraError> {
        let text = std::fs::read_to_string(path).map_err(|e| {
            HieraError::at(
                format!("Unable to read {}: {e}", path.display()),
                path,
                None,
            )
        })?;
        let (parsed, function) = match backend {
            Backend::Yaml => (super::files::parse_yaml(&text), "yaml_data"),
            Backend::Json => (super::files::parse_json(&text), "json_data"),
        };
        let v = parsed.map_err(|f| {
            let at = match (f.line, f.column) {
                (Some(l), Some(c)) => format!(" at line {l} column {c}"),
                _ => String::new(),
            };
            HieraError::msg(format!(
                "Unable to parse ({}): {}{at}",
                path.display(),
                f.message
            ))
        })?;
        let v = match v {
            Value::Hash(_) => v,
            // Psych reads an empty file as false: no warning then.
            Value::Undef | Value::Bool(false) if backend == Backend::Yaml => Value::Hash(vec![]),
            _ => {
                self.warn(
                    format!(
                        "{}: file does not contain a valid yaml hash",
                        path.display()
                    ),
                    None,
                );
                Value::Hash(vec![])
            }
        };
        if layer == Layer::Module
            && let (Some(m), Value::Hash(entries)) = (module, &v)
        {
            let pfx = format!("{m}::");
            let bad = entries.iter().any(|(k, _)| {
                let k = k.to_string();
                k != "lookup_options" && !k.starts_with(&pfx)
            });
            if bad {
                self.warn(format!(
                    "Module '{m}': Value returned from data_hash function '{function}', when using location '{}', must use keys qualified with the name of the module",
                    path.display()
                ), None);
            }
        }
        Ok(v)
    }
}

/// Interpolation in `datadir`/`path`/`glob`: variables only (methods are refused).
struct PathResolver<'a> {
    vars: &'a mut dyn Variables,
    /// Variables asked for and not set, to warn about.
    undefined: Vec<String>,
}

impl interpolate::Resolver for PathResolver<'_> {
    fn variable(&mut self, name: &str) -> Option<Value> {
        let v = self.vars.variable(name);
        if v.is_none() {
            self.undefined.push(name.to_string());
        }
        v
    }
    fn lookup(&mut self, _key: &str) -> Result<Option<Value>, HieraError> {
        Err(HieraError::msg(
            "Interpolation using method syntax is not allowed in this context",
        ))
    }
}

fn interpolate_path(p: &str, r: &mut PathResolver<'_>) -> Result<String, HieraError> {
    match interpolate::interpolate(&Value::Str(p.to_string()), r, false, 0)? {
        Value::Str(s) => Ok(s),
        other => Ok(other.to_string()),
    }
}

/// Interpolation in data: variables and lookups of other keys.
struct DataResolver<'a> {
    hiera: &'a mut Hiera,
    vars: &'a mut dyn Variables,
}

impl interpolate::Resolver for DataResolver<'_> {
    fn variable(&mut self, name: &str) -> Option<Value> {
        let v = self.vars.variable(name);
        if v.is_none() {
            self.hiera.warn_undefined(name);
        }
        v
    }
    fn lookup(&mut self, key: &str) -> Result<Option<Value>, HieraError> {
        Ok(self.hiera.lookup(key, None, self.vars)?.map(|f| f.value))
    }
}

/// The files under `dir` matching a glob pattern (`*`, `**`, `?`, `[...]`, `{a,b}`), sorted
/// (Ruby 3's `Dir.glob` order).
fn glob(dir: &Path, pattern: &str) -> Vec<PathBuf> {
    let full = if Path::new(pattern).is_absolute() {
        PathBuf::from(pattern)
    } else {
        dir.join(pattern)
    };
    let full = full.display().to_string();
    // The fixed directory before the first wildcard is where the walk starts.
    let wild = full.find(['*', '?', '[', '{']).unwrap_or(full.len());
    let base = match full[..wild].rfind('/') {
        Some(i) => PathBuf::from(&full[..i.max(1)]),
        None => PathBuf::from("."),
    };
    let Ok(re) = regex::Regex::new(&glob_regex(&full)) else {
        return vec![];
    };
    let mut out = vec![];
    let mut stack = vec![(base, 0usize)];
    while let Some((d, depth)) = stack.pop() {
        if depth > 32 {
            continue;
        }
        let Ok(entries) = std::fs::read_dir(&d) else {
            continue;
        };
        for e in entries.flatten() {
            let p = e.path();
            if p.is_dir() {
                stack.push((p, depth + 1));
            } else if re.is_match(&p.display().to_string()) {
                out.push(p);
            }
        }
    }
    out.sort();
    out
}

fn glob_regex(pattern: &str) -> String {
    let mut re = String::from("^");
    let chars: Vec<char> = pattern.chars().collect();
    let mut i = 0;
    let mut in_braces = false;
    while i < chars.len() {
        let c = chars[i];
        match c {
            '*' if chars.get(i + 1) == Some(&'*') => {
                // `**/` matches any number of directories, none included.
                if chars.get(i + 2) == Some(&'/') {
                    re.push_str("(?:[^/]*/)*");
                    i += 3;
                    continue;
                }
                re.push_str(".*");
                i += 2;
                continue;
            }
            '*' => re.push_str("[^/]*"),
            '?' => re.push_str("[^/]"),
            '[' => {
                let end = chars[i..].iter().position(|&x| x == ']').map(|p| p + i);
                match end {
                    Some(e) => {
                        let class: String = chars[i + 1..e].iter().collect();
                        let class = class.replacen('!', "^", usize::from(class.starts_with('!')));
                        re.push('[');
                        re.push_str(&class.replace('\\', "\\\\"));
                        re.push(']');
                        i = e + 1;
                        continue;
                    }
                    None => re.push_str("\\["),
                }
            }
            '{' => {
                in_braces = true;
                re.push_str("(?:");
            }
            '}' if in_braces => {
                in_braces = false;
                re.push(')');
            }
            ',' if in_braces => re.push('|'),
            other => re.push_str(&regex::escape(&other.to_string())),
        }
        i += 1;
    }
    if in_braces {
        return "^$".into();
    }
    re.push('$');
    re
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn keys_split_as_puppet_splits_them() {
        assert_eq!(split_key("a").unwrap(), vec![Segment::Key("a".into())]);
        assert_eq!(
            split_key("a.'b.c'.0").unwrap(),
            vec![
                Segment::Key("a".into()),
                Segment::Key("b.c".into()),
                Segment::Index(0)
            ]
        );
        assert!(split_key("a..b").is_none());
        assert!(split_key("a.").is_none());
        assert!(split_key(".a").is_none());
    }

    #[test]
    fn globs() {
        assert!(
            regex::Regex::new(&glob_regex("/d/**/*.yaml"))
                .unwrap()
                .is_match("/d/x.yaml")
        );
        assert!(
            regex::Regex::new(&glob_regex("/d/**/*.yaml"))
                .unwrap()
                .is_match("/d/a/b/x.yaml")
        );
        assert!(
            regex::Regex::new(&glob_regex("/d/{a,b}.yaml"))
                .unwrap()
                .is_match("/d/b.yaml")
        );
        assert!(
            !regex::Regex::new(&glob_regex("/d/*.yaml"))
                .unwrap()
                .is_match("/d/a/x.yaml")
        );
    }

    proptest! {
        #[test]
        fn key_and_glob_parsing_never_panic(s in "\\PC{0,40}") {
            let _ = split_key(&s);
            let _ = regex::Regex::new(&glob_regex(&s));
        }
    }
}

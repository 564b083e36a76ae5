//! `hiera.yaml`: versions 5 (and the deprecated 4) read and checked with Puppet's rules and
//! messages; version 3 outside the global layer is ignored with Puppet's warning.

use std::path::Path;

use super::HieraError;
use super::files::parse_yaml;
use crate::Value;

/// Which layer a configuration belongs to (the rules differ).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Layer {
    Environment,
    Module,
}

/// The data function of a hierarchy level.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Backend {
    Yaml,
    Json,
}

/// Where a level's files are: paths (`path`, `paths`) or glob patterns (`glob`, `globs`),
/// relative to the datadir and still to be interpolated.
#[derive(Debug, Clone, PartialEq)]
pub(crate) enum Locations {
    Paths(Vec<String>),
    Globs(Vec<String>),
}

/// One hierarchy level.
#[derive(Debug, Clone)]
pub(crate) struct Level {
    pub(crate) name: String,
    pub(crate) backend: Backend,
    /// The datadir (absolute, not yet interpolated).
    pub(crate) datadir: String,
    pub(crate) locations: Locations,
}

/// A read `hiera.yaml` (or the default one).
#[derive(Debug, Clone)]
pub(crate) struct Config {
    /// The `hiera.yaml` (errors in its paths name it).
    pub(crate) path: std::path::PathBuf,
    pub(crate) levels: Vec<Level>,
}

/// What reading a layer's configuration gave.
pub(crate) enum Read {
    Config(Config),
    /// Ignored, with this warning about this file (version 3 outside the global layer).
    Ignored(String, std::path::PathBuf),
}

const FUNCTION_KEYS: &[&str] = &["data_hash", "lookup_key", "data_dig", "hiera3_backend"];
const LOCATION_KEYS: &[&str] = &[
    "path",
    "paths",
    "glob",
    "globs",
    "uri",
    "uris",
    "mapped_paths",
];

/// Puppet's `a, b, or c` (Label#combine_strings).
fn combine(words: &[&str]) -> String {
    let q: Vec<String> = words.iter().map(|w| w.to_string()).collect();
    match q.len() {
        0 => String::new(),
        1 => q[0].clone(),
        2 => format!("{} or {}", q[0], q[1]),
        n => format!("{}, or {}", q[..n - 1].join(", "), q[n - 1]),
    }
}

/// Reads the configuration of a layer rooted at `root` (`None` without a `hiera.yaml`).
pub(crate) fn read(
    root: &Path,
    layer: Layer,
    warnings: &mut Vec<(String, Option<std::path::PathBuf>)>,
) -> Result<Option<Read>, HieraError> {
    let path = root.join("hiera.yaml");
    let text = match std::fs::read_to_string(&path) {
        Ok(t) => t,
        // Without a hiera.yaml neither an environment nor a module has data (Puppet's
        // default configuration applies only when environment.conf names a data provider).
        Err(_) if !path.exists() => return Ok(None),
        Err(e) => {
            return Err(HieraError::at(
                format!("Unable to read {}: {e}", path.display()),
                &path,
                None,
            ));
        }
    };
    let parsed = parse_yaml(&text).map_err(|f| {
        HieraError::at(
            format!(
                "Unable to parse ({}): {}{}",
                path.display(),
                f.message,
                match (f.line, f.column) {
                    (Some(l), Some(c)) => format!(" at line {l} column {c}"),
                    _ => String::new(),
                }
            ),
            &path,
            None,
        )
    })?;
    let Value::Hash(_) = parsed else {
        warnings.push((format!(
            "{}: File exists but does not contain a valid YAML hash. Falling back to Hiera version 3 default config",
            path.display()
        ), None));
        return Ok(Some(ignored_v3(&path, layer)));
    };
    let version = match get(&parsed, "version") {
        None | Some(Value::Undef) => 3,
        Some(Value::Int(i)) => *i,
        Some(Value::Str(s)) => s.trim().parse::<i64>().unwrap_or(0),
        Some(Value::Float(f)) => *f as i64,
        Some(_) => 0,
    };
    let c = Checker {
        path: &path,
        text: &text,
    };
    match version {
        5 => Ok(Some(Read::Config(c.v5(&parsed, root, layer)?))),
        4 => {
            warnings.push((format!(
                "{}: Use of 'hiera.yaml' version 4 is deprecated. It should be converted to version 5",
                path.display()
            ), None));
            Ok(Some(Read::Config(c.v4(&parsed, root)?)))
        }
        3 => Ok(Some(ignored_v3(&path, layer))),
        v => Err(HieraError::at(
            format!("This runtime does not support hiera.yaml version {v}"),
            &path,
            None,
        )),
    }
}

fn ignored_v3(path: &Path, layer: Layer) -> Read {
    let message = match layer {
        Layer::Environment => "hiera.yaml version 3 found at the environment root was ignored",
        Layer::Module => "hiera.yaml version 3 found at module root was ignored",
    };
    Read::Ignored(message.into(), path.to_path_buf())
}

fn get<'v>(h: &'v Value, key: &str) -> Option<&'v Value> {
    h.hash_get(&Value::Str(key.into()))
}

struct Checker<'a> {
    path: &'a Path,
    text: &'a str,
}

impl Checker<'_> {
    fn fail(&self, message: String, line: Option<usize>) -> HieraError {
        if message.starts_with("The Lookup Configuration at") {
            // A type assertion: reported as the lookup call's error, at the call.
            return HieraError::type_mismatch(message);
        }
        HieraError::at(message, self.path, line)
    }

    /// The type assertion's prefix.
    fn label(&self) -> String {
        format!(
            "The Lookup Configuration at '{}' has wrong type,",
            self.path.display()
        )
    }

    /// The line of the first match of `pat` at or after line `from` (1-based), as Puppet's
    /// `find_line_matching` does to place errors.
    fn line_matching(&self, pat: &str, from: usize) -> Option<usize> {
        let re = regex::Regex::new(pat).ok()?;
        self.text
            .lines()
            .enumerate()
            .skip(from.saturating_sub(1))
            .find(|(_, l)| re.is_match(l))
            .map(|(i, _)| i + 1)
    }

    /// A hierarchy level, with its own `datadir` or the default one.
    #[allow(clippy::too_many_arguments)]
    fn level(
        &self,
        he: &Value,
        at: &str,
        root: &Path,
        datadir: &str,
        name: String,
        backend: Backend,
        locations: Locations,
    ) -> Result<Level, HieraError> {
        let dir = match get(he, "datadir") {
            Some(d) => self.nonempty_string(d, format!("{at} entry 'datadir'"))?,
            None => datadir.to_string(),
        };
        Ok(Level {
            name,
            backend,
            datadir: root.join(dir).display().to_string(),
            locations,
        })
    }

    /// The `hierarchy` entry, which must be an array.
    fn hierarchy_list<'v>(&self, v: &'v Value) -> Result<&'v Vec<Value>, HieraError> {
        match v {
            Value::Array(a) => Ok(a),
            other => Err(self.fail(
                format!(
                    "{} entry 'hierarchy' expects an Array value, got {}",
                    self.label(),
                    describe(other)
                ),
                None,
            )),
        }
    }

    fn nonempty_string(&self, v: &Value, what: String) -> Result<String, HieraError> {
        match v {
            Value::Str(s) if !s.is_empty() => Ok(s.clone()),
            other => Err(self.fail(
                format!(
                    "{} {what} expects a String[1] value, got {}",
                    self.label(),
                    describe(other)
                ),
                None,
            )),
        }
    }

    fn string_list(&self, v: &Value, what: String) -> Result<Vec<String>, HieraError> {
        match v {
            Value::Array(a) if !a.is_empty() => a
                .iter()
                .enumerate()
                .map(|(i, x)| self.nonempty_string(x, format!("{what} index {i}")))
                .collect(),
            other => Err(self.fail(
                format!(
                    "{} {what} expects an Array[String[1], 1] value, got {}",
                    self.label(),
                    describe(other)
                ),
                None,
            )),
        }
    }

    fn v5(&self, h: &Value, root: &Path, layer: Layer) -> Result<Config, HieraError> {
        let Value::Hash(entries) = h else {
            unreachable!("checked by the caller")
        };
        for (k, _) in entries {
            let k = k.to_string();
            if !matches!(
                k.as_str(),
                "version" | "defaults" | "hierarchy" | "default_hierarchy"
            ) {
                return Err(self.fail(format!("{} has unrecognized key '{k}'", self.label()), None));
            }
        }
        if get(h, "default_hierarchy").is_some() && layer != Layer::Module {
            return Err(self.fail(
                "'default_hierarchy' is only allowed in the module layer".into(),
                self.line_matching(r"(?:^|\s+)default_hierarchy:", 1),
            ));
        }
        let (default_function, datadir) = self.v5_defaults(get(h, "defaults"))?;
        let hierarchy = match get(h, "hierarchy") {
            None => {
                return Ok(Config {
                    path: self.path.to_path_buf(),
                    levels: vec![Level {
                        name: "Common".into(),
                        backend: self.backend(
                            default_function
                                .as_ref()
                                .map(|(k, f)| (k.as_str(), f.as_str()))
                                .unwrap_or(("data_hash", "yaml_data")),
                            "Common",
                        )?,
                        datadir: root.join(&datadir).display().to_string(),
                        locations: Locations::Paths(vec!["common.yaml".into()]),
                    }],
                });
            }
            Some(other) => self.hierarchy_list(other)?,
        };
        let mut levels: Vec<Level> = vec![];
        for (i, he) in hierarchy.iter().enumerate() {
            let level = self.v5_level(he, i, &levels, default_function.as_ref(), root, &datadir)?;
            levels.push(level);
        }
        Ok(Config {
            path: self.path.to_path_buf(),
            levels,
        })
    }

    /// The `defaults` entry: its data function (when it names one, or when there is no
    /// `defaults` at all) and its datadir.
    fn v5_defaults(
        &self,
        defaults: Option<&Value>,
    ) -> Result<(Option<(String, String)>, String), HieraError> {
        // Without `defaults`, Puppet's own apply (datadir `data`, data_hash `yaml_data`).
        let mut default_function = defaults
            .is_none()
            .then(|| ("data_hash".to_string(), "yaml_data".to_string()));
        let mut datadir = "data".to_string();
        if let Some(d) = defaults {
            let Value::Hash(de) = d else {
                return Err(self.fail(
                    format!(
                        "{} entry 'defaults' expects a Struct value, got {}",
                        self.label(),
                        describe(d)
                    ),
                    None,
                ));
            };
            for (k, v) in de {
                let k = k.to_string();
                match k.as_str() {
                    "datadir" => {
                        datadir =
                            self.nonempty_string(v, "entry 'defaults' entry 'datadir'".into())?
                    }
                    "data_hash" | "lookup_key" | "data_dig" => {
                        let f = self.nonempty_string(v, format!("entry 'defaults' entry '{k}'"))?;
                        if default_function.is_some() {
                            return Err(self.fail(
                                format!(
                                    "Only one of {} can be defined in defaults",
                                    combine(FUNCTION_KEYS)
                                ),
                                None,
                            ));
                        }
                        default_function = Some((k.clone(), f));
                    }
                    "options" => {}
                    _ => {
                        return Err(self.fail(
                            format!(
                                "{} entry 'defaults' has unrecognized key '{k}'",
                                self.label()
                            ),
                            None,
                        ));
                    }
                }
            }
        }
        Ok((default_function, datadir))
    }

    /// One entry of `hierarchy`, checked as Puppet checked it.
    fn v5_level(
        &self,
        he: &Value,
        i: usize,
        levels: &[Level],
        default_function: Option<&(String, String)>,
        root: &Path,
        datadir: &str,
    ) -> Result<Level, HieraError> {
        let at = format!("entry 'hierarchy' index {i}");
        let Value::Hash(he_entries) = he else {
            return Err(self.fail(
                format!(
                    "{} {at} expects a Struct value, got {}",
                    self.label(),
                    describe(he)
                ),
                None,
            ));
        };
        let Some(name) = get(he, "name") else {
            return Err(self.fail(
                format!("{} {at} expects a value for key 'name'", self.label()),
                None,
            ));
        };
        let name = self.nonempty_string(name, format!("{at} entry 'name'"))?;
        for (k, _) in he_entries {
            let k = k.to_string();
            if !matches!(k.as_str(), "name" | "options" | "datadir")
                && !FUNCTION_KEYS.contains(&k.as_str())
                && !LOCATION_KEYS.contains(&k.as_str())
            {
                return Err(self.fail(
                    format!("{} {at} has unrecognized key '{k}'", self.label()),
                    None,
                ));
            }
        }
        if levels.iter().any(|l| l.name == name) {
            let pat = format!(r#"\s+name:\s+['"]?{}(?:[^\w]|$)"#, regex::escape(&name));
            let first = self.line_matching(&pat, 1);
            let second = first.and_then(|f| self.line_matching(&pat, f + 1));
            let (line, first) = match second {
                Some(s) => (Some(s), first),
                None => (first, None),
            };
            let mut msg = format!("Hierarchy name '{name}' defined more than once.");
            if let Some(f) = first {
                msg.push_str(&format!(" First defined at (line: {f})"));
            }
            return Err(self.fail(msg, line));
        }
        let functions: Vec<&str> = ["data_hash", "lookup_key", "hiera3_backend", "data_dig"]
            .into_iter()
            .filter(|k| get(he, k).is_some())
            .collect();
        let function = match functions.as_slice() {
            [] => match default_function {
                Some((k, f)) => (k.clone(), f.clone()),
                None => {
                    return Err(self.fail(
                        format!(
                            "One of {} must be defined in hierarchy '{name}'",
                            combine(FUNCTION_KEYS)
                        ),
                        None,
                    ));
                }
            },
            [k] => (
                k.to_string(),
                self.nonempty_string(get(he, k).expect("present"), format!("{at} entry '{k}'"))?,
            ),
            _ => {
                return Err(self.fail(
                    format!(
                        "Only one of {} can be defined in hierarchy '{name}'",
                        combine(FUNCTION_KEYS)
                    ),
                    None,
                ));
            }
        };
        if function.0 == "hiera3_backend" {
            return Err(self.fail(
                "'hiera3_backend' is only allowed in the global layer".into(),
                self.line_matching(r"\s+hiera3_backend:", 1),
            ));
        }
        if let Some(Value::Hash(o)) = get(he, "options") {
            for key in ["path", "uri"] {
                if o.iter().any(|(k, _)| *k == Value::Str(key.into())) {
                    return Err(self.fail(
                        format!(
                            "Option key '{key}' used in hierarchy '{name}' is reserved by Puppet"
                        ),
                        None,
                    ));
                }
            }
        }
        let location_keys: Vec<&str> = LOCATION_KEYS
            .iter()
            .copied()
            .filter(|k| get(he, k).is_some())
            .collect();
        if location_keys.len() > 1 {
            return Err(self.fail(
                format!(
                    "Only one of {} can be defined in hierarchy '{name}'",
                    combine(LOCATION_KEYS)
                ),
                None,
            ));
        }
        let backend = self.backend((function.0.as_str(), function.1.as_str()), &name)?;
        let locations = match location_keys.first().copied() {
            Some(k @ ("path" | "paths" | "glob" | "globs")) => {
                let v = get(he, k).expect("present");
                let what = format!("{at} entry '{k}'");
                let list = if k.ends_with('s') {
                    self.string_list(v, what)?
                } else {
                    vec![self.nonempty_string(v, what)?]
                };
                if k.starts_with("path") {
                    Locations::Paths(list)
                } else {
                    Locations::Globs(list)
                }
            }
            Some(other) => {
                return Err(self.fail(
                    format!("orch does not support '{other}' in hierarchy '{name}' (only path, paths, glob and globs)"),
                    None,
                ));
            }
            None => {
                return Err(self.fail(
                    format!("one of 'path', 'paths' 'glob', 'globs' or 'mapped_paths' must be declared in hiera.yaml when using this data_hash function (hierarchy '{name}')"),
                    None,
                ));
            }
        };
        self.level(he, &at, root, datadir, name, backend, locations)
    }

    /// `yaml_data`/`json_data`; other functions are Ruby code orch cannot run.
    fn backend(&self, (kind, function): (&str, &str), level: &str) -> Result<Backend, HieraError> {
        match (kind, function) {
            ("data_hash", "yaml_data") => Ok(Backend::Yaml),
            ("data_hash", "json_data") => Ok(Backend::Json),
            _ => Err(self.fail(
                format!(
                    "Unable to find '{kind}' function named '{function}' (hierarchy '{level}': orch reads only yaml_data and json_data; other data functions are Ruby code)"
                ),
                None,
            )),
        }
    }

    fn v4(&self, h: &Value, root: &Path) -> Result<Config, HieraError> {
        let datadir = match get(h, "datadir") {
            Some(d) => self.nonempty_string(d, "entry 'datadir'".into())?,
            None => "data".into(),
        };
        let default_level = Value::Array(vec![Value::Hash(vec![
            (Value::Str("name".into()), Value::Str("common".into())),
            (Value::Str("backend".into()), Value::Str("yaml".into())),
        ])]);
        let hierarchy = match get(h, "hierarchy") {
            None => &default_level,
            Some(v) => v,
        };
        let levels_in = self.hierarchy_list(hierarchy)?;
        let mut levels: Vec<Level> = vec![];
        for (i, he) in levels_in.iter().enumerate() {
            let at = format!("entry 'hierarchy' index {i}");
            for key in ["backend", "name"] {
                if get(he, key).is_none() {
                    return Err(self.fail(
                        format!("{} {at} expects a value for key '{key}'", self.label()),
                        None,
                    ));
                }
            }
            let name = self.nonempty_string(
                get(he, "name").expect("present"),
                format!("{at} entry 'name'"),
            )?;
            let backend_name = self.nonempty_string(
                get(he, "backend").expect("present"),
                format!("{at} entry 'backend'"),
            )?;
            let (backend, ext) = match backend_name.as_str() {
                "yaml" => (Backend::Yaml, ".yaml"),
                "json" => (Backend::Json, ".json"),
                other => {
                    let pat = format!(r"[^\w]{}(?:[^\w]|$)", regex::escape(other));
                    return Err(self.fail(
                        format!("No data provider is registered for backend '{other}'"),
                        self.line_matching(&pat, 1),
                    ));
                }
            };
            let paths = match (get(he, "paths"), get(he, "path")) {
                (Some(p), _) => self.string_list(p, format!("{at} entry 'paths'"))?,
                (None, Some(p)) => vec![self.nonempty_string(p, format!("{at} entry 'path'"))?],
                (None, None) => vec![name.clone()],
            };
            let paths = paths
                .into_iter()
                .map(|p| {
                    if p.ends_with(ext) {
                        p
                    } else {
                        format!("{p}{ext}")
                    }
                })
                .collect();
            let locations = Locations::Paths(paths);
            levels.push(self.level(he, &at, root, &datadir, name, backend, locations)?);
        }
        Ok(Config {
            path: self.path.to_path_buf(),
            levels,
        })
    }
}

/// A value's type as the type asserter names it in "got ...".
fn describe(v: &Value) -> String {
    match v {
        Value::Str(s) if s.is_empty() => "String[0, 0]".into(),
        Value::Str(_) => "String".into(),
        Value::Undef => "Undef".into(),
        other => other.type_name(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn scratch() -> std::path::PathBuf {
        use std::sync::atomic::{AtomicUsize, Ordering};
        static N: AtomicUsize = AtomicUsize::new(0);
        let p = std::env::temp_dir().join(format!(
            "orch-hiera-config-{}-{}",
            std::process::id(),
            N.fetch_add(1, Ordering::SeqCst)
        ));
        std::fs::create_dir_all(&p).expect("scratch dir");
        p
    }

    const PIECES: &[&str] = &[
        "version: 5\n",
        "version: 4\n",
        "version: 3\n",
        "version: x\n",
        "defaults:\n",
        "  datadir: d\n",
        "  data_hash: yaml_data\n",
        "  data_hash: json_data\n",
        "hierarchy:\n",
        "  - name: a\n",
        "  - name: a\n",
        "    path: p.yaml\n",
        "    paths: []\n",
        "    glob: '*.yaml'\n",
        "    globs: [x]\n",
        "    lookup_key: k\n",
        "    hiera3_backend: yaml\n",
        "    backend: yaml\n",
        "    options: {path: 1}\n",
        "default_hierarchy: []\n",
        "- ",
        ": ",
        "[",
        "]",
        "{",
        "}",
        "'",
        "\"",
        "%{",
        "\n",
        "  ",
    ];

    #[test]
    fn duplicate_level_names_are_placed() {
        let dir = scratch();
        std::fs::write(
            dir.join("hiera.yaml"),
            "version: 5\nhierarchy:\n  - name: a\n    path: x.yaml\n  - name: a\n    path: y.yaml\n",
        )
        .expect("write");
        let e = read(&dir, Layer::Environment, &mut vec![])
            .err()
            .expect("an error");
        let _ = std::fs::remove_dir_all(&dir);
        assert_eq!(
            e.message,
            "Hierarchy name 'a' defined more than once. First defined at (line: 3)"
        );
        assert_eq!(e.line, Some(5));
    }

    proptest! {
        #![proptest_config(ProptestConfig { cases: 200, ..ProptestConfig::default() })]

        #[test]
        fn arbitrary_hiera_yaml_never_panics(parts in prop::collection::vec(prop::sample::select(PIECES), 0..30)) {
            let dir = scratch();
            std::fs::write(dir.join("hiera.yaml"), parts.concat()).expect("write");
            for layer in [Layer::Environment, Layer::Module] {
                let _ = read(&dir, layer, &mut vec![]);
            }
            let _ = std::fs::remove_dir_all(&dir);
        }
    }
}

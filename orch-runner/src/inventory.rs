//! The inventory: how to reach each node, in the shape of Bolt's inventory (version 2).
//!
//! The file is read in two steps. First serde_yaml_ng turns the text into a small tree whose
//! nodes carry their ordinal in document order; then the tree is checked and resolved. A problem
//! found in the second step names a node's ordinal, and the text is read once more, stopping
//! with an error at that ordinal, so that serde_yaml_ng reports its line and column. So every
//! error, syntactic or semantic, has a position, without a YAML parser of our own.
//!
//! Resolution follows Bolt (`lib/bolt/inventory/group.rb`, `target.rb` at
//! `puppetlabs/bolt@878b1e5`): string entries are resolved after every group is read (a string
//! may name a target or alias defined later); a target's config is its own definitions'
//! config (a subgroup's over its parent's, an earlier sibling's over a later one's) over its
//! groups' config (the same order), over the top level; the uri's scheme, user and port win
//! over config.

use std::cell::Cell;
use std::collections::{HashMap, HashSet};
use std::fmt;
use std::path::{Component, Path, PathBuf};

use serde::de::{self, DeserializeSeed, MapAccess, SeqAccess, Visitor};

use crate::error::Error;
use crate::transport::{NodeTarget, SshSettings, TransportKind, default_command};

/// A parsed inventory: every target's resolved settings, the aliases, and the top-level config
/// for nodes it does not list.
#[derive(Debug, Clone, Default)]
pub struct Inventory {
    /// Where relative paths of `local` targets are: the inventory's directory.
    base_dir: PathBuf,
    top: Config,
    targets: HashMap<String, NodeTarget>,
    aliases: HashMap<String, String>,
}

impl Inventory {
    /// Reads and checks an inventory file. Errors: [`Error::InventoryRead`], and
    /// [`Error::Inventory`] with file, line and column.
    pub fn load(path: &Path) -> Result<Inventory, Error> {
        let text = std::fs::read_to_string(path).map_err(|source| Error::InventoryRead {
            file: path.to_owned(),
            source,
        })?;
        // An absolute base, so that resolved command paths do not depend on a later cwd.
        let absolute = std::path::absolute(path).unwrap_or_else(|_| path.to_owned());
        let base_dir = absolute.parent().unwrap_or(Path::new("/"));
        Inventory::parse(&text, path, base_dir)
    }

    /// Parses text; `file` names it in errors; relative command paths (and relative
    /// `private-key` paths) resolve against `base_dir`.
    pub fn parse(text: &str, file: &Path, base_dir: &Path) -> Result<Inventory, Error> {
        let at = |line: Option<usize>, column: Option<usize>, message: String| Error::Inventory {
            file: file.to_owned(),
            // Every error has a position; one serde_yaml_ng leaves without is the document's.
            line: Some(line.unwrap_or(1)),
            column: Some(column.unwrap_or(1)),
            message,
        };
        let root = read_tree(text, None).map_err(|e| {
            let loc = e.location();
            at(
                loc.as_ref().map(|l| l.line()),
                loc.as_ref().map(|l| l.column()),
                yaml_message(&e),
            )
        })?;
        build(&root, base_dir).map_err(|problem| {
            let (line, column) = locate(text, problem.at);
            at(line, column, problem.message)
        })
    }

    /// No inventory: every node is reached over ssh (the default transport) at its certname,
    /// running the default command.
    pub fn empty() -> Inventory {
        Inventory::default()
    }

    /// How to reach a certname (or an alias of one): its target's config over its groups'
    /// config (innermost first) over the top-level config. A name in no group or target gets
    /// the top-level config with the certname as host. Never fails.
    pub fn target(&self, certname: &str) -> NodeTarget {
        let name = self.resolve_name(certname).unwrap_or(certname);
        match self.targets.get(name) {
            Some(target) => target.clone(),
            None => node_target(name, &self.top, None, &self.base_dir),
        }
    }

    /// The certnames the inventory lists, sorted.
    pub fn certnames(&self) -> impl Iterator<Item = &str> {
        let mut names: Vec<&str> = self.targets.keys().map(String::as_str).collect();
        names.sort_unstable();
        names.into_iter()
    }

    /// The certname an alias (or a certname) stands for, if the inventory knows it.
    pub fn resolve_name(&self, name_or_alias: &str) -> Option<&str> {
        if let Some((name, _)) = self.targets.get_key_value(name_or_alias) {
            return Some(name);
        }
        self.aliases.get(name_or_alias).map(String::as_str)
    }
}

// ---------------------------------------------------------------------------------------------
// The tree: YAML values with their ordinal in document order.

struct Node {
    id: usize,
    value: Value,
}

enum Value {
    Null,
    Bool(bool),
    Int(i128),
    Float(f64),
    Str(String),
    Seq(Vec<Node>),
    Map(Vec<(Node, Node)>),
}

/// The message of the error that stops a locating read; never shown.
const HERE: &str = "orch: located";

/// Reads one YAML value, numbering every node (map keys included) in document order; with
/// `stop_at`, fails at that node so that the error carries its position.
#[derive(Clone, Copy)]
struct Reader<'c> {
    next: &'c Cell<usize>,
    stop_at: Option<usize>,
}

fn read_tree(text: &str, stop_at: Option<usize>) -> Result<Node, serde_yaml_ng::Error> {
    let next = Cell::new(0);
    Reader {
        next: &next,
        stop_at,
    }
    .deserialize(serde_yaml_ng::Deserializer::from_str(text))
}

/// The line and column of node `id` of `text`.
fn locate(text: &str, id: usize) -> (Option<usize>, Option<usize>) {
    match read_tree(text, Some(id)) {
        Err(e) => match e.location() {
            Some(l) => (Some(l.line()), Some(l.column())),
            None => (None, None),
        },
        Ok(_) => (None, None),
    }
}

/// serde_yaml_ng's message without its own "at line L column C" (ours is added by [`Error`]).
fn yaml_message(e: &serde_yaml_ng::Error) -> String {
    let message = e.to_string();
    match message.find(" at line ") {
        Some(i) => message[..i].to_owned(),
        None => message,
    }
}

impl Reader<'_> {
    fn node<E: de::Error>(&self, value: Value) -> Result<Node, E> {
        let id = self.take()?;
        Ok(Node { id, value })
    }

    fn take<E: de::Error>(&self) -> Result<usize, E> {
        let id = self.next.get();
        self.next.set(id + 1);
        if self.stop_at == Some(id) {
            return Err(E::custom(HERE));
        }
        Ok(id)
    }
}

impl<'de> DeserializeSeed<'de> for Reader<'_> {
    type Value = Node;

    fn deserialize<D: de::Deserializer<'de>>(self, d: D) -> Result<Node, D::Error> {
        d.deserialize_any(self)
    }
}

impl<'de> Visitor<'de> for Reader<'_> {
    type Value = Node;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("a YAML value without tags")
    }

    fn visit_unit<E: de::Error>(self) -> Result<Node, E> {
        self.node(Value::Null)
    }

    fn visit_none<E: de::Error>(self) -> Result<Node, E> {
        self.node(Value::Null)
    }

    fn visit_bool<E: de::Error>(self, v: bool) -> Result<Node, E> {
        self.node(Value::Bool(v))
    }

    fn visit_i64<E: de::Error>(self, v: i64) -> Result<Node, E> {
        self.node(Value::Int(v.into()))
    }

    fn visit_u64<E: de::Error>(self, v: u64) -> Result<Node, E> {
        self.node(Value::Int(v.into()))
    }

    fn visit_i128<E: de::Error>(self, v: i128) -> Result<Node, E> {
        self.node(Value::Int(v))
    }

    fn visit_u128<E: de::Error>(self, v: u128) -> Result<Node, E> {
        match i128::try_from(v) {
            Ok(v) => self.node(Value::Int(v)),
            Err(_) => self.node(Value::Float(v as f64)),
        }
    }

    fn visit_f64<E: de::Error>(self, v: f64) -> Result<Node, E> {
        self.node(Value::Float(v))
    }

    fn visit_str<E: de::Error>(self, v: &str) -> Result<Node, E> {
        self.node(Value::Str(v.to_owned()))
    }

    fn visit_string<E: de::Error>(self, v: String) -> Result<Node, E> {
        self.node(Value::Str(v))
    }

    fn visit_enum<A: de::EnumAccess<'de>>(self, _data: A) -> Result<Node, A::Error> {
        Err(de::Error::custom(
            "YAML tags (`!name`) are not supported in an inventory",
        ))
    }

    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<Node, A::Error> {
        let id = self.take()?;
        let mut items = Vec::new();
        while let Some(item) = seq.next_element_seed(self)? {
            items.push(item);
        }
        Ok(Node {
            id,
            value: Value::Seq(items),
        })
    }

    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Node, A::Error> {
        let id = self.take()?;
        let mut entries = Vec::new();
        while let Some(key) = map.next_key_seed(self)? {
            let value = map.next_value_seed(self)?;
            entries.push((key, value));
        }
        Ok(Node {
            id,
            value: Value::Map(entries),
        })
    }
}

/// How a value reads in a message.
fn describe(v: &Value) -> String {
    match v {
        Value::Null => "null".into(),
        Value::Bool(b) => format!("`{b}`"),
        Value::Int(i) => format!("the number {i}"),
        Value::Float(f) => format!("the number {f}"),
        Value::Str(s) => format!("the string `{s}`"),
        Value::Seq(_) => "a list".into(),
        Value::Map(_) => "a map".into(),
    }
}

// ---------------------------------------------------------------------------------------------
// Checking the tree.

/// A problem found in the tree: what, and at which node.
struct Problem {
    at: usize,
    message: String,
}

type Checked<T> = Result<T, Problem>;

fn problem<T>(node: &Node, message: String) -> Checked<T> {
    Err(Problem {
        at: node.id,
        message,
    })
}

/// The keys a map accepts.
struct Keys {
    /// Keys orch reads (and the message lists).
    used: &'static [&'static str],
    /// Bolt's keys orch accepts and ignores.
    ignored: &'static [&'static str],
    /// Bolt's keys orch refuses, with why: ignoring them would reach the node differently
    /// from what the inventory says.
    refused: &'static [(&'static str, &'static str)],
}

const TOP_KEYS: Keys = Keys {
    used: &[
        "config",
        "groups",
        "targets",
        "version",
        "facts",
        "vars",
        "features",
        "plugin_hooks",
    ],
    ignored: &[],
    refused: &[],
};

const GROUP_KEYS: Keys = Keys {
    used: &[
        "name",
        "targets",
        "groups",
        "config",
        "facts",
        "vars",
        "features",
        "plugin_hooks",
    ],
    ignored: &[],
    refused: &[],
};

const TARGET_KEYS: Keys = Keys {
    used: &[
        "uri",
        "name",
        "alias",
        "config",
        "facts",
        "vars",
        "features",
        "plugin_hooks",
    ],
    ignored: &[],
    refused: &[],
};

const CONFIG_KEYS: Keys = Keys {
    used: &["transport", "ssh", "local", "orch"],
    // Bolt's other transports (Bolt::TRANSPORTS).
    ignored: &["winrm", "pcp", "docker", "remote", "lxd", "podman", "jail"],
    refused: &[],
};

const SSH_KEYS: Keys = Keys {
    used: &[
        "user",
        "port",
        "private-key",
        "host-key-check",
        "connect-timeout",
        "run-as",
        "host",
    ],
    // Bolt's options for how it runs tasks and scripts, and for net-ssh tuning that OpenSSH
    // takes from ssh_config: none changes which host or user the agent runs as.
    ignored: &[
        "cleanup",
        "disconnect-timeout",
        "encryption-algorithms",
        "extensions",
        "host-key-algorithms",
        "interpreters",
        "kex-algorithms",
        "load-config",
        "login-shell",
        "mac-algorithms",
        "script-dir",
        "tmpdir",
        "tty",
    ],
    refused: &[
        (
            "password",
            "orch runs ssh without prompting; use a key (`private-key` or the ssh agent)",
        ),
        ("sudo-password", "orch runs `sudo -n`, which never asks"),
        ("proxyjump", "set `ProxyJump` in ~/.ssh/config instead"),
        ("ssh-command", "orch runs the system `ssh`"),
        ("copy-command", "orch copies no files"),
        ("run-as-command", "orch runs `sudo -n -u USER --`"),
        ("sudo-executable", "orch runs `sudo -n -u USER --`"),
    ],
};

const LOCAL_KEYS: Keys = Keys {
    used: &[],
    // Bolt's task and script mechanics.
    ignored: &["cleanup", "interpreters", "tmpdir"],
    refused: &[
        (
            "run-as",
            "orch runs local commands as the user running orch; put `sudo` in `orch.command`",
        ),
        (
            "run-as-command",
            "orch runs local commands as the user running orch",
        ),
        (
            "sudo-executable",
            "orch runs local commands as the user running orch",
        ),
        (
            "sudo-password",
            "orch runs local commands as the user running orch",
        ),
    ],
};

const ORCH_KEYS: Keys = Keys {
    used: &["command", "append-flags", "summary"],
    ignored: &[],
    refused: &[],
};

/// The entries of a map (null reads as empty) that orch reads, keyed by name; unknown,
/// refused and repeated keys are errors at the key.
fn entries<'a>(node: &'a Node, what: &str, keys: &Keys) -> Checked<Vec<(&'a str, &'a Node)>> {
    let pairs = match &node.value {
        Value::Null => return Ok(Vec::new()),
        Value::Map(pairs) => pairs,
        other => {
            return problem(
                node,
                format!("{what} must be a map, not {}", describe(other)),
            );
        }
    };
    let mut seen = HashSet::new();
    let mut out = Vec::new();
    for (key, value) in pairs {
        let Value::Str(name) = &key.value else {
            return problem(
                key,
                format!(
                    "keys in {what} must be strings, not {}",
                    describe(&key.value)
                ),
            );
        };
        if !seen.insert(name.as_str()) {
            return problem(key, format!("key `{name}` appears twice in {what}"));
        }
        if keys.used.contains(&name.as_str()) {
            out.push((name.as_str(), value));
        } else if keys.ignored.contains(&name.as_str()) {
            continue;
        } else if let Some((_, why)) = keys.refused.iter().find(|(k, _)| k == name) {
            return problem(
                key,
                format!("Bolt's `{name}` in {what} is not supported by orch: {why}"),
            );
        } else if name == "_plugin" {
            return problem(
                key,
                format!("Bolt plugin references (`_plugin`) are not supported by orch, in {what}"),
            );
        } else if keys.used.is_empty() {
            return problem(
                key,
                format!("unknown key `{name}` in {what}; orch reads no keys there"),
            );
        } else {
            return problem(
                key,
                format!(
                    "unknown key `{name}` in {what}; expected one of: {}",
                    keys.used.join(", ")
                ),
            );
        }
    }
    Ok(out)
}

fn string<'a>(node: &'a Node, what: &str) -> Checked<&'a str> {
    match &node.value {
        Value::Str(s) if !s.is_empty() => Ok(s),
        other => problem(
            node,
            format!("{what} must be a non-empty string, not {}", describe(other)),
        ),
    }
}

fn boolean(node: &Node, what: &str) -> Checked<bool> {
    match node.value {
        Value::Bool(b) => Ok(b),
        ref other => problem(
            node,
            format!("{what} must be `true` or `false`, not {}", describe(other)),
        ),
    }
}

fn integer<T: TryFrom<i128>>(node: &Node, what: &str, range: &str) -> Checked<T> {
    if let Value::Int(i) = node.value
        && let Ok(v) = T::try_from(i)
    {
        return Ok(v);
    }
    problem(
        node,
        format!("{what} must be {range}, not {}", describe(&node.value)),
    )
}

fn list<'a>(node: &'a Node, what: &str) -> Checked<&'a [Node]> {
    match &node.value {
        Value::Null => Ok(&[]),
        Value::Seq(items) => Ok(items),
        other => problem(
            node,
            format!("{what} must be a list, not {}", describe(other)),
        ),
    }
}

/// Bolt's ignored data keys still have Bolt's types (`validate_data_keys`).
fn check_data(key: &str, node: &Node, what: &str) -> Checked<()> {
    let ok = match key {
        "facts" | "vars" | "plugin_hooks" => matches!(node.value, Value::Null | Value::Map(_)),
        "features" => matches!(node.value, Value::Null | Value::Seq(_)),
        _ => true,
    };
    if ok {
        Ok(())
    } else {
        let expected = if key == "features" { "a list" } else { "a map" };
        problem(
            node,
            format!(
                "`{key}` in {what} must be {expected}, not {}",
                describe(&node.value)
            ),
        )
    }
}

/// Bolt's rule for group names and aliases (`Group::NAME_REGEX`).
fn valid_name(name: &str) -> bool {
    let mut chars = name.chars();
    chars
        .next()
        .is_some_and(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '_')
        && chars.all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '_' || c == '-')
}

// ---------------------------------------------------------------------------------------------
// Config.

/// Settings from one `config` map; unset fields fall through to the next level.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
struct Config {
    transport: Option<TransportKind>,
    ssh: SshSettings,
    /// Bolt's `ssh.host`: the host to connect to when the target has no uri.
    host: Option<String>,
    command: Option<Vec<String>>,
    append_flags: Option<bool>,
    summary: Option<PathBuf>,
}

impl Config {
    /// `self` over `base`, field by field, as Bolt's deep merge of config maps.
    fn over(&self, base: &Config) -> Config {
        let (s, b) = (&self.ssh, &base.ssh);
        Config {
            transport: self.transport.or(base.transport),
            ssh: SshSettings {
                user: s.user.clone().or_else(|| b.user.clone()),
                port: s.port.or(b.port),
                private_key: s.private_key.clone().or_else(|| b.private_key.clone()),
                host_key_check: s.host_key_check.or(b.host_key_check),
                connect_timeout: s.connect_timeout.or(b.connect_timeout),
                run_as: s.run_as.clone().or_else(|| b.run_as.clone()),
            },
            host: self.host.clone().or_else(|| base.host.clone()),
            command: self.command.clone().or_else(|| base.command.clone()),
            append_flags: self.append_flags.or(base.append_flags),
            summary: self.summary.clone().or_else(|| base.summary.clone()),
        }
    }
}

/// `winner` over `other` when both exist (Bolt's `data_merge` of optional data).
fn merge(winner: Option<Config>, other: Option<Config>) -> Option<Config> {
    match (winner, other) {
        (Some(w), Some(o)) => Some(w.over(&o)),
        (w, o) => w.or(o),
    }
}

fn parse_config(node: &Node, owner: &str, base_dir: &Path) -> Checked<Config> {
    let what = format!("the config of {owner}");
    let mut config = Config::default();
    for (key, value) in entries(node, &what, &CONFIG_KEYS)? {
        match key {
            "transport" => {
                config.transport = match &value.value {
                    Value::Null => None,
                    Value::Str(s) if s == "ssh" => Some(TransportKind::Ssh),
                    Value::Str(s) if s == "local" => Some(TransportKind::Local),
                    other => {
                        return problem(
                            value,
                            format!(
                                "unknown transport {} in {what}; expected one of: ssh, local",
                                describe(other)
                            ),
                        );
                    }
                }
            }
            "ssh" => parse_ssh(
                value,
                &format!("the `ssh` section of {what}"),
                base_dir,
                &mut config,
            )?,
            "local" => {
                entries(
                    value,
                    &format!("the `local` section of {what}"),
                    &LOCAL_KEYS,
                )?;
            }
            "orch" => parse_orch(value, &format!("the `orch` section of {what}"), &mut config)?,
            _ => unreachable!("entries returns only CONFIG_KEYS.used"),
        }
    }
    Ok(config)
}

fn parse_ssh(node: &Node, what: &str, base_dir: &Path, config: &mut Config) -> Checked<()> {
    for (key, value) in entries(node, what, &SSH_KEYS)? {
        if matches!(value.value, Value::Null) {
            continue;
        }
        let field = format!("`{key}` in {what}");
        let ssh = &mut config.ssh;
        match key {
            "user" => ssh.user = Some(string(value, &field)?.to_owned()),
            "port" => {
                let port: u16 = integer(value, &field, "a port number from 1 to 65535")?;
                if port == 0 {
                    return problem(
                        value,
                        format!("{field} must be a port number from 1 to 65535, not 0"),
                    );
                }
                ssh.port = Some(port);
            }
            "private-key" => {
                if matches!(value.value, Value::Map(_)) {
                    return problem(
                        value,
                        format!("{field} must be a path; orch does not read Bolt's `key-data`"),
                    );
                }
                ssh.private_key = Some(key_path(string(value, &field)?, base_dir));
            }
            "host-key-check" => ssh.host_key_check = Some(boolean(value, &field)?),
            "connect-timeout" => {
                ssh.connect_timeout = Some(integer(value, &field, "a whole number of seconds")?);
            }
            "run-as" => ssh.run_as = Some(string(value, &field)?.to_owned()),
            "host" => config.host = Some(string(value, &field)?.to_owned()),
            _ => unreachable!("entries returns only SSH_KEYS.used"),
        }
    }
    Ok(())
}

fn parse_orch(node: &Node, what: &str, config: &mut Config) -> Checked<()> {
    for (key, value) in entries(node, what, &ORCH_KEYS)? {
        if matches!(value.value, Value::Null) {
            continue;
        }
        let field = format!("`{key}` in {what}");
        match key {
            "command" => {
                let items = list(value, &field)?;
                if items.is_empty() {
                    return problem(value, format!("{field} must not be empty"));
                }
                let mut argv = Vec::with_capacity(items.len());
                for item in items {
                    match &item.value {
                        Value::Str(s) => argv.push(s.clone()),
                        other => {
                            return problem(
                                item,
                                format!(
                                    "{field} must be a list of strings, not hold {}",
                                    describe(other)
                                ),
                            );
                        }
                    }
                }
                if argv[0].is_empty() {
                    return problem(
                        &items[0],
                        format!("the program in {field} must not be empty"),
                    );
                }
                config.command = Some(argv);
            }
            "append-flags" => config.append_flags = Some(boolean(value, &field)?),
            "summary" => config.summary = Some(PathBuf::from(string(value, &field)?)),
            _ => unreachable!("entries returns only ORCH_KEYS.used"),
        }
    }
    Ok(())
}

/// A relative program path with a `/` names a file next to the inventory; a bare word is for
/// PATH lookup.
fn program_path(program: &str, base_dir: &Path) -> String {
    let path = Path::new(program);
    if !program.contains('/') || path.is_absolute() {
        return program.to_owned();
    }
    join_clean(base_dir, path).to_string_lossy().into_owned()
}

/// A relative summary path is next to the inventory, as a relative program path is (it means
/// something only for `local` targets; Puppet's own `lastrunfile` is always absolute).
fn summary_path(path: &Path, base_dir: &Path) -> PathBuf {
    if path.is_absolute() {
        path.to_owned()
    } else {
        join_clean(base_dir, path)
    }
}

/// `~/` is the home directory; a relative key path is next to the inventory (Bolt expands
/// `private-key` against the project directory).
fn key_path(key: &str, base_dir: &Path) -> PathBuf {
    if let Some(rest) = key.strip_prefix("~/") {
        if let Some(home) = std::env::var_os("HOME") {
            return PathBuf::from(home).join(rest);
        }
        return PathBuf::from(key);
    }
    let path = Path::new(key);
    if path.is_absolute() || key.starts_with('~') {
        path.to_owned()
    } else {
        join_clean(base_dir, path)
    }
}

/// `base/rel` without `./` components.
fn join_clean(base: &Path, rel: &Path) -> PathBuf {
    let mut out = base.to_owned();
    out.extend(rel.components().filter(|c| !matches!(c, Component::CurDir)));
    out
}

// ---------------------------------------------------------------------------------------------
// Targets and uris.

/// `[ssh://|local://][user@]host[:port]`.
#[derive(Debug, Clone, PartialEq, Eq)]
struct Uri {
    transport: Option<TransportKind>,
    user: Option<String>,
    host: String,
    port: Option<u16>,
}

impl Uri {
    /// Only a host: no scheme, user or port.
    fn is_bare(&self) -> bool {
        self.transport.is_none() && self.user.is_none() && self.port.is_none()
    }
}

fn parse_uri(text: &str) -> Result<Uri, String> {
    let bad = |why: &str| Err(format!("invalid target uri `{text}`: {why}"));
    let (transport, rest) = match text.split_once("://") {
        Some(("ssh", rest)) => (Some(TransportKind::Ssh), rest),
        Some(("local", rest)) => (Some(TransportKind::Local), rest),
        Some((scheme, _)) => {
            return bad(&format!(
                "unknown scheme `{scheme}`; expected one of: ssh, local"
            ));
        }
        None => (None, text),
    };
    if rest.contains(['/', '?', '#']) {
        return bad("a target uri has no path, query or fragment");
    }
    let (user, hostport) = match rest.rsplit_once('@') {
        Some((user, hostport)) => {
            if user.is_empty() {
                return bad("the user before `@` is empty");
            }
            if user.contains(':') {
                return bad("orch does not take passwords in uris");
            }
            (Some(user.to_owned()), hostport)
        }
        None => (None, rest),
    };
    // `[v6]:port`, `host:port` or `host`.
    let (host, port) = if let Some(inner) = hostport.strip_prefix('[') {
        match inner.split_once(']') {
            Some((h, "")) => (h, None),
            Some((h, p)) => match p.strip_prefix(':') {
                Some(p) => (h, Some(p)),
                None => return bad("expected `:PORT` after `]`"),
            },
            None => return bad("`[` without `]`"),
        }
    } else {
        match hostport.split_once(':') {
            Some((_, p)) if p.contains(':') => {
                return bad("an IPv6 address must be written in brackets, as `[::1]`");
            }
            Some((h, p)) => (h, Some(p)),
            None => (hostport, None),
        }
    };
    if host.is_empty() {
        return bad("the host is empty");
    }
    let host_ok = if hostport.starts_with('[') {
        host.chars()
            .all(|c| c.is_ascii_hexdigit() || c == ':' || c == '.')
    } else {
        host.chars()
            .all(|c| c.is_ascii_alphanumeric() || matches!(c, '.' | '-' | '_'))
    };
    if !host_ok {
        return bad(&format!("`{host}` is not a host name or address"));
    }
    let port = match port {
        None => None,
        Some(p) => match p.parse::<u16>() {
            Ok(n) if n > 0 && p.bytes().all(|b| b.is_ascii_digit()) => Some(n),
            _ => return bad(&format!("`{p}` is not a port number from 1 to 65535")),
        },
    };
    Ok(Uri {
        transport,
        user,
        host: host.to_owned(),
        port,
    })
}

/// One definition of a target (a map entry, or a string that is not a known name or alias).
struct TargetDef {
    certname: String,
    uri: Option<Uri>,
    config: Config,
    /// The node of its `uri` (else its `name`), for errors.
    at: usize,
}

/// One member of a group's `targets` list, once strings are resolved.
struct Member {
    certname: String,
    /// Its definition in this list, if it was defined here.
    def: Option<usize>,
}

/// A group (the top level is the implicit group `all`).
struct Group {
    config: Config,
    members: Vec<Member>,
    /// String entries, resolved once every target definition is known.
    strings: Vec<(String, usize)>,
    groups: Vec<Group>,
}

/// What reading the tree collects.
struct Reading<'a> {
    base_dir: &'a Path,
    defs: Vec<TargetDef>,
    /// Group name -> its name node.
    group_names: HashMap<String, usize>,
    /// Alias -> (certname, its node), in document order.
    aliases: Vec<(String, String, usize)>,
}

fn build(root: &Node, base_dir: &Path) -> Checked<Inventory> {
    let mut reading = Reading {
        base_dir,
        defs: Vec::new(),
        group_names: HashMap::new(),
        aliases: Vec::new(),
    };
    let mut all = read_group(root, None, &mut reading)?;

    // Strings name a target or alias defined anywhere, else they are uris (Bolt's
    // `resolve_string_targets`).
    let defined: HashSet<String> = reading.defs.iter().map(|d| d.certname.clone()).collect();
    let alias_of: HashMap<&str, &str> = reading
        .aliases
        .iter()
        .map(|(a, c, _)| (a.as_str(), c.as_str()))
        .collect();
    let mut new_defs = Vec::new();
    resolve_strings(&mut all, &defined, &alias_of, &mut new_defs)?;
    reading.defs.extend(new_defs);

    // One uri per certname: orch knows a node by its certname alone. A bare host says
    // nothing a fuller uri of the same host contradicts, so it defers to it.
    let mut uris: HashMap<&str, &Uri> = HashMap::new();
    for def in &reading.defs {
        let Some(uri) = &def.uri else { continue };
        match uris.get(def.certname.as_str()) {
            Some(first) if first == &uri || uri.is_bare() => {}
            Some(first) if !first.is_bare() => {
                return Err(Problem {
                    at: def.at,
                    message: format!(
                        "target `{}` is declared twice with different uris",
                        def.certname
                    ),
                });
            }
            _ => {
                uris.insert(&def.certname, uri);
            }
        }
    }

    let certnames: HashSet<&str> = reading.defs.iter().map(|d| d.certname.as_str()).collect();
    for def in &reading.defs {
        if let Some(at) = reading.group_names.get(&def.certname) {
            return Err(Problem {
                at: *at,
                message: format!(
                    "group `{}` conflicts with the target of the same name",
                    def.certname
                ),
            });
        }
    }
    let mut seen_aliases: HashMap<&str, &str> = HashMap::new();
    for (alias, certname, at) in &reading.aliases {
        let message = if certnames.contains(alias.as_str()) {
            format!("alias `{alias}` of `{certname}` conflicts with the target of the same name")
        } else if reading.group_names.contains_key(alias) {
            format!("alias `{alias}` of `{certname}` conflicts with the group of the same name")
        } else {
            match seen_aliases.insert(alias, certname) {
                None => continue,
                Some(first) if first == certname => {
                    format!("alias `{alias}` of `{certname}` is given twice")
                }
                Some(first) => {
                    format!("alias `{alias}` refers to two targets: `{first}` and `{certname}`")
                }
            }
        };
        return Err(Problem { at: *at, message });
    }

    let mut targets = HashMap::new();
    for name in certnames {
        let own = target_collect(&all, name, &reading.defs).unwrap_or_default();
        let groups = group_collect(&all, name).unwrap_or_else(|| all.config.clone());
        let config = own.over(&groups);
        targets.insert(
            name.to_owned(),
            node_target(name, &config, uris.get(name).copied(), reading.base_dir),
        );
    }
    let aliases = reading
        .aliases
        .into_iter()
        .map(|(alias, certname, _)| (alias, certname))
        .collect();
    Ok(Inventory {
        base_dir: base_dir.to_owned(),
        top: all.config,
        targets,
        aliases,
    })
}

/// Reads a group map; `parent` (the enclosing group's name) is None for the top level.
fn read_group(node: &Node, parent: Option<&str>, reading: &mut Reading<'_>) -> Checked<Group> {
    let top = parent.is_none();
    let what = match parent {
        None => "the top level".to_owned(),
        Some("all") => "a group".to_owned(),
        Some(p) => format!("a group in group `{p}`"),
    };
    let keys = if top { &TOP_KEYS } else { &GROUP_KEYS };
    let fields = entries(node, &what, keys)?;
    let field = |key: &str| fields.iter().find(|(k, _)| *k == key).map(|(_, v)| *v);

    let name = if top {
        "all".to_owned()
    } else {
        let Some(name_node) = field("name") else {
            return problem(node, format!("{what} has no `name`"));
        };
        let name = string(name_node, &format!("the `name` of {what}"))?;
        if !valid_name(name) {
            return problem(
                name_node,
                format!(
                    "invalid group name `{name}`: group names are lowercase letters, digits, \
                     `_` and `-`, not starting with `-`"
                ),
            );
        }
        if name == "all" || reading.group_names.contains_key(name) {
            return problem(name_node, format!("group `{name}` is defined twice"));
        }
        reading.group_names.insert(name.to_owned(), name_node.id);
        name.to_owned()
    };
    let owner = if top {
        "the top level".to_owned()
    } else {
        format!("group `{name}`")
    };

    if let Some(v) = field("version")
        && !matches!(v.value, Value::Int(2))
    {
        return problem(
            v,
            format!(
                "unsupported inventory `version` {}; orch reads Bolt's inventory version 2",
                describe(&v.value)
            ),
        );
    }
    for key in ["facts", "vars", "features", "plugin_hooks"] {
        if let Some(v) = field(key) {
            check_data(key, v, &owner)?;
        }
    }
    let config = match field("config") {
        Some(c) => parse_config(c, &owner, reading.base_dir)?,
        None => Config::default(),
    };

    let mut group = Group {
        config,
        members: Vec::new(),
        strings: Vec::new(),
        groups: Vec::new(),
    };
    if let Some(list_node) = field("targets") {
        for entry in list(list_node, &format!("`targets` in {owner}"))? {
            match &entry.value {
                Value::Str(s) => group.strings.push((s.clone(), entry.id)),
                Value::Map(_) => {
                    let def = read_target(entry, &owner, reading)?;
                    let certname = &reading.defs[def].certname;
                    if group.members.iter().any(|m| &m.certname == certname) {
                        return Err(Problem {
                            at: reading.defs[def].at,
                            message: format!("target `{certname}` is defined twice in {owner}"),
                        });
                    }
                    group.members.push(Member {
                        certname: certname.clone(),
                        def: Some(def),
                    });
                }
                other => {
                    return problem(
                        entry,
                        format!(
                            "a target in {owner} must be a string or a map, not {}",
                            describe(other)
                        ),
                    );
                }
            }
        }
    }
    if let Some(list_node) = field("groups") {
        for sub in list(list_node, &format!("`groups` in {owner}"))? {
            group.groups.push(read_group(sub, Some(&name), reading)?);
        }
    }
    Ok(group)
}

/// Reads a target map into `reading.defs`; returns its index.
fn read_target(node: &Node, owner: &str, reading: &mut Reading<'_>) -> Checked<usize> {
    let what = format!("a target in {owner}");
    let fields = entries(node, &what, &TARGET_KEYS)?;
    let field = |key: &str| fields.iter().find(|(k, _)| *k == key).map(|(_, v)| *v);

    let uri = match field("uri") {
        Some(u) => {
            let text = string(u, &format!("the `uri` of {what}"))?;
            Some((parse_uri(text).or_else(|m| problem(u, m))?, u))
        }
        None => None,
    };
    let (certname, at) = match (field("name"), &uri) {
        (Some(n), _) => {
            let name = string(n, &format!("the `name` of {what}"))?;
            if !name.is_ascii() {
                return problem(n, format!("target name `{name}` must be ASCII"));
            }
            (name.to_owned(), uri.as_ref().map_or(n.id, |(_, u)| u.id))
        }
        (None, Some((parsed, u))) => (parsed.host.clone(), u.id),
        (None, None) => return problem(node, format!("{what} has neither `uri` nor `name`")),
    };
    let owner = format!("target `{certname}`");
    for key in ["facts", "vars", "features", "plugin_hooks"] {
        if let Some(v) = field(key) {
            check_data(key, v, &owner)?;
        }
    }
    if let Some(a) = field("alias") {
        let items = match &a.value {
            Value::Seq(items) => items.iter().collect(),
            _ => vec![a],
        };
        for item in items {
            let alias = match &item.value {
                Value::Str(s) => s,
                other => {
                    return problem(
                        item,
                        format!(
                            "the `alias` of {owner} must be a string or a list of strings, not {}",
                            describe(other)
                        ),
                    );
                }
            };
            if !valid_name(alias) {
                return problem(
                    item,
                    format!(
                        "invalid alias `{alias}` of {owner}: aliases are lowercase letters, \
                         digits, `_` and `-`, not starting with `-`"
                    ),
                );
            }
            reading
                .aliases
                .push((alias.clone(), certname.clone(), item.id));
        }
    }
    let config = match field("config") {
        Some(c) => parse_config(c, &owner, reading.base_dir)?,
        None => Config::default(),
    };
    reading.defs.push(TargetDef {
        certname,
        uri: uri.map(|(u, _)| u),
        config,
        at,
    });
    Ok(reading.defs.len() - 1)
}

fn resolve_strings(
    group: &mut Group,
    defined: &HashSet<String>,
    alias_of: &HashMap<&str, &str>,
    new_defs: &mut Vec<TargetDef>,
) -> Checked<()> {
    for (text, at) in std::mem::take(&mut group.strings) {
        let (certname, def) = if defined.contains(&text) {
            (text, None)
        } else if let Some(certname) = alias_of.get(text.as_str()) {
            ((*certname).to_owned(), None)
        } else {
            let uri = parse_uri(&text).map_err(|message| Problem { at, message })?;
            let certname = uri.host.clone();
            // A string's definition has no config: its membership is all the group needs.
            new_defs.push(TargetDef {
                certname: certname.clone(),
                uri: Some(uri),
                config: Config::default(),
                at,
            });
            (certname, None)
        };
        // A name listed twice in one group is the same member (Bolt ignores the repeat).
        if !group.members.iter().any(|m| m.certname == certname) {
            group.members.push(Member { certname, def });
        }
    }
    for sub in &mut group.groups {
        resolve_strings(sub, defined, alias_of, new_defs)?;
    }
    Ok(())
}

fn contains(group: &Group, certname: &str) -> bool {
    group.members.iter().any(|m| m.certname == certname)
}

/// The target's own config from its definitions: a subgroup's over its parent's, an earlier
/// sibling's over a later one's (Bolt's `target_collect`).
fn target_collect(group: &Group, certname: &str, defs: &[TargetDef]) -> Option<Config> {
    let children = group
        .groups
        .iter()
        .map(|g| target_collect(g, certname, defs))
        .fold(None, merge);
    let own = group
        .members
        .iter()
        .find(|m| m.certname == certname)
        .map(|m| m.def.map(|d| defs[d].config.clone()).unwrap_or_default());
    merge(children, own)
}

/// The config of the groups that hold the target: a subgroup's over its parent's, an earlier
/// sibling's over a later one's (Bolt's `group_collect`).
fn group_collect(group: &Group, certname: &str) -> Option<Config> {
    let children = group
        .groups
        .iter()
        .map(|g| group_collect(g, certname))
        .fold(None, merge);
    if children.is_some() || contains(group, certname) {
        merge(children, Some(group.config.clone()))
    } else {
        None
    }
}

/// The settings for one node: the uri's scheme, user and port win over config (Bolt's
/// `Target#transport`, `#user`, `#port`); then defaults. A `local` target's relative program
/// (with a `/`) and summary paths are next to the inventory; an `ssh` target's are the node's
/// own and stay as written.
fn node_target(certname: &str, config: &Config, uri: Option<&Uri>, base_dir: &Path) -> NodeTarget {
    let mut ssh = config.ssh.clone();
    if let Some(uri) = uri {
        ssh.user = uri.user.clone().or(ssh.user);
        ssh.port = uri.port.or(ssh.port);
    }
    let transport: TransportKind = uri
        .and_then(|u| u.transport)
        .or(config.transport)
        .unwrap_or_default();
    let mut command = config.command.clone().unwrap_or_else(default_command);
    let mut summary = config.summary.clone();
    if transport == TransportKind::Local {
        command[0] = program_path(&command[0], base_dir);
        summary = summary.map(|s| summary_path(&s, base_dir));
    }
    NodeTarget {
        name: certname.to_owned(),
        transport,
        host: uri
            .map(|u| u.host.clone())
            .or_else(|| config.host.clone())
            .unwrap_or_else(|| certname.to_owned()),
        ssh,
        command,
        append_flags: config.append_flags.unwrap_or(true),
        summary,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    /// The example of spec/cli.md, "Inventory (how to reach nodes)".
    const SPEC_EXAMPLE: &str = "\
config:
  transport: ssh              # ssh (default) | local
  ssh:                        # Bolt's names
    user: deploy
    port: 22
    private-key: ~/.ssh/id_ed25519
    host-key-check: true
    connect-timeout: 10
    run-as: root              # sudo -n -u root --
  orch:
    command: [puppet, agent, --test, --detailed-exitcodes]
    summary: /opt/puppetlabs/puppet/cache/state/last_run_summary.yaml
groups:
  - name: web
    targets: [web01.example.net, web02.example.net]
    config: { ssh: { user: webops } }
targets:
  - uri: db01.example.net
    alias: db
  - name: lb01.example.net
    config: { transport: local, orch: { command: [./agent, --fail] } }
";

    fn parse(text: &str) -> Result<Inventory, Error> {
        Inventory::parse(text, Path::new("inv.yaml"), Path::new("/inv"))
    }

    fn ok(text: &str) -> Inventory {
        match parse(text) {
            Ok(inv) => inv,
            Err(e) => panic!("{e}"),
        }
    }

    /// The line, column and message of the error `text` gives.
    fn err(text: &str) -> (usize, usize, String) {
        match parse(text) {
            Err(Error::Inventory {
                file,
                line: Some(line),
                column: Some(column),
                message,
            }) => {
                assert_eq!(file, Path::new("inv.yaml"));
                (line, column, message)
            }
            Err(other) => panic!("unexpected error {other:?}"),
            Ok(_) => panic!("no error for:\n{text}"),
        }
    }

    fn strings(items: &[&str]) -> Vec<String> {
        items.iter().map(|s| (*s).to_owned()).collect()
    }

    fn home_key() -> PathBuf {
        PathBuf::from(std::env::var_os("HOME").expect("HOME is set")).join(".ssh/id_ed25519")
    }

    #[test]
    fn the_spec_example_resolves_each_target() {
        let inv = ok(SPEC_EXAMPLE);
        let summary = Some(PathBuf::from(
            "/opt/puppetlabs/puppet/cache/state/last_run_summary.yaml",
        ));
        let top_ssh = SshSettings {
            user: Some("deploy".into()),
            port: Some(22),
            private_key: Some(home_key()),
            host_key_check: Some(true),
            connect_timeout: Some(10),
            run_as: Some("root".into()),
        };

        let web = inv.target("web02.example.net");
        assert_eq!(
            web,
            NodeTarget {
                name: "web02.example.net".into(),
                transport: TransportKind::Ssh,
                host: "web02.example.net".into(),
                ssh: SshSettings {
                    user: Some("webops".into()),
                    ..top_ssh.clone()
                },
                command: default_command(),
                append_flags: true,
                summary: summary.clone(),
            }
        );
        assert_eq!(
            inv.target("web01.example.net").ssh.user.as_deref(),
            Some("webops")
        );

        let db = inv.target("db");
        assert_eq!(db.name, "db01.example.net");
        assert_eq!(db.host, "db01.example.net");
        assert_eq!(db.ssh, top_ssh);
        assert_eq!(db, inv.target("db01.example.net"));
        assert_eq!(inv.resolve_name("db"), Some("db01.example.net"));
        assert_eq!(
            inv.resolve_name("db01.example.net"),
            Some("db01.example.net")
        );
        assert_eq!(
            inv.resolve_name("web01.example.net"),
            Some("web01.example.net")
        );
        assert_eq!(inv.resolve_name("nowhere"), None);

        let lb = inv.target("lb01.example.net");
        assert_eq!(lb.transport, TransportKind::Local);
        assert_eq!(lb.host, "lb01.example.net");
        assert_eq!(lb.command, strings(&["/inv/agent", "--fail"]));
        assert_eq!(lb.summary, summary);

        // A node in no group or target: the top-level config, its certname as host.
        let other = inv.target("app07.example.net");
        assert_eq!(other.host, "app07.example.net");
        assert_eq!(other.ssh, top_ssh);
        assert_eq!(other.command, default_command());
    }

    #[test]
    fn the_empty_inventory_gives_defaults() {
        let inv = Inventory::empty();
        assert_eq!(
            inv.target("x.example.net"),
            NodeTarget::default_for("x.example.net", TransportKind::Ssh)
        );
        assert_eq!(inv.resolve_name("x.example.net"), None);
        // An empty file, or one of comments, is the empty inventory too.
        assert_eq!(ok("").target("a"), inv.target("a"));
        assert_eq!(ok("# nothing yet\n").target("a"), inv.target("a"));
    }

    #[test]
    fn target_config_beats_inner_groups_which_beat_outer_groups_and_the_top() {
        let inv = ok("\
config:
  ssh: { user: top, port: 1, connect-timeout: 5 }
  orch: { append-flags: false }
groups:
  - name: outer
    config: { ssh: { user: outer, port: 2 }, orch: { summary: /outer } }
    groups:
      - name: inner
        config: { ssh: { user: inner } }
        targets:
          - name: n1
            config: { ssh: { port: 3 } }
          - n2
    targets: [n3]
");
        let n1 = inv.target("n1");
        assert_eq!(n1.ssh.user.as_deref(), Some("inner"));
        assert_eq!(n1.ssh.port, Some(3));
        assert_eq!(n1.ssh.connect_timeout, Some(5));
        assert_eq!(n1.summary, Some(PathBuf::from("/outer")));
        assert!(!n1.append_flags);
        let n2 = inv.target("n2");
        assert_eq!(
            (n2.ssh.user.as_deref(), n2.ssh.port),
            (Some("inner"), Some(2))
        );
        let n3 = inv.target("n3");
        assert_eq!(
            (n3.ssh.user.as_deref(), n3.ssh.port),
            (Some("outer"), Some(2))
        );
    }

    #[test]
    fn in_two_groups_the_first_wins_and_definitions_merge() {
        let inv = ok("\
groups:
  - name: first
    config: { ssh: { user: first } }
    targets:
      - name: n
        config: { ssh: { port: 10 } }
  - name: second
    config: { ssh: { user: second, run-as: root } }
    targets:
      - name: n
        alias: [nn, n-two]
        config: { ssh: { port: 20, connect-timeout: 7 } }
");
        let n = inv.target("n");
        assert_eq!(n.ssh.user.as_deref(), Some("first"));
        assert_eq!(n.ssh.run_as.as_deref(), Some("root"));
        assert_eq!(n.ssh.port, Some(10));
        assert_eq!(n.ssh.connect_timeout, Some(7));
        assert_eq!(inv.resolve_name("n-two"), Some("n"));
        assert_eq!(inv.target("nn"), n);
    }

    #[test]
    fn uri_forms_set_transport_user_port_and_host() {
        let inv = ok("\
targets:
  - ssh://alice@h1.example.net:2200
  - local://h2
  - '[::1]:2022'
  - uri: bob@h4
    config: { transport: local, ssh: { user: carol, port: 99 } }
  - name: cert5
    uri: ssh://10.0.0.5
  - name: cert6
    config: { ssh: { host: 10.0.0.6 } }
groups:
  - name: g
    targets: [h1.example.net, cert6]
    config: { ssh: { user: ignored-by-uri } }
");
        let h1 = inv.target("h1.example.net");
        assert_eq!(h1.transport, TransportKind::Ssh);
        assert_eq!(
            (h1.ssh.user.as_deref(), h1.ssh.port),
            (Some("alice"), Some(2200))
        );
        assert_eq!(inv.target("h2").transport, TransportKind::Local);
        let v6 = inv.target("::1");
        assert_eq!((v6.host.as_str(), v6.ssh.port), ("::1", Some(2022)));
        // Bolt: the uri's user and port win over config, the config's transport applies
        // when the uri has no scheme.
        let h4 = inv.target("h4");
        assert_eq!(h4.transport, TransportKind::Local);
        assert_eq!(
            (h4.ssh.user.as_deref(), h4.ssh.port),
            (Some("bob"), Some(99))
        );
        let c5 = inv.target("cert5");
        assert_eq!((c5.name.as_str(), c5.host.as_str()), ("cert5", "10.0.0.5"));
        assert_eq!(inv.target("cert6").host, "10.0.0.6");
    }

    #[test]
    fn a_real_bolt_inventory_loads() {
        let inv = ok("\
version: 2
vars:
  ssh_config: /etc/ssh_config
facts: { os: { family: RedHat } }
features: [puppet_agent]
plugin_hooks: { puppet_library: { plugin: task, task: puppet_agent::install } }
config:
  ssh:
    host-key-check: false
    tty: false
    tmpdir: /tmp/bolt
    load-config: true
  winrm:
    user: bolt
    password: hunter2!
    ssl: false
groups:
  - name: ssh_nodes
    groups:
      - name: webservers
        targets:
          - 192.168.100.179
          - 192.168.100.180
        vars: { role: web }
      - name: memcached
        targets:
          - uri: 192.168.101.50
            alias: [cache1]
            facts: { os: { architecture: x86_64 } }
            features: [puppet_agent]
        config:
          ssh:
            user: root
    config:
      transport: ssh
      ssh:
        user: centos
        private-key: keys/id_rsa
  - name: pcp_nodes
    config:
      pcp:
        task-environment: production
      docker:
        service-url: unix:///var/run/docker.sock
");
        let web = inv.target("192.168.100.180");
        assert_eq!(web.ssh.user.as_deref(), Some("centos"));
        assert_eq!(web.ssh.host_key_check, Some(false));
        assert_eq!(web.ssh.private_key, Some(PathBuf::from("/inv/keys/id_rsa")));
        assert_eq!(inv.target("cache1").ssh.user.as_deref(), Some("root"));
    }

    #[test]
    fn relative_paths_of_local_targets_are_next_to_the_file_and_of_ssh_ones_the_nodes() {
        let inv = ok("
targets:
  - name: a
    config: { transport: local, orch: { summary: ./state/a.yaml, command: [bin/agent] } }
  - name: b
    config: { transport: local, orch: { summary: /var/b.yaml } }
  - name: c
    config: { orch: { summary: state/c.yaml, command: [bin/agent] } }
");
        assert_eq!(
            inv.target("a").summary,
            Some(PathBuf::from("/inv/state/a.yaml"))
        );
        assert_eq!(inv.target("a").command, ["/inv/bin/agent"]);
        assert_eq!(inv.target("b").summary, Some(PathBuf::from("/var/b.yaml")));
        // On the node, relative to where the login starts.
        assert_eq!(inv.target("c").summary, Some(PathBuf::from("state/c.yaml")));
        assert_eq!(inv.target("c").command, ["bin/agent"]);
    }

    #[test]
    fn load_resolves_commands_next_to_the_file() {
        let dir = tempfile::tempdir().expect("tempdir");
        let path = dir.path().join("inventory.yaml");
        std::fs::write(
            &path,
            "targets:\n  - name: n\n    config: {transport: local, orch: {command: [bin/agent, -x]}}\n",
        )
        .expect("write");
        let inv = Inventory::load(&path).expect("loads");
        let want = dir.path().join("bin/agent").to_string_lossy().into_owned();
        assert_eq!(inv.target("n").command, vec![want, "-x".to_owned()]);
        // A bare word is left for PATH lookup; an absolute path as it is.
        let inv = ok("config: {orch: {command: [sudo, /opt/agent]}}");
        assert_eq!(inv.target("n").command, strings(&["sudo", "/opt/agent"]));

        let missing = dir.path().join("missing.yaml");
        assert!(matches!(
            Inventory::load(&missing),
            Err(Error::InventoryRead { file, .. }) if file == missing
        ));
    }

    #[test]
    fn unknown_keys_are_errors_at_the_key() {
        let (line, column, message) = err("config:\n  ssh:\n    usr: deploy\n");
        assert_eq!((line, column), (3, 5));
        assert_eq!(
            message,
            "unknown key `usr` in the `ssh` section of the config of the top level; expected \
             one of: user, port, private-key, host-key-check, connect-timeout, run-as, host"
        );
        let (line, column, message) = err("tragets: []\n");
        assert_eq!((line, column), (1, 1));
        assert!(message.starts_with("unknown key `tragets` in the top level; expected one of: config, groups, targets, version"), "{message}");
        let (line, column, message) = err("groups:\n  - name: web\n    target: [a]\n");
        assert_eq!((line, column), (3, 5));
        assert!(
            message.starts_with("unknown key `target` in a group; expected one of: name, targets"),
            "{message}"
        );
        let (line, column, message) =
            err("targets:\n  - name: a\n    config: {orch: {cmd: [x]}}\n");
        assert_eq!((line, column), (3, 21));
        assert_eq!(
            message,
            "unknown key `cmd` in the `orch` section of the config of target `a`; expected one \
             of: command, append-flags, summary"
        );
        let (line, column, message) = err("config:\n  local:\n    shell: bash\n");
        assert_eq!((line, column), (3, 5));
        assert!(
            message.starts_with("unknown key `shell` in the `local` section"),
            "{message}"
        );
        let (line, column, message) = err("config:\n  transprt: local\n");
        assert_eq!((line, column), (2, 3));
        assert!(
            message.contains("expected one of: transport, ssh, local, orch"),
            "{message}"
        );
        let (line, column, _) = err("config:\n  ssh: {user: a, user: b}\n");
        assert_eq!((line, column), (2, 18));
    }

    #[test]
    fn refused_bolt_options_say_why() {
        let (line, column, message) = err("config:\n  ssh:\n    password: s3cret\n");
        assert_eq!((line, column), (3, 5));
        assert!(
            message.starts_with("Bolt's `password` in the `ssh` section"),
            "{message}"
        );
        let (line, column, message) = err("config:\n  local: {run-as: root}\n");
        assert_eq!((line, column), (2, 11));
        assert!(
            message.contains("put `sudo` in `orch.command`"),
            "{message}"
        );
        let (line, column, message) = err("targets:\n  - _plugin: terraform\n");
        assert_eq!((line, column), (2, 5));
        assert!(message.starts_with("Bolt plugin references"), "{message}");
    }

    #[test]
    fn bad_values_are_errors_at_the_value() {
        let (line, column, message) = err("config:\n  transport: winrm\n");
        assert_eq!((line, column), (2, 14));
        assert_eq!(
            message,
            "unknown transport the string `winrm` in the config of the top level; expected one \
             of: ssh, local"
        );
        let (line, column, message) = err("config:\n  ssh: {port: 70000}\n");
        assert_eq!((line, column), (2, 15));
        assert_eq!(
            message,
            "`port` in the `ssh` section of the config of the top level must be a port number \
             from 1 to 65535, not the number 70000"
        );
        let (line, column, message) = err("config:\n  ssh:\n    host-key-check: maybe\n");
        assert_eq!((line, column), (3, 21));
        assert!(
            message.ends_with("must be `true` or `false`, not the string `maybe`"),
            "{message}"
        );
        let (line, column, message) = err("config:\n  orch:\n    command: []\n");
        assert_eq!((line, column), (3, 14));
        assert!(message.ends_with("must not be empty"), "{message}");
        let (line, column, _) = err("config:\n  orch:\n    command: [puppet, 3]\n");
        assert_eq!((line, column), (3, 23));
        let (line, column, message) = err("version: 1\n");
        assert_eq!((line, column), (1, 10));
        assert!(
            message.starts_with("unsupported inventory `version` the number 1"),
            "{message}"
        );
        let (line, column, message) = err("vars: [a]\n");
        assert_eq!((line, column), (1, 7));
        assert_eq!(message, "`vars` in the top level must be a map, not a list");
        let (line, column, message) = err("targets:\n  - 42\n");
        assert_eq!((line, column), (2, 5));
        assert_eq!(
            message,
            "a target in the top level must be a string or a map, not the number 42"
        );
        let (line, column, message) = err("targets:\n  - alias: x\n");
        assert_eq!((line, column), (2, 5));
        assert_eq!(
            message,
            "a target in the top level has neither `uri` nor `name`"
        );
        let (line, column, message) = err("groups:\n  - targets: [a]\n");
        assert_eq!((line, column), (2, 5));
        assert_eq!(message, "a group has no `name`");
        let (line, column, message) = err("groups:\n  - name: Web\n");
        assert!(message.starts_with("invalid group name `Web`"), "{message}");
        assert_eq!((line, column), (2, 11));
    }

    #[test]
    fn bad_uris_are_errors_at_the_uri() {
        for (text, at, why) in [
            ("targets:\n  - 'ssh://'\n", (2, 5), "the host is empty"),
            (
                "targets:\n  - winrm://w1\n",
                (2, 5),
                "unknown scheme `winrm`; expected one of: ssh, local",
            ),
            (
                "targets:\n  - h1:99999\n",
                (2, 5),
                "`99999` is not a port number from 1 to 65535",
            ),
            (
                "targets:\n  - uri: 'h1:'\n",
                (2, 10),
                "`` is not a port number from 1 to 65535",
            ),
            (
                "targets:\n  - uri: a:b@h\n",
                (2, 10),
                "orch does not take passwords in uris",
            ),
            (
                "targets:\n  - uri: h/x\n",
                (2, 10),
                "a target uri has no path, query or fragment",
            ),
            (
                "groups:\n  - name: g\n    targets: ['bad host']\n",
                (3, 15),
                "`bad host` is not a host name or address",
            ),
        ] {
            let (line, column, message) = err(text);
            assert_eq!((line, column), at, "{text}");
            assert!(message.ends_with(why), "{text}: {message}");
        }
    }

    #[test]
    fn name_conflicts_are_errors_at_the_later_name() {
        let (line, column, message) =
            err("groups:\n  - name: web\n  - name: db\n    groups:\n      - name: web\n");
        assert_eq!((line, column), (5, 15));
        assert_eq!(message, "group `web` is defined twice");
        let (line, column, message) = err("targets:\n  - {uri: a, alias: [x, x]}\n");
        assert_eq!((line, column), (2, 25));
        assert_eq!(message, "alias `x` of `a` is given twice");
        let (line, column, message) = err("groups:\n  - name: all\n");
        assert_eq!((line, column), (2, 11));
        assert_eq!(message, "group `all` is defined twice");
        let (line, column, message) =
            err("targets:\n  - uri: a\n    alias: x\n  - uri: b\n    alias: [y, x]\n");
        assert_eq!((line, column), (5, 16));
        assert_eq!(message, "alias `x` refers to two targets: `a` and `b`");
        // A string naming an alias is that target, not a new one: no conflict.
        let inv = ok("targets:\n  - uri: a\n    alias: b\ngroups:\n  - {name: g, targets: [b]}\n");
        assert_eq!(inv.target("b").name, "a");
        let (line, column, message) = err("targets:\n  - uri: a\n    alias: b\n  - name: b\n");
        assert_eq!((line, column), (3, 12));
        assert_eq!(
            message,
            "alias `b` of `a` conflicts with the target of the same name"
        );
        let (line, column, message) = err("groups:\n  - name: web\ntargets: [web]\n");
        assert_eq!((line, column), (2, 11));
        assert_eq!(
            message,
            "group `web` conflicts with the target of the same name"
        );
        let (line, column, message) =
            err("groups:\n  - name: db\ntargets:\n  - uri: a\n    alias: db\n");
        assert_eq!((line, column), (5, 12));
        assert_eq!(
            message,
            "alias `db` of `a` conflicts with the group of the same name"
        );
        let (line, column, message) = err("targets:\n  - name: n\n  - name: n\n    config: {}\n");
        assert_eq!((line, column), (3, 11));
        assert_eq!(message, "target `n` is defined twice in the top level");
        let (line, column, message) =
            err("targets:\n  - uri: ssh://n\ngroups:\n  - name: g\n    targets: [local://n]\n");
        assert_eq!((line, column), (5, 15));
        assert_eq!(message, "target `n` is declared twice with different uris");
    }

    #[test]
    fn yaml_errors_have_positions() {
        let (line, column, _) = err("config:\n  ssh: [unclosed\n");
        assert!(line >= 2, "{line}:{column}");
        let (line, column, message) = err("a: 1\n---\nb: 2\n");
        assert!(line >= 1 && column >= 1, "{message}");
        let (line, column, message) = err("config: !tagged {}\n");
        assert_eq!((line, column), (1, 9));
        assert!(
            message.ends_with("YAML tags (`!name`) are not supported in an inventory"),
            "{message}"
        );
        let (line, column, message) = err("- a\n- b\n");
        assert_eq!((line, column), (1, 1));
        assert_eq!(message, "the top level must be a map, not a list");
    }

    fn mutate(base: &str, edits: &[(usize, u8, char)]) -> String {
        let mut chars: Vec<char> = base.chars().collect();
        for &(pos, op, c) in edits {
            if chars.is_empty() {
                chars.push(c);
                continue;
            }
            let i = pos % chars.len();
            match op % 3 {
                0 => {
                    chars.remove(i);
                }
                1 => chars.insert(i, c),
                _ => chars[i] = c,
            }
        }
        chars.into_iter().collect()
    }

    fn check_never_panics(text: &str) {
        match parse(text) {
            Ok(inv) => {
                let _ = inv.target("db");
                let _ = inv.target("web01.example.net");
            }
            Err(Error::Inventory { line, column, .. }) => {
                assert!(line.is_some() && column.is_some(), "{text:?}");
            }
            Err(other) => panic!("unexpected error {other:?}"),
        }
    }

    proptest! {
        #[test]
        fn arbitrary_text_never_panics(text in "\\PC{0,200}") {
            check_never_panics(&text);
        }

        #[test]
        fn yamlish_text_never_panics(text in "[a-z:\\[\\]{}, \\n\\-@/.'\"#&*!|>~0-9]{0,200}") {
            check_never_panics(&text);
        }

        #[test]
        fn mutated_inventories_never_panic(
            edits in proptest::collection::vec((any::<usize>(), any::<u8>(),
                proptest::sample::select(vec![' ', '\n', ':', '-', '[', ']', '{', '}', ',', 'a',
                    '@', '/', '\'', '&', '*', '!', '#', '2'])), 1..8)
        ) {
            check_never_panics(&mutate(SPEC_EXAMPLE, &edits));
        }
    }
}

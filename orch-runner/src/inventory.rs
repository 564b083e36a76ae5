//! The inventory: how to reach each node, in Bolt's inventory v2 shape (spec/cli.md). A
//! target's settings are its own `config` over its groups' (innermost first) over the top-level
//! `config`; a node not in the inventory gets the top-level `config` with its certname as host.
//!
//! Bolt keys orch does not use (`vars`, `features`, `facts`, `plugin_hooks`, other transports'
//! sections) are accepted and ignored; any other key is an error naming file, line and column,
//! as are bad values (checked while deserializing, so serde_yaml_ng gives their position).

use std::collections::HashMap;
use std::fmt;
use std::path::{Path, PathBuf};

use serde::de::{self, IgnoredAny, MapAccess, Visitor};
use serde::{Deserialize, Deserializer};

use crate::error::Error;
use crate::transport::{NodeTarget, SshSettings, TransportKind, default_command};

/// A loaded inventory.
#[derive(Debug, Clone, Default)]
pub struct Inventory {
    top: Config,
    /// Certname -> its settings chain, outermost first (groups, then the target's own).
    targets: Vec<(String, Resolved)>,
    by_name: HashMap<String, usize>,
    base_dir: PathBuf,
}

#[derive(Debug, Clone, Default)]
struct Resolved {
    host: String,
    uri_transport: Option<TransportKind>,
    uri_user: Option<String>,
    uri_port: Option<u16>,
    /// Its groups' configs, outermost first.
    configs: Vec<Config>,
    /// Its own configs (a target listed twice: first over second).
    own: Vec<Config>,
}

impl Inventory {
    /// Reads and checks an inventory file; relative command paths resolve against its
    /// directory.
    pub fn load(path: &Path) -> Result<Inventory, Error> {
        let text = std::fs::read_to_string(path).map_err(|source| Error::InventoryRead {
            file: path.to_path_buf(),
            source,
        })?;
        let base = path.parent().unwrap_or(Path::new("."));
        let base = if base.as_os_str().is_empty() {
            Path::new(".")
        } else {
            base
        };
        Inventory::parse(&text, path, base)
    }

    /// Parses inventory text; `file` names it in errors, `base_dir` anchors relative commands.
    pub fn parse(text: &str, file: &Path, base_dir: &Path) -> Result<Inventory, Error> {
        let doc: Document = if text.trim().is_empty() {
            Document::default()
        } else {
            serde_yaml_ng::from_str(text).map_err(|e| yaml_error(file, &e))?
        };
        let mut inv = Inventory {
            top: doc.config.unwrap_or_default(),
            base_dir: base_dir.to_path_buf(),
            ..Inventory::default()
        };
        let mut chain = Vec::new();
        inv.add_targets(&doc.targets, &chain);
        for g in &doc.groups {
            inv.add_group(g, &mut chain);
        }
        Ok(inv)
    }

    /// No inventory: every node over ssh at its certname, running the default command.
    pub fn empty() -> Inventory {
        Inventory::default()
    }

    /// The certnames the inventory names, in the order they first appear.
    pub fn certnames(&self) -> impl Iterator<Item = &str> {
        self.targets.iter().map(|(n, _)| n.as_str())
    }

    /// The certname an alias (or a certname) stands for, if the inventory knows it.
    pub fn resolve_name(&self, name_or_alias: &str) -> Option<&str> {
        self.by_name
            .get(name_or_alias)
            .map(|&i| self.targets[i].0.as_str())
    }

    /// How to reach `certname`. Never fails: an unknown node gets the top-level settings.
    pub fn target(&self, certname: &str) -> NodeTarget {
        let resolved = self.by_name.get(certname).map(|&i| &self.targets[i]);
        let (name, host) = match resolved {
            Some((name, r)) => (name.clone(), r.host.clone()),
            None => (certname.to_owned(), certname.to_owned()),
        };
        let mut merged = self.top.clone();
        if let Some((_, r)) = resolved {
            // The uri's scheme, user and port sit under the target's own config.
            let uri = Config {
                transport: r.uri_transport,
                ssh: Some(SshConfig {
                    user: r.uri_user.clone(),
                    port: r.uri_port,
                    ..SshConfig::default()
                }),
                ..Config::default()
            };
            for c in &r.configs {
                merged.overlay(c);
            }
            merged.overlay(&uri);
            for c in &r.own {
                merged.overlay(c);
            }
        }
        let ssh = merged.ssh.unwrap_or_default();
        let orch = merged.orch.unwrap_or_default();
        let command = orch
            .command
            .map(|c| self.resolve_command(c))
            .unwrap_or_else(default_command);
        NodeTarget {
            name,
            transport: merged.transport.unwrap_or_default(),
            host,
            ssh: SshSettings {
                user: ssh.user,
                port: ssh.port,
                private_key: ssh.private_key.map(expand_home),
                host_key_check: ssh.host_key_check,
                connect_timeout: ssh.connect_timeout,
                run_as: ssh.run_as,
            },
            command,
            append_flags: orch.append_flags.unwrap_or(true),
            summary: orch.summary,
        }
    }

    fn resolve_command(&self, mut argv: Vec<String>) -> Vec<String> {
        if let Some(program) = argv.first_mut() {
            let p = Path::new(program.as_str());
            if p.is_relative() && program.contains('/') {
                *program = self.base_dir.join(p).to_string_lossy().into_owned();
            }
        }
        argv
    }

    fn add_group(&mut self, group: &Group, chain: &mut Vec<Config>) {
        chain.push(group.config.clone().unwrap_or_default());
        self.add_targets(&group.targets, chain);
        for g in &group.groups {
            self.add_group(g, chain);
        }
        chain.pop();
    }

    fn add_targets(&mut self, targets: &[TargetEntry], chain: &[Config]) {
        for t in targets {
            let name = t.certname();
            let index = match self.by_name.get(&name) {
                // Bolt: the first group a target appears in gives its group settings.
                Some(&i) => i,
                None => {
                    self.targets.push((
                        name.clone(),
                        Resolved {
                            host: t
                                .uri
                                .as_ref()
                                .map_or_else(|| name.clone(), |u| u.host.clone()),
                            uri_transport: t.uri.as_ref().and_then(|u| u.transport),
                            uri_user: t.uri.as_ref().and_then(|u| u.user.clone()),
                            uri_port: t.uri.as_ref().and_then(|u| u.port),
                            configs: chain.to_vec(),
                            own: Vec::new(),
                        },
                    ));
                    let i = self.targets.len() - 1;
                    self.by_name.insert(name.clone(), i);
                    i
                }
            };
            if let Some(c) = &t.config {
                // The first definition wins: later ones go under it.
                self.targets[index].1.own.insert(0, c.clone());
            }
            for a in &t.alias {
                self.by_name.entry(a.clone()).or_insert(index);
            }
        }
    }
}

fn expand_home(p: PathBuf) -> PathBuf {
    match (p.strip_prefix("~"), std::env::var_os("HOME")) {
        (Ok(rest), Some(home)) => PathBuf::from(home).join(rest),
        _ => p,
    }
}

fn yaml_error(file: &Path, e: &serde_yaml_ng::Error) -> Error {
    let text = e.to_string();
    // serde_yaml_ng appends " at line L column C"; the position goes in its own fields.
    let message = match text.find(" at line ") {
        Some(i) => text[..i].to_owned(),
        None => text,
    };
    Error::Inventory {
        file: file.to_path_buf(),
        line: e.location().map(|l| l.line()),
        column: e.location().map(|l| l.column()),
        message,
    }
}

#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
struct Document {
    #[serde(default, deserialize_with = "version_2")]
    #[allow(dead_code)]
    version: Option<u32>,
    config: Option<Config>,
    #[serde(default)]
    groups: Vec<Group>,
    #[serde(default)]
    targets: Vec<TargetEntry>,
    #[serde(default)]
    #[allow(dead_code)]
    vars: IgnoredAny,
    #[serde(default)]
    #[allow(dead_code)]
    features: IgnoredAny,
    #[serde(default)]
    #[allow(dead_code)]
    facts: IgnoredAny,
    #[serde(default)]
    #[allow(dead_code)]
    plugin_hooks: IgnoredAny,
}

fn version_2<'de, D: Deserializer<'de>>(d: D) -> Result<Option<u32>, D::Error> {
    let v = u32::deserialize(d)?;
    if v != 2 {
        return Err(de::Error::custom(format!(
            "inventory version {v} is not supported; orch reads Bolt's inventory version 2"
        )));
    }
    Ok(Some(v))
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct Group {
    // Required, as in Bolt, though orch does not use it.
    #[allow(dead_code)]
    name: String,
    #[serde(default)]
    targets: Vec<TargetEntry>,
    #[serde(default)]
    groups: Vec<Group>,
    config: Option<Config>,
    #[serde(default)]
    #[allow(dead_code)]
    facts: IgnoredAny,
    #[serde(default)]
    #[allow(dead_code)]
    vars: IgnoredAny,
    #[serde(default)]
    #[allow(dead_code)]
    features: IgnoredAny,
    #[serde(default)]
    #[allow(dead_code)]
    plugin_hooks: IgnoredAny,
}

/// A target: a bare uri or name, or a map.
#[derive(Debug, Default)]
struct TargetEntry {
    uri: Option<Uri>,
    name: Option<String>,
    alias: Vec<String>,
    config: Option<Config>,
}

impl TargetEntry {
    fn certname(&self) -> String {
        self.name
            .clone()
            .or_else(|| self.uri.as_ref().map(|u| u.host.clone()))
            .unwrap_or_default()
    }
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct TargetMap {
    uri: Option<Uri>,
    name: Option<NonEmpty>,
    #[serde(default)]
    alias: Aliases,
    config: Option<Config>,
    #[serde(default)]
    #[allow(dead_code)]
    facts: IgnoredAny,
    #[serde(default)]
    #[allow(dead_code)]
    vars: IgnoredAny,
    #[serde(default)]
    #[allow(dead_code)]
    features: IgnoredAny,
}

impl<'de> Deserialize<'de> for TargetEntry {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct V;
        impl<'de> Visitor<'de> for V {
            type Value = TargetEntry;
            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("a target: a uri, or a map with `uri` or `name`")
            }
            fn visit_str<E: de::Error>(self, s: &str) -> Result<TargetEntry, E> {
                Ok(TargetEntry {
                    uri: Some(Uri::parse(s).map_err(E::custom)?),
                    ..TargetEntry::default()
                })
            }
            fn visit_map<M: MapAccess<'de>>(self, map: M) -> Result<TargetEntry, M::Error> {
                let t = TargetMap::deserialize(de::value::MapAccessDeserializer::new(map))?;
                if t.uri.is_none() && t.name.is_none() {
                    return Err(de::Error::custom("a target needs a `uri` or a `name`"));
                }
                Ok(TargetEntry {
                    uri: t.uri,
                    name: t.name.map(|n| n.0),
                    alias: t.alias.0,
                    config: t.config,
                })
            }
        }
        d.deserialize_any(V)
    }
}

/// `alias`: one name or a list.
#[derive(Debug, Default)]
struct Aliases(Vec<String>);

impl<'de> Deserialize<'de> for Aliases {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        #[derive(Deserialize)]
        #[serde(untagged)]
        enum OneOrMany {
            One(String),
            Many(Vec<String>),
        }
        Ok(Aliases(match OneOrMany::deserialize(d)? {
            OneOrMany::One(a) => vec![a],
            OneOrMany::Many(v) => v,
        }))
    }
}

#[derive(Debug)]
struct NonEmpty(String);

impl<'de> Deserialize<'de> for NonEmpty {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let s = String::deserialize(d)?;
        if s.trim().is_empty() {
            return Err(de::Error::custom("a name cannot be empty"));
        }
        Ok(NonEmpty(s))
    }
}

/// Bolt's `[ssh://|local://][user@]host[:port]`.
#[derive(Debug, Clone, PartialEq, Eq)]
struct Uri {
    transport: Option<TransportKind>,
    user: Option<String>,
    host: String,
    port: Option<u16>,
}

impl Uri {
    fn parse(s: &str) -> Result<Uri, String> {
        let (transport, rest) = match s.split_once("://") {
            Some(("ssh", rest)) => (Some(TransportKind::Ssh), rest),
            Some(("local", rest)) => (Some(TransportKind::Local), rest),
            Some((scheme, _)) => {
                return Err(format!(
                    "unknown transport `{scheme}` in target uri `{s}`; expected ssh:// or local://"
                ));
            }
            None => (None, s),
        };
        let (user, hostport) = match rest.rsplit_once('@') {
            Some((u, h)) => (Some(u.to_owned()), h),
            None => (None, rest),
        };
        let (host, port) = match hostport.rsplit_once(':') {
            // Bracketed IPv6 with a port, or host:port; a bare IPv6 address keeps its colons.
            Some((h, p)) if !h.contains(':') || h.ends_with(']') => {
                let port = p
                    .parse::<u16>()
                    .map_err(|_| format!("bad port `{p}` in target uri `{s}`"))?;
                (h, Some(port))
            }
            _ => (hostport, None),
        };
        let host = host.trim_start_matches('[').trim_end_matches(']');
        if host.is_empty()
            || host
                .chars()
                .any(|c| c.is_whitespace() || c.is_control() || c == '/')
        {
            return Err(format!("bad host in target uri `{s}`"));
        }
        Ok(Uri {
            transport,
            user,
            host: host.to_owned(),
            port,
        })
    }
}

impl<'de> Deserialize<'de> for Uri {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        Uri::parse(&String::deserialize(d)?).map_err(de::Error::custom)
    }
}

#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields)]
struct Config {
    transport: Option<TransportKind>,
    ssh: Option<SshConfig>,
    local: Option<LocalConfig>,
    orch: Option<OrchConfig>,
    // Other transports' sections: Bolt's, not used by orch.
    #[serde(default)]
    #[allow(dead_code)]
    winrm: IgnoredAnyClone,
    #[serde(default)]
    #[allow(dead_code)]
    pcp: IgnoredAnyClone,
    #[serde(default)]
    #[allow(dead_code)]
    docker: IgnoredAnyClone,
    #[serde(default)]
    #[allow(dead_code)]
    remote: IgnoredAnyClone,
    #[serde(default)]
    #[allow(dead_code)]
    podman: IgnoredAnyClone,
    #[serde(default)]
    #[allow(dead_code)]
    lxd: IgnoredAnyClone,
    #[serde(default)]
    #[allow(dead_code)]
    jail: IgnoredAnyClone,
}

/// Accepts and drops any value (a clonable `IgnoredAny`).
#[derive(Debug, Clone, Copy, Default)]
struct IgnoredAnyClone;

impl<'de> Deserialize<'de> for IgnoredAnyClone {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        IgnoredAny::deserialize(d).map(|_| IgnoredAnyClone)
    }
}

impl Config {
    /// `other`'s settings over `self`'s, key by key.
    fn overlay(&mut self, other: &Config) {
        if other.transport.is_some() {
            self.transport = other.transport;
        }
        if let Some(o) = &other.ssh {
            let s = self.ssh.get_or_insert_with(SshConfig::default);
            macro_rules! over {
                ($($f:ident),*) => { $( if o.$f.is_some() { s.$f = o.$f.clone(); } )* };
            }
            over!(
                user,
                port,
                private_key,
                host_key_check,
                connect_timeout,
                run_as
            );
        }
        if let Some(o) = &other.orch {
            let s = self.orch.get_or_insert_with(OrchConfig::default);
            if o.command.is_some() {
                s.command = o.command.clone();
            }
            if o.append_flags.is_some() {
                s.append_flags = o.append_flags;
            }
            if o.summary.is_some() {
                s.summary = o.summary.clone();
            }
        }
        if other.local.is_some() {
            self.local = other.local.clone();
        }
    }
}

impl<'de> Deserialize<'de> for TransportKind {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        match String::deserialize(d)?.as_str() {
            "ssh" => Ok(TransportKind::Ssh),
            "local" => Ok(TransportKind::Local),
            other => Err(de::Error::custom(format!(
                "unknown transport `{other}`; expected ssh or local"
            ))),
        }
    }
}

#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "kebab-case")]
struct SshConfig {
    user: Option<String>,
    port: Option<u16>,
    private_key: Option<PathBuf>,
    host_key_check: Option<bool>,
    connect_timeout: Option<u64>,
    run_as: Option<String>,
}

#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields)]
struct LocalConfig {}

#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "kebab-case")]
struct OrchConfig {
    #[serde(default, deserialize_with = "command")]
    command: Option<Vec<String>>,
    append_flags: Option<bool>,
    summary: Option<PathBuf>,
}

fn command<'de, D: Deserializer<'de>>(d: D) -> Result<Option<Vec<String>>, D::Error> {
    let argv = Vec::<String>::deserialize(d)?;
    if argv.first().is_none_or(|p| p.is_empty()) {
        return Err(de::Error::custom(
            "`command` must be a non-empty list: the program, then its arguments",
        ));
    }
    Ok(Some(argv))
}

#[cfg(test)]
mod tests;

//! Targets: which nodes a plan runs.

use std::cmp::Ordering;
use std::collections::BTreeSet;
use std::fmt;
use std::str::FromStr;

use orch_model::ResourceRef;
use serde::{Deserialize, Deserializer, Serialize, Serializer};

use crate::PlanError;

/// What a plan runs; one kind per plan, as Puppet's orchestrator required.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub enum Target {
    /// Every node of the environment: those hosting components and the extra (inventory) nodes.
    #[default]
    Environment,
    /// The nodes hosting a component of the selected application instances.
    Applications(BTreeSet<ApplicationSelector>),
    /// The named nodes, whether or not they host components.
    Nodes(BTreeSet<String>),
}

/// `-a Shop` (every instance of the type) or `-a Shop[prod]` (one instance).
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub enum ApplicationSelector {
    /// Every instance of an application type (`Shop`, capitalised as Puppet prints it).
    Type(String),
    /// One instance.
    Instance(ResourceRef),
}

impl ApplicationSelector {
    /// Parses `Name`, `Name[title]`, `name::sub`; type names are capitalised as Puppet does.
    pub fn parse(text: &str) -> Result<ApplicationSelector, PlanError> {
        let bad = || PlanError::BadApplication {
            text: text.to_string(),
        };
        let text = text.trim();
        if text.contains('[') {
            return ResourceRef::parse(text)
                .map(ApplicationSelector::Instance)
                .map_err(|_| bad());
        }
        let valid = !text.is_empty()
            && text.trim_start_matches("::").split("::").all(|seg| {
                seg.chars().next().is_some_and(|c| c.is_alphabetic())
                    && seg.chars().all(|c| c.is_alphanumeric() || c == '_')
            });
        if !valid {
            return Err(bad());
        }
        // ResourceRef::new capitalises segment by segment exactly as references are printed.
        Ok(ApplicationSelector::Type(
            ResourceRef::new(text, "").type_name,
        ))
    }

    /// Whether the instance `instance` is selected.
    pub fn matches(&self, instance: &ResourceRef) -> bool {
        match self {
            ApplicationSelector::Type(t) => instance.type_name == *t,
            ApplicationSelector::Instance(i) => i == instance,
        }
    }

    fn key(&self) -> (&str, Option<&str>) {
        match self {
            ApplicationSelector::Type(t) => (t, None),
            ApplicationSelector::Instance(i) => (&i.type_name, Some(&i.title)),
        }
    }
}

// Sorted by type, then the whole type before its instances: `Shop`, `Shop[a]`, `Shop[b]`.
impl Ord for ApplicationSelector {
    fn cmp(&self, other: &Self) -> Ordering {
        self.key().cmp(&other.key())
    }
}

impl PartialOrd for ApplicationSelector {
    fn partial_cmp(&self, other: &Self) -> Option<Ordering> {
        Some(self.cmp(other))
    }
}

impl fmt::Display for ApplicationSelector {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            ApplicationSelector::Type(t) => f.write_str(t),
            ApplicationSelector::Instance(i) => write!(f, "{i}"),
        }
    }
}

impl Target {
    /// The target of `-a NAME|NAME[TITLE]...`; no names is the whole environment.
    pub fn applications<S: AsRef<str>>(
        names: impl IntoIterator<Item = S>,
    ) -> Result<Target, PlanError> {
        let selectors = names
            .into_iter()
            .map(|n| ApplicationSelector::parse(n.as_ref()))
            .collect::<Result<BTreeSet<_>, _>>()?;
        Ok(if selectors.is_empty() {
            Target::Environment
        } else {
            Target::Applications(selectors)
        })
    }

    /// The target of a node list (names trimmed, empty ones dropped, duplicates merged).
    pub fn nodes<S: AsRef<str>>(names: impl IntoIterator<Item = S>) -> Target {
        Target::Nodes(
            names
                .into_iter()
                .map(|n| n.as_ref().trim().to_string())
                .filter(|n| !n.is_empty())
                .collect(),
        )
    }

    /// Names from `-n a,b,c` (Puppet's docs show `a, b, c` too, so spaces are allowed) or from an
    /// `@file` with one certname per line.
    pub fn split_node_list(text: &str) -> Vec<String> {
        text.split([',', '\n', '\r'])
            .map(str::trim)
            .filter(|n| !n.is_empty())
            .map(str::to_string)
            .collect()
    }
}

/// `all` for the whole environment (as Puppet's plan box printed it), else the names joined by
/// `, `.
impl fmt::Display for Target {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Target::Environment => f.write_str("all"),
            Target::Applications(apps) => {
                for (i, a) in apps.iter().enumerate() {
                    if i > 0 {
                        f.write_str(", ")?;
                    }
                    write!(f, "{a}")?;
                }
                Ok(())
            }
            Target::Nodes(nodes) => {
                for (i, n) in nodes.iter().enumerate() {
                    if i > 0 {
                        f.write_str(", ")?;
                    }
                    f.write_str(n)?;
                }
                Ok(())
            }
        }
    }
}

/// Reads what [`Target`]'s `Display` writes: `all`; a list of capitalised application names or
/// instances; otherwise a node list. Certnames are lower case in Puppet, application types
/// capitalised, so the two cannot be confused (a node list of the single node `all` can).
impl FromStr for Target {
    type Err = PlanError;

    fn from_str(text: &str) -> Result<Target, PlanError> {
        if text == "all" {
            return Ok(Target::Environment);
        }
        let items: Vec<&str> = text.split(", ").collect();
        let looks_like_app = |s: &&str| {
            s.starts_with(|c: char| c.is_uppercase()) && ApplicationSelector::parse(s).is_ok()
        };
        if !items.is_empty() && items.iter().all(looks_like_app) {
            Target::applications(items)
        } else {
            Ok(Target::nodes(items))
        }
    }
}

impl Serialize for Target {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.collect_str(self)
    }
}

impl<'de> Deserialize<'de> for Target {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let text = String::deserialize(d)?;
        text.parse().map_err(serde::de::Error::custom)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn selectors_parse_and_capitalise() {
        assert_eq!(
            ApplicationSelector::parse("shop::app").unwrap(),
            ApplicationSelector::Type("Shop::App".into())
        );
        assert_eq!(
            ApplicationSelector::parse("shop[prod]")
                .unwrap()
                .to_string(),
            "Shop[prod]"
        );
        assert!(ApplicationSelector::parse("").is_err());
        assert!(ApplicationSelector::parse("a b").is_err());
        assert!(ApplicationSelector::parse("Shop[").is_err());
        assert!(ApplicationSelector::parse("1x").is_err());
    }

    #[test]
    fn selectors_match_types_and_instances() {
        let prod = ResourceRef::parse("Shop[prod]").unwrap();
        assert!(ApplicationSelector::parse("shop").unwrap().matches(&prod));
        assert!(
            ApplicationSelector::parse("Shop[prod]")
                .unwrap()
                .matches(&prod)
        );
        assert!(
            !ApplicationSelector::parse("Shop[dev]")
                .unwrap()
                .matches(&prod)
        );
        assert!(!ApplicationSelector::parse("Sho").unwrap().matches(&prod));
    }

    #[test]
    fn node_lists_split_on_commas_and_lines() {
        assert_eq!(
            Target::split_node_list("a, b,,c\n d \r\n\n"),
            ["a", "b", "c", "d"]
        );
        assert_eq!(Target::nodes(["b", "a", " a "]).to_string(), "a, b");
    }

    #[test]
    fn display_reads_back() {
        for t in [
            Target::Environment,
            Target::applications(["Shop", "blog[x]", "Shop[prod]"]).unwrap(),
            Target::nodes(["web01.example.net", "db01"]),
        ] {
            assert_eq!(t.to_string().parse::<Target>().unwrap(), t);
        }
        assert_eq!(
            Target::applications(["shop[b]", "Shop", "Shop[a]"])
                .unwrap()
                .to_string(),
            "Shop, Shop[a], Shop[b]"
        );
        assert_eq!(Target::applications([""; 0]).unwrap(), Target::Environment);
    }
}

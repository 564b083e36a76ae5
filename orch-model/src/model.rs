//! The application model: what Puppet's environment compiler knew about an environment's
//! applications.

use std::collections::BTreeMap;

use crate::problem::{Location, Problem};
use crate::{ResourceRef, Value};

/// An evaluated environment: application instances with their components, the capability
/// resources they produce, and every problem found.
#[derive(Debug, Clone, Default)]
pub struct Model {
    /// The environment's name.
    pub environment: String,
    /// Application instances, sorted by reference.
    pub instances: Vec<AppInstance>,
    /// Produced capability resources, with the attribute values their mappings yield.
    pub capabilities: BTreeMap<ResourceRef, Capability>,
    /// Errors, warnings and notices, in the order found.
    pub problems: Vec<Problem>,
}

/// One application instance (`Lamp[prod]`).
#[derive(Debug, Clone)]
pub struct AppInstance {
    /// `Lamp[prod]`.
    pub reference: ResourceRef,
    /// Its parameters (declared and defaulted), `nodes` excluded.
    pub parameters: BTreeMap<String, Value>,
    /// The `nodes` mapping as declared: node certname → components.
    pub nodes: Vec<(String, Vec<ResourceRef>)>,
    /// The components its body declared.
    pub components: Vec<Component>,
    /// Where it is declared.
    pub location: Location,
}

/// One component of an application instance.
#[derive(Debug, Clone)]
pub struct Component {
    /// `Lamp::Db[prod]` (`Class[Foo]` for a class component).
    pub reference: ResourceRef,
    /// The node it is mapped to (`None` when unmapped: an error).
    pub node: Option<String>,
    /// Attributes set in the declaration (relationship metaparameters excluded), and those its
    /// `consumes` mappings fill in.
    pub parameters: BTreeMap<String, Value>,
    /// Capabilities it exports.
    pub export: Vec<ResourceRef>,
    /// Capabilities it consumes.
    pub consume: Vec<ResourceRef>,
    /// Capabilities it requires (ordering without data).
    pub require: Vec<ResourceRef>,
    /// Where `export`, `consume` and `require` were set (Puppet's validators report there).
    pub relationship_at: BTreeMap<String, Location>,
    /// Where it is declared.
    pub location: Location,
}

/// A capability resource (`Sql[prod]`) and its producer.
#[derive(Debug, Clone)]
pub struct Capability {
    /// `Sql[prod]`.
    pub reference: ResourceRef,
    /// The component that exports it.
    pub producer: ResourceRef,
    /// The application instance of the producer.
    pub application: ResourceRef,
    /// Attribute values computed from the `produces` mapping (`None`: not computable without
    /// a node's facts or other run-time data).
    pub attributes: BTreeMap<String, Option<Value>>,
}

impl Model {
    /// True when there is an error.
    pub fn has_errors(&self) -> bool {
        self.problems
            .iter()
            .any(|p| p.level == crate::problem::Level::Error)
    }
}

//! The plan: what `orch job plan` shows and what the runner executes.

use std::fmt;

use orch_model::ResourceRef;
use serde::{Deserialize, Serialize};

use crate::Target;

/// A run order for the nodes of a target. Its JSON (serde) is exactly `orch job plan --format
/// json` (spec/cli.md).
///
/// A node may start once every node in its `depends_on` has finished; `levels` is the same order
/// shown in waves (level 0 has no dependencies, a node at level `n > 0` has a dependency at level
/// `n - 1` and none higher).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Plan {
    /// The environment's name.
    pub environment: String,
    /// What was asked for: serialized as `all`, `Shop, Blog[x]` or `a, b, c`.
    pub target: Target,
    /// The concurrency limit; `None` is unlimited.
    pub concurrency: Option<u32>,
    /// The application instances with a component on a node of the plan, sorted.
    pub applications: Vec<ResourceRef>,
    /// The levels, from 0, none empty.
    pub levels: Vec<Level>,
    /// Every dependency between two nodes of the plan, one per capability, sorted.
    pub edges: Vec<Edge>,
    /// What the target leaves out, sorted.
    pub warnings: Vec<Warning>,
}

/// One level of the run order.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Level {
    /// Its number, from 0.
    pub level: usize,
    /// Its nodes, sorted by certname.
    pub nodes: Vec<PlanNode>,
}

/// A node of the plan.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PlanNode {
    /// The certname.
    pub name: String,
    /// The components it hosts (from any application), sorted; empty for a node that only runs
    /// its own catalog.
    pub components: Vec<ComponentRef>,
    /// The nodes of the plan that must finish before it starts, sorted.
    pub depends_on: Vec<String>,
}

/// A component and the application instance it belongs to.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
pub struct ComponentRef {
    /// The application instance (`Shop[prod]`).
    pub application: ResourceRef,
    /// The component (`Shop::Db[prod]`).
    pub component: ResourceRef,
}

/// Why one node runs before another: `producer` (on `from`) produces `capability`, which
/// `consumer` (on `to`) consumes.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
pub struct Edge {
    /// The node that runs first.
    pub from: String,
    /// The node that waits for it.
    pub to: String,
    /// The capability.
    pub capability: ResourceRef,
    /// The producing component (component references are unique in an environment).
    pub producer: ResourceRef,
    /// The consuming component.
    pub consumer: ResourceRef,
}

impl fmt::Display for Edge {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "{} -> {}: {}, produced by {}, consumed by {}",
            self.from, self.to, self.capability, self.producer, self.consumer
        )
    }
}

/// Something the target leaves out; the plan is still valid.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "kebab-case")]
pub enum Warning {
    /// The plan runs some of an application instance's nodes but not all (Puppet's
    /// `**WARNING** target does not contain all nodes in this application.`).
    PartialApplication {
        /// The instance.
        application: ResourceRef,
        /// Its nodes outside the target, sorted.
        nodes_outside: Vec<String>,
    },
    /// A node of the plan depends on a node outside it; the plan does not wait for that node.
    OutsideDependency(Edge),
}

impl fmt::Display for Warning {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Warning::PartialApplication {
                application,
                nodes_outside,
            } => write!(
                f,
                "{application}: target does not contain all nodes in this application (not in the \
                 target: {})",
                nodes_outside.join(", ")
            ),
            Warning::OutsideDependency(edge) => write!(
                f,
                "{} depends on {}, which is not in the target; this job will not wait for it ({}, \
                 produced by {}, consumed by {})",
                edge.to, edge.from, edge.capability, edge.producer, edge.consumer
            ),
        }
    }
}

/// Nodes that depend on each other in a circle: a strongly connected set of the node graph.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Cycle {
    /// Its nodes, sorted.
    pub nodes: Vec<String>,
    /// Every edge between two of its nodes, sorted.
    pub edges: Vec<Edge>,
}

impl Plan {
    /// Every node with its level, level by level.
    pub fn nodes(&self) -> impl Iterator<Item = (usize, &PlanNode)> {
        self.levels
            .iter()
            .flat_map(|l| l.nodes.iter().map(move |n| (l.level, n)))
    }

    /// How many nodes the plan runs.
    pub fn node_count(&self) -> usize {
        self.levels.iter().map(|l| l.nodes.len()).sum()
    }

    /// The node called `name` and its level.
    pub fn node(&self, name: &str) -> Option<(usize, &PlanNode)> {
        self.nodes().find(|(_, n)| n.name == name)
    }
}

//! The crate's error type.

use std::fmt::Write as _;

use orch_model::ResourceRef;

use crate::{ComponentRef, Cycle, Target};

/// Why no plan could be made. Every variant is a problem with the input (the environment graph
/// or the target), so a CLI maps all of them to "invalid input".
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum PlanError {
    /// A component consumes a capability that no component produces. Puppet's environment
    /// compiler normally rejects this first ("Capability ... is never exported"); a graph from
    /// elsewhere may still carry it.
    #[error("Capability '{capability}' consumed by '{}' in '{}' is never exported", consumer.component, consumer.application)]
    NeverExported {
        /// The capability.
        capability: ResourceRef,
        /// The component that consumes it (boxed: keeps `Result<_, PlanError>` small).
        consumer: Box<ComponentRef>,
    },
    /// Two components produce the same capability (Puppet's wording).
    #[error("'{capability}' is exported by both '{}' and '{}'", first.component, second.component)]
    ExportedTwice {
        /// The capability.
        capability: ResourceRef,
        /// The first producer (in sorted order).
        first: Box<ComponentRef>,
        /// The second producer.
        second: Box<ComponentRef>,
    },
    /// A whole-environment plan of an environment with no nodes at all (the orchestrator's
    /// `empty-environment`).
    #[error(
        "environment '{environment}' is empty: it has no application instances and no nodes to run"
    )]
    EmptyEnvironment {
        /// The environment.
        environment: String,
    },
    /// A target that selects no node (the orchestrator's `empty-target`).
    #[error("{}", empty_target_message(target, environment))]
    EmptyTarget {
        /// The environment.
        environment: String,
        /// The target.
        target: Target,
    },
    /// An application selector (`-a`) that matches no application instance.
    #[error("no application instance in environment '{environment}' matches '{selector}'")]
    UnknownApplication {
        /// The environment.
        environment: String,
        /// The selector as given.
        selector: String,
    },
    /// Text that is not an application name (`Shop`) or instance (`Shop[prod]`).
    #[error("'{text}' is not an application name (Name) or instance (Name[title])")]
    BadApplication {
        /// The text.
        text: String,
    },
    /// Nodes that must each run before the other (the orchestrator's `dependency-cycle`). One
    /// entry per strongly connected set of nodes.
    #[error("{}", cycles_message(cycles))]
    DependencyCycle {
        /// Every cycle, ordered by its first node name.
        cycles: Vec<Cycle>,
    },
}

/// Every node of every cycle, and one line per edge with the capability and the components that
/// make it, so the user can see which mapping to change.
fn cycles_message(cycles: &[Cycle]) -> String {
    let mut out = String::new();
    if cycles.len() > 1 {
        let _ = writeln!(out, "{} dependency cycles:", cycles.len());
    }
    for (i, cycle) in cycles.iter().enumerate() {
        if i > 0 {
            out.push('\n');
        }
        let _ = write!(
            out,
            "dependency cycle between nodes {}:",
            cycle.nodes.join(", ")
        );
        for edge in &cycle.edges {
            let _ = write!(out, "\n  {edge}");
        }
    }
    out
}

fn empty_target_message(target: &Target, environment: &str) -> String {
    match target {
        Target::Nodes(nodes) if nodes.is_empty() => {
            format!("the node list is empty: no nodes to run in environment '{environment}'")
        }
        _ => format!("target '{target}' contains no nodes in environment '{environment}'"),
    }
}

//! The node graph: which node runs before which, and why.

use std::collections::HashMap;

use foldhash::fast::FixedState;

use orch_model::{EnvironmentGraph, ResourceRef};

use crate::{ComponentRef, Edge, PlanError};

/// An environment's nodes and the dependencies between them, checked (every consumed capability
/// has exactly one producer) and ready to plan any target. It borrows the names from the
/// environment graph: at 100k nodes, copying them costs more than planning.
///
/// Node `from` runs before node `to` when a component on `from` produces a capability that a
/// component on `to` consumes, whatever applications the two belong to. When both are on the
/// same node the edge is dropped: that node's own catalog orders them, so an all-in-one node is
/// legal and has no self-cycle.
#[derive(Debug, Clone)]
pub struct NodeGraph<'g> {
    pub(crate) environment: &'g str,
    /// Every node, sorted and unique: a node's id is its index, so id order is name order.
    pub(crate) nodes: Vec<&'g str>,
    /// Every component, sorted by application then component: its id is its index.
    pub(crate) components: Vec<Hosted<'g>>,
    /// The components of node `n` are `node_components[node_start[n]..node_start[n + 1]]`,
    /// ascending (one flat list rather than a `Vec` per node: fewer allocations).
    pub(crate) node_start: Vec<u32>,
    pub(crate) node_components: Vec<u32>,
    /// Every application instance, sorted: its id is its index.
    pub(crate) apps: Vec<&'g ResourceRef>,
    /// The nodes of app `a` are `app_node_list[app_start[a]..app_start[a + 1]]`, ascending and
    /// unique (none for an instance without components).
    pub(crate) app_start: Vec<u32>,
    pub(crate) app_node_list: Vec<u32>,
    /// Every cross-node dependency, one per capability, sorted by (from, to, capability, ...)
    /// and unique.
    pub(crate) edges: Vec<NodeEdge<'g>>,
}

/// A component, the id of its application and of its node.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Hosted<'g> {
    pub(crate) component: &'g ResourceRef,
    pub(crate) app: u32,
    pub(crate) node: u32,
}

/// One reason for one node to run before another, by ids.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
pub(crate) struct NodeEdge<'g> {
    pub(crate) from: u32,
    pub(crate) to: u32,
    pub(crate) capability: &'g ResourceRef,
    pub(crate) producer: u32,
    pub(crate) consumer: u32,
}

const NO_COMPONENT: u32 = u32::MAX;

impl<'g> NodeGraph<'g> {
    /// Builds the node graph of `graph`, plus `extra_nodes` (nodes hosting no component, e.g.
    /// from an inventory: a whole-environment plan runs them at level 0).
    pub fn build(
        graph: &'g EnvironmentGraph,
        extra_nodes: &'g [String],
    ) -> Result<NodeGraph<'g>, PlanError> {
        // BTreeMap iteration: components come out sorted by (application, component).
        let count: usize = graph.applications.values().map(|c| c.len()).sum();
        let mut apps = Vec::with_capacity(graph.applications.len());
        let mut components = Vec::with_capacity(count);
        let mut data = Vec::with_capacity(count);
        for (app, comps) in &graph.applications {
            for (comp, d) in comps {
                components.push(Hosted {
                    component: comp,
                    app: apps.len() as u32,
                    node: 0,
                });
                data.push(d);
            }
            apps.push(app);
        }

        // Node ids: sort (name, component) pairs once, then number the distinct names; no
        // hashing of names at all.
        let mut by_name: Vec<(u128, &str, u32)> = data
            .iter()
            .enumerate()
            .map(|(i, d)| (d.node.as_str(), i as u32))
            .chain(
                extra_nodes
                    .iter()
                    .map(|n| (n.trim(), NO_COMPONENT))
                    .filter(|(n, _)| !n.is_empty()),
            )
            .map(|(name, comp)| (prefix(name), name, comp))
            .collect();
        // The inline prefix decides most comparisons without reading the names themselves,
        // which at 100k nodes are scattered over more memory than the caches hold.
        by_name.sort_unstable_by(|a, b| (a.0, a.1, a.2).cmp(&(b.0, b.1, b.2)));
        let mut nodes: Vec<&str> = Vec::with_capacity(by_name.len());
        let mut node_start = Vec::with_capacity(by_name.len() + 1);
        let mut node_components = Vec::with_capacity(components.len());
        for (_, name, comp) in by_name {
            if nodes.last() != Some(&name) {
                nodes.push(name);
                node_start.push(node_components.len() as u32);
            }
            if comp != NO_COMPONENT {
                components[comp as usize].node = nodes.len() as u32 - 1;
                node_components.push(comp);
            }
        }
        node_start.push(node_components.len() as u32);

        let mut app_node_pairs: Vec<(u32, u32)> =
            components.iter().map(|c| (c.app, c.node)).collect();
        app_node_pairs.sort_unstable();
        app_node_pairs.dedup();
        let mut app_start = Vec::with_capacity(apps.len() + 1);
        let mut next = 0;
        for a in 0..apps.len() as u32 {
            app_start.push(next as u32);
            while app_node_pairs.get(next).is_some_and(|p| p.0 == a) {
                next += 1;
            }
        }
        app_start.push(next as u32);
        let app_node_list = app_node_pairs.into_iter().map(|(_, n)| n).collect();

        let producer = producers(&components, &data, &apps)?;
        let mut edges = Vec::with_capacity(data.iter().map(|d| d.consumes.len()).sum());
        let mut unexported: Option<(u32, &ResourceRef)> = None;
        for (consumer, d) in data.iter().enumerate() {
            let consumer = consumer as u32;
            for capability in &d.consumes {
                let Some(&producer) = producer.get(capability) else {
                    // Keep the smallest (consumer, capability) so the error does not depend on
                    // the order of `consumes`.
                    if unexported.is_none_or(|(c, cap)| (consumer, capability) < (c, cap)) {
                        unexported = Some((consumer, capability));
                    }
                    continue;
                };
                let from = components[producer as usize].node;
                let to = components[consumer as usize].node;
                if from != to {
                    edges.push(NodeEdge {
                        from,
                        to,
                        capability,
                        producer,
                        consumer,
                    });
                }
            }
        }
        let graph = NodeGraph {
            environment: &graph.environment,
            nodes,
            components,
            node_start,
            node_components,
            apps,
            app_start,
            app_node_list,
            edges,
        };
        if let Some((consumer, capability)) = unexported {
            return Err(PlanError::NeverExported {
                capability: capability.clone(),
                consumer: Box::new(graph.component_ref(consumer)),
            });
        }
        let mut graph = graph;
        graph.edges.sort_unstable();
        graph.edges.dedup();
        Ok(graph)
    }

    /// The environment's name.
    pub fn environment(&self) -> &str {
        self.environment
    }

    /// Every node, sorted.
    pub fn nodes(&self) -> &[&'g str] {
        &self.nodes
    }

    /// Every cross-node dependency with its reason, sorted.
    pub fn edges(&self) -> impl Iterator<Item = Edge> + '_ {
        self.edges.iter().map(|e| self.edge(e))
    }

    pub(crate) fn edge(&self, e: &NodeEdge<'_>) -> Edge {
        Edge {
            from: self.nodes[e.from as usize].to_string(),
            to: self.nodes[e.to as usize].to_string(),
            capability: e.capability.clone(),
            producer: self.components[e.producer as usize].component.clone(),
            consumer: self.components[e.consumer as usize].component.clone(),
        }
    }

    pub(crate) fn component_ref(&self, id: u32) -> ComponentRef {
        let c = &self.components[id as usize];
        ComponentRef {
            application: self.apps[c.app as usize].clone(),
            component: c.component.clone(),
        }
    }

    /// The ids of the components on node `node`.
    pub(crate) fn hosted(&self, node: u32) -> &[u32] {
        let n = node as usize;
        &self.node_components[self.node_start[n] as usize..self.node_start[n + 1] as usize]
    }

    /// The ids of the nodes of application `app`.
    pub(crate) fn app_nodes(&self, app: u32) -> &[u32] {
        let a = app as usize;
        &self.app_node_list[self.app_start[a] as usize..self.app_start[a + 1] as usize]
    }
}

/// The first 16 bytes of `name`, zero-padded, as a number ordered like the names: if two
/// prefixes differ, so do the names, in the same order.
fn prefix(name: &str) -> u128 {
    let mut bytes = [0u8; 16];
    let n = name.len().min(16);
    bytes[..n].copy_from_slice(&name.as_bytes()[..n]);
    u128::from_be_bytes(bytes)
}

/// A fast hash with a fixed seed: the keys are the environment's own capability names, not
/// hostile input, and SipHash was a tenth of the build time at 100k nodes.
type Fast = FixedState;

/// Capability → the id of the component producing it. Two producers of one capability are an
/// error; the pair reported is the first in sorted order, whatever the order of the input lists.
fn producers<'g>(
    components: &[Hosted<'g>],
    data: &[&'g orch_model::GraphComponent],
    apps: &[&'g ResourceRef],
) -> Result<HashMap<&'g ResourceRef, u32, Fast>, PlanError> {
    let mut producer: HashMap<&ResourceRef, u32, Fast> =
        HashMap::with_capacity_and_hasher(components.len(), Fast::default());
    let mut twice: Option<(&ResourceRef, u32, u32)> = None;
    for (id, d) in data.iter().enumerate() {
        let id = id as u32;
        for capability in &d.produces {
            let first = *producer.entry(capability).or_insert(id);
            // A component listing one capability twice is still its only producer.
            if first != id && twice.is_none_or(|(cap, a, b)| (capability, first, id) < (cap, a, b))
            {
                twice = Some((capability, first, id));
            }
        }
    }
    if let Some((capability, first, second)) = twice {
        let component = |id: u32| {
            let c = &components[id as usize];
            Box::new(ComponentRef {
                application: apps[c.app as usize].clone(),
                component: c.component.clone(),
            })
        };
        return Err(PlanError::ExportedTwice {
            capability: capability.clone(),
            first: component(first),
            second: component(second),
        });
    }
    Ok(producer)
}

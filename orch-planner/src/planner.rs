//! From a node graph and a target to a plan.

use std::collections::BTreeSet;

use orch_model::EnvironmentGraph;

use crate::node_graph::{NodeEdge, NodeGraph};
use crate::{Cycle, Level, Plan, PlanError, PlanNode, Target, Warning, levels};

/// What to plan.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct PlanRequest {
    /// Which nodes.
    pub target: Target,
    /// The concurrency limit; `None` (or `Some(0)`) is unlimited.
    pub concurrency: Option<u32>,
    /// Nodes that host no component but belong to the environment (an inventory): a
    /// whole-environment plan runs them at level 0.
    pub extra_nodes: Vec<String>,
}

/// Plans `request` over `graph`: [`NodeGraph::build`] then [`NodeGraph::plan`].
pub fn plan(graph: &EnvironmentGraph, request: &PlanRequest) -> Result<Plan, PlanError> {
    NodeGraph::build(graph, &request.extra_nodes)?.plan(&request.target, request.concurrency)
}

/// A node of the target: known to the graph (`id`) or only named by a node list.
struct Member<'a> {
    name: &'a str,
    id: Option<u32>,
}

const OUTSIDE: u32 = u32::MAX;

impl NodeGraph<'_> {
    /// The plan for `target`: its nodes, their levels and dependencies. Dependencies on nodes
    /// outside the target are not waited for; they and the application instances the target
    /// cuts are reported as warnings. Fails on a node-level cycle among the target's nodes.
    pub fn plan(&self, target: &Target, concurrency: Option<u32>) -> Result<Plan, PlanError> {
        let members = self.select(target)?;
        let mut local = vec![OUTSIDE; self.nodes.len()];
        for (i, m) in members.iter().enumerate() {
            if let Some(id) = m.id {
                local[id as usize] = i as u32;
            }
        }

        // The graph's edges are sorted by (from, to), and ids follow names, so the kept ones
        // stay sorted and the pairs need only adjacent deduplication.
        let mut inside: Vec<&NodeEdge<'_>> = Vec::new();
        let mut outside: Vec<&NodeEdge<'_>> = Vec::new();
        for e in &self.edges {
            match (local[e.from as usize], local[e.to as usize]) {
                (_, OUTSIDE) => {}
                (OUTSIDE, _) => outside.push(e),
                _ => inside.push(e),
            }
        }
        let mut pairs: Vec<(u32, u32)> = inside
            .iter()
            .map(|e| (local[e.from as usize], local[e.to as usize]))
            .collect();
        pairs.dedup();

        let level = match levels::assign(members.len(), &pairs) {
            Ok(level) => level,
            Err(sccs) => return Err(self.cycles(&members, &local, &inside, sccs)),
        };

        let mut depends_on: Vec<Vec<String>> = vec![Vec::new(); members.len()];
        for &(from, to) in &pairs {
            depends_on[to as usize].push(members[from as usize].name.to_string());
        }
        // Members are in name order, so each level's nodes come out sorted by certname.
        let depth = level.iter().max().map_or(0, |m| m + 1);
        let mut levels: Vec<Level> = (0..depth)
            .map(|l| Level {
                level: l,
                nodes: Vec::new(),
            })
            .collect();
        let mut involved = vec![false; self.apps.len()];
        for ((i, m), depends_on) in members.iter().enumerate().zip(depends_on) {
            let hosted = m.id.map_or(&[][..], |id| self.hosted(id));
            for &c in hosted {
                involved[self.components[c as usize].app as usize] = true;
            }
            levels[level[i]].nodes.push(PlanNode {
                name: m.name.to_string(),
                components: hosted.iter().map(|&c| self.component_ref(c)).collect(),
                depends_on,
            });
        }

        let mut applications = Vec::new();
        let mut warnings = Vec::new();
        for app in (0..self.apps.len() as u32).filter(|&a| involved[a as usize]) {
            applications.push(self.apps[app as usize].clone());
            let nodes_outside: Vec<String> = self
                .app_nodes(app)
                .iter()
                .filter(|&&n| local[n as usize] == OUTSIDE)
                .map(|&n| self.nodes[n as usize].to_string())
                .collect();
            if !nodes_outside.is_empty() {
                warnings.push(Warning::PartialApplication {
                    application: self.apps[app as usize].clone(),
                    nodes_outside,
                });
            }
        }
        warnings.extend(
            outside
                .iter()
                .map(|e| Warning::OutsideDependency(self.edge(e))),
        );

        Ok(Plan {
            environment: self.environment.to_string(),
            target: target.clone(),
            concurrency: concurrency.filter(|&c| c > 0),
            applications,
            levels,
            edges: inside.iter().map(|e| self.edge(e)).collect(),
            warnings,
        })
    }

    /// The target's nodes, sorted by name.
    fn select<'a>(&'a self, target: &'a Target) -> Result<Vec<Member<'a>>, PlanError> {
        let known = |id: u32| Member {
            name: self.nodes[id as usize],
            id: Some(id),
        };
        let members: Vec<Member<'a>> = match target {
            Target::Environment => {
                if self.nodes.is_empty() {
                    return Err(PlanError::EmptyEnvironment {
                        environment: self.environment.to_string(),
                    });
                }
                (0..self.nodes.len() as u32).map(known).collect()
            }
            Target::Applications(selectors) => {
                let mut ids = BTreeSet::new();
                for selector in selectors {
                    let mut matched = false;
                    for (a, _) in self
                        .apps
                        .iter()
                        .enumerate()
                        .filter(|(_, app)| selector.matches(app))
                    {
                        matched = true;
                        ids.extend(self.app_nodes(a as u32).iter().copied());
                    }
                    if !matched {
                        return Err(PlanError::UnknownApplication {
                            environment: self.environment.to_string(),
                            selector: selector.to_string(),
                        });
                    }
                }
                ids.into_iter().map(known).collect()
            }
            Target::Nodes(names) => names
                .iter()
                .map(|name| Member {
                    name,
                    id: self
                        .nodes
                        .binary_search(&name.as_str())
                        .ok()
                        .map(|i| i as u32),
                })
                .collect(),
        };
        if members.is_empty() {
            return Err(PlanError::EmptyTarget {
                environment: self.environment.to_string(),
                target: target.clone(),
            });
        }
        Ok(members)
    }

    fn cycles(
        &self,
        members: &[Member<'_>],
        local: &[u32],
        inside: &[&NodeEdge<'_>],
        sccs: Vec<Vec<u32>>,
    ) -> PlanError {
        let mut scc_of = vec![usize::MAX; members.len()];
        for (i, scc) in sccs.iter().enumerate() {
            for &v in scc {
                scc_of[v as usize] = i;
            }
        }
        let mut cycles: Vec<Cycle> = sccs
            .iter()
            .map(|scc| Cycle {
                nodes: scc
                    .iter()
                    .map(|&v| members[v as usize].name.to_string())
                    .collect(),
                edges: Vec::new(),
            })
            .collect();
        for e in inside {
            let (from, to) = (
                local[e.from as usize] as usize,
                local[e.to as usize] as usize,
            );
            if scc_of[from] != usize::MAX && scc_of[from] == scc_of[to] {
                cycles[scc_of[from]].edges.push(self.edge(e));
            }
        }
        PlanError::DependencyCycle { cycles }
    }
}

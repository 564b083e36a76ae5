//! Properties of plans over random environment graphs.

use std::collections::{BTreeMap, BTreeSet};

use orch_model::{EnvironmentGraph, ResourceRef};
use orch_planner::{Plan, PlanError, PlanRequest, plan};
use proptest::prelude::*;

/// A random environment: `components` of up to four applications on up to eight nodes, each
/// capability produced by one component and consumed by any. With `acyclic`, nodes are assigned
/// in component order and components consume only what earlier ones produce, so every edge
/// goes from a lower to a higher node: no cycle.
#[derive(Debug, Clone)]
struct Random {
    graph: EnvironmentGraph,
    extra: Vec<String>,
    seed: u64,
}

fn random_graph() -> impl Strategy<Value = Random> {
    (1usize..14, 1usize..9, 0usize..12, any::<bool>(), any::<u64>()).prop_flat_map(
        |(n_comps, n_nodes, n_caps, acyclic, seed)| {
            let comps = proptest::collection::vec((0usize..4, 0usize..n_nodes), n_comps);
            let producers = proptest::collection::vec(0usize..n_comps, n_caps);
            let consumes = proptest::collection::vec(
                proptest::collection::vec(any::<bool>(), n_caps),
                n_comps,
            );
            let extra = proptest::collection::vec(0usize..12, 0..3);
            (comps, producers, consumes, extra).prop_map(
                move |(mut comps, producers, consumes, extra)| {
                    if acyclic {
                        let mut nodes: Vec<usize> = comps.iter().map(|c| c.1).collect();
                        nodes.sort_unstable();
                        for (c, n) in comps.iter_mut().zip(nodes) {
                            c.1 = n;
                        }
                    }
                    // Written as JSON and read back: the planner's input is that JSON, and
                    // the graph's component type need not be named here.
                    let mut apps: BTreeMap<String, Vec<String>> = BTreeMap::new();
                    for (i, (app, node)) in comps.iter().enumerate() {
                        let produces: Vec<String> = (0..producers.len())
                            .filter(|&k| producers[k] == i)
                            .map(|k| format!("\"{}\"", cap(k)))
                            .collect();
                        let consumes: Vec<String> = (0..producers.len())
                            .filter(|&k| consumes[i][k] && (!acyclic || producers[k] < i))
                            .map(|k| format!("\"{}\"", cap(k)))
                            .collect();
                        apps.entry(format!("App[a{app}]")).or_default().push(format!(
                            "\"C{i}[t]\": {{\"produces\": [{}], \"consumes\": [{}], \"node\": \"{}\"}}",
                            produces.join(", "),
                            consumes.join(", "),
                            node_name(*node)
                        ));
                    }
                    let apps: Vec<String> = apps
                        .iter()
                        .map(|(app, comps)| format!("\"{app}\": {{{}}}", comps.join(", ")))
                        .collect();
                    let graph = EnvironmentGraph::from_json(&format!(
                        "{{\"environment\": \"production\", \"applications\": {{{}}}}}",
                        apps.join(", ")
                    ))
                    .unwrap();
                    Random {
                        graph,
                        extra: extra.into_iter().map(node_name).collect(),
                        seed,
                    }
                },
            )
        },
    )
}

fn cap(k: usize) -> ResourceRef {
    ResourceRef::new("Cap", format!("k{k}"))
}

/// Names whose sort order differs from their numbers.
fn node_name(n: usize) -> String {
    format!("node-{}.example.net", (n * 7) % 12)
}

fn plan_of(r: &Random) -> Result<Plan, PlanError> {
    plan(
        &r.graph,
        &PlanRequest {
            extra_nodes: r.extra.clone(),
            ..PlanRequest::default()
        },
    )
}

/// The node graph computed the plain way: (from, to) for every cross-node capability.
fn naive_edges(g: &EnvironmentGraph) -> BTreeSet<(String, String)> {
    let comps: Vec<_> = g.applications.values().flat_map(|c| c.values()).collect();
    let mut edges = BTreeSet::new();
    for p in &comps {
        for c in &comps {
            if p.node != c.node && p.produces.iter().any(|k| c.consumes.contains(k)) {
                edges.insert((p.node.clone(), c.node.clone()));
            }
        }
    }
    edges
}

/// Nodes on a cycle: those that reach themselves (transitive closure).
fn naive_cyclic_nodes(g: &EnvironmentGraph) -> BTreeSet<String> {
    let edges = naive_edges(g);
    let nodes: BTreeSet<&String> = edges.iter().flat_map(|(a, b)| [a, b]).collect();
    let mut reach: BTreeSet<(&String, &String)> = edges.iter().map(|(a, b)| (a, b)).collect();
    for k in &nodes {
        for i in &nodes {
            for j in &nodes {
                if reach.contains(&(*i, *k)) && reach.contains(&(*k, *j)) {
                    reach.insert((i, j));
                }
            }
        }
    }
    nodes
        .into_iter()
        .filter(|n| reach.contains(&(*n, *n)))
        .cloned()
        .collect()
}

/// The same graph written as JSON with every object's keys and every list shuffled.
fn shuffled_json(g: &EnvironmentGraph, seed: u64) -> String {
    let mut rng = seed | 1;
    let mut next = move || {
        rng ^= rng << 13;
        rng ^= rng >> 7;
        rng ^= rng << 17;
        rng
    };
    let mut shuffle = |v: &mut Vec<String>| {
        for i in (1..v.len()).rev() {
            v.swap(i, (next() % (i as u64 + 1)) as usize);
        }
    };
    let list = |refs: &[ResourceRef], shuffle: &mut dyn FnMut(&mut Vec<String>)| {
        let mut items: Vec<String> = refs.iter().map(|r| format!("\"{r}\"")).collect();
        shuffle(&mut items);
        format!("[{}]", items.join(","))
    };
    let mut apps = Vec::new();
    for (app, comps) in &g.applications {
        let mut items = Vec::new();
        for (comp, data) in comps {
            let mut fields = vec![
                format!("\"produces\":{}", list(&data.produces, &mut shuffle)),
                format!("\"consumes\":{}", list(&data.consumes, &mut shuffle)),
                format!("\"node\":\"{}\"", data.node),
            ];
            shuffle(&mut fields);
            items.push(format!("\"{comp}\":{{{}}}", fields.join(",")));
        }
        shuffle(&mut items);
        apps.push(format!("\"{app}\":{{{}}}", items.join(",")));
    }
    shuffle(&mut apps);
    let mut top = vec![
        format!("\"applications\":{{{}}}", apps.join(",")),
        "\"environment\":\"production\"".to_string(),
        "\"code_id\":null".to_string(),
    ];
    shuffle(&mut top);
    format!("{{{}}}", top.join(","))
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(512))]

    #[test]
    fn levels_are_consistent_and_minimal(r in random_graph()) {
        let Ok(p) = plan_of(&r) else { return Ok(()) };
        let level: BTreeMap<&str, usize> = p.nodes().map(|(l, n)| (n.name.as_str(), l)).collect();
        prop_assert_eq!(level.len(), p.node_count(), "every node once");
        for e in &p.edges {
            prop_assert!(level[e.from.as_str()] < level[e.to.as_str()], "edge {} goes up", e);
        }
        for (l, n) in p.nodes() {
            let deps: Vec<usize> = n.depends_on.iter().map(|d| level[d.as_str()]).collect();
            if l == 0 {
                prop_assert!(deps.is_empty());
            } else {
                prop_assert_eq!(deps.iter().max(), Some(&(l - 1)), "{} is as low as it can be", n.name);
            }
        }
        for level in &p.levels {
            prop_assert!(!level.nodes.is_empty());
            prop_assert!(level.nodes.windows(2).all(|w| w[0].name < w[1].name), "sorted by certname");
        }
        let pairs: BTreeSet<(String, String)> =
            p.edges.iter().map(|e| (e.from.clone(), e.to.clone())).collect();
        prop_assert_eq!(pairs, naive_edges(&r.graph));
    }

    #[test]
    fn a_cycle_is_reported_exactly_when_one_exists(r in random_graph()) {
        let cyclic = naive_cyclic_nodes(&r.graph);
        match plan_of(&r) {
            Ok(_) => prop_assert!(cyclic.is_empty(), "missed the cycle through {:?}", cyclic),
            Err(PlanError::DependencyCycle { cycles }) => {
                let reported: BTreeSet<String> =
                    cycles.iter().flat_map(|c| c.nodes.iter().cloned()).collect();
                prop_assert_eq!(reported, cyclic);
                for c in &cycles {
                    prop_assert!(c.nodes.len() > 1);
                    prop_assert!(!c.edges.is_empty());
                    for e in &c.edges {
                        prop_assert!(c.nodes.contains(&e.from) && c.nodes.contains(&e.to));
                    }
                }
            }
            Err(e) => prop_assert!(false, "unexpected error {}", e),
        }
    }

    #[test]
    fn output_does_not_depend_on_input_order(r in random_graph()) {
        let reordered = Random {
            graph: EnvironmentGraph::from_json(&shuffled_json(&r.graph, r.seed)).unwrap(),
            extra: r.extra.iter().rev().cloned().collect(),
            seed: r.seed,
        };
        prop_assert_eq!(plan_of(&reordered), plan_of(&r));
    }
}

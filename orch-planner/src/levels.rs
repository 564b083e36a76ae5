//! Levels (longest-path layering) and cycles of a node graph given by dense ids.

use petgraph::algo::kosaraju_scc;
use petgraph::graph::{DiGraph, NodeIndex};

/// The level of each of `n` nodes joined by `edges` (`from < n`, `to < n`, no self-edges):
/// 0 without dependencies, else 1 + the highest level among its dependencies. If the nodes are
/// not a DAG: every strongly connected set of more than one node, each sorted, sorted by first
/// id.
pub(crate) fn assign(n: usize, edges: &[(u32, u32)]) -> Result<Vec<usize>, Vec<Vec<u32>>> {
    let mut graph: DiGraph<(), (), u32> = DiGraph::with_capacity(n, edges.len());
    for _ in 0..n {
        graph.add_node(());
    }
    graph.extend_with_edges(edges.iter().copied());

    // Kahn's algorithm in waves: a node is taken once all its dependencies are, by then its
    // level is final. Iterative, so a 100k-long chain costs no stack.
    let mut indegree = vec![0usize; n];
    for &(_, to) in edges {
        indegree[to as usize] += 1;
    }
    let mut level = vec![0usize; n];
    let mut order: Vec<u32> = (0..n as u32)
        .filter(|&v| indegree[v as usize] == 0)
        .collect();
    let mut next = 0;
    while let Some(&u) = order.get(next) {
        next += 1;
        for v in graph.neighbors(NodeIndex::new(u as usize)) {
            let v = v.index();
            level[v] = level[v].max(level[u as usize] + 1);
            indegree[v] -= 1;
            if indegree[v] == 0 {
                order.push(v as u32);
            }
        }
    }
    if order.len() == n {
        return Ok(level);
    }

    // Some nodes never became ready: they are on a cycle or behind one. The strongly connected
    // components name exactly the cycles. Kosaraju's algorithm rather than petgraph's
    // `tarjan_scc`, because the latter recurses once per node along a path and a long chain
    // would overflow the stack; both find the same components.
    let mut cycles: Vec<Vec<u32>> = kosaraju_scc(&graph)
        .into_iter()
        .filter(|scc| scc.len() > 1)
        .map(|scc| {
            let mut ids: Vec<u32> = scc.into_iter().map(|v| v.index() as u32).collect();
            ids.sort_unstable();
            ids
        })
        .collect();
    cycles.sort_unstable();
    Err(cycles)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn longest_path_levels() {
        // 0 -> 1 -> 2, 0 -> 2, 3 alone
        assert_eq!(assign(4, &[(0, 1), (1, 2), (0, 2)]), Ok(vec![0, 1, 2, 0]));
    }

    #[test]
    fn cycles_are_the_strongly_connected_sets() {
        // 0 <-> 1, 2 -> 3 -> 4 -> 2, 1 -> 2, 5 after the cycles
        let edges = [(0, 1), (1, 0), (2, 3), (3, 4), (4, 2), (1, 2), (4, 5)];
        assert_eq!(assign(6, &edges), Err(vec![vec![0, 1], vec![2, 3, 4]]));
    }

    #[test]
    fn a_long_chain_needs_no_stack() {
        let n = 200_000u32;
        let edges: Vec<(u32, u32)> = (1..n).map(|i| (i - 1, i)).collect();
        assert_eq!(
            assign(n as usize, &edges).unwrap()[n as usize - 1],
            n as usize - 1
        );
        let mut cyclic = edges.clone();
        cyclic.push((n - 1, 0));
        assert_eq!(
            assign(n as usize, &cyclic).unwrap_err()[0].len(),
            n as usize
        );
    }
}

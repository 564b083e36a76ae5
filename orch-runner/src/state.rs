//! Job and node states (PE's names, `reference/orchestrator.md` §5.3–5.4).

use std::fmt;
use std::str::FromStr;

use serde::{Deserialize, Serialize};

/// A job's state. `stopped`, `finished` and `failed` are terminal.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum JobState {
    /// Recorded, not started.
    New,
    /// Nodes are running or waiting for their dependencies.
    Running,
    /// A stop was asked for: nothing new starts, running nodes finish.
    Stopping,
    /// Ended after a stop.
    Stopped,
    /// Every node finished.
    Finished,
    /// Some node failed, errored or was skipped, or the runner died.
    Failed,
}

/// A node's state within a job. Every state but `new` and `running` is terminal.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum NodeState {
    /// Not started.
    New,
    /// Its agent run is under way.
    Running,
    /// The agent run completed (exit 0 or 2).
    Finished,
    /// The agent run reported failure (any other exit status).
    Failed,
    /// The run could not be done: could not start, transport failure, timeout, interrupted.
    Errored,
    /// Not run: a dependency did not finish, or the job stopped first.
    Skipped,
}

impl JobState {
    /// All states, in lifecycle order.
    pub const ALL: [JobState; 6] = [
        JobState::New,
        JobState::Running,
        JobState::Stopping,
        JobState::Stopped,
        JobState::Finished,
        JobState::Failed,
    ];

    /// The lower-case name (`finished`).
    pub fn as_str(self) -> &'static str {
        match self {
            JobState::New => "new",
            JobState::Running => "running",
            JobState::Stopping => "stopping",
            JobState::Stopped => "stopped",
            JobState::Finished => "finished",
            JobState::Failed => "failed",
        }
    }

    /// Whether the job has ended.
    pub fn is_terminal(self) -> bool {
        matches!(
            self,
            JobState::Stopped | JobState::Finished | JobState::Failed
        )
    }
}

impl NodeState {
    /// All states, in lifecycle order (the order of `job show`'s sections).
    pub const ALL: [NodeState; 6] = [
        NodeState::New,
        NodeState::Running,
        NodeState::Finished,
        NodeState::Failed,
        NodeState::Errored,
        NodeState::Skipped,
    ];

    /// The lower-case name (`skipped`).
    pub fn as_str(self) -> &'static str {
        match self {
            NodeState::New => "new",
            NodeState::Running => "running",
            NodeState::Finished => "finished",
            NodeState::Failed => "failed",
            NodeState::Errored => "errored",
            NodeState::Skipped => "skipped",
        }
    }

    /// Whether the node has ended.
    pub fn is_terminal(self) -> bool {
        !matches!(self, NodeState::New | NodeState::Running)
    }
}

impl fmt::Display for JobState {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl fmt::Display for NodeState {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// A state name that is not one of the known ones.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("unknown state `{0}`")]
pub struct UnknownState(pub String);

impl FromStr for JobState {
    type Err = UnknownState;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        JobState::ALL
            .into_iter()
            .find(|st| st.as_str() == s)
            .ok_or_else(|| UnknownState(s.to_owned()))
    }
}

impl FromStr for NodeState {
    type Err = UnknownState;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        NodeState::ALL
            .into_iter()
            .find(|st| st.as_str() == s)
            .ok_or_else(|| UnknownState(s.to_owned()))
    }
}

/// How many nodes are in each state; serialized as a map of the non-zero counts
/// (`{"finished": 3, "failed": 1}`), in lifecycle order.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct NodeCounts([usize; 6]);

impl NodeCounts {
    /// The count for `state`.
    pub fn get(&self, state: NodeState) -> usize {
        self.0[state as usize]
    }

    /// Adds one node in `state`.
    pub fn add(&mut self, state: NodeState) {
        self.0[state as usize] += 1;
    }

    /// Moves one node from `from` to `to`.
    pub fn moved(&mut self, from: NodeState, to: NodeState) {
        self.0[from as usize] = self.0[from as usize].saturating_sub(1);
        self.0[to as usize] += 1;
    }

    /// All nodes.
    pub fn total(&self) -> usize {
        self.0.iter().sum()
    }

    /// The non-zero counts in lifecycle order.
    pub fn iter(&self) -> impl Iterator<Item = (NodeState, usize)> + '_ {
        NodeState::ALL
            .into_iter()
            .map(|s| (s, self.get(s)))
            .filter(|(_, n)| *n > 0)
    }
}

impl Serialize for NodeCounts {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        use serde::ser::SerializeMap;
        let mut map = s.serialize_map(None)?;
        for (state, n) in self.iter() {
            map.serialize_entry(state.as_str(), &n)?;
        }
        map.end()
    }
}

impl<'de> Deserialize<'de> for NodeCounts {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let map = std::collections::BTreeMap::<NodeState, usize>::deserialize(d)?;
        let mut counts = NodeCounts::default();
        for (state, n) in map {
            counts.0[state as usize] = n;
        }
        Ok(counts)
    }
}
